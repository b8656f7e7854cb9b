/* ssrf.h - refuses connections to loopback, private, special-purpose and multicast addresses. */
#ifndef PATROL_SSRF_H
#define PATROL_SSRF_H

#include <sys/socket.h>

#include <curl/curl.h>

/*
 * The reasons, as static strings (compare with strcmp, never free):
 *   opened by allow_private:
 *     "loopback", "private" (RFC 1918, fc00::/7, NAT64 local use),
 *     "shared" (100.64/10), "link-local", "site-local" (fec0::/10),
 *     "documentation" (192.0.2/24, 198.51.100/24, 203.0.113/24,
 *     2001:db8::/32, 3fff::/20), "benchmarking" (198.18/15)
 *   refused even with allow_private (never a useful destination):
 *     "unspecified", "this-network" (0/8), "multicast", "broadcast",
 *     "reserved" (240/4, IPv6 outside 2000::/3 and the ranges named here),
 *     "ietf-protocol" (192.0.0/24, 2001::/23), "6to4-relay" (192.88.99/24),
 *     "discard" (100::/64), "ipv4-compatible" (deprecated ::a.b.c.d),
 *     "family" (not IPv4 or IPv6), "bad address" (truncated sockaddr)
 * Addresses that embed an IPv4 address (::ffff:0:0/96, 64:ff9b::/96,
 * 2002::/16) are judged by the embedded address, with its reason.
 */

/*
 * Returns 1 when a connection to sa (len bytes, AF_INET or AF_INET6; the
 * port is ignored) is allowed, else 0 with *why set to the reason; *why is
 * NULL when allowed. why may be NULL. allow_private opens the ranges listed
 * above as such (for tests and intranet crawls), nothing else.
 * Thread-safe.
 */
int ssrf_addr_allowed(const struct sockaddr *sa, socklen_t len, int allow_private,
		      const char **why);

/*
 * Judges host when it is an IP literal: dotted IPv4 in any form the
 * resolver accepts ("127.1", "0x7f.0.0.1", "2130706433"), or IPv6 with or
 * without brackets and zone ("[fe80::1%25eth0]"). Returns 1 allowed, 0
 * refused (*why set as above), -1 when host is not an IP literal (a name:
 * the connect-time check decides). Thread-safe.
 */
int ssrf_literal_allowed(const char *host, int allow_private, const char **why);

/*
 * The state of ssrf_opensocket, owned by the caller and passed through
 * CURLOPT_OPENSOCKETDATA. The callback updates it without locking: give
 * each thread that drives curl handles its own policy.
 */
struct ssrf_policy {
	int allow_private;       /* see ssrf_addr_allowed */
	unsigned long refused;   /* connections refused so far */
	const char *last_reason; /* static reason of the last refusal, or NULL */
};

/*
 * A CURLOPT_OPENSOCKETFUNCTION: clientp is a struct ssrf_policy (NULL acts
 * as allow_private = 0 without counting). curl calls it for every address it
 * tries, after name resolution and on every redirect, so it judges the
 * address really connected to, whatever the name said; with a proxy that is
 * the proxy's address. Refusing returns CURL_SOCKET_BAD (the transfer fails
 * with CURLE_COULDNT_CONNECT unless curl has another address to try, so
 * one transfer may count several refusals); otherwise it returns a new
 * close-on-exec socket that curl owns and closes.
 */
curl_socket_t ssrf_opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address);

#endif
