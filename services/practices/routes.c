/* routes.c — the practices module's routes and prepared statements. */
#include "core/module.h"
#include "core/req.h"
#include "practices/practices.h"

static const struct route routes[] = {
    /* ---- search ---- */
    ROUTE("GET", "/v1/practices", practices_list, "practices/search.c", AUTH_OPTIONAL, BODY_NONE,
          OUT_JSON | OUT_CSV | OUT_ATOM),
    ROUTE("GET", "/v1/practice-synonyms", practices_synonyms_get, "practices/synonyms.c",
          AUTH_OPTIONAL, BODY_NONE, OUT_JSON),
    ROUTE("PUT", "/v1/practice-synonyms", practices_synonyms_put, "practices/synonyms.c",
          AUTH_CURATOR, BODY_JSON, OUT_JSON),
    ROUTE_END,
};

static const struct db_stmt *const statements[] = {
    /* ---- search ---- */
    &practices_stmt_list,         &practices_stmt_list_csv,     &practices_stmt_feed,
    &practices_stmt_synonyms_get, &practices_stmt_synonyms_put, NULL,
};

const struct module practices_module = {"practices", routes, statements, NULL};
