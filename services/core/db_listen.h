/* db_listen.h — one LISTEN connection per worker loop, on the channel
 * gess_invalidate, for caches that must follow changes made by any gessd
 * process. A payload reads "<topic>:<key>" (e.g. "schedule:gess-2026");
 * modules subscribe to a topic with a context of their own (their
 * per-worker cache), which the listener owns and frees.
 *
 * A cache may trust what it holds only while db_listen_active() is true:
 * a notification sent while the connection was down is lost. Losing the
 * connection (or gaining it) calls every subscriber with key NULL, "drop
 * everything"; the listener reconnects with a back-off of 50 ms doubling
 * to 1 s. db_listen_epoch() changes on every notification and every state
 * change, so a fill whose query started in another epoch is not cached. */
#ifndef GESS_DB_LISTEN_H
#define GESS_DB_LISTEN_H

#include <stdbool.h>

#define DB_LISTEN_CHANNEL "gess_invalidate"

struct event_base;
struct db_listen;
struct req;

/* Runs on the loop: key is the notification's key, or NULL for "drop
 * everything". */
typedef void (*db_listen_cb)(void *ctx, const char *key);

/* Starts connecting at once (libpq parameters as for the pool; the arrays
 * must outlive the listener). NULL when out of memory. */
struct db_listen *db_listen_new(struct event_base *base, const char *const *keywords,
                                const char *const *values);

/* Closes the connection and frees every subscriber's context. */
void db_listen_free(struct db_listen *l);

/* The listener of the loop serving r (NULL if it has none). */
struct db_listen *db_listen_of(const struct req *r);

/* The context subscribed to topic, or NULL. */
void *db_listen_context(const struct db_listen *l, const char *topic);

/* Subscribes ctx to topic (at most one subscriber per topic); the
 * listener frees ctx with ctx_free. False when out of room. */
bool db_listen_subscribe(struct db_listen *l, const char *topic, db_listen_cb cb, void *ctx,
                         void (*ctx_free)(void *)) __attribute__((warn_unused_result));

/* True while LISTEN is in force on a live connection. */
bool db_listen_active(const struct db_listen *l);

/* db_listen_active() readable from any thread (for /metrics). */
bool db_listen_connected(const struct db_listen *l);

/* Changes whenever something may have been invalidated (also by
 * db_listen_note_change in any worker of this process). */
unsigned long db_listen_epoch(const struct db_listen *l);

/* Read-your-writes. A NOTIFY reaches the workers' LISTEN connections a
 * little after the writer's commit, so a client that writes and at once
 * reads could be answered from a stale cache. A handler whose write
 * NOTIFYs calls db_listen_note_change() once it has committed, before it
 * replies: every cache of every worker of this process is then dropped
 * at its next db_listen_sync(). A cache calls db_listen_sync() before a
 * lookup: it applies such a change, and any notification already in the
 * socket (a non-blocking read). Other processes rely on NOTIFY alone. */
void db_listen_note_change(void);
void db_listen_sync(struct db_listen *l);

#endif
