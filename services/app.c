/* app.c — the one place that lists the modules (core/module.h): a new
 * domain adds its module here, and its routes, statements and periodic
 * tasks come with it. */
#include "app.h"

#include <stdlib.h>

#include "accounts/accounts.h"
#include "commitments/commitments.h"
#include "core/server.h"
#include "editions/editions.h"
#include "followup/followup.h"
#include "organizations/organizations.h"
#include "outbox/outbox.h"
#include "pacts/pacts.h"
#include "practices/practices.h"
#include "programme/programme.h"
#include "registration/registration.h"
#include "schedule/schedule.h"
#include "series/series.h"
#include "webhooks/webhooks.h"

static const struct module *const modules[] = {
    &core_module,   &accounts_module,    &editions_module, &registration_module,
    &series_module, &programme_module,   &schedule_module, &organizations_module,
    &pacts_module,  &commitments_module, &followup_module, &practices_module,
    &outbox_module, &webhooks_module,
};
#define NMODULES (sizeof modules / sizeof modules[0])

const struct module *const *app_modules(size_t *n)
{
    *n = NMODULES;
    return modules;
}

bool app_router(struct router *rt)
{
    const struct route *tables[NMODULES];
    for (size_t i = 0; i < NMODULES; i++)
        tables[i] = modules[i]->routes;
    return router_init(rt, tables, NMODULES);
}

/* Every module's statements (and tasks) in one NULL-terminated array,
 * built on first use and kept for the process's life: gessd prepares the
 * statements on every connection of its pools. NULL when out of memory. */
const struct db_stmt *const *app_statements(void)
{
    static const struct db_stmt **all;
    if (all != NULL)
        return all;
    size_t n = 0;
    for (size_t i = 0; i < NMODULES; i++)
        for (const struct db_stmt *const *s = modules[i]->statements; *s != NULL; s++)
            n++;
    all = calloc(n + 1, sizeof *all);
    if (all == NULL)
        return NULL;
    n = 0;
    for (size_t i = 0; i < NMODULES; i++)
        for (const struct db_stmt *const *s = modules[i]->statements; *s != NULL; s++)
            all[n++] = *s;
    return all;
}

const struct server_task *const *app_tasks(void)
{
    static const struct server_task **all;
    if (all != NULL)
        return all;
    size_t n = 0;
    for (size_t i = 0; i < NMODULES; i++)
        for (const struct server_task *const *t = modules[i]->tasks; t != NULL && *t != NULL; t++)
            n++;
    all = calloc(n + 1, sizeof *all);
    if (all == NULL)
        return NULL;
    n = 0;
    for (size_t i = 0; i < NMODULES; i++)
        for (const struct server_task *const *t = modules[i]->tasks; t != NULL && *t != NULL; t++)
            all[n++] = *t;
    return all;
}
