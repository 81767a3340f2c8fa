/* accept.c — parses Accept without allocating: one pass over the header
 * per offered type, which is a handful of bytes for the few types a route
 * offers. Malformed ranges are skipped rather than refused: a client that
 * writes a bad range among good ones still gets what the good ones ask. */
#include "core/accept.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const struct {
    enum out_type type;
    const char *media, *format;
} types[] = {
    {OUT_JSON, "application/json", "json"},     {OUT_CSV, "text/csv", "csv"},
    {OUT_ICS, "text/calendar", "ics"},          {OUT_TEXT, "text/plain", "text"},
    {OUT_ATOM, "application/atom+xml", "atom"}, {OUT_HTML, "text/html", "html"},
};

const char *accept_media_type(enum out_type t)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].type == t)
            return types[i].media;
    return "application/json";
}

const char *accept_format_name(enum out_type t)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (types[i].type == t)
            return types[i].format;
    return "json";
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

int accept_qvalue(const char *s, size_t n)
{
    if (n >= 2 && n <= 4 && s[0] == '.') {
        int q = 0, scale = 100;
        for (size_t i = 1; i < n; i++, scale /= 10) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            q += (s[i] - '0') * scale;
        }
        return q;
    }
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000;
    if (n == 1)
        return q;
    if (s[1] != '.' || n > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9' || (q == 1000 && s[i] != '0'))
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q;
}

/* How specifically the range [r, r+n) names media: 3 for type/subtype, 2
 * for type/ *, 1 for * / *, 0 for no match. *q gets the range's q-value
 * (1000 without one); a malformed range matches nothing. */
static int range_match(const char *r, size_t n, const char *media, int *q)
{
    size_t mlen = strcspn(r, ";");
    if (mlen > n)
        mlen = n;
    while (mlen > 0 && ows(r[mlen - 1]))
        mlen--;
    const char *slash = memchr(r, '/', mlen);
    bool star = mlen == 1 && r[0] == '*'; /* Java's default "*" means * / * */
    if (!star && (slash == NULL || slash == r || slash == r + mlen - 1))
        return 0;
    *q = 1000;
    /* parameters: only q matters here (accept-ext after it is ignored) */
    for (const char *p = memchr(r, ';', n); p != NULL && p < r + n;) {
        p++;
        while (p < r + n && ows(*p))
            p++;
        const char *end = memchr(p, ';', (size_t)(r + n - p));
        size_t plen = end ? (size_t)(end - p) : (size_t)(r + n - p);
        while (plen > 0 && ows(p[plen - 1]))
            plen--;
        if (plen >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            *q = accept_qvalue(p + 2, plen - 2);
            if (*q < 0)
                return 0;
            break;
        }
        p = end;
    }
    if (star)
        return 1;
    size_t tlen = (size_t)(slash - r), slen = mlen - tlen - 1;
    const char *mslash = strchr(media, '/');
    size_t mtlen = (size_t)(mslash - media);
    if (tlen == 1 && r[0] == '*')
        return slen == 1 && slash[1] == '*' ? 1 : 0;
    if (tlen != mtlen || strncasecmp(r, media, tlen) != 0)
        return 0;
    if (slen == 1 && slash[1] == '*')
        return 2;
    return slen == strlen(mslash + 1) && strncasecmp(slash + 1, mslash + 1, slen) == 0 ? 3 : 0;
}

int accept_quality(const char *accept, const char *media)
{
    if (accept == NULL)
        return 1000;
    const char *p = accept;
    while (ows(*p))
        p++;
    if (*p == '\0')
        return 1000;
    int best = 0, q = 0;
    int best_q = 0;
    for (;;) {
        while (ows(*p) || *p == ',')
            p++;
        if (*p == '\0')
            break;
        size_t n = strcspn(p, ",");
        int spec = range_match(p, n, media, &q);
        /* of two ranges as specific, the more cautious one counts:
         * "text/csv, text/csv;q=0" is a no whatever the order */
        if (spec > best || (spec > 0 && spec == best && q < best_q)) {
            best = spec;
            best_q = q;
        }
        p += n;
    }
    return best_q;
}

enum out_type accept_choose(const char *accept, unsigned offered)
{
    enum out_type chosen = 0;
    int best = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (!(offered & types[i].type))
            continue;
        int q = accept_quality(accept, types[i].media);
        if (q > best) {
            best = q;
            chosen = types[i].type;
        }
    }
    return chosen;
}

bool accept_prefers_html(const char *accept)
{
    return accept_quality(accept, "text/html") > accept_quality(accept, "application/json");
}
