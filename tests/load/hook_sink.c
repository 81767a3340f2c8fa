/*
 * hook_sink — the webhook receiver of `make bench` part i3.
 *
 * A bare libevent evhttp server on 127.0.0.1:PORT, one event loop, that
 * answers every POST 204 at once (keep-alive, as evhttp does for HTTP/1.1)
 * and counts it, with the wall-clock time of the first and the last. So
 * gessd notify's webhook lane and hook_ceiling post to the very same
 * receiver, and what one loses against the other is its own.
 *
 * With SECRET (whsec_<base64 of the key>), each POST's webhook-signature is
 * also checked (v1,<base64 HMAC-SHA256 over id.timestamp.body>, the
 * Standard Webhooks scheme notify signs with), and so are the content-type
 * and the user-agent: the
 * counts show both senders send what a receiver accepts. A failed check
 * still answers 204 (the sender is measured, not refused) but is counted.
 *
 * GET /count answers (text/plain, one line):
 *   requests N bad B first T0 last T1 bytes S
 * with T0 and T1 in unix seconds (6 decimals, 0 when none yet) and S the
 * body bytes received; GET /reset answers the same and then starts
 * counting from zero. SIGTERM or SIGINT prints that line on stdout and
 * ends it.
 *
 * usage: hook_sink PORT [SECRET]
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <sodium.h>

static unsigned char key[64];
static size_t key_len; /* 0: no signature check */

static long requests, bad;
static unsigned long long body_bytes;
static double first_s, last_s;

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int format_counts(char *out, size_t outlen)
{
    return snprintf(out, outlen, "requests %ld bad %ld first %.6f last %.6f bytes %llu\n", requests,
                    bad, first_s, last_s, body_bytes);
}

/* true when the request carries what notify must send, signed with key */
static int signature_ok(struct evhttp_request *req, struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    const char *id = evhttp_find_header(h, "webhook-id");
    const char *ts = evhttp_find_header(h, "webhook-timestamp");
    const char *sig = evhttp_find_header(h, "webhook-signature");
    const char *ct = evhttp_find_header(h, "content-type");
    const char *ua = evhttp_find_header(h, "user-agent");
    if (id == NULL || ts == NULL || sig == NULL || ct == NULL || ua == NULL)
        return 0;
    if (strcmp(ct, "application/json") != 0 || strcmp(ua, "gess-webhooks/1") != 0)
        return 0;
    size_t len = evbuffer_get_length(body);
    const unsigned char *p = evbuffer_pullup(body, -1);
    if (p == NULL && len > 0)
        return 0;
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, p, len);
    crypto_auth_hmacsha256_final(&st, mac);
    char want[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
                                        sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(want, sizeof want, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    /* the header may list several space-separated signatures (key rotation) */
    for (const char *s = sig; *s != '\0';) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (n == strlen(want) + 3 && strncmp(s, "v1,", 3) == 0 &&
            sodium_memcmp(s + 3, want, strlen(want)) == 0)
            return 1;
        s += n;
    }
    return 0;
}

static void request_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd == EVHTTP_REQ_POST) {
        double now = wall_s();
        struct evbuffer *body = evhttp_request_get_input_buffer(req);
        if (requests == 0)
            first_s = now;
        last_s = now;
        requests++;
        body_bytes += evbuffer_get_length(body);
        if (key_len > 0 && !signature_ok(req, body))
            bad++;
        evhttp_send_reply(req, 204, "No Content", NULL);
        return;
    }
    const char *uri = evhttp_request_get_uri(req);
    if (cmd == EVHTTP_REQ_GET && (strcmp(uri, "/count") == 0 || strcmp(uri, "/reset") == 0)) {
        char line[256];
        int n = format_counts(line, sizeof line);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
        evbuffer_add(evhttp_request_get_output_buffer(req), line, (size_t)n);
        evhttp_send_reply(req, 200, "OK", NULL);
        if (uri[1] == 'r') {
            requests = bad = 0;
            body_bytes = 0;
            first_s = last_s = 0;
        }
        return;
    }
    evhttp_send_error(req, 404, "Not Found");
}

static void stop_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: hook_sink PORT [whsec_SECRET]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "hook_sink: bad port %s\n", argv[1]);
        return 2;
    }
    if (sodium_init() < 0)
        return 1;
    if (argc > 2) {
        const char *s = argv[2];
        if (strncmp(s, "whsec_", 6) == 0)
            s += 6;
        if (sodium_base642bin(key, sizeof key, s, strlen(s), NULL, &key_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            key_len == 0) {
            fprintf(stderr, "hook_sink: the secret is not whsec_<base64>\n");
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    struct event_base *base = event_base_new();
    struct evhttp *http = base != NULL ? evhttp_new(base) : NULL;
    if (http == NULL)
        return 1;
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    evhttp_set_gencb(http, request_cb, NULL);
    evhttp_set_timeout(http, 60);
    if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)port) != 0) {
        fprintf(stderr, "hook_sink: cannot listen on 127.0.0.1:%d\n", port);
        return 1;
    }
    struct event *term = evsignal_new(base, SIGTERM, stop_cb, base);
    struct event *intr = evsignal_new(base, SIGINT, stop_cb, base);
    if (term == NULL || intr == NULL || event_add(term, NULL) != 0 || event_add(intr, NULL) != 0)
        return 1;
    event_base_dispatch(base);
    char line[256];
    format_counts(line, sizeof line);
    fputs(line, stdout);
    fflush(stdout);
    event_free(term);
    event_free(intr);
    evhttp_free(http);
    event_base_free(base);
    return 0;
}
