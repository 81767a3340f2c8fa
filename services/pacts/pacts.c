/* pacts.c — the pacts of an edition: create, list, read (drafts for staff
 * and the contacts of its parties only), change. The SQL functions are in
 * schema/functions/pacts.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "pacts/pacts.h"

const struct db_stmt pacts_stmt_create = DB_ANSWER(pacts_create, "$1, $2::jsonb, $3::uuid");

const struct db_stmt pacts_stmt_list =
    DB_ANSWER(pacts_list, "$1, $2::uuid, $3::boolean, $4::uuid, $5::int");

const struct db_stmt pacts_stmt_get = DB_ANSWER(pacts_get, "$1::uuid, $2::uuid, $3::boolean");

const struct db_stmt pacts_stmt_patch = DB_ANSWER(pacts_patch, "$1::uuid, $2::jsonb, $3::uuid");

static const char *const statuses[] = {"draft",     "signed", "in_progress",
                                       "completed", "lapsed", NULL};

json_t *pacts_fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    valid_text_into(v, b, out, "title", 1, 300, create, VALID_NULL_REFUSED);
    valid_long_text_into(v, b, out, "summary", 5000, true);
    valid_long_text_into(v, b, out, "text", 100000, true);
    valid_url_into(v, b, out, "text_url", 500, VALID_NULL_KEEPS);
    json_t *sj = json_object_get(b, "signed_on");
    bool signed_null = sj == NULL || json_is_null(sj);
    const char *signed_on = valid_date(v, b, "signed_on", false);
    if (signed_on != NULL)
        json_object_set_new(out, "signed_on", json_string(signed_on));
    else if (sj != NULL && json_is_null(sj))
        json_object_set_new(out, "signed_on", json_null());
    json_t *st = json_object_get(b, "status");
    const char *status = valid_enum(v, b, "status", statuses, false);
    if (st != NULL && json_is_null(st))
        valid_fail(v, "status", MSG_REQUIRED, 0, NULL);
    if (status != NULL)
        json_object_set_new(out, "status", json_string(status));
    /* a pact is public from signature on: it needs the date it was signed
     * (on a PATCH, SQL checks it against the stored row too) */
    bool public = status != NULL && strcmp(status, "draft") != 0;
    if (public && signed_null && (create || sj != NULL))
        valid_fail(v, "signed_on", MSG_REQUIRED, 0, NULL);
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Checks the body and runs stmt with ($1 key, $2 the checked members, $3
 * the actor). */
static void pact_write(struct req *r, const struct db_stmt *stmt, const char *key, bool create)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_t *p = pacts_fields(&v, r->body, create);
    char *text = req_valid_json(r, &v, p, JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {key, text, r->auth.account_id};
    req_query(r, stmt, 3, params, req_done_sql_changed);
    free(text);
}

void pacts_create(struct req *r)
{
    pact_write(r, &pacts_stmt_create, req_param(r, "slug"), true);
}

void pacts_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {req_param(r, "slug"), req_viewer(r), req_sql_bool(req_is_staff(r)),
                            page.cursor, page.limit_text};
    req_query_valid(r, &v, &pacts_stmt_list, 5, params, req_done_sql);
}

void pacts_get(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_staff(r))};
    req_query(r, &pacts_stmt_get, 3, params, req_done_sql);
}

void pacts_patch(struct req *r)
{
    pact_write(r, &pacts_stmt_patch, req_param(r, "id"), false);
}
