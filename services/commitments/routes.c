/* routes.c — the routes and prepared statements of commitments: their
 * status, indicators, measurements and their review, and milestones. */
#include "commitments/commitments.h"
#include "core/module.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/pacts/{id}/commitments", commitments_create, "commitments/commitments.c",
          AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/commitments/{id}/status", commitments_set_status,
          "commitments/commitments.c", AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/commitments/{id}/indicators", commitments_indicator_create,
          "commitments/indicators.c", AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/commitments/{id}/milestones", commitments_milestone_create,
          "commitments/milestones.c", AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/indicators/{id}/measurements", commitments_measurement_create,
          "commitments/measurements.c", AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/measurements/{id}/review", commitments_measurement_review,
          "commitments/measurements.c", AUTH_USER, BODY_JSON, OUT_JSON),
    ROUTE("PATCH", "/v1/milestones/{id}", commitments_milestone_patch, "commitments/milestones.c",
          AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
    ROUTE("GET", "/v1/measurements", commitments_measurements_list, "commitments/measurements.c",
          AUTH_USER, BODY_NONE, OUT_JSON),
    /* follow-up in the browser (HTML; pages.c), on the API's checks and SQL */
    ROUTE("GET", "/commitments/{id}", commitments_page_commitment, "commitments/pages.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_HTML),
    ROUTE("POST", "/commitments/{id}/measurements", commitments_page_measurement,
          "commitments/pages.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("POST", "/commitments/{id}/milestones/done", commitments_page_milestone_done,
          "commitments/pages.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("POST", "/commitments/{id}/milestones/undone", commitments_page_milestone_undone,
          "commitments/pages.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE("GET", "/manage/measurements", commitments_page_queue, "commitments/pages.c", AUTH_USER,
          BODY_NONE, OUT_HTML),
    ROUTE("POST", "/manage/measurements/{id}/review", commitments_page_review,
          "commitments/pages.c", AUTH_USER, BODY_FORM, OUT_HTML),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    &commitments_stmt_create,
    &commitments_stmt_set_status,
    &commitments_stmt_indicator_create,
    &commitments_stmt_measurement_create,
    &commitments_stmt_measurement_review,
    &commitments_stmt_milestone_create,
    &commitments_stmt_milestone_patch,
    &commitments_stmt_measurements_list,
    &commitments_stmt_page_commitment,
    NULL,
};

const struct module commitments_module = {"commitments", routes, statements, NULL};
