/* proxy.h — `trusted_proxies` and the client address behind them
 * (DESIGN.md §3, "Behind a proxy"). Parsed once at start-up into a table;
 * every per-address rule (login and sign-up throttles) asks
 * req_client_addr(), which asks proxy_client_addr(). */
#ifndef GESS_PROXY_H
#define GESS_PROXY_H

#include <stdbool.h>
#include <stddef.h>

/* One trusted network: an IPv4 or IPv6 address and a prefix length. */
struct proxy_net {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int prefix;
};

/* The table; nets is owned by the list (proxy_list_free). */
struct proxy_list {
    struct proxy_net *nets;
    size_t n;
};

/* Longest text of an address proxy_client_addr() writes, with its NUL. */
#define PROXY_ADDR_LEN 48

/* Parses "10.0.0.0/8, 192.168.1.5, ::1, fd00::/8" (addresses or CIDRs,
 * IPv4 and IPv6, comma separated; empty: no proxy). Host bits right of a
 * prefix are refused, since "10.0.0.1/8" is more likely a typo than a
 * wish to trust a /8. On error writes why into err (without the key's
 * name: the caller adds it) and returns false with *out empty. */
bool proxy_parse(const char *text, struct proxy_list *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

void proxy_list_free(struct proxy_list *l);

/* True when the address text (IPv4, IPv6, IPv4-mapped IPv6) is inside one
 * of the trusted networks. */
bool proxy_is_trusted(const struct proxy_list *l, const char *addr);

/* The client's address: the socket peer, unless the peer is a trusted
 * proxy; then the right-most address of the X-Forwarded-For values (xff,
 * in the order the headers came, each a comma-separated list) that is not
 * itself a trusted proxy. When every address is trusted, the left-most of
 * them; an element that is not an address ends the walk at the last
 * trusted hop before it (that hop wrote it). Addresses are written in
 * canonical form (inet_ntop; IPv4-mapped IPv6 as IPv4) so that one client
 * is one throttle key however it is spelled. */
void proxy_client_addr(const struct proxy_list *l, const char *peer, const char *const *xff,
                       size_t nxff, char out[PROXY_ADDR_LEN]);

/* The address as the per-address rules count it: IPv4 as it is, IPv6 by
 * its /64 ("2001:db8:1:2::/64"). One IPv6 host (or one venue's network)
 * is normally handed a whole /64 and may pick any address in it, so
 * counting single IPv6 addresses would let one client rotate past every
 * per-address limit; a /64 is the IPv6 counterpart of one NATed IPv4
 * address, and the limits are sized for that. Text that is not an address
 * is copied. */
void proxy_addr_key(const char *addr, char out[PROXY_ADDR_LEN]);

#endif
