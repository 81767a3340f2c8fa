/* admission.c — batched admission (issue 20): the registrations for one
 * edition that reach this worker together go to PostgreSQL as one call of
 * registration_admit (schema/), one transaction, so that one commit
 * confirms many seats instead of one per flush. One batch per edition,
 * not per category: a rush spread over many categories batches as well as
 * one on a single category (the seats of each are still taken apart).
 *
 * Each request keeps its own answer: its row of the batch's result, handed
 * to its callback as if it had asked alone. What the batch leaves
 * undecided (a person twice in a batch, a row another batch wrote first)
 * and a batch that a deadlock or a serialisation failure undid (nothing of
 * it was written) ask registration_create alone, a second round trip for
 * those few only. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/batch.h"
#include "core/log.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_admit = {
    "registration_admit", "SELECT ord, status, problem, body FROM registration_admit($1, $2::jsonb)"
                          " ORDER BY ord"};

/* What a request brings to its batch besides itself. */
struct admit_item {
    req_db_cb done;
    char *key; /* its Idempotency-Key, NULL for none */
    char hash[65];
    char badge[VOCAB_BADGE_LEN + 1];
};

static void item_free(void *p)
{
    struct admit_item *it = p;
    if (it != NULL)
        free(it->key);
    free(it);
}

static void admit_send(struct batch *b);
static const struct batch_kind admit_kind = {"registration", admit_send, item_free};

/* ord, then the answer contract's three columns (core/req.h) */
enum { COL_ORD, COL_STATUS, NCOLS = 4 };

/* Whether a failed batch's requests should ask again alone: the
 * transaction wrote nothing, and what failed it (a deadlock, a
 * serialisation failure, a unique key drawn twice) need not fail them
 * again. Anything else (a statement timeout, a defect) would: each gets
 * the answer it would have had alone. */
static bool worth_asking_alone(const PGresult *res)
{
    const char *state = db_sqlstate(res);
    return strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0 ||
           strcmp(state, "23505") == 0;
}

static void admit_done(void *arg, enum db_status st, PGresult *res)
{
    struct batch *b = arg;
    int n = batch_len(b);
    bool shaped = st == DB_OK && PQntuples(res) == n && PQnfields(res) == NCOLS;
    /* (a failed batch's requests ask in any order: its arrival order is lost) */
    bool again = st == DB_ERROR && worth_asking_alone(res);
    if (st == DB_ERROR)
        log_msg(LOG_WARN, "registration_admit: a batch of %d failed (%s)%s: %s", n,
                db_sqlstate(res), again ? ", each asks alone" : "", PQresultErrorMessage(res));
    for (int i = 0; i < n; i++) {
        struct req *r = batch_req(b, i);
        struct admit_item *it = batch_item(b, i);
        if (!again && (!shaped || atoi(PQgetvalue(res, i, COL_ORD)) != i + 1)) {
            /* the batch's own answer: 503 when the database went away, and
             * a result of the wrong shape is the function's defect, a 500
             * (req_done_sql logs it), never a reason to register again */
            it->done(r, st, res);
            continue;
        }
        if (again || PQgetisnull(res, i, COL_STATUS)) {
            registration_send(r, it->key, it->hash, it->done);
            continue;
        }
        PGresult *one = db_result_slice(res, i, COL_STATUS, 3);
        if (one == NULL) {
            req_reply_unavailable(r);
            continue;
        }
        it->done(r, DB_OK, one);
        PQclear(one);
    }
    batch_end(b);
}

/* One JSON array of the batch's items, in arrival order, as
 * registration_admit reads them. */
static char *items_text(struct batch *b)
{
    json_t *items = json_array();
    for (int i = 0; items != NULL && i < batch_len(b); i++) {
        struct req *r = batch_req(b, i);
        struct admit_item *it = batch_item(b, i);
        json_t *answers = json_object_get(r->body, "answers");
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:o, s:s, s:o, s:s}", "account", r->auth.account_id, "category",
            json_string_value(json_object_get(r->body, "category")), "mode",
            json_string_value(json_object_get(r->body, "mode")), "answers",
            json_is_object(answers) ? json_incref(answers) : json_object(), "badge", it->badge,
            "key", it->key != NULL ? json_string(it->key) : json_null(), "hash", it->hash);
        if (o == NULL || json_array_append_new(items, o) != 0) {
            json_decref(items);
            items = NULL;
        }
    }
    char *text = items != NULL ? json_dumps(items, JSON_COMPACT) : NULL;
    json_decref(items);
    return text;
}

static void admit_send(struct batch *b)
{
    char *text = items_text(b);
    const char *params[] = {req_param(batch_req(b, 0), "slug"), text};
    if (text != NULL && batch_query(b, &registration_stmt_admit, 2, params, admit_done)) {
        free(text);
        return;
    }
    free(text);
    for (int i = 0; i < batch_len(b); i++)
        req_reply_unavailable(batch_req(b, i));
    batch_end(b);
}

void registration_admit(struct req *r, const char *key, const char *hash, req_db_cb done)
{
    struct admit_item *it = calloc(1, sizeof *it);
    if (it == NULL || (key != NULL && (it->key = strdup(key)) == NULL)) {
        item_free(it);
        req_reply_unavailable(r);
        return;
    }
    it->done = done;
    memcpy(it->hash, hash, sizeof it->hash);
    registration_badge_code(it->badge);
    /* one batch per edition: what registration_admit decides together */
    char bkey[256];
    int len = snprintf(bkey, sizeof bkey, "%s", req_param(r, "slug"));
    bool fits = len >= 0 && (size_t)len < sizeof bkey;
    if (fits && req_batch(r, &admit_kind, bkey, it))
        return;
    if (!fits)
        item_free(it); /* (req_batch frees what it refuses) */
    registration_send(r, key, hash, done);
}
