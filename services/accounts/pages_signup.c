/* pages_signup.c — GET/POST /signup, GET /signup/done, GET /verify-email
 * and POST /verify-email/resend: the sign-up form runs POST /v1/accounts's
 * flow (its checks, its throttle, Argon2id on the pool, the verification
 * mail), the link in that mail verifies when opened (the token is single
 * use: POST /v1/email-verifications's statement), and a signed-in person
 * whose link expired asks for another as POST
 * /v1/email-verifications/resend does. */
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "accounts/pages_forms.h"
#include "core/page.h"
#include "core/page_form.h"
#include "core/problem.h"

/* The sign-up form's values over the API body: what was typed (never the
 * password), the choices as keys for the template's sections. */
static json_t *signup_form(struct req *r, const json_t *body)
{
    json_t *form = json_object();
    static const char *const kept[] = {"email", "full_name", "organization", "region"};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        page_form_copy(form, body, kept[i]);
    const char *country = json_string_value(json_object_get(body, "country"));
    json_object_set_new(form, "sector_is",
                        page_form_is(json_string_value(json_object_get(body, "sector"))));
    json_object_set_new(form, "country_is", page_form_is(country));
    json_object_set_new(form, "consent",
                        json_boolean(json_is_true(json_object_get(body, "consent"))));
    json_object_set_new(form, "lang_es", json_boolean(strcmp(page_lang(r), "es") == 0));
    return form;
}

void accounts_page_signup_form(struct req *r)
{
    if (r->auth.ok) {
        page_redirect(r, "/me");
        return;
    }
    json_t *defaults = json_pack("{s:s}", "country", "PE");
    json_t *data = json_object();
    json_object_set_new(data, "form", signup_form(r, defaults));
    json_decref(defaults);
    page_reply(r, 200, "signup", data, NULL);
}

void accounts_page_signup_done(struct req *r)
{
    page_reply(r, 200, "signup_done", NULL, NULL);
}

static void signup_problem(struct req *r, const char *slug)
{
    accounts_page_problem(r, "signup", signup_form(r, r->body), slug);
}

static void signup_invalid(struct req *r, struct valid *v)
{
    page_form_refused(r, "signup", signup_form(r, r->body), v);
}

/* 201: the mail is written, 303 to the page that says so; 409 email-taken
 * is the email field's error, worded as the API's problem (it tells no
 * more); 422 the fields again. */
static void signup_done(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem == NULL) {
        valid_free(&v);
        page_redirect(r, "/signup/done");
        return;
    }
    if (strcmp(problem, "email-taken") == 0) {
        json_t *doc = problem_new(r->lang, problem, NULL);
        const char *detail = json_string_value(json_object_get(doc, "detail"));
        json_array_append_new(v.errors, json_pack("{s:s, s:s}", "field", "email", "message",
                                                  detail != NULL ? detail : problem));
        json_decref(doc);
    } else if (strcmp(problem, "validation-failed") != 0) {
        valid_free(&v);
        page_error(r, status);
        return;
    }
    signup_invalid(r, &v);
}

static const struct accounts_how signup_how = {signup_problem, signup_invalid, signup_done, NULL,
                                               NULL};

void accounts_page_signup(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    /* the API's body: the strings typed, the box as a boolean, the page's
     * language as the account's (its mail's) */
    json_t *body = json_object();
    static const char *const fields[] = {"email",  "password", "full_name", "organization",
                                         "sector", "country",  "region"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        page_form_copy(body, r->body, fields[i]);
    if (page_form_checked(r->body, "consent"))
        json_object_set_new(body, "consent", json_true());
    json_object_set_new(body, "language", json_string(page_lang(r)));
    if (page_form_body(r, body, accounts_signup_check, signup_invalid))
        accounts_signup_run(r, &signup_how);
}

/* ---- the verification link ------------------------------------------- */

static void verify_page(struct req *r, int status, const char *what)
{
    page_reply(r, status, "verify_email", json_pack("{s:b}", what, 1), NULL);
}

static void verified(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    valid_free(&v);
    if (problem == NULL)
        verify_page(r, 200, "verified");
    else if (strcmp(problem, "validation-failed") == 0)
        verify_page(r, 422, "expired"); /* unknown, used or expired: one page */
    else
        page_error(r, status);
}

void accounts_page_verify_email(struct req *r)
{
    /* a HEAD (a link checker's, a prefetch) reads nothing and spends no
     * token: only a GET, a person opening the link, verifies */
    if (strcmp(r->method, "HEAD") == 0) {
        page_reply(r, 200, "verify_email", NULL, NULL);
        return;
    }
    const char *token = req_query_param(r, "token");
    if (!accounts_token_shaped(token)) {
        verify_page(r, 422, "expired");
        return;
    }
    const char *params[] = {token};
    req_query(r, &accounts_stmt_verify_email, 1, params, verified);
}

static void resend_problem(struct req *r, const char *slug)
{
    if (strcmp(slug, "too-many-requests") == 0) {
        page_reply(r, 429, "verify_email", json_pack("{s:b, s:b}", "expired", 1, "throttled", 1),
                   NULL);
        return;
    }
    accounts_page_problem(r, "verify_email", NULL, slug);
}

static void resend_invalid(struct req *r, struct valid *v)
{
    valid_free(v); /* the resend checks no field */
    page_error(r, 500);
}

static void resent(struct req *r, enum db_status st, PGresult *res)
{
    if (!page_form_succeeded(r, st, res))
        return;
    page_redirect(r, "/me?notice=verification_sent");
}

static const struct accounts_how resend_how = {resend_problem, resend_invalid, resent, NULL, NULL};

void accounts_page_verify_resend(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    accounts_verify_resend_run(r, &resend_how);
}
