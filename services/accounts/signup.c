/* signup.c — POST /v1/accounts: validate everything, count the sign-up
 * against the client's address, hash the password off the loop, insert;
 * the unique constraint on email decides races.
 *
 * The count comes before the hash because a sign-up costs an Argon2id
 * hash and answers whether an email is taken: signup_max_per_address per
 * login_window_s (config/gess.conf.example says why the default suits a
 * venue where hundreds sign up behind one address). A body that fails
 * validation costs nothing and is not counted. */
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/req.h"
#include "core/vocab.h"

/* The last hop: the account (201) with its verification mail, 409
 * email-taken, or 422 for an organization_id that names no organization. */
const struct db_stmt accounts_stmt_signup =
    DB_ANSWER(accounts_signup, "$1, $2, $3, $4, $5, $6, $7, $8, $9::uuid, $10, $11");

/* The throttle's step before the hash, not an answer: the seconds to wait,
 * or NULL. */
const struct db_stmt accounts_stmt_signup_begin = {
    "accounts_signup_begin",
    "SELECT accounts_signup_begin($1, $2, $3)",
};

/* A sign-up that never got hashed is given back: a step whose result
 * nobody reads (the answer is 503). */
const struct db_stmt accounts_stmt_signup_release = {
    "accounts_signup_release",
    "UPDATE login_attempts SET count = greatest(count - 1, 0) WHERE key = 's:' || $1",
};

static void signup_release(struct req *r);
static void signup_unavailable(struct req *r, enum db_status st, PGresult *res);

static void signup_hashed(struct req *r, struct pwhash_job *job)
{
    if (job->dropped) {
        pwhash_job_free(job);
        signup_release(r);
        return;
    }
    if (!job->ok) {
        pwhash_job_free(job);
        accounts_how_of(r)->problem(r, "internal-error");
        return;
    }
    /* validated before it was counted, so it normalises again */
    char email[256];
    (void)valid_email_normalise(json_string_value(json_object_get(r->body, "email")), email,
                                sizeof email);
    char token[AUTH_TOKEN_LEN + 1], unused[65];
    auth_token_new(token, unused); /* only mailed: SQL keeps its SHA-256 */
    const char *params[] = {
        email,
        job->out,
        json_string_value(json_object_get(r->body, "full_name")),
        json_string_value(json_object_get(r->body, "organization")),
        json_string_value(json_object_get(r->body, "sector")),
        json_string_value(json_object_get(r->body, "country")),
        json_string_value(json_object_get(r->body, "region")),
        req_config(r)->privacy_policy_version,
        json_string_value(json_object_get(r->body, "organization_id")),
        json_string_value(json_object_get(r->body, "language")),
        token,
    };
    /* The pool copies the parameters, so the job can go now. */
    struct pwhash_job *done = job;
    req_query(r, &accounts_stmt_signup, 11, params, accounts_how_of(r)->done);
    pwhash_job_free(done);
}

/* Never hashed (no memory, the queue full, the client gone): the sign-up
 * is given back to the address, then 503. */
static void signup_release(struct req *r)
{
    const char *params[] = {req_client_addr(r)};
    req_query(r, &accounts_stmt_signup_release, 1, params, signup_unavailable);
}

static void signup_unavailable(struct req *r, enum db_status st, PGresult *res)
{
    (void)st;
    (void)res;
    accounts_how_of(r)->problem(r, "service-unavailable");
}

static void signup_counted(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK || PQntuples(res) != 1) {
        accounts_flow_db_error(r, st, res);
        return;
    }
    if (!PQgetisnull(res, 0, 0)) {
        req_add_header(r, "Retry-After", PQgetvalue(res, 0, 0));
        accounts_how_of(r)->problem(r, "too-many-requests");
        return;
    }
    const char *password = json_string_value(json_object_get(r->body, "password"));
    struct pwhash_job *job = pwhash_job_new(PWHASH_HASH, PWHASH_SIGNUP, password);
    if (job == NULL || !req_hash_try(r, job, signup_hashed)) {
        pwhash_job_free(job);
        signup_release(r);
    }
}

void accounts_signup_check(struct valid *v, const json_t *body)
{
    char email[256] = "";
    const char *email_in = valid_string(v, body, "email", 1, 254, true);
    if (email_in != NULL && !valid_email_normalise(email_in, email, sizeof email))
        valid_fail(v, "email", MSG_EMAIL, 0, NULL);
    const char *password = valid_string(v, body, "password", 1, 128, true);
    const char *full_name = valid_string(v, body, "full_name", 1, 200, true);
    (void)valid_string(v, body, "organization", 0, 200, false);
    (void)valid_enum(v, body, "sector", vocab_sectors, true);
    const char *country = valid_string(v, body, "country", 2, 2, false);
    if (country != NULL && !vocab_country_ok(country))
        valid_fail(v, "country", MSG_COUNTRY, 0, NULL);
    (void)valid_string(v, body, "region", 0, 100, false);
    const char *org_id = valid_string(v, body, "organization_id", 1, 64, false);
    if (org_id != NULL && !valid_uuid(org_id))
        valid_fail(v, "organization_id", MSG_UUID, 0, NULL);
    (void)valid_true(v, body, "consent");
    (void)valid_enum(v, body, "language", vocab_languages, false);
    if (password != NULL)
        (void)accounts_password_check(v, "password", password, email, full_name);
}

void accounts_signup_run(struct req *r, const struct accounts_how *how)
{
    accounts_flow_begin(r, how);
    if (!pwhash_admits(PWHASH_SIGNUP)) {
        how->problem(r, "service-unavailable"); /* neither counted nor sent to the database */
        return;
    }
    const struct config *cfg = req_config(r);
    char window[16], max[16];
    snprintf(window, sizeof window, "%d", cfg->login_window_s);
    snprintf(max, sizeof max, "%d", cfg->signup_max_per_address);
    const char *params[] = {req_client_addr(r), window, max};
    req_query(r, &accounts_stmt_signup_begin, 3, params, signup_counted);
}

void accounts_signup(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    accounts_signup_check(&v, r->body);
    if (!req_valid_ok(r, &v))
        return;
    accounts_signup_run(r, &accounts_how_api);
}
