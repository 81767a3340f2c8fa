/* hook_addr.h — which addresses a webhook may not reach (issue 17: no
 * SSRF). Checked on the address a connection is about to use, after the
 * name was resolved, so a public-looking name that resolves to 127.0.0.1
 * (or is made to, later) is refused as the literal would be. */
#ifndef GESS_HOOK_ADDR_H
#define GESS_HOOK_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* True when sa is not a public unicast address: unspecified, loopback,
 * private (RFC 1918, fc00::/7), shared (100.64/10), link-local, multicast,
 * reserved or documentation ranges, and the IPv6 forms that carry such an
 * IPv4 address (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16).
 * why (when not NULL) names the address and its range. Families other than
 * IPv4 and IPv6 are refused. */
bool hook_addr_refused(const struct sockaddr *sa, char *why, size_t whylen);

#endif
