/* proxy.c — trusted proxies and X-Forwarded-For.
 *
 * Only X-Forwarded-For from a trusted peer is believed, and only from the
 * right: each proxy appends the address it saw, so everything left of the
 * right-most untrusted address was written by the client and may be a lie
 * (a client sending "X-Forwarded-For: 1.2.3.4" to rotate its throttle key
 * gets nothing from it). No other header (Forwarded, X-Real-IP) is read:
 * one rule, one place. */
#include "core/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Parses one address written as a client address may be: IPv4, IPv6,
 * "[IPv6]", "[IPv6]:port" or "IPv4:port" (some proxies add the port),
 * surrounding blanks allowed. IPv4-mapped IPv6 becomes IPv4. */
static bool addr_parse(const char *s, size_t len, int *family, unsigned char out[16])
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    char buf[INET6_ADDRSTRLEN + 8];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *a = buf;
    if (a[0] == '[') {
        char *close = strchr(a, ']');
        if (close == NULL)
            return false;
        if (close[1] != '\0' && (close[1] != ':' || strspn(close + 2, "0123456789") == 0 ||
                                 close[2 + strspn(close + 2, "0123456789")] != '\0'))
            return false;
        *close = '\0';
        a++;
        if (inet_pton(AF_INET6, a, out) != 1)
            return false;
        *family = AF_INET6;
    } else if (strchr(a, ':') != NULL && strchr(a, ':') == strrchr(a, ':') &&
               strchr(a, '.') != NULL) {
        /* exactly one colon and a dot: IPv4 with a port */
        char *colon = strchr(a, ':');
        if (colon[1] == '\0' || colon[1 + strspn(colon + 1, "0123456789")] != '\0')
            return false;
        *colon = '\0';
        if (inet_pton(AF_INET, a, out) != 1)
            return false;
        *family = AF_INET;
    } else if (inet_pton(AF_INET, a, out) == 1) {
        *family = AF_INET;
    } else if (inet_pton(AF_INET6, a, out) == 1) {
        *family = AF_INET6;
    } else {
        return false;
    }
    if (*family == AF_INET6 && memcmp(out, v4_mapped, sizeof v4_mapped) == 0) {
        memmove(out, out + 12, 4);
        *family = AF_INET;
    }
    return true;
}

static bool net_contains(const struct proxy_net *n, int family, const unsigned char *a)
{
    if (n->family != family)
        return false;
    int full = n->prefix / 8, rest = n->prefix % 8;
    if (memcmp(n->addr, a, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (n->addr[full] & mask) == (a[full] & mask);
}

static bool trusted(const struct proxy_list *l, int family, const unsigned char *a)
{
    for (size_t i = 0; i < l->n; i++)
        if (net_contains(&l->nets[i], family, a))
            return true;
    return false;
}

/* One entry of trusted_proxies: an address, optionally /prefix. */
static bool net_parse(const char *s, size_t len, struct proxy_net *n, char *err, size_t errlen)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0) {
        snprintf(err, errlen, "an empty entry");
        return false;
    }
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    char buf[INET6_ADDRSTRLEN];
    bool ok = alen > 0 && alen < sizeof buf;
    if (ok) {
        memcpy(buf, s, alen);
        buf[alen] = '\0';
        memset(n->addr, 0, sizeof n->addr);
        if (inet_pton(AF_INET, buf, n->addr) == 1)
            n->family = AF_INET;
        else if (inet_pton(AF_INET6, buf, n->addr) == 1)
            n->family = AF_INET6;
        else
            ok = false;
    }
    if (!ok) {
        snprintf(err, errlen, "'%.*s' is not an IPv4 or IPv6 address", (int)(alen < 64 ? alen : 64),
                 s);
        return false;
    }
    int max = n->family == AF_INET ? 32 : 128;
    n->prefix = max;
    if (slash != NULL) {
        const char *p = slash + 1;
        size_t plen = len - alen - 1;
        long v = 0;
        ok = plen > 0 && plen <= 3;
        for (size_t i = 0; ok && i < plen; i++) {
            ok = p[i] >= '0' && p[i] <= '9';
            v = v * 10 + (p[i] - '0');
        }
        if (!ok || v > max) {
            snprintf(err, errlen, "'%.*s': the prefix is not a number from 0 to %d",
                     (int)(len < 80 ? len : 80), s, max);
            return false;
        }
        n->prefix = (int)v;
    }
    for (int bit = n->prefix; bit < max; bit++)
        if (n->addr[bit / 8] & (0x80 >> (bit % 8))) {
            snprintf(err, errlen, "'%.*s' has bits set right of its prefix",
                     (int)(len < 80 ? len : 80), s);
            return false;
        }
    /* ::ffff:10.0.0.0/104 is 10.0.0.0/8: match it as the peers are matched */
    if (n->family == AF_INET6 && n->prefix >= 96 && memcmp(n->addr, v4_mapped, 12) == 0) {
        memmove(n->addr, n->addr + 12, 4);
        memset(n->addr + 4, 0, 12);
        n->family = AF_INET;
        n->prefix -= 96;
    }
    return true;
}

bool proxy_parse(const char *text, struct proxy_list *out, char *err, size_t errlen)
{
    out->nets = NULL;
    out->n = 0;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return true;
    size_t count = 1;
    for (const char *c = p; *c; c++)
        count += *c == ',';
    out->nets = calloc(count, sizeof *out->nets);
    if (out->nets == NULL) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    for (;;) {
        size_t len = strcspn(p, ",");
        if (!net_parse(p, len, &out->nets[out->n], err, errlen)) {
            proxy_list_free(out);
            return false;
        }
        out->n++;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return true;
}

void proxy_list_free(struct proxy_list *l)
{
    free(l->nets);
    l->nets = NULL;
    l->n = 0;
}

bool proxy_is_trusted(const struct proxy_list *l, const char *addr)
{
    int family;
    unsigned char a[16];
    return l->n > 0 && addr_parse(addr, strlen(addr), &family, a) && trusted(l, family, a);
}

static void addr_format(int family, const unsigned char *a, char out[PROXY_ADDR_LEN])
{
    if (inet_ntop(family, a, out, PROXY_ADDR_LEN) == NULL)
        snprintf(out, PROXY_ADDR_LEN, "unknown");
}

void proxy_client_addr(const struct proxy_list *l, const char *peer, const char *const *xff,
                       size_t nxff, char out[PROXY_ADDR_LEN])
{
    int family;
    unsigned char a[16];
    if (peer == NULL || !addr_parse(peer, strlen(peer), &family, a)) {
        snprintf(out, PROXY_ADDR_LEN, "%s", peer ? peer : "unknown");
        return;
    }
    /* walk from the right: the last header's last element first */
    for (size_t h = nxff; trusted(l, family, a) && h-- > 0;) {
        const char *v = xff[h];
        size_t end = strlen(v);
        for (;;) {
            size_t start = end;
            while (start > 0 && v[start - 1] != ',')
                start--;
            int f2;
            unsigned char a2[16];
            if (!addr_parse(v + start, end - start, &f2, a2)) {
                /* "a, , b" and the like: blanks between commas are no hop */
                size_t k = start;
                while (k < end && (v[k] == ' ' || v[k] == '\t'))
                    k++;
                if (k < end)
                    goto done; /* not an address: the last trusted hop wrote it */
            } else {
                family = f2;
                memcpy(a, a2, sizeof a);
                if (!trusted(l, family, a))
                    goto done;
            }
            if (start == 0)
                break;
            end = start - 1;
        }
    }
done:
    addr_format(family, a, out);
}

void proxy_addr_key(const char *addr, char out[PROXY_ADDR_LEN])
{
    int family;
    unsigned char a[16];
    if (!addr_parse(addr, strlen(addr), &family, a)) {
        snprintf(out, PROXY_ADDR_LEN, "%s", addr);
        return;
    }
    if (family == AF_INET) {
        addr_format(family, a, out);
        return;
    }
    memset(a + 8, 0, 8);
    char net[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, a, net, sizeof net) == NULL)
        snprintf(out, PROXY_ADDR_LEN, "unknown");
    else
        snprintf(out, PROXY_ADDR_LEN, "%.40s/64", net); /* at most 21 + 3 */
}
