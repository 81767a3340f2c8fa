/* series.h — "Rumbo al GESS": the events that lead up to an edition, RSVPs,
 * attendance, recurring events and the participation report. */
#ifndef GESS_SERIES_H
#define GESS_SERIES_H

#include <jansson.h>
#include <stdbool.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module series_module;

struct req;
struct valid;

void series_event_create(struct req *r);
void series_event_list(struct req *r);
void series_event_recurring(struct req *r);
void series_event_get(struct req *r);
void series_event_patch(struct req *r);
void series_event_cancel(struct req *r);
void series_rsvp_create(struct req *r);
void series_rsvp_delete(struct req *r);
void series_attendance_create(struct req *r);
void series_attendance_list(struct req *r);
void series_participation(struct req *r);

/* Validates the fields of an event body b (all of them on create, those
 * present on a PATCH), naming errors with prefix ("" or "event."). Returns
 * the checked fields as a new JSON object for the SQL functions, or NULL
 * when some field failed (recorded in v) or memory ran out. */
json_t *series_event_fields(struct valid *v, const json_t *b, const char *prefix, bool create);

/* Callback for statements answering (problem, body, status): a problem
 * slug answers that problem (validation-failed with {errors: [{field,
 * code, s}]} worded in the caller's language, other slugs with body's
 * members merged), else body with status (204: none); no row is 404. */
void series_done(struct req *r, enum db_status st, PGresult *res);

/* The caller's account id, or NULL when anonymous. */
const char *series_viewer(const struct req *r);

extern const struct db_stmt series_stmt_create, series_stmt_list, series_stmt_list_ics,
    series_stmt_recurring, series_stmt_get, series_stmt_patch, series_stmt_cancel, series_stmt_rsvp,
    series_stmt_rsvp_delete, series_stmt_attendance, series_stmt_attendance_list,
    series_stmt_participation;

#endif
