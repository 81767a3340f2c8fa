/* head.h — the scan of a request head as its bytes arrive, before evhttp
 * parses them (conn.c): where the head ends, and what evhttp 2.1 would let
 * through or answer with its own HTML 400. Pure: no connection, no buffer,
 * only an explicit state, so any split of the same bytes into chunks gives
 * the same verdict (the fuzz target checks that). */
#ifndef GESS_HEAD_H
#define GESS_HEAD_H

#include <stddef.h>

/* What the bytes of a head so far say. */
enum head_verdict { HEAD_MORE, HEAD_ENDED, HEAD_REFUSE };

/* Why a head was refused (on HEAD_REFUSE); also the /metrics index. */
enum head_why { HEAD_NUL_OR_FOLD, HEAD_URI, HEAD_SIZE, HEAD_N };

struct head_state {
    size_t max_header_bytes, max_uri_bytes; /* the limits it applies */
    int crlf;                               /* line ends in a row at the end of the head so far */
    size_t head_len;                        /* bytes of the head so far */
    size_t line_len;                        /* bytes of its current line */
    int line_no;                            /* lines of the head ended so far */
};

/* Starts a new head under the given limits. */
void head_start(struct head_state *h, size_t max_header_bytes, size_t max_uri_bytes);

/* Scans the next n bytes of the head. The end of the head is an empty line
 * (ended by CRLF or by a bare LF, as evhttp also accepts); refused are a
 * NUL byte or an obs-fold line (a header line starting with a space or tab,
 * which a proxy may join differently) as HEAD_NUL_OR_FOLD, a request line
 * over max_uri_bytes (HEAD_URI, 414), a head over max_header_bytes
 * (HEAD_SIZE, 431). On HEAD_REFUSE *why says which. Once it has said
 * HEAD_ENDED or HEAD_REFUSE the head is done: the caller scans no more. */
enum head_verdict head_scan(struct head_state *h, const unsigned char *p, size_t n,
                            enum head_why *why);

#endif
