/* fuzz_accept.c — Accept negotiation (core/accept.c) on a fuzzed header,
 * for every set of media types a route can offer.
 *
 * Checked: q-values stay within 0..1000; accept_choose answers a type the
 * route offers, one with the highest q of those offered (the lowest bit
 * on a tie, so JSON wins), and 0 only when every offered type has q 0. */
#include <string.h>

#include "core/accept.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *accept = malloc(size + 1);
    if (accept == NULL)
        return 0;
    memcpy(accept, data, size);
    accept[size] = '\0'; /* a header value is a C string; a NUL ends it */
    int q[OUT_TEXT + 1] = {0};
    for (unsigned bit = 1; bit <= OUT_TEXT; bit <<= 1) {
        q[bit] = accept_quality(accept, accept_media_type(bit));
        FUZZ_CHECK(q[bit] >= 0 && q[bit] <= 1000, "q-value out of range");
    }
    for (unsigned offered = 1; offered < 2 * OUT_TEXT; offered++) {
        enum out_type t = accept_choose(accept, offered);
        int best = 0;
        unsigned best_bit = 0;
        for (unsigned bit = 1; bit <= OUT_TEXT; bit <<= 1)
            if ((offered & bit) && q[bit] > best) {
                best = q[bit];
                best_bit = bit;
            }
        FUZZ_CHECK((unsigned)t == best_bit, "accept_choose disagrees with accept_quality");
    }
    free(accept);
    return 0;
}
