/* routes.c — the series module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "series/series.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/editions/{slug}/series-events", series_event_create, "series/events.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/series-events", series_event_list, "series/events.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON | OUT_ICS),
    ROUTE("POST", "/v1/editions/{slug}/series-events/recurring", series_event_recurring,
          "series/events.c", AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/series-participation", series_participation,
          "series/attendance.c", AUTH_ORGANIZER, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/series-events/{id}", series_event_get, "series/events.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_JSON),
    ROUTE("PATCH", "/v1/series-events/{id}", series_event_patch, "series/events.c", AUTH_ORGANIZER,
          BODY_JSON, OUT_JSON),
    ROUTE("DELETE", "/v1/series-events/{id}", series_event_cancel, "series/events.c",
          AUTH_ORGANIZER, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/series-events/{id}/rsvp", series_rsvp_create, "series/rsvp.c", AUTH_USER,
          BODY_JSON, OUT_JSON),
    ROUTE("DELETE", "/v1/series-events/{id}/rsvp", series_rsvp_cancel, "series/rsvp.c", AUTH_USER,
          BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/series-events/{id}/attendance", series_attendance_create,
          "series/attendance.c", AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/series-events/{id}/attendance", series_attendance_list, "series/attendance.c",
          AUTH_ORGANIZER, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/editions/{slug}/rumbo", series_page_rumbo, "series/pages.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_HTML),
    ROUTE("GET", "/series-events/{id}", series_page_event, "series/pages.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_HTML),
    ROUTE("POST", "/series-events/{id}/rsvp", series_page_rsvp, "series/pages.c", AUTH_USER,
          BODY_FORM, OUT_HTML),
    ROUTE("POST", "/series-events/{id}/withdraw", series_page_withdraw, "series/pages.c", AUTH_USER,
          BODY_FORM, OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &series_stmt_event_create,      &series_stmt_event_list,      &series_stmt_event_list_ics,
    &series_stmt_event_recurring,   &series_stmt_event_get,       &series_stmt_event_patch,
    &series_stmt_event_cancel,      &series_stmt_rsvp_create,     &series_stmt_rsvp_cancel,
    &series_stmt_attendance_create, &series_stmt_attendance_list, &series_stmt_participation,
    &series_stmt_page_rumbo,        &series_stmt_page_event,      NULL,
};

const struct module series_module = {"series", routes, statements, NULL};
