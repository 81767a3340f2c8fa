/* mime.c — builds the mail text. Why each choice: RFC 5322 wants CRLF and
 * lines of at most 998 octets, and recommends 78; encoded words (RFC 2047)
 * are at most 75 characters and folded so no header line passes 76. A text
 * part goes 8bit (readable as it is, every relay today speaks 8BITMIME)
 * unless a line is too long for SMTP, then quoted-printable, which folds. */
#include "mail/mime.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
    char *s;
    size_t len, cap;
    bool oom;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->s, cap);
        if (p == NULL) {
            o->oom = true;
            return;
        }
        o->s = p;
        o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf) {
        o->oom = true; /* only short, fixed headers go through here */
        return;
    }
    put(o, buf, (size_t)n);
}

/* A header value never carries a line break of its own (header injection):
 * CR and LF become spaces. */
static void put_clean(struct out *o, const char *s)
{
    for (; *s; s++) {
        char c = (*s == '\r' || *s == '\n') ? ' ' : *s;
        put(o, &c, 1);
    }
}

static bool plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x7f || (unsigned char)*s < 0x20)
            return false;
    return true;
}

/* Writes s as encoded words "=?UTF-8?B?...?=", each line (the first after
 * col columns already used) at most 76 columns, cut between UTF-8
 * characters only, continuation lines starting with a space. */
static void put_encoded_words(struct out *o, const char *s, size_t col)
{
    size_t n = strlen(s), i = 0;
    bool first = true;
    while (i < n || first) {
        size_t width = 76 - (first ? col : 1);
        size_t max = (width - 12) / 4 * 3; /* 12: "=?UTF-8?B?" and "?=" */
        size_t take = n - i < max ? n - i : max;
        while (take > 0 && i + take < n && ((unsigned char)s[i + take] & 0xc0) == 0x80)
            take--;
        char b64[128];
        char chunk[64];
        for (size_t k = 0; k < take; k++) /* CR/LF as in put_clean */
            chunk[k] = (s[i + k] == '\r' || s[i + k] == '\n') ? ' ' : s[i + k];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)chunk, take,
                          sodium_base64_VARIANT_ORIGINAL);
        if (!first)
            puts_(o, "\r\n ");
        puts_(o, "=?UTF-8?B?");
        puts_(o, b64);
        puts_(o, "?=");
        i += take;
        first = false;
    }
}

static void header_text(struct out *o, const char *name, const char *value)
{
    puts_(o, name);
    puts_(o, ": ");
    if (plain_ascii(value) && strstr(value, "=?") == NULL && strlen(value) + strlen(name) < 76)
        put_clean(o, value);
    else
        put_encoded_words(o, value, strlen(name) + 2);
    puts_(o, "\r\n");
}

/* To: "Name" <addr>, the name quoted (RFC 5322 quoted-string) when plain
 * ASCII, else encoded words, which need no quoting. */
static void header_to(struct out *o, const char *name, const char *email)
{
    puts_(o, "To: ");
    if (name != NULL && name[0] != '\0') {
        if (plain_ascii(name) && strstr(name, "=?") == NULL && strlen(name) < 60) {
            puts_(o, "\"");
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    puts_(o, "\\");
                put(o, p, 1);
            }
            puts_(o, "\"");
        } else {
            put_encoded_words(o, name, 4);
        }
        puts_(o, "\r\n <");
    } else {
        puts_(o, "<");
    }
    put_clean(o, email);
    puts_(o, ">\r\n");
}

/* The longest line of s in octets, not counting its line end. */
static size_t longest_line(const char *s)
{
    size_t max = 0, cur = 0;
    for (; *s; s++) {
        if (*s == '\n') {
            if (cur > max)
                max = cur;
            cur = 0;
        } else if (*s != '\r') {
            cur++;
        }
    }
    return cur > max ? cur : max;
}

/* s with every line end as CRLF, ending in one. */
static void put_crlf_text(struct out *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\r')
            continue;
        if (*s == '\n')
            puts_(o, "\r\n");
        else
            put(o, s, 1);
    }
    if (o->len < 2 || memcmp(o->s + o->len - 2, "\r\n", 2) != 0)
        puts_(o, "\r\n");
}

/* RFC 2045 §6.7: printable ASCII but "=" as it is, the rest as =XX, a
 * space or tab before a line end encoded, soft breaks ("=" CRLF) keeping
 * lines within 76. */
static void put_qp(struct out *o, const char *s)
{
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n') {
            puts_(o, "\r\n");
            col = 0;
            continue;
        }
        /* the CRs are dropped, so a space before any run of them and a line
         * end (or the end) is at the line's end, and is encoded */
        const unsigned char *q = p + 1;
        while (*q == '\r')
            q++;
        bool at_end = *q == '\0' || *q == '\n';
        char enc[4];
        size_t w;
        if ((*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !at_end)) {
            enc[0] = (char)*p;
            w = 1;
        } else {
            snprintf(enc, sizeof enc, "=%02X", *p);
            w = 3;
        }
        if (col + w > 75) {
            puts_(o, "=\r\n");
            col = 0;
        }
        put(o, enc, w);
        col += w;
    }
    puts_(o, "\r\n");
}

static void text_part(struct out *o, const char *subtype, const char *body)
{
    bool qp = longest_line(body) > 998;
    putf(o, "Content-Type: text/%s; charset=UTF-8\r\nContent-Transfer-Encoding: %s\r\n\r\n",
         subtype, qp ? "quoted-printable" : "8bit");
    if (qp)
        put_qp(o, body);
    else
        put_crlf_text(o, body);
}

static void attachment_part(struct out *o, const struct mime_attachment *a)
{
    puts_(o, "Content-Type: ");
    put_clean(o, a->content_type);
    puts_(o, "\r\nContent-Disposition: attachment; filename=\"");
    for (const char *p = a->filename; *p; p++)
        if (*p != '"' && *p != '\\' && *p != '\r' && *p != '\n')
            put(o, p, 1);
    puts_(o, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    for (size_t i = 0; i < a->len; i += 57) { /* 57 octets: a 76-character line */
        size_t n = a->len - i < 57 ? a->len - i : 57;
        char line[80];
        sodium_bin2base64(line, sizeof line, (const unsigned char *)a->bytes + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        puts_(o, line);
        puts_(o, "\r\n");
    }
}

char *mime_build(const struct mime_mail *m, size_t *len)
{
    struct out o = {0};
    char date[64];
    struct tm tm;
    gmtime_r(&m->date, &tm);
    /* the C locale's day and month names are RFC 5322's */
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    puts_(&o, "From: ");
    put_clean(&o, m->from);
    puts_(&o, "\r\n");
    header_to(&o, m->to_name, m->to_email);
    header_text(&o, "Subject", m->subject);
    putf(&o, "Date: %s\r\n", date);
    puts_(&o, "Message-ID: <");
    put_clean(&o, m->message_id);
    puts_(&o, "@gess>\r\nMIME-Version: 1.0\r\n");
    if (m->unsubscribe_url != NULL) {
        puts_(&o, "List-Unsubscribe: <");
        put_clean(&o, m->unsubscribe_url);
        puts_(&o, ">\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
    }
    /* the boundaries are random (128 bits): the Message-ID is not, and a
     * body (a payload value in a template) could carry it, ending a part
     * early */
    unsigned char rnd[16];
    char hex[2 * sizeof rnd + 1], alt[80], mix[80];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(alt, sizeof alt, "=_alt_%s", hex);
    snprintf(mix, sizeof mix, "=_mix_%s", hex);
    if (m->nattachments > 0)
        putf(&o, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n--%s\r\n", mix, mix);
    if (m->html != NULL) {
        putf(&o, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", alt);
        putf(&o, "--%s\r\n", alt);
        text_part(&o, "plain", m->text);
        putf(&o, "--%s\r\n", alt);
        text_part(&o, "html", m->html);
        putf(&o, "--%s--\r\n", alt);
    } else {
        /* a text-only mail (no html): its one part, no alternative */
        text_part(&o, "plain", m->text);
    }
    for (size_t i = 0; i < m->nattachments; i++) {
        putf(&o, "--%s\r\n", mix);
        attachment_part(&o, &m->attachments[i]);
    }
    if (m->nattachments > 0)
        putf(&o, "--%s--\r\n", mix);
    if (o.oom) {
        free(o.s);
        return NULL;
    }
    *len = o.len;
    return o.s;
}

bool mime_address(const char *from, char *out, size_t outlen)
{
    const char *lt = strrchr(from, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    const char *start = lt && gt ? lt + 1 : from;
    size_t n = lt && gt ? (size_t)(gt - start) : strlen(from);
    while (n > 0 && (*start == ' ' || *start == '\t'))
        start++, n--;
    while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t'))
        n--;
    if (n == 0 || n + 1 > outlen)
        return false;
    memcpy(out, start, n);
    out[n] = '\0';
    return true;
}
