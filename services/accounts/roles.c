/* roles.c — PUT /v1/accounts/{id}/roles: an admin gives or takes roles. */
#include <stdio.h>

#include "accounts/accounts.h"
#include "core/req.h"
#include "core/vocab.h"

/* Refuses (409 last-admin) to take admin away from the last admin, under
 * any concurrency: the function serialises changes to the admin set
 * (accounts_roles_set in schema/functions/accounts.sql). */
const struct db_stmt accounts_stmt_roles_set =
    DB_ANSWER(accounts_roles_set, "$1::uuid, $2::text[]");

void accounts_roles_set(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    /* no repeats, so at most one of each role of the vocabulary */
    json_t *arr = valid_enum_array(&v, r->body, "roles", vocab_roles, 4, true);
    char literal[64] = "{";
    size_t len = 1, i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        int w = snprintf(literal + len, sizeof literal - len, "%s%s", i > 0 ? "," : "",
                         json_string_value(item));
        if (w < 0 || (size_t)w >= sizeof literal - len - 1) { /* never: four short names */
            req_reply_problem(r, "internal-error", NULL);
            valid_free(&v);
            return;
        }
        len += (size_t)w;
    }
    literal[len++] = '}';
    literal[len] = '\0';
    const char *params[] = {req_param(r, "id"), literal};
    req_query_valid(r, &v, &accounts_stmt_roles_set, 2, params, req_done_sql);
}
