/* routes.c — the programme module's routes and prepared statements. */
#include "core/req.h"
#include "programme/programme.h"

const struct route programme_routes[] = {
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE},
};

const struct db_stmt *const programme_stmts[] = {
    NULL,
};
