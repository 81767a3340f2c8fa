/* routes.c — the editions module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "editions/editions.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/editions", editions_create, "editions/editions.c", AUTH_ORGANIZER, BODY_JSON,
          OUT_JSON),
    ROUTE("GET", "/v1/editions", editions_list, "editions/editions.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}", editions_get, "editions/editions.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_JSON | OUT_ICS),
    ROUTE("PATCH", "/v1/editions/{slug}", editions_patch, "editions/editions.c", AUTH_ORGANIZER,
          BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/editions/{slug}/next", editions_next, "editions/editions.c", AUTH_ORGANIZER,
          BODY_OPTIONAL, OUT_JSON),
    ROUTE("POST", "/v1/editions/{slug}/categories", editions_category_create, "editions/setup.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/categories", editions_category_list, "editions/setup.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/editions/{slug}/questions", editions_question_create, "editions/setup.c",
          AUTH_ORGANIZER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/editions/{slug}/questions", editions_question_list, "editions/setup.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/", editions_page_home, "editions/page_home.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_HTML),
    ROUTE("GET", "/programme", editions_page_go, "editions/page_home.c", AUTH_NONE, BODY_NONE,
          OUT_HTML),
    ROUTE("GET", "/rumbo", editions_page_go, "editions/page_home.c", AUTH_NONE, BODY_NONE,
          OUT_HTML),
    ROUTE("GET", "/pacts", editions_page_go, "editions/page_home.c", AUTH_NONE, BODY_NONE,
          OUT_HTML),
    ROUTE("GET", "/editions/{slug}", editions_page_edition, "editions/page_edition.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_HTML),
    ROUTE("GET", "/manage", editions_page_manage, "editions/page_manage.c", AUTH_USER, BODY_NONE,
          OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &editions_stmt_page_manage,
    &editions_stmt_create,
    &editions_stmt_list,
    &editions_stmt_get,
    &editions_stmt_patch,
    &editions_stmt_next,
    &editions_stmt_category_create,
    &editions_stmt_category_list,
    &editions_stmt_question_create,
    &editions_stmt_question_list,
    &editions_stmt_page_home,
    &editions_stmt_page_go,
    &editions_stmt_page_edition,
    NULL,
};

const struct module editions_module = {"editions", routes, statements, NULL};
