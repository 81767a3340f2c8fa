/* me.c — GET /v1/me, PUT /v1/me/password, PUT /v1/accounts/{id}/roles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/req.h"

/* A guess of current_password counts like a login of the account's email
 * from this address (accounts_password_begin in schema/functions/
 * accounts.sql): a stolen session must not become an unthrottled way to
 * find the password. */
const struct db_stmt accounts_stmt_password_get = {
    "accounts_password_get",
    "SELECT known, retry_after, password_hash"
    " FROM accounts_password_begin($1, $2, $3, $4, $5, $6, $7)",
};

/* The new hash, every other token of the account revoked (whoever else
 * held a session must log in again) and the right guess given back, in
 * one transaction. */
const struct db_stmt accounts_stmt_password_set = {
    "accounts_password_set",
    "SELECT accounts_password_set($1, $2, $3, $4)",
};

/* A check that never ran (the hashing queue was full) gives its counted
 * guess back. */
const struct db_stmt accounts_stmt_password_release = {
    "accounts_password_release",
    "SELECT accounts_login_give_back(email, $2, false) FROM accounts WHERE id = $1",
};

/* Refuses (matched = 1, no account) to take admin away from the last admin,
 * under any concurrency: the function serialises changes to the admin set
 * (accounts_roles_set in schema/functions/accounts.sql). */
const struct db_stmt accounts_stmt_roles_set = {
    "accounts_roles_set",
    "SELECT matched, account FROM accounts_roles_set($1::uuid, $2::text[])",
};

void accounts_me(struct req *r)
{
    req_reply_json_text(r, 200, r->auth.me, strlen(r->auth.me));
}

static void password_release(struct req *r, struct pwhash_job *job);

static void password_new_hashed(struct req *r, struct pwhash_job *job)
{
    if (job->dropped) {
        password_release(r, job);
        return;
    }
    if (!job->ok) {
        pwhash_job_free(job);
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    const char *params[] = {r->auth.account_id, job->out, r->auth.token_hash, req_client_addr(r)};
    struct pwhash_job *done = job;
    req_query(r, &accounts_stmt_password_set, 4, params, req_done_empty);
    pwhash_job_free(done);
}

static void password_released(struct req *r, enum db_status st, PGresult *res)
{
    (void)st;
    (void)res;
    req_reply_unavailable(r);
}

/* Never hashed (the queue full, the client gone): 503, and the guess was no
 * guess. */
static void password_release(struct req *r, struct pwhash_job *job)
{
    pwhash_job_free(job);
    const char *params[] = {r->auth.account_id, req_client_addr(r)};
    req_query(r, &accounts_stmt_password_release, 2, params, password_released);
}

static void password_verified(struct req *r, struct pwhash_job *job)
{
    if (job->dropped) {
        password_release(r, job);
        return;
    }
    bool ok = job->ok;
    pwhash_job_free(job);
    if (!ok) {
        /* stays counted: a wrong guess, like a failed login */
        req_reply_field(r, "current_password", MSG_WRONG_PASSWORD);
        return;
    }
    const char *pw = json_string_value(json_object_get(r->body, "new_password"));
    struct pwhash_job *next = pwhash_job_new(PWHASH_HASH, PWHASH_LOGIN, pw);
    if (next == NULL) {
        password_release(r, NULL);
        return;
    }
    if (!req_hash_try(r, next, password_new_hashed))
        password_release(r, next);
}

static void password_fetched(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK || PQntuples(res) != 1) {
        req_reply_db_error(r, st, res);
        return;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) { /* erased since the token was read */
        req_reply_problem(r, "unauthorized", NULL);
        return;
    }
    if (accounts_reply_throttled(r, res, 1))
        return;
    const char *pw = json_string_value(json_object_get(r->body, "current_password"));
    struct pwhash_job *job = pwhash_job_new(PWHASH_VERIFY, PWHASH_LOGIN, pw);
    if (job == NULL) {
        password_release(r, NULL);
        return;
    }
    snprintf(job->stored, sizeof job->stored, "%s", PQgetvalue(res, 0, 2));
    if (!req_hash_try(r, job, password_verified))
        password_release(r, job);
}

void accounts_password_change(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    (void)valid_string(&v, r->body, "current_password", 1, 1024, true);
    const char *pw = valid_string(&v, r->body, "new_password", 1, 128, true);
    if (pw != NULL) {
        json_t *me = json_loads(r->auth.me, 0, NULL);
        long limit = 0;
        enum valid_msg m =
            accounts_password_policy(pw, json_string_value(json_object_get(me, "email")),
                                     json_string_value(json_object_get(me, "full_name")), &limit);
        json_decref(me);
        if (m != MSG_COUNT)
            valid_fail(&v, "new_password", m, limit, NULL);
    }
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    if (!pwhash_admits(PWHASH_LOGIN)) {
        req_reply_unavailable(r); /* not counted: no password was tried */
        return;
    }
    struct accounts_limits lim;
    accounts_limits(req_config(r), &lim);
    const char *params[] = {r->auth.account_id, req_client_addr(r), lim.window, lim.max_email,
                            lim.max_addr,       lim.pair_max,       lim.backoff};
    req_query(r, &accounts_stmt_password_get, 7, params, password_fetched);
}

static void roles_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_reply_found(r, st, res, 200))
        req_reply_problem(r, "last-admin", NULL);
}

void accounts_roles_set(struct req *r)
{
    static const char *const roles[] = {"admin", "organizer", "followup", NULL};
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    json_t *arr = json_object_get(r->body, "roles");
    char literal[64] = "{";
    if (arr == NULL || json_is_null(arr)) {
        valid_fail(&v, "roles", MSG_REQUIRED, 0, NULL);
    } else if (!json_is_array(arr)) {
        valid_fail(&v, "roles", MSG_NOT_ARRAY, 0, NULL);
    } else {
        unsigned seen = 0;
        size_t i;
        json_t *item;
        json_array_foreach(arr, i, item) {
            char field[32];
            snprintf(field, sizeof field, "roles[%zu]", i);
            const char *s = json_string_value(item);
            int k = 0;
            while (s != NULL && roles[k] != NULL && strcmp(roles[k], s) != 0)
                k++;
            if (s == NULL || roles[k] == NULL) {
                valid_fail(&v, field, MSG_ONE_OF, 0, "admin, organizer, followup");
            } else if (seen & (1u << k)) {
                valid_fail(&v, field, MSG_DUPLICATE, 0, NULL);
            } else {
                seen |= 1u << k;
                if (strlen(literal) > 1)
                    strcat(literal, ",");
                strcat(literal, roles[k]);
            }
        }
        strcat(literal, "}");
    }
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {id, literal};
    req_query(r, &accounts_stmt_roles_set, 2, params, roles_done);
}
