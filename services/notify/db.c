/* db.c — the lanes' database connection and the UTF-8 cleaning of what
 * they bind (notify/db.h). */
#include "notify/db.h"

#include <stdio.h>

#include "core/log.h"

bool notify_db_connect(PGconn **conn, const char *url, const char *setup)
{
    if (*conn != NULL && PQstatus(*conn) == CONNECTION_OK)
        return true;
    PQfinish(*conn);
    *conn = PQconnectdb(url);
    PQsetNoticeProcessor(*conn, log_pq_notice, NULL);
    if (PQstatus(*conn) == CONNECTION_OK) {
        PGresult *r = PQexec(*conn, setup);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (ok)
            return true;
    }
    log_msg(LOG_WARN, "notify: database: %s", PQerrorMessage(*conn));
    PQfinish(*conn);
    *conn = NULL;
    return false;
}

bool notify_db_exec(PGconn **conn, const char *sql, int n, const char *const *params,
                    PGresult **out)
{
    PGresult *r = PQexecParams(*conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        log_msg(LOG_WARN, "notify: database: %s", PQerrorMessage(*conn));
        PQclear(r);
        if (PQstatus(*conn) != CONNECTION_OK) {
            PQfinish(*conn);
            *conn = NULL;
        }
        return false;
    }
    if (out != NULL)
        *out = r;
    else
        PQclear(r);
    return true;
}

void notify_utf8_clean(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        int n = *p < 0x80             ? 0
                : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2
                : (*p & 0xF8) == 0xF0 ? 3
                                      : -1;
        bool ok = n >= 0 && !(n == 1 && *p < 0xC2) && !(n == 3 && *p > 0xF4);
        for (int k = 1; ok && k <= n; k++)
            ok = (p[k] & 0xC0) == 0x80;
        /* overlongs and surrogates of three and four bytes */
        if (ok && n == 2)
            ok = !(p[0] == 0xE0 && p[1] < 0xA0) && !(p[0] == 0xED && p[1] >= 0xA0);
        if (ok && n == 3)
            ok = !(p[0] == 0xF0 && p[1] < 0x90) && !(p[0] == 0xF4 && p[1] >= 0x90);
        if (!ok) {
            *p++ = '?';
            continue;
        }
        p += n + 1;
    }
}
