/* fuzz_head.c — the raw-head scan of core/head.c, which conn.c runs on
 * bytes as they arrive, in whatever pieces the kernel hands over.
 *
 * Input: two bytes choose the limits (max_uri_bytes 256..1276 and
 * max_header_bytes 1024..3064, small enough to be reached), two seed the
 * chunk sizes, one bounds them; the rest is the head. The head is scanned
 * once whole and once in fuzzer-chosen chunks, stopping at the first
 * verdict as conn.c does. Checked: the verdict, its reason, where it came
 * and the state left behind do not depend on the chunking; and each
 * verdict is what its last byte says (an end on LF, a NUL/fold refusal on
 * NUL, SP or HT, a size refusal just past the limit). And the verdict, its
 * reason and its position are those of model() below, a reading of head.h
 * written apart from head.c: a refusal head.c forgets (a NUL, an obs-fold
 * line, a limit) is a mismatch, not a silent pass. */
#include <string.h>

#include "core/head.h"
#include "fuzz.h"

struct outcome {
    enum head_verdict verdict;
    enum head_why why;
    size_t consumed; /* bytes scanned up to and including the verdict's */
    struct head_state st;
};

static struct outcome scan(const uint8_t *p, size_t n, size_t max_hdr, size_t max_uri,
                           unsigned seed, size_t max_chunk)
{
    struct outcome o = {HEAD_MORE, HEAD_N, 0, {0}};
    head_start(&o.st, max_hdr, max_uri);
    size_t pos = 0;
    while (pos < n) {
        size_t k = n - pos;
        if (max_chunk > 0) {
            seed ^= seed << 13; /* xorshift32: chunk sizes the input chose */
            seed ^= seed >> 17;
            seed ^= seed << 5;
            size_t c = 1 + seed % max_chunk;
            k = c < k ? c : k;
        }
        size_t before = o.st.head_len;
        o.verdict = head_scan(&o.st, p + pos, k, &o.why);
        if (o.verdict != HEAD_MORE) {
            o.consumed = o.st.head_len; /* head_len counts each byte looked at */
            FUZZ_CHECK(o.consumed > before && o.consumed <= before + k, "verdict outside chunk");
            return o;
        }
        FUZZ_CHECK(o.st.head_len == before + k, "a chunk not scanned whole");
        pos += k;
    }
    o.consumed = n;
    return o;
}

/* What head.h says of the whole head p[0..n), found as positions in the
 * whole buffer rather than by head.c's byte-at-a-time state: each rule
 * gives the first byte (1-based) at which it applies, or 0, and the
 * earliest one is the verdict. At the same byte the size limit comes
 * first (head.c counts the byte before it looks at it), then a NUL or a
 * fold, then the request-line limit. */
static struct outcome model(const uint8_t *p, size_t n, size_t max_hdr, size_t max_uri)
{
    size_t end = 0, nul = 0, fold = 0, uri = 0, size = n > max_hdr ? max_hdr + 1 : 0;
    /* the end: an LF after an LF with nothing but CR between them */
    size_t last_lf = 0; /* 1-based position of the last LF, 0 for none */
    for (size_t i = 0; i < n && end == 0; i++) {
        if (p[i] != '\n')
            continue;
        if (last_lf > 0) {
            size_t k = last_lf;
            while (k < i && p[k] == '\r')
                k++;
            if (k == i)
                end = i + 1;
        }
        last_lf = i + 1;
    }
    const uint8_t *z = memchr(p, '\0', n);
    if (z != NULL)
        nul = (size_t)(z - p) + 1;
    /* an obs-fold: SP or HT where a line (from line 1 on) begins, CRs
     * before it on that line not counting */
    for (size_t i = 0; i < n && fold == 0; i++) {
        if (p[i] != ' ' && p[i] != '\t')
            continue;
        size_t k = i;
        while (k > 0 && p[k - 1] == '\r')
            k--;
        if (k > 0 && p[k - 1] == '\n')
            fold = i + 1;
    }
    /* the request line: its bytes other than CR, up to its LF */
    size_t count = 0;
    for (size_t i = 0; i < n && p[i] != '\n' && uri == 0; i++)
        if (p[i] != '\r' && ++count > max_uri)
            uri = i + 1;

    struct outcome o = {HEAD_MORE, HEAD_N, n, {0}};
    size_t at = 0;
    /* in order of precedence: a later rule wins only at an earlier byte */
    const struct {
        size_t pos;
        enum head_verdict v;
        enum head_why why;
    } rules[] = {{size, HEAD_REFUSE, HEAD_SIZE},
                 {nul, HEAD_REFUSE, HEAD_NUL_OR_FOLD},
                 {fold, HEAD_REFUSE, HEAD_NUL_OR_FOLD},
                 {uri, HEAD_REFUSE, HEAD_URI},
                 {end, HEAD_ENDED, HEAD_N}};
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++)
        if (rules[r].pos > 0 && (at == 0 || rules[r].pos < at)) {
            at = rules[r].pos;
            o.verdict = rules[r].v;
            o.why = rules[r].why;
            o.consumed = at;
        }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    size_t max_uri = 256 + (size_t)data[0] * 4, max_hdr = 1024 + (size_t)data[1] * 8;
    unsigned seed = (unsigned)data[2] | (unsigned)data[3] << 8 | 1u << 16; /* never 0 */
    size_t max_chunk = 1 + (size_t)data[4] % 64;
    const uint8_t *p = data + 5;
    size_t n = size - 5;

    struct outcome whole = scan(p, n, max_hdr, max_uri, 0, 0);
    struct outcome parts = scan(p, n, max_hdr, max_uri, seed, max_chunk);
    FUZZ_CHECK(whole.verdict == parts.verdict, "verdict depends on chunking");
    FUZZ_CHECK(whole.consumed == parts.consumed, "verdict position depends on chunking");
    FUZZ_CHECK(whole.st.crlf == parts.st.crlf && whole.st.head_len == parts.st.head_len &&
                   whole.st.line_len == parts.st.line_len && whole.st.line_no == parts.st.line_no,
               "state depends on chunking");
    if (whole.verdict == HEAD_REFUSE)
        FUZZ_CHECK(whole.why == parts.why, "refusal reason depends on chunking");

    struct outcome want = model(p, n, max_hdr, max_uri);
    FUZZ_CHECK(whole.verdict == want.verdict, "verdict is not what head.h says");
    FUZZ_CHECK(whole.consumed == want.consumed, "verdict not at the byte head.h says");
    if (whole.verdict == HEAD_REFUSE)
        FUZZ_CHECK(whole.why == want.why, "refusal reason is not what head.h says");

    uint8_t last = whole.consumed ? p[whole.consumed - 1] : 0;
    switch (whole.verdict) {
    case HEAD_ENDED:
        FUZZ_CHECK(last == '\n', "head ended on another byte than LF");
        break;
    case HEAD_REFUSE:
        if (whole.why == HEAD_SIZE)
            FUZZ_CHECK(whole.consumed == max_hdr + 1, "431 not just past the limit");
        else if (whole.why == HEAD_NUL_OR_FOLD)
            FUZZ_CHECK(last == '\0' || last == ' ' || last == '\t', "400 on a harmless byte");
        else
            FUZZ_CHECK(whole.why == HEAD_URI && memchr(p, '\n', whole.consumed) == NULL &&
                           whole.consumed > max_uri,
                       "414 without a request line over the limit");
        break;
    case HEAD_MORE:
        FUZZ_CHECK(n <= max_hdr, "more asked for past the head limit");
        break;
    }
    return 0;
}
