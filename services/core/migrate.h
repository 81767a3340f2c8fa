/* migrate.h — schema migrations compiled into gessd, applied in order,
 * each once and in its own transaction. These run at start-up or from the
 * command line, never on an event loop, so they use blocking libpq. */
#ifndef GESS_MIGRATE_H
#define GESS_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

/* Applies pending migrations; prints each applied one to stdout. */
bool migrate_run(const char *url, char *err, size_t errlen) __attribute__((warn_unused_result));

/* True when every embedded migration has been applied. */
bool migrate_check(const char *url, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
