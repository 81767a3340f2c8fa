/* routes.c — the programme module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "programme/programme.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/editions/{slug}/rooms", programme_room_create, "programme/rooms.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/rooms", programme_room_list, "programme/rooms.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/editions/{slug}/tracks", programme_track_create, "programme/tracks.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/tracks", programme_track_list, "programme/tracks.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/editions/{slug}/speakers", programme_speaker_create, "programme/speakers.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/speakers", programme_speaker_list, "programme/speakers.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/editions/{slug}/sessions", programme_session_create, "programme/sessions.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/sessions", programme_session_list, "programme/sessions.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/sessions/{id}", programme_session_get, "programme/sessions.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_JSON),
    ROUTE("PATCH", "/v1/sessions/{id}", programme_session_patch, "programme/sessions.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("DELETE", "/v1/sessions/{id}", programme_session_delete, "programme/sessions.c",
          AUTH_ORGANIZER, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/sessions/{id}/reservation", programme_reserve, "programme/reservations.c",
          AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("DELETE", "/v1/sessions/{id}/reservation", programme_unreserve,
          "programme/reservations.c", AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/me/agenda", programme_agenda, "programme/agenda.c", AUTH_USER, BODY_NONE,
          OUT_JSON | OUT_ICS),
    ROUTE("PUT", "/v1/me/agenda/{session_id}", programme_agenda_put, "programme/agenda.c",
          AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("DELETE", "/v1/me/agenda/{session_id}", programme_agenda_delete, "programme/agenda.c",
          AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/editions/{slug}/programme", programme_page_programme, "programme/pages.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_HTML),
    ROUTE("GET", "/sessions/{id}", programme_page_session, "programme/pages.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &programme_stmt_room_create,    &programme_stmt_room_list,
    &programme_stmt_track_create,   &programme_stmt_track_list,
    &programme_stmt_speaker_create, &programme_stmt_speaker_list,
    &programme_stmt_session_create, &programme_stmt_session_patch,
    &programme_stmt_session_list,   &programme_stmt_session_get,
    &programme_stmt_session_delete, &programme_stmt_reserve,
    &programme_stmt_unreserve,      &programme_stmt_agenda,
    &programme_stmt_agenda_ics,     &programme_stmt_agenda_put,
    &programme_stmt_agenda_delete,  &programme_stmt_page_programme,
    &programme_stmt_page_session,   NULL,
};

const struct module programme_module = {"programme", routes, statements, NULL};
