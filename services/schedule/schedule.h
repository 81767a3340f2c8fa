/* schedule.h — the published programme: numbered releases with a changelog,
 * the latest release served from a per-worker cache (ETag, 304) and
 * invalidated through LISTEN/NOTIFY, and its iCalendar form. */
#ifndef GESS_SCHEDULE_H
#define GESS_SCHEDULE_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"

extern const struct module schedule_module;

struct req;

/* releases.c */
extern const struct db_stmt schedule_stmt_publish, schedule_stmt_release_list;
void schedule_publish(struct req *r);
void schedule_release_list(struct req *r);

/* schedule_cache.c */
extern const struct db_stmt schedule_stmt_get;
void schedule_get(struct req *r);

#endif
