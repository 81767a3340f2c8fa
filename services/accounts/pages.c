/* pages.c — the login and logout pages: GET /login (the form), POST
 * /login (the very login of POST /v1/tokens, accounts_login_run, ending in
 * the gess_session cookie instead of JSON) and POST /logout (the token
 * deleted as DELETE /v1/tokens/current does, the cookie cleared). */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/cookie.h"
#include "core/page.h"
#include "core/req.h"

/* Where to go after logging in: ?next= / the form's next when it is a
 * local path, else /me. */
static const char *next_of(const char *next)
{
    return page_local_path(next) && strlen(next) < 1000 ? next : "/me";
}

/* What the form shows again: the email typed and where to go next, never
 * the password. */
static json_t *form_values(struct req *r)
{
    const char *email = json_string_value(json_object_get(r->body, "email"));
    const char *next = json_string_value(json_object_get(r->body, "next"));
    return json_pack("{s:s, s:s?}", "email", email ? email : "", "next",
                     page_local_path(next) ? next : NULL);
}

void accounts_page_login_form(struct req *r)
{
    const char *next = req_query_param(r, "next");
    if (r->auth.ok) { /* already signed in */
        page_redirect(r, next_of(next));
        return;
    }
    json_t *values =
        json_pack("{s:s, s:s?}", "email", "", "next", page_local_path(next) ? next : NULL);
    page_form(r, 200, "login", NULL, values);
}

static void login_ok(struct req *r, const char *token, const char *answer)
{
    (void)answer; /* expires_at is now + token_ttl_s, the cookie's Max-Age */
    if (cookie_set(r, AUTH_SESSION_COOKIE, token, req_config(r)->token_ttl_s, COOKIE_HTTPONLY) !=
        0) {
        page_error(r, 500);
        return;
    }
    page_redirect(r, next_of(json_string_value(json_object_get(r->body, "next"))));
}

/* A wrong email or password: one generic message (which of the two is not
 * said), both fields marked, the email kept. */
static void login_refused(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_array_append_new(v.errors, json_pack("{s:s, s:s}", "field", "email", "message",
                                              page_string(r, "login.failed")));
    json_array_append_new(v.errors, json_pack("{s:s, s:s}", "field", "password", "message",
                                              page_string(r, "login.password_again")));
    page_form_invalid(r, "login", form_values(r), &v);
    valid_free(&v);
}

void accounts_page_login(struct req *r)
{
    static const struct accounts_login_ends ends = {login_ok, login_refused};
    if (!page_form_csrf_ok(r))
        return;
    struct valid v;
    char email[256];
    valid_init(&v, r->lang);
    if (!accounts_login_check(&v, r->body, email)) {
        page_form_invalid(r, "login", form_values(r), &v);
        valid_free(&v);
        return;
    }
    valid_free(&v);
    accounts_login_run(r, email, &ends);
}

static void logout_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res); /* the session stays: the 503 page */
        return;
    }
    if (cookie_set(r, AUTH_SESSION_COOKIE, "", 0, COOKIE_HTTPONLY) != 0) {
        /* unreachable: a well-formed name and an empty value */
    }
    page_redirect(r, "/");
}

void accounts_page_logout(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    if (!r->auth.ok) { /* no session (or a stale one, cleared by auth) */
        if (cookie_set(r, AUTH_SESSION_COOKIE, "", 0, COOKIE_HTTPONLY) != 0) {
            /* unreachable, as above */
        }
        page_redirect(r, "/");
        return;
    }
    const char *params[] = {r->auth.token_hash};
    req_query(r, &accounts_stmt_logout, 1, params, logout_done);
}
