/* setup.c — an edition's registration setup: categories (ticket types)
 * with per-mode capacity, and the custom questions of the form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "editions/editions.h"

static const char *const sectors[] = {"public",    "private",     "academia", "civil_society",
                                      "community", "cooperation", "media",    NULL};

const struct db_stmt editions_stmt_category_create = {
    "editions_category_create",
    "SELECT problem, body FROM editions_category_create($1, $2, $3, coalesce($4, ''),"
    " coalesce($5::bigint, 0), coalesce($6, 'PEN'), coalesce($7::boolean, false),"
    " ARRAY(SELECT jsonb_array_elements_text(coalesce($8::jsonb, '[]'))), $9::jsonb)",
};

const struct db_stmt editions_stmt_category_list = {
    "editions_category_list",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT coalesce((SELECT json_agg(category_json(c) ORDER BY c.position, c.created_at)"
    "                     FROM categories c WHERE c.edition_id = e.id), '[]') AS items"
    "    FROM editions e WHERE e.slug = $1 AND ($2::boolean OR e.status <> 'draft')) x",
};

/* Answers (edition found, question) with question NULL for a taken code. */
const struct db_stmt editions_stmt_question_create = {
    "editions_question_create",
    "WITH e AS (SELECT id FROM editions WHERE slug = $1),"
    " ins AS (INSERT INTO questions (edition_id, code, label, type, choices, required, position)"
    "   SELECT e.id, $2, $3, $4, ARRAY(SELECT jsonb_array_elements_text($5::jsonb)),"
    "          coalesce($6::boolean, false),"
    "          (SELECT count(*) FROM questions q WHERE q.edition_id = e.id) FROM e"
    "   ON CONFLICT ON CONSTRAINT questions_code_key DO NOTHING"
    "   RETURNING question_json(questions)::text AS j)"
    " SELECT (SELECT count(*) FROM e), (SELECT j FROM ins)",
};

const struct db_stmt editions_stmt_question_list = {
    "editions_question_list",
    "SELECT row_to_json(x)::text FROM ("
    "  SELECT coalesce((SELECT json_agg(question_json(q) ORDER BY q.position, q.created_at)"
    "                     FROM questions q WHERE q.edition_id = e.id), '[]') AS items"
    "    FROM editions e WHERE e.slug = $1 AND ($2::boolean OR e.status <> 'draft')) x",
};

/* A JSON array of distinct strings drawn from choices (or free strings of
 * 1..max_len characters when choices is NULL), as compact JSON text. */
static char *string_set(struct valid *v, const json_t *b, const char *field,
                        const char *const *choices, size_t max_items, size_t max_len)
{
    json_t *arr = json_object_get(b, field);
    if (arr == NULL || json_is_null(arr))
        return NULL;
    if (!json_is_array(arr) || json_array_size(arr) > max_items) {
        valid_fail(v, field, json_is_array(arr) ? MSG_TOO_LONG : MSG_NOT_ARRAY, (long)max_items,
                   NULL);
        return NULL;
    }
    size_t i, j;
    json_t *item;
    bool ok = true;
    json_array_foreach(arr, i, item) {
        char name[48];
        snprintf(name, sizeof name, "%s[%zu]", field, i);
        const char *s = json_string_value(item);
        if (s == NULL) {
            valid_fail(v, name, MSG_NOT_STRING, 0, NULL);
            ok = false;
            continue;
        }
        if (choices != NULL) {
            int k = 0;
            while (choices[k] != NULL && strcmp(choices[k], s) != 0)
                k++;
            if (choices[k] == NULL) {
                valid_fail(v, name, MSG_ONE_OF, 0,
                           "public, private, academia, civil_society, community, cooperation, "
                           "media");
                ok = false;
                continue;
            }
        } else {
            size_t n = valid_utf8_chars(s);
            if (n < 1 || n > max_len || strpbrk(s, "\t\r\n") != NULL) {
                valid_fail(v, name, n < 1 ? MSG_EMPTY : MSG_TOO_LONG, (long)max_len, NULL);
                ok = false;
                continue;
            }
        }
        for (j = 0; j < i; j++)
            if (json_equal(json_array_get(arr, j), item)) {
                valid_fail(v, name, MSG_DUPLICATE, 0, NULL);
                ok = false;
                break;
            }
    }
    return ok ? json_dumps(arr, JSON_COMPACT) : NULL;
}

/* modes: {in_person?: int|null, online?: int|null}, at least one. */
static char *modes_json(struct valid *v, const json_t *b)
{
    json_t *m = json_object_get(b, "modes");
    if (m == NULL || json_is_null(m)) {
        valid_fail(v, "modes", MSG_REQUIRED, 0, NULL);
        return NULL;
    }
    if (!json_is_object(m)) {
        valid_fail(v, "modes", MSG_NOT_OBJECT, 0, NULL);
        return NULL;
    }
    bool ok = json_object_size(m) > 0;
    if (!ok)
        valid_fail(v, "modes", MSG_EMPTY, 0, NULL);
    const char *key;
    json_t *val;
    json_object_foreach(m, key, val) {
        char name[48];
        snprintf(name, sizeof name, "modes.%.30s", key);
        if (strcmp(key, "in_person") != 0 && strcmp(key, "online") != 0) {
            valid_fail(v, name, MSG_ONE_OF, 0, "in_person, online");
            ok = false;
        } else if (!json_is_null(val) && (!json_is_integer(val) || json_integer_value(val) < 0 ||
                                          json_integer_value(val) > 1000000)) {
            valid_fail(v, name, MSG_RANGE, 0, "0 to 1000000, or null for unlimited");
            ok = false;
        }
    }
    return ok ? json_dumps(m, JSON_COMPACT) : NULL;
}

struct category_texts {
    char *sectors, *modes;
};

static void category_texts_free(void *p)
{
    struct category_texts *t = p;
    free(t->sectors);
    free(t->modes);
    free(t);
}

void editions_category_create(struct req *r)
{
    struct valid v;
    struct category_texts *t = calloc(1, sizeof *t);
    if (t == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = t;
    r->data_free = category_texts_free;
    valid_init(&v, r->lang);
    const char *code = valid_string(&v, r->body, "code", 1, 32, true);
    if (code != NULL && !valid_code(code))
        valid_fail(&v, "code", MSG_CODE, 0, NULL);
    const char *name = valid_string(&v, r->body, "name", 1, 200, true);
    const char *description = valid_long_text(&v, r->body, "description", 0, 2000, false);
    long long price = 0;
    char price_text[24];
    bool has_price = valid_int(&v, r->body, "price_cents", 0, 100000000000LL, false, &price);
    snprintf(price_text, sizeof price_text, "%lld", price);
    const char *currency = valid_string(&v, r->body, "currency", 3, 3, false);
    if (currency != NULL && strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        valid_fail(&v, "currency", MSG_CURRENCY, 0, NULL);
    bool approval = false;
    bool has_approval = valid_bool(&v, r->body, "requires_approval", false, &approval);
    t->sectors = string_set(&v, r->body, "sectors", sectors, 7, 0);
    t->modes = modes_json(&v, r->body);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"),
                            code,
                            name,
                            description,
                            has_price ? price_text : NULL,
                            currency,
                            has_approval ? (approval ? "true" : "false") : NULL,
                            t->sectors,
                            t->modes};
    req_query(r, &editions_stmt_category_create, 9, params, req_done_created);
}

void editions_category_list(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_is_organizer(r) ? "true" : "false"};
    req_query(r, &editions_stmt_category_list, 2, params, req_done_row);
}

static void question_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_reply_found(r, st, res, 201))
        req_reply_problem(r, "question-taken", NULL);
}

void editions_question_create(struct req *r)
{
    static const char *const types[] = {"text", "choice", "yes_no", NULL};
    struct valid v;
    valid_init(&v, r->lang);
    const char *code = valid_string(&v, r->body, "code", 1, 32, true);
    if (code != NULL && !valid_code(code))
        valid_fail(&v, "code", MSG_CODE, 0, NULL);
    const char *label = valid_string(&v, r->body, "label", 1, 300, true);
    const char *type = valid_enum(&v, r->body, "type", types, true);
    bool required = false;
    bool has_required = valid_bool(&v, r->body, "required", false, &required);
    char *choices = string_set(&v, r->body, "choices", NULL, 50, 200);
    r->data = choices;
    r->data_free = free;
    json_t *cj = json_object_get(r->body, "choices");
    size_t nchoices = json_is_array(cj) ? json_array_size(cj) : 0;
    if (type != NULL && strcmp(type, "choice") == 0 && nchoices == 0 &&
        (cj == NULL || json_is_null(cj) || json_is_array(cj)))
        valid_fail(&v, "choices", MSG_REQUIRED, 0, NULL);
    if (type != NULL && strcmp(type, "choice") != 0 && nchoices > 0)
        valid_fail(&v, "choices", MSG_EMPTY, 0, NULL);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"),
                            code,
                            label,
                            type,
                            choices ? choices : "[]",
                            has_required ? (required ? "true" : "false") : NULL};
    req_query(r, &editions_stmt_question_create, 6, params, question_done);
}

void editions_question_list(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_is_organizer(r) ? "true" : "false"};
    req_query(r, &editions_stmt_question_list, 2, params, req_done_row);
}
