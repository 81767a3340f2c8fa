/* page_form.c — what every page form shares (page_form.h): a form read
 * into the API's body, a function's answer read for a page, a staff
 * page's role check. */
#include "core/page_form.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/page.h"
#include "core/problem.h"

void page_form_copy(json_t *to, const json_t *form, const char *field)
{
    const char *s = json_string_value(json_object_get(form, field));
    if (s != NULL && s[0] != '\0')
        json_object_set_new(to, field, json_string(s));
}

bool page_form_checked(const json_t *form, const char *field)
{
    return json_object_get(form, field) != NULL;
}

json_t *page_form_is(const char *value)
{
    if (value == NULL)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, value, json_true());
    return o;
}

void page_form_refused(struct req *r, const char *name, json_t *form, struct valid *v)
{
    json_t *values = json_object();
    json_object_set_new(values, "invalid", json_true());
    json_object_set_new(values, "form", form != NULL ? form : json_object());
    page_form_invalid(r, name, values, v);
    valid_free(v);
}

bool page_form_outcome(struct req *r, enum db_status st, PGresult *res, int *status,
                       const char **problem, struct valid *v)
{
    if (st != DB_OK) {
        if (st != DB_UNAVAILABLE)
            log_msg(LOG_ERROR, "req %s: query failed: %s %s", r->id, db_sqlstate(res),
                    res ? PQresultErrorMessage(res) : "no result");
        page_error(r, st == DB_UNAVAILABLE ? 503 : 500);
        return false;
    }
    if (PQntuples(res) != 1 || PQnfields(res) != 3 || PQgetisnull(res, 0, 0)) {
        log_msg(LOG_ERROR, "req %s: %s: answer breaks the (status, problem, body) contract", r->id,
                r->rt != NULL ? r->rt->pattern : "?");
        page_error(r, 500);
        return false;
    }
    *status = atoi(PQgetvalue(res, 0, 0));
    *problem = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
    valid_init(v, r->lang);
    if (*problem == NULL || strcmp(*problem, "validation-failed") != 0)
        return true;
    json_t *doc = json_loads(req_sql_body(res) ? req_sql_body(res) : "null", 0, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "errors"), i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        const char *code = json_string_value(json_object_get(e, "code"));
        (void)valid_fail_code(v, field != NULL ? field : "body", code,
                              json_string_value(json_object_get(e, "arg")));
    }
    json_decref(doc);
    if (valid_ok(v))
        valid_fail(v, "body", MSG_INVALID, 0, NULL);
    return true;
}

bool page_form_body(struct req *r, json_t *body, void (*check)(struct valid *v, const json_t *body),
                    void (*invalid)(struct req *r, struct valid *v))
{
    json_decref(r->body);
    r->body = body;
    struct valid v;
    valid_init(&v, r->lang);
    check(&v, r->body);
    if (!valid_ok(&v)) {
        invalid(r, &v);
        return false;
    }
    valid_free(&v);
    return true;
}

bool page_form_succeeded(struct req *r, enum db_status st, PGresult *res)
{
    int status;
    const char *problem;
    struct valid v;
    if (!page_form_outcome(r, st, res, &status, &problem, &v))
        return false;
    valid_free(&v);
    if (problem == NULL)
        return true;
    page_error(r, status);
    return false;
}

bool page_require_role(struct req *r, unsigned roles)
{
    if ((r->auth.roles & roles) != 0)
        return true;
    page_error(r, 403);
    return false;
}
