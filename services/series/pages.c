/* pages.c — Rumbo al GESS for people: GET /editions/{slug}/rumbo (upcoming
 * events first, then past ones) and GET /series-events/{id}. Each is one
 * statement composing the API's own functions (series_page_rumbo:
 * editions_get and series_event_list; series_page_event: series_event_get
 * and editions_get), so the online link shows exactly where the API shows
 * it (organizers, and whoever holds an RSVP).
 * The event page's forms: POST /series-events/{id}/rsvp (the mode, checked
 * by series_rsvp_mode as POST /v1/series-events/{id}/rsvp checks it, then
 * series_rsvp_create) and POST /series-events/{id}/withdraw
 * (series_rsvp_cancel), each 303 back to the event with ?notice=<word>; a
 * mode refused (by the check or by the event) is the page again, 422, the
 * message at the mode's fieldset; any other refusal (an unverified address,
 * a full or closed event) the error page of its status. */
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/page_form.h"
#include "core/req.h"
#include "series/series.h"

const struct db_stmt series_stmt_page_rumbo =
    DB_ANSWER(series_page_rumbo, "$1, $2::uuid, $3::boolean, $4");

const struct db_stmt series_stmt_page_event =
    DB_ANSWER(series_page_event, "$1::uuid, $2::uuid, $3::boolean, $4");

void series_page_rumbo(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_viewer(r), req_sql_bool(req_is_organizer(r)),
                            page_lang(r)};
    page_query(r, "rumbo", &series_stmt_page_rumbo, 4, params, NULL);
}

/* The words a redirect back may name (t.agenda.notice.<word>). */
static const char *const notices[] = {"rsvp", "withdrawn", NULL};

static void event_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    const char *notice = req_query_param(r, "notice");
    for (size_t i = 0; notice != NULL && notices[i] != NULL; i++)
        if (strcmp(notice, notices[i]) == 0) {
            char key[48];
            snprintf(key, sizeof key, "agenda.notice.%s", notices[i]);
            json_object_set_new(data, "series_notice", json_string(page_string(r, key)));
        }
}

static void event_query(struct req *r, req_db_cb done)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_organizer(r)),
                            page_lang(r)};
    if (done == NULL)
        page_query(r, "series_event", &series_stmt_page_event, 4, params, event_fill);
    else
        req_query(r, &series_stmt_page_event, 4, params, done);
}

void series_page_event(struct req *r)
{
    event_query(r, NULL);
}

/* ---- the RSVP forms ---------------------------------------------------------------- */

/* The event's page again, 422, with the refusal of the mode kept in
 * r->body's rsvp_error (set before the read). */
static void refused_page(struct req *r, enum db_status st, PGresult *res)
{
    if (!page_form_succeeded(r, st, res))
        return;
    json_t *data = json_loads(req_sql_body(res) ? req_sql_body(res) : "{}", 0, NULL);
    if (data == NULL) {
        page_error(r, 500);
        return;
    }
    json_object_set(data, "rsvp_error", json_object_get(r->body, "rsvp_error"));
    page_reply(r, 422, "series_event", data, NULL);
}

static void refuse(struct req *r, struct valid *v)
{
    const json_t *first = json_array_get(v->errors, 0);
    const char *msg = json_string_value(json_object_get(first, "message"));
    json_object_set_new(r->body, "rsvp_error", json_string(msg != NULL ? msg : ""));
    valid_free(v);
    event_query(r, refused_page);
}

static void back(struct req *r, const char *word)
{
    char to[96];
    snprintf(to, sizeof to, "/series-events/%s?notice=%s", req_param(r, "id"), word);
    page_redirect(r, to);
}

static void rsvp_done(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem != NULL && strcmp(problem, "validation-failed") == 0) {
        refuse(r, &v);
        return;
    }
    valid_free(&v);
    if (problem != NULL)
        page_error(r, status);
    else
        back(r, "rsvp");
}

void series_page_rsvp(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    if (req_refuse_unverified(r)) /* as the API: an RSVP is mailed its confirmation */
        return;
    struct valid v;
    valid_init(&v, r->lang);
    const char *mode = series_rsvp_mode(&v, r->body);
    if (!valid_ok(&v)) {
        refuse(r, &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "id"), r->auth.account_id, mode};
    req_query(r, &series_stmt_rsvp_create, 3, params, rsvp_done);
}

static void withdraw_done(struct req *r, enum db_status st, PGresult *res)
{
    if (page_form_succeeded(r, st, res))
        back(r, "withdrawn");
}

void series_page_withdraw(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    const char *params[] = {req_param(r, "id"), r->auth.account_id};
    req_query(r, &series_stmt_rsvp_cancel, 2, params, withdraw_done);
}
