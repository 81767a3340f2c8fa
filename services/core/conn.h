/* conn.h — what evhttp 2.1 does not do for a server's connections: a cap
 * on how many are open (in all and per peer address), deadlines that no
 * trickle of bytes resets, a bound on requests per connection, and a
 * listener that pauses on EMFILE instead of spinning (DESIGN.md §3,
 * "Connections").
 *
 * evhttp owns every connection; this module only watches. It learns of a
 * connection when evhttp asks for its bufferevent (evhttp_set_bevcb, which
 * sees no fd yet), finishes registering it one callback later (fd, peer,
 * close callback), follows the bytes that arrive (an input evbuffer
 * callback) and the life of each request (the req.c hooks below), and ends
 * one that overstays with shutdown(fd, SHUT_RDWR): evhttp then frees it
 * itself. Nothing here frees a request or a connection (libevent #997).
 * Private to core. */
#ifndef GESS_CONN_H
#define GESS_CONN_H

#include <stdbool.h>

struct worker;
struct server;
struct evhttp_request;
struct evbuffer;

/* Limits as the running server applies them (config keys, with
 * max_connections derived from the descriptor limit when 0). */
struct conn_limits {
    int max_connections;
    int max_per_address;
    int header_ms, body_ms, keepalive_ms, write_ms;
    int max_requests;
    int max_header_bytes, max_uri_bytes;
    long fd_limit; /* the soft RLIMIT_NOFILE after raising it */
};

/* Raises the soft RLIMIT_NOFILE to the hard limit, logs both, and fills
 * *out from the config (a max_connections of 0 derived from the limit). */
void conn_limits_init(struct server *srv, struct conn_limits *out);

/* Sets up w's evhttp and listener for the watching (after
 * evhttp_accept_socket_with_handle). False when out of memory. */
bool conn_worker_init(struct worker *w) __attribute__((warn_unused_result));

/* Frees what is left of w's connections once its evhttp is freed. */
void conn_worker_free(struct worker *w);

/* What req_dispatch must do with a request, decided first thing. */
enum conn_verdict {
    CONN_SERVE,      /* as usual */
    CONN_SERVE_LAST, /* as usual, with Connection: close (the last allowed) */
    CONN_REFUSE,     /* over a cap, or shut down already: 503 and close, no handler */
};

/* A request's head and body arrived (evhttp's callback): the deadlines stop
 * while the handler works. */
enum conn_verdict conn_request_begin(struct worker *w, struct evhttp_request *ev);

/* The answer starts to be written: the write deadline runs. */
void conn_reply_begin(struct worker *w, struct evhttp_request *ev);

/* The answer was written whole: the connection idles (keep-alive). */
void conn_reply_done(struct worker *w, struct evhttp_request *ev);

/* Appends the connection gauges and counters for /metrics. */
void conn_render_metrics(struct server *srv, struct evbuffer *out);

#endif
