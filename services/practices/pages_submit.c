/* pages_submit.c — an author's case in the browser: GET /practices/new
 * (web/pages/practice_new.html: every member POST /v1/practices takes,
 * the themes of the controlled list, the consent box), POST
 * /practices/new (saved as a draft, or saved and submitted for review:
 * the form's two buttons), and POST /practices/{id}/submit (a saved
 * draft sent to review from the case's page). Each runs the API's own
 * check (practices_fields) and functions (practices_create,
 * practices_submit) and answers 303 to the case's page, which shows its
 * status to its author.
 *
 * A browser cannot post an array, nor repeat a name (core/form.h refuses
 * it): a checkbox per theme, sector and SDG (theme_<code>, sector_<code>,
 * sdg_<n>), lists of codes and ids as text split at commas and blanks,
 * and a fixed number of building blocks and links
 * (building_blocks_<i>_<member>, links_<i>_<member>), of which the filled
 * ones are sent. An error the API names "building_blocks[1].title" is
 * shown at the field that typed it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/page.h"
#include "core/page_form.h"
#include "core/req.h"
#include "core/vocab.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_page_new = DB_ANSWER(practices_page_new, "");

enum { FORM_BLOCKS = 3, FORM_LINKS = 3 };

static const char *const texts[] = {"title",
                                    "summary",
                                    "context",
                                    "challenges",
                                    "what_worked",
                                    "what_did_not",
                                    "results",
                                    "enabling_factors",
                                    "replicability",
                                    "stage",
                                    "edition",
                                    "session_id",
                                    "series_event_id",
                                    "pact_id",
                                    "language",
                                    "license",
                                    "kind",
                                    NULL};
static const char *const block_members[] = {"title", "description", "enabling_factors", "lessons",
                                            NULL};
static const char *const link_members[] = {"title", "url", NULL};
static const char *const split_lists[] = {"territories", "organization_ids", "commitment_ids",
                                          NULL};

/* ---- the form read into the API's body ---- */

/* The words of a text field split at commas and blanks. */
static json_t *split_words(const char *s)
{
    json_t *out = json_array();
    while (s != NULL && *s != '\0') {
        while (*s == ',' || isspace((unsigned char)*s))
            s++;
        size_t n = 0;
        while (s[n] != '\0' && s[n] != ',' && !isspace((unsigned char)s[n]))
            n++;
        if (n > 0)
            json_array_append_new(out, json_stringn(s, n));
        s += n;
    }
    return out;
}

/* The filled rows of a repeated group (prefix_<i>_<member>) as objects;
 * rows[k] is the form's row of the array's item k. */
static json_t *rows_of(const json_t *form, const char *prefix, int max, const char *const *members,
                       int *rows)
{
    json_t *out = json_array();
    for (int i = 0; i < max; i++) {
        json_t *o = json_object();
        for (const char *const *m = members; *m != NULL; m++) {
            char name[96];
            snprintf(name, sizeof name, "%s_%d_%s", prefix, i, *m);
            page_form_copy(o, form, name);
            json_t *got = json_object_get(o, name);
            if (got != NULL) {
                json_object_set(o, *m, got);
                json_object_del(o, name);
            }
        }
        if (json_object_size(o) > 0) {
            rows[json_array_size(out)] = i;
            json_array_append_new(out, o);
        } else {
            json_decref(o);
        }
    }
    return out;
}

/* The checked boxes named prefix<value>, as strings (or as numbers when
 * number is set and the value is one). */
static json_t *boxes_of(const json_t *form, const char *prefix, bool number)
{
    json_t *out = json_array();
    size_t n = strlen(prefix);
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)form, key, val) {
        if (strncmp(key, prefix, n) != 0 || key[n] == '\0')
            continue;
        const char *code = key + n;
        if (number && strlen(code) <= 3 && strspn(code, "0123456789") == strlen(code))
            json_array_append_new(out, json_integer(atoi(code)));
        else
            json_array_append_new(out, json_string(code));
    }
    return out;
}

/* Which form row typed each item of the building blocks and links. */
struct rows {
    int blocks[FORM_BLOCKS], links[FORM_LINKS];
};

/* POST /v1/practices's body from the form. */
static json_t *case_body(const json_t *form, struct rows *rows)
{
    json_t *body = json_object();
    for (const char *const *t = texts; *t != NULL; t++)
        page_form_copy(body, form, *t);
    for (const char *const *l = split_lists; *l != NULL; l++) {
        json_t *words = split_words(json_string_value(json_object_get(form, *l)));
        if (json_array_size(words) > 0)
            json_object_set_new(body, *l, words);
        else
            json_decref(words);
    }
    json_t *arrays[] = {boxes_of(form, "theme_", false), boxes_of(form, "sector_", false),
                        boxes_of(form, "sdg_", true),
                        rows_of(form, "building_blocks", FORM_BLOCKS, block_members, rows->blocks),
                        rows_of(form, "links", FORM_LINKS, link_members, rows->links)};
    const char *names[] = {"themes", "sectors", "sdgs", "building_blocks", "links"};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        if (json_array_size(arrays[i]) > 0)
            json_object_set_new(body, names[i], arrays[i]);
        else
            json_decref(arrays[i]);
    }
    if (page_form_checked(form, "consent"))
        json_object_set_new(body, "consent", json_true());
    return body;
}

/* The form's name for a field the API named: "building_blocks[1].title"
 * → "building_blocks_<row>_title", "themes[2]" → "themes". */
static void form_field(const char *api, const struct rows *rows, char *out, size_t n)
{
    const char *open = strchr(api, '[');
    if (open == NULL) {
        snprintf(out, n, "%s", api);
        return;
    }
    int len = (int)(open - api), item = atoi(open + 1);
    const char *member = strstr(open, "].");
    if (member == NULL) {
        snprintf(out, n, "%.*s", len, api);
        return;
    }
    bool blocks = strncmp(api, "building_blocks", (size_t)len) == 0 && len == 15;
    int max = blocks ? FORM_BLOCKS : FORM_LINKS;
    int row = item >= 0 && item < max ? (blocks ? rows->blocks : rows->links)[item] : 0;
    snprintf(out, n, "%.*s_%d_%s", len, api, row, member + 2);
}

/* v's errors named as the form's fields. */
static void to_form_fields(struct valid *v, const struct rows *rows)
{
    size_t i;
    json_t *e;
    json_array_foreach(v->errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        if (field == NULL)
            continue;
        char name[128];
        form_field(field, rows, name, sizeof name);
        json_object_set_new(e, "field", json_string(name));
    }
}

/* ---- the form page ---- */

/* What the template shows of a form: every member as typed, plus
 * <name>_is flags for the radio buttons and selects and checked flags
 * for the boxes. */
static json_t *form_values(const json_t *form)
{
    json_t *out = json_object();
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)form, key, val) {
        if (strcmp(key, "csrf_token") != 0 && json_is_string(val))
            json_object_set(out, key, val);
    }
    static const char *const coded[] = {"kind", "stage", "edition", "language", NULL};
    for (const char *const *c = coded; *c != NULL; c++) {
        char name[64];
        snprintf(name, sizeof name, "%s_is", *c);
        json_object_set_new(out, name, page_form_is(json_string_value(json_object_get(form, *c))));
    }
    json_object_set_new(out, "consent", json_boolean(page_form_checked(form, "consent")));
    return out;
}

/* The lists the form offers (themes, editions, sectors, SDGs, rows), each
 * marked as the form has it. */
static void form_lists(json_t *data, const json_t *form, const char *lang, const json_t *errors)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(data, "themes"), i, t) {
        char name[64];
        const char *code = json_string_value(json_object_get(t, "code"));
        snprintf(name, sizeof name, "theme_%s", code != NULL ? code : "");
        json_object_set_new(t, "name",
                            json_string(json_string_value(json_object_get(
                                t, strcmp(lang, "en") == 0 ? "name_en" : "name_es"))));
        json_object_set_new(t, "on", json_boolean(page_form_checked(form, name)));
    }
    const char *edition = json_string_value(json_object_get(form, "edition"));
    json_array_foreach(json_object_get(data, "editions"), i, t) {
        const char *slug = json_string_value(json_object_get(t, "slug"));
        json_object_set_new(
            t, "on", json_boolean(edition != NULL && slug != NULL && !strcmp(slug, edition)));
    }
    json_t *sectors = json_array();
    for (const char *const *s = vocab_sectors; *s != NULL; s++) {
        char name[64];
        snprintf(name, sizeof name, "sector_%s", *s);
        json_array_append_new(sectors,
                              json_pack("{s:s, s:b, s:o}", "code", *s, "on",
                                        page_form_checked(form, name), "is", page_form_is(*s)));
    }
    json_object_set_new(data, "sectors", sectors);
    json_t *sdgs = json_array();
    for (int n = 1; n <= 17; n++) {
        char name[16];
        snprintf(name, sizeof name, "sdg_%d", n);
        json_array_append_new(sdgs,
                              json_pack("{s:i, s:b}", "n", n, "on", page_form_checked(form, name)));
    }
    json_object_set_new(data, "sdgs", sdgs);
    const char *groups[] = {"building_blocks", "links"};
    const int counts[] = {FORM_BLOCKS, FORM_LINKS};
    const char *const *members[] = {block_members, link_members};
    for (int g = 0; g < 2; g++) {
        json_t *list = json_array();
        for (int k = 0; k < counts[g]; k++) {
            json_t *row = json_pack("{s:i, s:i}", "i", k, "n", k + 1);
            for (const char *const *m = members[g]; *m != NULL; m++) {
                char name[96];
                snprintf(name, sizeof name, "%s_%d_%s", groups[g], k, *m);
                const char *s = json_string_value(json_object_get(form, name));
                json_object_set_new(row, *m, json_string(s != NULL ? s : ""));
                /* its error, by the form's name (a row's names are made here) */
                char err[112];
                snprintf(err, sizeof err, "%s_error", *m);
                json_t *e = json_object_get(errors, name);
                if (e != NULL)
                    json_object_set(row, err, e);
            }
            json_array_append_new(list, row);
        }
        json_object_set_new(data, groups[g], list);
    }
}

static void new_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    json_t *form = json_pack("{s:s, s:s, s:s}", "kind", "practice", "language", page_lang(r),
                             "license", "CC-BY-4.0");
    form_lists(data, form, page_lang(r), NULL);
    json_object_set_new(data, "form", form_values(form));
    json_decref(form);
}

void practices_page_new_form(struct req *r)
{
    page_query(r, "practice_new", &practices_stmt_page_new, 0, NULL, new_fill);
}

/* ---- the form posted ---- */

/* The error summary: [{field, label, message}], each field worded as the
 * form's own label (a row's field by its group's: "building_blocks_1_title"
 * by t.curate.field_building_blocks). */
static json_t *summary_of(struct req *r, const struct valid *v)
{
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(v->errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (field == NULL || msg == NULL)
            continue;
        char key[128];
        size_t n = strcspn(field, "0123456789");
        if (n > 0 && field[n] != '\0' && field[n - 1] == '_')
            n--; /* building_blocks_1_title: building_blocks */
        snprintf(key, sizeof key, "curate.field_%.*s", (int)n, field);
        json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "field", field, "label",
                                             page_string(r, key), "message", msg));
    }
    return out;
}

/* The refusals waiting for the form's lists (r->data): a JSON array. */
static void errors_free(void *p)
{
    json_decref(p);
}

/* The form again, 422, with the lists read and the refusals in r->data. */
static void refused_lists(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem != NULL) {
        valid_free(&v);
        page_error(r, status);
        return;
    }
    json_t *data = json_loads(req_sql_body(res) ? req_sql_body(res) : "null", 0, NULL);
    if (!json_is_object(data)) {
        json_decref(data);
        valid_free(&v);
        page_error(r, 500);
        return;
    }
    json_array_extend(v.errors, (json_t *)r->data);
    json_t *errors = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(v.errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        if (field != NULL && json_object_get(errors, field) == NULL)
            json_object_set(errors, field, json_object_get(e, "message"));
    }
    form_lists(data, r->body, page_lang(r), errors);
    json_decref(errors);
    json_object_set_new(data, "summary", summary_of(r, &v));
    json_object_set_new(data, "invalid", json_true());
    json_object_set_new(data, "form", form_values(r->body));
    page_form_invalid(r, "practice_new", data, &v);
    valid_free(&v);
}

/* 422 with v's refusals (named for the form; v freed): the lists first. */
static void refuse(struct req *r, struct valid *v, const struct rows *rows)
{
    to_form_fields(v, rows);
    json_t *errors = json_incref(v->errors);
    valid_free(v);
    if (r->data_free != NULL)
        r->data_free(r->data);
    r->data = errors;
    r->data_free = errors_free;
    req_query(r, &practices_stmt_page_new, 0, NULL, refused_lists);
}

/* The only words a redirect to a case names. */
static void to_case(struct req *r, const char *id, const char *notice)
{
    char to[128];
    snprintf(to, sizeof to, "/practices/%s?notice=%s", id, notice);
    page_redirect(r, to);
}

static void submitted(struct req *r, enum db_status st, PGresult *res)
{
    if (!page_form_succeeded(r, st, res))
        return;
    to_case(r, req_param(r, "id") != NULL ? req_param(r, "id") : (const char *)r->data,
            "submitted");
}

static void created(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem != NULL && strcmp(problem, "validation-failed") == 0) {
        struct rows rows;
        json_decref(case_body(r->body, &rows));
        refuse(r, &v, &rows);
        return;
    }
    valid_free(&v);
    if (problem != NULL) {
        page_error(r, status);
        return;
    }
    json_t *doc = json_loads(req_sql_body(res) ? req_sql_body(res) : "null", 0, NULL);
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (id == NULL || !valid_uuid(id)) {
        json_decref(doc);
        page_error(r, 500);
        return;
    }
    const char *action = json_string_value(json_object_get(r->body, "action"));
    if (action != NULL && strcmp(action, "submit") == 0) {
        /* the id outlives doc in r->data, for the redirect */
        char *keep = strdup(id);
        json_decref(doc);
        if (keep == NULL) {
            page_error(r, 503);
            return;
        }
        if (r->data_free != NULL)
            r->data_free(r->data);
        r->data = keep;
        r->data_free = free;
        const char *params[] = {keep, r->auth.account_id, req_sql_bool(req_is_curator(r))};
        req_query(r, &practices_stmt_submit, 3, params, submitted);
        return;
    }
    to_case(r, id, "saved");
    json_decref(doc);
}

void practices_page_create(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    struct rows rows;
    json_t *body = case_body(r->body, &rows);
    struct valid v;
    valid_init(&v, r->lang);
    json_t *fields = practices_fields(&v, body, true);
    json_decref(body);
    if (!valid_ok(&v)) {
        json_decref(fields);
        refuse(r, &v, &rows);
        return;
    }
    valid_free(&v);
    char *text = fields != NULL ? json_dumps(fields, JSON_COMPACT) : NULL;
    json_decref(fields);
    if (text == NULL) {
        page_error(r, 503);
        return;
    }
    const char *params[] = {text, r->auth.account_id};
    req_query(r, &practices_stmt_create, 2, params, created);
    free(text);
}

void practices_page_submit(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    const char *params[] = {req_param(r, "id"), r->auth.account_id,
                            req_sql_bool(req_is_curator(r))};
    req_query(r, &practices_stmt_submit, 3, params, submitted);
}
