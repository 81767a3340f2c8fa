/* dashboard.c — GET /v1/editions/{slug}/pacts/dashboard, public: every
 * non-draft pact of the edition with its parties, commitments, indicators,
 * milestones, progress and counts, built by followup_dashboard() in one
 * statement (schema/functions/followup.sql) and served from the worker's
 * cache (core/etag_cache.h) with a strong ETag, `Cache-Control: public,
 * no-cache` (shared caches revalidate every time, which costs them a 304
 * from memory) and If-None-Match → 304.
 *
 * Statement-level triggers on every pact table NOTIFY gess_invalidate with
 * "dashboard:<slug>" (schema/functions/followup.sql); an organization
 * changing sends "dashboard:*", which drops them all, as does a lost
 * LISTEN connection. `overdue` depends on the date, so an entry also
 * expires at its edition's next local midnight (computed by PostgreSQL
 * with the edition's zone).
 *
 * As for the schedule: while the listener is down nothing is served from
 * or put into the cache, and a fill whose query began before a
 * notification (another epoch) is answered but not kept. A draft edition
 * is 404 for everyone: the dashboard is the public record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/etag_cache.h"
#include "core/req.h"
#include "followup/followup.h"

#define TOPIC "dashboard"

/* (draft, body, etag, valid_until as Unix time); no row: no edition. */
const struct db_stmt followup_stmt_dashboard = {
    "followup_dashboard",
    "SELECT draft, body, etag, valid_until FROM followup_dashboard($1)",
};

/* An edition's dashboard: its bytes and ETag, shared with the replies
 * still writing them. */
struct entry {
    struct etag_cache_entry base; /* expires: the edition's next local midnight */
    char etag[40];
    char *body;
    size_t len;
};

struct fill {
    struct etag_cache_fill cache;
    struct etag_cache_wait *wait; /* the requests that joined this fill, if any */
};

static void fill_free(void *data)
{
    struct fill *f = data;
    etag_cache_wait_free(f->wait); /* a loop torn down mid-query: the waiters go with it */
    free(f);
}

static void entry_free(struct etag_cache_entry *base)
{
    struct entry *e = (struct entry *)base;
    free(e->body);
    free(e);
}

static void serve(struct req *r, struct entry *e)
{
    etag_cache_reply(r, &e->base, e->etag, "public, no-cache", "application/json", e->body, e->len);
}

/* The entry a followup_dashboard row describes; NULL when out of memory. */
static struct entry *entry_from(const char *slug, PGresult *res)
{
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    bool ok = etag_cache_entry_init(&e->base, slug, entry_free);
    e->len = (size_t)PQgetlength(res, 0, 1);
    e->body = malloc(e->len + 1);
    e->base.expires = strtod(PQgetvalue(res, 0, 3), NULL);
    snprintf(e->etag, sizeof e->etag, "%s", PQgetvalue(res, 0, 2));
    if (!ok || e->body == NULL) {
        etag_cache_release(&e->base);
        return NULL;
    }
    memcpy(e->body, PQgetvalue(res, 0, 1), e->len + 1);
    return e;
}

/* Answers one request with the fill's outcome: e, or else the failure. */
static void answer(struct req *r, struct entry *e, enum db_status st, PGresult *res,
                   const char *problem)
{
    if (e != NULL)
        serve(r, e);
    else if (problem != NULL)
        req_reply_problem(r, problem, NULL);
    else
        req_reply_db_error(r, st, res);
}

static void dashboard_done(struct req *r, enum db_status st, PGresult *res)
{
    struct fill *f = r->data;
    struct etag_cache_wait *w = f->wait;
    f->wait = NULL; /* answering r frees f: the waiters are ours now */
    etag_cache_wait_unlink(w);
    struct entry *e = NULL;
    const char *problem = NULL;
    if (st == DB_OK) {
        if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") == 0 ||
            PQgetisnull(res, 0, 1))
            problem = "not-found";
        else if ((e = entry_from(req_param(r, "slug"), res)) == NULL)
            problem = "internal-error";
    }
    if (e != NULL)
        etag_cache_keep(r, TOPIC, &f->cache, &e->base);
    answer(r, e, st, res, problem);
    for (size_t i = 0; w != NULL && i < w->n; i++)
        answer(w->reqs[i], e, st, res, problem);
    etag_cache_wait_free(w);
    if (e != NULL)
        etag_cache_release(&e->base);
}

void followup_dashboard(struct req *r)
{
    const char *slug = req_param(r, "slug");
    if (!valid_slug(slug)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    struct etag_cache_fill cf;
    struct etag_cache *c = etag_cache_begin(r, TOPIC, &cf);
    if (c != NULL) {
        struct etag_cache_entry *e = etag_cache_find(c, slug);
        if (e != NULL) {
            serve(r, (struct entry *)e);
            return;
        }
        struct etag_cache_wait *w = etag_cache_wait_find(c, slug, cf.epoch);
        if (w != NULL) {
            if (!etag_cache_wait_add(w, r))
                req_reply_unavailable(r);
            return; /* the fill in flight answers us */
        }
    }
    struct fill *f = calloc(1, sizeof *f);
    if (f == NULL) {
        req_reply_unavailable(r);
        return;
    }
    f->cache = cf;
    r->data = f;
    r->data_free = fill_free;
    if (c != NULL)
        f->wait = etag_cache_wait_start(c, slug, cf.epoch); /* NULL: no joining, still correct */
    const char *params[] = {slug};
    req_query(r, &followup_stmt_dashboard, 1, params, dashboard_done);
}
