/* accounts.h — sign-up, login tokens, the caller's own account, roles,
 * `gessd admin create`, and the flows that mail a person (email
 * verification, password reset) or that their mail links to (one-click
 * unsubscribe). */
#ifndef GESS_ACCOUNTS_H
#define GESS_ACCOUNTS_H

#include "core/config.h"
#include "core/db_pool.h"
#include "core/module.h"
#include "core/problem.h"
#include "core/req.h"
#include "core/router.h"
#include "core/valid.h"

extern const struct module accounts_module;

/* Checks a new password: 10..128 characters and a zxcvbn score of at
 * least 3 (about 10^8 guesses), counting the person's own email and name
 * as guessable. Returns MSG_COUNT when it passes, else the message. */
enum valid_msg accounts_password_policy(const char *password, const char *email,
                                        const char *full_name, long *limit);

/* accounts_password_policy, a refusal recorded against field in v; true
 * when the password passes. */
bool accounts_password_check(struct valid *v, const char *field, const char *password,
                             const char *email, const char *full_name);

/* The login limits as statement parameters (text), in the order
 * accounts_login_begin() and accounts_password_begin() take them after the address. */
struct accounts_limits {
    char window[16], max_email[16], max_addr[16], pair_max[16], backoff[16];
};
void accounts_limits(const struct config *cfg, struct accounts_limits *out);

/* The account-mail limits (verification resends, reset requests) as
 * statement parameters, in accounts_mail_begin()'s order after the
 * address. */
struct accounts_mail_limits {
    char window[16], max_email[16], max_addr[16];
};
void accounts_mail_limits(const struct config *cfg, struct accounts_mail_limits *out);

/* The body's "token": a string shaped as gess makes them (else MSG_TOKEN
 * in v, and NULL), so a malformed one never reaches SQL. */
const char *accounts_token_field(struct valid *v, const json_t *body);

/* `gessd admin create --email E --name N`; returns the exit code. */
int accounts_admin_create(const struct config *cfg, int argc, char **argv);

/* Handlers (routes.c wires them), by the file that defines them. */
struct req;
/* signup.c */
void accounts_signup(struct req *r);
/* login.c */
void accounts_login(struct req *r);
void accounts_logout(struct req *r);

/* How a login ends, for the one who asked (POST /v1/tokens answers JSON,
 * POST /login sets the session cookie): ok gets the new token and the
 * success row's JSON ({"expires_at", "account"}); refused a wrong email or
 * password (the same for both). Every other end (throttled 429, the
 * database or the hashing pool unavailable) is answered as a problem,
 * which a page route shows as its error page. */
struct accounts_login_ends {
    void (*ok)(struct req *r, const char *token, const char *answer);
    void (*refused)(struct req *r);
};

/* The body's email and password as a login takes them (email normalised
 * into email); false with v's errors when either is invalid. */
bool accounts_login_check(struct valid *v, const json_t *body, char email[256]);

/* Logs in email (normalised) with r->body's password: counts the attempt
 * against the throttles, verifies Argon2id on the hashing pool, stores the
 * token's hash; then ends as ends says. Uses r->data. */
void accounts_login_run(struct req *r, const char *email, const struct accounts_login_ends *ends);

/* pages.c: GET/POST /login, POST /logout */
void accounts_page_login_form(struct req *r);
void accounts_page_login(struct req *r);
void accounts_page_logout(struct req *r);
/* me.c */
void accounts_me(struct req *r);
void accounts_export(struct req *r);
void accounts_erase(struct req *r);
/* password.c */
void accounts_password_set(struct req *r);
/* verify.c */
void accounts_verify_email(struct req *r);
void accounts_verify_resend(struct req *r);
/* reset.c */
void accounts_reset_request(struct req *r);
void accounts_reset_confirm(struct req *r);
/* me.c */
void accounts_me_update(struct req *r);
/* unsubscribe.c */
void accounts_unsubscribe(struct req *r);
/* roles.c */
void accounts_roles_set(struct req *r);

/* A throttle's answer (login, sign-up, password change): when column col
 * of res's one row holds the seconds to wait, answers 429 with Retry-After
 * and returns true. */
bool accounts_reply_throttled(struct req *r, PGresult *res, int col);

/* The result of a step that counts an attempt (login, sign-up): true when
 * its one row came and the throttle (column 0) lets the attempt through;
 * otherwise it has answered (the database's error, or 429). */
bool accounts_counted(struct req *r, enum db_status st, PGresult *res)
    __attribute__((warn_unused_result));

/* Hashes a new password (a change, a reset) on the pool, as the login
 * class: cb owns the job. False when there is no memory or the queue is
 * full (then nothing is queued and the caller answers). */
bool accounts_hash_new_password(struct req *r, const char *password, req_hash_cb cb)
    __attribute__((warn_unused_result));

/* The callback of a step that gives a counted attempt back (the password
 * was never checked): whatever it did, the answer is 503. */
void accounts_done_unavailable(struct req *r, enum db_status st, PGresult *res);

extern const struct db_stmt accounts_stmt_signup, accounts_stmt_signup_begin,
    accounts_stmt_signup_release, accounts_stmt_login_begin, accounts_stmt_login_success,
    accounts_stmt_login_release, accounts_stmt_logout, accounts_stmt_export, accounts_stmt_erase,
    accounts_stmt_password_begin, accounts_stmt_password_set, accounts_stmt_password_release,
    accounts_stmt_roles_set, accounts_stmt_verify_email, accounts_stmt_mail_begin,
    accounts_stmt_verify_resend, accounts_stmt_reset_request, accounts_stmt_reset_begin,
    accounts_stmt_reset_confirm, accounts_stmt_me_update, accounts_stmt_unsubscribe;

#endif
