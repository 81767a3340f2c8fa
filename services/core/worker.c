/* worker.c — one worker: its event loop, evhttp, database pool and
 * LISTEN connection, the hashing results handed back to it, the periodic
 * tasks (worker 0's) and its part of a graceful shutdown: when the main
 * thread asks it to drain, it closes its listener, lets in-flight requests
 * finish (bounded by shutdown_timeout_ms), then leaves its loop. */
#include "core/worker.h"

#include <event2/event.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/batch.h"
#include "core/db_listen.h"
#include "core/db_pool.h"
#include "core/log.h"
#include "core/pwhash.h"
#include "core/server.h"

static void drain_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct worker *w = arg;
    log_msg(LOG_WARN, "worker %d: %d requests still running at the shutdown bound", w->index,
            w->inflight);
    event_base_loopexit(w->base, NULL);
}

/* The main thread asked this loop to drain. */
static void worker_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct worker *w = arg;
    if (w->bound != NULL) {
        evhttp_del_accept_socket(w->http, w->bound); /* closes our dup */
        w->bound = NULL;
        w->listener = NULL; /* freed with it */
        if (w->accept_resume != NULL)
            evtimer_del(w->accept_resume);
    }
    if (w->inflight == 0 && w->flushing == 0) {
        event_base_loopexit(w->base, NULL);
        return;
    }
    int ms = w->srv->cfg->shutdown_timeout_ms;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(w->drain_timer, &tv);
}

void worker_drain(struct worker *w)
{
    atomic_store(&w->draining, true);
    event_active(w->wake, EV_READ, 0);
}

void worker_request_done(struct worker *w)
{
    if (w->inflight == 0 && w->flushing == 0 && atomic_load(&w->draining) && w->bound == NULL)
        event_base_loopexit(w->base, NULL);
}

/* The jobs hashing threads have handed back to w, oldest last. */
static struct pwhash_job *take_hash_done(struct worker *w)
{
    pthread_mutex_lock(&w->hash_mu);
    struct pwhash_job *j = w->hash_done;
    w->hash_done = NULL;
    pthread_mutex_unlock(&w->hash_mu);
    return j;
}

/* Hashing threads queued finished jobs for this loop. */
static void worker_hash_ready(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct worker *w = arg;
    for (struct pwhash_job *j = take_hash_done(w), *next; j != NULL; j = next) {
        next = j->next;
        j->done(j); /* the callback owns j now */
    }
}

/* One server_task on worker 0 (server.h). */
struct task_timer {
    struct worker *w;
    const struct server_task *task;
    struct event *ev;
    bool running;
};

/* Worker 0's timers (one server per process), NULL-terminated. */
static struct task_timer **tasks;

static void task_arm(struct task_timer *t, int seconds)
{
    struct timeval tv = {seconds, 0};
    evtimer_add(t->ev, &tv);
}

static void task_done(void *arg, enum db_status st, PGresult *res)
{
    struct task_timer *t = arg;
    t->running = false;
    if (st == DB_OK && PQntuples(res) == 1 && t->task->done != NULL)
        t->task->done(PQgetvalue(res, 0, 0));
    else if (st == DB_OK && PQntuples(res) == 1)
        log_msg(strcmp(PQgetvalue(res, 0, 0), "0") != 0 ? LOG_INFO : LOG_DEBUG, "task %s: %s",
                t->task->name, PQgetvalue(res, 0, 0));
    else
        log_msg(LOG_WARN, "task %s failed: %s", t->task->name,
                st == DB_ERROR ? PQresultErrorMessage(res) : "database unavailable");
}

static void task_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct task_timer *t = arg;
    const struct config *cfg = t->w->srv->cfg;
    if (!t->running && !atomic_load(&t->w->draining)) {
        char buf[64];
        if (t->task->param != NULL)
            t->task->param(cfg, buf, sizeof buf);
        const char *params[] = {buf};
        /* a refusal (database down, queue full) just waits for the next tick */
        t->running = db_pool_query(t->w->db, t->task->stmt, t->task->param != NULL ? 1 : 0, params,
                                   task_done, t);
    }
    task_arm(t, t->task->interval_s(cfg));
}

/* Starts worker 0's periodic tasks; false when out of memory. */
static bool tasks_start(struct worker *w)
{
    size_t n = 0;
    const struct server_task *const *all = w->srv->tasks;
    while (all[n] != NULL)
        n++;
    tasks = calloc(n + 1, sizeof *tasks);
    if (tasks == NULL)
        return false;
    for (size_t i = 0, k = 0; i < n; i++) {
        if (all[i]->interval_s(w->srv->cfg) <= 0)
            continue;
        struct task_timer *t = calloc(1, sizeof *t);
        if (t == NULL)
            return false;
        tasks[k++] = t;
        t->w = w;
        t->task = all[i];
        t->ev = evtimer_new(w->base, task_tick, t);
        if (t->ev == NULL)
            return false;
        /* the first run one interval after start, not at once: a restart
         * is no reason to run early, and test suites that start many gessd
         * processes do not get outbox rows from them at random moments */
        task_arm(t, all[i]->interval_s(w->srv->cfg));
    }
    return true;
}

void *worker_main(void *arg)
{
    struct worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

bool worker_init(struct worker *w, struct server *srv, int index, evutil_socket_t lfd,
                 const struct db_pool_opts *dbo)
{
    const struct config *cfg = srv->cfg;
    w->index = index;
    w->srv = srv;
    pthread_mutex_init(&w->hash_mu, NULL);
    w->base = event_base_new();
    if (w->base == NULL)
        return false;
    w->http = evhttp_new(w->base);
    w->wake = event_new(w->base, -1, 0, worker_wake, w);
    w->hash_ready = event_new(w->base, -1, 0, worker_hash_ready, w);
    w->drain_timer = evtimer_new(w->base, drain_timeout, w);
    w->db = db_pool_new(w->base, dbo);
    w->listen = db_listen_new(w->base, dbo->keywords, dbo->values);
    w->batcher = batcher_new(w->base, srv->cfg->admission_batch_ms, srv->cfg->admission_batch_max);
    if (w->http == NULL || w->wake == NULL || w->hash_ready == NULL || w->drain_timer == NULL ||
        w->db == NULL || w->listen == NULL || w->batcher == NULL)
        return false;
    if (index == 0 && !tasks_start(w))
        return false;
    /* evhttp's defaults are unlimited sizes, 50 s timeouts and no PATCH. */
    evhttp_set_max_body_size(w->http, (ev_ssize_t)cfg->max_body_bytes);
    evhttp_set_max_headers_size(w->http, (ev_ssize_t)cfg->max_header_bytes);
    struct timeval tv = {cfg->http_timeout_ms / 1000, (cfg->http_timeout_ms % 1000) * 1000};
    evhttp_set_timeout_tv(w->http, &tv);
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS);
    evhttp_set_default_content_type(w->http, "application/json");
    evhttp_set_gencb(w->http, req_dispatch, w);
    evutil_socket_t fd = dup(lfd);
    if (fd < 0)
        return false;
    w->bound = evhttp_accept_socket_with_handle(w->http, fd);
    if (w->bound == NULL) {
        close(fd);
        return false;
    }
    return conn_worker_init(w);
}

void worker_free(struct worker *w)
{
    if (w->base == NULL)
        return;
    /* Jobs handed back after the loop stopped are dropped with it. */
    for (struct pwhash_job *j = take_hash_done(w), *next; j != NULL; j = next) {
        next = j->next;
        pwhash_job_free(j);
    }
    if (w->http != NULL)
        evhttp_free(w->http); /* frees its connections and requests */
    conn_worker_free(w);
    req_free_all(w);
    db_pool_free(w->db); /* no callback runs after this: the tasks can go */
    batcher_free(w->batcher);
    for (struct task_timer **t = w->index == 0 ? tasks : NULL; t != NULL && *t != NULL; t++) {
        if ((*t)->ev != NULL)
            event_free((*t)->ev);
        free(*t);
    }
    if (w->index == 0) {
        free(tasks);
        tasks = NULL;
    }
    db_listen_free(w->listen);
    if (w->wake != NULL)
        event_free(w->wake);
    if (w->hash_ready != NULL)
        event_free(w->hash_ready);
    if (w->drain_timer != NULL)
        event_free(w->drain_timer);
    event_base_free(w->base);
    pthread_mutex_destroy(&w->hash_mu);
}
