/* routes.c — the series module's routes and prepared statements. */
#include "core/req.h"
#include "series/series.h"

const struct route series_routes[] = {
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE},
};

const struct db_stmt *const series_stmts[] = {
    NULL,
};
