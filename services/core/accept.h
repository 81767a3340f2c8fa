/* accept.h — content negotiation on the Accept header (RFC 9110 §12.5.1),
 * with q-values: a route offers a few media types, the client's ranges
 * weigh them, the heaviest acceptable one is answered, and none at all is
 * 406 (DESIGN.md §5). */
#ifndef GESS_ACCEPT_H
#define GESS_ACCEPT_H

#include <stdbool.h>
#include <stddef.h>

/* The media types a route can answer with, as bits of route.produces. */
enum out_type {
    OUT_JSON = 1,
    OUT_CSV = 2,
    OUT_ICS = 4,
    OUT_TEXT = 8,
    OUT_ATOM = 16,
    /* a page (core/page.h): answered whatever Accept says, since a
     * browser's Accept is not negotiated into a 406; the asset routes
     * (core/assets.c) are such routes too */
    OUT_HTML = 32,
};
#define OUT_LAST OUT_HTML

/* "application/json", "text/csv", "text/calendar", "text/plain",
 * "application/atom+xml", "text/html". */
const char *accept_media_type(enum out_type t);

/* The ?format= name of a type: "json", "csv", "ics", "text", "atom",
 * "html". */
const char *accept_format_name(enum out_type t);

/* A qvalue of n bytes in thousandths, as RFC 9110 §12.4.2 writes it: 0,
 * 0.d{0,3}, 1 or 1.0{0,3}; also .d{1,3}, which Java's HttpURLConnection
 * sends by default ("*; q=.2"); -1 when it is something else. Accept and
 * Accept-Encoding (core/gzip.c) read q the same way. */
int accept_qvalue(const char *s, size_t n);

/* The q-value (0..1000, thousandths) that the Accept header gives the
 * media type type/subtype: that of its most specific matching range
 * (type/subtype over type/ * over * / *), 0 when none matches. A missing
 * or blank header accepts everything at 1000. */
int accept_quality(const char *accept, const char *media_type);

/* Of the types in offered (bits), the one to answer with: the highest q;
 * on equal q the lowest bit, so JSON wins. 0 when none is acceptable. */
enum out_type accept_choose(const char *accept, unsigned offered);

/* Whether a client would rather read HTML than JSON: text/html weighs
 * more than application/json in its Accept (a browser's does; a wildcard
 * range, a missing header or an API client's does not: on equal q JSON
 * wins). */
bool accept_prefers_html(const char *accept);

#endif
