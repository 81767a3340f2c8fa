/* fuzz_gzip.c — the Accept-Encoding parser (core/gzip.c) on a fuzzed
 * header value.
 *
 * Checked against the code: q-values stay within -1..1000, and reading
 * the same value twice into the same two (two header lines) changes
 * nothing.
 * Checked against RFC 9110 §12.5.3, written apart from gzip.c: whatever
 * the fuzzed value says, ", gzip;q=0" after it refuses gzip (unless a
 * comma-holding quoted string is open), and ", gzip" after it accepts
 * gzip unless the value refused it (a refusal is never overruled); a value without the letters of
 * "gzip" or a "*" never sets the gzip q. And the compressor: the input, deflated, inflates back to
 * itself. */
#include <stdbool.h>
#include <string.h>
#include <zlib.h>

#include "core/gzip.h"
#include "fuzz.h"

static bool accepts(const char *ae)
{
    int g = -1, s = -1;
    gzip_scan(ae, &g, &s);
    FUZZ_CHECK(g >= -1 && g <= 1000 && s >= -1 && s <= 1000, "q-value out of range");
    return gzip_accepted_q(g, s);
}

static void check_round_trip(const uint8_t *data, size_t size)
{
    size_t zlen = 0;
    unsigned char *z = gzip_compress(data, size, &zlen);
    FUZZ_CHECK(z != NULL, "gzip_compress failed");
    unsigned char *back = malloc(size + 1);
    if (back == NULL)
        abort();
    z_stream s;
    memset(&s, 0, sizeof s);
    FUZZ_CHECK(inflateInit2(&s, 15 + 16) == Z_OK, "inflateInit2");
    s.next_in = z;
    s.avail_in = (uInt)zlen;
    s.next_out = back;
    s.avail_out = (uInt)(size + 1);
    FUZZ_CHECK(inflate(&s, Z_FINISH) == Z_STREAM_END, "not one whole gzip stream");
    FUZZ_CHECK(s.total_out == size && memcmp(back, data, size) == 0, "not the same bytes");
    inflateEnd(&s);
    free(back);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    check_round_trip(data, size);
    char *ae = malloc(size + 32);
    if (ae == NULL)
        return 0;
    memcpy(ae, data, size);
    ae[size] = '\0';
    size_t n = strlen(ae);

    int g = -1, s = -1;
    gzip_scan(ae, &g, &s);
    FUZZ_CHECK(g >= -1 && g <= 1000 && s >= -1 && s <= 1000, "q-value out of range");
    int g2 = g, s2 = s;
    gzip_scan(ae, &g2, &s2);
    FUZZ_CHECK(g2 == g && s2 == s, "the same line read twice changed a q-value");

    bool has_letters = false;
    for (size_t i = 0; i < n; i++)
        if (strchr("gGzZiIpP*", ae[i]) != NULL)
            has_letters = true;
    if (!has_letters)
        FUZZ_CHECK(g == -1 && s == -1, "a value naming no coding set a q-value");

    if (memchr(ae, '"', n) == NULL) {
        memcpy(ae + n, ", gzip;q=0", 11);
        FUZZ_CHECK(!accepts(ae), "gzip;q=0 at the end did not refuse gzip");
        ae[n] = '\0';
        bool refused = g == 0; /* the value itself said q=0 for gzip */
        memcpy(ae + n, ", gzip", 7);
        FUZZ_CHECK(accepts(ae) == !refused, "gzip at the end was not accepted");
    }
    free(ae);
    return 0;
}
