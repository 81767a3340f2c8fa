/* routes.c — the schedule module's routes and prepared statements. */
#include "core/req.h"
#include "schedule/schedule.h"

const struct route schedule_routes[] = {
    {"POST", "/v1/editions/{slug}/schedule/releases", schedule_release_create, AUTH_ORGANIZER,
     BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions/{slug}/schedule/releases", schedule_release_list, AUTH_OPTIONAL,
     BODY_NONE, OUT_JSON},
    {"GET", "/v1/editions/{slug}/schedule", schedule_get, AUTH_OPTIONAL, BODY_NONE,
     OUT_JSON | OUT_ICS},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const schedule_stmts[] = {
    &schedule_stmt_publish,
    &schedule_stmt_releases,
    &schedule_stmt_latest,
    NULL,
};
