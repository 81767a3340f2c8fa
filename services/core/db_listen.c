/* db_listen.c — the per-loop LISTEN connection (see db_listen.h).
 *
 *   DOWN --timer--> CONNECTING --> LISTEN_SENT --> LISTENING
 *   any state --failure--> DOWN (again after 50 ms doubling to 1 s)
 *
 * Non-blocking libpq throughout, like the pool: PQconnectPoll while
 * connecting, then PQconsumeInput and PQnotifies whenever the socket is
 * readable. A server that goes away makes the socket readable (EOF), so a
 * lost connection is noticed at once without polling. */
#include "core/db_listen.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/req.h"
#include "core/worker.h"

#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 1000
#define CONNECT_TIMEOUT_MS 5000
#define MAX_SUBS 8
#define MAX_PARAMS 64

enum listen_state { LS_DOWN, LS_CONNECTING, LS_LISTEN_SENT, LS_LISTENING };

struct sub {
    char topic[32];
    db_listen_cb cb;
    void *ctx;
    void (*ctx_free)(void *);
};

struct db_listen {
    struct event_base *base;
    const char *keywords[MAX_PARAMS + 2];
    const char *values[MAX_PARAMS + 2];
    char appname[80];
    PGconn *pg;
    int fd;
    struct event *rev, *wev, *timer;
    enum listen_state state;
    int backoff_ms;
    bool listen_ok;
    /* state == LS_LISTENING, for /metrics: that is rendered on whichever
     * worker serves it, so it reads other workers' listeners */
    atomic_bool listening;
    unsigned long epoch;
    unsigned long changes_seen; /* of local_changes, at the last sync */
    struct sub subs[MAX_SUBS];
    int nsubs;
};

static void listen_io(evutil_socket_t fd, short what, void *arg);

/* Writes committed by this process (db_listen_note_change). */
static atomic_ulong local_changes;

/* Every subscriber drops everything: notifications may have been lost. */
static void reset_all(struct db_listen *l)
{
    l->epoch++;
    for (int i = 0; i < l->nsubs; i++)
        l->subs[i].cb(l->subs[i].ctx, NULL);
}

static void free_events(struct db_listen *l)
{
    if (l->rev != NULL)
        event_free(l->rev);
    if (l->wev != NULL)
        event_free(l->wev);
    l->rev = l->wev = NULL;
    l->fd = -1;
}

static void arm_timer(struct db_listen *l, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(l->timer, &tv);
}

static void listen_fail(struct db_listen *l, const char *why)
{
    bool was = l->state == LS_LISTENING;
    if (was || l->state == LS_LISTEN_SENT)
        log_msg(LOG_WARN, "listen: %s: %s", why, l->pg ? PQerrorMessage(l->pg) : "no connection");
    free_events(l);
    if (l->pg != NULL)
        PQfinish(l->pg);
    l->pg = NULL;
    l->state = LS_DOWN;
    atomic_store(&l->listening, false);
    l->listen_ok = false;
    reset_all(l);
    arm_timer(l, l->backoff_ms);
    l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : l->backoff_ms * 2;
}

/* Reads always; writes while libpq has output pending. */
static bool watch(struct db_listen *l, bool want_write)
{
    int fd = PQsocket(l->pg);
    if (fd < 0)
        return false;
    if (fd != l->fd) {
        free_events(l);
        l->rev = event_new(l->base, fd, EV_READ | EV_PERSIST, listen_io, l);
        l->wev = event_new(l->base, fd, EV_WRITE, listen_io, l);
        if (l->rev == NULL || l->wev == NULL)
            return false;
        l->fd = fd;
        if (event_add(l->rev, NULL) != 0)
            return false;
    }
    if (want_write)
        return event_add(l->wev, NULL) == 0;
    return event_del(l->wev) == 0;
}

/* libpq reports what the server says while the connection is idle (e.g.
 * "terminating connection due to administrator command") through the
 * notice processor, whose default writes plain text to stderr: keep the
 * log JSON. */
static void notice_log(void *arg, const char *message)
{
    (void)arg;
    size_t n = strlen(message);
    while (n > 0 && message[n - 1] == '\n')
        n--;
    log_msg(LOG_INFO, "listen: server says: %.*s", (int)n, message);
}

static void listen_start(struct db_listen *l)
{
    l->pg = PQconnectStartParams(l->keywords, l->values, 0);
    if (l->pg == NULL || PQstatus(l->pg) == CONNECTION_BAD) {
        listen_fail(l, "cannot start a connection");
        return;
    }
    PQsetnonblocking(l->pg, 1);
    PQsetNoticeProcessor(l->pg, notice_log, NULL);
    l->state = LS_CONNECTING;
    arm_timer(l, CONNECT_TIMEOUT_MS);
    if (!watch(l, true))
        listen_fail(l, "cannot watch the socket");
}

static void listen_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct db_listen *l = arg;
    if (l->state == LS_DOWN)
        listen_start(l);
    else if (l->state == LS_CONNECTING || l->state == LS_LISTEN_SENT)
        listen_fail(l, "connection timed out");
}

static void dispatch(struct db_listen *l, const char *payload)
{
    l->epoch++;
    const char *colon = strchr(payload, ':');
    if (colon == NULL)
        return;
    size_t n = (size_t)(colon - payload);
    for (int i = 0; i < l->nsubs; i++)
        if (strlen(l->subs[i].topic) == n && memcmp(l->subs[i].topic, payload, n) == 0)
            l->subs[i].cb(l->subs[i].ctx, colon + 1);
}

static void connected(struct db_listen *l)
{
    if (!PQsendQuery(l->pg, "LISTEN " DB_LISTEN_CHANNEL)) {
        listen_fail(l, "cannot send LISTEN");
        return;
    }
    l->state = LS_LISTEN_SENT;
    int r = PQflush(l->pg);
    if (r < 0 || !watch(l, r == 1))
        listen_fail(l, "cannot send LISTEN");
}

static void on_input(struct db_listen *l)
{
    if (!PQconsumeInput(l->pg)) {
        listen_fail(l, "connection lost");
        return;
    }
    while (!PQisBusy(l->pg)) {
        PGresult *res = PQgetResult(l->pg);
        if (res == NULL)
            break;
        if (l->state == LS_LISTEN_SENT && PQresultStatus(res) == PGRES_COMMAND_OK)
            l->listen_ok = true;
        PQclear(res);
    }
    if (l->state == LS_LISTEN_SENT && !PQisBusy(l->pg)) {
        if (!l->listen_ok) {
            listen_fail(l, "LISTEN refused");
            return;
        }
        evtimer_del(l->timer);
        l->state = LS_LISTENING;
        atomic_store(&l->listening, true);
        l->backoff_ms = BACKOFF_MIN_MS;
        reset_all(l); /* anything cached before this point may be stale */
        log_msg(LOG_DEBUG, "listen: listening on " DB_LISTEN_CHANNEL);
    }
    for (PGnotify *n; (n = PQnotifies(l->pg)) != NULL; PQfreemem(n))
        dispatch(l, n->extra);
    if (PQstatus(l->pg) == CONNECTION_BAD)
        listen_fail(l, "connection lost");
}

static void listen_io(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    struct db_listen *l = arg;
    if (l->state == LS_CONNECTING) {
        switch (PQconnectPoll(l->pg)) {
        case PGRES_POLLING_READING:
            if (!watch(l, false))
                listen_fail(l, "cannot watch the socket");
            return;
        case PGRES_POLLING_WRITING:
            if (!watch(l, true))
                listen_fail(l, "cannot watch the socket");
            return;
        case PGRES_POLLING_OK:
            connected(l);
            return;
        default:
            listen_fail(l, "cannot connect");
            return;
        }
    }
    if (what & EV_WRITE) {
        int r = PQflush(l->pg);
        if (r < 0 || !watch(l, r == 1)) {
            listen_fail(l, "cannot write");
            return;
        }
    }
    if (what & EV_READ)
        on_input(l);
}

struct db_listen *db_listen_new(struct event_base *base, const char *const *keywords,
                                const char *const *values)
{
    struct db_listen *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->base = base;
    l->fd = -1;
    l->backoff_ms = BACKOFF_MIN_MS;
    /* The same parameters as the pool, under a name of its own so an
     * operator (or a test) can tell these connections apart: the pool's
     * application_name (default gessd) + "-listen". */
    int k = 0;
    const char *appname = "gessd";
    for (int i = 0; keywords[i] != NULL && k < MAX_PARAMS; i++) {
        if (strcmp(keywords[i], "application_name") == 0) {
            appname = values[i];
            continue;
        }
        l->keywords[k] = keywords[i];
        l->values[k++] = values[i];
    }
    snprintf(l->appname, sizeof l->appname, "%.56s-listen", appname);
    l->keywords[k] = "application_name";
    l->values[k++] = l->appname;
    l->timer = evtimer_new(base, listen_timer, l);
    if (l->timer == NULL) {
        free(l);
        return NULL;
    }
    listen_start(l);
    return l;
}

void db_listen_free(struct db_listen *l)
{
    if (l == NULL)
        return;
    free_events(l);
    if (l->pg != NULL)
        PQfinish(l->pg);
    event_free(l->timer);
    for (int i = 0; i < l->nsubs; i++)
        if (l->subs[i].ctx_free != NULL)
            l->subs[i].ctx_free(l->subs[i].ctx);
    free(l);
}

struct db_listen *db_listen_of(const struct req *r)
{
    return r->w->listen;
}

void *db_listen_context(const struct db_listen *l, const char *topic)
{
    for (int i = 0; l != NULL && i < l->nsubs; i++)
        if (strcmp(l->subs[i].topic, topic) == 0)
            return l->subs[i].ctx;
    return NULL;
}

bool db_listen_subscribe(struct db_listen *l, const char *topic, db_listen_cb cb, void *ctx,
                         void (*ctx_free)(void *))
{
    if (l == NULL || l->nsubs == MAX_SUBS || strlen(topic) >= sizeof l->subs[0].topic)
        return false;
    struct sub *s = &l->subs[l->nsubs++];
    strcpy(s->topic, topic);
    s->cb = cb;
    s->ctx = ctx;
    s->ctx_free = ctx_free;
    return true;
}

bool db_listen_active(const struct db_listen *l)
{
    return l != NULL && l->state == LS_LISTENING;
}

bool db_listen_connected(const struct db_listen *l)
{
    return l != NULL && atomic_load(&l->listening);
}

unsigned long db_listen_epoch(const struct db_listen *l)
{
    /* both only grow, so the sum changes whenever either does */
    return (l != NULL ? l->epoch : 0) + atomic_load(&local_changes);
}

void db_listen_note_change(void)
{
    atomic_fetch_add(&local_changes, 1);
}

void db_listen_sync(struct db_listen *l)
{
    if (l == NULL)
        return;
    unsigned long changes = atomic_load(&local_changes);
    if (changes != l->changes_seen) {
        l->changes_seen = changes;
        reset_all(l);
    }
    if (l->state == LS_LISTENING)
        on_input(l); /* PQconsumeInput reads what is there, never waits */
}
