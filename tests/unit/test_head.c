/* test_head.c — the request-head scan (core/head.c) on the fuzz target's
 * seed cases: a normal head, a NUL, an obs-fold, the 414 and 431 limits
 * exactly, and a head that arrives in pieces. */
#include "core/head.h"
#include "unit.h"

/* Scans s whole under the limits; *at gets the bytes looked at. */
static enum head_verdict scan(const char *s, size_t max_hdr, size_t max_uri, enum head_why *why,
                              size_t *at)
{
    struct head_state h;
    head_start(&h, max_hdr, max_uri);
    *why = HEAD_N;
    enum head_verdict v = head_scan(&h, (const unsigned char *)s, strlen(s), why);
    *at = h.head_len;
    return v;
}

void test_head(void)
{
    enum head_why why;
    size_t at;
    const char *get = "GET /v1/events HTTP/1.1\r\nHost: gess\r\nAccept: */*\r\n\r\n";
    CHECK(scan(get, 8192, 2048, &why, &at) == HEAD_ENDED && at == strlen(get));
    /* the body after the head is not the head's */
    CHECK(scan("GET / HTTP/1.1\r\n\r\nbody", 8192, 2048, &why, &at) == HEAD_ENDED && at == 18);
    /* bare LF ends lines and the head, as evhttp accepts */
    CHECK(scan("GET / HTTP/1.1\nHost: a\n\n", 8192, 2048, &why, &at) == HEAD_ENDED && at == 24);
    /* not yet ended */
    CHECK(scan("GET / HTTP/1.1\r\nHost: a\r\n", 8192, 2048, &why, &at) == HEAD_MORE);

    /* a NUL in a header value (strlen stops at it, so scan the bytes) */
    struct head_state h;
    head_start(&h, 8192, 2048);
    const unsigned char nul[] = "GET / HTTP/1.1\r\nX-A: a\0b\r\n\r\n";
    CHECK(head_scan(&h, nul, sizeof nul - 1, &why) == HEAD_REFUSE && why == HEAD_NUL_OR_FOLD &&
          h.head_len == 23);

    /* obs-fold: a header line starting with SP or HT */
    CHECK(scan("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", 8192, 2048, &why, &at) == HEAD_REFUSE &&
          why == HEAD_NUL_OR_FOLD && at == 25);
    CHECK(scan("GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n", 8192, 2048, &why, &at) == HEAD_REFUSE &&
          why == HEAD_NUL_OR_FOLD && at == 25);
    /* a space inside a line, or in the request line, is no fold */
    CHECK(scan("GET / HTTP/1.1\r\nX-A: a b\r\n\r\n", 8192, 2048, &why, &at) == HEAD_ENDED);

    /* 414: the request line at max_uri non-CR bytes passes, one more not */
    char line[64];
    memset(line, 'a', 20);
    memcpy(line + 20, "\r\n\r\n", 5);
    CHECK(scan(line, 8192, 20, &why, &at) == HEAD_ENDED);
    memset(line, 'a', 21);
    memcpy(line + 21, "\r\n\r\n", 5);
    CHECK(scan(line, 8192, 20, &why, &at) == HEAD_REFUSE && why == HEAD_URI && at == 21);

    /* 431: a head of exactly max_hdr bytes passes, one byte more not */
    const char *small = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"; /* 27 bytes */
    CHECK(scan(small, 27, 2048, &why, &at) == HEAD_ENDED && at == 27);
    CHECK(scan(small, 26, 2048, &why, &at) == HEAD_REFUSE && why == HEAD_SIZE && at == 27);
    /* the size limit wins over a refusal at the same byte */
    CHECK(scan("GET / HTTP/1.1\r\n X", 16, 2048, &why, &at) == HEAD_REFUSE && why == HEAD_SIZE);

    /* the same head in pieces: the end is found across a split CRLF CRLF */
    const char *pieces[] = {"GET /v1/ev", "ents HTTP/1.1\r", "\nHost: gess\r\n", "\r", "\n"};
    head_start(&h, 8192, 2048);
    enum head_verdict v = HEAD_MORE;
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        CHECK(v == HEAD_MORE);
        v = head_scan(&h, (const unsigned char *)pieces[i], strlen(pieces[i]), &why);
    }
    CHECK(v == HEAD_ENDED && h.head_len == 39);
    /* and a fold split from its line end */
    head_start(&h, 8192, 2048);
    CHECK(head_scan(&h, (const unsigned char *)"GET / HTTP/1.1\r\nA: b\r\n", 22, &why) ==
          HEAD_MORE);
    CHECK(head_scan(&h, (const unsigned char *)" c\r\n\r\n", 6, &why) == HEAD_REFUSE &&
          why == HEAD_NUL_OR_FOLD && h.head_len == 23);
}
