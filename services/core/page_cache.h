/* page_cache.h — public pages served to anonymous callers from the
 * worker's cache of a topic (core/etag_cache.h), beside that topic's JSON:
 * the programme page under "schedule", the pacts page under "dashboard".
 *
 * Only a caller with no session and no query string is served from or put
 * into the cache (a query may filter, word a notice or pick ?lang); a
 * signed-in caller, or a page with a POST form (which carries a CSRF
 * token), always renders anew. An entry is keyed "<slug> <lang>" (the
 * page language decided by cookie or Accept-Language), so a slug's
 * notification drops both languages. Answers from the cache carry a strong
 * ETag of the bytes (304 on If-None-Match), `Cache-Control: public,
 * no-cache` and `Vary: Accept-Language, Cookie`. An entry also expires at
 * the next quarter hour of UTC: every time zone's midnight (the
 * dashboard's `overdue`) and the footer's year change on one, and the
 * page's SQL does not say when its edition's day ends. */
#ifndef GESS_PAGE_CACHE_H
#define GESS_PAGE_CACHE_H

struct req;
struct db_stmt;

#include <jansson.h>

/* page_query (core/page.h) for the page of edition slug, kept in topic's
 * cache when r is anonymous and asked no query. */
void page_cache_query(struct req *r, const char *topic, const char *slug, const char *name,
                      const struct db_stmt *stmt, int nparams, const char *const *params,
                      void (*fill)(struct req *r, json_t *data, json_t *raw));

#endif
