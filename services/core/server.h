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

/* Periodic work: worker 0 of every gessd runs each task's statement every
 * interval_s(cfg) seconds (0: off), the first time one interval after
 * start, on its own pool, so the loop never waits; a run still in flight
 * skips a tick. The work must be safe when several processes run it (e.g.
 * pact reminders).
 * param fills the statement's one parameter. The table is the
 * application's (NULL-terminated). */
struct server_task {
    const char *name;
    const struct db_stmt *stmt;
    int (*interval_s)(const struct config *cfg);
    void (*param)(const struct config *cfg, char *buf, size_t len);
};
extern const struct server_task *const server_tasks[];

/* Deletes expired tokens, old idempotency keys and forgotten login
 * attempts every housekeeping_interval seconds (core/housekeeping.c). */
extern const struct server_task core_housekeeping_task;
extern const struct db_stmt core_stmt_housekeeping;

/* Routes served by core itself: health, readiness, metrics, the spec. */
extern const struct route core_routes[];
extern const struct db_stmt *const core_stmts[];

#endif
