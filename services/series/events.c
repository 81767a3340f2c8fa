/* events.c — the events of the series: create (one, or every occurrence
 * of a rule), list (JSON or iCalendar), read, change and cancel, and the
 * checks of an event's body they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "core/vocab.h"
#include "series/series.h"

const struct db_stmt series_stmt_event_create =
    DB_ANSWER(series_event_create, "$1, $2::jsonb, $3::uuid");

const struct db_stmt series_stmt_event_list =
    DB_ANSWER(series_event_list, "$1, $2::uuid, $3::boolean, $4::uuid, $5::int");

const struct db_stmt series_stmt_event_list_ics =
    DB_ANSWER(series_event_list_ics, "$1, $2::uuid, $3::boolean");

const struct db_stmt series_stmt_event_recurring =
    DB_ANSWER(series_event_recurring,
              "$1, $2::jsonb, $3, $4::int, $5::int, $6::int, $7::int, $8::date, $9::uuid");

const struct db_stmt series_stmt_event_get =
    DB_ANSWER(series_event_get, "$1::uuid, $2::uuid, $3::boolean");

const struct db_stmt series_stmt_event_patch =
    DB_ANSWER(series_event_patch, "$1::uuid, $2::jsonb, $3::uuid");

const struct db_stmt series_stmt_event_cancel = DB_ANSWER(series_event_cancel, "$1::uuid");

static const char *const kinds[] = {"webinar", "workshop",   "site_visit",
                                    "meeting", "roundtable", NULL};

/* Moves inner's errors into v, each field named with prefix ("event.",
 * "rule."); a field "" (the object itself) is the prefix without its
 * dot. Frees inner. */
static void merge_prefixed(struct valid *v, struct valid *inner, const char *prefix)
{
    size_t i;
    json_t *err;
    json_array_foreach(inner->errors, i, err) {
        const char *f = json_string_value(json_object_get(err, "field"));
        char name[96];
        snprintf(name, sizeof name, "%.*s%s", f[0] == '\0' ? (int)strlen(prefix) - 1 : 64, prefix,
                 f);
        json_t *copy = json_copy(err);
        json_object_set_new(copy, "field", json_string(name));
        json_array_append_new(v->errors, copy);
    }
    valid_free(inner);
}

/* A partner organization's name: 1..200 characters, not only spaces,
 * on one line. */
static bool partner_ok(struct valid *v, const char *name, const json_t *item, const void *arg)
{
    (void)arg;
    const char *s = json_string_value(item);
    size_t n = s != NULL ? valid_utf8_chars(s) : 0;
    if (s == NULL)
        valid_fail(v, name, MSG_NOT_STRING, 0, NULL);
    else if (n == 0 || strspn(s, " ") == strlen(s))
        valid_fail(v, name, MSG_EMPTY, 0, NULL);
    else if (n > 200)
        valid_fail(v, name, MSG_TOO_LONG, 200, NULL);
    else if (strpbrk(s, "\t\r\n") != NULL)
        valid_fail(v, name, MSG_CONTROL_CHARS, 0, NULL);
    else
        return true;
    return false;
}

/* partner_organizations: up to 20 distinct names; null clears them. */
static void partners(struct valid *v, const json_t *b, json_t *out)
{
    if (json_is_null(json_object_get(b, "partner_organizations"))) {
        json_object_set_new(out, "partner_organizations", json_array());
        return;
    }
    json_t *arr = valid_array(v, b, "partner_organizations", 20, false, partner_ok, NULL);
    if (arr != NULL)
        json_object_set(out, "partner_organizations", arr);
}

/* The modes an event of a format offers, as the message of a mismatch. */
static const char *modes_for(const char *format)
{
    if (format == NULL)
        return NULL;
    if (strcmp(format, "online") == 0)
        return "online";
    if (strcmp(format, "in_person") == 0)
        return "in_person";
    return "in_person, online";
}

/* modes: {in_person?: int|null, online?: int|null}; when format is known,
 * exactly the keys it needs (online → online, in_person → in_person,
 * hybrid → both). */
static void modes(struct valid *v, const json_t *b, const char *format, bool required, json_t *out)
{
    json_t *m = json_object_get(b, "modes");
    if (m == NULL || json_is_null(m)) {
        if (required || m != NULL)
            valid_fail(v, "modes", MSG_REQUIRED, 0, NULL);
        return;
    }
    if (!json_is_object(m)) {
        valid_fail(v, "modes", MSG_NOT_OBJECT, 0, NULL);
        return;
    }
    const char *want = modes_for(format);
    bool ok = true;
    const char *key;
    json_t *val;
    json_object_foreach(m, key, val) {
        char name[48];
        snprintf(name, sizeof name, "modes.%.30s", key);
        bool known = false;
        for (const char *const *k = vocab_modes; *k != NULL && !known; k++)
            known = strcmp(*k, key) == 0;
        if (!known || (want != NULL && strstr(want, key) == NULL)) {
            valid_fail(v, name, MSG_ONE_OF, 0, want != NULL ? want : "in_person, online");
            ok = false;
        } else if (!json_is_null(val) && (!json_is_integer(val) || json_integer_value(val) < 0 ||
                                          json_integer_value(val) > 1000000)) {
            valid_fail(v, name, MSG_RANGE, 0, "0 to 1000000, or null for unlimited");
            ok = false;
        }
    }
    if (json_object_size(m) == 0) {
        valid_fail(v, "modes", MSG_EMPTY, 0, NULL);
        ok = false;
    }
    if (want != NULL) {
        for (const char *const *k = vocab_modes; *k != NULL; k++)
            if (strstr(want, *k) != NULL && json_object_get(m, *k) == NULL) {
                char name[48];
                snprintf(name, sizeof name, "modes.%s", *k);
                valid_fail(v, name, MSG_REQUIRED, 0, NULL);
                ok = false;
            }
    }
    if (ok)
        json_object_set(out, "modes", m);
}

json_t *series_event_fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    valid_text_into(v, b, out, "title", 1, 200, create, VALID_NULL_REFUSED);
    valid_long_text_into(v, b, out, "description", 5000, true);
    const char *kind = valid_enum(v, b, "kind", kinds, create);
    if (kind != NULL)
        json_object_set_new(out, "kind", json_string(kind));
    else if (!create && json_is_null(json_object_get(b, "kind")))
        valid_fail(v, "kind", MSG_EMPTY, 0, NULL);
    const char *format = valid_enum(v, b, "format", vocab_formats, create);
    if (format != NULL)
        json_object_set_new(out, "format", json_string(format));
    else if (!create && json_is_null(json_object_get(b, "format")))
        valid_fail(v, "format", MSG_EMPTY, 0, NULL);
    double starts = 0, ends = 0;
    const char *s = valid_instant(v, b, "starts_at", create, &starts);
    const char *e = valid_instant(v, b, "ends_at", create, &ends);
    if (!create) {
        if (json_is_null(json_object_get(b, "starts_at")))
            valid_fail(v, "starts_at", MSG_EMPTY, 0, NULL);
        if (json_is_null(json_object_get(b, "ends_at")))
            valid_fail(v, "ends_at", MSG_EMPTY, 0, NULL);
    }
    if (s != NULL)
        json_object_set_new(out, "starts_at", json_string(s));
    if (e != NULL)
        json_object_set_new(out, "ends_at", json_string(e));
    if (s != NULL && e != NULL && ends <= starts)
        valid_fail(v, "ends_at", MSG_AFTER, 0, "starts_at");
    /* A place to go is what an in-person event cannot do without. */
    bool needs_place = create && format != NULL && strcmp(format, "online") != 0;
    valid_text_into(v, b, out, "location", needs_place ? 1 : 0, 300, needs_place,
                    needs_place ? VALID_NULL_REFUSED : VALID_NULL_CLEARS);
    valid_url_into(v, b, out, "online_url", 500, VALID_NULL_CLEARS);
    modes(v, b, format, create, out);
    valid_text_into(v, b, out, "theme", 0, 200, false, VALID_NULL_CLEARS);
    partners(v, b, out);
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Validates the fields of an event body b (all of them on create, those
 * present on a PATCH), naming errors with prefix ("" or "event."). Returns
 * the checked fields as a new JSON object for the SQL functions, or NULL
 * when some failed, b is no object or memory ran out. */
static json_t *event_fields(struct valid *v, const json_t *b, const char *prefix, bool create)
{
    if (prefix[0] == '\0')
        return series_event_fields(v, b, create);
    /* Checked on their own, then named with the prefix ("event.title"). */
    struct valid inner;
    valid_init(&inner, v->lang);
    json_t *out = NULL;
    if (!json_is_object(b))
        valid_fail(&inner, "", b == NULL || json_is_null(b) ? MSG_REQUIRED : MSG_NOT_OBJECT, 0,
                   NULL);
    else
        out = series_event_fields(&inner, b, create);
    merge_prefixed(v, &inner, prefix);
    return out;
}

/* Checks an event body (all fields on create, those present on a PATCH)
 * and runs stmt with (first, the checked fields as JSON, the caller). */
static void event_write(struct req *r, const struct db_stmt *stmt, const char *first, bool create)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, event_fields(&v, r->body, "", create), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {first, text, r->auth.account_id};
    req_query(r, stmt, 3, params, req_done_sql);
    free(text); /* db_pool copied it */
}

void series_event_create(struct req *r)
{
    event_write(r, &series_stmt_event_create, req_param(r, "slug"), true);
}

static void list_ics_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_sql_succeeded(st, res)) {
        req_done_sql(r, st, res);
        return;
    }
    req_reply_ics(r, req_sql_body(res), "rumbo-al-gess.ics");
}

void series_event_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    if (!req_valid_ok(r, &v))
        return;
    const char *org = req_sql_bool(req_is_organizer(r));
    if (r->out == OUT_ICS) {
        const char *params[] = {req_param(r, "slug"), req_viewer(r), org};
        req_query(r, &series_stmt_event_list_ics, 3, params, list_ics_done);
        return;
    }
    const char *params[] = {req_param(r, "slug"), req_viewer(r), org, page.cursor, page.limit_text};
    req_query(r, &series_stmt_event_list, 5, params, req_done_sql);
}

/* rule: {freq: monthly|weekly, interval?: 1..12, by_weekday?: MO..SU,
 * by_setpos?: 1..4|-1 (monthly, with by_weekday), count: 1..52 | until:
 * YYYY-MM-DD (local date, inclusive)}. Fills params[2..7] (numbers written
 * into nums). */
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
    merge_prefixed(v, &inner, "rule.");
}

void series_event_recurring(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *params[9] = {NULL};
    char nums[4][16];
    json_t *ev = event_fields(&v, json_object_get(r->body, "event"), "event.", true);
    rule_fields(&v, json_object_get(r->body, "rule"), params, nums);
    char *text = req_valid_json(r, &v, ev, JSON_COMPACT);
    if (text == NULL)
        return;
    params[0] = req_param(r, "slug");
    params[1] = text;
    params[8] = r->auth.account_id;
    req_query(r, &series_stmt_event_recurring, 9, params, req_done_sql);
    free(text); /* db_pool copied it */
}

void series_event_get(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_organizer(r))};
    req_query(r, &series_stmt_event_get, 3, params, req_done_sql);
}

void series_event_patch(struct req *r)
{
    event_write(r, &series_stmt_event_patch, req_param(r, "id"), false);
}

void series_event_cancel(struct req *r)
{
    const char *params[] = {req_param(r, "id")};
    req_query(r, &series_stmt_event_cancel, 1, params, req_done_sql);
}
