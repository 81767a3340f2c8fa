/* fuzz_query.c — a request target's query as gessd reads it: the target
 * parsed by evhttp as it parses a request line (EVHTTP_URI_NONCONFORMANT),
 * its query parsed and checked by core/query.c, as req.c does before any
 * handler runs (malformed, %00 or not UTF-8 → 422).
 *
 * Checked: a query with %00 or one evhttp could not parse is always
 * refused; a parsed one whose every key and value is UTF-8 and has no %00
 * is always accepted; an accepted query only holds UTF-8 text.
 *
 * And apart from query.c and valid.c, with their own UTF-8 decoder: a query
 * with a key, or a value once percent-decoded, that is not UTF-8 (evhttp
 * decodes values, '+' as a space, and takes keys as written) is refused;
 * and a query "v=<the input's bytes>", each byte %XX-encoded (bytes >= 0x80
 * left raw when the input says so), is accepted exactly when the bytes are
 * UTF-8 without a NUL, and then v holds exactly those bytes. */
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <string.h>

#include "core/query.h"
#include "core/valid.h"
#include "fuzz.h"

/* 1..4 for a well-formed UTF-8 character at s (RFC 3629: no overlong
 * form, no surrogate, at most U+10FFFF), 0 for none; decoded as a code
 * point, not by valid.c's table of lead and second bytes. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len = s[0] < 0x80         ? 1
                 : (s[0] >> 5) == 6  ? 2
                 : (s[0] >> 4) == 14 ? 3
                 : (s[0] >> 3) == 30 ? 4
                                     : 0;
    if (len == 0 || len > n)
        return 0;
    unsigned long cp = len == 1 ? s[0] : s[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] >> 6) != 2)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

static bool is_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_char(s + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static int hex(unsigned char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes s[0..n) into out ('+' a space, a '%' not followed by
 * two hex digits kept); returns the decoded length. */
static size_t pct_decode(const char *s, size_t n, unsigned char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n && hex((unsigned char)s[i + 1]) >= 0 &&
            hex((unsigned char)s[i + 2]) >= 0) {
            out[o++] =
                (unsigned char)(hex((unsigned char)s[i + 1]) << 4 | hex((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = c == '+' ? ' ' : c;
        }
    }
    return o;
}

/* Whether some key, or some value once decoded, of raw is not UTF-8. */
static bool has_non_utf8(const char *raw)
{
    size_t n = strlen(raw);
    unsigned char *buf = malloc(n + 1);
    if (buf == NULL)
        abort();
    bool bad = false;
    for (const char *p = raw; !bad && *p != '\0';) {
        size_t plen = strcspn(p, "&");
        const char *eq = memchr(p, '=', plen);
        size_t klen = eq ? (size_t)(eq - p) : plen;
        bad = !is_utf8((const unsigned char *)p, klen);
        if (!bad && eq != NULL)
            bad = !is_utf8(buf, pct_decode(eq + 1, plen - klen - 1, buf));
        p += plen + (p[plen] == '&');
    }
    free(buf);
    return bad;
}

/* "v=" and the bytes, %XX-encoded, raw when >= 0x80 and raw_high. */
static void check_built(const uint8_t *data, size_t size, bool raw_high)
{
    char *raw = malloc(3 * size + 3), *o = raw;
    if (raw == NULL)
        abort();
    o += sprintf(o, "v=");
    for (size_t i = 0; i < size; i++)
        if (raw_high && data[i] >= 0x80)
            *o++ = (char)data[i];
        else
            o += sprintf(o, "%%%02X", data[i]);
    *o = '\0';
    struct evkeyvalq q;
    q.tqh_first = NULL;
    q.tqh_last = &q.tqh_first;
    bool parsed = query_parse(raw, &q);
    struct valid v;
    valid_init(&v, LANG_ES);
    query_check(&v, raw, &q, !parsed);
    bool usable = is_utf8(data, size) && memchr(data, '\0', size) == NULL;
    FUZZ_CHECK(parsed, "a query of one key=value did not parse");
    FUZZ_CHECK(valid_ok(&v) == usable, usable ? "a UTF-8 value was refused"
                                              : "a value not UTF-8, or with a NUL, was accepted");
    if (usable) {
        const struct evkeyval *kv = q.tqh_first;
        FUZZ_CHECK(kv != NULL && kv->next.tqe_next == NULL && strcmp(kv->key, "v") == 0 &&
                       strlen(kv->value) == size && memcmp(kv->value, data, size) == 0,
                   "the value is not the bytes sent");
    }
    valid_free(&v);
    evhttp_clear_headers(&q);
    free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *target = malloc(size + 1);
    if (target == NULL)
        return 0;
    memcpy(target, data, size);
    target[size] = '\0';
    struct evhttp_uri *uri = evhttp_uri_parse_with_flags(target, EVHTTP_URI_NONCONFORMANT);
    const char *raw = uri ? evhttp_uri_get_query(uri) : NULL;
    if (raw != NULL) {
        struct evkeyvalq q;
        q.tqh_first = NULL; /* an empty evkeyvalq, as req.c makes one */
        q.tqh_last = &q.tqh_first;
        bool parsed = query_parse(raw, &q);
        struct valid v;
        valid_init(&v, LANG_ES);
        query_check(&v, raw, &q, !parsed);
        bool all_utf8 = true;
        for (const struct evkeyval *kv = q.tqh_first; kv != NULL; kv = kv->next.tqe_next)
            all_utf8 = all_utf8 && valid_utf8(kv->key, strlen(kv->key)) &&
                       valid_utf8(kv->value, strlen(kv->value));
        bool nul = strstr(raw, "%00") != NULL;
        FUZZ_CHECK(parsed || q.tqh_first == NULL, "a refused parse left pairs behind");
        if (has_non_utf8(raw))
            FUZZ_CHECK(!valid_ok(&v), "a query that is not UTF-8 was accepted");
        if (!parsed || nul || !all_utf8)
            FUZZ_CHECK(!valid_ok(&v), "an unusable query was accepted");
        else
            FUZZ_CHECK(valid_ok(&v), "a usable query was refused");
        valid_free(&v);
        evhttp_clear_headers(&q);
    }
    if (uri != NULL)
        evhttp_uri_free(uri);
    if (size > 0)
        check_built(data + 1, size - 1, data[0] & 1);
    free(target);
    return 0;
}
