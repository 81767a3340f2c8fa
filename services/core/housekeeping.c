/* housekeeping.c — the periodic task that keeps tables from growing with
 * every login, typo and retry: expired tokens, idempotency keys past their
 * 24 hours, and login_attempts rows whose counts are forgotten (one row per
 * mistyped email and address, otherwise forever). core_housekeeping() in
 * schema/functions/core.sql does it in one statement and says what it
 * deleted for the task's log line. Worker 0 of every gessd runs it
 * (server.h); deleting what is past its time is safe from any number of
 * processes at once. */
#include <stdio.h>

#include "core/config.h"
#include "core/server.h"

/* server_task hands over one parameter: the four numbers as an int[]. */
const struct db_stmt core_stmt_housekeeping = {
    "core_housekeeping",
    "SELECT core_housekeeping(($1::int[])[1], ($1::int[])[2], ($1::int[])[3], ($1::int[])[4])",
};

static int housekeeping_interval(const struct config *cfg)
{
    return cfg->housekeeping_interval;
}

/* The same limits the throttles use, so a row goes only once its count
 * could no longer refuse anyone. */
static void housekeeping_param(const struct config *cfg, char *buf, size_t len)
{
    snprintf(buf, len, "{%d,%d,%d,%d}", cfg->token_idle_s, cfg->login_window_s, cfg->login_pair_max,
             cfg->login_backoff_s);
}

const struct server_task core_housekeeping_task = {
    "housekeeping", &core_stmt_housekeeping, housekeeping_interval, housekeeping_param, NULL,
};
