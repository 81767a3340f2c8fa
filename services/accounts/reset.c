/* reset.c — POST /v1/password-resets and POST /v1/password-resets/confirm.
 *
 * A request always answers 202, whether or not the email has an account
 * and whether or not the throttle let it through (per email and per client
 * address, as a verification resend): a stranger learns nothing, and
 * nobody can bomb an inbox. The mail carries a single-use token of one
 * hour. The confirmation checks the token before anything costs an
 * Argon2id hash, checks the new password as sign-up does (counting the
 * account's own email and name as guessable), hashes it on the pool as a
 * password change does, and then sets it, revoking every login and reset
 * token of the account, in one transaction. */
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/req.h"

/* 202 always; the mail only for an account, when not throttled. */
const struct db_stmt accounts_stmt_reset_request =
    DB_ANSWER(accounts_reset_request, "$1, $2, $3, $4, $5, $6");

/* Whose the token is, before the hash: a step (email, full_name), no row
 * for a token that is unknown, used or expired. */
const struct db_stmt accounts_stmt_reset_begin = {
    "accounts_reset_begin",
    "SELECT email, full_name FROM accounts_reset_begin($1)",
};

/* 204; 422 naming token when another confirmation spent it meanwhile. */
const struct db_stmt accounts_stmt_reset_confirm = DB_ANSWER(accounts_reset_confirm, "$1, $2");

void accounts_reset_request_check(struct valid *v, const json_t *body, char *email, size_t emaillen)
{
    email[0] = '\0';
    const char *email_in = valid_string(v, body, "email", 1, 254, true);
    if (email_in != NULL && !valid_email_normalise(email_in, email, emaillen))
        valid_fail(v, "email", MSG_EMAIL, 0, NULL);
}

void accounts_reset_request_run(struct req *r, const struct accounts_how *how, const char *email)
{
    accounts_flow_begin(r, how);
    char token[AUTH_TOKEN_LEN + 1], unused[65];
    auth_token_new(token, unused); /* only mailed: SQL keeps its SHA-256 */
    struct accounts_mail_limits lim;
    accounts_mail_limits(req_config(r), &lim);
    const char *params[] = {email,      req_client_addr(r), token,
                            lim.window, lim.max_email,      lim.max_addr};
    req_query(r, &accounts_stmt_reset_request, 6, params, how->done);
}

void accounts_reset_request(struct req *r)
{
    struct valid v;
    char email[256];
    valid_init(&v, r->lang);
    accounts_reset_request_check(&v, r->body, email, sizeof email);
    if (!req_valid_ok(r, &v))
        return;
    accounts_reset_request_run(r, &accounts_how_api, email);
}

static void reset_hashed(struct req *r, struct pwhash_job *job)
{
    const struct accounts_how *how = accounts_how_of(r);
    if (job->dropped || !job->ok) {
        /* nothing was counted: the client left, or hashing failed */
        bool dropped = job->dropped;
        pwhash_job_free(job);
        how->problem(r, dropped ? "service-unavailable" : "internal-error");
        return;
    }
    const char *params[] = {json_string_value(json_object_get(r->body, "token")), job->out};
    struct pwhash_job *done = job;
    req_query(r, &accounts_stmt_reset_confirm, 2, params, how->done);
    pwhash_job_free(done);
}

static void reset_found(struct req *r, enum db_status st, PGresult *res)
{
    const struct accounts_how *how = accounts_how_of(r);
    if (st != DB_OK) {
        accounts_flow_db_error(r, st, res);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    if (PQntuples(res) != 1) {
        valid_fail(&v, "token", MSG_TOKEN, 0, NULL);
        how->invalid(r, &v);
        return;
    }
    const char *pw = json_string_value(json_object_get(r->body, "new_password"));
    if (!accounts_password_check(&v, "new_password", pw, PQgetvalue(res, 0, 0),
                                 PQgetvalue(res, 0, 1))) {
        how->invalid(r, &v);
        return;
    }
    valid_free(&v);
    if (!accounts_hash_new_password(r, pw, reset_hashed))
        how->problem(r, "service-unavailable");
}

void accounts_reset_confirm_check(struct valid *v, const json_t *body)
{
    (void)accounts_token_field(v, body);
    const char *pw = valid_string(v, body, "new_password", 1, 128, true);
    /* what needs no account first, so one 422 names both fields; the
     * account's own email and name are counted once it is known */
    if (pw != NULL)
        (void)accounts_password_check(v, "new_password", pw, NULL, NULL);
}

void accounts_reset_confirm_run(struct req *r, const struct accounts_how *how)
{
    accounts_flow_begin(r, how);
    if (!pwhash_admits(PWHASH_LOGIN)) {
        how->problem(r, "service-unavailable");
        return;
    }
    const char *params[] = {json_string_value(json_object_get(r->body, "token"))};
    req_query(r, &accounts_stmt_reset_begin, 1, params, reset_found);
}

void accounts_reset_confirm(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    accounts_reset_confirm_check(&v, r->body);
    if (!req_valid_ok(r, &v))
        return;
    accounts_reset_confirm_run(r, &accounts_how_api);
}
