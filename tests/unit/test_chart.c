/* test_chart.c — the geometry of an indicator's chart on the pact page
 * (services/pacts/chart.c): scaled into the viewBox, y from the least to
 * the greatest value, x by date, only verified measurements drawn. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pacts/pacts.h"
#include "unit.h"

static json_t *chart_of(const char *indicator)
{
    json_t *ind = json_loads(indicator, 0, NULL);
    CHECK(ind != NULL);
    json_t *c = pacts_chart(ind);
    json_decref(ind);
    return c;
}

static long num(const json_t *o, const char *path1, const char *path2)
{
    const json_t *v = json_object_get(o, path1);
    if (path2 != NULL)
        v = json_object_get(v, path2);
    return (long)json_integer_value(v);
}

void test_chart(void)
{
    /* up: 0 → 10 over a year; verified 4 halfway, 6 later; a submitted 9 not drawn */
    json_t *c = chart_of("{\"baseline\": {\"value\": 0, \"date\": \"2026-01-01\"},"
                         " \"target\": {\"value\": 10, \"date\": \"2027-01-01\"},"
                         " \"measurements\": ["
                         "  {\"value\": 4, \"as_of\": \"2026-07-02\", \"status\": \"verified\"},"
                         "  {\"value\": 9, \"as_of\": \"2026-08-01\", \"status\": \"submitted\"},"
                         "  {\"value\": 6, \"as_of\": \"2026-10-01\", \"status\": \"verified\"}]}");
    CHECK(c != NULL);
    CHECK(num(c, "w", NULL) == CHART_W && num(c, "h", NULL) == CHART_H);
    long left = num(c, "left", NULL), right = num(c, "right", NULL);
    long top = num(c, "top", NULL), bottom = num(c, "bottom", NULL);
    CHECK(0 < left && left < right && right <= CHART_W && 0 < top && top < bottom &&
          bottom <= CHART_H);
    /* baseline at the bottom left, target at the top right */
    CHECK(num(c, "base", "x") == left && num(c, "base", "y") == bottom);
    CHECK(num(c, "goal", "x") == right && num(c, "goal", "y") == top);
    CHECK(json_array_size(json_object_get(c, "dots")) == 2);
    json_t *d0 = json_array_get(json_object_get(c, "dots"), 0);
    long mid = (left + right) / 2;
    CHECK(labs(num(d0, "x", NULL) - mid) <= 1);
    CHECK(labs(num(d0, "y", NULL) - (bottom - (bottom - top) * 4 / 10)) <= 1);
    char want[80];
    snprintf(want, sizeof want, "%ld,%ld %ld,%ld %ld,%ld", left, bottom, num(d0, "x", NULL),
             num(d0, "y", NULL), num(json_array_get(json_object_get(c, "dots"), 1), "x", NULL),
             num(json_array_get(json_object_get(c, "dots"), 1), "y", NULL));
    CHECK_STR(json_string_value(json_object_get(c, "points")), want);
    CHECK(json_integer_value(json_object_get(c, "y_min")) == 0);
    CHECK(json_integer_value(json_object_get(c, "y_max")) == 10);
    CHECK_STR(json_string_value(json_object_get(c, "x_min")), "2026-01-01");
    CHECK_STR(json_string_value(json_object_get(c, "x_max")), "2027-01-01");
    json_decref(c);

    /* down: 100 → 40; a value above the baseline and one dated after the
     * target widen the scale; the public read has no status member */
    c = chart_of("{\"baseline\": {\"value\": 100, \"date\": \"2026-01-01\"},"
                 " \"target\": {\"value\": 40.5, \"date\": \"2026-12-31\"},"
                 " \"measurements\": [{\"value\": 120, \"as_of\": \"2026-03-01\"},"
                 "  {\"value\": 70, \"as_of\": \"2027-06-30\"}]}");
    CHECK(c != NULL);
    CHECK(num(c, "base", "x") == num(c, "left", NULL));
    CHECK(num(c, "base", "y") > num(c, "top", NULL));
    CHECK(num(c, "goal", "x") < num(c, "right", NULL));
    CHECK(num(c, "goal", "y") == num(c, "bottom", NULL));
    json_t *dots = json_object_get(c, "dots");
    CHECK(json_array_size(dots) == 2);
    CHECK(num(json_array_get(dots, 0), "y", NULL) == num(c, "top", NULL));
    CHECK(num(json_array_get(dots, 1), "x", NULL) == num(c, "right", NULL));
    CHECK(json_real_value(json_object_get(c, "y_min")) == 40.5);
    CHECK(json_integer_value(json_object_get(c, "y_max")) == 120);
    CHECK_STR(json_string_value(json_object_get(c, "x_max")), "2027-06-30");
    json_decref(c);

    /* no verified measurement: the points are the baseline alone */
    c = chart_of("{\"baseline\": {\"value\": 0, \"date\": \"2026-01-01\"},"
                 " \"target\": {\"value\": 1, \"date\": \"2026-02-01\"}, \"measurements\": []}");
    CHECK(c != NULL && json_array_size(json_object_get(c, "dots")) == 0);
    CHECK(c != NULL && strchr(json_string_value(json_object_get(c, "points")), ' ') == NULL);
    json_decref(c);

    /* nothing to scale by */
    CHECK(chart_of("{\"baseline\": {\"value\": 0, \"date\": \"2026-13-01\"},"
                   " \"target\": {\"value\": 1, \"date\": \"2026-02-01\"}}") == NULL);
    CHECK(chart_of("{\"target\": {\"value\": 1, \"date\": \"2026-02-01\"}}") == NULL);
}
