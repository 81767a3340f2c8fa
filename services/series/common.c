/* common.c — what the series handlers share: checking an event body and
 * answering the (problem, body, status) rows of the series SQL functions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "series/series.h"

static const char *const kinds[] = {"webinar", "workshop",   "site_visit",
                                    "meeting", "roundtable", NULL};
static const char *const formats[] = {"online", "in_person", "hybrid", NULL};

const char *series_viewer(const struct req *r)
{
    return r->auth.ok ? r->auth.account_id : NULL;
}

/* An http(s) link without spaces or control characters. */
static bool url_ok(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    const char *host = strstr(s, "//") + 2;
    if (*host == '\0' || *host == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* partner_organizations: up to 20 distinct names of 1..200 characters. */
static void partners(struct valid *v, const json_t *b, json_t *out)
{
    json_t *arr = json_object_get(b, "partner_organizations");
    if (arr == NULL)
        return;
    if (json_is_null(arr)) {
        json_object_set_new(out, "partner_organizations", json_array());
        return;
    }
    if (!json_is_array(arr)) {
        valid_fail(v, "partner_organizations", MSG_NOT_ARRAY, 0, NULL);
        return;
    }
    if (json_array_size(arr) > 20) {
        valid_fail(v, "partner_organizations", MSG_RANGE, 0, "0 to 20 items");
        return;
    }
    bool ok = true;
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        char name[48];
        snprintf(name, sizeof name, "partner_organizations[%zu]", i);
        const char *s = json_string_value(item);
        size_t n = s != NULL ? valid_utf8_chars(s) : 0;
        if (s == NULL) {
            valid_fail(v, name, MSG_NOT_STRING, 0, NULL);
        } else if (n == 0 || strspn(s, " ") == strlen(s)) {
            valid_fail(v, name, MSG_EMPTY, 0, NULL);
        } else if (n > 200) {
            valid_fail(v, name, MSG_TOO_LONG, 200, NULL);
        } else if (strpbrk(s, "\t\r\n") != NULL) {
            valid_fail(v, name, MSG_CONTROL_CHARS, 0, NULL);
        } else {
            bool dup = false;
            for (size_t j = 0; j < i && !dup; j++)
                dup = json_equal(json_array_get(arr, j), item);
            if (dup)
                valid_fail(v, name, MSG_DUPLICATE, 0, NULL);
            else
                continue;
        }
        ok = false;
    }
    if (ok)
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
        bool known = strcmp(key, "in_person") == 0 || strcmp(key, "online") == 0;
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
        static const char *const both[] = {"in_person", "online"};
        for (int i = 0; i < 2; i++)
            if (strstr(want, both[i]) != NULL && json_object_get(m, both[i]) == NULL) {
                char name[48];
                snprintf(name, sizeof name, "modes.%s", both[i]);
                valid_fail(v, name, MSG_REQUIRED, 0, NULL);
                ok = false;
            }
    }
    if (ok)
        json_object_set(out, "modes", m);
}

/* A text field into out; on PATCH a null clears it (clearable) or fails. */
static void text(struct valid *v, const json_t *b, json_t *out, const char *field, size_t min,
                 size_t max, bool required, bool clearable)
{
    json_t *j = json_object_get(b, field);
    if (j != NULL && json_is_null(j) && !required) {
        if (clearable)
            json_object_set_new(out, field, json_string(""));
        else
            valid_fail(v, field, MSG_EMPTY, 0, NULL);
        return;
    }
    const char *s = valid_string(v, b, field, min, max, required);
    if (s != NULL)
        json_object_set_new(out, field, json_string(s));
}
static json_t *fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    text(v, b, out, "title", 1, 200, create, false);
    valid_long_text_into(v, b, out, "description", 5000, true);
    const char *kind = valid_enum(v, b, "kind", kinds, create);
    if (kind != NULL)
        json_object_set_new(out, "kind", json_string(kind));
    else if (!create && json_is_null(json_object_get(b, "kind")))
        valid_fail(v, "kind", MSG_EMPTY, 0, NULL);
    const char *format = valid_enum(v, b, "format", formats, create);
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
    text(v, b, out, "location", needs_place ? 1 : 0, 300, needs_place, true);
    json_t *url = json_object_get(b, "online_url");
    if (url != NULL && json_is_null(url)) {
        json_object_set_new(out, "online_url", json_string(""));
    } else {
        const char *u = valid_string(v, b, "online_url", 1, 500, false);
        if (u != NULL && !url_ok(u))
            valid_fail(v, "online_url", MSG_ONE_OF, 0, "an http:// or https:// link");
        else if (u != NULL)
            json_object_set_new(out, "online_url", json_string(u));
    }
    modes(v, b, format, create, out);
    text(v, b, out, "theme", 0, 200, false, true);
    partners(v, b, out);
    return out;
}

json_t *series_event_fields(struct valid *v, const json_t *b, const char *prefix, bool create)
{
    if (prefix[0] == '\0') {
        json_t *out = fields(v, b, create);
        if (!valid_ok(v)) {
            json_decref(out);
            return NULL;
        }
        return out;
    }
    /* Checked on their own, then named with the prefix ("event.title"). */
    struct valid inner;
    valid_init(&inner, v->lang);
    json_t *out = NULL;
    if (!json_is_object(b)) {
        valid_fail(&inner, "", b == NULL || json_is_null(b) ? MSG_REQUIRED : MSG_NOT_OBJECT, 0,
                   NULL);
    } else {
        out = fields(&inner, b, create);
    }
    size_t i;
    json_t *err;
    json_array_foreach(inner.errors, i, err) {
        const char *f = json_string_value(json_object_get(err, "field"));
        char name[96];
        snprintf(name, sizeof name, "%.*s%s", f[0] == '\0' ? (int)strlen(prefix) - 1 : 64, prefix,
                 f);
        json_t *copy = json_copy(err);
        json_object_set_new(copy, "field", json_string(name));
        json_array_append_new(v->errors, copy);
    }
    bool ok = valid_ok(&inner);
    valid_free(&inner);
    if (!ok || out == NULL) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* SQL's validation codes, worded in the caller's language. */
static void reply_sql_errors(struct req *r, const char *body)
{
    static const struct {
        const char *code;
        enum valid_msg msg;
    } map[] = {
        {"unknown", MSG_UNKNOWN}, {"one_of", MSG_ONE_OF},     {"range", MSG_RANGE},
        {"after", MSG_AFTER},     {"required", MSG_REQUIRED}, {"not_before", MSG_NOT_BEFORE},
    };
    struct valid v;
    valid_init(&v, r->lang);
    json_t *doc = json_loads(body, 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "errors"), i, e) {
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *field = json_string_value(json_object_get(e, "field"));
        for (size_t k = 0; code != NULL && field != NULL && k < sizeof map / sizeof map[0]; k++)
            if (strcmp(map[k].code, code) == 0)
                valid_fail(&v, field, map[k].msg, 0, json_string_value(json_object_get(e, "s")));
    }
    json_decref(doc);
    if (valid_ok(&v)) /* a code this file does not know: still a 422 */
        valid_fail(&v, "body", MSG_UNKNOWN, 0, NULL);
    req_reply_invalid(r, &v);
}

void series_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_OK && PQntuples(res) == 1 && PQnfields(res) == 3 && !PQgetisnull(res, 0, 0) &&
        strcmp(PQgetvalue(res, 0, 0), "validation-failed") == 0) {
        reply_sql_errors(r, PQgetisnull(res, 0, 1) ? "{}" : PQgetvalue(res, 0, 1));
        return;
    }
    int status = 200;
    if (st == DB_OK && PQntuples(res) == 1 && PQnfields(res) == 3 && !PQgetisnull(res, 0, 2))
        status = atoi(PQgetvalue(res, 0, 2));
    req_reply_outcome(r, st, res, status);
}
