/* series.h — "Rumbo al GESS": the events that lead up to an edition, RSVPs,
 * attendance, recurring events and the participation report. */
#ifndef GESS_SERIES_H
#define GESS_SERIES_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"
#include "core/valid.h"

extern const struct module series_module;

struct req;

/* events.c */
void series_event_create(struct req *r);
/* The checked members of an event body (valid_body_fn). */
json_t *series_event_fields(struct valid *v, const json_t *body, bool create);
void series_event_list(struct req *r);
void series_event_recurring(struct req *r);
void series_event_get(struct req *r);
void series_event_patch(struct req *r);
void series_event_cancel(struct req *r);

/* rsvp.c */
void series_rsvp_create(struct req *r);
/* The checked mode of an RSVP body (the API's and the page form's check);
 * borrowed from body, NULL when refused into v. */
const char *series_rsvp_mode(struct valid *v, const json_t *body);
void series_rsvp_cancel(struct req *r);

/* attendance.c */
void series_attendance_create(struct req *r);
void series_attendance_list(struct req *r);
void series_participation(struct req *r);

extern const struct db_stmt series_stmt_event_create, series_stmt_event_list,
    series_stmt_event_list_ics, series_stmt_event_recurring, series_stmt_event_get,
    series_stmt_event_patch, series_stmt_event_cancel, series_stmt_rsvp_create,
    series_stmt_rsvp_cancel, series_stmt_attendance_create, series_stmt_attendance_list,
    series_stmt_participation, series_stmt_page_rumbo, series_stmt_page_event;

/* pages.c: GET /editions/{slug}/rumbo and GET /series-events/{id} (text/html) */
void series_page_rumbo(struct req *r);
void series_page_event(struct req *r);
/* POST /series-events/{id}/rsvp (mode) and /withdraw: forms, 303 back to the
 * event's page with a notice; an unoffered mode is the page again, 422. */
void series_page_rsvp(struct req *r);
void series_page_withdraw(struct req *r);

#endif
