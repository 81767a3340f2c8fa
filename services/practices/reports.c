/* reports.c — reports on published cases (one per account; the third open
 * one hides the case), the curators' queues (reports; submissions waiting
 * for a review), and their moderation (restore or withdraw). */
#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_report_create =
    DB_ANSWER(practices_report_create, "$1::uuid, $2, $3::uuid, $4::boolean");

const struct db_stmt practices_stmt_reports_list =
    DB_ANSWER(practices_reports_list, "$1::uuid, $2::int");

const struct db_stmt practices_stmt_moderate =
    DB_ANSWER(practices_moderate, "$1::uuid, $2, $3, $4::uuid");

const struct db_stmt practices_stmt_submissions =
    DB_ANSWER(practices_submissions, "$1::uuid, $2::int");

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

void practices_submissions(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {page.cursor, page.limit_text};
    req_query_valid(r, &v, &practices_stmt_submissions, 2, params, req_done_sql);
}

void practices_moderation_check(struct valid *v, const json_t *body, const char **action,
                                const char **comment)
{
    *action = valid_enum(v, body, "action", actions, true);
    *comment = valid_long_text(v, body, "comment", 1, 2000, true);
}

void practices_moderate(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *action, *comment;
    practices_moderation_check(&v, r->body, &action, &comment);
    const char *params[] = {req_param(r, "id"), action, comment, r->auth.account_id};
    req_query_valid(r, &v, &practices_stmt_moderate, 4, params, req_done_sql);
}
