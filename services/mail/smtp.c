/* smtp.c — SMTP through libcurl. One easy handle per lane, kept: libcurl
 * then keeps the relay's connection open between mails (no TCP and TLS
 * handshake per mail). One envelope per recipient, so one refusal is one
 * row's outcome. The relay's reply code and the command it answered
 * decide: a 5xx to RCPT TO or to the end of the data is this mail's and
 * final; any other failure (4xx, a 5xx to the greeting, AUTH, MAIL FROM or
 * STARTTLS, which are the relay's or our configuration's and would kill
 * every mail alike, or failing to talk to the relay at all) is tried again
 * later. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mime.h"
#include "mail/transport.h"

struct smtp {
    CURL *curl;
    const struct config *cfg;
    char from[320];
};

struct reader {
    const char *p;
    size_t left;
};

/* The last thing sent, as libcurl's debug callback shows it: the stage a
 * reply answers (libcurl's result codes mix them: CURLE_SEND_ERROR for
 * MAIL, RCPT and DATA, CURLE_WEIRD_SERVER_REPLY for the greeting and the
 * end of the data). */
enum stage { ST_OTHER, ST_RCPT, ST_BODY };

static int debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *arg)
{
    (void)c;
    enum stage *st = arg;
    /* the QUIT (or RSET) libcurl sends after a refusal answers nothing of
     * ours: the stage stays the refused command's */
    if (type == CURLINFO_HEADER_OUT && size >= 4 && strncmp(data, "QUIT", 4) != 0 &&
        strncmp(data, "RSET", 4) != 0)
        *st = strncmp(data, "RCPT", 4) == 0 ? ST_RCPT : ST_OTHER;
    else if (type == CURLINFO_DATA_OUT && size > 0)
        *st = ST_BODY;
    return 0;
}

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
    struct reader *r = arg;
    size_t want = size * n;
    if (want > r->left)
        want = r->left;
    memcpy(buf, r->p, want);
    r->p += want;
    r->left -= want;
    return want;
}

struct smtp *smtp_new(const struct config *cfg)
{
    struct smtp *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->cfg = cfg;
    s->curl = curl_easy_init();
    if (s->curl == NULL || !mime_address(cfg->mail_from, s->from + 1, sizeof s->from - 2)) {
        smtp_free(s);
        return NULL;
    }
    s->from[0] = '<';
    strcat(s->from, ">");
    return s;
}

void smtp_free(struct smtp *s)
{
    if (s == NULL)
        return;
    if (s->curl != NULL)
        curl_easy_cleanup(s->curl);
    free(s);
}

enum mail_outcome smtp_send(struct smtp *s, const char *rcpt, const char *msg, size_t len,
                            long timeout_ms, char *err, size_t errlen)
{
    char to[330];
    if (strchr(rcpt, '\r') || strchr(rcpt, '\n') || strchr(rcpt, '<') || strchr(rcpt, '>') ||
        snprintf(to, sizeof to, "<%s>", rcpt) >= (int)sizeof to) {
        snprintf(err, errlen, "smtp: not an address: %.100s", rcpt);
        return MAIL_DEAD;
    }
    struct curl_slist *rcpts = curl_slist_append(NULL, to);
    if (rcpts == NULL) {
        snprintf(err, errlen, "smtp: out of memory");
        return MAIL_RETRY;
    }
    struct reader rd = {msg, len};
    CURL *c = s->curl;
    const struct config *cfg = s->cfg;
    /* set again for every mail: curl_easy_reset is not called, so the
     * handle (and its connection cache) stays */
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for timeouts */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    enum stage st = ST_OTHER;
    /* the debug callback is called only when verbose; with one set,
     * libcurl prints nothing itself */
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &st);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &rd);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    long tls = strcmp(cfg->smtp_tls, "required") == 0        ? (long)CURLUSESSL_ALL
               : strcmp(cfg->smtp_tls, "opportunistic") == 0 ? (long)CURLUSESSL_TRY
                                                             : (long)CURLUSESSL_NONE;
    curl_easy_setopt(c, CURLOPT_USE_SSL, tls);
    if (cfg->smtp_user[0] != '\0') {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL); /* the list is freed below */
    curl_slist_free_all(rcpts);
    if (rc == CURLE_OK)
        return MAIL_SENT;
    snprintf(err, errlen, "smtp: %s (reply %ld)", curl_easy_strerror(rc), code);
    /* only a refusal of this mail is final: a refused login (535), an
     * authentication required (530), a failed STARTTLS, a 554 greeting are
     * the relay's or our configuration's, and the mail waits for the fix
     * rather than dying */
    if (code >= 500 && code < 600 && (st == ST_RCPT || st == ST_BODY) && rc != CURLE_LOGIN_DENIED &&
        rc != CURLE_USE_SSL_FAILED)
        return MAIL_DEAD;
    return MAIL_RETRY;
}
