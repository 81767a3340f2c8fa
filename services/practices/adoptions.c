/* adoptions.c — where a published case was replicated, and by which
 * organization; the case's read carries adopted_in and adoption_count. */
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_adoption_create =
    DB_ANSWER(practices_adoption_create, "$1::uuid, $2::jsonb, $3::uuid, $4::boolean");

const struct db_stmt practices_stmt_adoptions_list =
    DB_ANSWER(practices_adoptions_list, "$1::uuid, $2::uuid, $3::boolean, $4::uuid, $5::int");

json_t *practices_adoption_fields(struct valid *v, const json_t *b, bool create)
{
    (void)create; /* an adoption is only created */
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    const char *org = valid_string(v, b, "organization_id", 1, 36, true);
    if (org != NULL && !valid_uuid(org))
        valid_fail(v, "organization_id", MSG_UUID, 0, NULL);
    else if (org != NULL)
        json_object_set(out, "organization_id", json_object_get(b, "organization_id"));
    const char *t = valid_string(v, b, "territory", 2, 6, true);
    if (t != NULL && !practices_territory_ok(t))
        valid_fail(v, "territory", MSG_TERRITORY, 0, NULL);
    else if (t != NULL)
        json_object_set(out, "territory", json_object_get(b, "territory"));
    const json_t *nj = json_object_get(b, "note");
    if (nj != NULL && !json_is_null(nj) && valid_long_text(v, b, "note", 0, 2000, false) != NULL)
        json_object_set(out, "note", json_object_get(b, "note"));
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

void practices_adoption_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, practices_adoption_fields(&v, r->body, true), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {req_param(r, "id"), text, r->auth.account_id,
                            req_sql_bool(req_is_curator(r))};
    req_query(r, &practices_stmt_adoption_create, 4, params, req_done_sql);
    free(text);
}

void practices_adoptions_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_curator(r)),
                            page.cursor, page.limit_text};
    req_query_valid(r, &v, &practices_stmt_adoptions_list, 5, params, req_done_sql);
}
