/* pages.c — a pact's page for people: GET /pacts/{id} (web/pages/pact.html):
 * the pact (title, summary, signed_on, status, parties), its commitments
 * (status, due dates, responsible organization) with their indicators —
 * each a chart of baseline, target and verified measurements drawn as
 * inline SVG from the geometry chart.c computes, and the same data as a
 * table — and milestones. The data is the API's read (pacts_get, the same
 * statement and the same rule on who sees what: drafts only for staff and
 * the pact's contacts, 404 for anyone else). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/req.h"
#include "pacts/pacts.h"

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
    decorate(data);
    commitments_fill(json_object_get(data, "commitments"));
}

void pacts_page_pact(struct req *r)
{
    const char *params[] = {req_param(r, "id"), req_viewer(r), req_sql_bool(req_is_staff(r))};
    page_query(r, "pact", &pacts_stmt_get, 3, params, pact_fill);
}
