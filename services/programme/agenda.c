/* agenda.c — reservations for capacity-limited sessions (a guarded update
 * on sessions.reserved in programme_reserve, schema/functions/programme.sql)
 * and the personal agenda, read as the latest schedule release has the
 * sessions, in JSON or iCalendar. */
#include <stdlib.h>
#include <string.h>

#include "core/ics.h"
#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_reserve = {
    "programme_reserve",
    "SELECT problem, body, created FROM programme_reserve($1::uuid, $2::uuid)",
};

const struct db_stmt programme_stmt_unreserve = {
    "programme_unreserve",
    "SELECT problem, NULL::text FROM programme_unreserve($1::uuid, $2::uuid)",
};

const struct db_stmt programme_stmt_agenda = {
    "programme_agenda",
    "SELECT programme_agenda($1::uuid)::text",
};

const struct db_stmt programme_stmt_agenda_ics = {
    "programme_agenda_ics",
    "SELECT programme_agenda_ics($1::uuid)::text",
};

const struct db_stmt programme_stmt_agenda_put = {
    "programme_agenda_put",
    "SELECT problem, NULL::text FROM programme_agenda_put($1::uuid, $2::uuid)",
};

const struct db_stmt programme_stmt_agenda_delete = {
    "programme_agenda_delete",
    "DELETE FROM agenda_items WHERE account_id = $1::uuid AND session_id = $2::uuid",
};

/* 201 for a new reservation, 200 when the person had it already. */
static void reserve_done(struct req *r, enum db_status st, PGresult *res)
{
    bool created = st == DB_OK && PQntuples(res) == 1 && PQnfields(res) == 3 &&
                   !PQgetisnull(res, 0, 2) && strcmp(PQgetvalue(res, 0, 2), "t") == 0;
    programme_reply(r, st, res, created ? 201 : 200);
}

void programme_reserve(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    const char *params[] = {id, r->auth.account_id};
    req_query(r, &programme_stmt_reserve, 2, params, reserve_done);
}

void programme_unreserve(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    const char *params[] = {id, r->auth.account_id};
    req_query(r, &programme_stmt_unreserve, 2, params, programme_done_empty);
}

static void agenda_ics_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
        req_reply_db_error(r, st, res);
        return;
    }
    json_t *cal = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    size_t len = 0;
    char *text = cal != NULL ? ics_render(cal, &len) : NULL;
    json_decref(cal);
    if (text == NULL) {
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    req_reply_raw(r, 200, "text/calendar; charset=utf-8", text, len);
    free(text);
}

void programme_agenda(struct req *r)
{
    bool ics = r->out == OUT_ICS;
    const char *params[] = {r->auth.account_id};
    if (ics)
        req_query(r, &programme_stmt_agenda_ics, 1, params, agenda_ics_done);
    else
        req_query(r, &programme_stmt_agenda, 1, params, req_done_row);
}

void programme_agenda_put(struct req *r)
{
    const char *id = req_param(r, "session_id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    const char *params[] = {id, r->auth.account_id};
    req_query(r, &programme_stmt_agenda_put, 2, params, programme_done_empty);
}

void programme_agenda_delete(struct req *r)
{
    const char *id = req_param(r, "session_id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    const char *params[] = {r->auth.account_id, id};
    req_query(r, &programme_stmt_agenda_delete, 2, params, req_done_empty);
}
