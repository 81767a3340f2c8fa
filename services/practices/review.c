/* review.c — a curator's decision on a submitted revision: published (it
 * becomes what the public reads) or rejected (with a comment). The SQL
 * function writes the author's outbox row in the same transaction, and
 * refuses a curator's decision on their own case (403) or on another
 * revision than the one named (409). */
#include <stdint.h>
#include <stdio.h>

#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_review =
    DB_ANSWER(practices_review, "$1::uuid, $2, $3, $4::integer, $5::uuid");

static const char *const decisions[] = {"published", "rejected", NULL};

void practices_review(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *decision = valid_enum(&v, r->body, "decision", decisions, true);
    bool rejected = decision != NULL && decision[0] == 'r';
    const char *comment = valid_long_text(&v, r->body, "comment", 1, 2000, rejected);
    /* optional: the revision the curator read (SQL refuses a decision on
     * another one, 409) */
    long long revision = 0;
    char revision_s[24] = "";
    if (valid_int(&v, r->body, "revision", 1, INT32_MAX, false, &revision))
        snprintf(revision_s, sizeof revision_s, "%lld", revision);
    const char *params[] = {req_param(r, "id"), decision, comment,
                            revision_s[0] ? revision_s : NULL, r->auth.account_id};
    req_query_valid(r, &v, &practices_stmt_review, 5, params, req_done_sql);
}
