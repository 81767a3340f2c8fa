/* milestones.c — the milestones of a commitment: add one, change it or
 * mark it done (PATCH {done_on}); with no indicators, a commitment's
 * progress is its milestones done over all. */
#include "commitments/commitments.h"
#include "core/req.h"

const struct db_stmt commitments_stmt_milestone_create =
    DB_ANSWER(commitments_milestone_create, "$1::uuid, $2::jsonb, $3::uuid");

const struct db_stmt commitments_stmt_milestone_patch =
    DB_ANSWER(commitments_milestone_patch, "$1::uuid, $2::jsonb, $3::uuid");

void commitments_milestone_check(struct valid *v, const json_t *body, json_t *out, bool create)
{
    json_t *title = json_object_get(body, "title");
    if (!create && title != NULL && json_is_null(title))
        valid_fail(v, "title", MSG_EMPTY, 0, NULL);
    else
        valid_text_into(v, body, out, "title", 1, 300, create, VALID_NULL_REFUSED);
    json_t *due = json_object_get(body, "due_on");
    if (!create && due != NULL && json_is_null(due))
        valid_fail(v, "due_on", MSG_EMPTY, 0, NULL);
    else
        (void)commitments_date(v, body, out, "due_on", create, false);
    if (!create)
        (void)commitments_date(v, body, out, "done_on", false, true);
}

/* Checks the fields and runs stmt with the checked ones. */
static void milestone_write(struct req *r, const struct db_stmt *stmt, bool create)
{
    struct valid v;
    json_t *out = commitments_begin(r, &v);
    if (out == NULL)
        return;
    commitments_milestone_check(&v, r->body, out, create);
    commitments_write(r, &v, stmt, out);
}

void commitments_milestone_create(struct req *r)
{
    milestone_write(r, &commitments_stmt_milestone_create, true);
}

void commitments_milestone_patch(struct req *r)
{
    milestone_write(r, &commitments_stmt_milestone_patch, false);
}
