/* db_pool.c — asynchronous libpq, all the way (PgBouncer's habit):
 * PQconnectStartParams/PQconnectPoll, PQsendQueryPrepared, PQflush while it
 * returns 1, then PQconsumeInput -> PQisBusy -> PQgetResult until NULL.
 *
 * Each connection moves through explicit states, changed only by
 * set_state():
 *
 *   DOWN --timer--> CONNECTING --> SETUP --> PREPARING --> IDLE <--> BUSY
 *                                                           ^        |
 *                                                           +-RESET<-+
 *   any state --failure--> DOWN (re-opened after a back-off of 50 ms
 *   doubling to 1 s, so service resumes within ~1 s of the database)
 *
 * RESET rolls back a connection left inside a transaction before it is
 * reused. libpq 15's PQcancel blocks, so a running query is never
 * cancelled: it finishes and its caller gets the answer. */
#include "core/db_pool.h"

#include <event2/event.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

enum conn_state {
    CS_DOWN,
    CS_CONNECTING,
    CS_SETUP,
    CS_PREPARING,
    CS_IDLE,
    CS_BUSY,
    CS_RESET,
    CS_N
};

#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 1000
#define CONNECT_TIMEOUT_MS 5000

struct db_job {
    struct db_job *next;
    const struct db_stmt *stmt;
    db_callback cb;
    void *arg;
    struct timespec queued;
    int nparams;
    char *values[]; /* strings stored after the array, same allocation */
};

struct conn {
    struct db_pool *pool;
    PGconn *pg;
    int fd;
    struct event *rev, *wev, *timer;
    enum conn_state state;
    size_t prep_next;
    struct db_job *job;
    PGresult *result;
    int backoff_ms;
};

struct db_pool {
    struct event_base *base;
    struct db_pool_opts opts;
    struct conn *conns;
    int nconns;
    struct db_job *head, *tail;
    int qlen;
    struct event *sweep;
    _Atomic int count[CS_N];
    _Atomic int waiting;
};

static void conn_io(evutil_socket_t fd, short what, void *arg);
static void conn_fail(struct conn *c, const char *why);
static void conn_take_next(struct conn *c);

static void set_state(struct conn *c, enum conn_state s)
{
    atomic_fetch_sub(&c->pool->count[c->state], 1);
    atomic_fetch_add(&c->pool->count[s], 1);
    c->state = s;
}

static double ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

static void free_events(struct conn *c)
{
    if (c->rev != NULL)
        event_free(c->rev);
    if (c->wev != NULL)
        event_free(c->wev);
    c->rev = c->wev = NULL;
    c->fd = -1;
}

/* Waits for readability always (results, or the server going away) and
 * for writability when libpq has output left. libpq may change the socket
 * while connecting, so the events follow PQsocket(). */
static bool watch(struct conn *c, bool want_write)
{
    int fd = PQsocket(c->pg);
    if (fd < 0)
        return false;
    if (fd != c->fd) {
        free_events(c);
        c->rev = event_new(c->pool->base, fd, EV_READ | EV_PERSIST, conn_io, c);
        c->wev = event_new(c->pool->base, fd, EV_WRITE, conn_io, c);
        if (c->rev == NULL || c->wev == NULL)
            return false;
        c->fd = fd;
        if (event_add(c->rev, NULL) != 0)
            return false;
    }
    if (want_write)
        return event_add(c->wev, NULL) == 0;
    return event_del(c->wev) == 0;
}

static void arm_timer(struct conn *c, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(c->timer, &tv);
}

/* The server's notices and FATAL messages (e.g. an administrator ending
 * the connection) go through libpq's notice processor, whose default writes
 * plain text to stderr: keep the log JSON. */
static void pool_notice(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    while (n > 0 && message[n - 1] == '\n')
        n--;
    log_msg(LOG_INFO, "db: server says: %.*s", (int)n, message);
}

static void conn_start(struct conn *c)
{
    struct db_pool_opts *o = &c->pool->opts;
    c->pg = PQconnectStartParams(o->keywords, o->values, 0);
    if (c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD) {
        conn_fail(c, "cannot start a connection");
        return;
    }
    PQsetnonblocking(c->pg, 1);
    PQsetNoticeProcessor(c->pg, pool_notice, NULL);
    set_state(c, CS_CONNECTING);
    arm_timer(c, CONNECT_TIMEOUT_MS);
    /* libpq: behave as if PQconnectPoll last returned PGRES_POLLING_WRITING */
    if (!watch(c, true))
        conn_fail(c, "cannot watch the socket");
}

static void conn_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct conn *c = arg;
    if (c->state == CS_DOWN)
        conn_start(c);
    else if (c->state == CS_CONNECTING)
        conn_fail(c, "connection timed out");
}

/* Sends the command for the current state; false when libpq refuses. */
static bool flush_after_send(struct conn *c)
{
    int r = PQflush(c->pg);
    return r >= 0 && watch(c, r == 1);
}

static void prepare_next(struct conn *c)
{
    const struct db_stmt *const *stmts = c->pool->opts.stmts;
    if (stmts == NULL || stmts[c->prep_next] == NULL) {
        c->backoff_ms = BACKOFF_MIN_MS;
        set_state(c, CS_IDLE);
        conn_take_next(c);
        return;
    }
    const struct db_stmt *s = stmts[c->prep_next];
    if (!PQsendPrepare(c->pg, s->name, s->sql, 0, NULL) || !flush_after_send(c))
        conn_fail(c, "cannot send a prepare");
}

static void job_free(struct db_job *j)
{
    free(j);
}

static bool send_job(struct conn *c, struct db_job *j)
{
    c->job = j;
    set_state(c, CS_BUSY);
    if (!PQsendQueryPrepared(c->pg, j->stmt->name, j->nparams, (const char *const *)j->values, NULL,
                             NULL, 0) ||
        !flush_after_send(c)) {
        conn_fail(c, "cannot send a query");
        return false;
    }
    return true;
}

/* Takes the oldest waiting job off the queue (there must be one). */
static struct db_job *queue_pop(struct db_pool *p)
{
    struct db_job *j = p->head;
    p->head = j->next;
    if (p->head == NULL)
        p->tail = NULL;
    p->qlen--;
    atomic_store(&p->waiting, p->qlen);
    return j;
}

/* An idle connection takes the oldest waiting job. */
static void conn_take_next(struct conn *c)
{
    if (c->state == CS_IDLE && c->pool->head != NULL)
        send_job(c, queue_pop(c->pool));
}

static void fail_queue(struct db_pool *p)
{
    struct db_job *j = p->head;
    p->head = p->tail = NULL;
    p->qlen = 0;
    atomic_store(&p->waiting, 0);
    while (j != NULL) {
        struct db_job *next = j->next;
        j->cb(j->arg, DB_UNAVAILABLE, NULL);
        job_free(j);
        j = next;
    }
}

static void conn_fail(struct conn *c, const char *why)
{
    struct db_pool *p = c->pool;
    log_msg(LOG_WARN, "database connection down (%s): %s", why,
            c->pg ? PQerrorMessage(c->pg) : "no connection object");
    struct db_job *job = c->job;
    c->job = NULL;
    PQclear(c->result);
    c->result = NULL;
    free_events(c);
    PQfinish(c->pg);
    c->pg = NULL;
    set_state(c, CS_DOWN);
    arm_timer(c, c->backoff_ms);
    c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
    if (job != NULL) {
        job->cb(job->arg, DB_UNAVAILABLE, NULL);
        job_free(job);
    }
    /* Nobody can serve the queue until a connection comes back. */
    if (atomic_load(&p->count[CS_DOWN]) == p->nconns)
        fail_queue(p);
}

/* One command (all its results) has finished on c. */
static void command_done(struct conn *c)
{
    PGresult *res = c->result;
    c->result = NULL;
    bool failed = res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR;
    switch (c->state) {
    case CS_SETUP:
    case CS_PREPARING:
        if (failed) {
            log_msg(LOG_ERROR, "database setup failed: %s", PQresultErrorMessage(res));
            PQclear(res);
            conn_fail(c, "setup");
            return;
        }
        PQclear(res);
        if (c->state == CS_SETUP) {
            c->prep_next = 0;
            set_state(c, CS_PREPARING);
        } else {
            c->prep_next++;
        }
        prepare_next(c);
        return;
    case CS_BUSY: {
        struct db_job *j = c->job;
        c->job = NULL;
        if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
            set_state(c, CS_RESET);
            if (!PQsendQuery(c->pg, "ROLLBACK") || !flush_after_send(c)) {
                /* the job's result is complete: deliver it, then fail */
                j->cb(j->arg, failed ? DB_ERROR : DB_OK, res);
                PQclear(res);
                job_free(j);
                conn_fail(c, "cannot roll back");
                return;
            }
        } else {
            set_state(c, CS_IDLE);
        }
        j->cb(j->arg, failed ? DB_ERROR : DB_OK, res);
        PQclear(res);
        job_free(j);
        conn_take_next(c);
        return;
    }
    case CS_RESET:
        PQclear(res);
        set_state(c, CS_IDLE);
        conn_take_next(c);
        return;
    default:
        PQclear(res);
        return;
    }
}

static void conn_io(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    struct conn *c = arg;
    if (c->state == CS_CONNECTING) {
        switch (PQconnectPoll(c->pg)) {
        case PGRES_POLLING_READING:
            if (!watch(c, false))
                conn_fail(c, "cannot watch the socket");
            return;
        case PGRES_POLLING_WRITING:
            if (!watch(c, true))
                conn_fail(c, "cannot watch the socket");
            return;
        case PGRES_POLLING_OK:
            evtimer_del(c->timer);
            set_state(c, CS_SETUP);
            if (c->pool->opts.setup_sql == NULL) {
                command_done(c);
                return;
            }
            if (!PQsendQuery(c->pg, c->pool->opts.setup_sql) || !flush_after_send(c))
                conn_fail(c, "cannot send the setup");
            return;
        default:
            conn_fail(c, "connect failed");
            return;
        }
    }
    if (what & EV_WRITE) {
        int r = PQflush(c->pg);
        if (r < 0 || !watch(c, r == 1)) {
            conn_fail(c, "write failed");
            return;
        }
    }
    if (!(what & EV_READ))
        return;
    if (!PQconsumeInput(c->pg)) {
        conn_fail(c, "read failed");
        return;
    }
    PGnotify *n;
    while ((n = PQnotifies(c->pg)) != NULL)
        PQfreemem(n);
    if (c->state == CS_IDLE) {
        if (PQstatus(c->pg) == CONNECTION_BAD)
            conn_fail(c, "server closed the connection");
        return;
    }
    while (c->state != CS_IDLE && c->state != CS_DOWN && !PQisBusy(c->pg)) {
        PGresult *res = PQgetResult(c->pg);
        if (res == NULL) {
            command_done(c);
            return;
        }
        /* Keep the first error, else the last result. */
        if (c->result != NULL && PQresultStatus(c->result) == PGRES_FATAL_ERROR) {
            PQclear(res);
        } else {
            PQclear(c->result);
            c->result = res;
        }
    }
}

static void sweep_queue(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct db_pool *p = arg;
    while (p->head != NULL && ms_since(&p->head->queued) > p->opts.queue_timeout_ms) {
        struct db_job *j = queue_pop(p);
        j->cb(j->arg, DB_UNAVAILABLE, NULL);
        job_free(j);
    }
}

struct db_pool *db_pool_new(struct event_base *base, const struct db_pool_opts *opts)
{
    struct db_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->base = base;
    p->opts = *opts;
    p->nconns = opts->size;
    p->conns = calloc((size_t)opts->size, sizeof *p->conns);
    int sweep_ms = opts->queue_timeout_ms / 4 > 250 ? 250 : opts->queue_timeout_ms / 4 + 1;
    struct timeval tv = {sweep_ms / 1000, (sweep_ms % 1000) * 1000};
    p->sweep = event_new(base, -1, EV_PERSIST, sweep_queue, p);
    if (p->conns == NULL || p->sweep == NULL || event_add(p->sweep, &tv) != 0)
        goto fail;
    atomic_store(&p->count[CS_DOWN], p->nconns);
    for (int i = 0; i < p->nconns; i++) {
        struct conn *c = &p->conns[i];
        c->pool = p;
        c->fd = -1;
        c->state = CS_DOWN;
        c->backoff_ms = BACKOFF_MIN_MS;
        c->timer = evtimer_new(base, conn_timer, c);
        if (c->timer == NULL)
            goto fail;
        arm_timer(c, 0);
    }
    return p;
fail:
    db_pool_free(p);
    return NULL;
}

void db_pool_free(struct db_pool *p)
{
    if (p == NULL)
        return;
    for (int i = 0; p->conns != NULL && i < p->nconns; i++) {
        struct conn *c = &p->conns[i];
        free_events(c);
        if (c->timer != NULL)
            event_free(c->timer);
        PQclear(c->result);
        PQfinish(c->pg);
        if (c->job != NULL)
            job_free(c->job);
    }
    while (p->head != NULL) {
        struct db_job *j = p->head;
        p->head = j->next;
        job_free(j);
    }
    if (p->sweep != NULL)
        event_free(p->sweep);
    free(p->conns);
    free(p);
}

bool db_pool_query(struct db_pool *p, const struct db_stmt *stmt, int nparams,
                   const char *const *values, db_callback cb, void *arg)
{
    if (atomic_load(&p->count[CS_DOWN]) == p->nconns)
        return false;
    struct conn *idle = NULL;
    for (int i = 0; i < p->nconns && idle == NULL; i++)
        if (p->conns[i].state == CS_IDLE)
            idle = &p->conns[i];
    if (idle == NULL && p->qlen >= p->opts.queue_max)
        return false;
    size_t size = sizeof(struct db_job) + (size_t)nparams * sizeof(char *);
    for (int i = 0; i < nparams; i++)
        size += values[i] ? strlen(values[i]) + 1 : 0;
    struct db_job *j = malloc(size);
    if (j == NULL)
        return false;
    j->next = NULL;
    j->stmt = stmt;
    j->cb = cb;
    j->arg = arg;
    j->nparams = nparams;
    char *s = (char *)&j->values[nparams];
    for (int i = 0; i < nparams; i++) {
        if (values[i] == NULL) {
            j->values[i] = NULL;
            continue;
        }
        size_t len = strlen(values[i]) + 1;
        memcpy(s, values[i], len);
        j->values[i] = s;
        s += len;
    }
    clock_gettime(CLOCK_MONOTONIC, &j->queued);
    if (idle != NULL) {
        /* A failed send has already called cb with DB_UNAVAILABLE. */
        send_job(idle, j);
        return true;
    }
    if (p->tail != NULL)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->qlen++;
    atomic_store(&p->waiting, p->qlen);
    return true;
}

void db_pool_stats(struct db_pool *p, struct db_pool_stats *out)
{
    out->in_use = atomic_load(&p->count[CS_BUSY]) + atomic_load(&p->count[CS_RESET]);
    out->idle = atomic_load(&p->count[CS_IDLE]);
    out->connecting = atomic_load(&p->count[CS_CONNECTING]) + atomic_load(&p->count[CS_SETUP]) +
                      atomic_load(&p->count[CS_PREPARING]);
    out->down = atomic_load(&p->count[CS_DOWN]);
    out->waiting = atomic_load(&p->waiting);
}

const char *db_sqlstate(const PGresult *res)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

const char *db_constraint(const PGresult *res)
{
    const char *s = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    return s ? s : "";
}

PGresult *db_result_slice(const PGresult *res, int row, int col, int ncols)
{
    PGresAttDesc att[8];
    if (ncols < 1 || ncols > 8 || col + ncols > PQnfields(res) || row >= PQntuples(res))
        return NULL;
    for (int i = 0; i < ncols; i++)
        att[i] = (PGresAttDesc){.name = PQfname(res, col + i),
                                .tableid = PQftable(res, col + i),
                                .columnid = PQftablecol(res, col + i),
                                .format = PQfformat(res, col + i),
                                .typid = PQftype(res, col + i),
                                .typlen = PQfsize(res, col + i),
                                .atttypmod = PQfmod(res, col + i)};
    PGresult *one = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    if (one == NULL || !PQsetResultAttrs(one, ncols, att)) {
        PQclear(one);
        return NULL;
    }
    for (int i = 0; i < ncols; i++) {
        bool null = PQgetisnull(res, row, col + i);
        if (!PQsetvalue(one, 0, i, null ? NULL : PQgetvalue(res, row, col + i),
                        null ? -1 : PQgetlength(res, row, col + i))) {
            PQclear(one);
            return NULL;
        }
    }
    return one;
}
