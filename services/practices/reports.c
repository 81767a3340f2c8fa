/* reports.c — reports on published cases (one per account; the third open
 * one hides the case), the curators' queue, and their moderation (restore
 * or withdraw). */
#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_report_create =
    DB_ANSWER(practices_report_create, "$1::uuid, $2, $3::uuid, $4::boolean");

const struct db_stmt practices_stmt_reports_list =
    DB_ANSWER(practices_reports_list, "$1::uuid, $2::int");

const struct db_stmt practices_stmt_moderate =
    DB_ANSWER(practices_moderate, "$1::uuid, $2, $3, $4::uuid");

static const char *const actions[] = {"restore", "withdraw", NULL};

void practices_report_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *reason = valid_long_text(&v, r->body, "reason", 1, 2000, true);
    const char *params[] = {req_param(r, "id"), reason, r->auth.account_id,
                            req_sql_bool(req_is_curator(r))};
    req_query_valid(r, &v, &practices_stmt_report_create, 4, params, req_done_sql);
}

void practices_reports_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {page.cursor, page.limit_text};
    req_query_valid(r, &v, &practices_stmt_reports_list, 2, params, req_done_sql);
}

void practices_moderate(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *action = valid_enum(&v, r->body, "action", actions, true);
    const char *comment = valid_long_text(&v, r->body, "comment", 1, 2000, true);
    const char *params[] = {req_param(r, "id"), action, comment, r->auth.account_id};
    req_query_valid(r, &v, &practices_stmt_moderate, 4, params, req_done_sql);
}
