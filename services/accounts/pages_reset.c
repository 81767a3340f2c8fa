/* pages_reset.c — GET/POST /forgot-password, GET /forgot-password/sent,
 * GET/POST /reset-password: the API's password reset as pages. The
 * request always ends on the same "check your mail" page, whether the
 * address has an account or the throttle held the mail back (POST
 * /v1/password-resets's 202); the link's page only shows the form (a
 * token is spent by the POST, never by opening the link), and the POST
 * runs POST /v1/password-resets/confirm's flow: every session of the
 * account is gone, then 303 to /login with a notice. */
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "accounts/pages_forms.h"
#include "core/page.h"
#include "core/page_form.h"

void accounts_page_forgot_form(struct req *r)
{
    page_reply(r, 200, "forgot_password", NULL, NULL);
}

void accounts_page_forgot_sent(struct req *r)
{
    page_reply(r, 200, "forgot_password", json_pack("{s:b}", "sent", 1), NULL);
}

static json_t *forgot_form(const json_t *body)
{
    json_t *form = json_object();
    page_form_copy(form, body, "email");
    return form;
}

static void forgot_problem(struct req *r, const char *slug)
{
    accounts_page_problem(r, "forgot_password", forgot_form(r->body), slug);
}

static void forgot_invalid(struct req *r, struct valid *v)
{
    page_form_refused(r, "forgot_password", forgot_form(r->body), v);
}

/* The API's 202 whatever happened: one page for all. */
static void forgot_done(struct req *r, enum db_status st, PGresult *res)
{
    if (page_form_succeeded(r, st, res))
        page_redirect(r, "/forgot-password/sent");
}

static const struct accounts_how forgot_how = {forgot_problem, forgot_invalid, forgot_done, NULL,
                                               NULL};

void accounts_page_forgot(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    struct valid v;
    char email[256];
    valid_init(&v, r->lang);
    accounts_reset_request_check(&v, r->body, email, sizeof email);
    if (!valid_ok(&v)) {
        forgot_invalid(r, &v);
        return;
    }
    valid_free(&v);
    accounts_reset_request_run(r, &forgot_how, email);
}

/* ---- the link's page ---------------------------------------------------- */

/* The reset form's values: the token (a hidden field), never the password. */
static json_t *reset_form(const json_t *body)
{
    json_t *form = json_object();
    const char *token = json_string_value(json_object_get(body, "token"));
    if (accounts_token_shaped(token))
        json_object_set_new(form, "token", json_string(token));
    return form;
}

/* A link without a token gess could have made: the page that says so, with
 * the way to ask for another. */
static void reset_bad_link(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    valid_fail(&v, "token", MSG_TOKEN, 0, NULL);
    page_form_refused(r, "reset_password", json_object(), &v);
}

void accounts_page_reset_form(struct req *r)
{
    const char *token = req_query_param(r, "token");
    if (!accounts_token_shaped(token)) {
        reset_bad_link(r);
        return;
    }
    json_t *data = json_object();
    json_object_set_new(data, "form", json_pack("{s:s}", "token", token));
    page_reply(r, 200, "reset_password", data, NULL);
}

static void reset_problem(struct req *r, const char *slug)
{
    accounts_page_problem(r, "reset_password", reset_form(r->body), slug);
}

static void reset_invalid(struct req *r, struct valid *v)
{
    page_form_refused(r, "reset_password", reset_form(r->body), v);
}

/* 204: the password is set and every session of the account is gone. */
static void reset_done(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem == NULL) {
        valid_free(&v);
        page_redirect(r, "/login?notice=password_reset");
    } else if (strcmp(problem, "validation-failed") == 0) {
        reset_invalid(r, &v); /* another confirmation spent the token meanwhile */
    } else {
        valid_free(&v);
        page_error(r, status);
    }
}

static const struct accounts_how reset_how = {reset_problem, reset_invalid, reset_done, NULL, NULL};

void accounts_page_reset(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    json_t *body = json_object();
    page_form_copy(body, r->body, "token");
    page_form_copy(body, r->body, "new_password");
    if (page_form_body(r, body, accounts_reset_confirm_check, reset_invalid))
        accounts_reset_confirm_run(r, &reset_how);
}
