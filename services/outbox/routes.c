/* routes.c — the outbox module's routes, statements and periodic tasks. */
#include "core/module.h"
#include "core/req.h"
#include "core/server.h"
#include "outbox/outbox.h"

static const struct route routes[] = {
    ROUTE("GET", "/v1/outbox", outbox_list, "outbox/admin.c", AUTH_ADMIN, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/outbox/{id}/retry", outbox_retry, "outbox/admin.c", AUTH_ADMIN,
          BODY_OPTIONAL, OUT_JSON),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &outbox_stmt_list, &outbox_stmt_retry, &outbox_stmt_purge, &outbox_stmt_gauges, NULL,
};

static const struct server_task *const tasks[] = {&outbox_purge_task, &outbox_gauges_task, NULL};

const struct module outbox_module = {"outbox", routes, statements, tasks};
