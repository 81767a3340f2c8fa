/* server.h — `gessd serve`: worker loops, the listening socket, the
 * hashing pool, signals and graceful shutdown. */
#ifndef GESS_SERVER_H
#define GESS_SERVER_H

#include "core/config.h"
#include "core/db_pool.h"
#include "core/router.h"

/* Serves until SIGTERM or SIGINT; returns the process exit code. */
int server_run(const struct config *cfg, const struct router *rt,
               const struct db_stmt *const *stmts);

/* Routes served by core itself: health, readiness, metrics, the spec. */
extern const struct route core_routes[];
extern const struct db_stmt *const core_stmts[];

#endif
