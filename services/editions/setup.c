/* setup.c — an edition's registration setup: categories (ticket types)
 * with per-mode capacity, and the custom questions of the form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "core/vocab.h"
#include "editions/editions.h"

const struct db_stmt editions_stmt_category_create = DB_ANSWER(
    editions_category_create, "$1, $2, $3, coalesce($4, ''), coalesce($5::bigint, 0), coalesce($6, "
                              "'PEN'), coalesce($7::boolean, false), ARRAY(SELECT "
                              "jsonb_array_elements_text(coalesce($8::jsonb, '[]'))), $9::jsonb");

const struct db_stmt editions_stmt_category_list =
    DB_ANSWER(editions_category_list, "$1, $2::boolean");

const struct db_stmt editions_stmt_question_create =
    DB_ANSWER(editions_question_create, "$1, $2, $3, $4, $5::jsonb, $6::boolean");

const struct db_stmt editions_stmt_question_list =
    DB_ANSWER(editions_question_list, "$1, $2::boolean");

/* The words of a vocabulary as a message's list: "a, b, c". */
static void words(const char *const *list, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; list[i] != NULL && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%s%s", i > 0 ? ", " : "", list[i]);
}

/* Whether s is one of list's words. */
static bool is_word(const char *const *list, const char *s)
{
    for (int i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

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
            if (!is_word(choices, s)) {
                char list[160];
                words(choices, list, sizeof list);
                valid_fail(v, name, MSG_ONE_OF, 0, list);
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
        if (!is_word(vocab_modes, key)) {
            char list[64];
            words(vocab_modes, list, sizeof list);
            valid_fail(v, name, MSG_ONE_OF, 0, list);
            ok = false;
        } else if (!json_is_null(val) && (!json_is_integer(val) || json_integer_value(val) < 0 ||
                                          json_integer_value(val) > 1000000)) {
            valid_fail(v, name, MSG_RANGE, 0, "0 to 1000000, or null for unlimited");
            ok = false;
        }
    }
    return ok ? json_dumps(m, JSON_COMPACT) : NULL;
}

void editions_category_create(struct req *r)
{
    struct valid v;
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
    size_t nsectors = 0;
    while (vocab_sectors[nsectors] != NULL)
        nsectors++;
    char *sectors = string_set(&v, r->body, "sectors", vocab_sectors, nsectors, 0);
    char *modes = modes_json(&v, r->body);
    if (!valid_ok(&v)) {
        free(sectors);
        free(modes);
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
                            has_approval ? req_sql_bool(approval) : NULL,
                            sectors,
                            modes};
    req_query(r, &editions_stmt_category_create, 9, params, req_done_sql);
    free(sectors); /* db_pool copied the parameters */
    free(modes);
}

void editions_category_list(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_sql_bool(req_is_organizer(r))};
    req_query(r, &editions_stmt_category_list, 2, params, req_done_sql);
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
    json_t *cj = json_object_get(r->body, "choices");
    size_t nchoices = json_is_array(cj) ? json_array_size(cj) : 0;
    if (type != NULL && strcmp(type, "choice") == 0 && nchoices == 0 &&
        (cj == NULL || json_is_null(cj) || json_is_array(cj)))
        valid_fail(&v, "choices", MSG_REQUIRED, 0, NULL);
    if (type != NULL && strcmp(type, "choice") != 0 && nchoices > 0)
        valid_fail(&v, "choices", MSG_EMPTY, 0, NULL);
    if (!valid_ok(&v)) {
        free(choices);
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "slug"),
                            code,
                            label,
                            type,
                            choices ? choices : "[]",
                            has_required ? req_sql_bool(required) : NULL};
    req_query(r, &editions_stmt_question_create, 6, params, req_done_sql);
    free(choices); /* db_pool copied the parameters */
}

void editions_question_list(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_sql_bool(req_is_organizer(r))};
    req_query(r, &editions_stmt_question_list, 2, params, req_done_sql);
}
