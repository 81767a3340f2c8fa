/* server.h — `gessd serve`: worker loops, the listening socket, the
 * hashing pool, signals and graceful shutdown. */
#ifndef GESS_SERVER_H
#define GESS_SERVER_H

#include "core/config.h"
#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

struct server_task;

/* Serves until SIGTERM or SIGINT; returns the process exit code. stmts
 * and tasks are NULL-terminated (app.h). */
int server_run(const struct config *cfg, const struct router *rt,
               const struct db_stmt *const *stmts, const struct server_task *const *tasks);

/* Periodic work: worker 0 of every gessd runs each task's statement every
 * interval_s(cfg) seconds (0: off), the first time one interval after
 * start, on its own pool, so the loop never waits; a run still in flight
 * skips a tick. The work must be safe when several processes run it (e.g.
 * pact reminders).
 * param fills the statement's one parameter (NULL: it takes none). Each module lists its own
 * (core/module.h). The statement answers one text value: logged, or given
 * to done when the task has one (e.g. gauges for /metrics). */
struct server_task {
    const char *name;
    const struct db_stmt *stmt;
    int (*interval_s)(const struct config *cfg);
    void (*param)(const struct config *cfg, char *buf, size_t len);
    void (*done)(const char *value); /* NULL: log the value */
};

/* Deletes expired tokens, old idempotency keys and forgotten login
 * attempts every housekeeping_interval seconds (core/housekeeping.c). */
extern const struct server_task core_housekeeping_task;
extern const struct db_stmt core_stmt_housekeeping;

/* Core's own module: health, readiness, metrics, the spec, and the
 * housekeeping task. */
extern const struct module core_module;

#endif
