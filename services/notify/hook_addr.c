/* hook_addr.c — the ranges a webhook never reaches (IANA's special-purpose
 * address registries, IPv4 and IPv6), as a table: a reviewer reads the
 * list, not a chain of conditions. */
#include "notify/hook_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct range4 {
    uint32_t net;
    int bits;
    const char *what;
};

static const struct range4 v4[] = {
    {0x00000000, 8, "this network (0/8)"},
    {0x0A000000, 8, "private (10/8)"},
    {0x64400000, 10, "shared address space (100.64/10)"},
    {0x7F000000, 8, "loopback (127/8)"},
    {0xA9FE0000, 16, "link-local (169.254/16)"},
    {0xAC100000, 12, "private (172.16/12)"},
    {0xC0000000, 24, "IETF protocol assignments (192.0.0/24)"},
    {0xC0000200, 24, "documentation (192.0.2/24)"},
    {0xC0586300, 24, "6to4 relay anycast (192.88.99/24)"},
    {0xC0A80000, 16, "private (192.168/16)"},
    {0xC6120000, 15, "benchmarking (198.18/15)"},
    {0xC6336400, 24, "documentation (198.51.100/24)"},
    {0xCB007100, 24, "documentation (203.0.113/24)"},
    {0xE0000000, 4, "multicast (224/4)"},
    {0xF0000000, 4, "reserved (240/4, broadcast)"},
};

static const char *v4_refused(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4 / sizeof v4[0]; i++) {
        uint32_t mask = v4[i].bits == 0 ? 0 : 0xFFFFFFFFu << (32 - v4[i].bits);
        if ((a & mask) == v4[i].net)
            return v4[i].what;
    }
    return NULL;
}

static uint32_t v4_at(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool prefix(const unsigned char *a, const unsigned char *p, int bits)
{
    int bytes = bits / 8, rest = bits % 8;
    if (memcmp(a, p, (size_t)bytes) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xFF << (8 - rest));
    return (a[bytes] & mask) == (p[bytes] & mask);
}

/* The IPv6 ranges; those that embed an IPv4 address say where it starts
 * (v4_at > 0), and the address is then judged by the IPv4 table. */
struct range6 {
    unsigned char net[16];
    int bits;
    int v4_at;
    const char *what;
};

static const struct range6 v6[] = {
    {{0}, 128, 0, "unspecified (::)"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, 0, "loopback (::1)"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, 96, 12, "IPv4-mapped (::ffff:0:0/96)"},
    {{0}, 96, 12, "IPv4-compatible (::/96)"},
    {{0x00, 0x64, 0xFF, 0x9B}, 96, 12, "NAT64 (64:ff9b::/96)"},
    {{0x00, 0x64, 0xFF, 0x9B, 0x00, 0x01}, 48, 0, "local NAT64 (64:ff9b:1::/48)"},
    {{0x01, 0x00}, 64, 0, "discard-only (100::/64)"},
    {{0x20, 0x01, 0x0D, 0xB8}, 32, 0, "documentation (2001:db8::/32)"},
    {{0x20, 0x02}, 16, 2, "6to4 (2002::/16)"},
    {{0xFC}, 7, 0, "unique local (fc00::/7)"},
    {{0xFE, 0x80}, 10, 0, "link-local (fe80::/10)"},
    {{0xFE, 0xC0}, 10, 0, "site-local (fec0::/10)"},
    {{0xFF}, 8, 0, "multicast (ff00::/8)"},
};

bool hook_addr_refused(const struct sockaddr *sa, char *why, size_t whylen)
{
    char text[INET6_ADDRSTRLEN] = "?";
    const char *what = NULL;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        what = v4_refused(ntohl(in->sin_addr.s_addr));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const unsigned char *a = in6->sin6_addr.s6_addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        for (size_t i = 0; i < sizeof v6 / sizeof v6[0] && what == NULL; i++) {
            if (!prefix(a, v6[i].net, v6[i].bits))
                continue;
            /* an embedded IPv4 address counts as itself: ::ffff:8.8.8.8
             * is public, ::ffff:127.0.0.1 is loopback */
            what = v6[i].v4_at > 0 ? v4_refused(v4_at(a + v6[i].v4_at)) : v6[i].what;
            if (v6[i].v4_at > 0 && what != NULL && why != NULL) {
                snprintf(why, whylen, "%s is %s, an IPv4 address that is %s", text, v6[i].what,
                         what);
                return true;
            }
            if (v6[i].v4_at > 0)
                break; /* a public IPv4 address in an IPv6 form */
        }
    } else {
        what = "not an IP address";
    }
    if (what != NULL && why != NULL)
        snprintf(why, whylen, "%s is %s", text, what);
    return what != NULL;
}
