/* me.c — GET /v1/me, PUT /v1/me/password, PUT /v1/accounts/{id}/roles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/req.h"

const struct db_stmt accounts_stmt_password_get = {
    "accounts_password_get",
    "SELECT password_hash FROM accounts WHERE id = $1",
};

/* The new hash, and every other token of the account revoked, in one
 * transaction: whoever else held a session must log in again. */
const struct db_stmt accounts_stmt_password_set = {
    "accounts_password_set",
    "WITH upd AS (UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1)"
    " DELETE FROM tokens WHERE account_id = $1 AND token_hash <> decode($3, 'hex')",
};

/* Refuses (matched = 1, no account) to take admin away from the last admin,
 * under any concurrency: the function serialises changes to the admin set
 * (schema/0010_last_admin.sql). */
const struct db_stmt accounts_stmt_roles_set = {
    "accounts_roles_set",
    "SELECT matched, account FROM account_roles_set($1::uuid, $2::text[])",
};

void accounts_me(struct req *r)
{
    req_reply_json_text(r, 200, r->auth.me, strlen(r->auth.me));
}

static void password_new_hashed(struct req *r, struct pwhash_job *job)
{
    if (!job->ok) {
        pwhash_job_free(job);
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    const char *params[] = {r->auth.account_id, job->out, r->auth.token_hash};
    struct pwhash_job *done = job;
    req_query(r, &accounts_stmt_password_set, 3, params, req_done_empty);
    pwhash_job_free(done);
}

static void password_verified(struct req *r, struct pwhash_job *job)
{
    bool ok = job->ok;
    pwhash_job_free(job);
    if (!ok) {
        req_reply_field(r, "current_password", MSG_WRONG_PASSWORD);
        return;
    }
    const char *pw = json_string_value(json_object_get(r->body, "new_password"));
    struct pwhash_job *next = pwhash_job_new(PWHASH_HASH, pw);
    if (next == NULL) {
        req_reply_unavailable(r);
        return;
    }
    req_hash(r, next, password_new_hashed);
}

static void password_fetched(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK || PQntuples(res) != 1) {
        req_reply_db_error(r, st, res);
        return;
    }
    const char *pw = json_string_value(json_object_get(r->body, "current_password"));
    struct pwhash_job *job = pwhash_job_new(PWHASH_VERIFY, pw);
    if (job == NULL) {
        req_reply_unavailable(r);
        return;
    }
    snprintf(job->stored, sizeof job->stored, "%s", PQgetvalue(res, 0, 0));
    req_hash(r, job, password_verified);
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
        enum valid_msg m = accounts_password_policy(
            pw, json_string_value(json_object_get(me, "email")),
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
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_password_get, 1, params, password_fetched);
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
