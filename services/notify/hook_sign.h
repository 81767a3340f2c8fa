/* hook_sign.h — the Standard Webhooks signature (issue 17): what a receiver
 * recomputes to trust a webhook. */
#ifndef GESS_HOOK_SIGN_H
#define GESS_HOOK_SIGN_H

#include <stdbool.h>
#include <stddef.h>

/* "v1," + base64 of 32 bytes + NUL */
#define HOOK_SIGNATURE_MAX 48
/* the longest key the webhooks table holds (0023: 24..64 bytes) */
#define HOOK_KEY_MAX 64

/* Decodes a secret, with or without its "whsec_" prefix, into key (at most
 * HOOK_KEY_MAX bytes); false when it is not standard base64 or too long. */
bool hook_secret_decode(const char *secret, unsigned char *key, size_t *keylen);

/* Writes "v1,<base64 HMAC-SHA256 of id.timestamp.body>" into out
 * (HOOK_SIGNATURE_MAX bytes), keyed with the whole key: libsodium's
 * crypto_auth_hmacsha256_init takes any length, where crypto_auth_hmacsha256
 * would want exactly 32 bytes and a receiver would compute another MAC. */
void hook_sign(const unsigned char *key, size_t keylen, const char *id, const char *timestamp,
               const char *body, size_t bodylen, char out[HOOK_SIGNATURE_MAX]);

#endif
