/* db.h — what notify's lanes share: their database connection (blocking
 * libpq on the lane's own thread: it has nothing else to do while it
 * waits) and the cleaning of text bound to it. */
#ifndef GESS_NOTIFY_DB_H
#define GESS_NOTIFY_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

/* Keeps *conn, or makes it again and runs setup on it (the lane's session:
 * its role, time zone, LISTEN…). False, with *conn NULL and the reason
 * logged, when the database is not there or setup fails. */
bool notify_db_connect(PGconn **conn, const char *url, const char *setup);

/* Runs one statement; false when it fails. The connection is dropped (to
 * be made again) only when it is the connection that failed: a statement's
 * error on a good connection (a bad value, a constraint) is that
 * statement's, and reconnecting would lose nothing but time. *out, when
 * out is not NULL, is the caller's to PQclear. */
bool notify_db_exec(PGconn **conn, const char *sql, int n, const char *const *params,
                    PGresult **out);

/* Replaces in place each byte that is not part of valid UTF-8 with '?':
 * text bound to the database must be UTF-8 (a relay's or a receiver's
 * answer need not be), else the statement fails and the row it records
 * stays leased instead. */
void notify_utf8_clean(char *s);

#endif
