/* pages_register.c — an attendee registers for an edition and cancels:
 *   GET/POST /editions/{slug}/register   the categories with the seats
 *       left per mode, the edition's questions, what waitlisted and
 *       pending approval mean; the form runs the API's own check
 *       (registration_check) and SQL function (registration_submit: the
 *       call POST /v1/editions/{slug}/registrations makes). One statement,
 *       registration_page_register in schema/functions/registration.sql,
 *       composes the edition's page data, its questions and the caller's
 *       registration (shown instead of the form once there is one).
 *   GET/POST /me/registrations/{id}/cancel   the confirmation, then the
 *       SQL function of DELETE /v1/registrations/{id}.
 * An unverified email (when the server requires it, as the API does) gets
 * the page saying so with the resend form, not a bare 403. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/page.h"
#include "core/page_form.h"
#include "core/req.h"
#include "registration/registration.h"

const struct db_stmt registration_stmt_page_register =
    DB_ANSWER(registration_page_register, "$1, $2::uuid, $3");

const struct db_stmt registration_stmt_page_cancel =
    DB_ANSWER(registration_page_cancel, "$1::uuid, $2::uuid");

/* The notices a redirect to the register page may name (the new
 * registration's status): only these words, never text from the query. */
static const char *const notices[] = {"confirmed", "pending", "waitlisted", NULL};

/* Whether the caller must verify the email first: the rule of
 * req_refuse_unverified (the server's setting, the account the session
 * check read), asked without answering. */
static bool must_verify(const struct req *r)
{
    if (!config_require_verified(req_config(r)))
        return false;
    json_t *me = r->auth.me != NULL ? json_loads(r->auth.me, 0, NULL) : NULL;
    bool ok = json_is_true(json_object_get(me, "email_verified"));
    json_decref(me);
    return !ok;
}

/* The page's data over registration_page_register's body (stolen):
 * {title, page: body, unverified, notice_is}. */
static json_t *register_data(struct req *r, json_t *page)
{
    json_t *edition = json_object_get(page, "edition");
    json_t *data = json_pack("{s:O?, s:o, s:b}", "title", json_object_get(edition, "title"), "page",
                             page, "unverified", must_verify(r));
    const char *notice = req_query_param(r, "notice");
    for (size_t i = 0; data != NULL && notice != NULL && notices[i] != NULL; i++)
        if (strcmp(notice, notices[i]) == 0)
            json_object_set_new(data, "notice_is", page_form_is(notices[i]));
    return data;
}

static void register_loaded(struct req *r, enum db_status st, PGresult *res)
{
    if (!page_form_succeeded(r, st, res))
        return;
    json_t *page = json_loads(req_sql_body(res), 0, NULL);
    json_t *data = page != NULL ? register_data(r, page) : NULL;
    if (data == NULL) {
        page_error(r, 500);
        return;
    }
    page_reply(r, 200, "register", data, NULL);
}

static void load(struct req *r, req_db_cb done)
{
    const char *params[] = {req_param(r, "slug"), r->auth.account_id, page_lang(r)};
    req_query(r, &registration_stmt_page_register, 3, params, done);
}

void registration_page_register(struct req *r)
{
    load(r, register_loaded);
}

/* ---- the form ------------------------------------------------------------ */

/* What a POST keeps between its two statements: the page's data (for a
 * 422 with the form again) and what was typed. */
struct posted {
    json_t *page, *form;
};

static void posted_free(void *p)
{
    struct posted *s = p;
    json_decref(s->page);
    json_decref(s->form);
    free(s);
}

/* The form read into the API's body: category, mode, and answers from
 * answers.<code> (a text or a choice: a string, absent when empty) and
 * yes_no.<code> ("yes"/"no" as true/false; anything else passed on for
 * the API to refuse). */
static json_t *register_body(const json_t *form)
{
    json_t *body = json_object(), *answers = json_object();
    page_form_copy(body, form, "category");
    page_form_copy(body, form, "mode");
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)form, key, value) {
        const char *s = json_string_value(value);
        if (s == NULL || s[0] == '\0')
            continue;
        if (strncmp(key, "answers.", 8) == 0 && key[8] != '\0')
            json_object_set_new(answers, key + 8, json_string(s));
        else if (strncmp(key, "yes_no.", 7) == 0 && key[7] != '\0')
            json_object_set_new(answers, key + 7,
                                strcmp(s, "yes") == 0  ? json_true()
                                : strcmp(s, "no") == 0 ? json_false()
                                                       : json_string(s));
    }
    json_object_set_new(body, "answers", answers);
    return body;
}

/* The typed values marked on the page's data for the form again: the
 * chosen category and mode checked, each question's value (a yes/no as
 * yes/no checked, a choice selected) and its first error beside it (a
 * template cannot look up errors."answers.x": its key has a dot). */
static void mark_typed(json_t *page, const json_t *form, const struct valid *v)
{
    const char *category = json_string_value(json_object_get(form, "category"));
    const char *mode = json_string_value(json_object_get(form, "mode"));
    size_t i, j;
    json_t *c, *q, *e;
    json_array_foreach(json_object_get(page, "categories"), i, c) {
        const char *code = json_string_value(json_object_get(c, "code"));
        json_object_set_new(c, "checked",
                            json_boolean(code && category && strcmp(code, category) == 0));
    }
    if (mode != NULL)
        json_object_set_new(page, "mode_is", page_form_is(mode));
    json_array_foreach(json_object_get(page, "questions"), i, q) {
        const char *code = json_string_value(json_object_get(q, "code"));
        if (code == NULL)
            continue;
        char field[160];
        snprintf(field, sizeof field, "answers.%s", code);
        const char *typed = json_string_value(json_object_get(form, field));
        snprintf(field, sizeof field, "yes_no.%s", code);
        const char *yes_no = json_string_value(json_object_get(form, field));
        if (typed != NULL)
            json_object_set_new(q, "value", json_string(typed));
        if (yes_no != NULL)
            json_object_set_new(q, "yes_no_is", page_form_is(yes_no));
        json_t *o;
        json_array_foreach(json_object_get(q, "options"), j, o) {
            const char *val = json_string_value(json_object_get(o, "value"));
            json_object_set_new(o, "selected",
                                json_boolean(typed && val && strcmp(typed, val) == 0));
        }
        snprintf(field, sizeof field, "answers.%s", code);
        json_array_foreach(v->errors, j, e) {
            const char *at = json_string_value(json_object_get(e, "field"));
            if (at != NULL && strcmp(at, field) == 0) {
                json_object_set(q, "error", json_object_get(e, "message"));
                break;
            }
        }
    }
}

/* 422: the page with the form again, what was typed and each error at
 * its field (frees v). */
static void register_refused(struct req *r, struct valid *v)
{
    struct posted *s = r->data;
    mark_typed(s->page, s->form, v);
    json_t *values = json_pack("{s:b, s:O, s:O}", "invalid", 1, "form", s->form, "page", s->page);
    page_form_invalid(r, "register", values, v);
    valid_free(v);
}

static void register_created(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem != NULL && strcmp(problem, "validation-failed") == 0) {
        register_refused(r, &v);
        return;
    }
    valid_free(&v);
    char to[200];
    /* already registered (a second click) or closed meanwhile: the page
     * says which */
    if (problem != NULL && (strcmp(problem, "already-registered") == 0 ||
                            strcmp(problem, "registration-closed") == 0)) {
        snprintf(to, sizeof to, "/editions/%s/register", req_param(r, "slug"));
        page_redirect(r, to);
        return;
    }
    if (problem != NULL) {
        page_error(r, status);
        return;
    }
    json_t *made = json_loads(req_sql_body(res), 0, NULL);
    const char *got = json_string_value(json_object_get(made, "status"));
    const char *word = "confirmed";
    for (size_t i = 0; got != NULL && notices[i] != NULL; i++)
        if (strcmp(got, notices[i]) == 0)
            word = notices[i];
    snprintf(to, sizeof to, "/editions/%s/register?notice=%s", req_param(r, "slug"), word);
    json_decref(made);
    page_redirect(r, to);
}

static void post_loaded(struct req *r, enum db_status st, PGresult *res)
{
    if (!page_form_succeeded(r, st, res))
        return;
    json_t *page = json_loads(req_sql_body(res), 0, NULL);
    if (page == NULL) {
        page_error(r, 500);
        return;
    }
    if (must_verify(r)) { /* the API's 403 email-unverified, as a page */
        page_reply(r, 403, "register", register_data(r, page), NULL);
        return;
    }
    struct posted *s = calloc(1, sizeof *s);
    if (s == NULL) {
        json_decref(page);
        page_error(r, 503);
        return;
    }
    s->page = page;
    s->form = json_object();
    const char *key;
    json_t *value;
    json_object_foreach(r->body, key, value) {
        if (strcmp(key, "csrf_token") != 0)
            json_object_set(s->form, key, value);
    }
    r->data = s;
    r->data_free = posted_free;
    json_t *body = register_body(r->body);
    json_decref(r->body);
    r->body = body;
    struct valid v;
    valid_init(&v, r->lang);
    registration_check(&v, r->body);
    if (!valid_ok(&v)) {
        register_refused(r, &v);
        return;
    }
    valid_free(&v);
    registration_submit(r, NULL, register_created);
}

void registration_page_register_post(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    load(r, post_loaded);
}

/* ---- cancel ---------------------------------------------------------------- */

void registration_page_cancel(struct req *r)
{
    const char *params[] = {req_param(r, "id"), r->auth.account_id};
    page_query(r, "register_cancel", &registration_stmt_page_cancel, 2, params, NULL);
}

static void cancelled(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    valid_free(&v);
    if (problem != NULL) {
        page_error(r, status); /* 404 not the caller's, 409 checked in already */
        return;
    }
    page_redirect(r, "/me?notice=registration_cancelled");
}

void registration_page_cancel_post(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    /* the owner's own cancellation, as DELETE /v1/registrations/{id} by
     * its registrant: never as an organizer from this page */
    const char *params[] = {req_param(r, "id"), r->auth.account_id, req_sql_bool(false)};
    req_query(r, &registration_stmt_cancel, 3, params, cancelled);
}
