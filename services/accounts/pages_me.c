/* pages_me.c — GET/POST /me and GET /me/data, POST /me/data/erase: the
 * profile saved as PATCH /v1/me saves it, the registrations as GET
 * /v1/me/registrations lists them (in one statement: accounts_page_me in
 * schema/functions/accounts.sql), the export link (GET /v1/me/export
 * takes the session cookie) and the erasure of DELETE /v1/me, which the
 * page asks the password for (checked and counted as PUT /v1/me/password
 * checks it) and then ends the browser's session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "accounts/flows.h"
#include "accounts/pages_forms.h"
#include "core/auth.h"
#include "core/cookie.h"
#include "core/log.h"
#include "core/page.h"
#include "core/page_form.h"

/* 200 {account, reminders_opt_out, registrations}; 404 when the account
 * went between the session check and this. */
const struct db_stmt accounts_stmt_page_me = DB_ANSWER(accounts_page_me, "$1::uuid");

/* The profile form's values over an account (or a PATCH body). */
static json_t *me_form(const json_t *account, bool opt_out)
{
    json_t *form = json_object();
    page_form_copy(form, account, "full_name");
    page_form_copy(form, account, "organization");
    json_object_set_new(form, "language_is",
                        page_form_is(json_string_value(json_object_get(account, "language"))));
    json_object_set_new(form, "reminders_opt_out", json_boolean(opt_out));
    return form;
}

/* The notices a redirect to /me may name: only these words, never text
 * from the query. */
static const char *const notices[] = {"saved", "verification_sent", "registration_cancelled", NULL};

static void me_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    const json_t *account = json_object_get(data, "account");
    json_object_set_new(data, "form",
                        me_form(account, json_is_true(json_object_get(data, "reminders_opt_out"))));
    json_object_set_new(data, "unverified",
                        json_boolean(!json_is_true(json_object_get(account, "email_verified"))));
    const char *notice = req_query_param(r, "notice");
    for (size_t i = 0; notice != NULL && notices[i] != NULL; i++)
        if (strcmp(notice, notices[i]) == 0)
            json_object_set_new(data, "notice_is", page_form_is(notices[i]));
}

void accounts_page_me(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    page_query(r, "me", &accounts_stmt_page_me, 1, params, me_fill);
}

/* The form read into PATCH /v1/me's body: an unchecked box is false (the
 * way back to reminders), an emptied organization clears it. */
static json_t *me_body(const json_t *form)
{
    json_t *body = json_object();
    page_form_copy(body, form, "full_name");
    page_form_copy(body, form, "language");
    const char *org = json_string_value(json_object_get(form, "organization"));
    if (org != NULL)
        json_object_set_new(body, "organization", json_string(org));
    json_object_set_new(body, "reminders_opt_out",
                        json_boolean(page_form_checked(form, "reminders_opt_out")));
    return body;
}

static void me_saved(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem != NULL && strcmp(problem, "validation-failed") == 0) {
        page_form_refused(
            r, "me", me_form(r->body, json_is_true(json_object_get(r->body, "reminders_opt_out"))),
            &v);
        return;
    }
    valid_free(&v);
    if (problem != NULL) {
        page_error(r, status);
        return;
    }
    /* a new language for the mail is the page's too from now on */
    json_t *was = json_loads(r->auth.me, 0, NULL);
    const char *lang = json_string_value(json_object_get(r->body, "language"));
    const char *old = json_string_value(json_object_get(was, "language"));
    char to[64] = "/me?notice=saved";
    if (lang != NULL && (old == NULL || strcmp(lang, old) != 0))
        snprintf(to, sizeof to, "/me?notice=saved&lang=%s", lang);
    json_decref(was);
    page_redirect(r, to);
}

void accounts_page_me_update(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    json_t *body = me_body(r->body);
    json_decref(r->body);
    r->body = body;
    struct valid v;
    valid_init(&v, r->lang);
    json_t *fields = accounts_me_fields(&v, r->body);
    if (!valid_ok(&v)) {
        json_decref(fields);
        page_form_refused(
            r, "me", me_form(r->body, json_is_true(json_object_get(r->body, "reminders_opt_out"))),
            &v);
        return;
    }
    valid_free(&v);
    char *text = fields != NULL ? json_dumps(fields, JSON_COMPACT) : NULL;
    json_decref(fields);
    if (text == NULL) {
        page_error(r, 503);
        return;
    }
    const char *params[] = {r->auth.account_id, text};
    req_query(r, &accounts_stmt_me_update, 2, params, me_saved);
    free(text);
}

/* ---- /me/data --------------------------------------------------------- */

void accounts_page_me_data(struct req *r)
{
    page_reply(r, 200, "me_data", NULL, NULL);
}

static json_t *erase_form(const json_t *body)
{
    return json_pack("{s:b}", "confirm", json_is_true(json_object_get(body, "confirm")));
}

static void erase_problem(struct req *r, const char *slug)
{
    accounts_page_problem(r, "me_data", erase_form(r->body), slug);
}

static void erase_invalid(struct req *r, struct valid *v)
{
    page_form_refused(r, "me_data", erase_form(r->body), v);
}

/* The erase form: the password (checked by the flow) and the box ticked. */
static void erase_check(struct valid *v, const json_t *body)
{
    (void)valid_string(v, body, "password", 1, 1024, true);
    (void)valid_true(v, body, "confirm");
}

/* 204: the account is gone, and with it the browser's session; 409
 * last-admin: the page again, saying why. */
static void erased(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    valid_free(&v);
    if (problem != NULL && strcmp(problem, "last-admin") == 0) {
        page_reply(r, 409, "me_data", json_pack("{s:b}", "last_admin", 1), NULL);
        return;
    }
    if (problem != NULL) {
        page_error(r, status);
        return;
    }
    if (cookie_set(r, AUTH_SESSION_COOKIE, "", 0, COOKIE_HTTPONLY) != 0)
        log_msg(LOG_ERROR, "req %s: the session cookie could not be cleared", r->id);
    page_redirect(r, "/?notice=erased");
}

static void erase_confirmed(struct req *r)
{
    const char *params[] = {r->auth.account_id};
    req_query(r, &accounts_stmt_erase, 1, params, erased);
}

static const struct accounts_how erase_how = {erase_problem, erase_invalid, req_done_sql,
                                              "password", erase_confirmed};

void accounts_page_erase(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    json_t *body = json_object();
    page_form_copy(body, r->body, "password");
    if (page_form_checked(r->body, "confirm"))
        json_object_set_new(body, "confirm", json_true());
    if (page_form_body(r, body, erase_check, erase_invalid))
        accounts_password_confirm(r, &erase_how);
}
