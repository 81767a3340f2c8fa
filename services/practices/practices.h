/* practices.h — the living repository of practices and lessons learned:
 * cases, their revisions and review, reports and moderation, adoptions,
 * themes and synonyms, Spanish full-text search with facets, CSV and Atom
 * (issue 15; DESIGN.md §4, §6). */
#ifndef GESS_PRACTICES_H
#define GESS_PRACTICES_H

#include "core/db_pool.h"
#include "core/module.h"
#include "core/router.h"
#include "core/valid.h"

extern const struct module practices_module;

struct req;

/* ---- search (search.c, feed.c, synonyms.c) ---- */
extern const struct db_stmt practices_stmt_list, practices_stmt_list_csv, practices_stmt_feed,
    practices_stmt_synonyms_get, practices_stmt_synonyms_put;

/* GET /v1/practices: JSON pages with facets, CSV (Accept: text/csv) or an
 * Atom feed (?format=atom). Public. */
void practices_list(struct req *r);

/* Reads ?q= (NULL when absent or blank) and the facet filters (theme,
 * sector, territory, sdg, kind, stage, edition, organization_id; each may
 * repeat) into a JSON object text {facet: [values]} (malloc'd; NULL when
 * out of memory); bad values fail v naming the parameter. */
char *practices_search_params(struct req *r, struct valid *v, const char **q);

/* Answers the Atom feed of the search q/filters, at most limit entries
 * (v: the request's checks so far, answered first when they failed). */
void practices_feed(struct req *r, struct valid *v, const char *q, const char *filters,
                    const char *limit);

/* GET /v1/practice-synonyms (public) and PUT (curators): the whole list. */
void practices_synonyms_get(struct req *r);
void practices_synonyms_put(struct req *r);

/* The PUT body {items: [{term, means}]}: at most 500, terms distinct. */
json_t *practices_synonyms_fields(struct valid *v, const json_t *body, bool create);

#endif
