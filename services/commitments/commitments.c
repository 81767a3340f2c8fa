/* commitments.c — a pact's commitments: create one (or a sub-commitment),
 * and change its status with a reason. */
#include <stdio.h>
#include <string.h>

#include "commitments/commitments.h"
#include "core/req.h"

const struct db_stmt commitments_stmt_create =
    DB_ANSWER(commitments_create, "$1::uuid, $2::jsonb, $3::uuid");

const struct db_stmt commitments_stmt_set_status =
    DB_ANSWER(commitments_set_status, "$1::uuid, $2, $3, $4::uuid");

static const char *const statuses[] = {"not_started", "on_track", "at_risk", "delayed",
                                       "done",        "dropped",  NULL};

/* An optional organization or commitment id: a UUID or null. */
static void opt_uuid(struct valid *v, const json_t *b, json_t *out, const char *field)
{
    json_t *j = json_object_get(b, field);
    if (j == NULL || json_is_null(j))
        return;
    const char *s = json_string_value(j);
    if (s == NULL || !valid_uuid(s)) {
        valid_fail(v, field, s == NULL ? MSG_NOT_STRING : MSG_UUID, 0, NULL);
        return;
    }
    json_object_set(out, field, j);
}

/* co_responsible_organization_ids: up to 20 distinct UUIDs. */
static void co_ids(struct valid *v, const json_t *b, json_t *out)
{
    static const char field[] = "co_responsible_organization_ids";
    json_t *arr = valid_uuid_array(v, b, field, 20, false);
    if (arr != NULL)
        json_object_set(out, field, arr);
}

void commitments_create(struct req *r)
{
    struct valid v;
    json_t *out = commitments_begin(r, &v);
    if (out == NULL)
        return;
    valid_text_into(&v, r->body, out, "title", 1, 300, true, VALID_NULL_REFUSED);
    valid_long_text_into(&v, r->body, out, "description", 5000, false);
    opt_uuid(&v, r->body, out, "responsible_organization_id");
    co_ids(&v, r->body, out);
    const char *starts = commitments_date(&v, r->body, out, "starts_on", false, true);
    const char *due = commitments_date(&v, r->body, out, "due_on", true, false);
    /* YYYY-MM-DD texts order as the dates do */
    if (starts != NULL && due != NULL && strcmp(due, starts) < 0)
        valid_fail(&v, "due_on", MSG_NOT_BEFORE, 0, "starts_on");
    opt_uuid(&v, r->body, out, "parent_id");
    commitments_write(r, &v, &commitments_stmt_create, out);
}

void commitments_set_status(struct req *r)
{
    struct valid v;
    valid_init(&v, r->lang);
    const char *status = valid_enum(&v, r->body, "status", statuses, true);
    /* the reason may run over several lines; a blank one says nothing */
    const char *reason = NULL;
    json_t *seen = json_object();
    if (seen == NULL) {
        valid_free(&v);
        req_reply_unavailable(r);
        return;
    }
    size_t before = json_array_size(v.errors);
    valid_long_text_into(&v, r->body, seen, "reason", 2000, false);
    reason = json_string_value(json_object_get(seen, "reason"));
    json_decref(seen); /* reason points into r->body, which outlives the query */
    if (json_array_size(v.errors) == before &&
        (reason == NULL || strspn(reason, " \t\r\n") == strlen(reason)))
        valid_fail(&v, "reason", MSG_REQUIRED, 0, NULL);
    const char *params[] = {req_param(r, "id"), status, reason, r->auth.account_id};
    req_query_valid(r, &v, &commitments_stmt_set_status, 4, params, req_done_sql_changed);
}
