/* flows.h — the account flows that an API route and a page both run:
 * sign-up, email verification, password reset, the profile, and the
 * checks of a password before an erasure. Each flow is the API's own
 * logic (its checks, its throttles, its Argon2id hash on the pool, its
 * statements); only the answers differ, so a flow takes a `struct
 * accounts_how` saying how to answer: the API with problem+json
 * (accounts_how_api), a page with HTML (pages_*.c). */
#ifndef GESS_ACCOUNTS_FLOWS_H
#define GESS_ACCOUNTS_FLOWS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/db_pool.h"
#include "core/req.h"
#include "core/valid.h"

/* How a flow answers. The flow keeps how in r->data (no data_free: it is
 * a static table) until it answers. */
struct accounts_how {
    /* a refusal on the way, before the last statement: too-many-requests
     * (Retry-After already added), internal-error, service-unavailable */
    void (*problem)(struct req *r, const char *slug);
    /* a 422 found on the way (frees v) */
    void (*invalid)(struct req *r, struct valid *v);
    /* the last statement's answer (status, problem, body) */
    req_db_cb done;
    /* accounts_password_confirm's body member holding the password, and
     * its next step once the password is right (NULL for the flows that
     * check none) */
    const char *password_field;
    void (*confirmed)(struct req *r);
};

/* The API's refusal: problem+json of that slug. */
void accounts_api_problem(struct req *r, const char *slug);

/* problem+json, req_reply_invalid and req_done_sql: the API's answers. */
extern const struct accounts_how accounts_how_api;

/* A flow starts: how goes into r->data (the request must hold no other
 * state of its own there). */
void accounts_flow_begin(struct req *r, const struct accounts_how *how);

/* The how of the flow that r runs (set by the flow). */
const struct accounts_how *accounts_how_of(const struct req *r);

/* A failed step's query: service-unavailable, else the error logged and
 * internal-error, through how. */
void accounts_flow_db_error(struct req *r, enum db_status st, PGresult *res);

/* True for a token shaped as gess makes them (43 base64url characters):
 * anything else cannot be one and never reaches SQL. */
bool accounts_token_shaped(const char *token);

/* signup.c: the checks of POST /v1/accounts on body (every field, the
 * password policy included), recorded in v. */
void accounts_signup_check(struct valid *v, const json_t *body);

/* signup.c: after accounts_signup_check passed on r->body, the rest of the
 * sign-up: counted against the client's address, hashed on the pool,
 * inserted with its verification mail; how->done gets the insert's answer
 * (201 the account, 409 email-taken, 422). */
void accounts_signup_run(struct req *r, const struct accounts_how *how);

/* verify.c: a verification mail again for the signed-in caller (throttled
 * per email and address); how->done gets the 202. */
void accounts_verify_resend_run(struct req *r, const struct accounts_how *how);

/* reset.c: the check of POST /v1/password-resets, the email normalised
 * into email (emaillen bytes, 256 will do). */
void accounts_reset_request_check(struct valid *v, const json_t *body, char *email,
                                  size_t emaillen);

/* reset.c: after accounts_reset_request_check passed, the reset mail (for
 * an account, when not throttled); how->done gets the same 202 always. */
void accounts_reset_request_run(struct req *r, const struct accounts_how *how, const char *email);

/* reset.c: the checks of POST /v1/password-resets/confirm on body that
 * need no account (token shape, the password's length and strength). */
void accounts_reset_confirm_check(struct valid *v, const json_t *body);

/* reset.c: after accounts_reset_confirm_check passed on r->body: whose the
 * token is, the password checked against their email and name, hashed,
 * set; how->done gets the 204 (every login token of the account gone) or
 * the 422 naming token. A token that is unknown, used or expired is
 * how->invalid naming token. */
void accounts_reset_confirm_run(struct req *r, const struct accounts_how *how);

/* me.c: the members of a PATCH /v1/me body that the person may change,
 * checked into a new object (the statement's fields); refusals in v. */
json_t *accounts_me_fields(struct valid *v, const json_t *body);

/* password.c: checks the signed-in caller's current password (the string
 * member how->password_field of r->body, already checked present), counted
 * as a login guess of their email from this address as PUT /v1/me/password
 * counts it, then calls how->confirmed; a wrong one is how->invalid naming
 * that field (and stays counted), a throttled one too-many-requests, an
 * account erased meanwhile unauthorized. */
void accounts_password_confirm(struct req *r, const struct accounts_how *how);

/* password.c: the counted guess given back (the password was never
 * checked, or the next step could not be queued), then
 * service-unavailable. */
void accounts_password_release(struct req *r);

#endif
