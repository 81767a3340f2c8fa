/* overdue.c — GET /v1/commitments/overdue (staff): commitments past their
 * due date and not done or dropped, or with a milestone past due and not
 * done, each with its pact, edition, days overdue and overdue milestones;
 * ?edition=<slug> narrows it to one edition; pages of (due_on, id). */
#include "core/req.h"
#include "followup/followup.h"

const struct db_stmt followup_stmt_overdue = DB_ANSWER(followup_overdue, "$1, $2::uuid, $3::int");

void followup_overdue(struct req *r)
{
    if (!req_is_staff(r)) {
        req_reply_problem(r, "forbidden", NULL);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    const char *edition = req_query_param(r, "edition");
    if (edition != NULL && !valid_slug(edition))
        valid_fail(&v, "edition", MSG_SLUG, 0, NULL);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {edition, page.cursor, page.limit_text};
    req_query_valid(r, &v, &followup_stmt_overdue, 3, params, req_done_sql);
}
