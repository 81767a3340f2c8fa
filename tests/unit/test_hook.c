/* test_hook.c — the webhook lane's pure parts (services/notify): the
 * Standard Webhooks signature against the specification's own test vector
 * (its secret decodes to 24 bytes, so a signer that keyed with a fixed 32
 * would fail it), secrets with and without their prefix, and the address
 * check, IPv4, IPv6 and the IPv6 forms of IPv4. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "notify/hook_addr.h"
#include "notify/hook_sign.h"
#include "unit.h"

static bool refused(const char *text)
{
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    char why[200];
    if (inet_pton(AF_INET, text, &in.sin_addr) == 1)
        return hook_addr_refused((struct sockaddr *)&in, why, sizeof why);
    if (inet_pton(AF_INET6, text, &in6.sin6_addr) == 1)
        return hook_addr_refused((struct sockaddr *)&in6, why, sizeof why);
    CHECK(!"not an address");
    return false;
}

void test_hook(void)
{
    unsigned char key[HOOK_KEY_MAX];
    size_t keylen = 0;
    CHECK(hook_secret_decode("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, &keylen));
    CHECK(keylen == 24);
    const char body[] = "{\"test\": 2432232314}";
    char sig[HOOK_SIGNATURE_MAX];
    hook_sign(key, keylen, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body, sizeof body - 1,
              sig);
    CHECK_STR(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* one byte of the body changed: another signature */
    hook_sign(key, keylen, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232315}",
              sizeof body - 1, sig);
    CHECK(strcmp(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=") != 0);

    /* the prefix is optional (the database keeps bare base64); not
     * base64, empty or longer than the table allows are refused */
    size_t k2 = 0;
    CHECK(hook_secret_decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, &k2) && k2 == 24);
    CHECK(!hook_secret_decode("whsec_not base64!", key, &k2));
    CHECK(!hook_secret_decode("whsec_", key, &k2));
    CHECK(!hook_secret_decode("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
                              "QUFBQUFBQUFBQUFBQUFBQUFBQUFB",
                              key, &k2));

    const char *const bad[] = {
        "127.0.0.1",       "127.255.0.9",     "10.1.2.3",       "172.16.0.1",    "172.31.255.255",
        "192.168.1.1",     "169.254.169.254", "100.64.0.1",     "0.0.0.0",       "224.0.0.1",
        "255.255.255.255", "198.18.0.1",      "192.0.2.1",      "::1",           "::",
        "fe80::1",         "fc00::1",         "fd12:3456::1",   "ff02::1",       "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "::127.0.0.1",     "64:ff9b::a00:1", "2002:7f00:1::", "2001:db8::1",
        "fec0::1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool r = refused(bad[i]);
        if (!r)
            fprintf(stderr, "not refused: %s\n", bad[i]);
        CHECK(r);
    }
    const char *const good[] = {
        "8.8.8.8",         "1.1.1.1",        "172.32.0.1",       "100.128.0.1",    "192.169.0.1",
        "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::", "190.12.80.1",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        bool r = refused(good[i]);
        if (r)
            fprintf(stderr, "refused: %s\n", good[i]);
        CHECK(!r);
    }
    struct sockaddr_in in = {.sin_family = AF_INET};
    inet_pton(AF_INET, "169.254.169.254", &in.sin_addr);
    char why[200];
    CHECK(hook_addr_refused((struct sockaddr *)&in, why, sizeof why));
    CHECK(strstr(why, "169.254.169.254 is link-local") != NULL);
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &in6.sin6_addr);
    CHECK(hook_addr_refused((struct sockaddr *)&in6, why, sizeof why));
    CHECK(strstr(why, "IPv4-mapped") != NULL && strstr(why, "loopback") != NULL);
    struct sockaddr un = {.sa_family = AF_UNIX};
    CHECK(hook_addr_refused(&un, NULL, 0));
}
