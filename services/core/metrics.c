/* metrics.c — fixed-size tables, so observing a request is a few atomic
 * adds and never allocates. */
#include "core/metrics.h"

#include <event2/buffer.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/router.h"

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                               409, 413, 415, 422, 429, 500, 503, 0};
#define NSTATUS (sizeof statuses / sizeof statuses[0])
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKET (sizeof buckets / sizeof buckets[0])
static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OTHER"};
#define NMETHOD (sizeof methods / sizeof methods[0])

struct row {
    _Atomic unsigned long count[NMETHOD][NSTATUS];
    _Atomic unsigned long bucket[NBUCKET + 1];
    _Atomic unsigned long sum_us;
};

static struct row *rows;
static const struct router *router;

bool metrics_init(const struct router *rt)
{
    router = rt;
    rows = calloc(rt->n + 1, sizeof *rows);
    return rows != NULL;
}

/* Written by worker 0's task, read by whichever loop answers /metrics: a
 * mutex, held for a copy only. */
static pthread_mutex_t extra_lock = PTHREAD_MUTEX_INITIALIZER;
static char *extra;

void metrics_set_extra(const char *text)
{
    char *copy = strdup(text);
    pthread_mutex_lock(&extra_lock);
    free(extra);
    extra = copy; /* NULL when out of memory: the gauges are left out */
    pthread_mutex_unlock(&extra_lock);
}

void metrics_free(void)
{
    free(rows);
    rows = NULL;
    pthread_mutex_lock(&extra_lock);
    free(extra);
    extra = NULL;
    pthread_mutex_unlock(&extra_lock);
}

void metrics_observe(size_t route, const char *method, int status, double seconds)
{
    if (rows == NULL)
        return;
    struct row *r = &rows[route < router->n ? route : router->n];
    size_t m = 0, s = 0, b = 0;
    while (m < NMETHOD - 1 && strcmp(methods[m], method) != 0)
        m++;
    while (s < NSTATUS - 1 && statuses[s] != status)
        s++;
    while (b < NBUCKET && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&r->count[m][s], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->sum_us, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

void metrics_render(struct evbuffer *out)
{
    evbuffer_add_printf(out, "# HELP gess_http_requests_total Requests answered, by route, "
                             "method and status.\n# TYPE gess_http_requests_total counter\n");
    for (size_t i = 0; i <= router->n; i++) {
        const char *pat = i < router->n ? router->routes[i]->pattern : "unmatched";
        for (size_t m = 0; m < NMETHOD; m++)
            for (size_t s = 0; s < NSTATUS; s++) {
                unsigned long c = atomic_load_explicit(&rows[i].count[m][s], memory_order_relaxed);
                if (c == 0)
                    continue;
                char st[8] = "other";
                if (statuses[s] != 0)
                    evutil_snprintf(st, sizeof st, "%d", statuses[s]);
                evbuffer_add_printf(out,
                                    "gess_http_requests_total{route=\"%s\",method=\"%s\","
                                    "status=\"%s\"} %lu\n",
                                    pat, methods[m], st, c);
            }
    }
    evbuffer_add_printf(out, "# HELP gess_http_request_duration_seconds Time from the request "
                             "read to the reply written, by route.\n"
                             "# TYPE gess_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= router->n; i++) {
        const char *pat = i < router->n ? router->routes[i]->pattern : "unmatched";
        const char *meth = i < router->n ? router->routes[i]->method : "any";
        unsigned long cum = 0;
        for (size_t b = 0; b <= NBUCKET; b++)
            cum += atomic_load_explicit(&rows[i].bucket[b], memory_order_relaxed);
        if (cum == 0)
            continue;
        cum = 0;
        for (size_t b = 0; b <= NBUCKET; b++) {
            cum += atomic_load_explicit(&rows[i].bucket[b], memory_order_relaxed);
            if (b < NBUCKET)
                evbuffer_add_printf(out,
                                    "gess_http_request_duration_seconds_bucket{route=\"%s\","
                                    "method=\"%s\",le=\"%g\"} %lu\n",
                                    pat, meth, buckets[b], cum);
            else
                evbuffer_add_printf(out,
                                    "gess_http_request_duration_seconds_bucket{route=\"%s\","
                                    "method=\"%s\",le=\"+Inf\"} %lu\n",
                                    pat, meth, cum);
        }
        evbuffer_add_printf(out,
                            "gess_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} "
                            "%.6f\ngess_http_request_duration_seconds_count{route=\"%s\","
                            "method=\"%s\"} %lu\n",
                            pat, meth,
                            atomic_load_explicit(&rows[i].sum_us, memory_order_relaxed) / 1e6, pat,
                            meth, cum);
    }
    pthread_mutex_lock(&extra_lock);
    if (extra != NULL)
        evbuffer_add(out, extra, strlen(extra));
    pthread_mutex_unlock(&extra_lock);
}
