/* roles.c — PUT /v1/accounts/{id}/roles: an admin gives or takes roles. */
#include <stdint.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/req.h"
#include "core/vocab.h"

/* Refuses (409 last-admin) to take admin away from the last admin, under
 * any concurrency: the function serialises changes to the admin set
 * (accounts_roles_set in schema/functions/accounts.sql). */
const struct db_stmt accounts_stmt_roles_set = {
    "accounts_roles_set",
    "SELECT status, problem, body FROM accounts_roles_set($1::uuid, $2::text[])",
};

void accounts_roles_set(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_t *arr = valid_enum_array(&v, r->body, "roles", vocab_roles, SIZE_MAX, true);
    /* distinct roles of the vocabulary: "{admin,organizer,followup}" fits */
    char literal[64] = "{";
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        if (i > 0)
            strcat(literal, ",");
        strcat(literal, json_string_value(item));
    }
    strcat(literal, "}");
    const char *params[] = {req_param(r, "id"), literal};
    req_query_valid(r, &v, &accounts_stmt_roles_set, 2, params, req_done_sql);
}
