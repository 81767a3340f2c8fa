/* routes.c — the practices module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "practices/practices.h"

static const struct route routes[] = {
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    NULL,
};

const struct module practices_module = {"practices", routes, statements, NULL};
