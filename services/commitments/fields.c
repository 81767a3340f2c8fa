/* fields.c — what the commitments handlers share: checking dates and
 * numbers, and handing the checked members to SQL. */
#include <math.h>
#include <stdlib.h>

#include "commitments/commitments.h"
#include "core/req.h"

const char *commitments_date(struct valid *v, const json_t *b, json_t *out, const char *field,
                             bool required, bool nullable)
{
    json_t *j = json_object_get(b, field);
    if (nullable && j != NULL && json_is_null(j)) {
        json_object_set_new(out, field, json_null());
        return NULL;
    }
    const char *s = valid_date(v, b, field, required);
    if (s != NULL)
        json_object_set_new(out, field, json_string(s));
    return s;
}

bool commitments_number(struct valid *v, const json_t *j, const char *name, double *out)
{
    if (j == NULL || json_is_null(j)) {
        valid_fail(v, name, MSG_REQUIRED, 0, NULL);
        return false;
    }
    /* json_is_number is false for true/false and strings */
    double d = json_is_number(j) ? json_number_value(j) : NAN;
    if (!isfinite(d) || fabs(d) > 1e15) {
        valid_fail(v, name, MSG_ONE_OF, 0, "a number from -1e15 to 1e15");
        return false;
    }
    *out = d;
    return true;
}

json_t *commitments_begin(struct req *r, struct valid *v)
{
    json_t *out = json_object();
    if (out == NULL) {
        req_reply_unavailable(r);
        return NULL;
    }
    valid_init(v, r->lang);
    return out;
}

/* 15 significant digits: a decimal typed by a person (0.1) reaches
 * PostgreSQL's numeric as typed, not as the nearest double's expansion */
#define CHECKED_JSON (JSON_COMPACT | JSON_REAL_PRECISION(15))

char *commitments_text(struct req *r, struct valid *v, json_t *out)
{
    return req_valid_json(r, v, out, CHECKED_JSON);
}

char *commitments_checked_text(const json_t *out)
{
    return json_dumps(out, CHECKED_JSON);
}

void commitments_write(struct req *r, struct valid *v, const struct db_stmt *stmt, json_t *out)
{
    char *text = commitments_text(r, v, out);
    if (text == NULL)
        return;
    const char *params[] = {req_param(r, "id"), text, r->auth.account_id};
    req_query(r, stmt, 3, params, req_done_sql_changed);
    free(text);
}
