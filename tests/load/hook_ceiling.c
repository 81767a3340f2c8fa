/*
 * hook_ceiling — the webhook ceiling of this machine for `make bench` part i3.
 *
 * The least a libcurl sender of signed webhooks can do: N POSTs of the very
 * bytes gessd notify sends (the body, and the headers content-type,
 * user-agent gess-webhooks/1, webhook-id, webhook-timestamp and
 * webhook-signature v1,<base64 HMAC-SHA256 of id.timestamp.body>, signed
 * anew for each message with libsodium's crypto_auth_hmacsha256), nothing
 * else: no database, no claim, no delivery log. Whatever `gessd notify`
 * loses against it is its own overhead.
 *
 * With CONCURRENCY > 1, libcurl's multi interface keeps that many transfers
 * in flight, each easy handle re-added as soon as its transfer ends, so the
 * connections are reused (as notify's webhook_concurrency, 32 by default).
 * With CONCURRENCY 1, a plain curl_easy_perform loop on one keep-alive
 * connection.
 *
 * usage: hook_ceiling URL N CONCURRENCY SECRET [@BODY_FILE | BODY_BYTES]
 *   SECRET   whsec_<base64 of the key> (the key notify signs with)
 *   @BODY_FILE  that body, as it is, for every message (the bench passes
 *            one notify sent, from webhook_deliveries.request_body);
 *            otherwise a registration.created event padded to BODY_BYTES
 *            (default: its natural size, 282 bytes)
 * Prints "posts_per_s X sent N failed F concurrency C connections K body B"
 * (K: connections opened, B: body bytes).
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CONCURRENCY 1024

static unsigned char key[64];
static size_t key_len;
static const char *body;
static size_t body_len;

struct xfer {
    CURL *easy;
    struct curl_slist *headers;
};

static size_t discard_cb(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

static void uuid4(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

/* The headers of one message: a fresh id, this second, its signature. */
static struct curl_slist *message_headers(void)
{
    char id[37], ts[24];
    uuid4(id);
    snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    char b64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    char h_id[64], h_ts[64], h_sig[128];
    snprintf(h_id, sizeof h_id, "webhook-id: %s", id);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %s", ts);
    snprintf(h_sig, sizeof h_sig, "webhook-signature: v1,%s", b64);
    struct curl_slist *h = curl_slist_append(NULL, "content-type: application/json");
    h = curl_slist_append(h, "user-agent: gess-webhooks/1");
    h = curl_slist_append(h, h_id);
    h = curl_slist_append(h, h_ts);
    h = curl_slist_append(h, h_sig);
    return h;
}

static CURL *new_easy(const char *url)
{
    CURL *e = curl_easy_init();
    if (e == NULL)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_cb);
    return e;
}

/* The outcome of one finished transfer: 1 when the receiver took it (2xx). */
static int took(CURL *e, CURLcode rc, long *connects)
{
    long status = 0, nc = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nc);
    *connects += nc;
    return rc == CURLE_OK && status >= 200 && status < 300;
}

static long run_sequential(const char *url, long n, long *failed, long *connects)
{
    CURL *e = new_easy(url);
    if (e == NULL)
        return -1;
    for (long i = 0; i < n; i++) {
        struct curl_slist *h = message_headers();
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
        CURLcode rc = curl_easy_perform(e);
        if (!took(e, rc, connects))
            (*failed)++;
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
        curl_slist_free_all(h);
    }
    curl_easy_cleanup(e);
    return 0;
}

static long run_multi(const char *url, long n, long c, long *failed, long *connects)
{
    CURLM *m = curl_multi_init();
    struct xfer *x = calloc((size_t)c, sizeof *x);
    if (m == NULL || x == NULL)
        return -1;
    /* one connection per transfer in flight, kept between transfers */
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, c);
    long started = 0, done = 0;
    for (long i = 0; i < c && started < n; i++) {
        x[i].easy = new_easy(url);
        if (x[i].easy == NULL)
            return -1;
        curl_easy_setopt(x[i].easy, CURLOPT_PRIVATE, &x[i]);
        x[i].headers = message_headers();
        curl_easy_setopt(x[i].easy, CURLOPT_HTTPHEADER, x[i].headers);
        curl_multi_add_handle(m, x[i].easy);
        started++;
    }
    while (done < n) {
        int running = 0;
        if (curl_multi_perform(m, &running) != CURLM_OK)
            return -1;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *e = msg->easy_handle;
            CURLcode rc = msg->data.result;
            char *priv = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
            struct xfer *t = (struct xfer *)priv;
            if (!took(e, rc, connects))
                (*failed)++;
            done++;
            curl_multi_remove_handle(m, e);
            curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
            curl_slist_free_all(t->headers);
            t->headers = NULL;
            if (started < n) {
                t->headers = message_headers();
                curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
                curl_multi_add_handle(m, e);
                started++;
            }
        }
        if (done < n && curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
            return -1;
    }
    for (long i = 0; i < c; i++) {
        if (x[i].easy != NULL)
            curl_easy_cleanup(x[i].easy);
        curl_slist_free_all(x[i].headers);
    }
    free(x);
    curl_multi_cleanup(m);
    return 0;
}

/* A registration.created event of the shape notify sends (jsonb's text:
 * keys by length, ", " and ": "), padded by a "pad" member of data to
 * about BYTES when BYTES is larger than its natural size. */
static char *sample_body(size_t bytes, size_t *len)
{
    char id[37], account[37], ts[48];
    uuid4(id);
    uuid4(account);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S.000000+00:00", &tm);
    char head[512];
    int h = snprintf(head, sizeof head,
                     "{\"data\": {\"id\": \"%s\", \"mode\": \"in_person\", \"status\": "
                     "\"confirmed\", \"edition\": \"gess-2028\", \"category\": \"general\", "
                     "\"account_id\": \"%s\"",
                     id, account);
    static const char tail_fmt[] = "}, \"type\": \"registration.created\", \"timestamp\": \"%s\"}";
    char tail[128];
    int t = snprintf(tail, sizeof tail, tail_fmt, ts);
    size_t natural = (size_t)h + (size_t)t;
    size_t pad = bytes > natural + 12 ? bytes - natural - 12 : 0;
    char *out = malloc(natural + pad + 16);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    memcpy(out, head, (size_t)h);
    o = (size_t)h;
    if (pad > 0) {
        memcpy(out + o, ", \"pad\": \"", 10);
        o += 10;
        memset(out + o, 'x', pad);
        o += pad;
        out[o++] = '"';
    }
    memcpy(out + o, tail, (size_t)t);
    o += (size_t)t;
    out[o] = '\0';
    *len = o;
    return out;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    long sz = ftell(f);
    rewind(f);
    char *p = sz > 0 ? malloc((size_t)sz + 1) : NULL;
    size_t got = p != NULL ? fread(p, 1, (size_t)sz, f) : 0;
    fclose(f);
    if (got == 0) {
        free(p);
        return NULL;
    }
    p[got] = '\0';
    *len = got;
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: hook_ceiling URL N CONCURRENCY whsec_SECRET "
                        "[@BODY_FILE | BODY_BYTES]\n");
        return 2;
    }
    const char *url = argv[1];
    long n = atol(argv[2]);
    long c = atol(argv[3]);
    if (n < 1 || c < 1 || c > MAX_CONCURRENCY) {
        fprintf(stderr, "hook_ceiling: N >= 1 and 1 <= CONCURRENCY <= %d\n", MAX_CONCURRENCY);
        return 2;
    }
    if (c > n)
        c = n;
    if (sodium_init() < 0)
        return 1;
    const char *s = argv[4];
    if (strncmp(s, "whsec_", 6) == 0)
        s += 6;
    if (sodium_base642bin(key, sizeof key, s, strlen(s), NULL, &key_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        key_len == 0) {
        fprintf(stderr, "hook_ceiling: the secret is not whsec_<base64>\n");
        return 2;
    }
    char *owned;
    if (argc > 5 && argv[5][0] == '@') {
        owned = read_file(argv[5] + 1, &body_len);
        if (owned == NULL) {
            fprintf(stderr, "hook_ceiling: cannot read %s\n", argv[5] + 1);
            return 2;
        }
    } else {
        owned = sample_body(argc > 5 ? (size_t)atol(argv[5]) : 0, &body_len);
        if (owned == NULL)
            return 1;
    }
    body = owned;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 1;
    long failed = 0, connects = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long rc = c == 1 ? run_sequential(url, n, &failed, &connects)
                     : run_multi(url, n, c, &failed, &connects);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != 0) {
        fprintf(stderr, "hook_ceiling: libcurl setup failed\n");
        return 1;
    }
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("posts_per_s %.1f sent %ld failed %ld concurrency %ld connections %ld body %zu\n",
           (double)(n - failed) / secs, n - failed, failed, c, connects, body_len);
    curl_global_cleanup();
    free(owned);
    return failed == 0 ? 0 : 1;
}
