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

void practices_review_check(struct valid *v, const json_t *body, struct practices_review_in *in)
{
    in->decision = valid_enum(v, body, "decision", decisions, true);
    bool rejected = in->decision != NULL && in->decision[0] == 'r';
    in->comment = valid_long_text(v, body, "comment", 1, 2000, rejected);
    /* optional: the revision the curator read (SQL refuses a decision on
     * another one, 409) */
    long long revision = 0;
    in->revision[0] = '\0';
    if (valid_int(v, body, "revision", 1, INT32_MAX, false, &revision))
        snprintf(in->revision, sizeof in->revision, "%lld", revision);
}

void practices_review(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct practices_review_in in;
    practices_review_check(&v, r->body, &in);
    const char *params[] = {req_param(r, "id"), in.decision, in.comment,
                            in.revision[0] ? in.revision : NULL, r->auth.account_id};
    req_query_valid(r, &v, &practices_stmt_review, 5, params, req_done_sql);
}
