/* worker.h — one event loop with its own evhttp and database pool. Private
 * to core: handlers see only req.h. */
#ifndef GESS_WORKER_H
#define GESS_WORKER_H

#include <event2/util.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "core/conn.h"
#include "core/proxy.h"

struct db_pool_opts;
struct evhttp_request;

struct server {
    const struct config *cfg;
    const struct router *rt;
    const struct server_task *const *tasks; /* NULL-terminated (app.h) */
    struct worker *workers;
    int nworkers;
    struct proxy_list proxies; /* trusted_proxies, parsed at start-up */
    struct conn_limits limits; /* connection caps and deadlines (conn.h) */
};

struct worker {
    int index;
    struct server *srv;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct db_pool *db;
    struct db_listen *listen;  /* LISTEN for cache invalidation (db_listen.h) */
    struct batcher *batcher;   /* requests answered together (batch.h) */
    struct event *wake;        /* main thread asks us to drain */
    struct event *hash_ready;  /* hashing threads hand jobs back */
    struct event *drain_timer; /* bound on finishing in-flight work */
    pthread_mutex_t hash_mu;
    struct pwhash_job *hash_done;
    struct req *live; /* requests not yet answered */
    int inflight;     /* dispatched, not yet answered */
    int flushing;     /* answered, reply not yet fully written */
    atomic_bool draining;
    /* connections (conn.c) */
    struct evconnlistener *listener; /* evhttp's, of w->bound */
    struct conn **by_fd;             /* the watched connection of each fd */
    int by_fd_len;
    struct conn *conns;          /* all watched, registered or not */
    struct event *accept_resume; /* re-enables the listener after EMFILE */
    int accept_backoff_ms;
    long accept_paused_ms; /* monotonic ms of the last pause */
    time_t accept_logged;
};

/* worker.c */

/* Sets up w, worker index of srv: its loop, an evhttp on a dup() of the
 * listening socket lfd, its pool and LISTEN connection, and (worker 0)
 * the periodic tasks. False on failure; worker_free cleans up either way. */
bool worker_init(struct worker *w, struct server *srv, int index, evutil_socket_t lfd,
                 const struct db_pool_opts *dbo) __attribute__((warn_unused_result));

/* The thread of a worker (arg): runs its loop until it is left. */
void *worker_main(void *arg);

/* Asks w to drain (from the main thread): stop accepting, finish what is
 * in flight within shutdown_timeout_ms, then leave the loop. */
void worker_drain(struct worker *w);

/* Frees what worker_init made, once the loop has stopped (or never ran). */
void worker_free(struct worker *w);

/* Called by req.c after each answer and after each reply is written: ends
 * the loop when draining and nothing is left to answer or to write. */
void worker_request_done(struct worker *w);

/* req.c */

/* evhttp's callback for every request on w's loop. */
void req_dispatch(struct evhttp_request *ev, void *arg);

/* Frees the contexts of requests still live when a loop is torn down. */
void req_free_all(struct worker *w);

/* server.c */

/* Appends pool and hashing gauges for /metrics. */
void server_render_gauges(struct server *srv, struct evbuffer *out);

#endif
