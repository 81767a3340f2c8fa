/* history.c — GET /v1/pacts/{id}/history: the pact's audit trail (every
 * insert, change and removal of the pact, its parties, commitments,
 * indicators, measurements and milestones, with who did it), oldest
 * first, for staff. The rows are written by the triggers of 0006. */
#include "core/req.h"
#include "pacts/pacts.h"

/* $2: the audit id the page starts after (the cursor is a number). */
const struct db_stmt pacts_stmt_history = DB_ANSWER(pacts_history, "$1::uuid, $2::bigint, $3::int");

void pacts_history(struct req *r)
{
    if (!req_is_staff(r)) {
        req_reply_problem(r, "forbidden", NULL);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_NUMBER);
    const char *params[] = {req_param(r, "id"), page.cursor, page.limit_text};
    req_query_valid(r, &v, &pacts_stmt_history, 3, params, req_done_sql);
}
