/* routes.c — the schedule module's routes and prepared statements. */
#include "core/req.h"
#include "schedule/schedule.h"

const struct route schedule_routes[] = {
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE},
};

const struct db_stmt *const schedule_stmts[] = {
    NULL,
};
