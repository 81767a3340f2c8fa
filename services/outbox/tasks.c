/* tasks.c — serve's periodic outbox work on worker 0 (core/server.h): the
 * payload purge, as often as the housekeeping, and the /metrics gauges,
 * refreshed more often (a backlog growing for an hour is what an alert
 * wants to see within a minute). */
#include <stdio.h>

#include "core/config.h"
#include "core/metrics.h"
#include "core/server.h"
#include "outbox/outbox.h"

const struct db_stmt outbox_stmt_purge = {"outbox_purge", "SELECT outbox_purge($1::int)"};
const struct db_stmt outbox_stmt_gauges = {"outbox_gauges", "SELECT outbox_gauges()"};

static int purge_interval(const struct config *cfg)
{
    return cfg->housekeeping_interval;
}

static void purge_param(const struct config *cfg, char *buf, size_t len)
{
    snprintf(buf, len, "%d", cfg->outbox_retention_days);
}

/* At most every 15 s, off with the housekeeping. */
static int gauges_interval(const struct config *cfg)
{
    int h = cfg->housekeeping_interval;
    return h < 15 ? h : 15;
}

const struct server_task outbox_purge_task = {
    "outbox_purge", &outbox_stmt_purge, purge_interval, purge_param, NULL,
};

const struct server_task outbox_gauges_task = {
    "outbox_gauges", &outbox_stmt_gauges, gauges_interval, NULL, metrics_set_extra,
};
