/* routes.c — the practices module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "practices/practices.h"

static const struct route routes[] = {
    /* workflow: cases, review, reports and moderation, adoptions, themes.
     * Who may act on a case (its author, a curator) is decided by SQL
     * from the case: AUTH_USER here. */
    ROUTE("POST", "/v1/practices", practices_create, "practices/cases.c", AUTH_USER, BODY_JSON,
          OUT_JSON),
    ROUTE("GET", "/v1/practices/{id}", practices_get, "practices/cases.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_JSON),
    ROUTE("PATCH", "/v1/practices/{id}", practices_patch, "practices/cases.c", AUTH_USER, BODY_JSON,
          OUT_JSON),
    ROUTE("POST", "/v1/practices/{id}/submit", practices_submit, "practices/cases.c", AUTH_USER,
          BODY_OPTIONAL, OUT_JSON),
    ROUTE("POST", "/v1/practices/{id}/review", practices_review, "practices/review.c", AUTH_CURATOR,
          BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/practices/{id}/revisions", practices_revisions, "practices/cases.c",
          AUTH_USER, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/practices/{id}/reports", practices_report_create, "practices/reports.c",
          AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/practice-reports", practices_reports_list, "practices/reports.c",
          AUTH_CURATOR, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/practice-submissions", practices_submissions, "practices/reports.c",
          AUTH_CURATOR, BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/practices/{id}/moderation", practices_moderate, "practices/reports.c",
          AUTH_CURATOR, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/practices/{id}/adoptions", practices_adoption_create,
          "practices/adoptions.c", AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/practices/{id}/adoptions", practices_adoptions_list, "practices/adoptions.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("GET", "/v1/practice-themes", practices_themes_list, "practices/themes.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_JSON),
    ROUTE("POST", "/v1/practice-themes", practices_theme_create, "practices/themes.c", AUTH_CURATOR,
          BODY_JSON, OUT_JSON),
    /* ---- search ---- */
    ROUTE("GET", "/v1/practices", practices_list, "practices/search.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_JSON | OUT_CSV | OUT_ATOM),
    ROUTE("GET", "/v1/practice-synonyms", practices_synonyms_get, "practices/synonyms.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("PUT", "/v1/practice-synonyms", practices_synonyms_put, "practices/synonyms.c",
          AUTH_CURATOR, BODY_JSON, OUT_JSON),
    /* ---- pages for people (HTML; pages.c) ---- */
    ROUTE("GET", "/practices", practices_page_search, "practices/pages.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_HTML),
    ROUTE("GET", "/practices/{id}", practices_page_case, "practices/pages.c", AUTH_OPTIONAL,
          BODY_NONE, OUT_HTML),
    /* authors and curators (pages_submit.c, pages_curate.c) */
    ROUTE("GET", "/practices/new", practices_page_new_form, "practices/pages_submit.c", AUTH_USER,
          BODY_NONE, OUT_HTML),
    ROUTE("POST", "/practices/new", practices_page_create, "practices/pages_submit.c", AUTH_USER,
          BODY_FORM, OUT_HTML),
    ROUTE("POST", "/practices/{id}/submit", practices_page_submit, "practices/pages_submit.c",
          AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("GET", "/manage/practices", practices_page_manage, "practices/pages_curate.c", AUTH_USER,
          BODY_NONE, OUT_HTML),
    ROUTE("POST", "/manage/practices/{id}/review", practices_page_review,
          "practices/pages_curate.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("POST", "/manage/practices/{id}/moderation", practices_page_moderate,
          "practices/pages_curate.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    /* workflow */
    &practices_stmt_create,
    &practices_stmt_get,
    &practices_stmt_patch,
    &practices_stmt_submit,
    &practices_stmt_revisions,
    &practices_stmt_review,
    &practices_stmt_report_create,
    &practices_stmt_reports_list,
    &practices_stmt_moderate,
    &practices_stmt_submissions,
    &practices_stmt_adoption_create,
    &practices_stmt_adoptions_list,
    &practices_stmt_themes_list,
    &practices_stmt_theme_create,
    /* search */
    &practices_stmt_list,
    &practices_stmt_list_csv,
    &practices_stmt_feed,
    &practices_stmt_synonyms_get,
    &practices_stmt_synonyms_put,
    /* pages */
    &practices_stmt_page_search,
    &practices_stmt_page_case,
    &practices_stmt_page_new,
    &practices_stmt_page_manage,
    NULL,
};

const struct module practices_module = {"practices", routes, statements, NULL};
