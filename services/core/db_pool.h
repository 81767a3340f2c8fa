/* db_pool.h — a per-loop pool of non-blocking libpq connections with a
 * bounded wait queue. Every connection prepares every registered statement
 * once, then runs them with PQsendQueryPrepared. */
#ifndef GESS_DB_POOL_H
#define GESS_DB_POOL_H

#include <libpq-fe.h>
#include <stdbool.h>

struct event_base;
struct db_pool;

/* A statement prepared on every connection under its name. */
struct db_stmt {
    const char *name;
    const char *sql;
};

/* A statement that reads an API function's answer (status, problem, body;
 * core/req.h "The answer contract"): named as the function it calls, so
 * handler, statement and function cannot drift apart. args are the
 * function's parameters ("$1::uuid, $2"). */
#define DB_ANSWER(fn, args)                                        \
    {                                                              \
#fn, "SELECT status, problem, body FROM " #fn "(" args ")" \
    }

enum db_status {
    DB_OK,          /* res holds the command's result */
    DB_ERROR,       /* res holds the error; see db_sqlstate() */
    DB_UNAVAILABLE, /* connection lost or wait timed out; res is NULL */
};

/* Called exactly once on the pool's loop; the pool frees res afterwards. */
typedef void (*db_callback)(void *arg, enum db_status status, PGresult *res);

struct db_pool_opts {
    const char *const *keywords; /* libpq connection parameters (hostaddr, not host) */
    const char *const *values;
    int size;
    int queue_max;
    int queue_timeout_ms;
    const char *setup_sql;              /* run once per connection, e.g. SET ROLE */
    const struct db_stmt *const *stmts; /* NULL-terminated */
};

struct db_pool_stats {
    int in_use, idle, connecting, down, waiting;
};

/* Starts connecting at once; returns NULL when out of memory. The options'
 * arrays must outlive the pool. */
struct db_pool *db_pool_new(struct event_base *base, const struct db_pool_opts *opts);

/* Closes every connection; no callback runs. */
void db_pool_free(struct db_pool *p);

/* Runs stmt with text parameters (NULL for SQL NULL). Returns false, and
 * never calls cb, when the database is down or the queue is full: the
 * caller answers 503. When it returns true, the values (the array and
 * every string) have been copied into the query, whether it was sent at
 * once or queued for a free connection, so the caller may free or reuse
 * them as soon as this returns; after false nothing was kept. Only stmt is
 * held by reference (statements are static). */
bool db_pool_query(struct db_pool *p, const struct db_stmt *stmt, int nparams,
                   const char *const *values, db_callback cb, void *arg)
    __attribute__((warn_unused_result));

/* A snapshot readable from any thread. */
void db_pool_stats(struct db_pool *p, struct db_pool_stats *out);

/* A new result of one row: columns col..col+ncols-1 of res's row, with
 * their names and types (a statement that answers many requests at once
 * hands each its own row, shaped as if asked alone); the caller PQclear()s
 * it. NULL when out of memory. */
PGresult *db_result_slice(const PGresult *res, int row, int col, int ncols);

/* The SQLSTATE of an error result, or "" when there is none. */
const char *db_sqlstate(const PGresult *res);

/* The constraint an integrity error names, or "". */
const char *db_constraint(const PGresult *res);

#endif
