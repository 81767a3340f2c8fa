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

/* history.c */
extern const struct db_stmt pacts_stmt_history;
void pacts_history(struct req *r);

#endif
