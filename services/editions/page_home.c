/* page_home.c — GET / (the current edition: motto, dates, venue, how to
 * register, the next Rumbo al GESS events) and the nav's shortcuts
 * /programme, /rumbo and /pacts to the current edition's pages. */
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/req.h"
#include "editions/editions.h"

const struct db_stmt editions_stmt_page_home = DB_ANSWER(editions_page_home, "$1::uuid, $2");
const struct db_stmt editions_stmt_page_go = DB_ANSWER(editions_page_go, "");

void editions_page_home(struct req *r)
{
    const char *params[] = {req_viewer(r), page_lang(r)};
    page_query(r, "home", &editions_stmt_page_home, 2, params, NULL);
}

static void go_done(struct req *r, enum db_status st, PGresult *res)
{
    if (!req_sql_succeeded(st, res)) {
        req_done_sql(r, st, res); /* a problem: the page of its status */
        return;
    }
    json_t *body = json_loads(req_sql_body(res), 0, NULL);
    const char *slug = json_string_value(json_object_get(body, "slug"));
    char location[800];
    if (slug == NULL || strlen(slug) > 200) {
        json_decref(body);
        page_error(r, 500);
        return;
    }
    /* r->path is one of the routes below: /programme, /rumbo or /pacts */
    snprintf(location, sizeof location, "/editions/%s%s", slug, r->path);
    json_decref(body);
    page_redirect(r, location);
}

void editions_page_go(struct req *r)
{
    req_query(r, &editions_stmt_page_go, 0, NULL, go_done);
}
