/* req_answer.c — the one way SQL answers a request, and the answers
 * built on it (pages of a list, iCalendar).
 *
 * Every API function of schema/functions/ returns one row
 * (status integer, problem text, body json); req.h says what each
 * combination means. One contract means one place that turns SQL's words
 * into HTTP, and a handler that has nothing to decide after its query
 * passes req_done_sql itself as the callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_listen.h"
#include "core/ics.h"
#include "core/log.h"
#include "core/req.h"

/* The contract's columns, by position: handlers' statements select
 * `status, problem, body` in this order. */
enum { COL_STATUS, COL_PROBLEM, COL_BODY, NCOLS };

static bool row_shaped(PGresult *res)
{
    return PQntuples(res) == 1 && PQnfields(res) == NCOLS && !PQgetisnull(res, 0, COL_STATUS);
}

bool req_sql_succeeded(enum db_status st, PGresult *res)
{
    return st == DB_OK && row_shaped(res) && PQgetisnull(res, 0, COL_PROBLEM);
}

const char *req_sql_body(PGresult *res)
{
    return PQgetisnull(res, 0, COL_BODY) ? NULL : PQgetvalue(res, 0, COL_BODY);
}

/* validation-failed: SQL names each field with a code (and an argument
 * for its placeholder); core words them in the caller's language. */
static void reply_sql_errors(struct req *r, const char *body, const char *stmt)
{
    struct valid v;
    valid_init(&v, r->lang);
    json_t *doc = body != NULL ? json_loads(body, 0, NULL) : NULL;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "errors"), i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *code = json_string_value(json_object_get(e, "code"));
        if (field == NULL)
            field = "body";
        if (!valid_fail_code(&v, field, code, json_string_value(json_object_get(e, "arg"))))
            log_msg(LOG_ERROR, "req %s: %s: validation code '%s' has no words in core/problem.c",
                    r->id, stmt, code != NULL ? code : "(none)");
    }
    json_decref(doc);
    if (valid_ok(&v)) { /* validation-failed without errors: a gap in the SQL */
        log_msg(LOG_ERROR, "req %s: %s: validation-failed names no field", r->id, stmt);
        valid_fail(&v, "body", MSG_INVALID, 0, NULL);
    }
    req_reply_invalid(r, &v);
}

/* A row that breaks the contract is a defect of the function, not of the
 * request: logged with the statement and answered 500. */
static void reply_broken(struct req *r, const char *why)
{
    log_msg(LOG_ERROR, "req %s: %s: answer breaks the (status, problem, body) contract: %s", r->id,
            r->rt != NULL ? r->rt->pattern : "?", why);
    req_reply_problem(r, "internal-error", NULL);
}

void req_done_sql(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    if (!row_shaped(res)) {
        reply_broken(r, PQntuples(res) != 1 ? "not one row" : "not three columns with a status");
        return;
    }
    int status = atoi(PQgetvalue(res, 0, COL_STATUS));
    const char *body = req_sql_body(res);
    if (!PQgetisnull(res, 0, COL_PROBLEM)) {
        const char *slug = PQgetvalue(res, 0, COL_PROBLEM);
        if (!problem_known(slug)) {
            reply_broken(r, "a problem slug core/problem.c does not know");
            return;
        }
        if (status != problem_status(slug)) {
            reply_broken(r, "status is not the problem's");
            return;
        }
        if (strcmp(slug, "validation-failed") == 0)
            reply_sql_errors(r, body, r->rt != NULL ? r->rt->pattern : "?");
        else
            req_reply_problem_members(r, slug, body);
        return;
    }
    if (status == 204) {
        req_reply_empty(r, 204);
        return;
    }
    if (status < 200 || status > 299 || body == NULL) {
        reply_broken(r, "a success needs a 2xx status and, but for 204, a body");
        return;
    }
    req_reply_json_text(r, status, body, (size_t)PQgetlength(res, 0, COL_BODY));
}

void req_done_sql_changed(struct req *r, enum db_status st, PGresult *res)
{
    if (req_sql_succeeded(st, res))
        db_listen_note_change();
    req_done_sql(r, st, res);
}

bool req_page(struct req *r, struct valid *v, struct page *p, enum page_cursor kind)
{
    p->cursor = req_query_param(r, "cursor");
    const char *s = req_query_param(r, "limit");
    long n = 50;
    bool ok = true;
    if (s != NULL) {
        char *end = NULL;
        n = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || n < 1 || n > 200) {
            valid_fail(v, "limit", MSG_RANGE, 0, "1 to 200");
            n = 50;
            ok = false;
        }
    }
    p->limit = (int)n;
    snprintf(p->limit_text, sizeof p->limit_text, "%d", p->limit);
    if (p->cursor == NULL)
        return ok;
    size_t len = strlen(p->cursor);
    bool good = kind == PAGE_CURSOR_UUID
                    ? valid_uuid(p->cursor)
                    : len >= 1 && len <= 18 && strspn(p->cursor, "0123456789") == len;
    if (!good) {
        valid_fail(v, "cursor", kind == PAGE_CURSOR_UUID ? MSG_UUID : MSG_CURSOR, 0, NULL);
        return false;
    }
    return ok;
}

void req_reply_ics(struct req *r, const char *calendar_json, const char *filename)
{
    json_t *cal = calendar_json != NULL ? json_loads(calendar_json, 0, NULL) : NULL;
    size_t len = 0;
    char *text = cal != NULL ? ics_render(cal, &len) : NULL;
    json_decref(cal);
    if (text == NULL) {
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    if (filename != NULL) {
        char disp[160];
        snprintf(disp, sizeof disp, "inline; filename=\"%s\"", filename);
        req_add_header(r, "Content-Disposition", disp);
    }
    req_reply_raw(r, 200, "text/calendar; charset=utf-8", text, len);
    free(text);
}
