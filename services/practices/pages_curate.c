/* pages_curate.c — the curators' page, GET /manage/practices
 * (web/pages/manage_practices.html): the submissions waiting for a review
 * (GET /v1/practice-submissions: new cases and revisions of published
 * ones, with the members each changes) and the reports queue (GET
 * /v1/practice-reports), read in one statement (practices_page_manage);
 * POST /manage/practices/{id}/review (publish or reject with a comment:
 * the API's check, practices_review_check, and its function) and POST
 * /manage/practices/{id}/moderation (restore or withdraw:
 * practices_moderation_check). Curators only (the 403 page otherwise).
 * A refused form (a rejection without its comment) is shown alone, at
 * 422, with its error at the field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/page.h"
#include "core/page_form.h"
#include "core/req.h"
#include "practices/practices.h"

const struct db_stmt practices_stmt_page_manage =
    DB_ANSWER(practices_page_manage, "$1::uuid, $2::uuid, $3::int");

/* A page of each queue (a page stays well under 60 KB), and at most
 * REASONS_SHOWN reasons of a case's reports (the count says how many). */
enum { QUEUE_LIMIT = 10, REASONS_SHOWN = 3 };

/* The two cursors of the page's query: submissions_cursor and
 * reports_cursor, each a uuid (the API's cursors) or absent. */
static const char *const cursors[] = {"submissions_cursor", "reports_cursor", NULL};

/* The notices a redirect to /manage/practices may name. */
static const char *const notices[] = {"published", "rejected", "restored", "withdrawn", NULL};

/* A long text (a summary, a report's reason: up to 2000 characters each)
 * cut to about SHORT_BYTES at a character's start, "…" after it, so ten
 * items of each queue stay under a page's 60 KB; the case's page has it
 * whole. */
enum { SHORT_BYTES = 300 };

static void shorten(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (s == NULL || strlen(s) <= SHORT_BYTES)
        return;
    size_t n = SHORT_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* a continuation byte: back to its character's first byte */
    char *cut = malloc(n + sizeof "…");
    if (cut == NULL)
        return;
    memcpy(cut, s, n);
    memcpy(cut + n, "…", sizeof "…");
    json_object_set_new(o, key, json_string(cut));
    free(cut);
}

/* /manage/practices with one queue's cursor set to next (the other kept). */
static json_t *queue_url(struct req *r, const char *which, const char *next)
{
    char url[160] = "/manage/practices";
    char sep = '?';
    for (size_t i = 0; cursors[i] != NULL; i++) {
        const char *c = strcmp(cursors[i], which) == 0 ? next : req_query_param(r, cursors[i]);
        if (c == NULL)
            continue;
        size_t n = strlen(url);
        snprintf(url + n, sizeof url - n, "%c%s=%s", sep, cursors[i], c);
        sep = '&';
    }
    return json_string(url);
}

static void manage_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    for (size_t k = 0; cursors[k] != NULL; k++) {
        const char *which = cursors[k];
        json_t *queue = json_object_get(data, k == 0 ? "submissions" : "reports");
        const char *next = json_string_value(json_object_get(queue, "next_cursor"));
        if (next != NULL)
            json_object_set_new(queue, "next_url", queue_url(r, which, next));
        if (req_query_param(r, which) != NULL)
            json_object_set_new(queue, "first_url", queue_url(r, which, NULL));
    }
    const char *notice = req_query_param(r, "notice");
    for (size_t i = 0; notice != NULL && notices[i] != NULL; i++)
        if (strcmp(notice, notices[i]) == 0)
            json_object_set_new(data, "notice_is", page_form_is(notices[i]));
    /* the changed members' names in the page's words (t.curate.field_<name>) */
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(json_object_get(data, "submissions"), "items"), i, it) {
        json_t *names = json_array();
        size_t j;
        json_t *c;
        json_array_foreach(json_object_get(it, "changed"), j, c) {
            if (!json_is_string(c))
                continue;
            char key[80];
            snprintf(key, sizeof key, "curate.field_%s", json_string_value(c));
            json_array_append_new(names, json_string(page_string(r, key)));
        }
        shorten(json_object_get(it, "practice"), "summary");
        json_object_set_new(it, "changed_labels_any", json_boolean(json_array_size(names) > 0));
        json_object_set_new(it, "changed_labels", names);
        const char *at = json_string_value(json_object_get(it, "submitted_at"));
        if (at != NULL && strlen(at) >= 10)
            json_object_set_new(it, "submitted_on", json_stringn(at, 10));
    }
    json_array_foreach(json_object_get(json_object_get(data, "reports"), "items"), i, it) {
        size_t j;
        json_t *rep;
        json_t *reps = json_object_get(it, "reports");
        size_t shown = json_array_size(reps);
        while (json_array_size(reps) > REASONS_SHOWN)
            json_array_remove(reps, json_array_size(reps) - 1);
        if (shown > REASONS_SHOWN)
            json_object_set_new(it, "more_reports",
                                json_integer((json_int_t)(shown - REASONS_SHOWN)));
        json_array_foreach(reps, j, rep) {
            shorten(rep, "reason");
            const char *at = json_string_value(json_object_get(rep, "created_at"));
            if (at != NULL && strlen(at) >= 10)
                json_object_set_new(rep, "created_on", json_stringn(at, 10));
        }
    }
    static const char *const coded[] = {"status", NULL};
    page_decorate(data, coded);
}

void practices_page_manage(struct req *r)
{
    if (!page_require_role(r, ROLE_CURATOR))
        return;
    struct valid v;
    valid_init(&v, r->lang);
    const char *at[2] = {NULL, NULL};
    for (size_t i = 0; cursors[i] != NULL; i++) {
        at[i] = req_query_param(r, cursors[i]);
        if (at[i] != NULL && !valid_uuid(at[i]))
            valid_fail(&v, cursors[i], MSG_UUID, 0, NULL);
    }
    if (!valid_ok(&v)) {
        /* a hand-made URL: the first pages, with what was wrong (422) */
        page_form_refused(r, "manage_practices", NULL, &v);
        return;
    }
    valid_free(&v);
    char limit[16];
    snprintf(limit, sizeof limit, "%d", QUEUE_LIMIT);
    const char *params[] = {at[0], at[1], limit};
    page_query(r, "manage_practices", &practices_stmt_page_manage, 3, params, manage_fill);
}

/* ---- the decisions ---- */

/* The one form refused: {invalid, form: {kind_is, id, revision, comment}}. */
static void refused(struct req *r, const char *kind, struct valid *v)
{
    json_t *form = json_object();
    page_form_copy(form, r->body, "comment");
    json_t *rev = json_object_get(r->body, "revision");
    if (json_is_integer(rev))
        json_object_set_new(form, "revision",
                            json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(rev)));
    json_object_set_new(form, "id", json_string(req_param(r, "id")));
    json_object_set_new(form, "kind_is", page_form_is(kind));
    page_form_refused(r, "manage_practices", form, v);
}

static void decided(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return;
    if (problem != NULL && strcmp(problem, "validation-failed") == 0) {
        refused(r, json_object_get(r->body, "decision") != NULL ? "review" : "moderation", &v);
        return;
    }
    valid_free(&v);
    if (problem != NULL) {
        page_error(r, status);
        return;
    }
    const char *word = json_string_value(json_object_get(r->body, "decision"));
    if (word == NULL) {
        const char *action = json_string_value(json_object_get(r->body, "action"));
        word = action != NULL && strcmp(action, "restore") == 0 ? "restored" : "withdrawn";
    }
    char to[64];
    snprintf(to, sizeof to, "/manage/practices?notice=%s", word);
    page_redirect(r, to);
}

/* The API's body from the form: comment and the button's value; the
 * revision read as a number when it is one (else left a string, which
 * the check refuses). */
static json_t *decision_body(const json_t *form, const char *button)
{
    json_t *body = json_object();
    page_form_copy(body, form, button);
    page_form_copy(body, form, "comment");
    const char *rev = json_string_value(json_object_get(form, "revision"));
    if (rev != NULL && rev[0] != '\0') {
        if (strlen(rev) <= 10 && strspn(rev, "0123456789") == strlen(rev))
            json_object_set_new(body, "revision", json_integer(strtoll(rev, NULL, 10)));
        else
            json_object_set_new(body, "revision", json_string(rev));
    }
    return body;
}

void practices_page_review(struct req *r)
{
    if (!page_require_role(r, ROLE_CURATOR) || !page_form_csrf_ok(r))
        return;
    json_t *body = decision_body(r->body, "decision");
    json_decref(r->body);
    r->body = body;
    struct valid v;
    valid_init(&v, r->lang);
    struct practices_review_in in;
    practices_review_check(&v, r->body, &in);
    if (!valid_ok(&v)) {
        refused(r, "review", &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "id"), in.decision, in.comment,
                            in.revision[0] ? in.revision : NULL, r->auth.account_id};
    req_query(r, &practices_stmt_review, 5, params, decided);
}

void practices_page_moderate(struct req *r)
{
    if (!page_require_role(r, ROLE_CURATOR) || !page_form_csrf_ok(r))
        return;
    json_t *body = decision_body(r->body, "action");
    json_object_del(body, "revision");
    json_decref(r->body);
    r->body = body;
    struct valid v;
    valid_init(&v, r->lang);
    const char *action = NULL, *comment = NULL;
    practices_moderation_check(&v, r->body, &action, &comment);
    if (!valid_ok(&v)) {
        refused(r, "moderation", &v);
        return;
    }
    valid_free(&v);
    const char *params[] = {req_param(r, "id"), action, comment, r->auth.account_id};
    req_query(r, &practices_stmt_moderate, 4, params, decided);
}
