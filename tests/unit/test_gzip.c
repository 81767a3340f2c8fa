/* test_gzip.c — Accept-Encoding with q-values, the compressible types, the
 * per-encoding ETag, and a round trip through zlib's own inflate. */
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "core/gzip.h"
#include "unit.h"

static bool accepts(const char *ae)
{
    int g = -1, s = -1;
    gzip_scan(ae, &g, &s);
    return gzip_accepted_q(g, s);
}

/* zlib's inflate of a gzip stream, into out (size n); the length or -1. */
static long inflated(const unsigned char *z, size_t zlen, unsigned char *out, size_t n)
{
    z_stream s = {0};
    if (inflateInit2(&s, 15 + 16) != Z_OK)
        return -1;
    s.next_in = (Bytef *)z;
    s.avail_in = (uInt)zlen;
    s.next_out = out;
    s.avail_out = (uInt)n;
    int rc = inflate(&s, Z_FINISH);
    long len = rc == Z_STREAM_END && s.avail_in == 0 ? (long)s.total_out : -1;
    inflateEnd(&s);
    return len;
}

void test_gzip(void)
{
    /* named, in any case, with or without q */
    CHECK(accepts("gzip"));
    CHECK(accepts("GZip"));
    CHECK(accepts("x-gzip"));
    CHECK(accepts("gzip, deflate, br"));
    CHECK(accepts("br;q=1.0, gzip;q=0.8, *;q=0.1"));
    CHECK(accepts("deflate , gzip ; q = 0.5"));
    CHECK(accepts("gzip;q=0.001"));
    CHECK(accepts("gzip;level=1;q=1"));
    /* q=0, however spelled, is a refusal, also when "*" says yes */
    CHECK(!accepts("gzip;q=0"));
    CHECK(!accepts("gzip;Q=0.000"));
    CHECK(!accepts("*, gzip;q=0"));
    CHECK(!accepts("gzip;q=0, *"));
    /* "*" stands for gzip when gzip is not named */
    CHECK(accepts("*"));
    CHECK(accepts("identity, *;q=0.5"));
    CHECK(!accepts("*;q=0"));
    CHECK(!accepts("identity;q=1, *;q=0"));
    /* no header, an empty one, others only: plain */
    CHECK(!accepts(NULL));
    CHECK(!accepts(""));
    CHECK(!accepts(" , ,"));
    CHECK(!accepts("identity"));
    CHECK(!accepts("deflate, br"));
    CHECK(!accepts("gzipx, xgzip, gzip-x"));
    /* a malformed q is no */
    CHECK(!accepts("gzip;q=2"));
    CHECK(!accepts("gzip;q=1.5"));
    CHECK(!accepts("gzip;q=0.1234"));
    CHECK(!accepts("gzip;q=abc"));
    CHECK(!accepts("gzip;q="));
    /* several lines: read in turn into the same two */
    int g = -1, s = -1;
    gzip_scan("identity", &g, &s);
    gzip_scan("gzip;q=0.3", &g, &s);
    CHECK(g == 300 && s == -1 && gzip_accepted_q(g, s));
    g = s = -1;
    gzip_scan("*", &g, &s);
    gzip_scan("gzip;q=0", &g, &s);
    CHECK(g == 0 && s == 1000 && !gzip_accepted_q(g, s));

    CHECK(gzip_type_compressible("text/html; charset=utf-8"));
    CHECK(gzip_type_compressible("text/css; charset=utf-8"));
    CHECK(gzip_type_compressible("text/javascript; charset=utf-8"));
    CHECK(gzip_type_compressible("text/calendar; charset=utf-8"));
    CHECK(gzip_type_compressible("text/csv; charset=utf-8"));
    CHECK(gzip_type_compressible("Application/JSON"));
    CHECK(gzip_type_compressible("application/problem+json"));
    CHECK(gzip_type_compressible("image/svg+xml"));
    CHECK(gzip_type_compressible("application/atom+xml; charset=utf-8"));
    CHECK(gzip_type_compressible("application/javascript"));
    CHECK(!gzip_type_compressible("image/png"));
    CHECK(!gzip_type_compressible("application/octet-stream"));
    CHECK(!gzip_type_compressible("application/jsonx"));
    CHECK(!gzip_type_compressible(NULL));

    char tag[32];
    CHECK(gzip_etag("\"abc\"", tag, sizeof tag));
    CHECK_STR(tag, "\"abc-gzip\"");
    CHECK(gzip_etag("W/\"v1\"", tag, sizeof tag));
    CHECK_STR(tag, "W/\"v1-gzip\"");
    CHECK(!gzip_etag("abc", tag, sizeof tag));
    CHECK(!gzip_etag("\"", tag, sizeof tag));
    CHECK(!gzip_etag("W/", tag, sizeof tag));
    CHECK(!gzip_etag("\"0123456789012345678901234567\"", tag, sizeof tag));

    /* a round trip: text, and bytes zlib cannot shrink */
    enum { N = 200000 };
    unsigned char *plain = malloc(N), *back = malloc(N + 1);
    CHECK(plain != NULL && back != NULL);
    if (plain == NULL || back == NULL) {
        free(plain);
        free(back);
        return;
    }
    for (size_t i = 0; i < N; i++)
        plain[i] = (unsigned char)"{\"sesion\":\"Mesa de diálogo\",\"id\":12},"[i % 38];
    size_t zlen = 0;
    unsigned char *z = gzip_compress(plain, N, &zlen);
    CHECK(z != NULL && zlen > 18 && zlen < N / 10);
    CHECK(z != NULL && z[0] == 0x1f && z[1] == 0x8b); /* the gzip magic */
    CHECK(z != NULL && inflated(z, zlen, back, N + 1) == N && memcmp(back, plain, N) == 0);
    free(z);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < N; i++) { /* xorshift: incompressible */
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        plain[i] = (unsigned char)x;
    }
    z = gzip_compress(plain, N, &zlen);
    CHECK(z != NULL && inflated(z, zlen, back, N + 1) == N && memcmp(back, plain, N) == 0);
    free(z);
    z = gzip_compress("", 0, &zlen);
    CHECK(z != NULL && inflated(z, zlen, back, N + 1) == 0);
    free(z);
    free(plain);
    free(back);
}
