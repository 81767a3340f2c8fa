/* routes.c — the routes and prepared statements of pact follow-up:
 * commitments, their status, indicators, measurements and their review, and milestones;
 * and what their handlers share (field checks, answering the SQL functions' rows). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commitments/commitments.h"
#include "core/db_listen.h"
#include "core/module.h"
#include "core/req.h"
#include "pacts/pacts.h"

static const struct route routes[] = {
    ROUTE("POST", "/v1/pacts/{id}/commitments", commitments_create, "commitments/commitments.c",
          AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
    ROUTE("POST", "/v1/commitments/{id}/status", commitment_status, "commitments/commitments.c",
          AUTH_FOLLOWUP, BODY_JSON, OUT_JSON),
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
    &cm_stmt_commitment_create,  &cm_stmt_commitment_status,
    &cm_stmt_indicator_create,   &cm_stmt_measurement_create,
    &cm_stmt_measurement_review, &cm_stmt_milestone_create,
    &cm_stmt_milestone_patch,    NULL,
};

const char *cm_path_id(struct req *r)
{
    const char *id = req_param(r, "id");
    if (!valid_uuid(id)) {
        req_reply_problem(r, "not-found", NULL);
        return NULL;
    }
    return id;
}

const char *cm_followup(const struct req *r)
{
    return (r->auth.roles & (ROLE_FOLLOWUP | ROLE_ADMIN)) != 0 ? "true" : "false";
}

const char *cm_staff(const struct req *r)
{
    return (r->auth.roles & (ROLE_FOLLOWUP | ROLE_ADMIN | ROLE_ORGANIZER)) != 0 ? "true" : "false";
}

bool cm_keep_json(struct req *r, json_t *obj, char **out)
{
    /* 15 significant digits: a decimal typed by a person (0.1) reaches
     * PostgreSQL's numeric as typed, not as the nearest double's expansion */
    *out = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(obj);
    if (*out == NULL) {
        req_reply_unavailable(r);
        return false;
    }
    r->data = *out;
    r->data_free = free;
    return true;
}

void cm_text(struct valid *v, const json_t *b, json_t *out, const char *field, size_t min,
             size_t max, bool required)
{
    const char *s = valid_string(v, b, field, min, max, required);
    if (s != NULL && min > 0 && strspn(s, " ") == strlen(s)) {
        valid_fail(v, field, MSG_EMPTY, 0, NULL);
        return;
    }
    if (s != NULL)
        json_object_set_new(out, field, json_string(s));
}

const char *cm_date(struct valid *v, const json_t *b, json_t *out, const char *field, bool required,
                    bool nullable)
{
    json_t *j = json_object_get(b, field);
    if (nullable && j != NULL && json_is_null(j)) {
        json_object_set_new(out, field, json_null());
        return NULL;
    }
    const char *s = valid_date(v, b, field, required);
    if (s != NULL)
        json_object_set_new(out, field, json_string(s));
    return s;
}

bool cm_url_ok(const char *s)
{
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return false;
    const char *host = strstr(s, "//") + 2;
    if (*host == '\0' || *host == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return false;
    return true;
}

bool cm_number(struct valid *v, const json_t *j, const char *name, double *out)
{
    if (j == NULL || json_is_null(j)) {
        valid_fail(v, name, MSG_REQUIRED, 0, NULL);
        return false;
    }
    /* json_is_number is false for true/false and strings */
    double d = json_is_number(j) ? json_number_value(j) : NAN;
    if (!isfinite(d) || fabs(d) > 1e15) {
        valid_fail(v, name, MSG_ONE_OF, 0, "a number from -1e15 to 1e15");
        return false;
    }
    *out = d;
    return true;
}

void cm_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st == DB_OK)
        db_listen_note_change(); /* the dashboard caches of this process follow at once */
    if (st == DB_OK && PQntuples(res) == 1 && PQnfields(res) == 3 && !PQgetisnull(res, 0, 0) &&
        strcmp(PQgetvalue(res, 0, 0), "validation-failed") == 0) {
        pacts_reply_sql_errors(r, PQgetisnull(res, 0, 1) ? "{}" : PQgetvalue(res, 0, 1));
        return;
    }
    int status = 200;
    if (st == DB_OK && PQntuples(res) == 1 && PQnfields(res) == 3 && !PQgetisnull(res, 0, 2))
        status = atoi(PQgetvalue(res, 0, 2));
    req_reply_outcome(r, st, res, status);
}

const struct module commitments_module = {"commitments", routes, statements, NULL};
