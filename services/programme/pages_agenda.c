/* pages_agenda.c — what an attendee does with the programme in the browser:
 * POST /sessions/{id}/star|unstar (PUT/DELETE /v1/me/agenda/{id}'s SQL
 * functions), POST /sessions/{id}/reserve|release (POST/DELETE
 * /v1/sessions/{id}/reservation's), each answering 303 to the page the form
 * was on (its `back` field, when a safe local path, else the session's
 * page) with ?notice=<word>; a refusal (404, 403 registration-required, 409
 * session-full or reservation-required) is the error page of its status.
 * GET /me/agenda: GET /v1/me/agenda's agenda by day (programme_page_agenda),
 * overlaps in words, the .ics link. */
#include <stdio.h>
#include <string.h>

#include <event2/http.h>

#include "core/page.h"
#include "core/page_form.h"
#include "core/req.h"
#include "programme/programme.h"

const struct db_stmt programme_stmt_page_agenda = DB_ANSWER(programme_page_agenda, "$1::uuid, $2");

/* The words a redirect back may name (strings t.agenda.notice.<word>). */
static const char *const notices[] = {"starred", "unstarred", "reserved", "released", NULL};

void programme_page_notice(struct req *r, json_t *data)
{
    /* where the forms of this page come back to: the page with its query
     * (a track filter), any notice dropped by the form's answer */
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->ev);
    const char *q = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
    if (q != NULL && (q[0] == '\0' || strlen(q) > 256 || !valid_utf8(q, strlen(q))))
        q = NULL;
    json_object_set_new(data, "back",
                        q != NULL ? json_sprintf("%s?%s", r->path, q) : json_string(r->path));
    const char *notice = req_query_param(r, "notice");
    for (size_t i = 0; notice != NULL && notices[i] != NULL; i++)
        if (strcmp(notice, notices[i]) == 0) {
            char key[48];
            snprintf(key, sizeof key, "agenda.notice.%s", notices[i]);
            json_object_set_new(data, "agenda_notice", json_string(page_string(r, key)));
        }
}

/* The answer of one change: 303 back with the change's word. */
static void changed(struct req *r, enum db_status st, PGresult *res, const char *word)
{
    if (!page_form_succeeded(r, st, res))
        return;
    /* back: where the form was (a local path of the site, its query kept
     * but for an older notice, its fragment dropped), else the session */
    const char *back = json_string_value(json_object_get(r->body, "back"));
    char to[640];
    size_t keep = back != NULL ? strcspn(back, "#") : 0;
    if (back == NULL || !page_local_path(back) || keep > 512) {
        snprintf(to, sizeof to, "/sessions/%s?notice=%s", req_param(r, "id"), word);
    } else {
        const char *notice = strstr(back, "?notice=");
        if (notice == NULL)
            notice = strstr(back, "&notice=");
        if (notice != NULL && (size_t)(notice - back) < keep)
            keep = (size_t)(notice - back);
        const char *q = memchr(back, '?', keep);
        snprintf(to, sizeof to, "%.*s%snotice=%s#s-%s", (int)keep, back, q != NULL ? "&" : "?",
                 word, req_param(r, "id"));
    }
    page_redirect(r, to);
}

static void starred(struct req *r, enum db_status st, PGresult *res)
{
    changed(r, st, res, "starred");
}

static void unstarred(struct req *r, enum db_status st, PGresult *res)
{
    changed(r, st, res, "unstarred");
}

static void reserved(struct req *r, enum db_status st, PGresult *res)
{
    changed(r, st, res, "reserved");
}

static void released(struct req *r, enum db_status st, PGresult *res)
{
    changed(r, st, res, "released");
}

static void change(struct req *r, const struct db_stmt *stmt, req_db_cb done)
{
    if (!page_form_csrf_ok(r))
        return;
    const char *params[] = {req_param(r, "id"), r->auth.account_id};
    req_query(r, stmt, 2, params, done);
}

void programme_page_star(struct req *r)
{
    change(r, &programme_stmt_agenda_put, starred);
}

void programme_page_unstar(struct req *r)
{
    change(r, &programme_stmt_agenda_delete, unstarred);
}

void programme_page_reserve(struct req *r)
{
    change(r, &programme_stmt_reserve, reserved);
}

void programme_page_release(struct req *r)
{
    change(r, &programme_stmt_unreserve, released);
}

static void agenda_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    programme_page_notice(r, data);
}

void programme_page_agenda(struct req *r)
{
    const char *params[] = {r->auth.account_id, page_lang(r)};
    page_query(r, "agenda", &programme_stmt_page_agenda, 2, params, agenda_fill);
}
