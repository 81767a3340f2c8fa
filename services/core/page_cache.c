/* page_cache.c — anonymous public pages from the topic caches (see
 * page_cache.h). */
#define _GNU_SOURCE /* memmem */
#include "core/page_cache.h"

#include <event2/http.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/etag_cache.h"
#include "core/page.h"
#include "core/req.h"

/* A rendered page: its bytes and ETag, shared with the replies writing them. */
struct entry {
    struct etag_cache_entry base;
    char etag[40];
    char *body;
    size_t len;
};

/* What the fill began with, the request's state until it renders. */
struct fill {
    struct etag_cache_fill cache;
    const char *topic;
    char key[160];
};

static void entry_free(struct etag_cache_entry *base)
{
    struct entry *e = (struct entry *)base;
    free(e->body);
    free(e);
}

static void serve(struct req *r, struct entry *e)
{
    page_headers(r);
    /* page_headers said no-store; a cached anonymous page may be kept and
     * revalidated (signed-in answers, which Vary: Cookie tells apart, stay
     * no-store) */
    evhttp_remove_header(evhttp_request_get_output_headers(r->ev), "Cache-Control");
    req_add_header(r, "Vary", "Accept-Language, Cookie");
    etag_cache_reply(r, &e->base, e->etag, "public, no-cache", "text/html; charset=utf-8", e->body,
                     e->len);
}

/* The next quarter hour of UTC after now. */
static double next_quarter(void)
{
    time_t now = time(NULL);
    return (double)((now / 900 + 1) * 900);
}

static struct entry *entry_new(const char *key, const char *out, size_t len)
{
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    bool ok = etag_cache_entry_init(&e->base, key, entry_free);
    e->body = malloc(len + 1);
    if (!ok || e->body == NULL) {
        etag_cache_release(&e->base);
        return NULL;
    }
    memcpy(e->body, out, len);
    e->body[len] = '\0';
    e->len = len;
    e->base.expires = next_quarter();
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, (const unsigned char *)out, len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(e->etag, sizeof e->etag, "\"p%s\"", hex);
    return e;
}

static bool keep(struct req *r, const char *out, size_t len)
{
    struct fill *f = r->data;
    if (f == NULL || memmem(out, len, "csrf_token", 10) != NULL)
        return false; /* belt and braces: never a token in a shared copy */
    struct entry *e = entry_new(f->key, out, len);
    if (e == NULL)
        return false;
    etag_cache_keep(r, f->topic, &f->cache, &e->base);
    serve(r, e);
    etag_cache_release(&e->base);
    return true;
}

static void fill_free(void *data)
{
    free(data);
}

void page_cache_query(struct req *r, const char *topic, const char *slug, const char *name,
                      const struct db_stmt *stmt, int nparams, const char *const *params,
                      void (*fill)(struct req *r, json_t *data, json_t *raw))
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(r->ev);
    const char *q = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
    char key[160];
    if (r->auth.ok || (q != NULL && q[0] != '\0') || r->data != NULL ||
        snprintf(key, sizeof key, "%s %s", slug, page_lang(r)) >= (int)sizeof key) {
        page_query(r, name, stmt, nparams, params, fill);
        return;
    }
    struct etag_cache_fill cf;
    struct etag_cache *c = etag_cache_begin(r, topic, &cf);
    if (c == NULL) {
        page_query(r, name, stmt, nparams, params, fill);
        return;
    }
    struct etag_cache_entry *e = etag_cache_find(c, key);
    if (e != NULL) {
        serve(r, (struct entry *)e);
        return;
    }
    struct fill *f = calloc(1, sizeof *f);
    if (f != NULL) {
        f->cache = cf;
        f->topic = topic;
        memcpy(f->key, key, sizeof key);
        r->data = f;
        r->data_free = fill_free;
        r->page_keep = keep;
    }
    page_query(r, name, stmt, nparams, params, fill);
}
