/* routes.c — the schedule module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "schedule/schedule.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/editions/{slug}/schedule/releases", schedule_publish, "schedule/releases.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/schedule/releases", schedule_release_list,
          "schedule/releases.c", AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/schedule", schedule_get, "schedule/schedule_cache.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON | OUT_ICS),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &schedule_stmt_publish,
    &schedule_stmt_release_list,
    &schedule_stmt_get,
    NULL,
};

const struct module schedule_module = {"schedule", routes, statements, NULL};
