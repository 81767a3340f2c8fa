/* cookie.h — HTTP cookies (RFC 6265): reading one from a Cookie header
 * and adding a Set-Cookie to an answer. Cookie values gess sets are
 * base64url tokens and language codes; anything else is refused on both
 * sides rather than escaped. */
#ifndef GESS_COOKIE_H
#define GESS_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

struct req;

enum cookie_flags {
    COOKIE_HTTPONLY = 1, /* not readable by scripts */
    COOKIE_SECURE = 2,   /* only over https (added anyway when public_url is https) */
};

/* The longest Set-Cookie value cookie_format writes (name, value and
 * attributes together). */
#define COOKIE_SET_MAX 512

/* The value of the first cookie called name in a Cookie header (RFC 6265
 * §5.4: "a=b; c=d", blanks around pairs and around '=' ignored, a value in
 * double quotes unquoted, pairs without '=' skipped) into out. False when
 * header is NULL, there is no such cookie, its value holds a byte outside
 * RFC 6265's cookie-octet (after unquoting) or an unbalanced quote, or it
 * does not fit in outlen with its NUL; out is then "" (when outlen > 0). */
bool cookie_get(const char *header, const char *name, char *out, size_t outlen)
    __attribute__((warn_unused_result));

/* Writes the Set-Cookie value for name=value: Path=/, SameSite=Lax always,
 * Max-Age=max_age_s when >= 0 (0 deletes the cookie; -1: a session cookie
 * without Max-Age), HttpOnly and Secure as flags say. 0, or -1 when name
 * is not an RFC 6265 token, value holds a byte outside cookie-octet, or
 * the text does not fit. */
int cookie_format(char *out, size_t outlen, const char *name, const char *value, int max_age_s,
                  unsigned flags) __attribute__((warn_unused_result));

/* Adds a Set-Cookie header to r's answer (before it is answered), as
 * cookie_format writes it, Secure added when public_url starts with
 * https. 0, or -1 (nothing added) when cookie_format refuses. */
int cookie_set(struct req *r, const char *name, const char *value, int max_age_s, unsigned flags)
    __attribute__((warn_unused_result));

/* The cookie `name` of r's Cookie header, as cookie_get reads it. When
 * the client sent several Cookie headers (HTTP/2 proxies split them) the
 * first that holds the name wins. */
bool cookie_req_get(const struct req *r, const char *name, char *out, size_t outlen)
    __attribute__((warn_unused_result));

#endif
