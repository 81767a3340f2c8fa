/* carry_over.c — POST /v1/commitments/{id}/carry-over {pact_id, due_on?}
 * (follow-up): a commitment not done, copied into a pact of a later
 * edition with its indicators, verified measurements and open milestones,
 * once per target edition; followup_carry_over() locks the source row,
 * so two requests at once give one copy and one 409. */
#include "core/req.h"
#include "followup/followup.h"

const struct db_stmt followup_stmt_carry_over =
    DB_ANSWER(followup_carry_over, "$1::uuid, $2::uuid, $3::uuid, $4::date");

void followup_carry_over(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *pact = valid_string(&v, r->body, "pact_id", 1, 64, true);
    if (pact != NULL && !valid_uuid(pact))
        valid_fail(&v, "pact_id", MSG_UUID, 0, NULL);
    const char *due = NULL;
    if (json_object_get(r->body, "due_on") != NULL &&
        !json_is_null(json_object_get(r->body, "due_on")))
        due = valid_date(&v, r->body, "due_on", false);
    const char *params[] = {r->auth.account_id, req_param(r, "id"), pact, due};
    req_query_valid(r, &v, &followup_stmt_carry_over, 4, params, req_done_sql_changed);
}
