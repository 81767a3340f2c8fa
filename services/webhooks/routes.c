/* routes.c — the webhooks module's routes and statements: admins only. */
#include "core/module.h"
#include "core/req.h"
#include "webhooks/webhooks.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/webhooks", webhooks_create, "webhooks/admin.c", AUTH_ADMIN, BODY_JSON,
          OUT_JSON),
    ROUTE("GET", "/v1/webhooks", webhooks_list, "webhooks/admin.c", AUTH_ADMIN, BODY_NONE,
          OUT_JSON),
    ROUTE("GET", "/v1/webhooks/{id}", webhooks_get, "webhooks/admin.c", AUTH_ADMIN, BODY_NONE,
          OUT_JSON),
    ROUTE("PATCH", "/v1/webhooks/{id}", webhooks_patch, "webhooks/admin.c", AUTH_ADMIN, BODY_JSON,
          OUT_JSON),
    ROUTE("DELETE", "/v1/webhooks/{id}", webhooks_delete, "webhooks/admin.c", AUTH_ADMIN, BODY_NONE,
          OUT_JSON),
    ROUTE("GET", "/v1/webhooks/{id}/deliveries", webhooks_deliveries, "webhooks/deliveries.c",
          AUTH_ADMIN, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/webhook-deliveries/{id}/redeliver", webhooks_redeliver,
          "webhooks/deliveries.c", AUTH_ADMIN, BODY_OPTIONAL, OUT_JSON),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &webhooks_stmt_create,    &webhooks_stmt_list,
    &webhooks_stmt_get,       &webhooks_stmt_patch,
    &webhooks_stmt_delete,    &webhooks_stmt_deliveries,
    &webhooks_stmt_redeliver, NULL,
};

const struct module webhooks_module = {"webhooks", routes, statements, NULL};
