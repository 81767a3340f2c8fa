/* create.c — POST /v1/editions/{slug}/registrations: one SQL call
 * (registration_create in schema/) validates against the edition, takes a
 * seat with a guarded update or waitlists, and stores the answer under the
 * Idempotency-Key when one is sent. With admission_batch_ms set, the call
 * is admission.c's, for the request and those that came with it. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/req.h"
#include "core/vocab.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_create =
    DB_ANSWER(registration_create, "$1::uuid, $2, $3, $4, $5::jsonb, $6, $7, decode($8, 'hex')");

/* Ten characters from an alphabet without look-alikes (no 0/O, 1/I):
 * 50 bits, read aloud or typed at the door without mistakes. */
void registration_badge_code(char out[VOCAB_BADGE_LEN + 1])
{
    static const char alphabet[] = VOCAB_BADGE_ALPHABET;
    _Static_assert(sizeof alphabet - 1 == 32, "a badge character is 5 random bits");
    unsigned char raw[VOCAB_BADGE_LEN];
    randombytes_buf(raw, sizeof raw);
    for (int i = 0; i < VOCAB_BADGE_LEN; i++)
        out[i] = alphabet[raw[i] & 31];
    out[VOCAB_BADGE_LEN] = '\0';
}

static void create_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_ERROR && strcmp(db_sqlstate(res), "23505") == 0) {
        /* two equal badge codes (once in ~10^15): a retry draws another */
        req_reply_unavailable(r);
        return;
    }
    req_done_sql(r, st, res);
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

void registration_check(struct valid *v, const json_t *body)
{
    (void)valid_string(v, body, "category", 1, 32, true);
    /* Whether the mode is one at all is checked with the category and the
     * answers in SQL, so a 422 names every invalid field at once. */
    (void)valid_string(v, body, "mode", 1, 32, true);
    json_t *answers = json_object_get(body, "answers");
    if (answers != NULL && !json_is_null(answers) && !json_is_object(answers))
        valid_fail(v, "answers", MSG_NOT_OBJECT, 0, NULL);
}

/* r->body's answers as JSON text ("{}" for none), malloc'd; NULL when out
 * of memory. */
static char *answers_text_of(const struct req *r)
{
    json_t *answers = json_object_get(r->body, "answers");
    return json_is_object(answers) ? json_dumps(answers, JSON_COMPACT) : strdup("{}");
}

void registration_send(struct req *r, const char *key, const char *hash, req_db_cb done)
{
    char *answers_text = answers_text_of(r);
    if (answers_text == NULL) {
        req_reply_unavailable(r);
        return;
    }
    char badge[VOCAB_BADGE_LEN + 1];
    registration_badge_code(badge);
    const char *params[] = {r->auth.account_id,
                            req_param(r, "slug"),
                            json_string_value(json_object_get(r->body, "category")),
                            json_string_value(json_object_get(r->body, "mode")),
                            answers_text,
                            badge,
                            key,
                            hash};
    /* db_pool copies the values: answers_text is ours again on return */
    req_query(r, &registration_stmt_create, 8, params, done);
    free(answers_text);
}

void registration_submit(struct req *r, const char *key, req_db_cb done)
{
    /* The key is bound to what was asked: the edition and the body, with
     * keys sorted so that the same request in another key order matches. */
    char *canon = json_dumps(r->body, JSON_COMPACT | JSON_SORT_KEYS);
    if (canon == NULL) {
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
    char hash[65];
    sodium_bin2hex(hash, sizeof hash, h, sizeof h);
    if (req_config(r)->admission_batch_ms > 0)
        registration_admit(r, key, hash, done);
    else
        registration_send(r, key, hash, done);
}

void registration_create(struct req *r)
{
    if (req_refuse_unverified(r)) /* the registrant is mailed the badge code */
        return;
    struct valid v;
    valid_init(&v, r->lang);
    registration_check(&v, r->body);
    const char *key = req_header(r, "Idempotency-Key");
    if (key != NULL && !key_ok(key))
        valid_fail(&v, "Idempotency-Key", MSG_TOO_LONG, 255, NULL);
    if (!req_valid_ok(r, &v))
        return;
    registration_submit(r, key, create_done);
}
