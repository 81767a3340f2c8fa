/* schema_functions.c — loading the SQL function files.
 *
 * Function files are written to be re-run (CREATE OR REPLACE, DROP ... IF
 * EXISTS), so every migrate runs all of them, in name order, in one
 * transaction: a database then holds exactly the definitions of the files,
 * whatever it held before. What no file defines any more is dropped in the
 * same transaction, so a renamed function does not linger in upgraded
 * databases. schema_functions records what was loaded: the start-up check
 * refuses a database whose functions are another binary's, or were redefined
 * by hand since. */
#include "core/schema_functions.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/embedded.h"

#define PREFIX "schema/functions/"

/* The project's functions: those of schema public that no extension owns
 * (btree_gist installs its own in public too).
 * Aggregates are left out: pg_get_functiondef() refuses them. */
#define PROJECT_FUNCTIONS                                                                \
    " FROM pg_proc p"                                                                    \
    " WHERE p.pronamespace = 'public'::regnamespace AND p.prokind <> 'a'"                \
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass" \
    "                   AND d.objid = p.oid AND d.deptype = 'e')"

/* The app's tables: schema public, not an extension's. */
#define APP_TABLE(r)                                                                         \
    " " r ".relnamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend e" \
    " WHERE e.classid = 'pg_class'::regclass AND e.objid = " r ".oid AND e.deptype = 'e')"

/* The SQL spliced from macros below is laid out by hand, as the query it
 * is: clang-format would join and re-break it around the macro names. */
/* clang-format off */
/* One hash over every project function's definition and every trigger of
 * the app's tables: a function replaced by hand, or a trigger added or
 * dropped, changes it. Ordered by signature and name, which do not change
 * when a function is re-created (its oid may). */
#define DEFINITIONS_DIGEST                                                                       \
    "md5(coalesce((SELECT string_agg(pg_get_functiondef(p.oid), E'\\n'"                          \
    "                                ORDER BY p.oid::regprocedure::text)" PROJECT_FUNCTIONS ")," \
    "             '')"                                                                           \
    " || coalesce((SELECT string_agg(pg_get_triggerdef(t.oid), E'\\n'"                           \
    "                                ORDER BY t.tgrelid::regclass::text, t.tgname)"              \
    "              FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid"                       \
    "              WHERE NOT t.tgisinternal AND" APP_TABLE("r") "),"                             \
    "             ''))"
/* clang-format on */

bool schema_is_function_file(const char *path)
{
    size_t n = strlen(path);
    return strncmp(path, PREFIX, strlen(PREFIX)) == 0 && n > strlen(PREFIX) + 4 &&
           strcmp(path + n - 4, ".sql") == 0 && strchr(path + strlen(PREFIX), '/') == NULL;
}

void schema_sha256_hex(const unsigned char *data, size_t len, char out[SCHEMA_SHA256_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, SCHEMA_SHA256_HEX, h, sizeof h);
}

bool schema_exec(PGconn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        snprintf(err, errlen, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* Over each file's name, length and bytes, so that moving a definition from
 * one file to another, or renaming a file, changes it too. */
static void files_checksum(char out[SCHEMA_SHA256_HEX])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (const struct embedded_file *f = embedded_files; f->name != NULL; f++) {
        if (!schema_is_function_file(f->name))
            continue;
        unsigned char len[8];
        for (int i = 0; i < 8; i++)
            len[i] = (unsigned char)((uint64_t)f->len >> (56 - 8 * i));
        crypto_hash_sha256_update(&st, (const unsigned char *)f->name, strlen(f->name) + 1);
        crypto_hash_sha256_update(&st, len, sizeof len);
        crypto_hash_sha256_update(&st, f->data, f->len);
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, SCHEMA_SHA256_HEX, h, sizeof h);
}

/* A query that returns one row; the caller clears *res, also on failure. */
static bool one_row(PGconn *c, const char *sql, int nparams, const char *const *params,
                    PGresult **res, char *err, size_t errlen)
{
    *res = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(*res) != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%s", PQresultErrorMessage(*res));
        return false;
    }
    return true;
}

/* Whether a catalogue row was written by this transaction: CREATE OR
 * REPLACE writes a new pg_proc or pg_trigger row even when nothing changed,
 * so its xmin is this transaction's id (32 bits of the 64-bit one). A row
 * written in a subtransaction has that subtransaction's id instead, so a
 * function file must not create functions or triggers inside an exception
 * block or a savepoint: they would be taken for leftovers. */
#define NOT_THIS_XACT(x) " " x "::text::bigint <> pg_current_xact_id()::text::bigint % 4294967296"

/* SQL spliced from macros again, laid out by hand (see above). */
/* clang-format off */
/* Triggers no file defines any more: one renamed in its file would
 * otherwise fire twice. Triggers live in function files only (DESIGN.md
 * §4: a migration never creates one). Each row: what, its name, the DROP. */
static const char ORPHAN_TRIGGERS[] =
    "SELECT 'trigger', format('%I ON %s', t.tgname, t.tgrelid::regclass),"
    "       format('DROP TRIGGER %I ON %s', t.tgname, t.tgrelid::regclass)"
    "  FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid"
    " WHERE NOT t.tgisinternal AND" APP_TABLE("r") " AND" NOT_THIS_XACT("t.xmin")
    " ORDER BY 2";

/* Functions and procedures no file defines any more: not created or
 * replaced by this transaction, and needed by nothing at all once the
 * leftover triggers are gone. A function a constraint, an index, a default,
 * a view or a trigger that stays needs is kept: it was made elsewhere on
 * purpose, and dropping it would take that object with it. */
static const char ORPHANS[] =
    "SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,"
    "       p.oid::regprocedure::text, format('DROP ROUTINE %s', p.oid::regprocedure)"
    PROJECT_FUNCTIONS " AND" NOT_THIS_XACT("p.xmin")
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_proc'::regclass"
    "                   AND d.refobjid = p.oid)"
    " ORDER BY 2";

/* Routines nothing needs, dropped before the files run when a file changes
 * what a function is in a way CREATE OR REPLACE refuses (SQLSTATE 42P13:
 * its result columns, its parameters' names or defaults): dropping and
 * creating again in the same transaction lets a file say what a function
 * is, whatever it was. Only then: an ordinary migrate replaces functions
 * in place, so their oids, and what an operator attached to them, stay.
 * What something needs (a trigger, a constraint, an index, a default) is
 * replaced in place even then, and must keep its result type. */
static const char UNNEEDED[] =
    "SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,"
    "       p.oid::regprocedure::text, format('DROP ROUTINE %s', p.oid::regprocedure)"
    PROJECT_FUNCTIONS
    "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_proc'::regclass"
    "                   AND d.refobjid = p.oid)";
/* clang-format on */

/* What the loader dropped, printed after the commit; what does not fit is
 * counted rather than cut. */
struct dropped {
    char text[8192];
    size_t used;
    int left_out;
};

static void dropped_add(struct dropped *d, const char *what, const char *name)
{
    size_t room = sizeof d->text - d->used;
    int w = snprintf(d->text + d->used, room, "dropped %s %s (no function file defines it)\n", what,
                     name);
    if (d->left_out == 0 && w > 0 && (size_t)w < room)
        d->used += (size_t)w;
    else {
        d->text[d->used] = '\0';
        d->left_out++;
    }
}

/* Runs the DROP of every row query lists, again until it lists nothing: a
 * leftover that only another leftover needed is free once that one is gone.
 * No CASCADE: what still needs a leftover keeps it, never goes with it. */
static bool drop_all(PGconn *c, const char *query, struct dropped *d, char *err, size_t errlen)
{
    for (int round = 0; round < 50; round++) {
        PGresult *res = NULL;
        if (!one_row(c, query, 0, NULL, &res, err, errlen)) {
            PQclear(res);
            return false;
        }
        int n = PQntuples(res);
        for (int i = 0; i < n; i++) {
            char ferr[900] = "";
            if (!schema_exec(c, PQgetvalue(res, i, 2), ferr, sizeof ferr)) {
                snprintf(err, errlen, "dropping %s %s, which no function file defines: %s",
                         PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), ferr);
                PQclear(res);
                return false;
            }
            dropped_add(d, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
        }
        PQclear(res);
        if (n == 0)
            return true;
    }
    snprintf(err, errlen, "leftovers still listed after 50 rounds of dropping them");
    return false;
}

/* Drops what UNNEEDED lists; *res keeps the list for gone_report(). */
static bool drop_unneeded(PGconn *c, PGresult **res, char *err, size_t errlen)
{
    if (!one_row(c, UNNEEDED, 0, NULL, res, err, errlen))
        return false;
    for (int i = 0; i < PQntuples(*res); i++)
        if (!schema_exec(c, PQgetvalue(*res, i, 2), err, errlen))
            return false;
    return true;
}

/* Of the routines dropped before the files ran, those no file created
 * again: they are gone for good, and said so. */
static bool gone_report(PGconn *c, PGresult *unneeded, struct dropped *d, char *err, size_t errlen)
{
    for (int i = 0; i < PQntuples(unneeded); i++) {
        const char *sig[] = {PQgetvalue(unneeded, i, 1)};
        PGresult *res = NULL;
        bool ok = one_row(c, "SELECT to_regprocedure($1) IS NULL", 1, sig, &res, err, errlen);
        if (ok && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
            dropped_add(d, PQgetvalue(unneeded, i, 0), sig[0]);
        PQclear(res);
        if (!ok)
            return false;
    }
    return true;
}

/* One attempt at loading the files in one transaction, dropping what
 * nothing needs first when drop_first; *reshaped says whether a file
 * failed because it changes a function's shape (42P13), which the attempt
 * with drop_first can do. */
static bool load_once(PGconn *c, bool drop_first, bool *reshaped, char *err, size_t errlen)
{
    char sum[SCHEMA_SHA256_HEX];
    files_checksum(sum);
    PGresult *before = NULL, *after = NULL, *unneeded = NULL;
    int nfiles = 0;
    struct dropped dropped = {.used = 0};
    /* check_function_bodies off: a file may call what a later file defines.
     * A fixed search_path: pg_get_functiondef() qualifies the names it
     * cannot see, so the digest would depend on the role's setting. Just
     * public: the files create there, and pg_catalog, unnamed, is searched
     * first, so nothing in public can shadow a built-in. */
    bool ok = schema_exec(c, "BEGIN", err, errlen) &&
              schema_exec(c, "SET LOCAL check_function_bodies = off", err, errlen) &&
              schema_exec(c, "SET LOCAL search_path = public", err, errlen) &&
              one_row(c,
                      "SELECT files_checksum, definitions_digest, " DEFINITIONS_DIGEST
                      " FROM schema_functions",
                      0, NULL, &before, err, errlen) &&
              (!drop_first || drop_unneeded(c, &unneeded, err, errlen));
    for (const struct embedded_file *f = embedded_files; ok && f->name != NULL; f++) {
        if (!schema_is_function_file(f->name))
            continue;
        char ferr[1024] = "";
        PGresult *res = PQexec(c, (const char *)f->data);
        /* a file of comments only (a domain whose functions are to come) is empty */
        ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK ||
             PQresultStatus(res) == PGRES_EMPTY_QUERY;
        if (!ok) {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            *reshaped = state != NULL && strcmp(state, "42P13") == 0;
            snprintf(ferr, sizeof ferr, "%s", PQresultErrorMessage(res));
            snprintf(err, errlen, "%s failed: %s", f->name, ferr);
        }
        PQclear(res);
        nfiles++;
    }
    /* triggers first: a function whose only trigger is a leftover is one */
    ok = ok && (unneeded == NULL || gone_report(c, unneeded, &dropped, err, errlen)) &&
         drop_all(c, ORPHAN_TRIGGERS, &dropped, err, errlen) &&
         drop_all(c, ORPHANS, &dropped, err, errlen);
    const char *params[] = {sum};
    ok = ok && one_row(c,
                       "INSERT INTO schema_functions AS s (files_checksum, definitions_digest)"
                       " VALUES ($1, " DEFINITIONS_DIGEST ")"
                       " ON CONFLICT (singleton) DO UPDATE"
                       " SET files_checksum = excluded.files_checksum,"
                       "     definitions_digest = excluded.definitions_digest, loaded_at = now()"
                       " RETURNING definitions_digest",
                       1, params, &after, err, errlen);
    ok = ok && schema_exec(c, "COMMIT", err, errlen);
    if (!ok) {
        char ignored[64];
        (void)schema_exec(c, "ROLLBACK", ignored, sizeof ignored);
    } else {
        /* Quiet when the database already had exactly these functions, as
         * recorded and untouched since, so that a second migrate prints
         * nothing; loud when it restored a definition changed by hand. */
        const char *now = PQgetvalue(after, 0, 0);
        bool same = PQntuples(before) == 1 && strcmp(PQgetvalue(before, 0, 0), sum) == 0 &&
                    strcmp(PQgetvalue(before, 0, 1), now) == 0 &&
                    strcmp(PQgetvalue(before, 0, 2), now) == 0;
        if (!same)
            printf("loaded %d function files (schema/functions)\n", nfiles);
        fputs(dropped.text, stdout);
        if (dropped.left_out > 0)
            printf("... and %d more dropped\n", dropped.left_out);
    }
    PQclear(before);
    PQclear(after);
    PQclear(unneeded);
    return ok;
}

bool schema_functions_load(PGconn *c, char *err, size_t errlen)
{
    bool reshaped = false;
    if (load_once(c, false, &reshaped, err, errlen))
        return true;
    if (!reshaped)
        return false;
    /* a file changes a function's shape: start over, dropping first */
    return load_once(c, true, &reshaped, err, errlen);
}

bool schema_functions_current(PGconn *c, char *err, size_t errlen)
{
    char sum[SCHEMA_SHA256_HEX];
    files_checksum(sum);
    PGresult *res = NULL;
    /* the search_path the load computed its digest with */
    bool ok = schema_exec(c, "SET search_path = public", err, errlen) &&
              one_row(c,
                      "SELECT files_checksum, definitions_digest, " DEFINITIONS_DIGEST
                      " FROM schema_functions",
                      0, NULL, &res, err, errlen);
    if (ok && PQntuples(res) != 1) {
        snprintf(err, errlen,
                 "the database's SQL functions were never loaded: run `gessd migrate` first");
        ok = false;
    } else if (ok && strcmp(PQgetvalue(res, 0, 0), sum) != 0) {
        snprintf(err, errlen,
                 "the database's SQL functions are not the ones this gessd was built with"
                 " (schema/functions changed): run `gessd migrate` first");
        ok = false;
    } else if (ok && strcmp(PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2)) != 0) {
        snprintf(err, errlen,
                 "the database's SQL functions or triggers were changed since `gessd migrate`"
                 " loaded them (by hand?): run `gessd migrate` to restore them");
        ok = false;
    }
    PQclear(res);
    return ok;
}
