/* measurements.c — the values reported for an indicator, and their review:
 * a party's contact submits, the follow-up team or a verifier party's
 * contact verifies or rejects; only verified values count. */
#include <string.h>

#include "commitments/commitments.h"
#include "core/req.h"

/* $4 followup, $5 staff (who sees every pact). */
const struct db_stmt cm_stmt_measurement_create = {
    "cm_measurement_create",
    "SELECT problem, body, status"
    " FROM commitments_measurement_create($1::uuid, $2::jsonb, $3::uuid, $4::boolean, $5::boolean)",
};

const struct db_stmt cm_stmt_measurement_review = {
    "cm_measurement_review",
    "SELECT problem, body, status FROM commitments_measurement_review($1::uuid, $2, $3, $4::uuid,"
    " $5::boolean, $6::boolean)",
};

static const char *const decisions[] = {"verified", "rejected", NULL};

/* True when a text field is absent, null or only white space. */
static bool blank(const json_t *b, const char *field)
{
    const char *s = json_string_value(json_object_get(b, field));
    return s == NULL || strspn(s, " \t\r\n") == strlen(s);
}

void commitments_measurement_create(struct req *r)
{
    const char *id = cm_path_id(r);
    if (id == NULL)
        return;
    struct valid v;
    valid_init(&v, r->lang);
    json_t *out = json_object();
    if (out == NULL) {
        valid_free(&v);
        req_reply_unavailable(r);
        return;
    }
    double value;
    if (cm_number(&v, json_object_get(r->body, "value"), "value", &value))
        json_object_set(out, "value", json_object_get(r->body, "value"));
    (void)cm_date(&v, r->body, out, "as_of", true, false);
    size_t before = json_array_size(v.errors);
    valid_long_text_into(&v, r->body, out, "evidence", 5000, false);
    bool evidence_ok = json_array_size(v.errors) == before;
    json_t *url = json_object_get(r->body, "evidence_url");
    bool has_url = false;
    if (url != NULL && !json_is_null(url)) {
        const char *u = valid_string(&v, r->body, "evidence_url", 1, 500, false);
        if (u != NULL && !cm_url_ok(u))
            valid_fail(&v, "evidence_url", MSG_ONE_OF, 0, "an http:// or https:// link");
        else if (u != NULL) {
            json_object_set_new(out, "evidence_url", json_string(u));
            has_url = true;
        }
    }
    /* a value without anything to check it against does not count */
    if (evidence_ok && !has_url && blank(r->body, "evidence") && (url == NULL || json_is_null(url)))
        valid_fail(&v, "evidence", MSG_REQUIRED, 0, NULL);
    if (!valid_ok(&v)) {
        json_decref(out);
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    char *text;
    if (!cm_keep_json(r, out, &text))
        return;
    const char *params[] = {id, text, r->auth.account_id, cm_followup(r), cm_staff(r)};
    req_query(r, &cm_stmt_measurement_create, 5, params, cm_done);
}

void commitments_measurement_review(struct req *r)
{
    const char *id = cm_path_id(r);
    if (id == NULL)
        return;
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
    if (!valid_ok(&v)) {
        req_reply_invalid(r, &v);
        return;
    }
    valid_free(&v);
    const char *why = comment != NULL ? comment : "";
    const char *params[] = {id, decision, why, r->auth.account_id, cm_followup(r), cm_staff(r)};
    req_query(r, &cm_stmt_measurement_review, 6, params, cm_done);
}
