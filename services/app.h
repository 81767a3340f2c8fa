/* app.h — what gessd serves: the modules app.c lists (core/module.h). */
#ifndef GESS_APP_H
#define GESS_APP_H

#include <stddef.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"
#include "core/server.h"

/* The modules, in the order app.c lists them. */
const struct module *const *app_modules(size_t *n);

/* Builds the router over all modules' routes. */
bool app_router(struct router *rt) __attribute__((warn_unused_result));

/* Every module's prepared statements, and every module's periodic tasks,
 * NULL-terminated (built once); NULL when out of memory. */
const struct db_stmt *const *app_statements(void);
const struct server_task *const *app_tasks(void);

#endif
