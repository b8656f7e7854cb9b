/*
 * ssrf.c - the guard that keeps the crawler off internal networks.
 *
 * Every URL the crawler fetches comes from pages written by strangers, and a
 * link or a redirect to http://169.254.169.254/ or http://10.0.0.1/ would
 * make patrol probe the network it runs in. Checking host names is not
 * enough (a public name can resolve to 127.0.0.1, and DNS may answer
 * differently at connect time), so the decision is taken on the socket
 * address itself: ssrf_opensocket is installed as curl's
 * CURLOPT_OPENSOCKETFUNCTION and sees every address curl is about to connect
 * to, after resolution and on each redirect. ssrf_literal_allowed is a cheap
 * early check for URLs whose host is already an address.
 *
 * The ranges are tables searched first match first, so a narrow range listed
 * before a wider one (255.255.255.255 before 240/4, ::1 before ::/96) wins.
 * IPv6 forms that carry an IPv4 address to be reached through translation or
 * tunnelling are judged by that IPv4 address. In IPv6 everything outside
 * 2000::/3 that is not named is refused: no global unicast lives there.
 */
#include "crawler/ssrf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum ssrf_class {
	SSRF_PUBLIC,
	SSRF_PRIVATE, /* refused unless allow_private */
	SSRF_NEVER    /* refused always */
};

struct v4_range {
	uint32_t net;
	unsigned bits;
	enum ssrf_class cls;
	const char *why;
};

static const struct v4_range v4_ranges[] = {
	{ 0x00000000, 32, SSRF_NEVER, "unspecified" },    /* 0.0.0.0 */
	{ 0x00000000, 8, SSRF_NEVER, "this-network" },    /* 0/8; Linux connects 0.x to itself */
	{ 0x0a000000, 8, SSRF_PRIVATE, "private" },       /* 10/8 */
	{ 0x64400000, 10, SSRF_PRIVATE, "shared" },       /* 100.64/10, carrier-grade NAT */
	{ 0x7f000000, 8, SSRF_PRIVATE, "loopback" },      /* 127/8 */
	{ 0xa9fe0000, 16, SSRF_PRIVATE, "link-local" },   /* 169.254/16, cloud metadata */
	{ 0xac100000, 12, SSRF_PRIVATE, "private" },      /* 172.16/12 */
	{ 0xc0000000, 24, SSRF_NEVER, "ietf-protocol" },  /* 192.0.0/24 */
	{ 0xc0000200, 24, SSRF_PRIVATE, "documentation" },/* 192.0.2/24 */
	{ 0xc0586300, 24, SSRF_NEVER, "6to4-relay" },     /* 192.88.99/24 */
	{ 0xc0a80000, 16, SSRF_PRIVATE, "private" },      /* 192.168/16 */
	{ 0xc6120000, 15, SSRF_PRIVATE, "benchmarking" }, /* 198.18/15 */
	{ 0xc6336400, 24, SSRF_PRIVATE, "documentation" },/* 198.51.100/24 */
	{ 0xcb007100, 24, SSRF_PRIVATE, "documentation" },/* 203.0.113/24 */
	{ 0xe0000000, 4, SSRF_NEVER, "multicast" },       /* 224/4 */
	{ 0xffffffff, 32, SSRF_NEVER, "broadcast" },      /* before 240/4, which holds it */
	{ 0xf0000000, 4, SSRF_NEVER, "reserved" },        /* 240/4 */
};

/* Where an IPv6 range carries an IPv4 address to judge instead. */
enum v6_embed { EMBED_NONE, EMBED_LOW32, EMBED_6TO4 };

struct v6_range {
	uint8_t net[16];
	unsigned bits;
	enum ssrf_class cls;
	const char *why;
	enum v6_embed embed;
};

static const struct v6_range v6_ranges[] = {
	{ { 0 }, 128, SSRF_NEVER, "unspecified", EMBED_NONE },
	{ { [15] = 1 }, 128, SSRF_PRIVATE, "loopback", EMBED_NONE },
	{ { [10] = 0xff, [11] = 0xff }, 96, SSRF_PUBLIC, NULL, EMBED_LOW32 }, /* mapped */
	{ { 0 }, 96, SSRF_NEVER, "ipv4-compatible", EMBED_NONE },
	{ { 0, 0x64, 0xff, 0x9b }, 96, SSRF_PUBLIC, NULL, EMBED_LOW32 }, /* NAT64 */
	{ { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, SSRF_PRIVATE, "private", EMBED_NONE },
	{ { 0x01, 0x00 }, 64, SSRF_NEVER, "discard", EMBED_NONE },
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, SSRF_PRIVATE, "documentation", EMBED_NONE },
	{ { 0x20, 0x01 }, 23, SSRF_NEVER, "ietf-protocol", EMBED_NONE }, /* Teredo included */
	{ { 0x20, 0x02 }, 16, SSRF_PUBLIC, NULL, EMBED_6TO4 },
	{ { 0x3f, 0xff }, 20, SSRF_PRIVATE, "documentation", EMBED_NONE },
	{ { 0x20 }, 3, SSRF_PUBLIC, NULL, EMBED_NONE }, /* global unicast */
	{ { 0xfc }, 7, SSRF_PRIVATE, "private", EMBED_NONE },
	{ { 0xfe, 0x80 }, 10, SSRF_PRIVATE, "link-local", EMBED_NONE },
	{ { 0xfe, 0xc0 }, 10, SSRF_PRIVATE, "site-local", EMBED_NONE },
	{ { 0xff }, 8, SSRF_NEVER, "multicast", EMBED_NONE },
	{ { 0 }, 0, SSRF_NEVER, "reserved", EMBED_NONE }, /* everything else */
};

static int verdict(enum ssrf_class cls, const char *reason, int allow_private, const char **why)
{
	int ok = cls == SSRF_PUBLIC || (cls == SSRF_PRIVATE && allow_private);

	if (why)
		*why = ok ? NULL : reason;
	return ok;
}

/* addr in host byte order. */
static int v4_allowed(uint32_t addr, int allow_private, const char **why)
{
	size_t i;

	for (i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++) {
		const struct v4_range *r = &v4_ranges[i];
		uint32_t mask = r->bits ? 0xffffffffu << (32 - r->bits) : 0;

		if ((addr & mask) == r->net)
			return verdict(r->cls, r->why, allow_private, why);
	}
	return verdict(SSRF_PUBLIC, NULL, allow_private, why);
}

static int v6_in(const uint8_t *a, const struct v6_range *r)
{
	unsigned full = r->bits / 8, rest = r->bits % 8;

	if (memcmp(a, r->net, full))
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		return (a[full] & mask) == (r->net[full] & mask);
	}
	return 1;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int v6_allowed(const uint8_t *a, int allow_private, const char **why)
{
	size_t i;

	for (i = 0; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++) {
		const struct v6_range *r = &v6_ranges[i];

		if (!v6_in(a, r))
			continue;
		if (r->embed == EMBED_LOW32)
			return v4_allowed(be32(a + 12), allow_private, why);
		if (r->embed == EMBED_6TO4)
			return v4_allowed(be32(a + 2), allow_private, why);
		return verdict(r->cls, r->why, allow_private, why);
	}
	return verdict(SSRF_NEVER, "reserved", allow_private, why); /* not reached */
}

int ssrf_addr_allowed(const struct sockaddr *sa, socklen_t len, int allow_private,
		      const char **why)
{
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	sa_family_t family;

	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return verdict(SSRF_NEVER, "bad address", allow_private, why);
	/* Copies, since curl's sockaddr need not be aligned for the wider types. */
	memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof(family));
	if (family == AF_INET) {
		if (len < (socklen_t)sizeof(in4))
			return verdict(SSRF_NEVER, "bad address", allow_private, why);
		memcpy(&in4, sa, sizeof(in4));
		return v4_allowed(ntohl(in4.sin_addr.s_addr), allow_private, why);
	}
	if (family == AF_INET6) {
		if (len < (socklen_t)sizeof(in6))
			return verdict(SSRF_NEVER, "bad address", allow_private, why);
		memcpy(&in6, sa, sizeof(in6));
		return v6_allowed(in6.sin6_addr.s6_addr, allow_private, why);
	}
	return verdict(SSRF_NEVER, "family", allow_private, why);
}

int ssrf_literal_allowed(const char *host, int allow_private, const char **why)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	struct in6_addr a6;
	struct in_addr a4;
	const char *end;
	size_t n;

	if (why)
		*why = NULL;
	if (!host || !*host)
		return -1;
	n = strlen(host);
	if (host[0] == '[') {
		if (host[n - 1] != ']')
			return -1;
		host++;
		n -= 2;
	}
	/* An IPv6 zone ("%eth0", "%25eth0" in a URL) names an interface, not an address. */
	end = memchr(host, '%', n);
	if (end && memchr(host, ':', (size_t)(end - host)))
		n = (size_t)(end - host);
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, host, n);
	tmp[n] = '\0';
	if (memchr(tmp, ':', n)) {
		if (inet_pton(AF_INET6, tmp, &a6) != 1)
			return -1;
		return v6_allowed(a6.s6_addr, allow_private, why);
	}
	/*
	 * inet_aton, not inet_pton: the resolver takes "127.1", "0x7f.1" and
	 * "2130706433" as addresses too, and so would curl.
	 */
	if (inet_aton(tmp, &a4) == 0)
		return -1;
	return v4_allowed(ntohl(a4.s_addr), allow_private, why);
}

curl_socket_t ssrf_opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *address)
{
	struct ssrf_policy *pol = clientp;
	const char *why = NULL;
	int type;

	if (!ssrf_addr_allowed(&address->addr, address->addrlen, pol ? pol->allow_private : 0,
			       &why)) {
		if (pol) {
			pol->refused++;
			pol->last_reason = why;
		}
		return CURL_SOCKET_BAD;
	}
	type = address->socktype;
#ifdef SOCK_CLOEXEC
	/* Children started by the process (test servers, tools) must not inherit it. */
	type |= SOCK_CLOEXEC;
#endif
	return socket(address->family, type, address->protocol);
}
