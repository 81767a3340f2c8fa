/* roles.c — PUT /v1/accounts/{id}/roles: an admin gives or takes roles. */
#include <stdio.h>
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
    json_t *arr = json_object_get(r->body, "roles");
    char literal[64] = "{";
    if (arr == NULL || json_is_null(arr)) {
        valid_fail(&v, "roles", MSG_REQUIRED, 0, NULL);
    } else if (!json_is_array(arr)) {
        valid_fail(&v, "roles", MSG_NOT_ARRAY, 0, NULL);
    } else {
        unsigned seen = 0;
        size_t i;
        json_t *item;
        json_array_foreach(arr, i, item) {
            char field[32];
            snprintf(field, sizeof field, "roles[%zu]", i);
            const char *s = json_string_value(item);
            int k = 0;
            while (s != NULL && vocab_roles[k] != NULL && strcmp(vocab_roles[k], s) != 0)
                k++;
            if (s == NULL || vocab_roles[k] == NULL) {
                char list[64] = "";
                for (int j = 0; vocab_roles[j] != NULL; j++)
                    strcat(strcat(list, j > 0 ? ", " : ""), vocab_roles[j]);
                valid_fail(&v, field, MSG_ONE_OF, 0, list);
            } else if (seen & (1u << k)) {
                valid_fail(&v, field, MSG_DUPLICATE, 0, NULL);
            } else {
                seen |= 1u << k;
                if (strlen(literal) > 1)
                    strcat(literal, ",");
                strcat(literal, vocab_roles[k]);
            }
        }
        strcat(literal, "}");
    }
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "id"), literal};
    req_query(r, &accounts_stmt_roles_set, 2, params, req_done_sql);
}
