/* head.c — the request-head scan of head.h, moved out of conn.c so it can
 * be tested and fuzzed without a connection. h->crlf counts line ends with
 * nothing but CR between them. */
#include "core/head.h"

void head_start(struct head_state *h, size_t max_header_bytes, size_t max_uri_bytes)
{
    h->max_header_bytes = max_header_bytes;
    h->max_uri_bytes = max_uri_bytes;
    h->crlf = 0;
    h->head_len = h->line_len = 0;
    h->line_no = 0;
}

enum head_verdict head_scan(struct head_state *h, const unsigned char *p, size_t n,
                            enum head_why *why)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        if (++h->head_len > h->max_header_bytes) {
            *why = HEAD_SIZE;
            return HEAD_REFUSE;
        }
        if (b == '\n') {
            if (++h->crlf == 2)
                return HEAD_ENDED;
            h->line_no++;
            h->line_len = 0;
            continue;
        }
        if (b == '\r')
            continue;
        if (b == '\0' || ((b == ' ' || b == '\t') && h->crlf == 1 && h->line_no > 0)) {
            *why = HEAD_NUL_OR_FOLD;
            return HEAD_REFUSE;
        }
        h->crlf = 0;
        if (h->line_no == 0 && ++h->line_len > h->max_uri_bytes) {
            *why = HEAD_URI;
            return HEAD_REFUSE;
        }
    }
    return HEAD_MORE;
}
