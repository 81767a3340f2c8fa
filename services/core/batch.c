/* batch.c — open batches by key on one loop, and what they measure.
 *
 * A key has a slot while it has an open batch or batches in flight; a
 * worker sees few keys at once (the categories being registered for), so
 * the slots are a list. The metrics are shared by all loops through
 * relaxed atomics, like metrics.c's. */
#include "core/batch.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/req.h"
#include "core/worker.h"

/* How many windows a batch waits for the one in flight before it goes
 * anyway (window_over). */
#define BATCH_PATIENCE 10

struct slot {
    struct slot *next;
    struct batcher *bt;
    const struct batch_kind *kind;
    struct batch *open; /* joining, not yet sent */
    int inflight;       /* sent, not yet ended */
    char key[256];
};

struct batch {
    struct batch *prev, *next; /* every batch of the batcher, open or in flight */
    struct slot *slot;
    struct event *timer; /* the window of an open batch */
    bool window_over;    /* it has gathered for window_ms */
    struct timespec sent;
    int n;
    struct {
        struct req *r;
        void *item;
        struct timespec joined;
    } at[BATCH_MAX];
};

struct batcher {
    struct event_base *base;
    int window_ms, max;
    struct slot *slots;
    struct batch *all;
};

/* --- metrics ----------------------------------------------------------- */

static const int size_le[] = {1, 2, 4, 8, 16, 32, 64};
#define NSIZE (sizeof size_le / sizeof size_le[0])
static const double wait_le[] = {0.0001, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025,
                                 0.05,   0.1,    0.25,  0.5,    1,     2.5,   5,     10};
#define NWAIT (sizeof wait_le / sizeof wait_le[0])

struct stats {
    _Atomic(const struct batch_kind *) kind;
    _Atomic unsigned long size[NSIZE], batches, items;
    _Atomic unsigned long wait[NWAIT + 1], wait_us; /* join to send, per request */
    _Atomic unsigned long stmt[NWAIT + 1], stmt_us; /* send to end, per batch */
};
#define NKINDS 4
static struct stats stats[NKINDS];

static struct stats *stats_of(const struct batch_kind *k)
{
    for (int i = 0; i < NKINDS; i++) {
        const struct batch_kind *have = atomic_load(&stats[i].kind);
        if (have == k)
            return &stats[i];
        const struct batch_kind *none = NULL;
        if (have == NULL && atomic_compare_exchange_strong(&stats[i].kind, &none, k))
            return &stats[i];
        if (atomic_load(&stats[i].kind) == k) /* another loop took it for k */
            return &stats[i];
    }
    return NULL; /* more kinds than NKINDS: not measured */
}

static double since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void observe(_Atomic unsigned long *hist, _Atomic unsigned long *sum_us, double s)
{
    size_t i = 0;
    while (i < NWAIT && s > wait_le[i])
        i++;
    atomic_fetch_add_explicit(&hist[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(sum_us, (unsigned long)(s * 1e6), memory_order_relaxed);
}

static void render_hist(struct evbuffer *out, const char *metric, const char *kind,
                        _Atomic unsigned long *hist, unsigned long sum_us)
{
    unsigned long cum = 0;
    for (size_t i = 0; i < NWAIT; i++) {
        cum += atomic_load(&hist[i]);
        evbuffer_add_printf(out, "%s_bucket{kind=\"%s\",le=\"%g\"} %lu\n", metric, kind, wait_le[i],
                            cum);
    }
    cum += atomic_load(&hist[NWAIT]);
    evbuffer_add_printf(out,
                        "%s_bucket{kind=\"%s\",le=\"+Inf\"} %lu\n%s_sum{kind=\"%s\"} %.6f\n"
                        "%s_count{kind=\"%s\"} %lu\n",
                        metric, kind, cum, metric, kind, (double)sum_us / 1e6, metric, kind, cum);
}

void batch_render_metrics(struct evbuffer *out)
{
    evbuffer_add_printf(
        out, "# HELP gess_batch_size Requests per batch sent.\n# TYPE gess_batch_size histogram\n");
    for (int k = 0; k < NKINDS; k++) {
        const struct batch_kind *kind = atomic_load(&stats[k].kind);
        if (kind == NULL)
            continue;
        unsigned long cum = 0;
        for (size_t i = 0; i < NSIZE; i++) {
            cum += atomic_load(&stats[k].size[i]);
            evbuffer_add_printf(out, "gess_batch_size_bucket{kind=\"%s\",le=\"%d\"} %lu\n",
                                kind->name, size_le[i], cum);
        }
        evbuffer_add_printf(out,
                            "gess_batch_size_bucket{kind=\"%s\",le=\"+Inf\"} %lu\n"
                            "gess_batch_size_sum{kind=\"%s\"} %lu\n"
                            "gess_batch_size_count{kind=\"%s\"} %lu\n",
                            kind->name, cum, kind->name, atomic_load(&stats[k].items), kind->name,
                            atomic_load(&stats[k].batches));
    }
    evbuffer_add_printf(out, "# HELP gess_batch_wait_seconds From a request joining its batch "
                             "to the batch being sent.\n"
                             "# TYPE gess_batch_wait_seconds histogram\n");
    for (int k = 0; k < NKINDS; k++) {
        const struct batch_kind *kind = atomic_load(&stats[k].kind);
        if (kind != NULL)
            render_hist(out, "gess_batch_wait_seconds", kind->name, stats[k].wait,
                        atomic_load(&stats[k].wait_us));
    }
    evbuffer_add_printf(out, "# HELP gess_batch_statement_seconds From a batch being sent to "
                             "its statement's answer (its commit included).\n"
                             "# TYPE gess_batch_statement_seconds histogram\n");
    for (int k = 0; k < NKINDS; k++) {
        const struct batch_kind *kind = atomic_load(&stats[k].kind);
        if (kind != NULL)
            render_hist(out, "gess_batch_statement_seconds", kind->name, stats[k].stmt,
                        atomic_load(&stats[k].stmt_us));
    }
}

/* --- batches ----------------------------------------------------------- */

static void slot_release(struct slot *s)
{
    if (s->open != NULL || s->inflight > 0)
        return;
    for (struct slot **p = &s->bt->slots; *p != NULL; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    free(s);
}

static void batch_unlink(struct batch *b)
{
    struct batcher *bt = b->slot->bt;
    if (b->prev != NULL)
        b->prev->next = b->next;
    else
        bt->all = b->next;
    if (b->next != NULL)
        b->next->prev = b->prev;
}

static void batch_free(struct batch *b)
{
    for (int i = 0; i < b->n; i++)
        b->slot->kind->item_free(b->at[i].item);
    if (b->timer != NULL)
        event_free(b->timer);
    free(b);
}

static void batch_send(struct batch *b)
{
    struct slot *s = b->slot;
    if (s->open == b)
        s->open = NULL;
    if (b->timer != NULL)
        evtimer_del(b->timer);
    s->inflight++;
    clock_gettime(CLOCK_MONOTONIC, &b->sent);
    struct stats *st = stats_of(s->kind);
    if (st != NULL) {
        size_t i = 0;
        while (i < NSIZE - 1 && b->n > size_le[i])
            i++;
        atomic_fetch_add_explicit(&st->size[i], 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&st->batches, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&st->items, (unsigned long)b->n, memory_order_relaxed);
        for (int k = 0; k < b->n; k++)
            observe(st->wait, &st->wait_us, since(&b->at[k].joined, &b->sent));
    }
    s->kind->send(b);
}

/* The window is over: the batch goes now, or when the batch of its key
 * in flight is answered. */
static void window_over(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct batch *b = arg;
    if (b->window_over || b->slot->inflight == 0) {
        batch_send(b);
        return;
    }
    /* Patience has a bound: a batch in flight that is stuck (at a row lock
     * held long elsewhere) keeps the next one waiting BATCH_PATIENCE
     * windows at most, then it goes anyway. */
    b->window_over = true;
    int ms = b->slot->bt->window_ms * (BATCH_PATIENCE - 1);
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    if (evtimer_add(b->timer, &tv) != 0)
        batch_send(b);
}

struct batcher *batcher_new(struct event_base *base, int window_ms, int max)
{
    struct batcher *bt = calloc(1, sizeof *bt);
    if (bt == NULL)
        return NULL;
    bt->base = base;
    bt->window_ms = window_ms;
    bt->max = max < 1 ? 1 : max > BATCH_MAX ? BATCH_MAX : max;
    return bt;
}

void batcher_free(struct batcher *bt)
{
    if (bt == NULL)
        return;
    while (bt->all != NULL) {
        struct batch *b = bt->all;
        bt->all = b->next;
        batch_free(b);
    }
    while (bt->slots != NULL) {
        struct slot *s = bt->slots;
        bt->slots = s->next;
        free(s);
    }
    free(bt);
}

static struct slot *slot_of(struct batcher *bt, const struct batch_kind *kind, const char *key)
{
    for (struct slot *s = bt->slots; s != NULL; s = s->next)
        if (s->kind == kind && strcmp(s->key, key) == 0)
            return s;
    struct slot *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->bt = bt;
    s->kind = kind;
    memcpy(s->key, key, strlen(key) + 1);
    s->next = bt->slots;
    bt->slots = s;
    return s;
}

static struct batch *batch_open(struct slot *s)
{
    struct batch *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->slot = s;
    struct batcher *bt = s->bt;
    b->next = bt->all;
    if (bt->all != NULL)
        bt->all->prev = b;
    bt->all = b;
    return b;
}

bool req_batch(struct req *r, const struct batch_kind *kind, const char *key, void *item)
{
    struct batcher *bt = r->w->batcher;
    struct slot *s = bt != NULL && strlen(key) < sizeof s->key ? slot_of(bt, kind, key) : NULL;
    struct batch *b = s == NULL ? NULL : s->open != NULL ? s->open : batch_open(s);
    if (b == NULL) {
        if (s != NULL)
            slot_release(s);
        kind->item_free(item);
        return false;
    }
    b->at[b->n].r = r;
    b->at[b->n].item = item;
    clock_gettime(CLOCK_MONOTONIC, &b->at[b->n].joined);
    b->n++;
    if (s->open == NULL) { /* a new batch */
        if (s->inflight == 0 || bt->max == 1) {
            batch_send(b); /* nothing to wait for: alone, now */
            return true;
        }
        b->timer = evtimer_new(bt->base, window_over, b);
        struct timeval tv = {bt->window_ms / 1000, (bt->window_ms % 1000) * 1000};
        if (b->timer == NULL || evtimer_add(b->timer, &tv) != 0) {
            batch_send(b);
            return true;
        }
        s->open = b;
        return true;
    }
    if (b->n >= bt->max)
        batch_send(b);
    return true;
}

int batch_len(const struct batch *b)
{
    return b->n;
}

struct req *batch_req(const struct batch *b, int i)
{
    return b->at[i].r;
}

void *batch_item(const struct batch *b, int i)
{
    return b->at[i].item;
}

bool batch_query(struct batch *b, const struct db_stmt *stmt, int nparams,
                 const char *const *values, db_callback cb)
{
    return db_pool_query(b->at[0].r->w->db, stmt, nparams, values, cb, b);
}

void batch_end(struct batch *b)
{
    struct slot *s = b->slot;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    struct stats *st = stats_of(s->kind);
    if (st != NULL)
        observe(st->stmt, &st->stmt_us, since(&b->sent, &now));
    batch_unlink(b);
    batch_free(b);
    s->inflight--;
    if (s->inflight == 0 && s->open != NULL && s->open->window_over)
        batch_send(s->open);
    else
        slot_release(s);
}
