/* pacts.h — pact follow-up: pacts, their parties and contacts, and each pact's history. */
#ifndef GESS_PACTS_PACTS_H
#define GESS_PACTS_PACTS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module pacts_module;

struct req;
struct valid;

/* ---- pacts.c: pacts, and what the module's handlers share ---- */

/* The caller's account id, or NULL when anonymous. */
const char *pacts_viewer(const struct req *r);

/* Staff here: organizer or followup (admin implies both). */
bool pacts_is_staff(const struct req *r);

/* For routes open to any signed-in account in the table but meant for
 * staff: answers 403 and returns false for anyone else. */
bool pacts_require_staff(struct req *r);

/* The {id} of the path, or NULL after answering 404 for a malformed one. */
const char *pacts_path_id(struct req *r);

/* Records an invalid field with this module's own words. */
void pacts_fail(struct valid *v, const char *field, const char *en, const char *es);

/* A one-line text member of b into out: absent is skipped (an error when
 * required), null clears it to "" when clearable, else fails; blank text
 * fails when min > 0. */
void pacts_text(struct valid *v, const json_t *b, json_t *out, const char *field, size_t min,
                size_t max, bool required, bool clearable);

/* An http(s) link member: null clears it (JSON null). */
void pacts_url(struct valid *v, const json_t *b, json_t *out, const char *field, size_t max);

/* Dumps obj (stolen) as the request's data, freed with it; false after
 * answering 503 when memory ran out. */
bool pacts_keep_text(struct req *r, json_t *obj, char **out);

/* Answers 422 for SQL's {errors: [{field, code}]}, each code worded in the
 * caller's language (every pact module's SQL codes are listed in pacts.c). */
void pacts_reply_sql_errors(struct req *r, const char *body);

/* Callbacks for (problem, body) rows: validation-failed with {errors:
 * [{field, code}]} is worded in the caller's language; other problems as
 * req_reply_outcome does. */
void pacts_done(struct req *r, enum db_status st, PGresult *res);         /* 200 */
void pacts_done_created(struct req *r, enum db_status st, PGresult *res); /* 201 */

extern const struct db_stmt pacts_stmt_create, pacts_stmt_list, pacts_stmt_get, pacts_stmt_patch;
void pacts_create(struct req *r);
void pacts_list(struct req *r);
void pacts_get(struct req *r);
void pacts_patch(struct req *r);

/* ---- parties.c ---- */
extern const struct db_stmt pacts_stmt_party_create;
void pacts_party_create(struct req *r);

/* ---- history.c ---- */
extern const struct db_stmt pacts_stmt_history;
void pacts_history(struct req *r);

#endif
