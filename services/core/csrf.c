/* csrf.c — CSRF tokens derived from the session or pre-session cookie. */
#include "core/csrf.h"

#include <sodium.h>
#include <string.h>

#include "core/auth.h"
#include "core/cookie.h"
#include "core/req.h"

void csrf_token_for(const char *secret_cookie_value, char out[44])
{
    static const char prefix[] = "gess-csrf:";
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)prefix, sizeof prefix - 1);
    crypto_generichash_update(&st, (const unsigned char *)secret_cookie_value,
                              strlen(secret_cookie_value));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2base64(out, 44, h, sizeof h, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void csrf_token_masked(const char *secret_cookie_value, char out[CSRF_MASKED_LEN + 1])
{
    char plain[44];
    unsigned char raw[32], both[64];
    size_t n = 0;
    csrf_token_for(secret_cookie_value, plain);
    (void)sodium_base642bin(raw, sizeof raw, plain, CSRF_TOKEN_LEN, NULL, &n, NULL,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    randombytes_buf(both, 32);
    for (size_t i = 0; i < 32; i++)
        both[32 + i] = raw[i] ^ both[i];
    sodium_bin2base64(out, CSRF_MASKED_LEN + 1, both, sizeof both,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

/* A masked token (csrf_token_masked) back to the token, into out; false
 * when presented is not one. */
static bool unmask(const char *presented, char out[44])
{
    unsigned char both[64], raw[32];
    size_t n = 0;
    if (sodium_base642bin(both, sizeof both, presented, CSRF_MASKED_LEN, NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        n != sizeof both)
        return false;
    for (size_t i = 0; i < 32; i++)
        raw[i] = both[32 + i] ^ both[i];
    sodium_bin2base64(out, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return true;
}

/* The secret of r without making one: "" when there is none. */
static void existing_secret(struct req *r, char out[44])
{
    if (r->auth.ok && r->auth.by_cookie) {
        memcpy(out, r->auth.cookie_token, sizeof r->auth.cookie_token);
        return;
    }
    char hash[65];
    if (!cookie_req_get(r, CSRF_PRE_COOKIE, out, 44) || !auth_token_hash(out, hash))
        out[0] = '\0'; /* absent, or not of the shape we make */
}

bool csrf_ok(struct req *r, const char *presented)
{
    char secret[44], want[44], unmasked[44];
    existing_secret(r, secret);
    if (secret[0] == '\0' || presented == NULL)
        return false;
    size_t len = strlen(presented);
    if (len == CSRF_MASKED_LEN && unmask(presented, unmasked))
        presented = unmasked;
    else if (len != CSRF_TOKEN_LEN)
        return false;
    csrf_token_for(secret, want);
    bool ok = sodium_memcmp(want, presented, CSRF_TOKEN_LEN) == 0;
    sodium_memzero(secret, sizeof secret);
    return ok;
}

bool csrf_secret(struct req *r, char out[44])
{
    existing_secret(r, out);
    if (out[0] != '\0')
        return true;
    char hash[65];
    auth_token_new(out, hash); /* 32 random bytes, base64url */
    return cookie_set(r, CSRF_PRE_COOKIE, out, CSRF_PRE_MAX_AGE, COOKIE_HTTPONLY) == 0;
}
