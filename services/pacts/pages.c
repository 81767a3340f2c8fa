/* pages.c — a pact's page for people: GET /pacts/{id} (web/pages/pact.html):
 * the pact (title, summary, signed_on, status, parties), its commitments
 * (status, due dates, responsible organization) with their indicators —
 * each a chart of baseline, target and verified measurements drawn as
 * inline SVG from the geometry chart.c computes, and the same data as a
 * table — and milestones. The data is the API's read (pacts_get, the same
 * statement and the same rule on who sees what: drafts only for staff and
 * the pact's contacts, 404 for anyone else). */
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/req.h"
#include "pacts/pacts.h"

/* Members whose value is a code the template words through t.pacts. */
static const char *const pacts_coded[] = {"completion", "status", "role", "direction", NULL};

/* An indicator's chart geometry and its verified measurements (the
 * contacts' and staff's read has the others too: the page draws what
 * counts). */
static void indicator_fill(json_t *ind)
{
    json_t *chart = pacts_chart(ind);
    if (chart != NULL)
        json_object_set_new(ind, "chart", chart);
    json_t *verified = json_array();
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(ind, "measurements"), i, m) {
        const char *st = json_string_value(json_object_get(m, "status"));
        if (st == NULL || strcmp(st, "verified") == 0)
            json_array_append(verified, m);
    }
    json_object_set_new(ind, "verified_count", json_integer((json_int_t)json_array_size(verified)));
    json_object_set_new(ind, "verified_any", json_boolean(json_array_size(verified) > 0));
    json_object_set_new(ind, "verified", verified);
}

static void commitments_fill(json_t *list)
{
    size_t i, j;
    json_t *c, *ind;
    json_array_foreach(list, i, c) {
        json_array_foreach(json_object_get(c, "indicators"), j, ind) {
            indicator_fill(ind);
        }
        commitments_fill(json_object_get(c, "sub_commitments"));
    }
}

static void pact_fill(struct req *r, json_t *data, json_t *raw)
{
    (void)r;
    (void)raw;
    page_decorate(data, pacts_coded);
    commitments_fill(json_object_get(data, "commitments"));
}

void pacts_page_pact(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_staff(r))};
    page_query(r, "pact", &pacts_stmt_get, 3, params, pact_fill);
}
