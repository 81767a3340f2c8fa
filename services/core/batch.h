/* batch.h — requests of one kind and key that reach one worker close
 * together, answered by one statement (issue 20: the registrations for one
 * edition in one transaction, so that one WAL flush confirms many seats
 * instead of one).
 *
 * A request joins its key's open batch. A batch goes when it holds `max`
 * requests, or once both `window_ms` have passed since its first request
 * joined and the batch of its key before it on this loop has been
 * answered: one batch of a key in flight per loop, as PostgreSQL groups
 * commits, so that the requests that come while one batch commits make
 * the next one instead of many small batches that queue for the same row.
 * A request therefore waits for the later of the window and the batches
 * in flight (their statement and commit, and other loops' batches ahead
 * of them at the row), but never more than ten windows: then it goes
 * anyway. With nothing of its key in flight or gathering when a request
 * comes, the window is skipped: it goes at once, alone. The key is the
 * kind's choice (registration: the edition), and so is the trade-off: a
 * quiet category of a busy edition waits with the edition's batch.
 *
 * The batcher owns each batch and its items from req_batch() to
 * batch_end(); a kind's send() runs one statement for the batch, answers
 * every request of it from that statement's result (or sends some again,
 * alone), then calls batch_end(). A loop torn down with batches open or in
 * flight frees them with batcher_free(); their requests go with the loop. */
#ifndef GESS_BATCH_H
#define GESS_BATCH_H

#include <stdbool.h>

#include "core/db_pool.h"

struct event_base;
struct evbuffer;
struct req;
struct batch;
struct batcher;

struct batch_kind {
    const char *name; /* its label in /metrics */
    void (*send)(struct batch *b);
    void (*item_free)(void *item);
};

/* The longest batch any kind may ask for (admission_batch_max's cap). */
#define BATCH_MAX 64

/* A worker's batcher, on its loop; NULL when out of memory. */
struct batcher *batcher_new(struct event_base *base, int window_ms, int max);
void batcher_free(struct batcher *bt);

/* Adds r, with the kind's item (owned by the batcher from here), to the
 * open batch of kind and key; false, with the item freed and nothing
 * kept, when out of memory or the key is longer than 255 bytes (the caller
 * sends r alone). */
bool req_batch(struct req *r, const struct batch_kind *kind, const char *key, void *item)
    __attribute__((warn_unused_result));

int batch_len(const struct batch *b);
struct req *batch_req(const struct batch *b, int i);
void *batch_item(const struct batch *b, int i);

/* Runs stmt for the batch on its loop's pool (db_pool_query's terms: the
 * values are copied); cb gets b as its argument. False when the pool
 * refused (the database is down, its queue full): cb never runs, and the
 * kind answers the requests and ends the batch itself. */
bool batch_query(struct batch *b, const struct db_stmt *stmt, int nparams,
                 const char *const *values, db_callback cb) __attribute__((warn_unused_result));

/* The batch's statement answered: frees it and its items, and lets the
 * key's open batch go when this was the last of the key in flight and its
 * window is over. */
void batch_end(struct batch *b);

/* The batches' sizes, waits and statement times, per kind, for /metrics. */
void batch_render_metrics(struct evbuffer *out);

#endif
