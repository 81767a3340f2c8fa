/* app.h — what gessd serves: every module's routes and statements. */
#ifndef GESS_APP_H
#define GESS_APP_H

#include "core/db_pool.h"
#include "core/router.h"

/* Builds the router over all modules' routes. */
bool app_router(struct router *rt) __attribute__((warn_unused_result));

/* Every module's prepared statements, NULL-terminated (static storage). */
const struct db_stmt *const *app_statements(void);

#endif
