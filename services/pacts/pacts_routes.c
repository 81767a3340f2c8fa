/* pacts_routes.c — the routes and prepared statements of pact follow-up:
 * organizations, pacts, their parties and contacts, and each pact's history. */
#include "pacts/pacts.h"

/* Organizations are written by staff (organizer or followup): AUTH_USER
 * here, the role checked by the handler (403). */
const struct route pacts_routes[] = {
    {"POST", "/v1/organizations", pacts_org_create, AUTH_USER, BODY_JSON, OUT_JSON},
    {"GET", "/v1/organizations", pacts_org_list, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"GET", "/v1/organizations/{id}", pacts_org_get, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"PATCH", "/v1/organizations/{id}", pacts_org_patch, AUTH_USER, BODY_JSON, OUT_JSON},
    {"POST", "/v1/editions/{slug}/pacts", pacts_create, AUTH_FOLLOWUP, BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions/{slug}/pacts", pacts_list, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"GET", "/v1/pacts/{id}", pacts_get, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"PATCH", "/v1/pacts/{id}", pacts_patch, AUTH_FOLLOWUP, BODY_JSON, OUT_JSON},
    {"POST", "/v1/pacts/{id}/parties", pacts_party_create, AUTH_FOLLOWUP, BODY_JSON, OUT_JSON},
    {"GET", "/v1/pacts/{id}/history", pacts_history, AUTH_USER, BODY_NONE, OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const pacts_stmts[] = {
    &pacts_stmt_org_create,
    &pacts_stmt_org_list,
    &pacts_stmt_org_get,
    &pacts_stmt_org_patch,
    &pacts_stmt_create,
    &pacts_stmt_list,
    &pacts_stmt_get,
    &pacts_stmt_patch,
    &pacts_stmt_party_create,
    &pacts_stmt_history,
    NULL,
};
