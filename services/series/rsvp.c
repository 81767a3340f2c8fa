/* rsvp.c — POST/DELETE /v1/series-events/{id}/rsvp: a place in one
 * attendance mode, taken by series_rsvp() in SQL with a guarded update. */
#include "core/req.h"
#include "series/series.h"

static const char *const rsvp_modes[] = {"in_person", "online", NULL};

const struct db_stmt series_stmt_rsvp = {
    "series_rsvp",
    "SELECT problem, body, status FROM series_rsvp($1::uuid, $2::uuid, $3)",
};

const struct db_stmt series_stmt_rsvp_delete = {
    "series_rsvp_delete",
    "SELECT problem, body, status FROM series_rsvp_cancel($1::uuid, $2::uuid)",
};

void series_rsvp_create(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    const char *mode = valid_enum(&v, r->body, "mode", rsvp_modes, true);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {id, r->auth.account_id, mode};
    req_query(r, &series_stmt_rsvp, 3, params, series_done);
}

void series_rsvp_delete(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    const char *params[] = {id, r->auth.account_id};
    req_query(r, &series_stmt_rsvp_delete, 2, params, series_done);
}
