/* login.c — POST /v1/tokens and DELETE /v1/tokens/current, and the login
 * itself (accounts_login_run), which POST /login (accounts/pages.c) shares:
 * the same checks, throttles, hashing and token, only the answers differ.
 *
 * Login is three hops: count the attempt and fetch the hash (one SQL
 * call), verify with Argon2id on the hashing pool (against a dummy hash
 * when the email is unknown, so both failures cost the same and answer the
 * same bytes), then store the new token's hash and give the attempts back.
 *
 * The attempt counts against three keys (login_keys() in schema/functions/accounts.sql): the
 * (email, address) pair, which backs off exponentially after a few
 * failures; the email from anywhere, with a higher limit against guessing
 * from many addresses; and the address, with a limit generous enough for a
 * venue's Wi-Fi. So a guesser elsewhere no longer locks the owner out, and
 * one person's typos do not lock out the hall. A refused attempt counts
 * for nothing and extends nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/req.h"

/* Login's statements but logout are steps around the Argon2id hash, not
 * answers, so they keep shapes of their own: login_begin gives the
 * throttle's verdict and the hash to check, login_success the account
 * and expiry into which C splices the token (which never reaches the
 * database), login_release nothing anyone reads (the answer is 503). */
const struct db_stmt accounts_stmt_login_begin = {
    "accounts_login_begin",
    "SELECT retry_after, account_id, password_hash"
    " FROM accounts_login_begin($1, $2, $3, $4, $5, $6, $7)",
};

/* A success forgets the pair's failures and gives the email and the address
 * their attempt back (accounts_login_give_back() in
 * schema/functions/accounts.sql, which locks the rows in the throttle's
 * order; the final SELECT reads gb so that it runs), upgrades an old hash,
 * drops the account's expired tokens, and stores the new token's hash. */
const struct db_stmt accounts_stmt_login_success = {
    "accounts_login_success",
    "WITH gb AS (SELECT accounts_login_give_back($4, $5, true)),"
    " rehash AS (UPDATE accounts SET password_hash = $6::text, updated_at = now()"
    "            WHERE id = $1::uuid AND $6::text IS NOT NULL),"
    " expired AS (DELETE FROM tokens WHERE account_id = $1 AND expires_at < now()),"
    " tok AS (INSERT INTO tokens (account_id, token_hash, expires_at)"
    "         VALUES ($1, decode($2, 'hex'), now() + make_interval(secs => $3::int))"
    "         RETURNING expires_at)"
    " SELECT row_to_json(x)::text FROM ("
    "   SELECT tok.expires_at, account_json(a) AS account"
    "     FROM gb, tok, accounts a WHERE a.id = $1) x",
};

/* A login that ends for another reason than the password (the hashing
 * queue was full) gives its counted attempt back. */
const struct db_stmt accounts_stmt_login_release = {
    "accounts_login_release",
    "SELECT accounts_login_give_back($1, $2, false)",
};

const struct db_stmt accounts_stmt_logout = DB_ANSWER(accounts_logout, "$1");

void accounts_limits(const struct config *cfg, struct accounts_limits *out)
{
    snprintf(out->window, sizeof out->window, "%d", cfg->login_window_s);
    snprintf(out->max_email, sizeof out->max_email, "%d", cfg->login_max_per_email);
    snprintf(out->max_addr, sizeof out->max_addr, "%d", cfg->login_max_per_address);
    snprintf(out->pair_max, sizeof out->pair_max, "%d", cfg->login_pair_max);
    snprintf(out->backoff, sizeof out->backoff, "%d", cfg->login_backoff_s);
}

struct login {
    char email[256];
    char addr[64];
    char account_id[40];
    char token[AUTH_TOKEN_LEN + 1];
    const struct accounts_login_ends *ends;
};

static void login_free(void *p)
{
    struct login *l = p;
    sodium_memzero(l->token, sizeof l->token);
    free(l);
}

static void login_done(struct req *r, enum db_status st, PGresult *res)
{
    struct login *l = r->data;
    if (st != DB_OK || PQntuples(res) != 1) {
        req_reply_db_error(r, st, res);
        return;
    }
    l->ends->ok(r, l->token, PQgetvalue(res, 0, 0));
}

/* POST /v1/tokens's success: {"expires_at"...} becomes {"token":"...",
 * "expires_at"...}; the token never reaches the database. */
static void api_login_ok(struct req *r, const char *token, const char *json)
{
    size_t len = strlen(json);
    char tok[AUTH_TOKEN_LEN + 1];
    snprintf(tok, sizeof tok, "%s", token);
    size_t cap = len + sizeof tok + 16;
    char *out = malloc(cap);
    if (out == NULL || json[0] != '{') {
        free(out);
        sodium_memzero(tok, sizeof tok);
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    int n = snprintf(out, cap, "{\"token\":\"%s\",%s", tok, json + 1);
    sodium_memzero(tok, sizeof tok);
    req_reply_json_text(r, 201, out, (size_t)n);
    sodium_memzero(out, cap);
    free(out);
}

static void api_login_refused(struct req *r)
{
    req_reply_problem(r, "invalid-credentials", NULL);
}

static void login_release(struct req *r);

static void login_verified(struct req *r, struct pwhash_job *job)
{
    struct login *l = r->data;
    if (job->dropped) {
        pwhash_job_free(job);
        login_release(r);
        return;
    }
    if (!job->ok || l->account_id[0] == '\0') {
        pwhash_job_free(job);
        l->ends->refused(r);
        return;
    }
    char hash[65], ttl[16];
    auth_token_new(l->token, hash);
    snprintf(ttl, sizeof ttl, "%d", req_config(r)->token_ttl_s);
    const char *params[] = {l->account_id, hash,    ttl,
                            l->email,      l->addr, job->rehashed ? job->out : NULL};
    req_query(r, &accounts_stmt_login_success, 6, params, login_done);
    pwhash_job_free(job);
}

/* The password was never checked (no memory, the hashing queue full, the
 * client gone): the attempt is given back, then 503. */
static void login_release(struct req *r)
{
    struct login *l = r->data;
    const char *params[] = {l->email, l->addr};
    req_query(r, &accounts_stmt_login_release, 2, params, accounts_done_unavailable);
}

void accounts_done_unavailable(struct req *r, enum db_status st, PGresult *res)
{
    (void)st;
    (void)res;
    req_reply_unavailable(r);
}

bool accounts_reply_throttled(struct req *r, PGresult *res, int col)
{
    if (PQgetisnull(res, 0, col))
        return false;
    req_add_header(r, "Retry-After", PQgetvalue(res, 0, col));
    req_reply_problem(r, "too-many-requests", NULL);
    return true;
}

bool accounts_counted(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK || PQntuples(res) != 1) {
        req_reply_db_error(r, st, res);
        return false;
    }
    return !accounts_reply_throttled(r, res, 0);
}

static void login_counted(struct req *r, enum db_status st, PGresult *res)
{
    struct login *l = r->data;
    if (!accounts_counted(r, st, res))
        return;
    const char *password = json_string_value(json_object_get(r->body, "password"));
    struct pwhash_job *job = pwhash_job_new(PWHASH_VERIFY, PWHASH_LOGIN, password);
    if (job == NULL) {
        login_release(r);
        return;
    }
    const char *stored = pwhash_dummy();
    if (!PQgetisnull(res, 0, 1)) {
        snprintf(l->account_id, sizeof l->account_id, "%s", PQgetvalue(res, 0, 1));
        stored = PQgetvalue(res, 0, 2);
    }
    snprintf(job->stored, sizeof job->stored, "%s", stored);
    job->rehash = true;
    if (!req_hash_try(r, job, login_verified)) {
        pwhash_job_free(job);
        login_release(r);
    }
}

bool accounts_login_check(struct valid *v, const json_t *body, char email[256])
{
    const char *typed = valid_string(v, body, "email", 1, 254, true);
    email[0] = '\0';
    if (typed != NULL && !valid_email_normalise(typed, email, 256))
        valid_fail(v, "email", MSG_EMAIL, 0, NULL);
    (void)valid_string(v, body, "password", 1, 1024, true);
    return valid_ok(v);
}

void accounts_login(struct req *r)
{
    static const struct accounts_login_ends api = {api_login_ok, api_login_refused};
    struct valid v;
    char email[256];
    valid_init(&v, r->lang);
    (void)accounts_login_check(&v, r->body, email);
    if (!req_valid_ok(r, &v))
        return;
    accounts_login_run(r, email, &api);
}

void accounts_login_run(struct req *r, const char *email, const struct accounts_login_ends *ends)
{
    struct login *l = calloc(1, sizeof *l);
    if (l == NULL) {
        req_reply_unavailable(r);
        return;
    }
    r->data = l;
    r->data_free = login_free;
    l->ends = ends;
    snprintf(l->email, sizeof l->email, "%s", email);
    if (!pwhash_admits(PWHASH_LOGIN)) {
        req_reply_unavailable(r); /* not counted: no password was tried */
        return;
    }
    snprintf(l->addr, sizeof l->addr, "%s", req_client_addr(r));
    struct accounts_limits lim;
    accounts_limits(req_config(r), &lim);
    const char *params[] = {l->email,     l->addr,      lim.window, lim.max_email,
                            lim.max_addr, lim.pair_max, lim.backoff};
    req_query(r, &accounts_stmt_login_begin, 7, params, login_counted);
}

void accounts_logout(struct req *r)
{
    const char *params[] = {r->auth.token_hash};
    req_query(r, &accounts_stmt_logout, 1, params, req_done_sql);
}
