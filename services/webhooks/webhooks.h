/* webhooks.h — the admins' webhook endpoints (issue 17): registering,
 * listing, changing and deleting them, their delivery log and a
 * redelivery. The signing secret is made here (32 random bytes) and shown
 * once, in the answer to the creation. Delivery itself is `gessd notify`
 * (services/notify); the SQL is schema/functions/webhooks.sql. */
#ifndef GESS_WEBHOOKS_H
#define GESS_WEBHOOKS_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/valid.h"

extern const struct module webhooks_module;

struct req;

/* admin.c */
extern const struct db_stmt webhooks_stmt_create, webhooks_stmt_list, webhooks_stmt_get,
    webhooks_stmt_patch, webhooks_stmt_delete;
/* The checked members of a webhook body (valid_body_fn): url, events,
 * description, active; every one on create (url and events required),
 * those present on a PATCH. */
json_t *webhooks_fields(struct valid *v, const json_t *body, bool create);
void webhooks_create(struct req *r);
void webhooks_list(struct req *r);
void webhooks_get(struct req *r);
void webhooks_patch(struct req *r);
void webhooks_delete(struct req *r);

/* deliveries.c */
extern const struct db_stmt webhooks_stmt_deliveries, webhooks_stmt_redeliver;
void webhooks_deliveries(struct req *r);
void webhooks_redeliver(struct req *r);

#endif
