/* dashboard_cache.c — each worker's copies of the public pact dashboards,
 * by edition slug, as schedule_cache.c keeps the schedule.
 *
 * Statement-level triggers on every pact table NOTIFY gess_invalidate with
 * "dashboard:<slug>" (schema/functions/followup.sql); an organization changing sends
 * "dashboard:*", which drops them all, as does a lost LISTEN connection.
 * `overdue` depends on the date, so an entry also expires at its edition's
 * next local midnight (computed by PostgreSQL with the edition's zone). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_listen.h"
#include "followup/followup.h"

#define BUCKETS 64
#define MAX_ENTRIES 1024 /* beyond this the cache starts over */
#define TOPIC "dashboard"

struct dash_cache {
    struct dash_entry *bucket[BUCKETS];
    int n;
    struct dash_wait *waits; /* fills in flight, newest per slug (few) */
};

void dash_entry_release(struct dash_entry *e)
{
    if (e == NULL || --e->refs > 0)
        return;
    free(e->slug);
    free(e->body);
    free(e);
}

static unsigned bucket_of(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % BUCKETS;
}

static void cache_clear(struct dash_cache *c)
{
    for (int i = 0; i < BUCKETS; i++) {
        for (struct dash_entry *e = c->bucket[i], *next; e != NULL; e = next) {
            next = e->next;
            dash_entry_release(e);
        }
        c->bucket[i] = NULL;
    }
    c->n = 0;
}

static void cache_drop(struct dash_cache *c, const char *slug)
{
    for (struct dash_entry **p = &c->bucket[bucket_of(slug)]; *p != NULL; p = &(*p)->next)
        if (strcmp((*p)->slug, slug) == 0) {
            struct dash_entry *e = *p;
            *p = e->next;
            dash_entry_release(e);
            c->n--;
            return;
        }
}

struct dash_entry *dash_cache_find(struct dash_cache *c, const char *slug, double now)
{
    for (struct dash_entry *e = c->bucket[bucket_of(slug)]; e != NULL; e = e->next)
        if (strcmp(e->slug, slug) == 0) {
            if (now < e->expires)
                return e;
            cache_drop(c, slug); /* past the edition's midnight: overdue may have changed */
            return NULL;
        }
    return NULL;
}

void dash_cache_put(struct dash_cache *c, struct dash_entry *e)
{
    cache_drop(c, e->slug);
    if (c->n >= MAX_ENTRIES)
        cache_clear(c);
    unsigned b = bucket_of(e->slug);
    e->next = c->bucket[b];
    c->bucket[b] = e;
    c->n++;
}

static void cache_free(void *ctx)
{
    struct dash_cache *c = ctx;
    cache_clear(c);
    /* fills still listed belong to their leaders: just forget them */
    for (struct dash_wait *w = c->waits; w != NULL; w = w->next)
        w->cache = NULL;
    free(c);
}

struct dash_wait *dash_wait_find(struct dash_cache *c, const char *slug, unsigned long epoch)
{
    for (struct dash_wait *w = c->waits; w != NULL; w = w->next)
        if (w->epoch == epoch && strcmp(w->slug, slug) == 0)
            return w;
    return NULL;
}

void dash_wait_unlink(struct dash_wait *w)
{
    if (w == NULL || w->cache == NULL)
        return;
    for (struct dash_wait **p = &w->cache->waits; *p != NULL; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    w->cache = NULL;
    w->next = NULL;
}

struct dash_wait *dash_wait_start(struct dash_cache *c, const char *slug, unsigned long epoch)
{
    struct dash_wait *w = calloc(1, sizeof *w);
    if (w == NULL || (w->slug = strdup(slug)) == NULL) {
        free(w);
        return NULL;
    }
    w->epoch = epoch;
    /* an older fill of the slug began before a notification: nobody joins it any more */
    for (struct dash_wait *o = c->waits, *next; o != NULL; o = next) {
        next = o->next;
        if (strcmp(o->slug, slug) == 0)
            dash_wait_unlink(o);
    }
    w->cache = c;
    w->next = c->waits;
    c->waits = w;
    return w;
}

bool dash_wait_add(struct dash_wait *w, struct req *r)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        struct req **reqs = realloc(w->reqs, cap * sizeof *reqs);
        if (reqs == NULL)
            return false;
        w->reqs = reqs;
        w->cap = cap;
    }
    w->reqs[w->n++] = r;
    return true;
}

void dash_wait_free(struct dash_wait *w)
{
    if (w == NULL)
        return;
    dash_wait_unlink(w);
    free(w->reqs);
    free(w->slug);
    free(w);
}

/* The listener's word: NULL (connection lost or regained) or "*" drops
 * everything, a slug drops that edition. */
static void on_invalidate(void *ctx, const char *key)
{
    struct dash_cache *c = ctx;
    if (key == NULL || strcmp(key, "*") == 0)
        cache_clear(c);
    else
        cache_drop(c, key);
}

struct dash_cache *dash_cache_of(struct db_listen *l)
{
    if (l == NULL)
        return NULL;
    struct dash_cache *c = db_listen_context(l, TOPIC);
    if (c != NULL)
        return c;
    c = calloc(1, sizeof *c);
    if (c != NULL && !db_listen_subscribe(l, TOPIC, on_invalidate, c, cache_free)) {
        free(c);
        c = NULL;
    }
    return c;
}
