/* stats_chart.c — a bar chart of the registration statistics (GET
 * /v1/editions/{slug}/stats) as geometry for the organizers' page: one
 * horizontal bar per code, scaled to the greatest count in a fixed
 * viewBox, so web/pages/manage_registrations.html only draws rectangles
 * with numbers in attributes (no raw output, no style=; the same counts
 * stand beside it as a table for screen readers). */
#include <stdio.h>
#include <string.h>

#include "core/page.h"
#include "core/req.h"
#include "registration/registration.h"

enum { CHART_W = 600, LABEL_W = 200, BAR_H = 24, GAP = 8, MAX_BARS = 64 };

json_t *registration_stats_chart(struct req *r, const json_t *counts, const char *prefix)
{
    json_t *bars = json_array();
    json_int_t most = 0;
    const char *code;
    json_t *n;
    json_object_foreach((json_t *)counts, code, n) {
        if (json_integer_value(n) > most)
            most = json_integer_value(n);
    }
    int i = 0;
    json_object_foreach((json_t *)counts, code, n) {
        if (i == MAX_BARS)
            break;
        json_int_t v = json_integer_value(n);
        char key[96];
        snprintf(key, sizeof key, "%s.%s", prefix, code);
        const char *label = page_string(r, key);
        if (strcmp(label, key) == 0)
            label = code;
        int width = most > 0 ? (int)((double)v * (CHART_W - LABEL_W - 48) / (double)most) : 0;
        int y = i * (BAR_H + GAP);
        json_array_append_new(bars,
                              json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:i}", "label", label,
                                        "count", v, "x", LABEL_W, "y", y, "width", width, "text_y",
                                        y + BAR_H * 2 / 3, "count_x", LABEL_W + width + 6));
        i++;
    }
    return json_pack("{s:i, s:i, s:i, s:o, s:b}", "w", CHART_W, "h",
                     i > 0 ? i * (BAR_H + GAP) - GAP : BAR_H, "bar_h", BAR_H, "bars", bars, "any",
                     i > 0);
}
