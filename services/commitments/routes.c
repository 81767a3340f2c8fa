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
    NULL,
};

const struct module commitments_module = {"commitments", routes, statements, NULL};
