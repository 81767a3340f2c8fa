/* attendance.c — who came to a series event (recorded by organizers, by
 * account or by congress badge) and the edition's participation report. */
#include <string.h>

#include "core/req.h"
#include "series/series.h"

static const char *const att_modes[] = {"in_person", "online", NULL};

const struct db_stmt series_stmt_attendance = {
    "series_attendance",
    "SELECT problem, body, status FROM series_attendance_record($1::uuid, $2::uuid, $3, $4,"
    " $5::uuid)",
};

const struct db_stmt series_stmt_attendance_list = {
    "series_attendance_list",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT ev.id AS event_id, ev.title, ev.starts_at, ev.status,"
    "         (SELECT count(*) FROM series_rsvps s WHERE s.event_id = ev.id) AS rsvps,"
    "         (SELECT json_build_object('total', count(*),"
    "                 'in_person', count(*) FILTER (WHERE a.mode = 'in_person'),"
    "                 'online', count(*) FILTER (WHERE a.mode = 'online'))"
    "            FROM series_attendance a WHERE a.event_id = ev.id) AS counts,"
    "         (SELECT coalesce(json_agg(series_attendance_json(a)"
    "                                   ORDER BY a.recorded_at, a.account_id), '[]')"
    "            FROM series_attendance a WHERE a.event_id = ev.id) AS items"
    "    FROM series_events ev WHERE ev.id = $1::uuid) x",
};

/* Per person: how many events of the edition (not cancelled) they came to
 * and which; per event: how many came. Most faithful first. */
const struct db_stmt series_stmt_participation = {
    "series_participation",
    "WITH e AS (SELECT id, slug FROM editions WHERE slug = $1),"
    " ev AS (SELECT s.* FROM series_events s, e WHERE s.edition_id = e.id"
    "         AND s.status <> 'cancelled'),"
    " att AS (SELECT a.account_id, a.mode, ev.id, ev.title, ev.starts_at"
    "           FROM series_attendance a JOIN ev ON ev.id = a.event_id),"
    " people AS (SELECT account_id, count(*) AS n,"
    "                   json_agg(json_build_object('id', id, 'title', title,"
    "                            'starts_at', starts_at, 'mode', mode)"
    "                            ORDER BY starts_at, id) AS events"
    "              FROM att GROUP BY account_id)"
    " SELECT row_to_json(x)::text FROM ("
    "  SELECT e.slug AS edition, (SELECT count(*) FROM ev) AS events,"
    "         (SELECT count(*) FROM people) AS people,"
    "         (SELECT count(*) FROM att) AS attendances,"
    "         (SELECT coalesce(json_agg(json_build_object('id', v.id, 'title', v.title,"
    "                  'starts_at', v.starts_at,"
    "                  'attended', (SELECT count(*) FROM att WHERE att.id = v.id))"
    "                  ORDER BY v.starts_at, v.id), '[]') FROM ev v) AS by_event,"
    "         (SELECT coalesce(json_agg(json_build_object("
    "                  'account', json_build_object('id', a.id, 'full_name', a.full_name,"
    "                             'organization', a.organization, 'sector', a.sector),"
    "                  'attended', p.n,"
    "                  'registered', EXISTS (SELECT 1 FROM registrations r"
    "                       WHERE r.edition_id = e.id AND r.account_id = a.id"
    "                         AND r.status NOT IN ('cancelled', 'rejected')),"
    "                  'events', p.events) ORDER BY p.n DESC, a.full_name, a.id), '[]')"
    "            FROM people p JOIN accounts a ON a.id = p.account_id) AS items"
    "    FROM e) x",
};

void series_attendance_create(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    const char *account = valid_string(&v, r->body, "account_id", 36, 36, false);
    if (account == NULL && json_is_string(json_object_get(r->body, "account_id")))
        account = ""; /* a wrong length was recorded above */
    else if (account != NULL && !valid_uuid(account))
        valid_fail(&v, "account_id", MSG_UUID, 0, NULL);
    const char *badge = valid_string(&v, r->body, "badge_code", 10, 10, false);
    if (badge != NULL && strspn(badge, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ") != 10)
        valid_fail(&v, "badge_code", MSG_CODE, 0, NULL);
    json_t *aj = json_object_get(r->body, "account_id"),
           *bj = json_object_get(r->body, "badge_code");
    bool has_account = aj != NULL && !json_is_null(aj), has_badge = bj != NULL && !json_is_null(bj);
    if (!has_account && !has_badge)
        valid_fail(&v, "account_id", MSG_REQUIRED, 0, NULL);
    else if (has_account && has_badge)
        valid_fail(&v, "badge_code", MSG_EMPTY, 0, NULL); /* one or the other */
    const char *mode = valid_enum(&v, r->body, "mode", att_modes, true);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {id, has_account ? account : NULL, has_badge ? badge : NULL, mode,
                            r->auth.account_id};
    req_query(r, &series_stmt_attendance, 5, params, series_done);
}

void series_attendance_list(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    const char *params[] = {id};
    req_query(r, &series_stmt_attendance_list, 1, params, req_done_row);
}

void series_participation(struct req *r)
{
    const char *params[] = {req_param(r, "slug")};
    req_query(r, &series_stmt_participation, 1, params, req_done_row);
}
