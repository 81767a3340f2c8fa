/* events.c — the events of the series: create (one, or every occurrence
 * of a rule), list (JSON or iCalendar), read, change and cancel. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ics.h"
#include "core/req.h"
#include "series/series.h"

const struct db_stmt series_stmt_create = {
    "series_create",
    "SELECT problem, body, status FROM series_event_create($1, $2::jsonb, $3::uuid)",
};

/* One page ordered by (starts_at, id); the cursor is the last event's id.
 * No row when the edition does not exist or is a draft the caller may not
 * see. $2 viewer, $3 organizer, $4 cursor, $5 limit. */
const struct db_stmt series_stmt_list = {
    "series_list",
    "WITH e AS (SELECT id FROM editions WHERE slug = $1 AND ($3::boolean OR status <> 'draft')),"
    " page AS (SELECT ev, ev.id, row_number() OVER (ORDER BY ev.starts_at, ev.id) AS rn"
    "   FROM series_events ev, e WHERE ev.edition_id = e.id"
    "    AND ($4::uuid IS NULL OR (ev.starts_at, ev.id) >"
    "         (SELECT k.starts_at, k.id FROM series_events k WHERE k.id = $4::uuid))"
    "  ORDER BY ev.starts_at, ev.id LIMIT $5::int + 1)"
    " SELECT (SELECT row_to_json(x)::text FROM ("
    "   SELECT coalesce(json_agg(series_event_json(p.ev, $2::uuid, $3::boolean) ORDER BY p.rn)"
    "                   FILTER (WHERE p.rn <= $5::int), '[]') AS items,"
    "          CASE WHEN max(p.rn) > $5::int"
    "               THEN (max(p.id::text) FILTER (WHERE p.rn = $5::int)) END AS next_cursor"
    "     FROM page p) x) FROM e",
};

/* The calendar object of services/core/ics.h, every event of the edition. */
const struct db_stmt series_stmt_list_ics = {
    "series_list_ics",
    "SELECT jsonb_build_object('name', 'Rumbo al ' || e.title, 'timezone', e.timezone,"
    "  'events', coalesce((SELECT jsonb_agg(series_event_ics(ev, $2::uuid, $3::boolean)"
    "                                       ORDER BY ev.starts_at, ev.id)"
    "                        FROM series_events ev WHERE ev.edition_id = e.id), '[]'))::text"
    "  FROM editions e WHERE e.slug = $1 AND ($3::boolean OR e.status <> 'draft')",
};

const struct db_stmt series_stmt_recurring = {
    "series_recurring",
    "SELECT problem, body, status FROM series_event_recurring($1, $2::jsonb, $3, $4::int,"
    " $5::int, $6::int, $7::int, $8::date, $9::uuid)",
};

const struct db_stmt series_stmt_get = {
    "series_get",
    "SELECT series_event_json(ev, $2::uuid, $3::boolean)::text"
    "  FROM series_event_visible($1::uuid, $3::boolean) ev WHERE ev.id IS NOT NULL",
};

const struct db_stmt series_stmt_patch = {
    "series_patch",
    "SELECT problem, body, status FROM series_event_patch($1::uuid, $2::jsonb, $3::uuid)",
};

const struct db_stmt series_stmt_cancel = {
    "series_cancel",
    "SELECT problem, body, status FROM series_event_cancel($1::uuid)",
};

/* The JSON text handed to a statement, freed with the request. */
static bool keep_text(struct req *r, json_t *obj, char **out)
{
    *out = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (*out == NULL) {
        req_reply_unavailable(r);
        return false;
    }
    r->data = *out;
    r->data_free = free;
    return true;
}

void series_event_create(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_t *ev = series_event_fields(&v, r->body, "", true);
    if (ev == NULL) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    char *text;
    if (!keep_text(r, ev, &text))
        return;
    const char *params[] = {req_param(r, "slug"), text, r->auth.account_id};
    req_query(r, &series_stmt_create, 3, params, series_done);
}

static void ics_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
        if (st == DB_OK)
            req_reply_problem(r, "not-found", NULL);
        else
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
    req_add_header(r, "Content-Disposition", "inline; filename=\"rumbo-al-gess.ics\"");
    req_reply_raw(r, 200, "text/calendar; charset=utf-8", text, len);
    free(text);
}

struct list {
    char limit[16];
};

void series_event_list(struct req *r)
{
    struct list *l = calloc(1, sizeof *l);
    if (l == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = l;
    r->data_free = free;
    struct valid v;
    valid_init(&v, r->lang);
    bool ics = r->out == OUT_ICS;
    snprintf(l->limit, sizeof l->limit, "%d", req_page_limit(r, &v));
    const char *cursor = req_query_param(r, "cursor");
    if (cursor != NULL && !valid_uuid(cursor))
        valid_fail(&v, "cursor", MSG_UUID, 0, NULL);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *org = req_is_organizer(r) ? "true" : "false";
    if (ics) {
        const char *params[] = {req_param(r, "slug"), series_viewer(r), org};
        req_query(r, &series_stmt_list_ics, 3, params, ics_done);
        return;
    }
    const char *params[] = {req_param(r, "slug"), series_viewer(r), org, cursor, l->limit};
    req_query(r, &series_stmt_list, 5, params, req_done_row);
}

/* rule: {freq: monthly|weekly, interval?: 1..12, by_weekday?: MO..SU,
 * by_setpos?: 1..4|-1 (monthly, with by_weekday), count: 1..52 | until:
 * YYYY-MM-DD (local date, inclusive)}. Fills params[2..7] (numbers written
 * into nums, which outlives the query). */
static void rule_fields(struct valid *v, const json_t *rule, const char *params[9],
                        char nums[4][16])
{
    static const char *const freqs[] = {"monthly", "weekly", NULL};
    static const char *const days[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU", NULL};
    if (rule == NULL || json_is_null(rule)) {
        valid_fail(v, "rule", MSG_REQUIRED, 0, NULL);
        return;
    }
    if (!json_is_object(rule)) {
        valid_fail(v, "rule", MSG_NOT_OBJECT, 0, NULL);
        return;
    }
    struct valid inner;
    valid_init(&inner, v->lang);
    params[2] = valid_enum(&inner, rule, "freq", freqs, true);
    long long interval = 1, setpos = 0, count = 0;
    (void)valid_int(&inner, rule, "interval", 1, 12, false, &interval);
    snprintf(nums[0], 16, "%lld", interval);
    params[3] = nums[0];
    const char *day = valid_enum(&inner, rule, "by_weekday", days, false);
    if (day != NULL) {
        int k = 0;
        while (strcmp(days[k], day) != 0)
            k++;
        snprintf(nums[1], 16, "%d", k + 1);
        params[4] = nums[1];
    }
    json_t *sp = json_object_get(rule, "by_setpos");
    if (sp != NULL && !json_is_null(sp)) {
        if (!json_is_integer(sp) || json_integer_value(sp) < -1 || json_integer_value(sp) > 4 ||
            json_integer_value(sp) == 0) {
            valid_fail(&inner, "by_setpos", MSG_ONE_OF, 0, "1, 2, 3, 4, -1");
        } else {
            setpos = json_integer_value(sp);
            snprintf(nums[2], 16, "%lld", setpos);
            params[5] = nums[2];
        }
    }
    bool monthly = params[2] != NULL && strcmp(params[2], "monthly") == 0;
    bool weekly = params[2] != NULL && strcmp(params[2], "weekly") == 0;
    if (weekly && params[5] != NULL)
        valid_fail(&inner, "by_setpos", MSG_EMPTY, 0, NULL); /* no meaning for weeks */
    if (monthly && day != NULL && (sp == NULL || json_is_null(sp)))
        valid_fail(&inner, "by_setpos", MSG_REQUIRED, 0, NULL);
    if (monthly && day == NULL && params[5] != NULL && json_object_get(rule, "by_weekday") == NULL)
        valid_fail(&inner, "by_weekday", MSG_REQUIRED, 0, NULL);
    if (valid_int(&inner, rule, "count", 1, 52, false, &count)) {
        snprintf(nums[3], 16, "%lld", count);
        params[6] = nums[3];
    }
    const char *until = valid_date(&inner, rule, "until", false);
    json_t *cj = json_object_get(rule, "count"), *uj = json_object_get(rule, "until");
    bool count_given = cj != NULL && !json_is_null(cj);
    bool until_given = uj != NULL && !json_is_null(uj);
    if (!count_given && !until_given)
        valid_fail(&inner, "count", MSG_REQUIRED, 0, NULL);
    else if (count_given && until_given)
        valid_fail(&inner, "until", MSG_EMPTY, 0, NULL); /* one or the other */
    params[7] = until;
    size_t i;
    json_t *err;
    json_array_foreach(inner.errors, i, err) {
        char name[64];
        snprintf(name, sizeof name, "rule.%s", json_string_value(json_object_get(err, "field")));
        json_t *copy = json_copy(err);
        json_object_set_new(copy, "field", json_string(name));
        json_array_append_new(v->errors, copy);
    }
    valid_free(&inner);
}

struct recurring {
    char *event;
    char nums[4][16];
};

static void recurring_free(void *p)
{
    struct recurring *c = p;
    free(c->event);
    free(c);
}

void series_event_recurring(struct req *r)
{
    struct recurring *c = calloc(1, sizeof *c);
    if (c == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = c;
    r->data_free = recurring_free;
    struct valid v;
    valid_init(&v, r->lang);
    const char *params[9] = {NULL};
    json_t *ev = series_event_fields(&v, json_object_get(r->body, "event"), "event.", true);
    rule_fields(&v, json_object_get(r->body, "rule"), params, c->nums);
    if (!valid_ok(&v) || ev == NULL) {
        json_decref(ev);
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    c->event = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    if (c->event == NULL) {
        req_reply_unavailable(r);
        return;
    }
    params[0] = req_param(r, "slug");
    params[1] = c->event;
    params[8] = r->auth.account_id;
    req_query(r, &series_stmt_recurring, 9, params, series_done);
}

/* The {id} of the path, or NULL after answering 404 for a malformed one. */
static const char *event_id(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return NULL;
    }
    return id;
}

void series_event_get(struct req *r)
{
    const char *id = event_id(r);
    if (id == NULL)
        return;
    const char *params[] = {id, series_viewer(r), req_is_organizer(r) ? "true" : "false"};
    req_query(r, &series_stmt_get, 3, params, req_done_row);
}

void series_event_patch(struct req *r)
{
    const char *id = event_id(r);
    if (id == NULL)
        return;
    struct valid v;
    valid_init(&v, r->lang);
    json_t *ev = series_event_fields(&v, r->body, "", false);
    if (ev == NULL) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    char *text;
    if (!keep_text(r, ev, &text))
        return;
    const char *params[] = {id, text, r->auth.account_id};
    req_query(r, &series_stmt_patch, 3, params, series_done);
}

void series_event_cancel(struct req *r)
{
    const char *id = event_id(r);
    if (id == NULL)
        return;
    const char *params[] = {id};
    req_query(r, &series_stmt_cancel, 1, params, series_done);
}
