/* conn.c — connection caps, deadlines and the EMFILE pause (conn.h).
 *
 * Facts of libevent 2.1.12 this rests on (http.c, listener.c):
 * - evhttp_get_request_connection() calls the bevcb before it knows the
 *   connection, then sets the fd and the bufferevent's callbacks (whose
 *   argument is the evhttp_connection) and enables reading, all in the
 *   listener's callback. An event activated from the bevcb runs after
 *   that callback returns and before any byte is read: there the fd, the
 *   peer and the connection are known (bufferevent_getcb).
 * - evhttp_connection_free() and _reset_() call the close callback exactly
 *   once for a server connection, before its fd is closed; so a fd is in
 *   w->by_fd only while its connection lives, and a fd reused by a new
 *   accept never finds a stale entry.
 * - evhttp_send_done() calls the request's on_complete callback while the
 *   request still knows its connection.
 * - A listener with an error callback does not log "Error from accept()"
 *   itself; the callback's argument is the listener's (evhttp's), so the
 *   worker is found by its listener.
 * - shutdown(fd, SHUT_RDWR) makes evhttp's next read see EOF (or its next
 *   write fail), and it frees the connection itself. */
#include "core/conn.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/listener.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/head.h"
#include "core/log.h"
#include "core/problem.h"
#include "core/proxy.h"
#include "core/worker.h"

enum conn_state {
    ST_NEW,      /* waiting for the registration callback */
    ST_HEAD,     /* reading a request head */
    ST_BODY,     /* head read, reading its body */
    ST_HANDLER,  /* evhttp handed the request over: no deadline */
    ST_WRITING,  /* the answer is being written */
    ST_IDLE,     /* keep-alive, no byte since the last answer */
    ST_REFUSED,  /* over a cap: its first request is answered 503 */
    ST_REJECTED, /* a head refused on the way in: answered, input dropped */
    ST_CLOSING,  /* shut down; evhttp frees it soon */
};

/* Why a deadline closed a connection, for /metrics. */
enum {
    CLOSE_HEAD,
    CLOSE_BODY,
    CLOSE_KEEPALIVE,
    CLOSE_WRITE,
    CLOSE_REFUSED,
    CLOSE_REJECTED,
    CLOSE_N
};
static const char *const close_names[CLOSE_N] = {"header_timeout",    "body_timeout",
                                                 "keepalive_timeout", "write_timeout",
                                                 "refused_idle",      "rejected_linger"};
/* Heads refused on the way in, for /metrics (by enum head_why). */
static const char *const head_names[HEAD_N] = {"malformed", "uri_too_long", "headers_too_large"};
enum { REFUSE_MAX, REFUSE_ADDRESS, REFUSE_N };
static const char *const refuse_names[REFUSE_N] = {"max_connections", "per_address"};

struct conn {
    struct worker *w;
    struct bufferevent *bev;
    struct evhttp_connection *evcon;
    int fd;
    enum conn_state state;
    struct event *timer;
    struct timespec started; /* when the current request's clock started */
    int requests;
    struct head_state head; /* the scan of the current request head */
    bool counted_address;   /* holds one count in the address table */
    bool owes_flush;        /* an answer started and not yet written whole */
    char addr[PROXY_ADDR_LEN];
    struct conn *prev, *next; /* the worker's connections */
};

/* How many connections are open, for the caps and /metrics. */
static atomic_int open_count;

/* The one server of this process (gessd serves once), for the listener's
 * error callback, which is handed evhttp's argument rather than ours. */
static struct server *conn_server;
static atomic_long refused_total[REFUSE_N], closed_total[CLOSE_N], paused_total;
static atomic_long head_refused_total[HEAD_N];

/* Open connections per peer address (the per-address key of proxy.h),
 * shared by all workers: touched once at registration and once at close,
 * so one mutex costs nothing next to the accept itself. */
#define ADDR_BUCKETS 1024
struct addr_count {
    char key[PROXY_ADDR_LEN];
    int n;
    struct addr_count *next;
};
static struct addr_count *addr_table[ADDR_BUCKETS];
static pthread_mutex_t addr_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned addr_hash(const char *s)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % ADDR_BUCKETS;
}

/* Counts one more connection from key unless it already has max; false
 * when refused (or out of memory, which refuses too). */
static bool addr_take(const char *key, int max)
{
    bool ok = false;
    pthread_mutex_lock(&addr_mu);
    struct addr_count **head = &addr_table[addr_hash(key)], *e = *head;
    while (e != NULL && strcmp(e->key, key) != 0)
        e = e->next;
    if (e == NULL && (e = calloc(1, sizeof *e)) != NULL) {
        snprintf(e->key, sizeof e->key, "%s", key);
        e->next = *head;
        *head = e;
    }
    if (e != NULL && e->n < max) {
        e->n++;
        ok = true;
    }
    pthread_mutex_unlock(&addr_mu);
    return ok;
}

static void addr_give(const char *key)
{
    pthread_mutex_lock(&addr_mu);
    struct addr_count **p = &addr_table[addr_hash(key)];
    while (*p != NULL && strcmp((*p)->key, key) != 0)
        p = &(*p)->next;
    if (*p != NULL && --(*p)->n == 0) {
        struct addr_count *gone = *p;
        *p = gone->next;
        free(gone);
    }
    pthread_mutex_unlock(&addr_mu);
}

void conn_limits_init(struct server *srv, struct conn_limits *out)
{
    const struct config *cfg = srv->cfg;
    struct rlimit rl;
    long soft = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t before = rl.rlim_cur;
        if (rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
                getrlimit(RLIMIT_NOFILE, &rl);
        }
        soft = rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur;
        out->fd_limit = soft;
        /* what else needs descriptors: per worker its pool, its LISTEN
         * connection, its listener and event base; the hashing threads a
         * margin; then logs, libraries and what start-up opens */
        int workers = srv->nworkers;
        int hashers = cfg->hash_threads ? cfg->hash_threads : config_cores();
        long reserve = 64 + (long)workers * (cfg->db_pool_size + 4) + hashers;
        long derived = soft - reserve;
        if (derived > 16384)
            derived = 16384; /* a container's hard limit can be 1,048,576 */
        if (derived < 16)
            derived = 16;
        out->max_connections = cfg->max_connections ? cfg->max_connections : (int)derived;
        log_msg(LOG_INFO,
                "descriptors: soft limit %ld (was %ld, hard %ld); max_connections %d, "
                "per address %d",
                soft, (long)before, rl.rlim_max == RLIM_INFINITY ? -1L : (long)rl.rlim_max,
                out->max_connections, cfg->max_connections_per_address);
    } else {
        out->fd_limit = soft;
        out->max_connections = cfg->max_connections ? cfg->max_connections : 512;
    }
    out->max_per_address = cfg->max_connections_per_address;
    out->header_ms = cfg->header_timeout_ms;
    out->body_ms = cfg->body_timeout_ms;
    out->keepalive_ms = cfg->keepalive_timeout_ms;
    out->write_ms = cfg->write_timeout_ms;
    out->max_requests = cfg->max_requests_per_connection;
    out->max_header_bytes = cfg->max_header_bytes;
    out->max_uri_bytes = cfg->max_uri_bytes;
}

static void arm(struct conn *c, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(c->timer, &tv);
}

/* The rest of ms counted from c->started (at least 1 ms). */
static void arm_from_start(struct conn *c, int ms)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long spent =
        (now.tv_sec - c->started.tv_sec) * 1000L + (now.tv_nsec - c->started.tv_nsec) / 1000000L;
    arm(c, ms - spent > 1 ? (int)(ms - spent) : 1);
}

static void start_clock(struct conn *c)
{
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    const struct conn_limits *lim = &c->w->srv->limits;
    head_start(&c->head, (size_t)lim->max_header_bytes, (size_t)lim->max_uri_bytes);
}

/* Scans the last n bytes of buf (the ones just added) with head_scan. */
static enum head_verdict scan_tail(struct conn *c, struct evbuffer *buf, size_t n,
                                   enum head_why *why)
{
    size_t len = evbuffer_get_length(buf);
    if (n > len)
        n = len;
    struct evbuffer_ptr pos;
    if (evbuffer_ptr_set(buf, &pos, len - n, EVBUFFER_PTR_SET) != 0)
        return HEAD_MORE;
    struct evbuffer_iovec v[8];
    while (n > 0) {
        int k = evbuffer_peek(buf, (ev_ssize_t)n, &pos, v, 8);
        if (k <= 0)
            return HEAD_MORE;
        size_t done = 0;
        for (int i = 0; i < k && i < 8 && done < n; i++) {
            size_t take = v[i].iov_len < n - done ? v[i].iov_len : n - done;
            enum head_verdict hv = head_scan(&c->head, v[i].iov_base, take, why);
            if (hv != HEAD_MORE)
                return hv;
            done += take;
        }
        if (done == 0 || evbuffer_ptr_set(buf, &pos, done, EVBUFFER_PTR_ADD) != 0)
            return HEAD_MORE;
        n -= done;
    }
    return HEAD_MORE;
}

/* Answers a head refused on the way in, straight to the socket: evhttp
 * has no request for it, and nothing of ours is queued before it (a head
 * is read only once the previous answer is written whole). The problem
 * is small enough for the socket's buffer; then FIN after it, and the
 * input is dropped until the client closes or the linger ends. */
static void reject_head(struct conn *c, struct evbuffer *in, enum head_why why)
{
    static const char *const slugs[HEAD_N] = {"malformed-request", "uri-too-long",
                                              "headers-too-large"};
    static const char *const reasons[HEAD_N] = {"Bad Request", "URI Too Long",
                                                "Request Header Fields Too Large"};
    atomic_fetch_add(&head_refused_total[why], 1);
    evbuffer_drain(in, evbuffer_get_length(in)); /* evhttp parses none of it */
    c->state = ST_REJECTED;
    arm(c, 2000);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
        return; /* evhttp is answering already (its own 400) and closes after it */
    static const char *const details[HEAD_N] = {
        "The request head holds a NUL byte or an obs-fold line (a header line that "
        "starts with a space or a tab).",
        NULL, NULL};
    unsigned char raw[8];
    char id[17];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, sizeof id, raw, sizeof raw);
    json_t *p = problem_new(LANG_EN, slugs[why], details[why]);
    char *body = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    char head[256];
    int status = problem_status(slugs[why]);
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\nX-Request-Id: %s\r\n\r\n",
                      status, reasons[why], body ? strlen(body) : 0, id);
    size_t blen = body ? strlen(body) : 0;
    struct iovec iov[2] = {{head, (size_t)hn}, {body, blen}};
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
    ssize_t sent = sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    free(body);
    /* a send buffer still full of the previous answer takes less: a cut
     * answer would lie about its length, so then nothing but the close */
    shutdown(c->fd, sent == (ssize_t)((size_t)hn + blen) ? SHUT_WR : SHUT_RDWR);
    log_msg(LOG_INFO, "request head refused: %s from %s (%d, req_id %s)", head_names[why], c->addr,
            status, id);
    log_request(id, "-", "unmatched", "", status, 0, c->w->index);
}

/* Bytes arrived (evhttp has not parsed them yet). */
static void input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct conn *c = arg;
    if (info->n_added == 0)
        return;
    const struct conn_limits *lim = &c->w->srv->limits;
    if (c->state == ST_IDLE) {
        /* the next request's clock starts with its first byte */
        c->state = ST_HEAD;
        start_clock(c);
        arm(c, lim->header_ms);
    }
    if (c->state == ST_REJECTED) {
        evbuffer_drain(buf, evbuffer_get_length(buf));
        return;
    }
    if (c->state != ST_HEAD)
        return;
    enum head_why why = HEAD_NUL_OR_FOLD;
    switch (scan_tail(c, buf, info->n_added, &why)) {
    case HEAD_MORE:
        break;
    case HEAD_ENDED:
        c->state = ST_BODY;
        arm_from_start(c, lim->body_ms);
        break;
    case HEAD_REFUSE:
        reject_head(c, buf, why);
        break;
    }
}

static void unlink_conn(struct conn *c)
{
    struct worker *w = c->w;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
}

static void conn_free(struct conn *c)
{
    struct worker *w = c->w;
    if (c->fd >= 0 && c->fd < w->by_fd_len && w->by_fd[c->fd] == c)
        w->by_fd[c->fd] = NULL;
    if (c->counted_address)
        addr_give(c->addr);
    if (c->state != ST_NEW)
        atomic_fetch_sub(&open_count, 1);
    unlink_conn(c);
    event_free(c->timer);
    free(c);
}

/* evhttp is freeing the connection. */
static void closed_cb(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    struct conn *c = arg;
    struct worker *w = c->w;
    /* an answer cut before it was written whole never reaches
     * reply_flushed: what it counted for the drain is given back here */
    if (c->owes_flush) {
        w->flushing--;
        worker_request_done(w);
    }
    evbuffer_remove_cb(bufferevent_get_input(c->bev), input_cb, c);
    conn_free(c);
}

static void close_now(struct conn *c, int why)
{
    atomic_fetch_add(&closed_total[why], 1);
    c->state = ST_CLOSING;
    shutdown(c->fd, SHUT_RDWR);
}

static void register_conn(struct conn *c);

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct conn *c = arg;
    switch (c->state) {
    case ST_NEW:
        register_conn(c);
        return;
    case ST_HEAD:
        close_now(c, CLOSE_HEAD);
        return;
    case ST_BODY:
        close_now(c, CLOSE_BODY);
        return;
    case ST_IDLE:
        close_now(c, CLOSE_KEEPALIVE);
        return;
    case ST_WRITING:
        close_now(c, CLOSE_WRITE);
        return;
    case ST_REFUSED:
        close_now(c, CLOSE_REFUSED);
        return;
    case ST_REJECTED:
        close_now(c, CLOSE_REJECTED);
        return;
    case ST_HANDLER:
    case ST_CLOSING:
        return;
    }
}

/* One callback after evhttp asked for the bufferevent: the connection
 * exists now. Decide whether it is over a cap and start its clock. */
static void register_conn(struct conn *c)
{
    struct worker *w = c->w;
    const struct conn_limits *lim = &w->srv->limits;
    void *cbarg = NULL;
    bufferevent_getcb(c->bev, NULL, NULL, NULL, &cbarg);
    c->evcon = cbarg;
    c->fd = (int)bufferevent_getfd(c->bev);
    if (c->evcon == NULL || c->fd < 0) {
        conn_free(c); /* evhttp dropped it before it was set up */
        return;
    }
    if (c->fd >= w->by_fd_len) {
        /* cannot be (descriptors stay below the limit read at start); a
         * connection no cap and no deadline would watch is not served */
        shutdown(c->fd, SHUT_RDWR);
        conn_free(c);
        return;
    }
    w->by_fd[c->fd] = c;
    /* accepting works again: the next pause starts small, so a listener
     * at a steady descriptor ceiling takes each freed one within 10 ms */
    w->accept_backoff_ms = 0;
    evhttp_connection_set_closecb(c->evcon, closed_cb, c);
    if (evbuffer_add_cb(bufferevent_get_input(c->bev), input_cb, c) == NULL) {
        c->state = ST_HEAD;
        atomic_fetch_add(&open_count, 1);
        close_now(c, CLOSE_HEAD);
        return;
    }
    int open = atomic_fetch_add(&open_count, 1) + 1;
    start_clock(c);
    /* evhttp wrote the peer as a numeric host when it accepted */
    char peer[PROXY_ADDR_LEN] = "unknown", *host = NULL;
    ev_uint16_t port = 0;
    evhttp_connection_get_peer(c->evcon, &host, &port);
    if (host != NULL)
        snprintf(peer, sizeof peer, "%s", host);
    proxy_addr_key(peer, c->addr);
    int refuse = -1;
    if (open > lim->max_connections)
        refuse = REFUSE_MAX;
    else if (!(w->srv->proxies.n > 0 && proxy_is_trusted(&w->srv->proxies, peer))) {
        if (addr_take(c->addr, lim->max_per_address))
            c->counted_address = true;
        else
            refuse = REFUSE_ADDRESS;
    }
    if (refuse >= 0) {
        atomic_fetch_add(&refused_total[refuse], 1);
        c->state = ST_REFUSED;
        arm(c, 1000); /* time enough to send the request its 503 answers */
        return;
    }
    c->state = ST_HEAD;
    arm(c, lim->header_ms);
}

/* evhttp asks for a new connection's bufferevent (no fd yet). */
static struct bufferevent *bev_cb(struct event_base *base, void *arg)
{
    struct worker *w = arg;
    struct conn *c = calloc(1, sizeof *c);
    struct bufferevent *bev = bufferevent_socket_new(base, -1, 0); /* as evhttp's own */
    if (c == NULL || bev == NULL || (c->timer = evtimer_new(base, timer_cb, c)) == NULL) {
        free(c);
        return bev; /* unwatched, but served: better than nothing */
    }
    c->w = w;
    c->bev = bev;
    c->fd = -1;
    c->state = ST_NEW;
    c->next = w->conns;
    if (w->conns != NULL)
        w->conns->prev = c;
    w->conns = c;
    event_active(c->timer, EV_TIMEOUT, 0);
    return bev;
}

static struct conn *conn_of(struct worker *w, struct evhttp_request *ev)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    if (evcon == NULL)
        return NULL;
    int fd = (int)bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
    if (fd < 0 || fd >= w->by_fd_len)
        return NULL;
    struct conn *c = w->by_fd[fd];
    return c != NULL && c->evcon == evcon ? c : NULL;
}

enum conn_verdict conn_request_begin(struct worker *w, struct evhttp_request *ev)
{
    struct conn *c = conn_of(w, ev);
    if (c == NULL)
        return CONN_SERVE;
    if (c->state == ST_REFUSED) {
        evtimer_del(c->timer);
        c->state = ST_HANDLER;
        return CONN_REFUSE;
    }
    /* shut down already, yet a request queued in the kernel was read:
     * it must not run (its answer cannot be sent) */
    if (c->state == ST_CLOSING)
        return CONN_REFUSE;
    evtimer_del(c->timer);
    c->state = ST_HANDLER;
    return ++c->requests >= w->srv->limits.max_requests ? CONN_SERVE_LAST : CONN_SERVE;
}

void conn_reply_begin(struct worker *w, struct evhttp_request *ev)
{
    struct conn *c = conn_of(w, ev);
    if (c == NULL)
        return;
    c->owes_flush = true; /* finish() counted this answer in w->flushing */
    if (c->state != ST_HANDLER)
        return;
    c->state = ST_WRITING;
    arm(c, w->srv->limits.write_ms);
}

/* Whether evhttp closes the connection after this answer, by its own test
 * (evhttp_send_done): Connection: close either way, or HTTP/1.0 without
 * keep-alive. */
static bool has_token(const char *v, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = v; p != NULL && *p != '\0'; p = strchr(p, ',')) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (evutil_ascii_strncasecmp(p, token, n) == 0 &&
            (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return true;
    }
    return false;
}

static bool closes_after(struct evhttp_request *ev)
{
    const char *in = evhttp_find_header(evhttp_request_get_input_headers(ev), "Connection");
    const char *out = evhttp_find_header(evhttp_request_get_output_headers(ev), "Connection");
    if ((in != NULL && has_token(in, "close")) || (out != NULL && has_token(out, "close")))
        return true;
    return ev->major == 1 && ev->minor == 0 && !(in != NULL && has_token(in, "keep-alive"));
}

void conn_reply_done(struct worker *w, struct evhttp_request *ev)
{
    struct conn *c = conn_of(w, ev);
    if (c == NULL)
        return;
    c->owes_flush = false;
    if (c->state != ST_WRITING)
        return;
    if (closes_after(ev)) {
        /* evhttp frees the connection once this returns: what the client
         * sent after is no request of anyone's */
        c->state = ST_CLOSING;
        return;
    }
    const struct conn_limits *lim = &w->srv->limits;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    start_clock(c);
    if (evbuffer_get_length(in) > 0) {
        /* a pipelined request is already (partly) here */
        c->state = ST_HEAD;
        enum head_why why = HEAD_NUL_OR_FOLD;
        switch (scan_tail(c, in, evbuffer_get_length(in), &why)) {
        case HEAD_MORE:
            arm(c, lim->header_ms);
            break;
        case HEAD_ENDED:
            c->state = ST_BODY;
            arm(c, lim->body_ms);
            break;
        case HEAD_REFUSE:
            reject_head(c, in, why);
            break;
        }
        return;
    }
    c->state = ST_IDLE;
    arm(c, lim->keepalive_ms);
}

/* The listener's accept failed for another reason than a retriable one:
 * on EMFILE/ENFILE pause it and try again later, rather than spin on a
 * backlog that stays readable. */
static void listener_error(struct evconnlistener *lev, void *arg)
{
    int err = errno;
    struct worker *w = NULL;
    struct server *srv = conn_server;
    /* arg is the listener's own argument, the worker's evhttp, which never
     * changes once serving (a handful of workers) */
    for (int i = 0; srv != NULL && i < srv->nworkers; i++)
        if (srv->workers[i].http == arg)
            w = &srv->workers[i];
    if (w == NULL)
        return;
    time_t now = time(NULL);
    bool log_now = now != w->accept_logged; /* one line a second at most */
    if (log_now)
        w->accept_logged = now;
    if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
        if (log_now)
            log_msg(LOG_WARN, "worker %d: accept: %s", w->index, strerror(err));
        return;
    }
    evconnlistener_disable(lev);
    atomic_fetch_add(&paused_total, 1);
    /* back off while descriptors stay short; start small again once the
     * last pause is a while ago */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long ms = ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
    bool recent =
        w->accept_backoff_ms > 0 && ms - w->accept_paused_ms < 2L * w->accept_backoff_ms + 1000;
    w->accept_backoff_ms = recent ? w->accept_backoff_ms * 2 : 10;
    if (w->accept_backoff_ms > 1000)
        w->accept_backoff_ms = 1000;
    w->accept_paused_ms = ms;
    if (log_now)
        log_msg(LOG_WARN, "worker %d: accept: %s; not accepting for %d ms", w->index, strerror(err),
                w->accept_backoff_ms);
    struct timeval tv = {w->accept_backoff_ms / 1000, (w->accept_backoff_ms % 1000) * 1000};
    evtimer_add(w->accept_resume, &tv);
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct worker *w = arg;
    if (w->listener != NULL && w->bound != NULL)
        evconnlistener_enable(w->listener);
}

bool conn_worker_init(struct worker *w)
{
    conn_server = w->srv;
    w->by_fd_len = (int)(w->srv->limits.fd_limit > 1 << 20 ? 1 << 20 : w->srv->limits.fd_limit);
    w->by_fd = calloc((size_t)w->by_fd_len, sizeof *w->by_fd);
    w->accept_resume = evtimer_new(w->base, accept_resume, w);
    if (w->by_fd == NULL || w->accept_resume == NULL)
        return false;
    w->listener = evhttp_bound_socket_get_listener(w->bound);
    evconnlistener_set_error_cb(w->listener, listener_error);
    evhttp_set_bevcb(w->http, bev_cb, w);
    return true;
}

void conn_worker_free(struct worker *w)
{
    /* evhttp_free ran every close callback; what is left never got as far
     * as registering */
    while (w->conns != NULL)
        conn_free(w->conns);
    if (w->accept_resume != NULL)
        event_free(w->accept_resume);
    free(w->by_fd);
    w->by_fd = NULL;
}

void conn_render_metrics(struct server *srv, struct evbuffer *out)
{
    evbuffer_add_printf(out,
                        "# HELP gess_connections_open HTTP connections open.\n"
                        "# TYPE gess_connections_open gauge\ngess_connections_open %d\n"
                        "# HELP gess_max_connections The cap on open connections.\n"
                        "# TYPE gess_max_connections gauge\ngess_max_connections %d\n"
                        "# HELP gess_fd_limit The soft descriptor limit gessd runs with.\n"
                        "# TYPE gess_fd_limit gauge\ngess_fd_limit %ld\n"
                        "# HELP gess_connections_refused_total Connections over a cap, "
                        "answered 503.\n"
                        "# TYPE gess_connections_refused_total counter\n",
                        atomic_load(&open_count), srv->limits.max_connections,
                        srv->limits.fd_limit);
    for (int i = 0; i < REFUSE_N; i++)
        evbuffer_add_printf(out, "gess_connections_refused_total{reason=\"%s\"} %ld\n",
                            refuse_names[i], atomic_load(&refused_total[i]));
    evbuffer_add_printf(out, "# HELP gess_connections_closed_total Connections closed by a "
                             "deadline.\n# TYPE gess_connections_closed_total counter\n");
    for (int i = 0; i < CLOSE_N; i++)
        evbuffer_add_printf(out, "gess_connections_closed_total{reason=\"%s\"} %ld\n",
                            close_names[i], atomic_load(&closed_total[i]));
    evbuffer_add_printf(out, "# HELP gess_heads_refused_total Request heads refused as they "
                             "arrived.\n# TYPE gess_heads_refused_total counter\n");
    for (int i = 0; i < HEAD_N; i++)
        evbuffer_add_printf(out, "gess_heads_refused_total{reason=\"%s\"} %ld\n", head_names[i],
                            atomic_load(&head_refused_total[i]));
    evbuffer_add_printf(out,
                        "# HELP gess_accept_paused_total Times a listener paused on "
                        "EMFILE/ENFILE.\n# TYPE gess_accept_paused_total counter\n"
                        "gess_accept_paused_total %ld\n",
                        atomic_load(&paused_total));
}
