/* etag_cache.h — per-worker caches of bytes served with an ETag, keyed by
 * edition slug and kept right across gessd processes by LISTEN/NOTIFY
 * (core/db_listen.h). The schedule and the pact dashboard use it; each
 * keeps only its query, how a row becomes an entry, its Cache-Control and
 * its representations.
 *
 * The contract:
 * - One cache per worker loop and topic, made on first use and subscribed
 *   to that topic of the loop's listener, which owns and frees it. A
 *   notification "<topic>:<slug>" drops that slug; "<topic>:*", and a lost
 *   or regained LISTEN connection (key NULL), drop everything. An entry's
 *   key is a slug, or a slug, a space and a variant (the pages key theirs
 *   "<slug> <lang>", core/page_cache.h): "<topic>:<slug>" drops all of a
 *   slug's variants too. At most
 *   1024 entries: past that the cache starts over.
 * - While not listening nothing is served from or put into the cache (each
 *   request reads the database), since a notification sent meanwhile is
 *   lost. A fill whose query began before a notification or a reconnect
 *   (another listener epoch) is answered but not kept, so a stale read
 *   cannot outlive the notification that made it stale. etag_cache_begin()
 *   notes what the fill began with; etag_cache_keep() applies both rules.
 * - An entry may also expire at a given Unix time (the dashboard's
 *   `overdue` changes at midnight): past it, it is neither served nor kept.
 * - Entries are refcounted: the cache holds one reference, and so does
 *   every reply still being written from an entry's bytes
 *   (etag_cache_reply), so dropping an entry never frees bytes in flight.
 * - Requests of one worker reading the same slug in the same epoch may
 *   wait for the one fill in flight (etag_cache_wait_*) instead of each
 *   running the query. */
#ifndef GESS_ETAG_CACHE_H
#define GESS_ETAG_CACHE_H

#include <stdbool.h>
#include <stddef.h>

struct req;
struct etag_cache;

/* Representations of one entry that may have a gzip copy (JSON and ICS). */
#define ETAG_CACHE_GZ_MAX 2

/* The head of a domain's entry: embed it as the first member and give
 * etag_cache_entry_init the function that frees the whole entry. */
struct etag_cache_entry {
    struct etag_cache_entry *next; /* the cache's chain */
    int refs;
    char *slug;
    double expires; /* Unix time it stops being served; INFINITY: never */
    /* frees the domain's fields and e, not slug */
    void (*free)(struct etag_cache_entry *e);
    /* the gzip copies of the representations answered so far (core/gzip.h),
     * made once each on first demand by etag_cache_reply, keyed by the
     * plain bytes they compress; owned by the entry */
    struct etag_cache_gz {
        const char *plain;
        unsigned char *data;
        size_t len;
    } gz[ETAG_CACHE_GZ_MAX];
};

/* Sets up e with one reference (the caller's), a copy of slug and no
 * expiry. False when out of memory; etag_cache_release(e) still frees it. */
bool etag_cache_entry_init(struct etag_cache_entry *e, const char *slug,
                           void (*free_fn)(struct etag_cache_entry *e))
    __attribute__((warn_unused_result));

/* Lets go of one reference; the last one frees e. NULL is fine. */
void etag_cache_release(struct etag_cache_entry *e);

/* What a fill began with, kept by the request until its query returns. */
struct etag_cache_fill {
    unsigned long epoch;
    bool active;
};

/* Starts a cached read on r's loop: applies changes already committed
 * (db_listen_sync), notes the listener's epoch and state in *fill, and
 * returns this loop's cache of topic while the listener is active, NULL
 * otherwise (also without a listener or memory): then read the database
 * and keep nothing. */
struct etag_cache *etag_cache_begin(struct req *r, const char *topic, struct etag_cache_fill *fill);

/* Ends a fill begun with etag_cache_begin(r, topic, fill): keeps e (with a
 * reference of the cache's own) only if the listener is still active, in
 * the fill's epoch, and e has not expired. The caller keeps its reference. */
void etag_cache_keep(struct req *r, const char *topic, const struct etag_cache_fill *fill,
                     struct etag_cache_entry *e);

/* The live entry for slug, or NULL; one past its expiry is dropped. Takes
 * no reference. */
struct etag_cache_entry *etag_cache_find(struct etag_cache *c, const char *slug);

/* Stores e in place of any entry for its slug, with a reference of the
 * cache's own. */
void etag_cache_put(struct etag_cache *c, struct etag_cache_entry *e);

/* The listener's word for c: key NULL or "*" drops everything, a slug drops
 * that entry. */
void etag_cache_invalidate(struct etag_cache *c, const char *key);

/* An empty cache not subscribed to anything (etag_cache_begin makes the
 * subscribed ones); NULL when out of memory. */
struct etag_cache *etag_cache_new(void);

/* Drops every entry and frees c; fills still waiting are forgotten, not
 * freed (their leaders own them). */
void etag_cache_free(struct etag_cache *c);

/* If-None-Match (RFC 9110 §13.1.2): true when inm is "*" or a list of
 * entity tags one of which is etag, compared weakly (a W/ prefix is
 * ignored). */
bool etag_cache_matches(const char *inm, const char *etag);

/* Answers r with one of e's representations: the ETag and Cache-Control
 * headers, then 304 when If-None-Match matches etag, else 200 with body,
 * which stays e's (e is referenced until the reply is written). A client
 * that takes gzip gets, for a compressible body over GZIP_MIN, the entry's
 * gzip copy of body (made on first demand) under etag's gzip form, which
 * is also the tag its If-None-Match is compared with (core/gzip.h). */
void etag_cache_reply(struct req *r, struct etag_cache_entry *e, const char *etag,
                      const char *cache_control, const char *content_type, const char *body,
                      size_t len);

/* Requests of this worker waiting for a fill of the same slug begun in
 * the same listener epoch: one query answers them all, so the first
 * requests after a change do not each rebuild an answer that may take
 * hundreds of milliseconds. Owned by the leading request's state; the
 * cache only points at the newest one per slug. */
struct etag_cache_wait {
    struct etag_cache_wait *next;
    struct etag_cache *cache; /* NULL once unlinked */
    char *slug;
    unsigned long epoch;
    struct req **reqs;
    size_t n, cap;
};

/* The fill of slug begun in epoch, or NULL. */
struct etag_cache_wait *etag_cache_wait_find(struct etag_cache *c, const char *slug,
                                             unsigned long epoch);

/* A new fill of slug, linked into c (replacing an older one, which its
 * leader still owns); NULL when out of memory. */
struct etag_cache_wait *etag_cache_wait_start(struct etag_cache *c, const char *slug,
                                              unsigned long epoch);

/* Adds a waiting request; false when out of memory. */
bool etag_cache_wait_add(struct etag_cache_wait *w, struct req *r)
    __attribute__((warn_unused_result));

/* Unlinks w from its cache (if still linked). NULL is fine. */
void etag_cache_wait_unlink(struct etag_cache_wait *w);

/* Unlinks and frees w (never touching the requests it lists). NULL is fine. */
void etag_cache_wait_free(struct etag_cache_wait *w);

#endif
