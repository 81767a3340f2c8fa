/* pacts.h — pact follow-up: pacts, their parties and contacts, and each pact's history. */
#ifndef GESS_PACTS_PACTS_H
#define GESS_PACTS_PACTS_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"
#include "core/valid.h"

extern const struct module pacts_module;

struct req;

/* pacts.c */
extern const struct db_stmt pacts_stmt_create, pacts_stmt_list, pacts_stmt_get, pacts_stmt_patch;
void pacts_create(struct req *r);
/* The checked members of a pact body (valid_body_fn). */
json_t *pacts_fields(struct valid *v, const json_t *body, bool create);
void pacts_list(struct req *r);
void pacts_get(struct req *r);
void pacts_patch(struct req *r);

/* parties.c */
extern const struct db_stmt pacts_stmt_party_create;
void pacts_party_create(struct req *r);

/* chart.c: the geometry of an indicator's chart on the pact page, in a
 * CHART_W × CHART_H viewBox: {w, h, left, right, top, bottom (the plot's
 * edges), base: {x, y} (the baseline), goal: {x, y} (the target), points ("x,y x,y …": the
 * baseline, then each verified measurement by date), dots: [{x, y}] (the
 * measurements), y_min, y_max (values), x_min, x_max (dates)}; NULL when the indicator has no
 * baseline or target to scale by, or when out of memory. indicator is the API's (its measurements
 * not verified are left out). */
#define CHART_W 600
#define CHART_H 200
json_t *pacts_chart(const json_t *indicator) __attribute__((warn_unused_result));

/* pages.c: GET /pacts/{id}, the pact's page (the API's read, pacts_stmt_get) */
void pacts_page_pact(struct req *r);

/* history.c */
extern const struct db_stmt pacts_stmt_history;
void pacts_history(struct req *r);

#endif
