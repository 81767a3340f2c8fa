/* test_etag_cache.c — If-None-Match matching, the table of refcounted
 * entries (put, find, expiry, invalidation) and the fills requests wait
 * on, all without a loop or a listener. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "core/etag_cache.h"
#include "unit.h"

static int freed;

static void count_free(struct etag_cache_entry *e)
{
    freed++;
    free(e);
}

static struct etag_cache_entry *entry(const char *slug)
{
    struct etag_cache_entry *e = calloc(1, sizeof *e);
    if (e == NULL || !etag_cache_entry_init(e, slug, count_free)) {
        etag_cache_release(e);
        return NULL;
    }
    return e;
}

static void test_matches(void)
{
    CHECK(etag_cache_matches("\"r1-v3\"", "\"r1-v3\""));
    CHECK(etag_cache_matches("W/\"r1-v3\"", "\"r1-v3\""));
    CHECK(etag_cache_matches("\"a\", W/\"b\",\t\"r1-v3\"", "\"r1-v3\""));
    CHECK(etag_cache_matches("*", "\"r1-v3\""));
    CHECK(etag_cache_matches(" , *", "\"x\""));
    CHECK(!etag_cache_matches("\"r1-v3-ics\"", "\"r1-v3\""));
    CHECK(!etag_cache_matches("\"r1-v\"", "\"r1-v3\""));
    CHECK(!etag_cache_matches("r1-v3", "\"r1-v3\""));
    CHECK(etag_cache_matches("junk, \"r1-v3\"", "\"r1-v3\""));
    CHECK(!etag_cache_matches("\"r1-v3", "\"r1-v3\""));
    CHECK(!etag_cache_matches("", "\"r1-v3\""));
    CHECK(!etag_cache_matches(" ,, ", "\"r1-v3\""));
}

static void test_table(void)
{
    freed = 0;
    struct etag_cache *c = etag_cache_new();
    CHECK(c != NULL);
    if (c == NULL)
        return;
    struct etag_cache_entry *a = entry("gess-2026"), *b = entry("gess-2027");
    CHECK(a != NULL && b != NULL);
    if (a == NULL || b == NULL)
        return;
    CHECK(a->expires == INFINITY);
    CHECK(etag_cache_find(c, "gess-2026") == NULL);
    etag_cache_put(c, a);
    etag_cache_put(c, b);
    CHECK(a->refs == 2);
    etag_cache_release(a); /* the cache's reference keeps it */
    etag_cache_release(b);
    CHECK(freed == 0);
    CHECK(etag_cache_find(c, "gess-2026") == a);
    CHECK(etag_cache_find(c, "gess-2027") == b);

    /* a new entry for a slug replaces the old one */
    struct etag_cache_entry *a2 = entry("gess-2026");
    if (a2 == NULL)
        return;
    etag_cache_put(c, a2);
    etag_cache_release(a2);
    CHECK(freed == 1);
    CHECK(etag_cache_find(c, "gess-2026") == a2);

    /* a reply still holding an entry outlives its invalidation */
    b->refs++;
    etag_cache_invalidate(c, "gess-2027");
    CHECK(etag_cache_find(c, "gess-2027") == NULL);
    CHECK(freed == 1);
    etag_cache_release(b);
    CHECK(freed == 2);
    etag_cache_invalidate(c, "no-such-slug");
    CHECK(etag_cache_find(c, "gess-2026") == a2);

    /* "*" and NULL (lost connection) drop everything */
    etag_cache_invalidate(c, "*");
    CHECK(etag_cache_find(c, "gess-2026") == NULL);
    CHECK(freed == 3);
    struct etag_cache_entry *d = entry("d");
    if (d == NULL)
        return;
    etag_cache_put(c, d);
    etag_cache_release(d);
    etag_cache_invalidate(c, NULL);
    CHECK(etag_cache_find(c, "d") == NULL);
    CHECK(freed == 4);

    /* expiry: past it an entry is dropped on lookup */
    struct etag_cache_entry *old = entry("old"), *live = entry("live");
    if (old == NULL || live == NULL)
        return;
    old->expires = (double)time(NULL) - 10;
    live->expires = (double)time(NULL) + 3600;
    etag_cache_put(c, old);
    etag_cache_put(c, live);
    etag_cache_release(old);
    etag_cache_release(live);
    CHECK(etag_cache_find(c, "old") == NULL);
    CHECK(freed == 5);
    CHECK(etag_cache_find(c, "live") == live);

    /* more entries than the cache holds: it starts over, never grows */
    for (int i = 0; i < 1100; i++) {
        char slug[16];
        snprintf(slug, sizeof slug, "e%d", i);
        struct etag_cache_entry *e = entry(slug);
        if (e == NULL)
            return;
        etag_cache_put(c, e);
        etag_cache_release(e);
    }
    CHECK(etag_cache_find(c, "live") == NULL);
    CHECK(etag_cache_find(c, "e1099") != NULL);
    CHECK(etag_cache_find(c, "e0") == NULL);

    etag_cache_free(c);
    CHECK(freed == 5 + 1 + 1100);
}

static void test_waits(void)
{
    struct etag_cache *c = etag_cache_new();
    if (c == NULL)
        return;
    struct etag_cache_wait *w = etag_cache_wait_start(c, "gess-2026", 7);
    CHECK(w != NULL);
    if (w == NULL)
        return;
    CHECK(etag_cache_wait_find(c, "gess-2026", 7) == w);
    CHECK(etag_cache_wait_find(c, "gess-2026", 8) == NULL);
    CHECK(etag_cache_wait_find(c, "gess-2027", 7) == NULL);
    struct req *fake[20];
    bool added = true;
    for (int i = 0; i < 20; i++)
        added = added && etag_cache_wait_add(w, fake[i] = (struct req *)&fake[i]);
    CHECK(added);
    CHECK(w->n == 20 && w->reqs[19] == fake[19]);

    /* a newer fill of the slug (another epoch) replaces it in the cache */
    struct etag_cache_wait *w2 = etag_cache_wait_start(c, "gess-2026", 8);
    if (w2 == NULL)
        return;
    CHECK(w->cache == NULL);
    CHECK(etag_cache_wait_find(c, "gess-2026", 7) == NULL);
    CHECK(etag_cache_wait_find(c, "gess-2026", 8) == w2);
    struct etag_cache_wait *w3 = etag_cache_wait_start(c, "other", 8);
    if (w3 == NULL)
        return;
    etag_cache_wait_unlink(w2);
    CHECK(etag_cache_wait_find(c, "gess-2026", 8) == NULL);
    CHECK(etag_cache_wait_find(c, "other", 8) == w3);

    /* the cache goes first (loop torn down): its fills are forgotten */
    etag_cache_free(c);
    CHECK(w3->cache == NULL);
    etag_cache_wait_free(w);
    etag_cache_wait_free(w2);
    etag_cache_wait_free(w3);
    etag_cache_wait_free(NULL);
}

void test_etag_cache(void)
{
    test_matches();
    test_table();
    test_waits();
}
