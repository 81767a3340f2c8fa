/* verify.c — POST /v1/email-verifications and
 * POST /v1/email-verifications/resend: the address is proved by a token
 * mailed to it (single use, 48 hours; schema/functions/accounts.sql keeps
 * only its SHA-256). A resend is throttled per email and per client
 * address (accounts_mail_begin), so nobody can bomb an inbox with it. */
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/req.h"

/* 200 the account, verified; 422 naming token when it is unknown, used or
 * expired. */
const struct db_stmt accounts_stmt_verify_email = DB_ANSWER(accounts_verify_email, "$1");

/* The throttle's step, not an answer: the seconds to wait, or NULL. */
const struct db_stmt accounts_stmt_mail_begin = {
    "accounts_mail_begin",
    "SELECT accounts_mail_begin($1, $2, $3, $4, $5)",
};

/* 202; the mail only while the address is unverified. */
const struct db_stmt accounts_stmt_verify_resend =
    DB_ANSWER(accounts_verify_resend, "$1::uuid, $2");

void accounts_mail_limits(const struct config *cfg, struct accounts_mail_limits *out)
{
    snprintf(out->window, sizeof out->window, "%d", cfg->account_mail_window_s);
    snprintf(out->max_email, sizeof out->max_email, "%d", cfg->account_mail_max_per_email);
    snprintf(out->max_addr, sizeof out->max_addr, "%d", cfg->account_mail_max_per_address);
}

/* A token as gess makes them (43 base64url characters); anything else
 * cannot be one and never reaches SQL. The token itself when it is one. */
const char *accounts_token_field(struct valid *v, const json_t *body)
{
    const char *token = valid_string(v, body, "token", 1, 256, true);
    if (token != NULL && !accounts_token_shaped(token)) {
        valid_fail(v, "token", MSG_TOKEN, 0, NULL);
        return NULL;
    }
    return token;
}

void accounts_verify_email(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *token = accounts_token_field(&v, r->body);
    const char *params[] = {token};
    req_query_valid(r, &v, &accounts_stmt_verify_email, 1, params, req_done_sql);
}

static void resend_counted(struct req *r, enum db_status st, PGresult *res)
{
    const struct accounts_how *how = accounts_how_of(r);
    if (st != DB_OK || PQntuples(res) != 1) {
        accounts_flow_db_error(r, st, res);
        return;
    }
    if (!PQgetisnull(res, 0, 0)) {
        req_add_header(r, "Retry-After", PQgetvalue(res, 0, 0));
        how->problem(r, "too-many-requests");
        return;
    }
    char token[AUTH_TOKEN_LEN + 1], unused[65];
    auth_token_new(token, unused); /* only mailed: SQL keeps its SHA-256 */
    const char *params[] = {r->auth.account_id, token};
    req_query(r, &accounts_stmt_verify_resend, 2, params, how->done);
}

void accounts_verify_resend(struct req *r)
{
    accounts_verify_resend_run(r, &accounts_how_api);
}

void accounts_verify_resend_run(struct req *r, const struct accounts_how *how)
{
    accounts_flow_begin(r, how);
    /* the account as the token check read it (core/auth.c) */
    json_t *me = json_loads(r->auth.me, 0, NULL);
    const char *email = json_string_value(json_object_get(me, "email"));
    if (email == NULL) {
        json_decref(me);
        how->problem(r, "service-unavailable");
        return;
    }
    struct accounts_mail_limits lim;
    accounts_mail_limits(req_config(r), &lim);
    const char *params[] = {email, req_client_addr(r), lim.window, lim.max_email, lim.max_addr};
    /* db_pool copies the values: me can go on return */
    req_query(r, &accounts_stmt_mail_begin, 5, params, resend_counted);
    json_decref(me);
}
