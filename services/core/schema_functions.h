/* schema_functions.h — the SQL function files (schema/functions/<domain>.sql,
 * compiled in): reloaded as a whole by every `gessd migrate`, and checked
 * by the start-up check (DESIGN.md §4 "Schema files"). Blocking libpq: these
 * run from the command line or before the event loops start. */
#ifndef GESS_SCHEMA_FUNCTIONS_H
#define GESS_SCHEMA_FUNCTIONS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#define SCHEMA_SHA256_HEX 65 /* 64 hex digits and a NUL */

/* True when path names a function file (schema/functions/<domain>.sql). */
bool schema_is_function_file(const char *path);

/* The SHA-256 of data as lowercase hex. */
void schema_sha256_hex(const unsigned char *data, size_t len, char out[SCHEMA_SHA256_HEX]);

/* Runs one statement (or several, without parameters); on failure writes
 * the server's message to err. */
bool schema_exec(PGconn *c, const char *sql, char *err, size_t errlen);

/* Reloads every function file in one transaction, drops the project's
 * functions that no file defines any more, and records the files' checksum
 * and the resulting definitions' digest in schema_functions (a table the
 * caller has created). Prints to stdout what changed, nothing otherwise. */
bool schema_functions_load(PGconn *c, char *err, size_t errlen) __attribute__((warn_unused_result));

/* True when schema_functions records this binary's function files and the
 * database's definitions still hash to the recorded digest. */
bool schema_functions_current(PGconn *c, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
