/* chart.c — the geometry of an indicator's chart on the pact page: its
 * baseline, target and verified measurements scaled into a fixed viewBox
 * (CHART_W × CHART_H), so the template only draws lines and points with
 * numbers in attributes (web/pages/pact.html; no raw output).
 *
 * y runs from the least to the greatest of baseline, target and the
 * measurements (with a little room above and below; SVG's y grows down);
 * x by date from the baseline's date to the target's, widened to take in
 * a measurement dated outside them (a late one). Coordinates are whole
 * numbers: at 600 × 200 a tenth of a unit is invisible, and integers print
 * the same whatever the locale or the JSON writer's precision. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pacts/pacts.h"

enum { PAD_LEFT = 64, PAD_RIGHT = 16, PAD_TOP = 16, PAD_BOTTOM = 32, MAX_POINTS = 400 };

/* A value as a label: whole numbers without a fraction (10, not 10.0). */
static json_t *number(double v)
{
    if (fabs(v) < 1e15 && v == floor(v))
        return json_integer((json_int_t)v);
    return json_real(round(v * 10000) / 10000);
}

/* The value and day of a {value, date} (or {value, as_of}) object. */
static bool point_of(const json_t *o, const char *date_key, double *v, long *day)
{
    json_t *val = json_object_get(o, "value");
    if (!json_is_number(val) ||
        !valid_date_days(json_string_value(json_object_get(o, date_key)), day))
        return false;
    *v = json_number_value(val);
    return isfinite(*v);
}

struct scale {
    double vmin, vmax;
    long dmin, dmax;
};

static long sx(const struct scale *s, long day)
{
    double w = CHART_W - PAD_LEFT - PAD_RIGHT;
    double span = s->dmax > s->dmin ? (double)(s->dmax - s->dmin) : 1;
    return lround(PAD_LEFT + w * (double)(day - s->dmin) / span);
}

static long sy(const struct scale *s, double v)
{
    double h = CHART_H - PAD_TOP - PAD_BOTTOM;
    double span = s->vmax > s->vmin ? s->vmax - s->vmin : 1;
    return lround(PAD_TOP + h * (1 - (v - s->vmin) / span));
}

static json_t *xy(const struct scale *s, long day, double v)
{
    return json_pack("{s:I, s:I}", "x", (json_int_t)sx(s, day), "y", (json_int_t)sy(s, v));
}

json_t *pacts_chart(const json_t *indicator)
{
    double bv, tv;
    long bd, td;
    if (!point_of(json_object_get(indicator, "baseline"), "date", &bv, &bd) ||
        !point_of(json_object_get(indicator, "target"), "date", &tv, &td))
        return NULL;
    struct scale s = {fmin(bv, tv), fmax(bv, tv), bd < td ? bd : td, bd < td ? td : bd};
    json_t *ms = json_object_get(indicator, "measurements");
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m) {
        double v;
        long d;
        const char *st = json_string_value(json_object_get(m, "status"));
        if ((st != NULL && strcmp(st, "verified") != 0) || !point_of(m, "as_of", &v, &d))
            continue;
        s.vmin = fmin(s.vmin, v);
        s.vmax = fmax(s.vmax, v);
        s.dmin = d < s.dmin ? d : s.dmin;
        s.dmax = d > s.dmax ? d : s.dmax;
    }
    json_t *out =
        json_pack("{s:i, s:i, s:o, s:o, s:i, s:i, s:i, s:i}", "w", CHART_W, "h", CHART_H, "base",
                  xy(&s, bd, bv), "goal", xy(&s, td, tv), "left", PAD_LEFT, "right",
                  CHART_W - PAD_RIGHT, "top", PAD_TOP, "bottom", CHART_H - PAD_BOTTOM);
    json_t *dots = json_array();
    /* the path of what was verified starts at the baseline */
    size_t cap = 32, len = 0;
    char *points = malloc(cap);
    if (out == NULL || dots == NULL || points == NULL)
        goto fail;
    len = (size_t)snprintf(points, cap, "%ld,%ld", sx(&s, bd), sy(&s, bv));
    json_array_foreach(ms, i, m) {
        double v;
        long d;
        const char *st = json_string_value(json_object_get(m, "status"));
        if ((st != NULL && strcmp(st, "verified") != 0) || !point_of(m, "as_of", &v, &d))
            continue;
        if (json_array_size(dots) >= MAX_POINTS)
            break;
        char one[48];
        int n = snprintf(one, sizeof one, " %ld,%ld", sx(&s, d), sy(&s, v));
        if (len + (size_t)n + 1 > cap) {
            char *bigger = realloc(points, cap = 2 * cap + (size_t)n);
            if (bigger == NULL)
                goto fail;
            points = bigger;
        }
        memcpy(points + len, one, (size_t)n + 1);
        len += (size_t)n;
        json_t *dot = xy(&s, d, v);
        if (dot == NULL || json_array_append_new(dots, dot) != 0)
            goto fail;
    }
    int bad = json_object_set_new(out, "dots", dots);
    dots = NULL; /* set_new took it, whatever it answered */
    /* the axis: the values at the bottom and top, the first and last days */
    char first[16], last[16];
    valid_days_date(s.dmin, first);
    valid_days_date(s.dmax, last);
    bad |= json_object_set_new(out, "points", json_string(points));
    bad |= json_object_set_new(out, "y_min", number(s.vmin));
    bad |= json_object_set_new(out, "y_max", number(s.vmax));
    bad |= json_object_set_new(out, "x_min", json_string(first));
    bad |= json_object_set_new(out, "x_max", json_string(last));
    if (bad)
        goto fail;
    free(points);
    return out;
fail:
    free(points);
    json_decref(dots);
    json_decref(out);
    return NULL;
}
