/* module.h — what a domain gives gessd: its routes, its prepared
 * statements and its periodic tasks. Each domain's routes.c defines one
 * `const struct module <domain>_module`, and app.c lists them once. */
#ifndef GESS_MODULE_H
#define GESS_MODULE_H

#include "core/db_pool.h"
#include "core/router.h"

struct server_task;

struct module {
    const char *name;
    const struct route *routes;              /* ended by ROUTE_END */
    const struct db_stmt *const *statements; /* NULL-terminated */
    const struct server_task *const *tasks;  /* NULL-terminated, or NULL for none */
};

#endif
