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

void commitments_measurement_create(struct req *r)
{
    struct valid v;
    json_t *out = commitments_begin(r, &v);
    if (out == NULL)
        return;
    double value;
    if (commitments_number(&v, json_object_get(r->body, "value"), "value", &value))
        json_object_set(out, "value", json_object_get(r->body, "value"));
    (void)commitments_date(&v, r->body, out, "as_of", true, false);
    size_t before = json_array_size(v.errors);
    valid_long_text_into(&v, r->body, out, "evidence", 5000, false);
    bool evidence_ok = json_array_size(v.errors) == before;
    json_t *url = json_object_get(r->body, "evidence_url");
    if (url != NULL && !json_is_null(url))
        valid_url_into(&v, r->body, out, "evidence_url", 500, VALID_NULL_KEEPS);
    bool has_url = json_object_get(out, "evidence_url") != NULL;
    /* a value without anything to check it against does not count */
    if (evidence_ok && !has_url && blank(r->body, "evidence") && (url == NULL || json_is_null(url)))
        valid_fail(&v, "evidence", MSG_REQUIRED, 0, NULL);
    char *text = commitments_text(r, &v, out);
    if (text == NULL)
        return;
    const char *params[] = {req_param(r, "id"), text, r->auth.account_id,
                            req_sql_bool(req_is_followup(r)), req_sql_bool(req_is_staff(r))};
    req_query(r, &commitments_stmt_measurement_create, 5, params, req_done_sql_changed);
    free(text);
}

void commitments_measurement_review(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *decision = valid_enum(&v, r->body, "decision", decisions, true);
    json_t *out = json_object();
    if (out == NULL) {
        valid_free(&v);
        req_reply_unavailable(r);
        return;
    }
    valid_long_text_into(&v, r->body, out, "comment", 2000, false);
    /* a rejection tells the reporter why */
    if (decision != NULL && strcmp(decision, "rejected") == 0 && valid_ok(&v) &&
        blank(r->body, "comment"))
        valid_fail(&v, "comment", MSG_REQUIRED, 0, NULL);
    const char *comment = json_string_value(json_object_get(out, "comment"));
    json_decref(out); /* comment points into r->body, which outlives the query */
    if (!req_valid_ok(r, &v))
        return;
    const char *why = comment != NULL ? comment : "";
    const char *params[] = {req_param(r, "id"),
                            decision,
                            why,
                            r->auth.account_id,
                            req_sql_bool(req_is_followup(r)),
                            req_sql_bool(req_is_staff(r))};
    req_query(r, &commitments_stmt_measurement_review, 6, params, req_done_sql_changed);
}
