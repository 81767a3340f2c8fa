/* dashboard.c — GET /v1/editions/{slug}/pacts/dashboard, public: every
 * non-draft pact of the edition with its parties, commitments, indicators,
 * milestones, progress and counts, built by followup_dashboard() in one
 * statement (schema/functions/followup.sql) and served from the worker's cache
 * (dashboard_cache.c) with a strong ETag, `Cache-Control: public,
 * no-cache` (shared caches revalidate every time, which costs them a 304
 * from memory) and If-None-Match → 304.
 *
 * As for the schedule: while the listener is down nothing is served from
 * or put into the cache, and a fill whose query began before a
 * notification (another epoch) is answered but not kept. A draft edition
 * is 404 for everyone: the dashboard is the public record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/db_listen.h"
#include "core/req.h"
#include "followup/followup.h"

/* (draft, body, etag, valid_until as Unix time); no row: no edition. */
const struct db_stmt followup_stmt_dashboard = {
    "followup_dashboard",
    "SELECT draft, body, etag, valid_until FROM followup_dashboard($1)",
};

struct fill {
    unsigned long epoch;
    bool active;
    struct dash_wait *wait; /* the requests that joined this fill, if any */
};

static void fill_free(void *data)
{
    struct fill *f = data;
    dash_wait_free(f->wait); /* a loop torn down mid-query: the waiters go with it */
    free(f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void reply_written(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    dash_entry_release(arg);
}

/* If-None-Match (RFC 9110 §13.1.2): "*" or a list of entity tags, compared
 * weakly (a W/ prefix is ignored). The same reading as the schedule's. */
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

static void serve(struct req *r, struct dash_entry *e)
{
    req_add_header(r, "ETag", e->etag);
    req_add_header(r, "Cache-Control", "public, no-cache");
    const char *inm = req_header(r, "If-None-Match");
    if (inm != NULL && etag_matches(inm, e->etag)) {
        req_reply_empty(r, 304);
        return;
    }
    e->refs++;
    req_reply_shared(r, 200, "application/json", e->body, e->len, reply_written, e);
}

/* The entry a followup_dashboard row describes; NULL when out of memory. */
static struct dash_entry *entry_from(const char *slug, PGresult *res)
{
    struct dash_entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->refs = 1; /* the caller's */
    e->slug = strdup(slug);
    e->len = (size_t)PQgetlength(res, 0, 1);
    e->body = malloc(e->len + 1);
    e->expires = strtod(PQgetvalue(res, 0, 3), NULL);
    snprintf(e->etag, sizeof e->etag, "%s", PQgetvalue(res, 0, 2));
    if (e->slug == NULL || e->body == NULL) {
        dash_entry_release(e);
        return NULL;
    }
    memcpy(e->body, PQgetvalue(res, 0, 1), e->len + 1);
    return e;
}

/* Answers one request with the fill's outcome: e, or else the failure. */
static void answer(struct req *r, struct dash_entry *e, enum db_status st, PGresult *res,
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
    struct dash_wait *w = f->wait;
    f->wait = NULL; /* answering r frees f: the waiters are ours now */
    dash_wait_unlink(w);
    struct dash_entry *e = NULL;
    const char *problem = NULL;
    if (st == DB_OK) {
        if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") == 0 ||
            PQgetisnull(res, 0, 1))
            problem = "not-found";
        else if ((e = entry_from(req_param(r, "slug"), res)) == NULL)
            problem = "internal-error";
    }
    if (e != NULL) {
        struct db_listen *l = db_listen_of(r);
        struct dash_cache *c = f->active ? dash_cache_of(l) : NULL;
        if (c != NULL && db_listen_active(l) && db_listen_epoch(l) == f->epoch &&
            now_s() < e->expires) {
            e->refs++; /* one for the cache */
            dash_cache_put(c, e);
        }
    }
    answer(r, e, st, res, problem);
    for (size_t i = 0; w != NULL && i < w->n; i++)
        answer(w->reqs[i], e, st, res, problem);
    dash_wait_free(w);
    dash_entry_release(e);
}

void followup_dashboard_get(struct req *r)
{
    const char *slug = req_param(r, "slug");
    if (!valid_slug(slug)) {
        req_reply_problem(r, "not-found", NULL);
        return;
    }
    struct db_listen *l = db_listen_of(r);
    db_listen_sync(l); /* changes already committed come first (db_listen.h) */
    bool active = db_listen_active(l);
    unsigned long epoch = db_listen_epoch(l);
    struct dash_cache *c = active ? dash_cache_of(l) : NULL;
    if (c != NULL) {
        struct dash_entry *e = dash_cache_find(c, slug, now_s());
        if (e != NULL) {
            serve(r, e);
            return;
        }
        struct dash_wait *w = dash_wait_find(c, slug, epoch);
        if (w != NULL) {
            if (!dash_wait_add(w, r))
                req_reply_unavailable(r);
            return; /* the fill in flight answers us */
        }
    }
    struct fill *f = calloc(1, sizeof *f);
    if (f == NULL) {
        req_reply_unavailable(r);
        return;
    }
    f->epoch = epoch;
    f->active = active;
    r->data = f;
    r->data_free = fill_free;
    if (c != NULL)
        f->wait = dash_wait_start(c, slug, epoch); /* NULL: no joining, still correct */
    const char *params[] = {slug};
    req_query(r, &followup_stmt_dashboard, 1, params, dashboard_done);
}
