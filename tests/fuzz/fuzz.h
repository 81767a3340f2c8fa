/* fuzz.h — what the libFuzzer targets share: the entry point libFuzzer
 * calls, and the check that turns a broken invariant into a finding (an
 * abort, which libFuzzer reports and saves the input of). */
#ifndef GESS_FUZZ_H
#define GESS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts naming the invariant when cond is false. */
#define FUZZ_CHECK(cond, what)                                                                \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", what, __FILE__, __LINE__); \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

#endif
