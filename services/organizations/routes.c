/* routes.c — the routes and prepared statements of organizations. */
#include "organizations/organizations.h"

/* Organizations are written by staff (organizer or followup): AUTH_USER
 * here, the role checked by the handler (403). */
static const struct route routes[] = {
    ROUTE("POST", "/v1/organizations", organizations_create, "organizations/organizations.c",
          AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/organizations", organizations_list, "organizations/organizations.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/organizations/{id}", organizations_get, "organizations/organizations.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("PATCH", "/v1/organizations/{id}", organizations_patch, "organizations/organizations.c",
          AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &organizations_stmt_create,
    &organizations_stmt_list,
    &organizations_stmt_get,
    &organizations_stmt_patch,
    NULL,
};

const struct module organizations_module = {"organizations", routes, statements, NULL};
