/* synonyms.c — GET/PUT /v1/practice-synonyms: the curators' synonyms that
 * search applies in both normalizations (ts_rewrite), as the whole list
 * {items: [{term, means}]}. SQL: practices_synonyms_get/_put in
 * schema/functions/practices.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_synonyms_get = DB_ANSWER(practices_synonyms_get, "");

const struct db_stmt practices_stmt_synonyms_put = DB_ANSWER(practices_synonyms_put, "$1::jsonb");

enum { MAX_SYNONYMS = 500 };

/* One text member of a synonym: 1..max characters, not only spaces, on
 * one line; named "items[i].member". */
static bool member_ok(struct valid *v, const char *item_name, const json_t *item,
                      const char *member, size_t max)
{
    char name[64];
    snprintf(name, sizeof name, "%s.%s", item_name, member);
    const json_t *j = json_object_get(item, member);
    const char *s = json_string_value(j);
    size_t n = s != NULL ? valid_utf8_chars(s) : 0;
    if (j == NULL || json_is_null(j))
        valid_fail(v, name, MSG_REQUIRED, 0, NULL);
    else if (s == NULL)
        valid_fail(v, name, MSG_NOT_STRING, 0, NULL);
    else if (n == 0 || strspn(s, " ") == strlen(s))
        valid_fail(v, name, MSG_EMPTY, 0, NULL);
    else if (n > max)
        valid_fail(v, name, MSG_TOO_LONG, (long)max, NULL);
    else if (strpbrk(s, "\t\r\n") != NULL)
        valid_fail(v, name, MSG_CONTROL_CHARS, 0, NULL);
    else
        return true;
    return false;
}

static bool synonym_ok(struct valid *v, const char *name, const json_t *item, const void *arg)
{
    (void)arg;
    if (!json_is_object(item)) {
        valid_fail(v, name, MSG_NOT_OBJECT, 0, NULL);
        return false;
    }
    bool term = member_ok(v, name, item, "term", 100);
    bool means = member_ok(v, name, item, "means", 200);
    return term && means;
}

json_t *practices_synonyms_fields(struct valid *v, const json_t *body, bool create)
{
    (void)create; /* a PUT: always the whole list */
    json_t *items = valid_array(v, body, "items", MAX_SYNONYMS, true, synonym_ok, NULL);
    size_t n = json_array_size(items);
    for (size_t i = 0; items != NULL && i < n; i++)
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "term")),
                       json_string_value(json_object_get(json_array_get(items, k), "term"))) == 0) {
                char name[40];
                snprintf(name, sizeof name, "items[%zu].term", i);
                valid_fail(v, name, MSG_DUPLICATE, 0, NULL);
                break;
            }
    if (!valid_ok(v))
        return NULL;
    json_t *out = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
        json_array_append_new(out, json_pack("{s:O,s:O}", "term", json_object_get(it, "term"),
                                             "means", json_object_get(it, "means")));
    return json_pack("{s:o}", "items", out);
}

void practices_synonyms_get(struct req *r)
{
    req_query(r, &practices_stmt_synonyms_get, 0, NULL, req_done_sql);
}

void practices_synonyms_put(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    char *text = req_valid_json(r, &v, practices_synonyms_fields(&v, r->body, true), JSON_COMPACT);
    if (text == NULL)
        return;
    const char *params[] = {text};
    req_query(r, &practices_stmt_synonyms_put, 1, params, req_done_sql);
    free(text);
}
