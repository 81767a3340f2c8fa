/*
 * ping — the HTTP ceiling of this machine for `make bench`.
 *
 * A bare libevent evhttp server with the same shape as `gessd serve`: one
 * event loop per thread, each with its own evhttp and its own SO_REUSEPORT
 * socket on 127.0.0.1:PORT, answering GET /healthz with {"status":"ok"}.
 * Whatever gessd loses against it is gessd's own overhead.
 *
 * With BODY_FILE, every other GET path answers 200 with that file's bytes
 * (read once at start-up, as gessd's schedule cache holds its release) and
 * headers like gessd's GET /v1/editions/{slug}/schedule: ETag (ETAG, or
 * "ping"), Cache-Control; and 304 without a body when If-None-Match is
 * exactly that ETag. So bench part e compares gessd with serving a static
 * body of the same size.
 *
 * usage: ping PORT [THREADS [BODY_FILE [ETAG]]]
 *   THREADS defaults to the number of cores (0: the same)
 * Runs until killed (SIGINT/SIGTERM end it).
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#define BODY "{\"status\":\"ok\"}"
#define MAX_THREADS 256

static char *static_body; /* BODY_FILE's bytes, or NULL */
static size_t static_len;
static const char *static_etag = "\"ping\"";

struct loop {
    struct event_base *base;
    struct evhttp *http;
    pthread_t thread;
};

static void healthz_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
        evhttp_send_error(req, 405, "Method Not Allowed");
        return;
    }
    struct evbuffer *out = evhttp_request_get_output_buffer(req);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evbuffer_add(out, BODY, sizeof BODY - 1);
    evhttp_send_reply(req, 200, "OK", NULL);
}

static void notfound_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    if (static_body == NULL || evhttp_request_get_command(req) != EVHTTP_REQ_GET) {
        evhttp_send_error(req, 404, "Not Found");
        return;
    }
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    evhttp_add_header(out, "ETag", static_etag);
    evhttp_add_header(out, "Cache-Control", "public, no-cache");
    const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
    if (inm != NULL && strcmp(inm, static_etag) == 0) {
        evhttp_send_reply(req, 304, "Not Modified", NULL);
        return;
    }
    evhttp_add_header(out, "Content-Type", "application/json");
    /* no copy: the fairest ceiling for gessd, which refers to its cached bytes too */
    evbuffer_add_reference(evhttp_request_get_output_buffer(req), static_body, static_len, NULL,
                           NULL);
    evhttp_send_reply(req, 200, "OK", NULL);
}

/* Reads the whole file into static_body. */
static int load_body(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "ping: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16;
    static_body = malloc(cap);
    size_t n;
    while (static_body != NULL &&
           (n = fread(static_body + static_len, 1, cap - static_len, f)) > 0) {
        static_len += n;
        if (static_len == cap) {
            cap *= 2;
            char *grown = realloc(static_body, cap);
            if (grown == NULL)
                free(static_body);
            static_body = grown;
        }
    }
    fclose(f);
    if (static_body == NULL) {
        fprintf(stderr, "ping: out of memory reading %s\n", path);
        return -1;
    }
    return 0;
}

static evutil_socket_t listen_socket(unsigned short port)
{
    evutil_socket_t fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("ping: socket");
        return -1;
    }
    if (evutil_make_listen_socket_reuseable(fd) < 0 ||
        evutil_make_listen_socket_reuseable_port(fd) < 0 ||
        evutil_make_socket_nonblocking(fd) < 0 || evutil_make_socket_closeonexec(fd) < 0) {
        perror("ping: setsockopt");
        evutil_closesocket(fd);
        return -1;
    }
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(0x7f000001); /* 127.0.0.1 only */
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
        fprintf(stderr, "ping: bind 127.0.0.1:%u: %s\n", port, strerror(errno));
        evutil_closesocket(fd);
        return -1;
    }
    if (listen(fd, 1024) < 0) {
        perror("ping: listen");
        evutil_closesocket(fd);
        return -1;
    }
    return fd;
}

static void *run_loop(void *arg)
{
    struct loop *l = arg;
    event_base_dispatch(l->base);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: %s PORT [THREADS [BODY_FILE [ETAG]]]\n", argv[0]);
        return 2;
    }
    char *end;
    long port = strtol(argv[1], &end, 10);
    if (*end || port < 1 || port > 65535) {
        fprintf(stderr, "ping: bad port %s\n", argv[1]);
        return 2;
    }
    long nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    if (argc >= 4 && load_body(argv[3]) != 0)
        return 1;
    if (argc == 5)
        static_etag = argv[4];
    if (argc >= 3) {
        nthreads = strtol(argv[2], &end, 10);
        if (*end || nthreads < 0) {
            fprintf(stderr, "ping: bad thread count %s\n", argv[2]);
            return 2;
        }
        if (nthreads == 0)
            nthreads = sysconf(_SC_NPROCESSORS_ONLN);
    }
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > MAX_THREADS)
        nthreads = MAX_THREADS;

    signal(SIGPIPE, SIG_IGN);

    static struct loop loops[MAX_THREADS];
    for (long i = 0; i < nthreads; i++) {
        struct loop *l = &loops[i];
        evutil_socket_t fd = listen_socket((unsigned short)port);
        if (fd < 0)
            return 1;
        l->base = event_base_new();
        l->http = l->base ? evhttp_new(l->base) : NULL;
        if (!l->http) {
            fprintf(stderr, "ping: cannot create event loop\n");
            return 1;
        }
        evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                                EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                                EVHTTP_REQ_PATCH);
        evhttp_set_cb(l->http, "/healthz", healthz_cb, NULL);
        evhttp_set_gencb(l->http, notfound_cb, NULL);
        if (!evhttp_accept_socket_with_handle(l->http, fd)) {
            fprintf(stderr, "ping: evhttp_accept_socket_with_handle failed\n");
            return 1;
        }
    }
    for (long i = 0; i < nthreads; i++) {
        int rc = pthread_create(&loops[i].thread, NULL, run_loop, &loops[i]);
        if (rc) {
            fprintf(stderr, "ping: pthread_create: %s\n", strerror(rc));
            return 1;
        }
    }
    fprintf(stderr, "ping: listening on 127.0.0.1:%ld with %ld loop(s)\n", port, nthreads);
    for (long i = 0; i < nthreads; i++)
        pthread_join(loops[i].thread, NULL);
    return 0;
}
