/* pages.c — the pact dashboard for people: GET /editions/{slug}/pacts
 * (web/pages/dashboard.html), every signed pact of an edition with its
 * progress (a <progress> with the API's value, and the percentage in
 * text), its completion level in words, its commitments with their status
 * and the overdue counts. The data is the API's own document
 * (followup_dashboard() through followup_page_dashboard(), one statement);
 * this file only adds what a logic-less template cannot compute. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/req.h"
#include "followup/followup.h"

const struct db_stmt followup_stmt_page_dashboard = DB_ANSWER(followup_page_dashboard, "$1");

/* Members whose value is a code the template words through t.pacts. */
static bool coded(const char *key)
{
    static const char *const keys[] = {"completion", "status", "role", "direction"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

/* Adds, all through v, `<key>_is: {<code>: true}` beside each coded
 * member (so the template picks its words), `percent` (whole, truncated
 * as progress is) beside each progress and `<key>_any: true` beside each
 * non-empty array. */
static void decorate(json_t *v)
{
    size_t i;
    json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            decorate(x);
        }
        return;
    }
    if (!json_is_object(v))
        return;
    json_t *add = json_object();
    if (add == NULL)
        return;
    const char *k;
    json_object_foreach(v, k, x) {
        char name[64];
        if (json_is_string(x) && coded(k)) {
            snprintf(name, sizeof name, "%s_is", k);
            json_object_set_new(add, name, json_pack("{s:b}", json_string_value(x), 1));
        } else if (strcmp(k, "progress") == 0 && json_is_number(x)) {
            json_object_set_new(add, "percent",
                                json_integer((json_int_t)floor(json_number_value(x) * 100 + 1e-6)));
        } else if (json_is_array(x) || json_is_object(x)) {
            if (json_is_array(x) && json_array_size(x) > 0) {
                snprintf(name, sizeof name, "%s_any", k);
                json_object_set_new(add, name, json_true());
            }
            decorate(x);
        }
    }
    json_object_update(v, add);
    json_decref(add);
}

static void dashboard_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)raw;
    decorate(data);
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
    page_query(r, "dashboard", &followup_stmt_page_dashboard, 1, params, dashboard_fill);
}
