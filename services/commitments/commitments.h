/* commitments.h — pact follow-up: commitments, their status, indicators, measurements and their
 * review, and milestones. */
#ifndef GESS_COMMITMENTS_COMMITMENTS_H
#define GESS_COMMITMENTS_COMMITMENTS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module commitments_module;

struct req;
struct valid;

void commitments_create(struct req *r);
void commitment_status(struct req *r);
void commitments_indicator_create(struct req *r);
void commitments_measurement_create(struct req *r);
void commitments_measurement_review(struct req *r);
void commitments_milestone_create(struct req *r);
void commitments_milestone_patch(struct req *r);

/* The {id} of the path, or NULL after answering 404 for a malformed one. */
const char *cm_path_id(struct req *r);

/* Hands obj (stolen) to the request as compact JSON text in *out, freed
 * with the request; false after answering 503 when memory ran out. */
bool cm_keep_json(struct req *r, json_t *obj, char **out);

/* A one-line text field of b copied into out (valid_string rules). */
void cm_text(struct valid *v, const json_t *b, json_t *out, const char *field, size_t min,
             size_t max, bool required);

/* A YYYY-MM-DD field of b copied into out; returns it or NULL. With
 * nullable, an explicit null is copied as null. */
const char *cm_date(struct valid *v, const json_t *b, json_t *out, const char *field, bool required,
                    bool nullable);

/* An http(s) link without spaces or control characters. */
bool cm_url_ok(const char *s);

/* A finite JSON number (integer or real, not a boolean or a string) of at
 * most 1e15 in size, named name when invalid. */
bool cm_number(struct valid *v, const json_t *j, const char *name, double *out);

/* Callback for statements answering (problem, body, status): a problem
 * slug answers that problem (validation-failed with {errors: [{field,
 * code, s}]} worded in the caller's language, other slugs with body's
 * members merged), else body with status; no row is 404. */
void cm_done(struct req *r, enum db_status st, PGresult *res);

/* "true"/"false": the caller has the followup role (admin included), or is
 * staff (organizer, followup or admin). */
const char *cm_followup(const struct req *r);
const char *cm_staff(const struct req *r);

extern const struct db_stmt cm_stmt_commitment_create, cm_stmt_commitment_status,
    cm_stmt_indicator_create, cm_stmt_measurement_create, cm_stmt_measurement_review,
    cm_stmt_milestone_create, cm_stmt_milestone_patch;

#endif
