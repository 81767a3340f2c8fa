/* reminders.c — pact reminders: outbox rows to the contacts of the parties
 * responsible for a commitment, N days before a milestone is due, when it
 * becomes overdue, and when the commitment does. followup_remind()
 * (schema/functions/followup.sql) writes each one once, whoever runs it and however often:
 * a unique key per (kind, subject, due date, account) and INSERT ... ON
 * CONFLICT DO NOTHING RETURNING feeding the outbox in the same statement.
 *
 * Two ways in: `gessd remind` (blocking libpq: a command, not a loop) and
 * the periodic task worker 0 of `gessd serve` runs every
 * reminder_interval seconds (server.h; asynchronous on its pool). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/config.h"
#include "core/log.h"
#include "core/migrate.h"
#include "core/server.h"
#include "followup/followup.h"

const struct db_stmt followup_stmt_remind = {
    "followup_remind",
    "SELECT followup_remind($1::int)",
};

static int remind_interval(const struct config *cfg)
{
    return cfg->reminder_interval;
}

static void remind_param(const struct config *cfg, char *buf, size_t len)
{
    snprintf(buf, len, "%d", cfg->reminder_days);
}

const struct server_task followup_remind_task = {
    "pact_reminders", &followup_stmt_remind, remind_interval, remind_param, NULL,
};

int followup_remind_cli(const struct config *cfg, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: gessd remind\n");
        return 2;
    }
    if (cfg->database_url[0] == '\0') {
        log_msg(LOG_ERROR, "remind: config: database_url is not set (GESS_DATABASE_URL)");
        return 2;
    }
    char err[512];
    if (!migrate_check(cfg->database_url, err, sizeof err)) {
        log_msg(LOG_ERROR, "remind: %s", err);
        return 1;
    }
    int code = 1;
    PGresult *res = NULL;
    PGconn *conn = PQconnectdb(cfg->database_url);
    PQsetNoticeProcessor(conn, log_pq_notice, NULL); /* JSON, not plain text */
    if (PQstatus(conn) != CONNECTION_OK) {
        log_msg(LOG_ERROR, "remind: %s", PQerrorMessage(conn));
        goto out;
    }
    /* the same least-privileged role as serve */
    res = PQexec(conn, "SET ROLE gess_app");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        log_msg(LOG_ERROR, "remind: %s", PQerrorMessage(conn));
        goto out;
    }
    PQclear(res);
    char days[16];
    remind_param(cfg, days, sizeof days);
    const char *params[] = {days};
    res = PQexecParams(conn, followup_stmt_remind.sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        log_msg(LOG_ERROR, "remind: %s", PQerrorMessage(conn));
        goto out;
    }
    printf("%s reminders written\n", PQgetvalue(res, 0, 0));
    code = 0;
out:
    PQclear(res);
    PQfinish(conn);
    return code;
}
