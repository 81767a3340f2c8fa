/* schedule_cache.c — GET /v1/editions/{slug}/schedule (?format=ics).
 *
 * A release never changes once published, so each worker keeps, per
 * edition, the latest release's bytes (JSON as stored, iCalendar rendered
 * on first demand) with their ETags, and answers hits without touching the
 * database. A miss runs one query and fills the entry.
 *
 * Staying right across gessd processes: publishing a release and updating
 * an edition NOTIFY gess_invalidate with "schedule:<slug>" in the same
 * transaction (schema/functions/schedule.sql), and every worker LISTENs on its own
 * connection (core/db_listen.h): a notification drops that slug, a lost
 * connection drops everything. While not listening, nothing is served from
 * or put into the cache (each request reads the database), and a fill
 * whose query began before a notification or a reconnect is answered but
 * not kept (the epoch check), so a stale read cannot outlive the
 * notification that made it stale.
 *
 * Cache-Control is "public, no-cache": shared caches may store the
 * schedule but must revalidate it every time, which costs them a 304 from
 * memory here, so a room change on the congress day is seen at once
 * instead of up to max-age later. Drafts (organizers only) are private. */
#include <event2/util.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/db_listen.h"
#include "core/ics.h"
#include "core/log.h"
#include "core/req.h"
#include "schedule/schedule.h"

#define BUCKETS 64
#define MAX_ENTRIES 1024 /* beyond this the cache starts over */
#define TOPIC "schedule"

/* (draft, release id, version, content, calendar); no row: no edition. */
const struct db_stmt schedule_stmt_latest = {
    "schedule_latest",
    "SELECT draft, release_id, version, content, calendar FROM schedule_latest($1)",
};

/* Shared by the cache and by every reply still being written from its
 * bytes (req_reply_shared): freed when the last of them lets go. */
struct entry {
    struct entry *next;
    int refs;
    char *slug;
    bool released; /* false: the edition has no release yet (404) */
    bool draft;
    char etag[80], etag_ics[80];
    char *json;
    size_t json_len;
    char *calendar; /* the ics_render input, until rendered */
    char *ics;
    size_t ics_len;
};

struct cache {
    struct entry *bucket[BUCKETS];
    int n;
};

struct fill {
    unsigned long epoch;
    bool active;
    bool ics;
};

static void entry_free(struct entry *e)
{
    if (e == NULL)
        return;
    free(e->slug);
    free(e->json);
    free(e->calendar);
    free(e->ics);
    free(e);
}

static void entry_release(struct entry *e)
{
    if (e != NULL && --e->refs == 0)
        entry_free(e);
}

/* A reply finished with the entry's bytes. */
static void reply_written(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    entry_release(arg);
}

static unsigned bucket_of(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % BUCKETS;
}

static void cache_clear(struct cache *c)
{
    for (int i = 0; i < BUCKETS; i++) {
        for (struct entry *e = c->bucket[i], *next; e != NULL; e = next) {
            next = e->next;
            entry_release(e);
        }
        c->bucket[i] = NULL;
    }
    c->n = 0;
}

static void cache_drop(struct cache *c, const char *slug)
{
    for (struct entry **p = &c->bucket[bucket_of(slug)]; *p != NULL; p = &(*p)->next)
        if (strcmp((*p)->slug, slug) == 0) {
            struct entry *e = *p;
            *p = e->next;
            entry_release(e);
            c->n--;
            return;
        }
}

static struct entry *cache_find(struct cache *c, const char *slug)
{
    for (struct entry *e = c->bucket[bucket_of(slug)]; e != NULL; e = e->next)
        if (strcmp(e->slug, slug) == 0)
            return e;
    return NULL;
}

static void cache_put(struct cache *c, struct entry *e)
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
    struct cache *c = ctx;
    cache_clear(c);
    free(c);
}

/* The listener's word: key NULL drops everything. */
static void on_invalidate(void *ctx, const char *key)
{
    struct cache *c = ctx;
    if (key == NULL)
        cache_clear(c);
    else
        cache_drop(c, key);
}

/* This loop's cache, made on first use; NULL when out of memory. */
static struct cache *cache_of(struct db_listen *l)
{
    struct cache *c = db_listen_context(l, TOPIC);
    if (c != NULL || l == NULL)
        return c;
    c = calloc(1, sizeof *c);
    if (c != NULL && !db_listen_subscribe(l, TOPIC, on_invalidate, c, cache_free)) {
        free(c);
        c = NULL;
    }
    return c;
}

/* If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared
 * weakly (a W/ prefix is ignored). */
static bool etag_matches(const char *inm, const char *etag)
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

/* Renders the entry's calendar once; false when that fails. */
static bool render_ics(struct req *r, struct entry *e)
{
    if (e->ics != NULL)
        return true;
    json_error_t err;
    json_t *cal = e->calendar ? json_loads(e->calendar, 0, &err) : NULL;
    e->ics = cal ? ics_render(cal, &e->ics_len) : NULL;
    json_decref(cal);
    if (e->ics == NULL) {
        log_msg(LOG_ERROR, "req %s: cannot render the schedule of %s as iCalendar", r->id, e->slug);
        return false;
    }
    free(e->calendar);
    e->calendar = NULL;
    return true;
}

static void serve(struct req *r, struct entry *e, bool ics)
{
    if (!e->released || (e->draft && !req_is_organizer(r))) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    if (ics && !render_ics(r, e)) {
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    const char *etag = ics ? e->etag_ics : e->etag;
    req_add_header(r, "ETag", etag);
    req_add_header(r, "Cache-Control", e->draft ? "private, no-cache" : "public, no-cache");
    const char *inm = req_header(r, "If-None-Match");
    if (inm != NULL && etag_matches(inm, etag)) {
        req_reply_empty(r, 304);
        return;
    }
    e->refs++;
    if (ics)
        req_reply_shared(r, 200, "text/calendar; charset=utf-8", e->ics, e->ics_len, reply_written,
                         e);
    else
        req_reply_shared(r, 200, "application/json", e->json, e->json_len, reply_written, e);
}

static char *dup_value(PGresult *res, int col, size_t *len)
{
    if (PQgetisnull(res, 0, col))
        return NULL;
    size_t n = (size_t)PQgetlength(res, 0, col);
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, PQgetvalue(res, 0, col), n + 1);
        if (len != NULL)
            *len = n;
    }
    return s;
}

/* The entry a schedule_latest row describes; NULL when out of memory. */
static struct entry *entry_from(const char *slug, PGresult *res)
{
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->refs = 1; /* the caller's */
    e->slug = strdup(slug);
    e->draft = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    e->released = !PQgetisnull(res, 0, 1);
    if (e->slug == NULL)
        goto fail;
    if (e->released) {
        const char *id = PQgetvalue(res, 0, 1), *version = PQgetvalue(res, 0, 2);
        snprintf(e->etag, sizeof e->etag, "\"%s-v%s\"", id, version);
        snprintf(e->etag_ics, sizeof e->etag_ics, "\"%s-v%s-ics\"", id, version);
        e->json = dup_value(res, 3, &e->json_len);
        e->calendar = dup_value(res, 4, NULL);
        if (e->json == NULL || e->calendar == NULL)
            goto fail;
    }
    return e;
fail:
    entry_release(e);
    return NULL;
}

static void latest_done(struct req *r, enum db_status st, PGresult *res)
{
    if (st != DB_OK) {
        req_reply_db_error(r, st, res);
        return;
    }
    if (PQntuples(res) != 1) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    struct fill *f = r->data;
    const char *slug = req_param(r, "slug");
    struct entry *e = entry_from(slug, res);
    if (e == NULL) {
        req_reply_problem(r, "internal-error", NULL);
        return;
    }
    struct db_listen *l = db_listen_of(r);
    struct cache *c = f->active ? cache_of(l) : NULL;
    if (c != NULL && db_listen_active(l) && db_listen_epoch(l) == f->epoch) {
        cache_put(c, e); /* the cache takes our reference */
        serve(r, e, f->ics);
        return;
    }
    serve(r, e, f->ics);
    entry_release(e);
}

void schedule_get(struct req *r)
{
    bool ics = r->out == OUT_ICS;
    const char *slug = req_param(r, "slug");
    struct db_listen *l = db_listen_of(r);
    db_listen_sync(l); /* changes already committed come first (db_listen.h) */
    bool active = db_listen_active(l);
    if (active) {
        struct cache *c = cache_of(l);
        struct entry *e = c ? cache_find(c, slug) : NULL;
        if (e != NULL) {
            serve(r, e, ics);
            return;
        }
    }
    struct fill *f = calloc(1, sizeof *f);
    if (f == NULL) {
        req_reply_unavailable(r);
        return;
    }
    f->epoch = db_listen_epoch(l);
    f->active = active;
    f->ics = ics;
    r->data = f;
    r->data_free = free;
    const char *params[] = {slug};
    req_query(r, &schedule_stmt_latest, 1, params, latest_done);
}
