/* schedule_cache.c — GET /v1/editions/{slug}/schedule (?format=ics).
 *
 * A release never changes once published, so each worker keeps, per
 * edition, the latest release's bytes (JSON as stored, iCalendar rendered
 * on first demand) with their ETags, and answers hits without touching the
 * database. A miss runs one query and fills the entry.
 *
 * Staying right across gessd processes: publishing a release and updating
 * an edition NOTIFY gess_invalidate with "schedule:<slug>" in the same
 * transaction (schema/functions/schedule.sql); core/etag_cache.h says how
 * a worker's cache follows those notifications (and what it does while
 * not listening), so a stale read cannot outlive the notification that
 * made it stale.
 *
 * Cache-Control is "public, no-cache": shared caches may store the
 * schedule but must revalidate it every time, which costs them a 304 from
 * memory here, so a room change on the congress day is seen at once
 * instead of up to max-age later. Drafts (organizers only) are private. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/etag_cache.h"
#include "core/ics.h"
#include "core/log.h"
#include "core/req.h"
#include "schedule/schedule.h"

#define TOPIC "schedule"

/* (draft, release id, version, content, calendar); no row: no edition. */
const struct db_stmt schedule_stmt_get = {
    "schedule_get",
    "SELECT draft, release_id, version, content, calendar FROM schedule_get($1)",
};

/* The latest release of an edition, in the cache and in every reply still
 * being written from its bytes (etag_cache.h). */
struct entry {
    struct etag_cache_entry base;
    bool released; /* false: the edition has no release yet (404) */
    bool draft;
    char etag[80], etag_ics[80];
    char *json;
    size_t json_len;
    char *calendar; /* the ics_render input, until rendered */
    char *ics;
    size_t ics_len;
};

struct fill {
    struct etag_cache_fill cache;
    bool ics;
};

static void entry_free(struct etag_cache_entry *base)
{
    struct entry *e = (struct entry *)base;
    free(e->json);
    free(e->calendar);
    free(e->ics);
    free(e);
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
        log_msg(LOG_ERROR, "req %s: cannot render the schedule of %s as iCalendar", r->id,
                e->base.slug);
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
    const char *cache_control = e->draft ? "private, no-cache" : "public, no-cache";
    if (ics)
        etag_cache_reply(r, &e->base, e->etag_ics, cache_control, "text/calendar; charset=utf-8",
                         e->ics, e->ics_len);
    else
        etag_cache_reply(r, &e->base, e->etag, cache_control, "application/json", e->json,
                         e->json_len);
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

/* The entry a schedule_get row describes; NULL when out of memory. */
static struct entry *entry_from(const char *slug, PGresult *res)
{
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    bool ok = etag_cache_entry_init(&e->base, slug, entry_free);
    e->draft = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    e->released = !PQgetisnull(res, 0, 1);
    if (!ok)
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
    etag_cache_release(&e->base);
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
    etag_cache_keep(r, TOPIC, &f->cache, &e->base);
    serve(r, e, f->ics);
    etag_cache_release(&e->base);
}

void schedule_get(struct req *r)
{
    bool ics = r->out == OUT_ICS;
    const char *slug = req_param(r, "slug");
    struct etag_cache_fill cf;
    struct etag_cache *c = etag_cache_begin(r, TOPIC, &cf);
    struct etag_cache_entry *e = c ? etag_cache_find(c, slug) : NULL;
    if (e != NULL) {
        serve(r, (struct entry *)e, ics);
        return;
    }
    struct fill *f = calloc(1, sizeof *f);
    if (f == NULL) {
        req_reply_unavailable(r);
        return;
    }
    f->cache = cf;
    f->ics = ics;
    r->data = f;
    r->data_free = free;
    const char *params[] = {slug};
    req_query(r, &schedule_stmt_get, 1, params, latest_done);
}
