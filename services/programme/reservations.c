/* reservations.c — seats in capacity-limited sessions: a guarded update on
 * sessions.reserved in programme_reserve (schema/functions/programme.sql),
 * 201 for a new reservation, 200 for one the person had already. */
#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_reserve = DB_ANSWER(programme_reserve, "$1::uuid, $2::uuid");

const struct db_stmt programme_stmt_unreserve =
    DB_ANSWER(programme_unreserve, "$1::uuid, $2::uuid");

void programme_reserve(struct req *r)
{
    const char *params[] = {req_param(r, "id"), r->auth.account_id};
    req_query(r, &programme_stmt_reserve, 2, params, req_done_sql);
}

void programme_unreserve(struct req *r)
{
    const char *params[] = {req_param(r, "id"), r->auth.account_id};
    req_query(r, &programme_stmt_unreserve, 2, params, req_done_sql);
}
