/* fuzz_accept.c — Accept negotiation (core/accept.c) on a fuzzed header,
 * for every set of media types a route can offer.
 *
 * Checked against the code itself: q-values stay within 0..1000;
 * accept_choose answers a type the route offers, one with the highest q
 * of those offered (the lowest bit on a tie, so JSON wins), and 0 only
 * when every offered type has q 0.
 *
 * Checked against RFC 9110 §12.5.1, written apart from accept.c: a type
 * listed with q=0 after whatever the fuzzed header says (with no quoted
 * string that could swallow it) is never chosen; "* / *" alone gives every
 * type q 1000; and on a header built from the input out of the four exact
 * types, "text/ *", "application/ *" and "* / *", each at most once, in any
 * order, case and q spelling, each type's q is that of its exact range if
 * listed, else its type/ * range, else * / *, else 0 — an exact type beats
 * its range — and the choice follows from those. */
#include <stdbool.h>
#include <string.h>

#include "core/accept.h"
#include "fuzz.h"

static const unsigned bits[] = {OUT_JSON, OUT_CSV, OUT_ICS, OUT_TEXT};

/* The type the RFC says to answer with, given each bit's q. */
static unsigned expect_choice(const int q[OUT_TEXT + 1], unsigned offered)
{
    unsigned best_bit = 0;
    int best = 0;
    for (unsigned bit = 1; bit <= OUT_TEXT; bit <<= 1)
        if ((offered & bit) && q[bit] > best) {
            best = q[bit];
            best_bit = bit;
        }
    return best_bit;
}

/* The q-value q (0..1000) as a qvalue, in one of the spellings RFC 9110
 * §12.4.2 allows ("1", "1.0", "0.5", "0.500", ...), chosen by style. */
static void qvalue(char *out, int q, unsigned style)
{
    if (q == 1000) {
        static const char *const one[] = {"1", "1.", "1.0", "1.000"};
        strcpy(out, one[style % 4]);
        return;
    }
    char d[4] = {(char)('0' + q / 100), (char)('0' + q / 10 % 10), (char)('0' + q % 10), 0};
    if (style % 2 == 0) /* shortest: trailing zeros dropped */
        for (int i = 2; i > 0 && d[i] == '0'; i--)
            d[i] = '\0';
    if (q == 0 && style % 3 == 0)
        strcpy(out, "0");
    else
        sprintf(out, "0.%s", d);
}

static void check_built(const uint8_t *g)
{
    static const char *const ranges[] = {
        "application/json", "text/csv", "text/calendar", "text/plain", "text/*",
        "application/*",    "*/*"};
    enum { NR = 7 };
    bool present[NR];
    int rq[NR];
    unsigned order[NR];
    for (unsigned r = 0; r < NR; r++) {
        present[r] = g[2 * r] & 0x80;
        rq[r] = ((g[2 * r] & 0x03) << 8 | g[2 * r + 1]) % 1001;
        order[r] = r;
    }
    /* an order the input chose: a few swaps */
    for (unsigned r = 0; r < NR; r++) {
        unsigned k = (g[14] >> (r % 8) ^ g[15] >> (r % 5)) % NR, t = order[r];
        order[r] = order[k];
        order[k] = t;
    }
    char header[512] = "";
    size_t len = 0;
    bool any = false;
    for (unsigned i = 0; i < NR; i++) {
        unsigned r = order[i];
        if (!present[r])
            continue;
        unsigned style = g[2 * r] >> 2;
        char media[32], qv[8];
        strcpy(media, ranges[r]);
        if (style & 1) /* media types are case-insensitive */
            for (char *c = media; *c; c++)
                if (*c >= 'a' && *c <= 'z')
                    *c = (char)(*c - 'a' + 'A');
        qvalue(qv, rq[r], style >> 2);
        if (rq[r] == 1000 && (style & 2))
            len += (size_t)sprintf(header + len, "%s%s", any ? ", " : "", media);
        else
            len +=
                (size_t)sprintf(header + len, "%s%s;%sq=%s", any ? (style & 4 ? "," : " , ") : "",
                                media, style & 8 ? " " : "", qv);
        any = true;
    }
    int q[OUT_TEXT + 1] = {0};
    for (unsigned i = 0; i < 4; i++) {
        unsigned range = i == 0 ? 5 : 4; /* application/ * or text/ * */
        int want = !any             ? 1000
                   : present[i]     ? rq[i]
                   : present[range] ? rq[range]
                   : present[6]     ? rq[6]
                                    : 0;
        q[bits[i]] = accept_quality(header, accept_media_type(bits[i]));
        FUZZ_CHECK(q[bits[i]] == want, "q-value is not the most specific range's");
        if (present[i] && present[range])
            FUZZ_CHECK(q[bits[i]] == rq[i], "a type/* range beat the exact type");
    }
    for (unsigned offered = 1; offered < 2 * OUT_TEXT; offered++)
        FUZZ_CHECK((unsigned)accept_choose(header, offered) == expect_choice(q, offered),
                   "accept_choose is not the heaviest offered type");
}

static void check_star(void)
{
    static const char *const stars[] = {"*/*", " */* ", "*/*;q=1", "*/*; q=1.000", ",*/*,"};
    for (size_t i = 0; i < sizeof stars / sizeof stars[0]; i++) {
        for (unsigned k = 0; k < 4; k++)
            FUZZ_CHECK(accept_quality(stars[i], accept_media_type(bits[k])) == 1000,
                       "*/* alone does not give q 1000");
        for (unsigned offered = 1; offered < 2 * OUT_TEXT; offered++)
            FUZZ_CHECK((unsigned)accept_choose(stars[i], offered) == (offered & -offered),
                       "*/* alone does not answer the first offered type");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool star_checked;
    if (!star_checked) {
        check_star();
        star_checked = true;
    }
    if (size >= 16)
        check_built(data);

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
        FUZZ_CHECK((unsigned)t == expect_choice(q, offered),
                   "accept_choose disagrees with accept_quality");
    }

    /* whatever came before, "type;q=0" after it is a no for that type
     * (unless a quoted string, which RFC 9110 lets hold a comma, is open) */
    if (memchr(accept, '"', strlen(accept)) == NULL) {
        size_t n = strlen(accept);
        char *no = malloc(n + 32);
        if (no == NULL)
            abort();
        for (unsigned k = 0; k < 4; k++) {
            sprintf(no, "%s, %s;q=0", accept, accept_media_type(bits[k]));
            FUZZ_CHECK(accept_quality(no, accept_media_type(bits[k])) == 0,
                       "a type listed with q=0 has a q-value");
            for (unsigned offered = 1; offered < 2 * OUT_TEXT; offered++)
                FUZZ_CHECK((unsigned)accept_choose(no, offered) != bits[k],
                           "a type listed with q=0 was chosen");
        }
        free(no);
    }
    free(accept);
    return 0;
}
