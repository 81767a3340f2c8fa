/* hook_sign.c — the Standard Webhooks signature: HMAC-SHA256 over
 * "<webhook-id>.<webhook-timestamp>.<body>", in base64, after "v1,". */
#include "notify/hook_sign.h"

#include <sodium.h>
#include <string.h>

bool hook_secret_decode(const char *secret, unsigned char *key, size_t *keylen)
{
    if (strncmp(secret, "whsec_", 6) == 0)
        secret += 6;
    const char *end = NULL;
    if (sodium_base642bin(key, HOOK_KEY_MAX, secret, strlen(secret), NULL, keylen, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return *end == '\0' && *keylen > 0;
}

void hook_sign(const unsigned char *key, size_t keylen, const char *id, const char *timestamp,
               const char *body, size_t bodylen, char out[HOOK_SIGNATURE_MAX])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, bodylen);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, HOOK_SIGNATURE_MAX - 3, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(&st, sizeof st);
}
