/* selftest_broken.c — a deliberately broken parser, so the fuzz harness
 * shows it can fail: tools/fuzz.sh runs this target as it runs the real
 * ones, on a corpus of its committed crashing input
 * (tests/fuzz/selftest/crash-overread), and requires it reported FAILED
 * with a sanitizer report. It is not code of gessd.
 *
 * The "parser" reads records of a tag byte and a length byte, and trusts
 * the length: a record claiming more bytes than are left reads past the
 * end of its (exactly sized, so ASan sees it) buffer. */
#include <string.h>

#include "fuzz.h"

static unsigned sum_records(const unsigned char *p, size_t n)
{
    unsigned sum = 0;
    size_t i = 0;
    while (i + 2 <= n) {
        size_t len = p[i + 1];
        for (size_t k = 0; k < len; k++)
            sum += p[i + 2 + k]; /* BUG on purpose: len is never checked against n */
        i += 2 + len;
    }
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    volatile unsigned sum = sum_records(copy, size);
    (void)sum;
    free(copy);
    return 0;
}
