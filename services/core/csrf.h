/* csrf.h — the CSRF token of a browser session (DESIGN.md §9). The token
 * is derived from a secret HttpOnly cookie another site can neither read
 * nor set: the session token itself once signed in (gess_session), before
 * that the pre-session cookie gess_pre. A form field csrf_token (or the
 * X-CSRF-Token header of the API) equal to it proves the request came from
 * one of our pages. */
#ifndef GESS_CSRF_H
#define GESS_CSRF_H

#include <stdbool.h>

struct req;

#define CSRF_TOKEN_LEN 43 /* 32 bytes, base64url without padding */
#define CSRF_PRE_COOKIE "gess_pre"
#define CSRF_PRE_MAX_AGE (24 * 3600)

/* base64url (no padding) of BLAKE2b-256("gess-csrf:" || value). */
void csrf_token_for(const char *secret_cookie_value, char out[44]);

/* The token as a page writes it: base64url of a fresh random pad and the
 * token's bytes XOR that pad, different in every answer, so a compressed
 * page (core/gzip.h) never repeats the secret bytes an attacker could
 * guess at by reflecting text beside them (BREACH). */
#define CSRF_MASKED_LEN 86 /* 64 bytes, base64url without padding */
void csrf_token_masked(const char *secret_cookie_value, char out[CSRF_MASKED_LEN + 1]);

/* Whether presented is the CSRF token (plain or masked) of r's browser: derived from the
 * session token when r was authenticated by the gess_session cookie, else
 * from the gess_pre cookie; false when there is neither, or presented is
 * NULL or differs (compared in constant time). */
bool csrf_ok(struct req *r, const char *presented) __attribute__((warn_unused_result));

/* The secret r's CSRF token derives from, into out (AUTH_TOKEN_LEN + 1):
 * the session token when authenticated by the cookie, else the gess_pre
 * cookie; when there is none, a new pre-session value is made and set as
 * gess_pre (HttpOnly, a day), so a page rendering a form calls this before
 * answering. False only when the new cookie could not be added. */
bool csrf_secret(struct req *r, char out[44]) __attribute__((warn_unused_result));

#endif
