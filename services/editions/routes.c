/* routes.c — the editions module's routes and prepared statements. */
#include "core/req.h"
#include "editions/editions.h"

const struct route editions_routes[] = {
    {"POST", "/v1/editions", editions_create, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"GET", "/v1/editions", editions_list, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"GET", "/v1/editions/{slug}", editions_get, AUTH_OPTIONAL, BODY_NONE, OUT_JSON},
    {"PATCH", "/v1/editions/{slug}", editions_patch, AUTH_ORGANIZER, BODY_JSON, OUT_JSON},
    {"POST", "/v1/editions/{slug}/next", editions_next, AUTH_ORGANIZER, BODY_OPTIONAL, OUT_JSON},
    {"POST", "/v1/editions/{slug}/categories", editions_category_create, AUTH_ORGANIZER, BODY_JSON,
     OUT_JSON},
    {"GET", "/v1/editions/{slug}/categories", editions_category_list, AUTH_OPTIONAL, BODY_NONE,
     OUT_JSON},
    {"POST", "/v1/editions/{slug}/questions", editions_question_create, AUTH_ORGANIZER, BODY_JSON,
     OUT_JSON},
    {"GET", "/v1/editions/{slug}/questions", editions_question_list, AUTH_OPTIONAL, BODY_NONE,
     OUT_JSON},
    {NULL, NULL, NULL, AUTH_NONE, BODY_NONE, OUT_JSON},
};

const struct db_stmt *const editions_stmts[] = {
    &editions_stmt_create,        &editions_stmt_list,
    &editions_stmt_get,           &editions_stmt_patch,
    &editions_stmt_next,          &editions_stmt_category_create,
    &editions_stmt_category_list, &editions_stmt_question_create,
    &editions_stmt_question_list, NULL,
};
