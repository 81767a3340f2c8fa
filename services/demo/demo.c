/* demo.c — `gessd demo`: migrates, then loads the demo data set
 * (services/demo/gess_demo.sql, compiled in) in one transaction, and says
 * what it loaded and where to look. A command-line path, so blocking libpq
 * and hashing are fine here.
 *
 * Idempotent: the SQL inserts rows with fixed ids and ON CONFLICT DO
 * NOTHING, so a second run changes nothing; an advisory lock makes two runs
 * at once take turns. */
#include "demo/demo.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/embedded.h"
#include "core/log.h"
#include "core/migrate.h"
#include "core/pwhash.h"

#define DEMO_SQL "services/demo/gess_demo.sql"
#define DEMO_LOCK "4711003"

/* What the demo adds, counted before and after the load: the difference is
 * what this run inserted (zero on a second run). Labels read "N label". */
static const struct {
    const char *table, *label;
} counted[] = {
    {"editions", "editions"},
    {"categories", "registration categories"},
    {"series_events", "\"Rumbo al GESS\" series events"},
    {"speakers", "speakers"},
    {"sessions", "programme sessions"},
    {"schedule_releases", "programme releases"},
    {"organizations", "organizations"},
    {"accounts", "contact accounts"},
    {"pacts", "pacts"},
    {"pact_parties", "parties"},
    {"commitments", "commitments"},
    {"indicators", "indicators"},
    {"measurements", "measurements"},
    {"milestones", "milestones"},
    {"practices", "practices"},
    {"practice_adoptions", "adoptions"},
};
#define N_COUNTED (sizeof counted / sizeof counted[0])

/* The server's message without "ERROR:" and the PL/pgSQL context: the
 * demo's own checks word their messages for the operator. */
static void print_error(PGconn *db, const PGresult *res)
{
    const char *primary = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary != NULL)
        log_msg(LOG_ERROR, "demo: %s", primary);
    else
        log_msg(LOG_ERROR, "demo: %s", PQerrorMessage(db));
}

static bool exec_ok(PGconn *db, const char *sql)
{
    PGresult *res = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        print_error(db, res);
    PQclear(res);
    return ok;
}

/* One row: the row count of every table in `counted`. */
static bool count_rows(PGconn *db, long out[N_COUNTED])
{
    char sql[2048] = "SELECT ";
    for (size_t i = 0; i < N_COUNTED; i++) {
        size_t len = strlen(sql);
        snprintf(sql + len, sizeof sql - len, "%s(SELECT count(*) FROM %s)", i ? ", " : "",
                 counted[i].table);
    }
    PGresult *res = PQexec(db, sql);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok)
        for (size_t i = 0; i < N_COUNTED; i++)
            out[i] = strtol(PQgetvalue(res, 0, (int)i), NULL, 10);
    else
        print_error(db, res);
    PQclear(res);
    return ok;
}

/* The pacts as the dashboard will show them: progress and completion come
 * from the database's own functions (schema/functions/pacts.sql and commitments.sql). */
static bool print_pacts(PGconn *db)
{
    PGresult *res = PQexec(db, "SELECT p.title, p.status, round(pp.progress * 100),"
                               "       completion_level(pp.progress, pp.evidence),"
                               "       (SELECT count(*) FROM commitments c WHERE c.pact_id = p.id)"
                               "  FROM pacts p JOIN editions e ON e.id = p.edition_id,"
                               "       pact_progress(p.id) pp"
                               " WHERE e.slug = 'gess-2026' AND p.id::text LIKE '6e55de00-0012-%'"
                               " ORDER BY p.id");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (ok) {
        printf("pacts signed at GESS 2026:\n");
        for (int i = 0; i < PQntuples(res); i++)
            printf("  %s\n    status %s, %s commitments, progress %s%% (%s)\n",
                   PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 4),
                   PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
    } else {
        print_error(db, res);
    }
    PQclear(res);
    return ok;
}

/* Whether an edition exists that the demo did not make. */
static bool has_other_editions(PGconn *db, bool *yes)
{
    PGresult *res = PQexec(db, "SELECT EXISTS (SELECT 1 FROM editions"
                               " WHERE id::text NOT LIKE '6e55de00-0001-%')");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok)
        *yes = PQgetvalue(res, 0, 0)[0] == 't';
    else
        print_error(db, res);
    PQclear(res);
    return ok;
}

static void print_loaded(const long before[N_COUNTED], const long after[N_COUNTED])
{
    long total = 0;
    for (size_t i = 0; i < N_COUNTED; i++)
        total += after[i] - before[i];
    if (total == 0) {
        printf("demo data already loaded: nothing changed\n");
        return;
    }
    printf("loaded the demo data:");
    const char *sep = " ";
    for (size_t i = 0; i < N_COUNTED; i++) {
        if (after[i] == before[i])
            continue;
        printf("%s%ld %s", sep, after[i] - before[i], counted[i].label);
        sep = ", ";
    }
    printf("\n");
}

static void print_howto(const struct config *cfg)
{
    const char *at = cfg->listen != NULL && cfg->listen[0] != '\0' ? cfg->listen : "127.0.0.1:8080";
    printf("\nwith `gessd serve` (or `make run`) listening on %s, see it at:\n"
           "  http://%s/v1/editions/gess-2026/pacts/dashboard   public pact dashboard\n"
           "  http://%s/v1/editions/gess-2026/pacts             the pacts\n"
           "  http://%s/v1/editions/gess-2026/schedule          the GESS 2026 programme\n"
           "  http://%s/v1/editions/gess-2028/schedule          the GESS 2028 programme\n"
           "  http://%s/v1/editions                             gess-2026 and gess-2028\n"
           "  http://%s/v1/editions/gess-2028/series-events     \"Rumbo al GESS 2028\"\n"
           "the contact accounts (@demo.gess.example) have random passwords nobody knows;\n"
           "to edit the pacts, create an admin: gessd admin create --email E --name N\n",
           at, at, at, at, at, at, at);
}

int demo_load_cli(const struct config *cfg, int argc, char **argv)
{
    char err[1024], password[65], hash[crypto_pwhash_STRBYTES];
    unsigned char secret[32];
    long before[N_COUNTED], after[N_COUNTED];
    PGconn *db = NULL;
    PGresult *res = NULL;
    bool began = false;
    int code = 1;

    /* --if-empty (make run): load only into a database without editions
     * of its own, so a newcomer gets the demo on first start and a real
     * database named by GESS_DATABASE_URL never does. */
    bool if_empty = argc == 2 && strcmp(argv[1], "--if-empty") == 0;
    if (argc != 1 && !if_empty) {
        fprintf(stderr, "usage: gessd demo [--if-empty]   (loads the demo data; needs "
                        "GESS_DATABASE_URL)\n");
        return 2;
    }
    const struct embedded_file *sql = embedded_find(DEMO_SQL);
    if (sql == NULL) {
        log_msg(LOG_ERROR, "demo: %s is not compiled in", DEMO_SQL);
        return 1;
    }
    if (cfg->database_url == NULL || cfg->database_url[0] == '\0') {
        log_msg(LOG_ERROR, "demo: config: database_url is not set (GESS_DATABASE_URL)");
        return 2;
    }
    /* The demo needs the current schema: migrating first spares the
     * newcomer a step (and is a no-op on a migrated database). */
    if (!migrate_run(cfg->database_url, err, sizeof err)) {
        log_msg(LOG_ERROR, "demo: %s", err);
        return 1;
    }

    /* The contacts' accounts need an argon2id hash (a CHECK says so): one
     * of a random password that is never shown, so nobody can log in as
     * them. One hash serves them all. */
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(password, sizeof password, secret, sizeof secret);
    sodium_memzero(secret, sizeof secret);
    pwhash_configure((unsigned long long)cfg->argon2_opslimit,
                     (size_t)cfg->argon2_memlimit_kib * 1024);
    bool hashed = pwhash_hash_now(password, hash);
    sodium_memzero(password, sizeof password);
    if (!hashed) {
        log_msg(LOG_ERROR, "demo: cannot hash a password (out of memory?)");
        return 1;
    }

    db = PQconnectdb(cfg->database_url);
    PQsetNoticeProcessor(db, log_pq_notice, NULL); /* JSON, not plain text */
    if (PQstatus(db) != CONNECTION_OK) {
        log_msg(LOG_ERROR, "demo: cannot connect to the database: %s", PQerrorMessage(db));
        goto out;
    }
    if (!exec_ok(db, "BEGIN"))
        goto out;
    began = true;
    if (!exec_ok(db, "SELECT pg_advisory_xact_lock(" DEMO_LOCK ")"))
        goto out;
    if (if_empty) {
        bool others = false;
        if (!has_other_editions(db, &others))
            goto out;
        if (others) {
            printf("the database has editions of its own: demo data not loaded "
                   "(`gessd demo` loads it anyway)\n");
            code = 0;
            goto out;
        }
    }
    const char *params[] = {hash};
    res = PQexecParams(db, "SELECT set_config('gess.demo_password_hash', $1, true)", 1, NULL,
                       params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        print_error(db, res);
        goto out;
    }
    if (!count_rows(db, before))
        goto out;
    if (!exec_ok(db, (const char *)sql->data)) {
        log_msg(LOG_ERROR, "demo: nothing was loaded");
        goto out;
    }
    if (!count_rows(db, after) || !exec_ok(db, "COMMIT"))
        goto out;
    began = false;

    print_loaded(before, after);
    if (!print_pacts(db))
        goto out;
    print_howto(cfg);
    code = 0;
out:
    if (began)
        (void)exec_ok(db, "ROLLBACK");
    sodium_memzero(hash, sizeof hash);
    PQclear(res);
    PQfinish(db);
    return code;
}
