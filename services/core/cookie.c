/* cookie.c — reading and setting cookies (RFC 6265 §4.1, §5.2, §5.4). */
#include "core/cookie.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/req.h"

/* cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E */
static bool cookie_octet(unsigned char c)
{
    return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

/* token (RFC 9110 §5.6.2): visible ASCII but separators */
static bool token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

bool cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
    if (outlen > 0)
        out[0] = '\0';
    if (header == NULL || name == NULL || outlen == 0)
        return false;
    size_t name_len = strlen(name);
    const char *p = header;
    while (*p != '\0') {
        const char *end = strchr(p, ';');
        if (end == NULL)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq != NULL) {
            const char *ns = p, *ne = eq;
            while (ns < ne && blank(*ns))
                ns++;
            while (ne > ns && blank(ne[-1]))
                ne--;
            if ((size_t)(ne - ns) == name_len && memcmp(ns, name, name_len) == 0) {
                const char *vs = eq + 1, *ve = end;
                while (vs < ve && blank(*vs))
                    vs++;
                while (ve > vs && blank(ve[-1]))
                    ve--;
                if (ve - vs >= 2 && vs[0] == '"' && ve[-1] == '"') {
                    vs++;
                    ve--;
                }
                size_t n = (size_t)(ve - vs);
                if (n >= outlen)
                    return false;
                for (size_t i = 0; i < n; i++)
                    if (!cookie_octet((unsigned char)vs[i]))
                        return false;
                memcpy(out, vs, n);
                out[n] = '\0';
                return true;
            }
        }
        p = *end == ';' ? end + 1 : end;
    }
    return false;
}

int cookie_format(char *out, size_t outlen, const char *name, const char *value, int max_age_s,
                  unsigned flags)
{
    if (name == NULL || value == NULL || name[0] == '\0')
        return -1;
    for (const char *c = name; *c != '\0'; c++)
        if (!token_char((unsigned char)*c))
            return -1;
    for (const char *c = value; *c != '\0'; c++)
        if (!cookie_octet((unsigned char)*c))
            return -1;
    char age[32] = "";
    if (max_age_s >= 0)
        snprintf(age, sizeof age, "; Max-Age=%d", max_age_s);
    int n = snprintf(out, outlen, "%s=%s; Path=/%s%s%s; SameSite=Lax", name, value, age,
                     (flags & COOKIE_HTTPONLY) ? "; HttpOnly" : "",
                     (flags & COOKIE_SECURE) ? "; Secure" : "");
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int cookie_set(struct req *r, const char *name, const char *value, int max_age_s, unsigned flags)
{
    const char *pub = req_config(r)->public_url;
    if (pub != NULL && evutil_ascii_strncasecmp(pub, "https:", 6) == 0)
        flags |= COOKIE_SECURE;
    char line[COOKIE_SET_MAX];
    if (cookie_format(line, sizeof line, name, value, max_age_s, flags) != 0)
        return -1;
    req_add_header(r, "Set-Cookie", line);
    return 0;
}

bool cookie_req_get(const struct req *r, const char *name, char *out, size_t outlen)
{
    const struct evkeyvalq *in = evhttp_request_get_input_headers(r->ev);
    for (const struct evkeyval *h = in->tqh_first; h != NULL; h = h->next.tqe_next)
        if (evutil_ascii_strcasecmp(h->key, "Cookie") == 0 &&
            cookie_get(h->value, name, out, outlen))
            return true;
    if (outlen > 0)
        out[0] = '\0';
    return false;
}
