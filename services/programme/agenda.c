/* agenda.c — the personal agenda, read as the latest schedule release has
 * the sessions, in JSON or iCalendar. */
#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_agenda = DB_ANSWER(programme_agenda, "$1::uuid");

/* The same agenda as the calendar core/ics.h renders. */
const struct db_stmt programme_stmt_agenda_ics = DB_ANSWER(programme_agenda_ics, "$1::uuid");

const struct db_stmt programme_stmt_agenda_put =
    DB_ANSWER(programme_agenda_put, "$1::uuid, $2::uuid");

const struct db_stmt programme_stmt_agenda_delete =
    DB_ANSWER(programme_agenda_delete, "$1::uuid, $2::uuid");

static void agenda_ics_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_sql_succeeded(st, res)) {
        req_done_sql(r, st, res);
        return;
    }
    req_reply_ics(r, req_sql_body(res), NULL);
}

void programme_agenda(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    if (r->out == OUT_ICS)
        req_query(r, &programme_stmt_agenda_ics, 1, params, agenda_ics_done);
    else
        req_query(r, &programme_stmt_agenda, 1, params, req_done_sql);
}

/* PUT and DELETE of one session ({session_id}) in the caller's agenda. */
static void agenda_change(struct req *r, const struct db_stmt *stmt)
{
    const char *params[] = {req_param(r, "session_id"), r->auth.account_id};
    req_query(r, stmt, 2, params, req_done_sql);
}

void programme_agenda_put(struct req *r)
{
    agenda_change(r, &programme_stmt_agenda_put);
}

void programme_agenda_delete(struct req *r)
{
    agenda_change(r, &programme_stmt_agenda_delete);
}
