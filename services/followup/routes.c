/* routes.c — the routes and prepared statements of pact follow-up:
 * the public dashboard (cached, ETag), overdue commitments and reminders,
 * the review at the next edition and carry-over.
 *
 * Overdue and pact-review are for staff (organizer, follow-up, admin):
 * AUTH_USER plus req_is_staff(), so an attendee gets 403 and nobody
 * needs a new auth level. Carry-over edits pacts: AUTH_FOLLOWUP. */
#include "core/module.h"
#include "core/req.h"
#include "core/server.h"
#include "followup/followup.h"

static const struct route routes[] = {
    ROUTE("GET", "/v1/editions/{slug}/pacts/dashboard", followup_dashboard, "followup/dashboard.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/commitments/overdue", followup_overdue, "followup/overdue.c", AUTH_USER,
          BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/pact-review", followup_review, "followup/review.c", AUTH_USER,
          BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/commitments/{id}/carry-over", followup_carry_over, "followup/carry_over.c",
          AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
    /* the dashboard page for people (HTML; pages.c) */
    ROUTE("GET", "/editions/{slug}/pacts", followup_page_dashboard, "followup/pages.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &followup_stmt_dashboard,
    &followup_stmt_overdue,
    &followup_stmt_review,
    &followup_stmt_carry_over,
    &followup_stmt_remind,
    &followup_stmt_page_dashboard,
    NULL,
};

static const struct server_task *const tasks[] = {&followup_remind_task, NULL};

const struct module followup_module = {"followup", routes, statements, tasks};
