/* measurements.c — the values reported for an indicator, and their review:
 * a party's contact submits, the follow-up team or a verifier party's
 * contact verifies or rejects; only verified values count. */
#include <stdlib.h>
#include <string.h>

#include "commitments/commitments.h"
#include "core/req.h"

/* $4 followup, $5 staff (who sees every pact). */
const struct db_stmt commitments_stmt_measurement_create = DB_ANSWER(
    commitments_measurement_create, "$1::uuid, $2::jsonb, $3::uuid, $4::boolean, $5::boolean");

const struct db_stmt commitments_stmt_measurement_review = DB_ANSWER(
    commitments_measurement_review, "$1::uuid, $2, $3, $4::uuid, $5::boolean, $6::boolean");

static const char *const decisions[] = {"verified", "rejected", NULL};

/* True when a text field is absent, null or only white space. */
static bool blank(const json_t *b, const char *field)
{
    const char *s = json_string_value(json_object_get(b, field));
    return s == NULL || strspn(s, " \t\r\n") == strlen(s);
}

void commitments_measurement_check(struct valid *v, const json_t *body, json_t *out)
{
    double value;
    if (commitments_number(v, json_object_get(body, "value"), "value", &value))
        json_object_set(out, "value", json_object_get(body, "value"));
    (void)commitments_date(v, body, out, "as_of", true, false);
    size_t before = json_array_size(v->errors);
    valid_long_text_into(v, body, out, "evidence", 5000, false);
    bool evidence_ok = json_array_size(v->errors) == before;
    json_t *url = json_object_get(body, "evidence_url");
    if (url != NULL && !json_is_null(url))
        valid_url_into(v, body, out, "evidence_url", 500, VALID_NULL_KEEPS);
    bool has_url = json_object_get(out, "evidence_url") != NULL;
    /* a value without anything to check it against does not count */
    if (evidence_ok && !has_url && blank(body, "evidence") && (url == NULL || json_is_null(url)))
        valid_fail(v, "evidence", MSG_REQUIRED, 0, NULL);
}

void commitments_measurement_create(struct req *r)
{
    struct valid v;
    json_t *out = commitments_begin(r, &v);
    if (out == NULL)
        return;
    commitments_measurement_check(&v, r->body, out);
    char *text = commitments_text(r, &v, out);
    if (text == NULL)
        return;
    const char *params[] = {req_param(r, "id"), text, r->auth.account_id,
                            req_sql_bool(req_is_followup(r)), req_sql_bool(req_is_staff(r))};
    req_query(r, &commitments_stmt_measurement_create, 5, params, req_done_sql_changed);
    free(text);
}

const char *commitments_review_check(struct valid *v, const json_t *body, const char **comment)
{
    const char *decision = valid_enum(v, body, "decision", decisions, true);
    *comment = valid_long_text(v, body, "comment", 0, 2000, false);
    /* a rejection tells the reporter why */
    if (decision != NULL && strcmp(decision, "rejected") == 0 && valid_ok(v) &&
        blank(body, "comment"))
        valid_fail(v, "comment", MSG_REQUIRED, 0, NULL);
    return decision;
}

void commitments_review_send(struct req *r, const char *decision, const char *comment,
                             req_db_cb done)
{
    const char *params[] = {req_param(r, "id"),
                            decision,
                            comment != NULL ? comment : "",
                            r->auth.account_id,
                            req_sql_bool(req_is_followup(r)),
                            req_sql_bool(req_is_staff(r))};
    req_query(r, &commitments_stmt_measurement_review, 6, params, done); /* values copied */
}

void commitments_measurement_review(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *comment = NULL;
    const char *decision = commitments_review_check(&v, r->body, &comment);
    if (req_valid_ok(r, &v))
        commitments_review_send(r, decision, comment, req_done_sql_changed);
}

/* $1 viewer, $2 followup, $3 status, $4 cursor, $5 limit. */
const struct db_stmt commitments_stmt_measurements_list =
    DB_ANSWER(commitments_measurements_list, "$1::uuid, $2::boolean, $3, $4::uuid, $5::int");

static const char *const statuses[] = {"submitted", "verified", "rejected", NULL};

void commitments_measurements_list(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *status = req_query_param(r, "status");
    if (status == NULL)
        status = "submitted";
    bool known = false;
    for (size_t i = 0; statuses[i] != NULL; i++)
        known = known || strcmp(status, statuses[i]) == 0;
    if (!known)
        valid_fail(&v, "status", MSG_ONE_OF, 0, "submitted, verified, rejected");
    struct page page;
    (void)req_page(r, &v, &page, PAGE_CURSOR_UUID);
    const char *params[] = {r->auth.account_id, req_sql_bool(req_is_followup(r)), status,
                            page.cursor, page.limit_text};
    req_query_valid(r, &v, &commitments_stmt_measurements_list, 5, params, req_done_sql);
}
