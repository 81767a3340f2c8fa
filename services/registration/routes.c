/* routes.c — the registration module's routes and prepared statements. */
#include "core/req.h"
#include "registration/registration.h"

const struct route registration_routes[] = {
    {"POST", "/v1/editions/{slug}/registrations", registration_create, AUTH_USER, BODY_JSON,
     OUT_JSON},
    {"GET", "/v1/editions/{slug}/registrations", registration_list_edition, AUTH_ORGANIZER,
     BODY_NONE, OUT_JSON | OUT_CSV},
    {"GET", "/v1/editions/{slug}/stats", registration_stats, AUTH_ORGANIZER, BODY_NONE, OUT_JSON},
    {"POST", "/v1/editions/{slug}/checkins", registration_checkin, AUTH_ORGANIZER, BODY_JSON,
     OUT_JSON},
    {"GET", "/v1/me/registrations", registration_list_mine, AUTH_USER, BODY_NONE, OUT_JSON},
    {"DELETE", "/v1/registrations/{id}", registration_cancel, AUTH_USER, BODY_NONE, OUT_JSON},
    {"PATCH", "/v1/registrations/{id}", registration_set_paid, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"POST", "/v1/registrations/{id}/approve", registration_approve, AUTH_ORGANIZER, BODY_NONE,
     OUT_JSON},
    {"POST", "/v1/registrations/{id}/reject", registration_reject, AUTH_ORGANIZER, BODY_OPTIONAL,
     OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const registration_stmts[] = {
    &registration_stmt_create,  &registration_stmt_cancel,
    &registration_stmt_decide,  &registration_stmt_set_paid,
    &registration_stmt_checkin, &registration_stmt_mine,
    &registration_stmt_list,    &registration_stmt_csv,
    &registration_stmt_stats,   NULL,
};
