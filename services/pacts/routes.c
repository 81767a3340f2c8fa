/* routes.c — the routes and prepared statements of pact follow-up:
 * pacts, their parties and contacts, and each pact's history. */
#include "pacts/pacts.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/editions/{slug}/pacts", pacts_create, "pacts/pacts.c", AUTH_FOLLOWUP,
          BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/pacts", pacts_list, "pacts/pacts.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_JSON),
    ROUTE("GET", "/v1/pacts/{id}", pacts_get, "pacts/pacts.c", AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("PATCH", "/v1/pacts/{id}", pacts_patch, "pacts/pacts.c", AUTH_FOLLOWUP, BODY_JSON,
          OUT_JSON),
    ROUTE("POST", "/v1/pacts/{id}/parties", pacts_party_create, "pacts/parties.c", AUTH_FOLLOWUP,
          BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/pacts/{id}/history", pacts_history, "pacts/history.c", AUTH_USER, BODY_NONE,
          OUT_JSON),
    /* the pact's page for people (HTML; pages.c), on the API's read */
    ROUTE("GET", "/pacts/{id}", pacts_page_pact, "pacts/pages.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &pacts_stmt_create,
    &pacts_stmt_list,
    &pacts_stmt_get,
    &pacts_stmt_patch,
    &pacts_stmt_party_create,
    &pacts_stmt_history,
    NULL,
};

const struct module pacts_module = {"pacts", routes, statements, NULL};
