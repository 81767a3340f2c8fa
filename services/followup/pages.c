/* pages.c — the pact dashboard for people: GET /editions/{slug}/pacts
 * (web/pages/dashboard.html), every signed pact of an edition with its
 * progress (a <progress> with the API's value, and the percentage in
 * text), its completion level in words, its commitments with their status
 * and the overdue counts. The data is the API's own document
 * (followup_dashboard() through followup_page_dashboard(), one statement);
 * this file only adds what a logic-less template cannot compute. */
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/page_cache.h"
#include "core/req.h"
#include "followup/followup.h"

/* Members whose value is a code the template words through t.pacts. */
static const char *const pacts_coded[] = {"completion", "status", "role", "direction", NULL};

const struct db_stmt followup_stmt_page_dashboard = DB_ANSWER(followup_page_dashboard, "$1");

static void dashboard_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    page_decorate(data, pacts_coded);
    /* the <title>: the page's heading and the edition */
    const char *edition =
        json_string_value(json_object_get(json_object_get(data, "edition"), "title"));
    char title[400];
    snprintf(title, sizeof title, "%s: %s", page_string(r, "pacts.dashboard_title"),
             edition != NULL ? edition : "");
    json_object_set_new(data, "title", json_string(title));
}

void followup_page_dashboard(struct req *r)
{
    const char *slug = req_param(r, "slug");
    if (!valid_slug(slug)) {
        page_error(r, 404);
        return;
    }
    const char *params[] = {slug};
    /* anonymous callers: the copy kept under the dashboard topic */
    page_cache_query(r, "dashboard", slug, "dashboard", &followup_stmt_page_dashboard, 1, params,
                     dashboard_fill);
}
