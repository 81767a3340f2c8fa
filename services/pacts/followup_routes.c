/* followup_routes.c — the routes and prepared statements of pact follow-up:
 * the public dashboard (cached, ETag), overdue commitments and reminders,
 * the review at the next edition and carry-over.
 *
 * Overdue and pact-review are for staff (organizer, follow-up, admin):
 * AUTH_USER plus followup_is_staff(), so an attendee gets 403 and nobody
 * needs a new auth level. Carry-over edits pacts: AUTH_FOLLOWUP. */
#include "core/req.h"
#include "pacts/followup.h"

const struct route followup_routes[] = {
    {"GET", "/v1/editions/{slug}/pacts/dashboard", followup_dashboard_get, AUTH_OPTIONAL, BODY_NONE,
     OUT_JSON},
    {"GET", "/v1/commitments/overdue", followup_overdue_list, AUTH_USER, BODY_NONE, OUT_JSON},
    {"GET", "/v1/editions/{slug}/pact-review", followup_review_get, AUTH_USER, BODY_NONE, OUT_JSON},
    {"POST", "/v1/commitments/{id}/carry-over", followup_carry_over, AUTH_FOLLOWUP, BODY_JSON,
     OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const followup_stmts[] = {
    &followup_stmt_dashboard,  &followup_stmt_overdue, &followup_stmt_review,
    &followup_stmt_carry_over, &followup_stmt_remind,  NULL,
};

bool followup_is_staff(const struct req *r)
{
    return r->auth.ok && (r->auth.roles & (ROLE_ADMIN | ROLE_ORGANIZER | ROLE_FOLLOWUP)) != 0;
}
