/* programme.h — the congress programme being drafted: rooms, tracks, speakers,
 * sessions (no double-booking), reservations and personal agendas. */
#ifndef GESS_PROGRAMME_H
#define GESS_PROGRAMME_H

#include "core/db_pool.h"
#include "core/router.h"

extern const struct route programme_routes[];
extern const struct db_stmt *const programme_stmts[];

struct req;

#endif
