/* rsvp.c — POST/DELETE /v1/series-events/{id}/rsvp: a place in one
 * attendance mode, taken by series_rsvp_create() in SQL with a guarded
 * update. */
#include "core/req.h"
#include "core/vocab.h"
#include "series/series.h"

const struct db_stmt series_stmt_rsvp_create =
    DB_ANSWER(series_rsvp_create, "$1::uuid, $2::uuid, $3");

const struct db_stmt series_stmt_rsvp_cancel = DB_ANSWER(series_rsvp_cancel, "$1::uuid, $2::uuid");

const char *series_rsvp_mode(struct valid *v, const json_t *body)
{
    return valid_enum(v, body, "mode", vocab_modes, true);
}

void series_rsvp_create(struct req *r)
{
    if (req_refuse_unverified(r)) /* an RSVP is mailed its confirmation */
        return;
    struct valid v;
    valid_init(&v, r->lang);
    const char *mode = series_rsvp_mode(&v, r->body);
    const char *params[] = {req_param(r, "id"), r->auth.account_id, mode};
    req_query_valid(r, &v, &series_stmt_rsvp_create, 3, params, req_done_sql);
}

void series_rsvp_cancel(struct req *r)
{
    const char *params[] = {req_param(r, "id"), r->auth.account_id};
    req_query(r, &series_stmt_rsvp_cancel, 2, params, req_done_sql);
}
