/* pages.c — follow-up in the browser (DESIGN.md §9):
 *
 *   GET  /commitments/{id}              a commitment's page: the commitment as
 *        GET /v1/pacts/{id} shows it to the caller (indicators with their
 *        measurements and status, milestones, sub-commitments) and the
 *        forms the caller may use (commitments_page_commitment in
 *        schema/functions/commitments.sql says which);
 *   POST /commitments/{id}/measurements a value for one of its indicators
 *        (indicator_id): POST /v1/indicators/{id}/measurements's check and
 *        function;
 *   POST /commitments/{id}/milestones/done|undone  a milestone (milestone_id)
 *        marked done on a date or not done: PATCH /v1/milestones/{id}'s;
 *   GET  /manage/measurements           the verifiers' queue: GET
 *        /v1/measurements (submitted values the caller may review);
 *   POST /manage/measurements/{id}/review  verify or reject with a comment:
 *        POST /v1/measurements/{id}/review's check and function.
 *
 * A form that passes answers 303 back to its page with a notice; a refusal
 * (the C check's or SQL's) reads the page again and answers it with 422,
 * the typed values and each error at its field inside the form that was
 * sent (a page holds one form per indicator, milestone or value: field ids
 * are "<form prefix>-<item id>-<field>"). Any other problem is the error
 * page of its status (403, 404, 409 commitment-closed or already-reviewed). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commitments/commitments.h"
#include "core/db_listen.h"
#include "core/log.h"
#include "core/page.h"
#include "core/page_form.h"
#include "core/req.h"

const struct db_stmt commitments_stmt_page_commitment =
    DB_ANSWER(commitments_page_commitment, "$1::uuid, $2::uuid, $3::boolean, $4::boolean");

/* Members whose value is a code the templates word (t.pacts, t.commitment). */
static const char *const coded[] = {"completion", "status", "role", "direction", NULL};

/* The words a redirect may name, per page; never text from the query. */
static const char *const commitment_notices[] = {"reported", "recorded", "milestone_done",
                                                 "milestone_undone", NULL};
static const char *const queue_notices[] = {"verified", "rejected", NULL};

static void notice_fill(struct req *r, json_t *data, const char *const *words)
{
    const char *notice = req_query_param(r, "notice");
    for (size_t i = 0; notice != NULL && words[i] != NULL; i++)
        if (strcmp(notice, words[i]) == 0)
            json_object_set_new(data, "notice_is", page_form_is(words[i]));
}

/* ---- a refused form ------------------------------------------------------ */

/* What a refused form needs to be shown again: the page is read anew
 * (reread), prepared as its GET is (fill), and the form of item `target`
 * in data.<list> gets {values, errors}; the error summary links to the
 * fields' ids. Owned by the request (r->data). */
struct refused {
    const char *page;   /* the template */
    const char *words;  /* the strings area naming the fields: t.<words>.<field> */
    const char *list;   /* where the item is: a dotted path in data */
    const char *prefix; /* of the form's field ids */
    char target[40];    /* the item's id */
    json_t *values;     /* what was typed */
    json_t *errors;     /* [{field, message}] */
    void (*reread)(struct req *r);
    page_fill_fn fill;
};

static void refused_free(void *p)
{
    struct refused *f = p;
    if (f == NULL)
        return;
    json_decref(f->values);
    json_decref(f->errors);
    free(f);
}

/* The items of data at a dotted path ("commitment.indicators"). */
static json_t *items_at(json_t *data, const char *path)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *at = data;
    for (char *save = NULL, *part = strtok_r(buf, ".", &save); part != NULL && at != NULL;
         part = strtok_r(NULL, ".", &save))
        at = json_object_get(at, part);
    return at;
}

static void refused_done(struct req *r, enum db_status st, PGresult *res)
{
    struct refused *f = r->data;
    if (!page_form_succeeded(r, st, res))
        return;
    json_t *data = json_loads(req_sql_body(res) ? req_sql_body(res) : "{}", 0, NULL);
    if (data == NULL) {
        page_error(r, 500);
        return;
    }
    f->fill(r, data, NULL);
    json_t *errors = json_object(), *list = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(f->errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (field == NULL || msg == NULL)
            continue;
        if (json_object_get(errors, field) == NULL) /* the first message of a field */
            json_object_set_new(errors, field, json_string(msg));
        /* a field of the form links to its id; "body" and the like only say it */
        char id[128];
        snprintf(id, sizeof id, "%s-%s-%s", f->prefix, f->target, field);
        bool known = json_object_get(f->values, field) != NULL;
        /* the summary names the field by its label: "Valor: es obligatorio" */
        char key[96], said[1200];
        snprintf(key, sizeof key, "%s.%s", f->words, field);
        const char *name = known ? page_string(r, key) : key;
        if (name != key && strcmp(name, key) != 0)
            snprintf(said, sizeof said, "%s: %s", name, msg);
        else
            snprintf(said, sizeof said, "%s", msg);
        json_array_append_new(list, known ? json_pack("{s:s, s:s}", "field", id, "message", said)
                                          : json_pack("{s:s}", "message", said));
    }
    json_t *item;
    json_array_foreach(items_at(data, f->list), i, item) {
        const char *id = json_string_value(json_object_get(item, "id"));
        if (id != NULL && strcmp(id, f->target) == 0)
            json_object_set_new(item, "form",
                                json_pack("{s:O, s:O}", "values", f->values, "errors", errors));
    }
    json_decref(errors);
    json_object_set_new(data, "has_errors", json_boolean(json_array_size(list) > 0));
    json_object_set_new(data, "error_list", list);
    page_reply(r, 422, f->page, data, NULL);
}

/* Answers a refusal of v (freed) for the form of item target: values
 * (stolen) are what was typed. */
static void refuse(struct req *r, const struct refused *how, const char *target, json_t *values,
                   struct valid *v)
{
    struct refused *f = calloc(1, sizeof *f);
    if (f == NULL) {
        json_decref(values);
        valid_free(v);
        page_error(r, 503);
        return;
    }
    *f = *how;
    snprintf(f->target, sizeof f->target, "%s", target);
    f->values = values != NULL ? values : json_object();
    f->errors = json_incref(v->errors);
    valid_free(v);
    r->data = f;
    r->data_free = refused_free;
    f->reread(r);
}

/* The typed values of the named form fields (strings), for the form again. */
static json_t *typed(const json_t *form, const char *const *fields)
{
    json_t *out = json_object();
    for (size_t i = 0; fields[i] != NULL; i++) {
        const char *s = json_string_value(json_object_get(form, fields[i]));
        json_object_set_new(out, fields[i], json_string(s != NULL ? s : ""));
    }
    return out;
}

/* The end of a form's check: the checked fields (out, consumed) as the
 * statement's JSON text when v holds no error; otherwise the form again
 * with v's refusals for target (or the 503 page when out cannot be
 * written) and NULL: the handler returns. */
static char *checked(struct req *r, struct valid *v, json_t *out, const struct refused *how,
                     const char *target, const char *const *fields)
{
    if (!valid_ok(v)) {
        json_decref(out);
        refuse(r, how, target, typed(r->body, fields), v);
        return NULL;
    }
    valid_free(v);
    char *text = commitments_checked_text(out);
    json_decref(out);
    if (text == NULL)
        page_error(r, 503);
    return text;
}

/* A write's answer: true when it succeeded (the caches of this process
 * then follow at once, as req_done_sql_changed does for the API) and
 * *body holds its body (the caller frees it); else a refusal went to
 * refuse() or the error page of the status was answered. */
static bool written(struct req *r, enum db_status st, PGresult *res, const struct refused *how,
                    const char *target, json_t *values, json_t **body)
{
    int status;
    const char *problem;
    struct valid v;
    *body = NULL;
    if (!page_form_outcome(r, st, res, &status, &problem, &v)) {
        json_decref(values);
        return false;
    }
    if (problem != NULL && strcmp(problem, "validation-failed") == 0) {
        refuse(r, how, target, values, &v);
        return false;
    }
    valid_free(&v);
    json_decref(values);
    if (problem != NULL) {
        page_error(r, status);
        return false;
    }
    db_listen_note_change();
    *body = json_loads(req_sql_body(res) ? req_sql_body(res) : "{}", 0, NULL);
    return true;
}

/* ---- GET /commitments/{id} --------------------------------------------- */

static void commitment_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    page_decorate(data, coded);
    json_t *c = json_object_get(data, "commitment");
    json_object_set(data, "title", json_object_get(c, "title"));
    notice_fill(r, data, commitment_notices);
}

static void commitment_read(struct req *r, req_db_cb cb)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_staff(r)),
                            req_sql_bool(req_is_followup(r))};
    if (cb == NULL)
        page_query(r, "commitment", &commitments_stmt_page_commitment, 4, params, commitment_fill);
    else
        req_query(r, &commitments_stmt_page_commitment, 4, params, cb);
}

void commitments_page_commitment(struct req *r)
{
    commitment_read(r, NULL);
}

static void commitment_reread(struct req *r)
{
    commitment_read(r, refused_done);
}

/* ---- POST /commitments/{id}/measurements --------------------------------- */

static const char *const measurement_fields[] = {"value", "as_of", "evidence", "evidence_url",
                                                 NULL};

static const struct refused measurement_how = {.page = "commitment",
                                               .words = "commitment",
                                               .list = "commitment.indicators",
                                               .prefix = "m",
                                               .reread = commitment_reread,
                                               .fill = commitment_fill};

/* A number as people type it ("12", "-3,5", "0.25"): a JSON number for the
 * API's check, or the text itself, which the check refuses. */
static json_t *typed_number(const char *s)
{
    char buf[48];
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    if (n == 0 || n >= sizeof buf)
        return json_string(s);
    memcpy(buf, s, n);
    buf[n] = '\0';
    size_t i = buf[0] == '-' ? 1 : 0, digits = strspn(buf + i, "0123456789");
    if (digits == 0)
        return json_string(s);
    if (buf[i + digits] == '\0' && digits <= 16)
        return json_integer(strtoll(buf, NULL, 10));
    char *sep = buf + i + digits;
    if ((*sep != '.' && *sep != ',') || strspn(sep + 1, "0123456789") != strlen(sep + 1) ||
        sep[1] == '\0')
        return json_string(s);
    *sep = '.'; /* a decimal comma, as Spanish writes it */
    return json_real(strtod(buf, NULL));
}

/* The form read into POST /v1/indicators/{id}/measurements's body: an
 * empty field is an absent member. */
static json_t *measurement_body(const json_t *form)
{
    json_t *body = json_object();
    const char *value = json_string_value(json_object_get(form, "value"));
    if (value != NULL && value[0] != '\0')
        json_object_set_new(body, "value", typed_number(value));
    page_form_copy(body, form, "as_of");
    page_form_copy(body, form, "evidence");
    page_form_copy(body, form, "evidence_url");
    return body;
}

static void measurement_done(struct req *r, enum db_status st, PGresult *res)
{
    json_t *body;
    if (!written(r, st, res, &measurement_how,
                 json_string_value(json_object_get(r->body, "indicator_id")),
                 typed(r->body, measurement_fields), &body))
        return;
    const char *status = json_string_value(json_object_get(body, "status"));
    char to[128];
    snprintf(to, sizeof to, "/commitments/%s?notice=%s", req_param(r, "id"),
             status != NULL && strcmp(status, "verified") == 0 ? "recorded" : "reported");
    json_decref(body);
    page_redirect(r, to);
}

void commitments_page_measurement(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    const char *indicator = json_string_value(json_object_get(r->body, "indicator_id"));
    if (indicator == NULL || !valid_uuid(indicator)) {
        page_error(r, 404);
        return;
    }
    struct valid v;
    valid_init(&v, r->lang);
    json_t *body = measurement_body(r->body), *out = json_object();
    commitments_measurement_check(&v, body, out);
    json_decref(body);
    char *text = checked(r, &v, out, &measurement_how, indicator, measurement_fields);
    if (text == NULL)
        return;
    /* the form (r->body) stays as typed: the 422 shows it again */
    const char *params[] = {indicator, text, r->auth.account_id, req_sql_bool(req_is_followup(r)),
                            req_sql_bool(req_is_staff(r))};
    req_query(r, &commitments_stmt_measurement_create, 5, params, measurement_done);
    free(text);
}

/* ---- POST /commitments/{id}/milestones/done|undone --------------------- */

static const char *const milestone_fields[] = {"done_on", NULL};

static const struct refused milestone_how = {.page = "commitment",
                                             .words = "commitment",
                                             .list = "commitment.milestones",
                                             .prefix = "ms",
                                             .reread = commitment_reread,
                                             .fill = commitment_fill};

static void milestone_done(struct req *r, enum db_status st, PGresult *res)
{
    json_t *body;
    if (!written(r, st, res, &milestone_how,
                 json_string_value(json_object_get(r->body, "milestone_id")),
                 typed(r->body, milestone_fields), &body))
        return;
    /* back to the milestone's own commitment */
    const char *c = json_string_value(json_object_get(body, "commitment_id"));
    bool done = !json_is_null(json_object_get(body, "done_on"));
    char to[128];
    snprintf(to, sizeof to, "/commitments/%s?notice=%s",
             c != NULL && valid_uuid(c) ? c : req_param(r, "id"),
             done ? "milestone_done" : "milestone_undone");
    json_decref(body);
    page_redirect(r, to);
}

/* done: the form's done_on (a date); not done: null. */
static void milestone_mark(struct req *r, bool done)
{
    if (!page_require_role(r, ROLE_FOLLOWUP) || !page_form_csrf_ok(r))
        return;
    const char *milestone = json_string_value(json_object_get(r->body, "milestone_id"));
    if (milestone == NULL || !valid_uuid(milestone)) {
        page_error(r, 404);
        return;
    }
    json_t *body = json_object(), *out = json_object();
    if (done) {
        const char *on = json_string_value(json_object_get(r->body, "done_on"));
        /* an empty date is no date, not "not done": that is the other form */
        json_object_set_new(body, "done_on",
                            on != NULL && on[0] != '\0' ? json_string(on) : json_string(""));
    } else {
        json_object_set_new(body, "done_on", json_null());
    }
    struct valid v;
    valid_init(&v, r->lang);
    commitments_milestone_check(&v, body, out, false);
    json_decref(body);
    char *text = checked(r, &v, out, &milestone_how, milestone, milestone_fields);
    if (text == NULL)
        return;
    const char *params[] = {milestone, text, r->auth.account_id};
    req_query(r, &commitments_stmt_milestone_patch, 3, params, milestone_done);
    free(text);
}

void commitments_page_milestone_done(struct req *r)
{
    milestone_mark(r, true);
}

void commitments_page_milestone_undone(struct req *r)
{
    milestone_mark(r, false);
}

/* ---- GET /manage/measurements ------------------------------------------ */

static void queue_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    page_decorate(data, coded);
    notice_fill(r, data, queue_notices);
}

/* The first page (or ?cursor='s) of the submitted values, as GET
 * /v1/measurements answers the caller (403 when they may review none). */
static void queue_read(struct req *r, const char *cursor, req_db_cb cb)
{
    const char *params[] = {r->auth.account_id, req_sql_bool(req_is_followup(r)), "submitted",
                            cursor, "50"};
    if (cb == NULL)
        page_query(r, "manage_measurements", &commitments_stmt_measurements_list, 5, params,
                   queue_fill);
    else
        req_query(r, &commitments_stmt_measurements_list, 5, params, cb);
}

void commitments_page_queue(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    struct page page;
    bool ok = req_page(r, &v, &page, PAGE_CURSOR_UUID);
    valid_free(&v);
    if (!ok) {
        page_error(r, 422);
        return;
    }
    queue_read(r, page.cursor, NULL);
}

static void queue_reread(struct req *r)
{
    queue_read(r, NULL, refused_done);
}

/* ---- POST /manage/measurements/{id}/review ------------------------------ */

static const char *const review_fields[] = {"decision", "comment", NULL};

static const struct refused review_how = {.page = "manage_measurements",
                                          .words = "manage_measurements",
                                          .list = "items",
                                          .prefix = "r",
                                          .reread = queue_reread,
                                          .fill = queue_fill};

/* What was typed, with decision_is for the radio that was checked. */
static json_t *review_typed(const json_t *form)
{
    json_t *values = typed(form, review_fields);
    const char *d = json_string_value(json_object_get(form, "decision"));
    if (d != NULL && (strcmp(d, "verified") == 0 || strcmp(d, "rejected") == 0))
        json_object_set_new(values, "decision_is", page_form_is(d));
    return values;
}

static void reviewed(struct req *r, enum db_status st, PGresult *res)
{
    json_t *body;
    if (!written(r, st, res, &review_how, req_param(r, "id"), review_typed(r->body), &body))
        return;
    const char *status = json_string_value(json_object_get(body, "status"));
    page_redirect(r, status != NULL && strcmp(status, "rejected") == 0
                         ? "/manage/measurements?notice=rejected"
                         : "/manage/measurements?notice=verified");
    json_decref(body);
}

void commitments_page_review(struct req *r)
{
    if (!page_form_csrf_ok(r))
        return;
    json_t *body = json_object();
    page_form_copy(body, r->body, "decision");
    page_form_copy(body, r->body, "comment");
    struct valid v;
    valid_init(&v, r->lang);
    const char *comment = NULL;
    const char *decision = commitments_review_check(&v, body, &comment);
    if (!valid_ok(&v)) {
        json_decref(body);
        refuse(r, &review_how, req_param(r, "id"), review_typed(r->body), &v);
        return;
    }
    valid_free(&v);
    commitments_review_send(r, decision, comment, reviewed);
    json_decref(body); /* db_pool copied the parameters */
}
