/* dates.c — edition date spans in Spanish and English, written here rather
 * than with strftime so the output does not hang on the process locale. */
#include "mail/dates.h"

#include <stdio.h>
#include <string.h>

#include "core/valid.h"

#define DASH "\xE2\x80\x93" /* U+2013, the en dash of a range */

static const char *const months_es[] = {"enero",      "febrero", "marzo",     "abril",
                                        "mayo",       "junio",   "julio",     "agosto",
                                        "septiembre", "octubre", "noviembre", "diciembre"};
static const char *const months_en[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};

struct ymd {
    int y, m, d;
};

static bool parse(const char *s, struct ymd *out)
{
    if (s == NULL || !valid_date_text(s))
        return false;
    return sscanf(s, "%4d-%2d-%2d", &out->y, &out->m, &out->d) == 3 && out->m >= 1 && out->m <= 12;
}

bool mail_dates_span(const char *lang, const char *starts_on, const char *ends_on, char *out,
                     size_t outlen)
{
    struct ymd a, b;
    if (outlen == 0 || !parse(starts_on, &a) || !parse(ends_on, &b) ||
        strcmp(ends_on, starts_on) < 0)
        return false;
    bool en = lang != NULL && strcmp(lang, "en") == 0;
    const char *ma = en ? months_en[a.m - 1] : months_es[a.m - 1];
    const char *mb = en ? months_en[b.m - 1] : months_es[b.m - 1];
    const char *de = en ? " " : " de ";
    int n;
    if (a.y == b.y && a.m == b.m && a.d == b.d)
        n = snprintf(out, outlen, "%d%s%s%s%d", a.d, de, ma, de, a.y);
    else if (a.y == b.y && a.m == b.m)
        n = snprintf(out, outlen, "%d" DASH "%d%s%s%s%d", a.d, b.d, de, ma, de, a.y);
    else if (a.y == b.y)
        n = snprintf(out, outlen, "%d%s%s " DASH " %d%s%s%s%d", a.d, de, ma, b.d, de, mb, de, a.y);
    else
        n = snprintf(out, outlen, "%d%s%s%s%d " DASH " %d%s%s%s%d", a.d, de, ma, de, a.y, b.d, de,
                     mb, de, b.y);
    if (n < 0 || (size_t)n >= outlen) {
        out[0] = '\0';
        return false;
    }
    return true;
}
