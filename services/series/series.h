/* series.h — "Rumbo al GESS": the events that lead up to an edition, RSVPs,
 * attendance, recurring events and the participation report. */
#ifndef GESS_SERIES_H
#define GESS_SERIES_H

#include "core/db_pool.h"
#include "core/router.h"

extern const struct route series_routes[];
extern const struct db_stmt *const series_stmts[];

struct req;

#endif
