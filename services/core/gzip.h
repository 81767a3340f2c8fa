/* gzip.h — compressed answers (RFC 9110 §8.4, §12.5.3): which clients take
 * gzip (Accept-Encoding with q-values), which answers are worth it (text
 * over GZIP_MIN bytes), the compression itself (zlib, gzip wrapper), the
 * per-encoding ETag, and the counters /metrics shows.
 *
 * Who compresses what:
 * - req.c's finish() compresses any compressible answer over GZIP_MIN
 *   that has no Content-Encoding yet (pages, the JSON API, CSV...), per
 *   request; an ETag it finds becomes the gzip one. Never a page holding
 *   a CSRF token (BREACH: README "Compression").
 * - Cached bytes (core/etag_cache.h: schedule, dashboard; core/assets.c)
 *   are compressed once, kept beside the plain bytes, and answered with
 *   Content-Encoding already set, so finish() leaves them alone. They pick
 *   the representation with gzip_choose() before comparing If-None-Match,
 *   so a 304 answers the tag of the encoding the client would get. */
#ifndef GESS_GZIP_H
#define GESS_GZIP_H

#include <stdbool.h>
#include <stddef.h>

struct req;
struct evbuffer;

/* Answers shorter than this go as they are: under a kilobyte the headers
 * and the CPU cost more than the bytes saved. */
#define GZIP_MIN 1024

/* zlib level: 1 (fastest). Measured on the 1 MB dashboard and the
 * programme page (README "Compression"): level 6 makes them a few percent
 * smaller at several times the CPU. */
#define GZIP_LEVEL 1

/* One Accept-Encoding value read into *gzip_q and *star_q (thousandths,
 * 0..1000): each is set only when the value names that coding ("gzip" or
 * "x-gzip"; "*"), so several header lines can be read in turn into the
 * same two, which start at -1 (not named). A malformed q counts as 0; a
 * coding named twice keeps the lower q (a refusal is never overruled). */
void gzip_scan(const char *accept_encoding, int *gzip_q, int *star_q);

/* Whether values with these q's accept gzip: gzip named with q > 0, or
 * not named and "*" with q > 0. Neither named (or no header): no, since
 * an old client that sends no Accept-Encoding may not understand gzip. */
bool gzip_accepted_q(int gzip_q, int star_q);

/* Whether the client of r accepts gzip, over all its Accept-Encoding lines. */
bool gzip_accepted(const struct req *r);

/* Whether answers of this Content-Type are text worth compressing:
 * text/ *, application/json, application/problem+json and other +json,
 * +xml (SVG, Atom), javascript. NULL: no. */
bool gzip_type_compressible(const char *content_type);

/* The representation r gets for a body of this type and length: true for
 * gzip. Adds "Vary: Accept-Encoding" to r whenever the type is
 * compressible, whatever the answer (a 304 too). */
bool gzip_choose(struct req *r, const char *content_type, size_t len);

/* data compressed with GZIP_LEVEL in a gzip wrapper, malloc'd (the caller
 * frees it), its length in *out_len; NULL when zlib or memory fails. */
unsigned char *gzip_compress(const void *data, size_t len, size_t *out_len)
    __attribute__((warn_unused_result));

/* The gzip form of an entity tag: "abc" → "abc-gzip", W/"abc" →
 * W/"abc-gzip". False (out untouched) when etag is not a quoted tag or
 * out is too small. */
bool gzip_etag(const char *etag, char *out, size_t size) __attribute__((warn_unused_result));

/* Counts one answer sent gzipped: its plain and compressed sizes. */
void gzip_count(size_t plain, size_t compressed);

/* The counters, as Prometheus text. */
void gzip_metrics_render(struct evbuffer *out);

#endif
