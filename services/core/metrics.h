/* metrics.h — request counters and latency histograms per route, shared by
 * all loops through relaxed atomics, rendered as Prometheus text. */
#ifndef GESS_METRICS_H
#define GESS_METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;
struct router;

/* Allocates the tables for the router's routes plus one "unmatched" row. */
bool metrics_init(const struct router *rt) __attribute__((warn_unused_result));
void metrics_free(void);

/* Counts one answered request; route is the router index, or (size_t)-1
 * for a request that matched no route. */
void metrics_observe(size_t route, const char *method, int status, double seconds);

/* Appends the request counters and histograms, then the extra text. */
void metrics_render(struct evbuffer *out);

/* Replaces the extra text: Prometheus lines a periodic task computed in SQL
 * (e.g. the outbox gauges, services/outbox), copied; kept as it is until
 * the next call. */
void metrics_set_extra(const char *text);

#endif
