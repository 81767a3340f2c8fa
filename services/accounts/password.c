/* password.c — PUT /v1/me/password, the password policy (sign-up, the
 * reset and `gessd admin create` use it too) and the hashing of a new
 * password (the reset's too). Strength comes from zxcvbn (Debian's
 * libzxcvbn), which knows common passwords, keyboard walks, dates and
 * l33t substitutions: a home-made list would not. */
#include <stdio.h>
#include <string.h>
#include <zxcvbn.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "core/config.h"
#include "core/req.h"
#include "core/valid.h"

#define PASSWORD_MIN 10
#define PASSWORD_MAX 128
/* zxcvbn's score 3 starts at 10^8 guesses: log2(1e8) bits of entropy. */
#define MIN_ENTROPY_BITS 26.5754

enum valid_msg accounts_password_policy(const char *password, const char *email,
                                        const char *full_name, long *limit)
{
    size_t n = valid_utf8_chars(password);
    if (n < PASSWORD_MIN) {
        *limit = PASSWORD_MIN;
        return MSG_TOO_SHORT;
    }
    if (n > PASSWORD_MAX) {
        *limit = PASSWORD_MAX;
        return MSG_TOO_LONG;
    }
    /* The person's own details are the first thing an attacker tries. */
    char local[256] = "";
    if (email != NULL) {
        size_t at = strcspn(email, "@");
        if (at < sizeof local) {
            memcpy(local, email, at);
            local[at] = '\0';
        }
    }
    const char *user[4] = {local, email ? email : "", full_name ? full_name : "", NULL};
    double bits = ZxcvbnMatch(password, user, NULL);
    return bits >= MIN_ENTROPY_BITS ? MSG_COUNT : MSG_WEAK_PASSWORD;
}

bool accounts_password_check(struct valid *v, const char *field, const char *password,
                             const char *email, const char *full_name)
{
    long limit = 0;
    enum valid_msg m = accounts_password_policy(password, email, full_name, &limit);
    if (m != MSG_COUNT)
        valid_fail(v, field, m, limit, NULL);
    return m == MSG_COUNT;
}

/* A guess of current_password counts like a login of the account's email
 * from this address (accounts_password_begin in schema/functions/
 * accounts.sql): a stolen session must not become an unthrottled way to
 * find the password. A step, not the answer: it keeps the throttle's
 * shape (known, retry_after, password_hash), read in C before the hashing
 * pool runs. */
const struct db_stmt accounts_stmt_password_begin = {
    "accounts_password_begin",
    "SELECT known, retry_after, password_hash"
    " FROM accounts_password_begin($1, $2, $3, $4, $5, $6, $7)",
};

/* The new hash, every other token of the account revoked (whoever else
 * held a session must log in again) and the right guess given back, in
 * one transaction. */
const struct db_stmt accounts_stmt_password_set =
    DB_ANSWER(accounts_password_set, "$1, $2, $3, $4");

/* A check that never ran (the hashing queue was full) gives its counted
 * guess back: a step whose result nobody reads (the answer is 503). */
const struct db_stmt accounts_stmt_password_release = {
    "accounts_password_release",
    "SELECT accounts_login_give_back(email, $2, false) FROM accounts WHERE id = $1",
};

bool accounts_hash_new_password(struct req *r, const char *password, req_hash_cb cb)
{
    struct pwhash_job *job = pwhash_job_new(PWHASH_HASH, PWHASH_LOGIN, password);
    if (job == NULL)
        return false;
    if (!req_hash_try(r, job, cb)) {
        pwhash_job_free(job);
        return false;
    }
    return true;
}

static void password_unavailable(struct req *r, enum db_status st, PGresult *res)
{
    (void)st;
    (void)res;
    accounts_how_of(r)->problem(r, "service-unavailable");
}

/* Never checked (the queue full, the client gone): service-unavailable, and
 * the guess was no guess. */
void accounts_password_release(struct req *r)
{
    const char *params[] = {r->auth.account_id, req_client_addr(r)};
    req_query(r, &accounts_stmt_password_release, 2, params, password_unavailable);
}

static void password_verified(struct req *r, struct pwhash_job *job)
{
    const struct accounts_how *how = accounts_how_of(r);
    bool dropped = job->dropped, ok = job->ok;
    pwhash_job_free(job);
    if (dropped) {
        accounts_password_release(r);
        return;
    }
    if (!ok) {
        /* stays counted: a wrong guess, like a failed login */
        struct valid v;
        valid_init(&v, r->lang);
        valid_fail(&v, how->password_field, MSG_WRONG_PASSWORD, 0, NULL);
        how->invalid(r, &v);
        return;
    }
    how->confirmed(r);
}

static void password_fetched(struct req *r, enum db_status st, PGresult *res)
{
    const struct accounts_how *how = accounts_how_of(r);
    if (st != DB_OK || PQntuples(res) != 1) {
        accounts_flow_db_error(r, st, res);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) { /* erased since the token was read */
        how->problem(r, "unauthorized");
        return;
    }
    if (!PQgetisnull(res, 0, 1)) {
        req_add_header(r, "Retry-After", PQgetvalue(res, 0, 1));
        how->problem(r, "too-many-requests");
        return;
    }
    const char *pw = json_string_value(json_object_get(r->body, how->password_field));
    struct pwhash_job *job = pwhash_job_new(PWHASH_VERIFY, PWHASH_LOGIN, pw);
    if (job == NULL) {
        accounts_password_release(r);
        return;
    }
    snprintf(job->stored, sizeof job->stored, "%s", PQgetvalue(res, 0, 2));
    if (!req_hash_try(r, job, password_verified)) {
        pwhash_job_free(job);
        accounts_password_release(r);
    }
}

void accounts_password_confirm(struct req *r, const struct accounts_how *how)
{
    accounts_flow_begin(r, how);
    if (!pwhash_admits(PWHASH_LOGIN)) {
        how->problem(r, "service-unavailable"); /* not counted: no password was tried */
        return;
    }
    struct accounts_limits lim;
    accounts_limits(req_config(r), &lim);
    const char *params[] = {r->auth.account_id, req_client_addr(r), lim.window, lim.max_email,
                            lim.max_addr,       lim.pair_max,       lim.backoff};
    req_query(r, &accounts_stmt_password_begin, 7, params, password_fetched);
}

/* PUT /v1/me/password, once the current password proved right. */
static void password_new_hashed(struct req *r, struct pwhash_job *job)
{
    if (job->dropped) {
        pwhash_job_free(job);
        accounts_password_release(r);
        return;
    }
    if (!job->ok) {
        pwhash_job_free(job);
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    const char *params[] = {r->auth.account_id, job->out, r->auth.token_hash, req_client_addr(r)};
    struct pwhash_job *done = job;
    req_query(r, &accounts_stmt_password_set, 4, params, req_done_sql);
    pwhash_job_free(done);
}

static void password_change_confirmed(struct req *r)
{
    const char *pw = json_string_value(json_object_get(r->body, "new_password"));
    if (!accounts_hash_new_password(r, pw, password_new_hashed))
        accounts_password_release(r);
}

static const struct accounts_how password_change = {
    accounts_api_problem, req_reply_invalid,         req_done_sql,
    "current_password",   password_change_confirmed,
};

void accounts_password_set(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    (void)valid_string(&v, r->body, "current_password", 1, 1024, true);
    const char *pw = valid_string(&v, r->body, "new_password", 1, 128, true);
    if (pw != NULL) {
        json_t *me = json_loads(r->auth.me, 0, NULL);
        (void)accounts_password_check(&v, "new_password", pw,
                                      json_string_value(json_object_get(me, "email")),
                                      json_string_value(json_object_get(me, "full_name")));
        json_decref(me);
    }
    if (!req_valid_ok(r, &v))
        return;
    accounts_password_confirm(r, &password_change);
}
