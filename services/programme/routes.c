/* routes.c — the programme module's routes and prepared statements. */
#include "core/req.h"
#include "programme/programme.h"

const struct route programme_routes[] = {
    {"POST", "/v1/editions/{slug}/rooms", programme_room_create, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions/{slug}/rooms", programme_room_list, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"POST", "/v1/editions/{slug}/tracks", programme_track_create, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions/{slug}/tracks", programme_track_list, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"POST", "/v1/editions/{slug}/speakers", programme_speaker_create, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions/{slug}/speakers", programme_speaker_list, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"POST", "/v1/editions/{slug}/sessions", programme_session_create, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions/{slug}/sessions", programme_session_list, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"GET", "/v1/sessions/{id}", programme_session_get, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"PATCH", "/v1/sessions/{id}", programme_session_patch, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"DELETE", "/v1/sessions/{id}", programme_session_delete, AUTH_ORGANIZER, BODY_NONE, OUT_JSON},
    {"POST", "/v1/sessions/{id}/reservation", programme_reserve, AUTH_USER, BODY_NONE, OUT_JSON},
    {"DELETE", "/v1/sessions/{id}/reservation", programme_unreserve, AUTH_USER, BODY_NONE, OUT_JSON},
    {"GET", "/v1/me/agenda", programme_agenda, AUTH_USER, BODY_NONE, OUT_JSON | OUT_ICS},
    {"PUT", "/v1/me/agenda/{session_id}", programme_agenda_put, AUTH_USER, BODY_NONE, OUT_JSON},
    {"DELETE", "/v1/me/agenda/{session_id}", programme_agenda_delete, AUTH_USER, BODY_NONE, OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const programme_stmts[] = {
    &programme_stmt_room_create,
    &programme_stmt_room_list,
    &programme_stmt_track_create,
    &programme_stmt_track_list,
    &programme_stmt_speaker_create,
    &programme_stmt_speaker_list,
    &programme_stmt_session_save,
    &programme_stmt_session_list,
    &programme_stmt_session_get,
    &programme_stmt_session_delete,
    &programme_stmt_reserve,
    &programme_stmt_unreserve,
    &programme_stmt_agenda,
    &programme_stmt_agenda_ics,
    &programme_stmt_agenda_put,
    &programme_stmt_agenda_delete,
    NULL,
};
