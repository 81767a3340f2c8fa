/* gzip.c — Accept-Encoding, compressible types, zlib, per-encoding ETags
 * and the compression counters (see gzip.h). */
#include "core/gzip.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/accept.h"
#include "core/req.h"

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static bool token_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && evutil_ascii_strncasecmp(s, name, n) == 0;
}

void gzip_scan(const char *ae, int *gzip_q, int *star_q)
{
    if (ae == NULL)
        return;
    const char *p = ae;
    while (*p != '\0') {
        /* one element: coding *( OWS ";" OWS name "=" value ) */
        size_t len = strcspn(p, ",");
        const char *end = p + len;
        while (p < end && is_ows(*p))
            p++;
        const char *name = p;
        while (p < end && *p != ';' && !is_ows(*p))
            p++;
        size_t name_len = (size_t)(p - name);
        int q = 1000;
        while (p < end) {
            while (p < end && (is_ows(*p) || *p == ';'))
                p++;
            const char *param = p;
            while (p < end && *p != ';')
                p++;
            const char *pend = p;
            while (pend > param && is_ows(pend[-1]))
                pend--;
            if (pend - param >= 2 && (param[0] == 'q' || param[0] == 'Q')) {
                const char *v = param + 1;
                while (v < pend && is_ows(*v))
                    v++;
                if (v < pend && *v == '=') {
                    v++;
                    while (v < pend && is_ows(*v))
                        v++;
                    int x = accept_qvalue(v, (size_t)(pend - v));
                    q = x < 0 ? 0 : x; /* malformed: not acceptable */
                }
            }
        }
        /* named twice: the lower q counts, so a refusal is never overruled */
        if (token_is(name, name_len, "gzip") || token_is(name, name_len, "x-gzip"))
            *gzip_q = *gzip_q < 0 || q < *gzip_q ? q : *gzip_q;
        else if (token_is(name, name_len, "*"))
            *star_q = *star_q < 0 || q < *star_q ? q : *star_q;
        p = *end == ',' ? end + 1 : end;
    }
}

bool gzip_accepted_q(int gzip_q, int star_q)
{
    return gzip_q >= 0 ? gzip_q > 0 : star_q > 0;
}

bool gzip_accepted(const struct req *r)
{
    int gq = -1, sq = -1;
    const struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
    for (const struct evkeyval *h = in->tqh_first; h != NULL; h = h->next.tqe_next)
        if (evutil_ascii_strcasecmp(h->key, "Accept-Encoding") == 0)
            gzip_scan(h->value, &gq, &sq);
    return gzip_accepted_q(gq, sq);
}

static bool starts_with_ci(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && evutil_ascii_strncasecmp(s, prefix, k) == 0;
}

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && evutil_ascii_strncasecmp(s + n - k, suffix, k) == 0;
}

bool gzip_type_compressible(const char *ct)
{
    if (ct == NULL)
        return false;
    size_t n = strcspn(ct, ";");
    while (n > 0 && is_ows(ct[n - 1]))
        n--;
    return starts_with_ci(ct, n, "text/") || token_is(ct, n, "application/json") ||
           token_is(ct, n, "application/javascript") || ends_with_ci(ct, n, "+json") ||
           ends_with_ci(ct, n, "+xml") || token_is(ct, n, "application/xml");
}

/* Whether the comma-separated list holds name (any case) or "*". */
static bool has_token(const char *list, const char *name)
{
    size_t k = strlen(name);
    for (const char *p = list; *p != '\0';) {
        while (*p == ',' || is_ows(*p))
            p++;
        size_t n = strcspn(p, ",");
        while (n > 0 && is_ows(p[n - 1]))
            n--;
        if ((n == k && evutil_ascii_strncasecmp(p, name, k) == 0) || (n == 1 && *p == '*'))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

bool gzip_choose(struct req *r, const char *content_type, size_t len)
{
    if (!gzip_type_compressible(content_type))
        return false;
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->ev);
    bool said = false;
    for (const struct evkeyval *h = out->tqh_first; h != NULL && !said; h = h->next.tqe_next)
        said =
            evutil_ascii_strcasecmp(h->key, "Vary") == 0 && has_token(h->value, "Accept-Encoding");
    if (!said) /* another Vary line is the same list (RFC 9110 §5.3) */
        evhttp_add_header(out, "Vary", "Accept-Encoding");
    return len >= GZIP_MIN && gzip_accepted(r);
}

unsigned char *gzip_compress(const void *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* 15 + 16: a gzip wrapper around a 32 KB window */
    if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong bound = deflateBound(&z, (uLong)len);
    unsigned char *out = malloc(bound);
    bool ok = out != NULL && len == (uLong)len;
    if (ok) {
        z.next_in = (Bytef *)(uintptr_t)data;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)bound;
        /* deflateBound promises room for it all in one call */
        ok = len <= UINT32_MAX && bound <= UINT32_MAX && deflate(&z, Z_FINISH) == Z_STREAM_END;
    }
    if (ok)
        *out_len = z.total_out;
    deflateEnd(&z);
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

bool gzip_etag(const char *etag, char *out, size_t size)
{
    size_t n = strlen(etag);
    size_t lead = strncmp(etag, "W/", 2) == 0 ? 2 : 0;
    if (n < lead + 2 || etag[lead] != '"' || etag[n - 1] != '"' || n + 5 >= size)
        return false;
    memcpy(out, etag, n - 1);
    memcpy(out + n - 1, "-gzip\"", 7);
    return true;
}

static atomic_ulong gzipped_total, plain_bytes_total, gzip_bytes_total;

void gzip_count(size_t plain, size_t compressed)
{
    atomic_fetch_add_explicit(&gzipped_total, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&plain_bytes_total, plain, memory_order_relaxed);
    atomic_fetch_add_explicit(&gzip_bytes_total, compressed, memory_order_relaxed);
}

void gzip_metrics_render(struct evbuffer *out)
{
    evbuffer_add_printf(
        out,
        "# HELP gess_http_gzip_responses_total Answers sent gzipped.\n"
        "# TYPE gess_http_gzip_responses_total counter\n"
        "gess_http_gzip_responses_total %lu\n"
        "# HELP gess_http_gzip_plain_bytes_total Bytes of those answers before compression.\n"
        "# TYPE gess_http_gzip_plain_bytes_total counter\n"
        "gess_http_gzip_plain_bytes_total %lu\n"
        "# HELP gess_http_gzip_bytes_total Bytes of those answers as sent, compressed.\n"
        "# TYPE gess_http_gzip_bytes_total counter\n"
        "gess_http_gzip_bytes_total %lu\n",
        atomic_load_explicit(&gzipped_total, memory_order_relaxed),
        atomic_load_explicit(&plain_bytes_total, memory_order_relaxed),
        atomic_load_explicit(&gzip_bytes_total, memory_order_relaxed));
}
