/*
 * smtp_ceiling — the SMTP ceiling of this machine for `make bench` part i.
 *
 * The least a libcurl sender can do: one easy handle (so one connection,
 * reused), N messages of about the size gessd notify sends, one envelope
 * each to a distinct recipient, nothing else (no database, no rendering).
 * Whatever `gessd notify` loses against it is its own overhead: claiming,
 * rendering, MIME, recording.
 *
 * usage: smtp_ceiling SMTP_URL N [BODY_BYTES | @MESSAGE_FILE]
 * With @MESSAGE_FILE it sends that message as it is, N times: the bench
 * passes one that gessd notify wrote (into a maildir), so both sides send
 * the same bytes (text, HTML, the .ics). Prints "mails_per_s X sent N
 * failed F".
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct reader {
    const char *p;
    size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
    struct reader *r = arg;
    size_t want = size * n < r->left ? size * n : r->left;
    memcpy(buf, r->p, want);
    r->p += want;
    r->left -= want;
    return want;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: smtp_ceiling SMTP_URL N [BODY_BYTES]\n");
        return 2;
    }
    long n = atol(argv[2]);
    const char *file = argc > 3 && argv[3][0] == '@' ? argv[3] + 1 : NULL;
    size_t body = argc > 3 && file == NULL ? (size_t)atol(argv[3]) : 1500;
    size_t whole = 0;
    char *msg = NULL;
    if (file != NULL) {
        FILE *f = fopen(file, "rb");
        if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
            fprintf(stderr, "smtp_ceiling: cannot read %s\n", file);
            return 2;
        }
        long sz = ftell(f);
        rewind(f);
        msg = sz > 0 ? malloc((size_t)sz) : NULL;
        whole = msg != NULL ? fread(msg, 1, (size_t)sz, f) : 0;
        fclose(f);
        if (whole == 0)
            return 2;
    } else {
        msg = malloc(body + 512);
    }
    if (msg == NULL || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 1;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return 1;
    curl_easy_setopt(c, CURLOPT_URL, argv[1]);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, "<bench@gess.test>");
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long failed = 0;
    for (long i = 0; i < n; i++) {
        char rcpt[64];
        snprintf(rcpt, sizeof rcpt, "<c%ld@bench.test>", i);
        struct reader rd = {msg, whole};
        if (file == NULL) {
            int h = snprintf(msg, 512,
                             "From: bench@gess.test\r\nTo: %s\r\nSubject: ceiling %ld\r\n"
                             "Message-ID: <%ld@ceiling>\r\nMIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=UTF-8\r\n\r\n",
                             rcpt, i, i);
            /* lines of 76 octets, as a mail's text part has (SMTP refuses
             * lines over 998) */
            memset(msg + h, 'x', body);
            for (size_t k = 74; k + 1 < body; k += 76)
                memcpy(msg + h + k, "\r\n", 2);
            memcpy(msg + h + body - 2, "\r\n", 2);
            rd.left = (size_t)h + body;
        }
        struct curl_slist *to = curl_slist_append(NULL, rcpt);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
        curl_easy_setopt(c, CURLOPT_READDATA, &rd);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rd.left);
        if (curl_easy_perform(c) != CURLE_OK)
            failed++;
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
        curl_slist_free_all(to);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("mails_per_s %.1f sent %ld failed %ld\n", (double)(n - failed) / s, n - failed, failed);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    free(msg);
    return failed == 0 ? 0 : 1;
}
