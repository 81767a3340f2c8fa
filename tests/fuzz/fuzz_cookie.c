/* fuzz_cookie.c — a Cookie header as a browser (or anyone) sends it
 * (core/cookie.c): any bytes up to the first NUL, read for the names
 * gess uses and for a name taken from the input itself.
 *
 * Checked: a value found fits its buffer, is NUL-terminated and holds
 * only cookie-octets; a value not found leaves "" behind; the header
 * "x=1; k=<bytes>; k=2" (and k="<bytes>") gives back what an oracle
 * written apart from the scanner makes of the bytes up to the next ';'
 * (blanks trimmed, one pair of quotes removed, only cookie-octets that
 * fit, else nothing: the first duplicate wins even when malformed); and
 * what cookie_format writes for name k and those bytes (refused unless
 * they are cookie-octets) reads back as the bytes. */
#include <string.h>

#include "core/cookie.h"
#include "fuzz.h"

#define OUT_LEN 64

static bool octets(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i] < 0x21 || d[i] > 0x7e || d[i] == '"' || d[i] == ',' || d[i] == ';' || d[i] == '\\')
            return false;
    return true;
}

static void check_value(bool found, const char *out)
{
    size_t n = strnlen(out, OUT_LEN);
    FUZZ_CHECK(n < OUT_LEN, "the value is not NUL-terminated within its buffer");
    if (!found)
        FUZZ_CHECK(n == 0, "a cookie not found left a value behind");
    else
        FUZZ_CHECK(octets((const uint8_t *)out, n), "a value holds a byte outside cookie-octet");
}

/* What RFC 6265 §5.2 makes of a cookie's value as sent (the bytes after
 * "k=" up to the next ';'): blanks trimmed both ends, then one pair of
 * enclosing double quotes removed; *ok when the rest is cookie-octets and
 * fits. An oracle written apart from cookie.c's scanner. */
static size_t model(const char *seg, size_t n, const char **v, bool *ok)
{
    while (n > 0 && (seg[0] == ' ' || seg[0] == '\t')) {
        seg++;
        n--;
    }
    while (n > 0 && (seg[n - 1] == ' ' || seg[n - 1] == '\t'))
        n--;
    if (n >= 2 && seg[0] == '"' && seg[n - 1] == '"') {
        seg++;
        n -= 2;
    }
    *v = seg;
    *ok = octets((const uint8_t *)seg, n) && n < OUT_LEN;
    return n;
}

static void check_built(const uint8_t *data, size_t size, bool quoted)
{
    char *h = malloc(size + 16);
    if (h == NULL)
        abort();
    size_t n = quoted ? 8 : 7;
    memcpy(h, quoted ? "x=1; k=\"" : "x=1; k=", n);
    memcpy(h + n, data, size);
    memcpy(h + n + size, quoted ? "\"; k=2" : "; k=2", quoted ? 7 : 6);
    const char *seg = h + 7, *v;
    bool expect;
    size_t vn = model(seg, strcspn(seg, ";"), &v, &expect);
    char out[OUT_LEN];
    bool found = cookie_get(h, "k", out, sizeof out);
    FUZZ_CHECK(found == expect,
               expect ? "a well-formed value was not read" : "a malformed or long value was read");
    if (found)
        FUZZ_CHECK(strlen(out) == vn && memcmp(out, v, vn) == 0,
                   "the value read is not the bytes sent");
    check_value(found, out);
    free(h);
}

static void check_format(const uint8_t *data, size_t size)
{
    char *v = malloc(size + 1);
    if (v == NULL)
        abort();
    memcpy(v, data, size);
    v[size] = '\0';
    char line[COOKIE_SET_MAX], out[OUT_LEN];
    int rc = cookie_format(line, sizeof line, "k", v, 60, COOKIE_HTTPONLY);
    if (!octets(data, size) && memchr(data, '\0', size) == NULL)
        FUZZ_CHECK(rc != 0, "a value outside cookie-octet was formatted");
    if (rc == 0 && size < OUT_LEN) {
        FUZZ_CHECK(cookie_get(line, "k", out, sizeof out), "a formatted cookie does not read back");
        FUZZ_CHECK(strcmp(out, v) == 0, "a formatted cookie reads back different");
    }
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = malloc(size + 1);
    if (h == NULL)
        abort();
    memcpy(h, data, size);
    h[size] = '\0';
    static const char *const names[] = {"gess_session", "gess_pre", "gess_lang", "a", ""};
    char out[OUT_LEN];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        check_value(cookie_get(h, names[i], out, sizeof out), out);
    /* a name from the input: its first bytes up to '=' or ';' */
    size_t k = strcspn(h, "=;");
    if (k < 32) {
        char name[32];
        memcpy(name, h, k);
        name[k] = '\0';
        check_value(cookie_get(h, name, out, sizeof out), out);
    }
    /* a short buffer: what does not fit is not found */
    char tiny[4];
    if (cookie_get(h, "a", tiny, sizeof tiny))
        FUZZ_CHECK(strlen(tiny) < sizeof tiny, "a value overflows a short buffer");
    free(h);
    if (memchr(data, '\0', size) == NULL) {
        check_built(data, size, false);
        check_built(data, size, true);
    }
    check_format(data, size);
    return 0;
}
