/* review.c — GET /v1/editions/{slug}/pact-review (staff): the previous
 * edition's pacts with progress at signing and now, and what changed since,
 * for the review session of the programme; built by followup_review(). */
#include "core/req.h"
#include "followup/followup.h"

const struct db_stmt followup_stmt_review = DB_ANSWER(followup_review, "$1");

void followup_review(struct req *r)
{
    if (!req_is_staff(r)) {
        req_reply_problem(r, "forbidden", NULL);
        return;
    }
    const char *params[] = {req_param(r, "slug")};
    req_query(r, &followup_stmt_review, 1, params, req_done_sql);
}
