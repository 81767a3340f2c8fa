/* app.c — the one place that lists the modules. A new module adds its
 * route table, statement list and periodic tasks here. */
#include "app.h"

#include <stddef.h>

#include "accounts/accounts.h"
#include "core/server.h"
#include "editions/editions.h"
#include "pacts/commitments.h"
#include "pacts/followup.h"
#include "pacts/pacts.h"
#include "programme/programme.h"
#include "registration/registration.h"
#include "schedule/schedule.h"
#include "series/series.h"

static const struct route *const tables[] = {
    core_routes,      accounts_routes, editions_routes, registration_routes, series_routes,
    programme_routes, schedule_routes, pacts_routes,    commitments_routes,  followup_routes,
};
static const struct db_stmt *const *const stmt_lists[] = {
    core_stmts,      accounts_stmts, editions_stmts, registration_stmts, series_stmts,
    programme_stmts, schedule_stmts, pacts_stmts,    commitments_stmts,  followup_stmts,
};

/* Periodic work run by worker 0 of `gessd serve` (core/server.h). */
const struct server_task *const server_tasks[] = {
    &followup_remind_task,
    &core_housekeeping_task,
    NULL,
};

#define MAX_STMTS 256
static const struct db_stmt *all[MAX_STMTS + 1];

bool app_router(struct router *rt)
{
    return router_init(rt, tables, sizeof tables / sizeof tables[0]);
}

const struct db_stmt *const *app_statements(void)
{
    size_t n = 0;
    for (size_t l = 0; l < sizeof stmt_lists / sizeof stmt_lists[0]; l++)
        for (const struct db_stmt *const *s = stmt_lists[l]; *s != NULL && n < MAX_STMTS; s++)
            all[n++] = *s;
    all[n] = NULL;
    return all;
}
