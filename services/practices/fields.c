/* fields.c — the practice body (DESIGN.md §6): what gessd checks itself
 * before SQL sees it. SQL checks what needs the database (a theme of the
 * list, a territory's department, the ids it names) and, on a PATCH, the
 * merged case (a lesson's what_did_not). */
#include <stdio.h>
#include <string.h>

#include "core/vocab.h"
#include "practices/practices.h"

static const char *const kinds[] = {"practice", "lesson", NULL};
static const char *const stages[] = {"exploration",  "construction",   "operation", "closure",
                                     "post_closure", "not_applicable", NULL};
static const char *const languages[] = {"es", "en", NULL};
static const char *const long_texts[] = {"context",       "challenges", "what_worked",
                                         "what_did_not",  "results",    "enabling_factors",
                                         "replicability", NULL};

/* A territory: an INEI UBIGEO code (2, 4 or 6 digits: department, province,
 * district) or an ISO 3166-1 alpha-2 country other than Peru. */
bool practices_territory_ok(const char *s)
{
    size_t n = strlen(s), digits = strspn(s, "0123456789");
    if (digits == n)
        return n == 2 || n == 4 || n == 6;
    return vocab_country_ok(s) && strcmp(s, "PE") != 0;
}

static bool item_territory(struct valid *v, const char *name, const json_t *it, const void *arg)
{
    (void)arg;
    if (!json_is_string(it)) {
        valid_fail(v, name, MSG_NOT_STRING, 0, NULL);
        return false;
    }
    if (!practices_territory_ok(json_string_value(it))) {
        valid_fail(v, name, MSG_TERRITORY, 0, NULL);
        return false;
    }
    return true;
}

static bool item_code(struct valid *v, const char *name, const json_t *it, const void *arg)
{
    (void)arg;
    if (!json_is_string(it)) {
        valid_fail(v, name, MSG_NOT_STRING, 0, NULL);
        return false;
    }
    const char *s = json_string_value(it);
    if (strlen(s) < 1 || strlen(s) > 40) {
        valid_fail(v, name, MSG_NO_THEME, 0, NULL);
        return false;
    }
    return true;
}

static bool item_sdg(struct valid *v, const char *name, const json_t *it, const void *arg)
{
    (void)arg;
    if (!json_is_integer(it) || json_integer_value(it) < 1 || json_integer_value(it) > 17) {
        valid_fail(v, name, MSG_RANGE, 0, "1 to 17");
        return false;
    }
    return true;
}

/* A text member of an array item, named "field[i].member". */
static bool item_text(struct valid *v, const char *name, const json_t *it, const char *member,
                      size_t max, bool required)
{
    char full[160];
    snprintf(full, sizeof full, "%s.%s", name, member);
    const json_t *j = json_object_get(it, member);
    if (j == NULL || json_is_null(j)) {
        if (required)
            valid_fail(v, full, MSG_REQUIRED, 0, NULL);
        return !required;
    }
    struct valid one;
    valid_init(&one, v->lang);
    const char *s = valid_long_text(&one, it, member, required ? 1 : 0, max, required);
    bool ok = valid_ok(&one);
    if (!ok) {
        json_t *e = json_array_get(one.errors, 0);
        json_t *copy =
            json_pack("{s:s, s:O}", "field", full, "message", json_object_get(e, "message"));
        if (copy != NULL)
            json_array_append_new(v->errors, copy);
    } else if (required && s != NULL && strspn(s, " \t\r\n") == strlen(s)) {
        valid_fail(v, full, MSG_EMPTY, 0, NULL);
        ok = false;
    }
    valid_free(&one);
    return ok;
}

static bool item_link(struct valid *v, const char *name, const json_t *it, const void *arg)
{
    (void)arg;
    if (!json_is_object(it)) {
        valid_fail(v, name, MSG_NOT_OBJECT, 0, NULL);
        return false;
    }
    bool ok = item_text(v, name, it, "title", 200, true);
    char full[160];
    snprintf(full, sizeof full, "%s.url", name);
    const json_t *u = json_object_get(it, "url");
    if (u == NULL || json_is_null(u)) {
        valid_fail(v, full, MSG_REQUIRED, 0, NULL);
        ok = false;
    } else if (!json_is_string(u) || strlen(json_string_value(u)) > 500 ||
               !valid_url_text(json_string_value(u))) {
        valid_fail(v, full, MSG_URL, 0, NULL);
        ok = false;
    }
    return ok;
}

static bool item_block(struct valid *v, const char *name, const json_t *it, const void *arg)
{
    (void)arg;
    if (!json_is_object(it)) {
        valid_fail(v, name, MSG_NOT_OBJECT, 0, NULL);
        return false;
    }
    bool ok = item_text(v, name, it, "title", 200, true);
    ok = item_text(v, name, it, "description", 5000, false) && ok;
    ok = item_text(v, name, it, "enabling_factors", 5000, false) && ok;
    ok = item_text(v, name, it, "lessons", 5000, false) && ok;
    return ok;
}

/* An array member copied into out when valid; null on a PATCH clears it. */
/* Objects of an array with only the members they take (NULL-terminated
 * keys): like the body's own unknown members, others are left out, so
 * nothing unchecked is stored and shown. NULL when out of memory. */
static json_t *only_members(const json_t *arr, const char *const *keys)
{
    json_t *clean = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it) {
        json_t *o = json_object();
        for (const char *const *k = keys; o != NULL && *k != NULL; k++) {
            json_t *m = json_object_get(it, *k);
            if (m != NULL)
                json_object_set(o, *k, m);
        }
        if (o == NULL || json_array_append_new(clean, o) != 0) {
            json_decref(clean);
            return NULL;
        }
    }
    return clean;
}

static const char *const link_members[] = {"title", "url", NULL};
static const char *const block_members[] = {"title", "description", "enabling_factors", "lessons",
                                            NULL};

static void array_into(struct valid *v, const json_t *b, json_t *out, const char *field, size_t max,
                       valid_item_fn fn, const char *const *choices)
{
    json_t *j = json_object_get(b, field);
    if (j != NULL && json_is_null(j)) {
        json_object_set_new(out, field, json_array());
        return;
    }
    json_t *arr = choices != NULL ? valid_enum_array(v, b, field, choices, max, false)
                  : fn != NULL    ? valid_array(v, b, field, max, false, fn, NULL)
                                  : valid_uuid_array(v, b, field, max, false);
    if (arr == NULL)
        return;
    const char *const *members = fn == item_link    ? link_members
                                 : fn == item_block ? block_members
                                                    : NULL;
    if (members == NULL)
        json_object_set(out, field, arr);
    else
        json_object_set_new(out, field, only_members(arr, members));
}

/* An optional UUID member; null clears it. */
static void uuid_into(struct valid *v, const json_t *b, json_t *out, const char *field)
{
    json_t *j = json_object_get(b, field);
    if (j == NULL)
        return;
    if (json_is_null(j))
        json_object_set_new(out, field, json_null());
    else if (!json_is_string(j))
        valid_fail(v, field, MSG_NOT_STRING, 0, NULL);
    else if (!valid_uuid(json_string_value(j)))
        valid_fail(v, field, MSG_UUID, 0, NULL);
    else
        json_object_set(out, field, j);
}

static void enum_into(struct valid *v, const json_t *b, json_t *out, const char *field,
                      const char *const *choices, bool required)
{
    json_t *j = json_object_get(b, field);
    if (j != NULL && json_is_null(j)) {
        valid_fail(v, field, MSG_REQUIRED, 0, NULL);
        return;
    }
    const char *s = valid_enum(v, b, field, choices, required);
    if (s != NULL)
        json_object_set(out, field, j);
}

json_t *practices_fields(struct valid *v, const json_t *b, bool create)
{
    json_t *out = json_object();
    if (out == NULL)
        return NULL;
    valid_text_into(v, b, out, "title", 1, 300, create, VALID_NULL_REFUSED);
    enum_into(v, b, out, "kind", kinds, create);
    json_t *sj = json_object_get(b, "summary");
    if (sj != NULL && json_is_null(sj)) {
        valid_fail(v, "summary", MSG_REQUIRED, 0, NULL);
    } else {
        const char *summary = valid_long_text(v, b, "summary", 1, 2000, create);
        if (summary != NULL && strspn(summary, " \t\r\n") == strlen(summary))
            valid_fail(v, "summary", MSG_EMPTY, 0, NULL);
        else if (summary != NULL)
            json_object_set(out, "summary", sj);
    }
    for (size_t i = 0; long_texts[i] != NULL; i++)
        valid_long_text_into(v, b, out, long_texts[i], 20000, true);
    /* a lesson says what did not work (on a PATCH SQL checks the merged case) */
    const json_t *kj = json_object_get(b, "kind");
    if (create && json_is_string(kj) && strcmp(json_string_value(kj), "lesson") == 0) {
        const json_t *w = json_object_get(b, "what_did_not");
        const char *ws = json_is_string(w) ? json_string_value(w) : NULL;
        if (w == NULL || json_is_null(w) || (ws != NULL && strspn(ws, " \t\r\n") == strlen(ws)))
            valid_fail(v, "what_did_not", MSG_REQUIRED, 0, NULL);
    }
    array_into(v, b, out, "building_blocks", 20, item_block, NULL);
    array_into(v, b, out, "themes", 10, item_code, NULL);
    array_into(v, b, out, "sectors", 10, NULL, vocab_sectors);
    array_into(v, b, out, "territories", 30, item_territory, NULL);
    array_into(v, b, out, "sdgs", 17, item_sdg, NULL);
    if (json_is_null(json_object_get(b, "stage")))
        json_object_set_new(out, "stage", json_null()); /* null clears it */
    else
        enum_into(v, b, out, "stage", stages, false);
    json_t *ej = json_object_get(b, "edition");
    if (ej != NULL && json_is_null(ej)) {
        json_object_set_new(out, "edition", json_null());
    } else {
        const char *ed = valid_string(v, b, "edition", 1, 64, false);
        if (ed != NULL && !valid_slug(ed))
            valid_fail(v, "edition", MSG_SLUG, 0, NULL);
        else if (ed != NULL)
            json_object_set(out, "edition", ej);
    }
    array_into(v, b, out, "organization_ids", 20, NULL, NULL);
    uuid_into(v, b, out, "session_id");
    uuid_into(v, b, out, "series_event_id");
    uuid_into(v, b, out, "pact_id");
    array_into(v, b, out, "commitment_ids", 50, NULL, NULL);
    array_into(v, b, out, "links", 20, item_link, NULL);
    enum_into(v, b, out, "language", languages, false);
    valid_text_into(v, b, out, "license", 1, 50, false, VALID_NULL_REFUSED);
    /* the author's consent to publish under the licence: on the creation,
     * and again with any change of licence (SQL lets only the author make
     * one and records when) */
    if (create || json_object_get(b, "license") != NULL)
        (void)valid_true(v, b, "consent");
    if (!valid_ok(v)) {
        json_decref(out);
        return NULL;
    }
    return out;
}
