/* migrate.c — `gessd migrate` and the start-up check. */
#include "core/migrate.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/embedded.h"
#include "core/log.h"

/* "schema/migrations/0013_baseline.sql" -> "0013_baseline". Only
 * schema/migrations/NNNN_*.sql files are migrations: the function files and
 * other embedded SQL (the demo data) are not. */
static bool version_of(const char *path, char *out, size_t outlen)
{
    static const char dir[] = "schema/migrations/";
    if (strncmp(path, dir, sizeof dir - 1) != 0)
        return false;
    const char *base = path + sizeof dir - 1;
    size_t n = strlen(base);
    if (n < 5 || strcmp(base + n - 4, ".sql") != 0 || n - 4 >= outlen ||
        strchr(base, '/') != NULL || strspn(base, "0123456789") != 4 || base[4] != '_')
        return false;
    memcpy(out, base, n - 4);
    out[n - 4] = '\0';
    return true;
}

static bool exec_ok(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static PGconn *connect_db(const char *url, char *err, size_t errlen)
{
    if (url == NULL || *url == '\0') {
        snprintf(err, errlen, "config: database_url is not set (GESS_DATABASE_URL)");
        return NULL;
    }
    PGconn *c = PQconnectdb(url);
    /* libpq prints the server's notices as plain text on stderr otherwise */
    PQsetNoticeProcessor(c, log_pq_notice, NULL);
    if (PQstatus(c) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to the database: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    return c;
}

static bool applied(PGconn *c, const char *version, bool *yes, char *err, size_t errlen)
{
    const char *params[] = {version};
    PGresult *res = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (ok)
        *yes = PQntuples(res) == 1;
    else
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* Every schema/functions/ file, in one transaction; bodies are not checked
 * at creation, so the files may call each other in any order. */
static bool load_functions(PGconn *c, char *err, size_t errlen)
{
    char ferr[1024] = "";
    bool ok = exec_ok(c, "BEGIN", ferr, sizeof ferr) &&
              exec_ok(c, "SET LOCAL check_function_bodies = off", ferr, sizeof ferr);
    const char *failed = NULL;
    for (const struct embedded_file *f = embedded_files; ok && f->name != NULL; f++)
        if (strncmp(f->name, "schema/functions/", 17) == 0 &&
            !exec_ok(c, (const char *)f->data, ferr, sizeof ferr)) {
            ok = false;
            failed = f->name;
        }
    ok = ok && exec_ok(c, "COMMIT", ferr, sizeof ferr);
    if (!ok) {
        char ignored[64];
        (void)exec_ok(c, "ROLLBACK", ignored, sizeof ignored);
        snprintf(err, errlen, "loading %s failed: %s", failed ? failed : "the functions", ferr);
    }
    return ok;
}

bool migrate_run(const char *url, char *err, size_t errlen)
{
    PGconn *c = connect_db(url, err, errlen);
    if (c == NULL)
        return false;
    bool ok = exec_ok(c, "SET client_min_messages = warning", err, errlen) &&
              /* one migrator at a time, also across hosts */
              exec_ok(c, "SELECT pg_advisory_lock(4711002)", err, errlen) &&
              exec_ok(c,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version text PRIMARY KEY,"
                      " applied_at timestamptz NOT NULL DEFAULT now())",
                      err, errlen);
    for (const struct embedded_file *f = embedded_files; ok && f->name != NULL; f++) {
        char version[128];
        bool done = false;
        if (!version_of(f->name, version, sizeof version))
            continue;
        ok = applied(c, version, &done, err, errlen);
        if (!ok || done)
            continue;
        char ferr[1024] = "";
        const char *params[] = {version};
        ok = exec_ok(c, "BEGIN", ferr, sizeof ferr) &&
             exec_ok(c, (const char *)f->data, ferr, sizeof ferr);
        if (ok) {
            PGresult *res = PQexecParams(c, "INSERT INTO schema_migrations (version) VALUES ($1)",
                                         1, NULL, params, NULL, NULL, 0);
            ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            if (!ok)
                snprintf(ferr, sizeof ferr, "%s", PQresultErrorMessage(res));
            PQclear(res);
        }
        ok = ok && exec_ok(c, "COMMIT", ferr, sizeof ferr);
        if (!ok) {
            char ignored[64];
            (void)exec_ok(c, "ROLLBACK", ignored, sizeof ignored);
            snprintf(err, errlen, "migration %s failed: %s", version, ferr);
            break;
        }
        printf("applied %s\n", version);
    }
    if (ok)
        ok = load_functions(c, err, errlen);
    PQfinish(c);
    return ok;
}

bool migrate_check(const char *url, char *err, size_t errlen)
{
    PGconn *c = connect_db(url, err, errlen);
    if (c == NULL)
        return false;
    bool ok = true, table = false;
    PGresult *res = PQexec(c, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    table = PQresultStatus(res) == PGRES_TUPLES_OK && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    for (const struct embedded_file *f = embedded_files; ok && f->name != NULL; f++) {
        char version[128];
        bool done = false;
        if (!version_of(f->name, version, sizeof version))
            continue;
        if (!table || !applied(c, version, &done, err, errlen) || !done) {
            snprintf(err, errlen,
                     "the database is not migrated (missing %s): run `gessd migrate` first",
                     version);
            ok = false;
        }
    }
    PQfinish(c);
    return ok;
}
