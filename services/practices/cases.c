/* cases.c — a case's life as its author sees it: create, read (the public
 * sees the published version only; its author and curators the working
 * revision too), change, submit, and the list of its revisions. The SQL
 * functions are in schema/functions/practices.sql ("workflow"). */
#include <stdlib.h>

#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_create = DB_ANSWER(practices_create, "$1::jsonb, $2::uuid");

const struct db_stmt practices_stmt_get =
    DB_ANSWER(practices_get, "$1::uuid, $2::uuid, $3::boolean");

const struct db_stmt practices_stmt_patch =
    DB_ANSWER(practices_patch, "$1::uuid, $2::jsonb, $3::uuid, $4::boolean");

const struct db_stmt practices_stmt_submit =
    DB_ANSWER(practices_submit, "$1::uuid, $2::uuid, $3::boolean");

const struct db_stmt practices_stmt_revisions =
    DB_ANSWER(practices_revisions, "$1::uuid, $2::uuid, $3::boolean, $4::bigint, $5::int");

void practices_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, practices_fields(&v, r->body, true), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {text, r->auth.account_id};
    req_query(r, &practices_stmt_create, 2, params, req_done_sql);
    free(text);
}

void practices_get(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_curator(r))};
    req_query(r, &practices_stmt_get, 3, params, req_done_sql);
}

void practices_patch(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, practices_fields(&v, r->body, false), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {req_param(r, "id"), text, r->auth.account_id,
                            req_sql_bool(req_is_curator(r))};
    req_query(r, &practices_stmt_patch, 4, params, req_done_sql);
    free(text);
}

void practices_submit(struct req *r)
{
    const char *params[] = {req_param(r, "id"), r->auth.account_id,
                            req_sql_bool(req_is_curator(r))};
    req_query(r, &practices_stmt_submit, 3, params, req_done_sql);
}

void practices_revisions(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_NUMBER);
    const char *params[] = {req_param(r, "id"), r->auth.account_id, req_sql_bool(req_is_curator(r)),
                            page.cursor, page.limit_text};
    req_query_valid(r, &v, &practices_stmt_revisions, 5, params, req_done_sql);
}
