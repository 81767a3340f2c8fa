/* followup.h — pact follow-up: the public dashboard (cached, ETag), overdue commitments and
 * reminders, the review at the next edition and carry-over. */
#ifndef GESS_FOLLOWUP_FOLLOWUP_H
#define GESS_FOLLOWUP_FOLLOWUP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module followup_module;

struct config;
struct req;
struct db_listen;

/* `gessd remind`: sends the pact reminders that are due, once each, and
 * exits (the same work serve does periodically). argv[0] is "remind". */
int followup_remind_cli(const struct config *cfg, int argc, char **argv);

/* dashboard.c */
extern const struct db_stmt followup_stmt_dashboard;
void followup_dashboard_get(struct req *r);

/* dashboard_cache.c: per worker, per edition slug, the dashboard's bytes
 * and ETag, shared with the replies still writing them (refcounted). */
struct dash_entry {
    struct dash_entry *next;
    int refs;
    char *slug;
    char etag[40];
    char *body;
    size_t len;
    double expires; /* Unix time of the edition's next local midnight */
};
struct dash_cache;

/* This loop's cache, made and subscribed to "dashboard" on first use; NULL
 * without a listener or memory. */
struct dash_cache *dash_cache_of(struct db_listen *l);
/* Requests of this worker waiting for a fill of the same slug begun in
 * the same listener epoch: one query answers them all, so the first
 * requests after a change do not each rebuild a dashboard that takes
 * hundreds of milliseconds. Owned by the leading request's state; the
 * cache only points at the newest one per slug. */
struct dash_wait {
    struct dash_wait *next;
    struct dash_cache *cache; /* NULL once unlinked */
    char *slug;
    unsigned long epoch;
    struct req **reqs;
    size_t n, cap;
};
/* The fill of slug begun in epoch, or NULL. */
struct dash_wait *dash_wait_find(struct dash_cache *c, const char *slug, unsigned long epoch);
/* A new fill of slug, linked into c (replacing an older one, which its
 * leader still owns); NULL when out of memory. */
struct dash_wait *dash_wait_start(struct dash_cache *c, const char *slug, unsigned long epoch);
/* Adds a waiting request; false when out of memory. */
bool dash_wait_add(struct dash_wait *w, struct req *r) __attribute__((warn_unused_result));
/* Unlinks w from its cache (if still linked). */
void dash_wait_unlink(struct dash_wait *w);
/* Unlinks and frees w (never touching the requests it lists). */
void dash_wait_free(struct dash_wait *w);

/* A live entry for slug (an expired one is dropped), or NULL. */
struct dash_entry *dash_cache_find(struct dash_cache *c, const char *slug, double now);
/* Stores e, taking the caller's reference. */
void dash_cache_put(struct dash_cache *c, struct dash_entry *e);
/* Lets go of one reference. */
void dash_entry_release(struct dash_entry *e);

/* overdue.c */
extern const struct db_stmt followup_stmt_overdue;
void followup_overdue_list(struct req *r);

/* review.c */
extern const struct db_stmt followup_stmt_review;
void followup_review_get(struct req *r);

/* carry_over.c */
extern const struct db_stmt followup_stmt_carry_over;
void followup_carry_over(struct req *r);

/* reminders.c: the periodic task that sends them (listed in app.c) */
extern const struct db_stmt followup_stmt_remind;
struct server_task;
extern const struct server_task followup_remind_task;

#endif
