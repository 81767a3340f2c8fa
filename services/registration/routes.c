/* routes.c — the registration module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "registration/registration.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/editions/{slug}/registrations", registration_create, "registration/create.c",
          AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/registrations", registration_list_edition,
          "registration/lists.c", AUTH_ORGANIZER, BODY_NONE, OUT_JSON | OUT_CSV),
    ROUTE("GET", "/v1/editions/{slug}/stats", registration_stats, "registration/lists.c",
          AUTH_ORGANIZER, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/editions/{slug}/checkins", registration_checkin, "registration/manage.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/me/registrations", registration_list_mine, "registration/lists.c", AUTH_USER,
          BODY_NONE, OUT_JSON),
    ROUTE("DELETE", "/v1/registrations/{id}", registration_cancel, "registration/manage.c",
          AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("PATCH", "/v1/registrations/{id}", registration_set_paid, "registration/manage.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/registrations/{id}/approve", registration_approve, "registration/manage.c",
          AUTH_ORGANIZER, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/registrations/{id}/reject", registration_reject, "registration/manage.c",
          AUTH_ORGANIZER, BODY_OPTIONAL, OUT_JSON),
    /* attendee registration and badge (pages_register.c, badge.c) */
    ROUTE("GET", "/v1/registrations/{id}/badge.svg", registration_badge_svg, "registration/badge.c",
          AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/editions/{slug}/register", registration_page_register,
          "registration/pages_register.c", AUTH_USER, BODY_NONE, OUT_HTML),
    ROUTE("POST", "/editions/{slug}/register", registration_page_register_post,
          "registration/pages_register.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("GET", "/me/registrations/{id}/cancel", registration_page_cancel,
          "registration/pages_register.c", AUTH_USER, BODY_NONE, OUT_HTML),
    ROUTE("POST", "/me/registrations/{id}/cancel", registration_page_cancel_post,
          "registration/pages_register.c", AUTH_USER, BODY_FORM, OUT_HTML),
    /* the organizers' pages (issue 19): HTML; every POST a form */
    ROUTE("GET", "/manage/editions/{slug}/registrations", registration_page_manage,
          "registration/pages_manage.c", AUTH_USER, BODY_NONE, OUT_HTML),
    ROUTE("POST", "/manage/registrations/{id}/approve", registration_page_approve,
          "registration/pages_manage.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("POST", "/manage/registrations/{id}/reject", registration_page_reject,
          "registration/pages_manage.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("GET", "/manage/editions/{slug}/checkin", registration_page_checkin,
          "registration/pages_checkin.c", AUTH_USER, BODY_NONE, OUT_HTML),
    ROUTE("POST", "/manage/editions/{slug}/checkin", registration_page_checkin_scan,
          "registration/pages_checkin.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &registration_stmt_create,
    &registration_stmt_admit,
    &registration_stmt_cancel,
    &registration_stmt_decide,
    &registration_stmt_set_paid,
    &registration_stmt_checkin,
    &registration_stmt_list_mine,
    &registration_stmt_list_edition,
    &registration_stmt_list_edition_csv,
    &registration_stmt_stats,
    &registration_stmt_badge,
    &registration_stmt_page_register,
    &registration_stmt_page_cancel,
    &registration_stmt_page_manage,
    &registration_stmt_page_checkin,
    NULL,
};

const struct module registration_module = {"registration", routes, statements, NULL};
