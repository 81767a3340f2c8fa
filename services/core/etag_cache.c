/* etag_cache.c — per-worker ETag caches by slug (see etag_cache.h): a
 * chained hash table of refcounted entries, invalidated through the
 * loop's db_listen, and the fills that requests wait on. */
#include "core/etag_cache.h"

#include <event2/http.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db_listen.h"
#include "core/gzip.h"
#include "core/req.h"

#define BUCKETS 64
#define MAX_ENTRIES 1024 /* beyond this the cache starts over */

struct etag_cache {
    struct etag_cache_entry *bucket[BUCKETS];
    int n;
    struct etag_cache_wait *waits; /* fills in flight, newest per slug (few) */
};

bool etag_cache_entry_init(struct etag_cache_entry *e, const char *slug,
                           void (*free_fn)(struct etag_cache_entry *e))
{
    e->next = NULL;
    e->refs = 1; /* the caller's */
    e->expires = INFINITY;
    e->free = free_fn;
    memset(e->gz, 0, sizeof e->gz);
    e->slug = strdup(slug);
    return e->slug != NULL;
}

void etag_cache_release(struct etag_cache_entry *e)
{
    if (e == NULL || --e->refs > 0)
        return;
    free(e->slug);
    for (int i = 0; i < ETAG_CACHE_GZ_MAX; i++)
        free(e->gz[i].data);
    e->free(e);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool expired(const struct etag_cache_entry *e)
{
    return e->expires != INFINITY && !(now_s() < e->expires);
}

/* The bucket of a key: its slug only (up to a space), so a slug's
 * variants share one chain and its notification finds them all. */
static unsigned bucket_of(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s && *s != ' '; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % BUCKETS;
}

static void cache_clear(struct etag_cache *c)
{
    for (int i = 0; i < BUCKETS; i++) {
        for (struct etag_cache_entry *e = c->bucket[i], *next; e != NULL; e = next) {
            next = e->next;
            etag_cache_release(e);
        }
        c->bucket[i] = NULL;
    }
    c->n = 0;
}

static void cache_drop(struct etag_cache *c, const char *slug)
{
    for (struct etag_cache_entry **p = &c->bucket[bucket_of(slug)]; *p != NULL; p = &(*p)->next)
        if (strcmp((*p)->slug, slug) == 0) {
            struct etag_cache_entry *e = *p;
            *p = e->next;
            etag_cache_release(e);
            c->n--;
            return;
        }
}

struct etag_cache_entry *etag_cache_find(struct etag_cache *c, const char *slug)
{
    for (struct etag_cache_entry *e = c->bucket[bucket_of(slug)]; e != NULL; e = e->next)
        if (strcmp(e->slug, slug) == 0) {
            if (!expired(e))
                return e;
            cache_drop(c, slug); /* past its expiry: what it says may have changed */
            return NULL;
        }
    return NULL;
}

void etag_cache_put(struct etag_cache *c, struct etag_cache_entry *e)
{
    cache_drop(c, e->slug);
    if (c->n >= MAX_ENTRIES)
        cache_clear(c);
    unsigned b = bucket_of(e->slug);
    e->refs++; /* the cache's */
    e->next = c->bucket[b];
    c->bucket[b] = e;
    c->n++;
}

/* Drops the entry of slug and every variant of it ("<slug> <variant>"). */
static void cache_drop_variants(struct etag_cache *c, const char *slug)
{
    size_t n = strlen(slug);
    for (struct etag_cache_entry **p = &c->bucket[bucket_of(slug)]; *p != NULL;) {
        struct etag_cache_entry *e = *p;
        if (strncmp(e->slug, slug, n) == 0 && (e->slug[n] == '\0' || e->slug[n] == ' ')) {
            *p = e->next;
            etag_cache_release(e);
            c->n--;
        } else {
            p = &e->next;
        }
    }
}

void etag_cache_invalidate(struct etag_cache *c, const char *key)
{
    if (key == NULL || strcmp(key, "*") == 0)
        cache_clear(c);
    else
        cache_drop_variants(c, key);
}

struct etag_cache *etag_cache_new(void)
{
    return calloc(1, sizeof(struct etag_cache));
}

void etag_cache_free(struct etag_cache *c)
{
    if (c == NULL)
        return;
    cache_clear(c);
    /* fills still listed belong to their leaders: just forget them */
    for (struct etag_cache_wait *w = c->waits; w != NULL; w = w->next)
        w->cache = NULL;
    free(c);
}

/* db_listen's callbacks: the listener owns the cache. */
static void on_invalidate(void *ctx, const char *key)
{
    etag_cache_invalidate(ctx, key);
}

static void on_free(void *ctx)
{
    etag_cache_free(ctx);
}

/* This loop's cache of topic, made on first use; NULL without a listener
 * or memory. */
static struct etag_cache *cache_of(struct db_listen *l, const char *topic)
{
    if (l == NULL)
        return NULL;
    struct etag_cache *c = db_listen_context(l, topic);
    if (c != NULL)
        return c;
    c = etag_cache_new();
    if (c != NULL && !db_listen_subscribe(l, topic, on_invalidate, c, on_free)) {
        free(c);
        c = NULL;
    }
    return c;
}

struct etag_cache *etag_cache_begin(struct req *r, const char *topic, struct etag_cache_fill *fill)
{
    struct db_listen *l = db_listen_of(r);
    db_listen_sync(l); /* changes already committed come first (db_listen.h) */
    fill->active = db_listen_active(l);
    fill->epoch = db_listen_epoch(l);
    return fill->active ? cache_of(l, topic) : NULL;
}

void etag_cache_keep(struct req *r, const char *topic, const struct etag_cache_fill *fill,
                     struct etag_cache_entry *e)
{
    struct db_listen *l = db_listen_of(r);
    struct etag_cache *c = fill->active ? cache_of(l, topic) : NULL;
    if (c != NULL && db_listen_active(l) && db_listen_epoch(l) == fill->epoch && !expired(e))
        etag_cache_put(c, e);
}

bool etag_cache_matches(const char *inm, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = inm;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        if (*p == '*')
            return true;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"') {
            p += strcspn(p, ",");
            continue;
        }
        const char *end = strchr(p + 1, '"');
        if (end == NULL)
            return false;
        if ((size_t)(end - p + 1) == elen && memcmp(p, etag, elen) == 0)
            return true;
        p = end + 1;
    }
    return false;
}

/* A reply finished with the entry's bytes. */
static void reply_written(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    etag_cache_release(arg);
}

/* The gzip copy of body in e, made on first demand; NULL when it cannot be
 * made (then the plain bytes are answered). */
static const struct etag_cache_gz *gz_copy(struct etag_cache_entry *e, const char *body, size_t len)
{
    struct etag_cache_gz *free_slot = NULL;
    for (int i = 0; i < ETAG_CACHE_GZ_MAX; i++) {
        if (e->gz[i].data != NULL && e->gz[i].plain == body)
            return &e->gz[i];
        if (e->gz[i].data == NULL && free_slot == NULL)
            free_slot = &e->gz[i];
    }
    if (free_slot == NULL)
        return NULL;
    free_slot->data = gzip_compress(body, len, &free_slot->len);
    if (free_slot->data == NULL)
        return NULL;
    free_slot->plain = body;
    return free_slot;
}

void etag_cache_reply(struct req *r, struct etag_cache_entry *e, const char *etag,
                      const char *cache_control, const char *content_type, const char *body,
                      size_t len)
{
    char tag[160];
    bool want = gzip_choose(r, content_type, len) && gzip_etag(etag, tag, sizeof tag);
    req_add_header(r, "ETag", want ? tag : etag);
    req_add_header(r, "Cache-Control", cache_control);
    const char *inm = req_header(r, "If-None-Match");
    if (inm != NULL && etag_cache_matches(inm, want ? tag : etag)) {
        req_reply_empty(r, 304); /* no copy needed for that */
        return;
    }
    const struct etag_cache_gz *gz = want ? gz_copy(e, body, len) : NULL;
    if (want && gz == NULL) { /* out of memory: the plain bytes, under their own tag */
        evhttp_remove_header(evhttp_request_get_output_headers(r->ev), "ETag");
        req_add_header(r, "ETag", etag);
    }
    e->refs++;
    if (gz != NULL) {
        req_add_header(r, "Content-Encoding", "gzip");
        gzip_count(len, gz->len);
        req_reply_shared(r, 200, content_type, gz->data, gz->len, reply_written, e);
        return;
    }
    req_reply_shared(r, 200, content_type, body, len, reply_written, e);
}

struct etag_cache_wait *etag_cache_wait_find(struct etag_cache *c, const char *slug,
                                             unsigned long epoch)
{
    for (struct etag_cache_wait *w = c->waits; w != NULL; w = w->next)
        if (w->epoch == epoch && strcmp(w->slug, slug) == 0)
            return w;
    return NULL;
}

void etag_cache_wait_unlink(struct etag_cache_wait *w)
{
    if (w == NULL || w->cache == NULL)
        return;
    for (struct etag_cache_wait **p = &w->cache->waits; *p != NULL; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    w->cache = NULL;
    w->next = NULL;
}

struct etag_cache_wait *etag_cache_wait_start(struct etag_cache *c, const char *slug,
                                              unsigned long epoch)
{
    struct etag_cache_wait *w = calloc(1, sizeof *w);
    if (w == NULL || (w->slug = strdup(slug)) == NULL) {
        free(w);
        return NULL;
    }
    w->epoch = epoch;
    /* an older fill of the slug began before a notification: nobody joins it any more */
    for (struct etag_cache_wait *o = c->waits, *next; o != NULL; o = next) {
        next = o->next;
        if (strcmp(o->slug, slug) == 0)
            etag_cache_wait_unlink(o);
    }
    w->cache = c;
    w->next = c->waits;
    c->waits = w;
    return w;
}

bool etag_cache_wait_add(struct etag_cache_wait *w, struct req *r)
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

void etag_cache_wait_free(struct etag_cache_wait *w)
{
    if (w == NULL)
        return;
    etag_cache_wait_unlink(w);
    free(w->reqs);
    free(w->slug);
    free(w);
}
