/* editions.c — POST/GET /v1/editions, GET/PATCH /v1/editions/{slug} and
 * POST /v1/editions/{slug}/next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/db_listen.h"
#include "core/ics_edition.h"
#include "core/req.h"
#include "editions/editions.h"

static const char *const statuses[] = {"draft", "published", "closed", "archived", NULL};

const struct db_stmt editions_stmt_create = DB_ANSWER(
    editions_create,
    "$1, $2::int, $3, $4, $5, $6, $7::date, $8::date, $9, $10::timestamptz, $11::timestamptz, $12");

/* $1: whether drafts show; $2: cursor (a number); $3: limit. */
const struct db_stmt editions_stmt_list =
    DB_ANSWER(editions_list, "$1::boolean, $2::bigint, $3::int");

const struct db_stmt editions_stmt_get = DB_ANSWER(editions_get, "$1, $2::boolean");

const struct db_stmt editions_stmt_patch = DB_ANSWER(
    editions_patch,
    "$1, $2::int, $3, $4, $5, $6, $7::date, $8::date, $9, $10::timestamptz, $11::timestamptz, $12");

const struct db_stmt editions_stmt_next = DB_ANSWER(editions_next, "$1, $2::boolean, $3::boolean");

/* The edition fields of POST and PATCH, as statement parameters $2..$12
 * (params[0] is the slug). On PATCH nothing is required and null is
 * refused for fields that cannot be empty. */
static void edition_fields(struct valid *v, const json_t *b, bool create, const char *params[12],
                           char number[24])
{
    long long n = 0;
    if (valid_int(v, b, "number", 1, 1000000, create, &n)) {
        snprintf(number, 24, "%lld", n);
        params[1] = number;
    }
    params[2] = valid_string(v, b, "title", 1, 200, create);
    params[3] = valid_string(v, b, "motto", 0, 300, false);
    params[4] = valid_string(v, b, "city", 0, 100, false);
    params[5] = valid_string(v, b, "venue", 0, 200, false);
    params[6] = valid_date(v, b, "starts_on", create);
    params[7] = valid_date(v, b, "ends_on", create);
    params[8] = valid_string(v, b, "timezone", 1, 64, false);
    double opens = 0, closes = 0;
    params[9] = valid_instant(v, b, "registration_opens_at", create, &opens);
    params[10] = valid_instant(v, b, "registration_closes_at", create, &closes);
    params[11] = valid_enum(v, b, "status", statuses, false);
    if (params[6] != NULL && params[7] != NULL && strcmp(params[7], params[6]) < 0)
        valid_fail(v, "ends_on", MSG_NOT_BEFORE, 0, "starts_on");
    if (params[9] != NULL && params[10] != NULL && closes <= opens)
        valid_fail(v, "registration_closes_at", MSG_AFTER, 0, "registration_opens_at");
    if (!create) {
        static const char *const not_null[] = {"number",
                                               "title",
                                               "starts_on",
                                               "ends_on",
                                               "timezone",
                                               "registration_opens_at",
                                               "registration_closes_at",
                                               "status",
                                               NULL};
        for (int i = 0; not_null[i] != NULL; i++)
            if (json_is_null(json_object_get(b, not_null[i])))
                valid_fail(v, not_null[i], MSG_EMPTY, 0, NULL);
    }
}

void editions_create(struct req *r)
{
    struct valid v;
    const char *params[12] = {NULL};
    char number[24];
    valid_init(&v, r->lang);
    params[0] = valid_string(&v, r->body, "slug", 1, 64, true);
    if (params[0] != NULL && !valid_slug(params[0])) {
        valid_fail(&v, "slug", MSG_SLUG, 0, NULL);
        params[0] = NULL;
    }
    edition_fields(&v, r->body, true, params, number);
    if (!req_valid_ok(r, &v))
        return;
    req_query(r, &editions_stmt_create, 12, params, req_done_sql);
}

void editions_list(struct req *r)
{
    struct valid v;
    struct page page;
    valid_init(&v, r->lang);
    (void)req_page(r, &v, &page, PAGE_CURSOR_NUMBER);
    const char *params[] = {req_sql_bool(req_is_organizer(r)), page.cursor, page.limit_text};
    req_query_valid(r, &v, &editions_stmt_list, 3, params, req_done_sql);
}

/* ?format=ics: "add the edition to my calendar", the one all-day event
 * the registration mail attaches (core/ics_edition.c), with the URL of the
 * edition's page. */
static void ics_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_sql_succeeded(st, res)) {
        req_done_sql(r, st, res);
        return;
    }
    json_t *e = json_loads(req_sql_body(res), 0, NULL);
    /* the route's slug (alive with r; e's is freed with e below) */
    const char *slug = req_param(r, "slug");
    const char *pub = req_config(r)->public_url;
    char url[512];
    snprintf(url, sizeof url, "%s/editions/%s", pub != NULL ? pub : "", slug ? slug : "");
    if (e != NULL && pub != NULL && pub[0] != '\0')
        json_object_set_new(e, "url", json_string(url));
    size_t len = 0;
    char *text = e != NULL ? ics_edition(e, time(NULL), &len) : NULL;
    json_decref(e);
    if (text == NULL) {
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    char disp[160];
    snprintf(disp, sizeof disp, "inline; filename=\"%s.ics\"", slug != NULL ? slug : "edition");
    req_add_header(r, "Content-Disposition", disp);
    req_reply_raw(r, 200, "text/calendar; charset=utf-8", text, len);
    free(text);
}

void editions_get(struct req *r)
{
    const char *params[] = {req_param(r, "slug"), req_sql_bool(req_is_organizer(r))};
    req_query(r, &editions_stmt_get, 2, params, r->out == OUT_ICS ? ics_done : req_done_sql);
}

static void patch_done(struct req *r, enum db_status st, PGresult *res)
{
    if (req_sql_succeeded(st, res))
        db_listen_note_change(); /* the cached schedule and dashboard carry the edition */
    req_done_sql(r, st, res);
}

void editions_patch(struct req *r)
{
    struct valid v;
    const char *params[12] = {NULL};
    char number[24];
    valid_init(&v, r->lang);
    if (json_object_get(r->body, "slug") != NULL)
        valid_fail(&v, "slug", MSG_UNKNOWN, 0, NULL); /* the slug is the edition's name */
    edition_fields(&v, r->body, false, params, number);
    if (!req_valid_ok(r, &v))
        return;
    params[0] = req_param(r, "slug");
    req_query(r, &editions_stmt_patch, 12, params, patch_done);
}

void editions_next(struct req *r)
{
    static const char *const parts[] = {"categories", "questions", NULL};
    bool copy[2] = {true, true};
    json_t *list = json_object_get(r->body, "copy");
    if (list != NULL && !json_is_null(list)) {
        struct valid v;
        valid_init(&v, r->lang);
        copy[0] = copy[1] = false;
        if (!json_is_array(list)) {
            valid_fail(&v, "copy", MSG_NOT_ARRAY, 0, NULL);
        } else {
            size_t i;
            json_t *item;
            json_array_foreach(list, i, item) {
                const char *s = json_string_value(item);
                int k = 0;
                while (s != NULL && parts[k] != NULL && strcmp(parts[k], s) != 0)
                    k++;
                char field[32];
                snprintf(field, sizeof field, "copy[%zu]", i);
                if (s == NULL || parts[k] == NULL)
                    valid_fail(&v, field, MSG_ONE_OF, 0, "categories, questions");
                else
                    copy[k] = true;
            }
        }
        if (!req_valid_ok(r, &v))
            return;
    }
    const char *params[] = {req_param(r, "slug"), req_sql_bool(copy[0]), req_sql_bool(copy[1])};
    req_query(r, &editions_stmt_next, 3, params, req_done_sql);
}
