/* migrate.h — the schema compiled into gessd: migrations applied in order,
 * each once, in its own transaction and checksummed, then the function files
 * reloaded (DESIGN.md §4 "Schema files"). These run at start-up or from the
 * command line, never on an event loop, so they use blocking libpq. */
#ifndef GESS_MIGRATE_H
#define GESS_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

/* Refuses, changing nothing, when an applied migration's file changed, when
 * the database has only some of a baseline's versions or one this gessd does
 * not know; else applies pending migrations and reloads every function file.
 * Prints what it applied, loaded and dropped to stdout. */
bool migrate_run(const char *url, char *err, size_t errlen) __attribute__((warn_unused_result));

/* True when every embedded migration has been applied as it is, and the
 * database's functions are the ones the last migrate of this binary's
 * function files left (not redefined since). */
bool migrate_check(const char *url, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
