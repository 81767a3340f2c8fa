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

#endif
