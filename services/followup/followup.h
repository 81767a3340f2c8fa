/* followup.h — pact follow-up: the public dashboard (cached, ETag), overdue commitments and
 * reminders, the review at the next edition and carry-over. */
#ifndef GESS_FOLLOWUP_FOLLOWUP_H
#define GESS_FOLLOWUP_FOLLOWUP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module followup_module;

struct config;
struct req;

/* `gessd remind`: sends the pact reminders that are due, once each, and
 * exits (the same work serve does periodically). argv[0] is "remind". */
int followup_remind_cli(const struct config *cfg, int argc, char **argv);

/* dashboard.c */
extern const struct db_stmt followup_stmt_dashboard;
void followup_dashboard(struct req *r);

/* pages.c: GET /editions/{slug}/pacts, the dashboard page */
extern const struct db_stmt followup_stmt_page_dashboard;
void followup_page_dashboard(struct req *r);

/* overdue.c */
extern const struct db_stmt followup_stmt_overdue;
void followup_overdue(struct req *r);

/* review.c */
extern const struct db_stmt followup_stmt_review;
void followup_review(struct req *r);

/* carry_over.c */
extern const struct db_stmt followup_stmt_carry_over;
void followup_carry_over(struct req *r);

/* reminders.c: the periodic task that sends them (listed in app.c) */
extern const struct db_stmt followup_stmt_remind;
struct server_task;
extern const struct server_task followup_remind_task;

#endif
