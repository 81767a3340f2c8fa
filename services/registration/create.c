/* create.c — POST /v1/editions/{slug}/registrations: one SQL call
 * (registration_create in schema/) validates against the edition, takes a
 * seat with a guarded update or waitlists, and stores the answer under the
 * Idempotency-Key when one is sent. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/req.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_create = {
    "registration_create",
    "SELECT http_status, body, problem, errors::text FROM registration_create("
    " $1::uuid, $2, $3, $4, $5::jsonb, $6, $7, decode($8, 'hex'))",
};

void registration_badge_code(char out[11])
{
    static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"; /* 32 */
    unsigned char raw[10];
    randombytes_buf(raw, sizeof raw);
    for (int i = 0; i < 10; i++)
        out[i] = alphabet[raw[i] & 31];
    out[10] = '\0';
}

/* SQL's validation codes, worded in the caller's language. */
static void reply_sql_errors(struct req *r, const char *errors)
{
    static const struct {
        const char *code;
        enum valid_msg msg;
        long n;
    } map[] = {
        {"unknown", MSG_UNKNOWN, 0},         {"sector_closed", MSG_SECTOR_CLOSED, 0},
        {"not_offered", MSG_NOT_OFFERED, 0}, {"required", MSG_REQUIRED, 0},
        {"not_string", MSG_NOT_STRING, 0},   {"too_long", MSG_TOO_LONG, 2000},
        {"not_boolean", MSG_NOT_BOOLEAN, 0}, {"one_of", MSG_ONE_OF, 0},
    };
    struct valid v;
    valid_init(&v, r->lang);
    json_t *arr = json_loads(errors, 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        const char *code = json_string_value(json_object_get(e, "code"));
        for (size_t k = 0; code != NULL && k < sizeof map / sizeof map[0]; k++)
            if (strcmp(map[k].code, code) == 0)
                valid_fail(&v, json_string_value(json_object_get(e, "field")), map[k].msg, map[k].n,
                           json_string_value(json_object_get(e, "choices")));
    }
    json_decref(arr);
    req_reply_invalid(r, &v);
}

static void create_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_ERROR && strcmp(db_sqlstate(res), "23505") == 0) {
        /* two equal badge codes (once in ~10^15): a retry draws another */
        req_reply_unavailable(r);
        return;
    }
    if (st != DB_OK || PQntuples(res) != 1) {
        req_reply_db_error(r, st, res);
        return;
    }
    if (!PQgetisnull(res, 0, 2)) {
        const char *problem = PQgetvalue(res, 0, 2);
        if (strcmp(problem, "validation-failed") == 0)
            reply_sql_errors(r, PQgetvalue(res, 0, 3));
        else if (strcmp(problem, "already-registered") == 0)
            req_reply_problem_extra(r, problem, "registration_id", PQgetvalue(res, 0, 1));
        else
            req_reply_problem(r, problem, NULL);
        return;
    }
    req_reply_json_text(r, atoi(PQgetvalue(res, 0, 0)), PQgetvalue(res, 0, 1),
                        (size_t)PQgetlength(res, 0, 1));
}

struct create {
    char *answers;
    char hash[65];
    char badge[11];
};

static void create_free(void *p)
{
    struct create *c = p;
    free(c->answers);
    free(c);
}

/* An Idempotency-Key is 1..255 printable ASCII characters. */
static bool key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e)
            return false;
    return true;
}

void registration_create(struct req *r)
{
    struct valid v;
    struct create *c = calloc(1, sizeof *c);
    if (c == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = c;
    r->data_free = create_free;
    valid_init(&v, r->lang);
    const char *category = valid_string(&v, r->body, "category", 1, 32, true);
    /* Whether the mode is one at all is checked with the category and the
     * answers in SQL, so a 422 names every invalid field at once. */
    const char *mode = valid_string(&v, r->body, "mode", 1, 32, true);
    json_t *answers = json_object_get(r->body, "answers");
    if (answers != NULL && !json_is_null(answers) && !json_is_object(answers))
        valid_fail(&v, "answers", MSG_NOT_OBJECT, 0, NULL);
    const char *key = req_header(r, "Idempotency-Key");
    if (key != NULL && !key_ok(key))
        valid_fail(&v, "Idempotency-Key", MSG_TOO_LONG, 255, NULL);
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    c->answers = json_is_object(answers) ? json_dumps(answers, JSON_COMPACT) : strdup("{}");
    /* The key is bound to what was asked: the edition and the body, with
     * keys sorted so that the same request in another key order matches. */
    char *canon = json_dumps(r->body, JSON_COMPACT | JSON_SORT_KEYS);
    if (c->answers == NULL || canon == NULL) {
        free(canon);
        req_reply_unavailable(r);
        return;
    }
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)req_param(r, "slug"),
                              strlen(req_param(r, "slug")) + 1);
    crypto_generichash_update(&st, (const unsigned char *)canon, strlen(canon));
    crypto_generichash_final(&st, h, sizeof h);
    free(canon);
    sodium_bin2hex(c->hash, sizeof c->hash, h, sizeof h);
    registration_badge_code(c->badge);
    const char *params[] = {r->auth.account_id,
                            req_param(r, "slug"),
                            category,
                            mode,
                            c->answers,
                            c->badge,
                            key,
                            c->hash};
    req_query(r, &registration_stmt_create, 8, params, create_done);
}
