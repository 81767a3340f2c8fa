/* commitments.h — pact follow-up: commitments, their status, indicators, measurements and their
 * review, and milestones. */
#ifndef GESS_COMMITMENTS_COMMITMENTS_H
#define GESS_COMMITMENTS_COMMITMENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/req.h"
#include "core/router.h"

extern const struct module commitments_module;

struct req;
struct valid;

/* commitments.c */
extern const struct db_stmt commitments_stmt_create, commitments_stmt_set_status;
void commitments_create(struct req *r);
void commitments_set_status(struct req *r);

/* indicators.c */
extern const struct db_stmt commitments_stmt_indicator_create;
void commitments_indicator_create(struct req *r);

/* measurements.c */
extern const struct db_stmt commitments_stmt_measurement_create,
    commitments_stmt_measurement_review;
void commitments_measurement_create(struct req *r);
void commitments_measurement_review(struct req *r);

/* The checks of POST /v1/indicators/{id}/measurements ({value, as_of,
 * evidence, evidence_url}) over body, the members SQL takes copied into
 * out; the API and the commitment page's form run this one. */
void commitments_measurement_check(struct valid *v, const json_t *body, json_t *out);

/* The checks of POST /v1/measurements/{id}/review ({decision, comment}):
 * the decision (NULL when refused) and *comment (NULL when absent), both
 * pointing into body. */
const char *commitments_review_check(struct valid *v, const json_t *body, const char **comment);
/* POST /v1/measurements/{id}/review's statement for the checked decision
 * and comment (NULL: none), as the caller may review; done gets the
 * answer. The API and the verifiers' page both send it. */
void commitments_review_send(struct req *r, const char *decision, const char *comment,
                             req_db_cb done);

/* GET /v1/measurements: the values of a status the caller may review. */
extern const struct db_stmt commitments_stmt_measurements_list;
void commitments_measurements_list(struct req *r);

/* milestones.c */
extern const struct db_stmt commitments_stmt_milestone_create, commitments_stmt_milestone_patch;
void commitments_milestone_create(struct req *r);
void commitments_milestone_patch(struct req *r);

/* The checks of a milestone's body into out: every field required on
 * create; on PATCH those present, done_on may be null. */
void commitments_milestone_check(struct valid *v, const json_t *body, json_t *out, bool create);

/* pages.c: GET /commitments/{id} and its forms; GET /manage/measurements
 * and its review form */
extern const struct db_stmt commitments_stmt_page_commitment;
void commitments_page_commitment(struct req *r);
void commitments_page_measurement(struct req *r);
void commitments_page_milestone_done(struct req *r);
void commitments_page_milestone_undone(struct req *r);
void commitments_page_queue(struct req *r);
void commitments_page_review(struct req *r);

/* fields.c: what the handlers share */

/* A YYYY-MM-DD field of b copied into out; returns it or NULL. With
 * nullable, an explicit null is copied as null. */
const char *commitments_date(struct valid *v, const json_t *b, json_t *out, const char *field,
                             bool required, bool nullable);

/* A finite JSON number (integer or real, not a boolean or a string) of at
 * most 1e15 in size, named name when invalid. */
bool commitments_number(struct valid *v, const json_t *j, const char *name, double *out);

/* Starts checking a body: v initialised, and the empty object the checked
 * members go into returned; NULL after answering 503 (v untouched). */
json_t *commitments_begin(struct req *r, struct valid *v);

/* Ends it: out (stolen) as compact JSON text, decimals as typed (the
 * caller frees it), when every field passed (v freed); else NULL after
 * answering 422 with v's errors, or 503 when memory ran out. */
char *commitments_text(struct req *r, struct valid *v, json_t *out);

/* The checked members (out, borrowed) as commitments_text writes them, for
 * a page that answers its own refusals; NULL when out of memory. */
char *commitments_checked_text(const json_t *out);

/* Runs stmt with ($1 the path's {id}, $2 out (stolen) as JSON text, $3 the
 * actor) and answers its (status, problem, body) row; the dashboard
 * caches of this process follow a success at once. 503 when out of
 * memory. */
void commitments_write(struct req *r, struct valid *v, const struct db_stmt *stmt, json_t *out);

#endif
