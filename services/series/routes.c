/* routes.c — the series module's routes and prepared statements. */
#include "core/req.h"
#include "series/series.h"

const struct route series_routes[] = {
    {"POST", "/v1/editions/{slug}/series-events", series_event_create, AUTH_ORGANIZER, BODY_JSON,
     OUT_JSON},
    {"GET", "/v1/editions/{slug}/series-events", series_event_list, AUTH_OPTIONAL, BODY_NONE,
     OUT_JSON | OUT_ICS},
    {"POST", "/v1/editions/{slug}/series-events/recurring", series_event_recurring, AUTH_ORGANIZER,
     BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions/{slug}/series-participation", series_participation, AUTH_ORGANIZER,
     BODY_NONE, OUT_JSON},
    {"GET", "/v1/series-events/{id}", series_event_get, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"PATCH", "/v1/series-events/{id}", series_event_patch, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"DELETE", "/v1/series-events/{id}", series_event_cancel, AUTH_ORGANIZER, BODY_NONE, OUT_JSON},
    {"POST", "/v1/series-events/{id}/rsvp", series_rsvp_create, AUTH_USER, BODY_JSON, OUT_JSON},
    {"DELETE", "/v1/series-events/{id}/rsvp", series_rsvp_delete, AUTH_USER, BODY_NONE, OUT_JSON},
    {"POST", "/v1/series-events/{id}/attendance", series_attendance_create, AUTH_ORGANIZER,
     BODY_JSON, OUT_JSON},
    {"GET", "/v1/series-events/{id}/attendance", series_attendance_list, AUTH_ORGANIZER, BODY_NONE,
     OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const series_stmts[] = {
    &series_stmt_create,
    &series_stmt_list,
    &series_stmt_list_ics,
    &series_stmt_recurring,
    &series_stmt_get,
    &series_stmt_patch,
    &series_stmt_cancel,
    &series_stmt_rsvp,
    &series_stmt_rsvp_delete,
    &series_stmt_attendance,
    &series_stmt_attendance_list,
    &series_stmt_participation,
    NULL,
};
