/* migrate.c — `gessd migrate` and the start-up check (DESIGN.md §4
 * "Schema files").
 *
 * schema/migrations/NNNN_*.sql run once each, in name order, each in its own
 * transaction. schema_migrations records each one's SHA-256: an applied file
 * that was edited afterwards would leave databases migrated before the edit
 * with the old definitions, silently, so migrate refuses it instead. A
 * migration whose leading comment has a line "-- replaces: V1 V2 ..." is a
 * baseline, a squash of those older migrations: a database that has all of
 * them is taken as having it, one that has only some is refused.
 * Then every migrate reloads the function files (schema_functions.c). */
#include "core/migrate.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/embedded.h"
#include "core/log.h"
#include "core/schema_functions.h"

#define PREFIX "schema/migrations/"

/* "schema/migrations/0013_baseline.sql" -> "0013_baseline". Only these are
 * migrations: function files and the demo data are embedded too. */
static bool version_of(const char *path, char *out, size_t outlen)
{
    if (strncmp(path, PREFIX, strlen(PREFIX)) != 0)
        return false;
    const char *base = path + strlen(PREFIX);
    size_t n = strlen(base);
    if (n < 10 || strcmp(base + n - 4, ".sql") != 0 || n - 4 >= outlen ||
        strchr(base, '/') != NULL || strspn(base, "0123456789") != 4 || base[4] != '_')
        return false;
    memcpy(out, base, n - 4);
    out[n - 4] = '\0';
    return true;
}

/* The versions a baseline replaces: the rest of its "-- replaces:" line,
 * looked for among the comment lines the file starts with. NULL when the
 * migration is not a baseline. */
static const char *replaces_of(const struct embedded_file *f, size_t *len)
{
    static const char tag[] = "-- replaces:";
    const char *p = (const char *)f->data;
    while (strncmp(p, "--", 2) == 0) {
        const char *eol = strchr(p, '\n');
        size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);
        if (n >= strlen(tag) && strncmp(p, tag, strlen(tag)) == 0) {
            *len = n - strlen(tag);
            return p + strlen(tag);
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return NULL;
}

/* The next space-separated word of list[*i..len) into out (words longer
 * than out are skipped); false when none is left. */
static bool next_word(const char *list, size_t len, size_t *i, char *out, size_t outlen)
{
    while (*i < len) {
        while (*i < len && (list[*i] == ' ' || list[*i] == '\t' || list[*i] == '\r'))
            (*i)++;
        size_t start = *i;
        while (*i < len && list[*i] != ' ' && list[*i] != '\t' && list[*i] != '\r')
            (*i)++;
        size_t n = *i - start;
        if (n > 0 && n < outlen) {
            memcpy(out, list + start, n);
            out[n] = '\0';
            return true;
        }
    }
    return false;
}

/* True when word is one of the space-separated words of list[0..len). */
static bool in_words(const char *list, size_t len, const char *word)
{
    char w[128];
    for (size_t i = 0; next_word(list, len, &i, w, sizeof w);)
        if (strcmp(w, word) == 0)
            return true;
    return false;
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

/* The row of version in rec (version, checksum), or -1. */
static int recorded(const PGresult *rec, const char *version)
{
    for (int i = 0; i < PQntuples(rec); i++)
        if (strcmp(PQgetvalue(rec, i, 0), version) == 0)
            return i;
    return -1;
}

static bool exec_params(PGconn *c, const char *sql, const char *a, const char *b, char *err,
                        size_t errlen)
{
    const char *params[] = {a, b};
    PGresult *res = PQexecParams(c, sql, 2, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* How a migration file stands against the recorded rows (version,
 * checksum): fills version and the file's SHA-256, sets *row (-1: not
 * recorded). False for an embedded file that is not a migration. */
enum file_state { FILE_MISSING, FILE_NO_CHECKSUM, FILE_SAME, FILE_CHANGED };

static bool file_state(const PGresult *rec, const struct embedded_file *f, char version[128],
                       char sum[SCHEMA_SHA256_HEX], int *row, enum file_state *st)
{
    if (!version_of(f->name, version, 128))
        return false;
    schema_sha256_hex(f->data, f->len, sum);
    *row = recorded(rec, version);
    *st = *row < 0                                     ? FILE_MISSING
          : PQgetisnull(rec, *row, 1)                  ? FILE_NO_CHECKSUM
          : strcmp(PQgetvalue(rec, *row, 1), sum) == 0 ? FILE_SAME
                                                       : FILE_CHANGED;
    return true;
}

/* True when some baseline among the files replaces version. */
static bool replaced(const char *version)
{
    for (const struct embedded_file *f = embedded_files; f->name != NULL; f++) {
        char v[128];
        size_t len = 0;
        const char *list = version_of(f->name, v, sizeof v) ? replaces_of(f, &len) : NULL;
        if (list != NULL && in_words(list, len, version))
            return true;
    }
    return false;
}

/* A baseline that is not recorded: recorded as applied, without running it,
 * when the database has every version it replaces; refused when it has only
 * some. *taken says whether it was recorded. */
static bool baseline(PGconn *c, const PGresult *rec, const struct embedded_file *f,
                     const char *version, const char *sum, bool *taken, char *err, size_t errlen)
{
    size_t len = 0;
    const char *list = replaces_of(f, &len);
    *taken = false;
    if (list == NULL)
        return true;
    char missing[1024] = "", v[128];
    int have = 0, lack = 0;
    for (size_t i = 0; next_word(list, len, &i, v, sizeof v);) {
        if (recorded(rec, v) >= 0) {
            have++;
        } else {
            size_t used = strlen(missing);
            snprintf(missing + used, sizeof missing - used, "%s%s", lack ? " " : "", v);
            lack++;
        }
    }
    if (have == 0) /* a database from after the squash, or an empty one: it runs */
        return true;
    if (lack > 0) {
        snprintf(err, errlen,
                 "the database has only some of the migrations that %s replaces: %d missing (%s);"
                 " migrate it with the gessd that last had them, then with this one",
                 f->name, lack, missing);
        return false;
    }
    *taken = true;
    return exec_params(c, "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                       version, sum, err, errlen);
}

/* Everything migrate checks before it changes anything, in the caller's
 * transaction: a failure rolls back all of it, the bootstrap included. */
static bool verify(PGconn *c, char *notes, size_t noteslen, char *err, size_t errlen)
{
    PGresult *rec = PQexec(c, "SELECT version, checksum FROM schema_migrations");
    bool ok = PQresultStatus(rec) == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(rec));
    for (const struct embedded_file *f = embedded_files; ok && f->name != NULL; f++) {
        char version[128], sum[SCHEMA_SHA256_HEX];
        int r;
        enum file_state st;
        if (!file_state(rec, f, version, sum, &r, &st))
            continue;
        if (st == FILE_MISSING) {
            bool taken = false;
            ok = baseline(c, rec, f, version, sum, &taken, err, errlen);
            if (ok && taken) {
                size_t used = strlen(notes);
                snprintf(notes + used, noteslen - used,
                         "taken as having %s: the database has every migration it replaces\n",
                         version);
            }
        } else if (st == FILE_NO_CHECKSUM) {
            /* applied by a gessd from before checksums: the file is taken
             * as the one that ran */
            ok = exec_params(c, "UPDATE schema_migrations SET checksum = $2 WHERE version = $1",
                             version, sum, err, errlen);
        } else if (st == FILE_CHANGED) {
            snprintf(err, errlen,
                     "%s was changed after it was applied (recorded checksum %.12s..., the file's"
                     " %.12s...): an applied migration is never edited, its change belongs in a"
                     " new one; nothing was changed",
                     f->name, PQgetvalue(rec, r, 1), sum);
            ok = false;
        }
    }
    for (int i = 0; ok && i < PQntuples(rec); i++) {
        const char *v = PQgetvalue(rec, i, 0);
        char path[256];
        snprintf(path, sizeof path, PREFIX "%s.sql", v);
        if (embedded_find(path) == NULL && !replaced(v)) {
            snprintf(err, errlen,
                     "the database has migration %s, which this gessd does not know"
                     " (migrated by a newer gessd?); nothing was changed",
                     v);
            ok = false;
        }
    }
    PQclear(rec);
    return ok;
}

static bool applied(PGconn *c, const char *version, bool *yes, char *err, size_t errlen)
{
    const char *params[] = {version};
    PGresult *res = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
                                 params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (ok)
        *yes = PQntuples(res) == 1;
    else
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static bool apply(PGconn *c, const struct embedded_file *f, const char *version, char *err,
                  size_t errlen)
{
    char sum[SCHEMA_SHA256_HEX], ferr[1024] = "";
    schema_sha256_hex(f->data, f->len, sum);
    bool ok = schema_exec(c, "BEGIN", ferr, sizeof ferr) &&
              schema_exec(c, (const char *)f->data, ferr, sizeof ferr) &&
              exec_params(c, "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                          version, sum, ferr, sizeof ferr) &&
              schema_exec(c, "COMMIT", ferr, sizeof ferr);
    if (!ok) {
        char ignored[64];
        (void)schema_exec(c, "ROLLBACK", ignored, sizeof ignored);
        snprintf(err, errlen, "migration %s failed: %s", version, ferr);
    }
    return ok;
}

static const char BOOTSTRAP[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY,"
    " applied_at timestamptz NOT NULL DEFAULT now(),"
    " checksum text);"
    /* databases migrated before checksums were recorded */
    "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text;"
    /* one row: what the last migrate loaded from schema/functions */
    "CREATE TABLE IF NOT EXISTS schema_functions ("
    " singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),"
    " files_checksum text NOT NULL,"
    " definitions_digest text NOT NULL,"
    " loaded_at timestamptz NOT NULL DEFAULT now())";

bool migrate_run(const char *url, char *err, size_t errlen)
{
    PGconn *c = connect_db(url, err, errlen);
    if (c == NULL)
        return false;
    char notes[1024] = "";
    bool ok = schema_exec(c, "SET client_min_messages = warning", err, errlen) &&
              /* one migrator at a time, also across hosts */
              schema_exec(c, "SELECT pg_advisory_lock(4711002)", err, errlen);
    if (ok) {
        ok = schema_exec(c, "BEGIN", err, errlen) && schema_exec(c, BOOTSTRAP, err, errlen) &&
             verify(c, notes, sizeof notes, err, errlen) && schema_exec(c, "COMMIT", err, errlen);
        if (!ok) {
            char ignored[64];
            (void)schema_exec(c, "ROLLBACK", ignored, sizeof ignored);
        }
    }
    if (ok)
        fputs(notes, stdout);
    for (const struct embedded_file *f = embedded_files; ok && f->name != NULL; f++) {
        char version[128];
        bool done = false;
        if (!version_of(f->name, version, sizeof version))
            continue;
        ok = applied(c, version, &done, err, errlen);
        if (!ok || done)
            continue;
        ok = apply(c, f, version, err, errlen);
        if (ok)
            printf("applied %s\n", version);
    }
    if (ok) {
        char ferr[1536] = "";
        ok = schema_functions_load(c, ferr, sizeof ferr);
        if (!ok)
            snprintf(err, errlen, "loading the function files: %s", ferr);
    }
    PQfinish(c);
    return ok;
}

bool migrate_check(const char *url, char *err, size_t errlen)
{
    PGconn *c = connect_db(url, err, errlen);
    if (c == NULL)
        return false;
    /* schema_functions comes with the checksum column: a database without it
     * was last migrated by a gessd from before checksums. Qualified: the
     * role's search_path need not name public. */
    PGresult *rec = PQexec(c, "SELECT version, checksum FROM public.schema_migrations"
                              " WHERE to_regclass('public.schema_functions') IS NOT NULL");
    bool ok = PQresultStatus(rec) == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, errlen, "the database is not migrated: run `gessd migrate` first");
    for (const struct embedded_file *f = embedded_files; ok && f->name != NULL; f++) {
        char version[128], sum[SCHEMA_SHA256_HEX];
        int r;
        enum file_state st;
        if (!file_state(rec, f, version, sum, &r, &st))
            continue;
        if (st == FILE_MISSING) {
            snprintf(err, errlen,
                     "the database is not migrated (missing %s): run `gessd migrate` first",
                     version);
            ok = false;
        } else if (st != FILE_SAME) {
            snprintf(err, errlen,
                     "%s is not the file that was applied (its checksum differs):"
                     " run `gessd migrate`, which says what to do",
                     f->name);
            ok = false;
        }
    }
    PQclear(rec);
    ok = ok && schema_functions_current(c, err, errlen);
    PQfinish(c);
    return ok;
}
