/* parties.c — POST /v1/pacts/{id}/parties: an organization joins a pact in
 * a role, with the accounts that speak for it (they submit measurements,
 * a verifier's contacts review them, and all of them see the pact whole). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "pacts/pacts.h"

const struct db_stmt pacts_stmt_party_create =
    DB_ANSWER(pacts_party_create, "$1::uuid, $2::uuid, $3, $4::uuid[], $5::uuid");

#define MAX_CONTACTS 50

static const char *const roles[] = {"signatory", "responsible", "co_responsible", "verifier", NULL};

/* contact_account_ids: up to MAX_CONTACTS distinct account ids, as a
 * PostgreSQL array literal in *out (owned by the caller); absent or null
 * is none. */
static void contacts(struct valid *v, const json_t *b, char **out)
{
    *out = NULL;
    json_t *arr = valid_uuid_array(v, b, "contact_account_ids", MAX_CONTACTS, false);
    if (arr == NULL) { /* absent or null; or invalid, and v says so */
        *out = strdup("{}");
        return;
    }
    /* "{" + n ids of 36 characters and a comma each + "}" */
    char *text = malloc(json_array_size(arr) * 37 + 3);
    if (text == NULL)
        return;
    char *p = text;
    *p++ = '{';
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        if (i > 0)
            *p++ = ',';
        memcpy(p, json_string_value(item), 36);
        p += 36;
    }
    *p++ = '}';
    *p = '\0';
    *out = text;
}

void pacts_party_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *org = valid_string(&v, r->body, "organization_id", 1, 64, true);
    if (org != NULL && !valid_uuid(org))
        valid_fail(&v, "organization_id", MSG_UUID, 0, NULL);
    const char *role = valid_enum(&v, r->body, "role", roles, true);
    char *ids = NULL;
    contacts(&v, r->body, &ids);
    if (!valid_ok(&v)) {
        free(ids);
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    if (ids == NULL) {
        req_reply_unavailable(r);
        return;
    }
    const char *params[] = {req_param(r, "id"), org, role, ids, r->auth.account_id};
    req_query(r, &pacts_stmt_party_create, 5, params, req_done_sql_changed);
    free(ids);
}
