/* fuzz_tmpl.c — the template engine (core/tmpl.c) fed arbitrary bytes as a
 * template: the first byte picks the mode (HTML, text, subject), the rest
 * is compiled and, when it compiles, rendered over a fixed context whose
 * every string holds S = "<λ>&\"'". Partials: {{>p}} is a small HTML
 * fragment, {{>self}} the input itself (so recursion is fuzzed), any other
 * name unknown. Rendered with tmpl_render_raw and trusted fragments
 * without λ for {{{r}}}, {{{o.r}}} (and {{{n}}}, a number: nothing).
 *
 * Checked (beyond no crash, no leak, bounded time and memory):
 *   - HTML: when the input holds no λ, every λ of the output came from a
 *     value and stands escaped, "&lt;λ&gt;&amp;&quot;&#39;", whatever the
 *     markup around it (URL components carry it percent-encoded: no λ),
 *     so {{{name}}} never writes a value of the data unescaped;
 *   - subject: an input without CR or LF renders none (no header
 *     injection from a value), nor any other control character;
 *   - text: an input without CR renders none, nor a control character but
 *     LF and TAB;
 *   - a compile error names the template, a line and a column. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/tmpl.h"
#include "fuzz.h"

#define S "<\xce\xbb>&\"'"
#define LAMBDA "\xce\xbb"
#define AFTER LAMBDA "&gt;&amp;&quot;&#39;" /* what follows a value's escaped < */

static json_t *ctx, *raw;
static const uint8_t *input;
static size_t input_len;

static const char *resolve(void *arg, const char *name, size_t *len, const char **file)
{
    (void)arg;
    (void)file;
    static const char p[] = "<b title=\"{{v}}\">{{a.b}}</b>";
    if (strcmp(name, "p") == 0) {
        *len = sizeof p - 1;
        return p;
    }
    if (strcmp(name, "self") == 0) {
        *len = input_len;
        return (const char *)input;
    }
    return NULL;
}

static bool has(const uint8_t *d, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(d + i, needle, k) == 0)
            return true;
    return false;
}

static void check_html(const char *out, size_t len)
{
    for (const char *p = out; (p = strstr(p, LAMBDA)) != NULL; p++) {
        size_t at = (size_t)(p - out);
        FUZZ_CHECK(at >= 4 && memcmp(p - 4, "&lt;", 4) == 0, "a value's < left raw in HTML");
        FUZZ_CHECK(len - at >= strlen(AFTER) && memcmp(p, AFTER, strlen(AFTER)) == 0,
                   "a value's > & \" ' left raw in HTML");
    }
}

static void check_plain(const char *out, size_t len, bool subject, bool no_cr, bool no_lf)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c == '\r')
            FUZZ_CHECK(!no_cr, "a CR from a value");
        else if (c == '\n')
            FUZZ_CHECK(!(subject && no_lf), "a LF from a value in a subject");
        else if (c == '\t')
            continue;
        else if (c < 0x20 || c == 0x7f)
            FUZZ_CHECK(false, "a control character from a value");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (ctx == NULL) {
        ctx = json_pack("{s:s, s:{s:s, s:[s,s]}, s:[s,{s:s},i,b], s:f, s:i, s:b, s:b, s:n, s:s,"
                        " s:s, s:s}",
                        "v", S, "a", "b", S, "c", S, S, "list", S, "v", S, 3, 1, "n", 2.5, "i", 7,
                        "t", 1, "f", 0, "z", "e", "", "url", "javascript:" S, "ctl",
                        "a\r\nb\x01\x7f\xc2\x85\t" S);
        /* the trusted fragments hold no λ: one in the output came from
         * the data, so {{{v}}} reading the data would be caught */
        raw = json_pack("{s:s, s:{s:s}, s:i}", "r", "<i>R</i>", "o", "r", "<u>x</u>", "n", 1);
        if (ctx == NULL || raw == NULL)
            abort();
    }
    enum tmpl_mode mode = (enum tmpl_mode)(data[0] % 3);
    input = data + 1;
    input_len = size - 1;
    /* the control bytes are in the context only, so an input holding none
     * must render none */
    bool ctl_free = true;
    for (size_t i = 0; i < input_len; i++)
        if ((input[i] < 0x20 && input[i] != '\r' && input[i] != '\n' && input[i] != '\t') ||
            input[i] == 0x7f)
            ctl_free = false;
    char err[256];
    struct tmpl *t =
        tmpl_compile("f", (const char *)input, input_len, mode, resolve, NULL, err, sizeof err);
    if (t == NULL) {
        /* the innermost template is named: f, self or p */
        char who[8];
        unsigned line, col;
        FUZZ_CHECK(sscanf(err, "%7[a-z]:%u:%u: ", who, &line, &col) == 3 && line >= 1 && col >= 1 &&
                       (strcmp(who, "f") == 0 || strcmp(who, "self") == 0 || strcmp(who, "p") == 0),
                   "a compile error without its place");
        return 0;
    }
    char *out = NULL;
    size_t len = 0;
    if (tmpl_render_raw(t, ctx, raw, &out, &len, err, sizeof err)) {
        FUZZ_CHECK(out != NULL && strlen(out) <= len, "render length");
        if (mode == TMPL_HTML && !has(input, input_len, LAMBDA))
            check_html(out, len);
        if (mode != TMPL_HTML && ctl_free)
            check_plain(out, len, mode == TMPL_SUBJECT, !has(input, input_len, "\r"),
                        !has(input, input_len, "\n"));
        free(out);
    } else {
        FUZZ_CHECK(out == NULL, "output left after a failed render");
    }
    tmpl_free(t);
    return 0;
}
