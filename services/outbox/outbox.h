/* outbox.h — the admins' view of the outbox (issue 16): the list by status
 * and the retry of a dead row; and serve's periodic outbox work: the
 * payload purge and the /metrics gauges. Delivery itself is `gessd notify`
 * (services/notify). */
#ifndef GESS_OUTBOX_H
#define GESS_OUTBOX_H

#include "core/db_pool.h"
#include "core/module.h"

extern const struct module outbox_module;

struct req;

/* admin.c */
extern const struct db_stmt outbox_stmt_list, outbox_stmt_retry;
void outbox_list(struct req *r);
void outbox_retry(struct req *r);

/* tasks.c */
struct server_task;
extern const struct db_stmt outbox_stmt_purge, outbox_stmt_gauges;
extern const struct server_task outbox_purge_task, outbox_gauges_task;

#endif
