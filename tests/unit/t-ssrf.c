/* t-ssrf.c - unit tests for crawler/ssrf: address ranges, literals and the curl socket callback. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crawler/ssrf.h"
#include "tests/tap.h"

/*
 * An address and how it is judged: 'Y' always allowed, 'P' allowed only with
 * allow_private, 'N' never; why is the reason given without allow_private.
 * Ranges are probed on both sides of each boundary.
 */
struct acase {
	const char *addr;
	char cls;
	const char *why;
};

static const struct acase cases[] = {
	{ "0.0.0.0", 'N', "unspecified" },
	{ "0.255.255.255", 'N', "this-network" },
	{ "1.0.0.0", 'Y', NULL },
	{ "9.255.255.255", 'Y', NULL },
	{ "10.0.0.0", 'P', "private" },
	{ "10.255.255.255", 'P', "private" },
	{ "11.0.0.0", 'Y', NULL },
	{ "100.63.255.255", 'Y', NULL },
	{ "100.64.0.0", 'P', "shared" },
	{ "100.127.255.255", 'P', "shared" },
	{ "100.128.0.0", 'Y', NULL },
	{ "126.255.255.255", 'Y', NULL },
	{ "127.0.0.0", 'P', "loopback" },
	{ "127.0.0.1", 'P', "loopback" },
	{ "127.255.255.255", 'P', "loopback" },
	{ "128.0.0.0", 'Y', NULL },
	{ "169.253.255.255", 'Y', NULL },
	{ "169.254.0.0", 'P', "link-local" },
	{ "169.254.169.254", 'P', "link-local" },
	{ "169.254.255.255", 'P', "link-local" },
	{ "169.255.0.0", 'Y', NULL },
	{ "172.15.255.255", 'Y', NULL },
	{ "172.16.0.0", 'P', "private" },
	{ "172.31.255.255", 'P', "private" },
	{ "172.32.0.0", 'Y', NULL },
	{ "191.255.255.255", 'Y', NULL },
	{ "192.0.0.0", 'N', "ietf-protocol" },
	{ "192.0.0.255", 'N', "ietf-protocol" },
	{ "192.0.1.0", 'Y', NULL },
	{ "192.0.1.255", 'Y', NULL },
	{ "192.0.2.0", 'P', "documentation" },
	{ "192.0.2.255", 'P', "documentation" },
	{ "192.0.3.0", 'Y', NULL },
	{ "192.88.98.255", 'Y', NULL },
	{ "192.88.99.0", 'N', "6to4-relay" },
	{ "192.88.99.255", 'N', "6to4-relay" },
	{ "192.88.100.0", 'Y', NULL },
	{ "192.167.255.255", 'Y', NULL },
	{ "192.168.0.0", 'P', "private" },
	{ "192.168.255.255", 'P', "private" },
	{ "192.169.0.0", 'Y', NULL },
	{ "198.17.255.255", 'Y', NULL },
	{ "198.18.0.0", 'P', "benchmarking" },
	{ "198.19.255.255", 'P', "benchmarking" },
	{ "198.20.0.0", 'Y', NULL },
	{ "198.51.99.255", 'Y', NULL },
	{ "198.51.100.0", 'P', "documentation" },
	{ "198.51.100.255", 'P', "documentation" },
	{ "198.51.101.0", 'Y', NULL },
	{ "203.0.112.255", 'Y', NULL },
	{ "203.0.113.0", 'P', "documentation" },
	{ "203.0.113.255", 'P', "documentation" },
	{ "203.0.114.0", 'Y', NULL },
	{ "223.255.255.255", 'Y', NULL },
	{ "224.0.0.0", 'N', "multicast" },
	{ "239.255.255.255", 'N', "multicast" },
	{ "240.0.0.0", 'N', "reserved" },
	{ "255.255.255.254", 'N', "reserved" },
	{ "255.255.255.255", 'N', "broadcast" },
	{ "8.8.8.8", 'Y', NULL },
	{ "93.184.216.34", 'Y', NULL },

	{ "::", 'N', "unspecified" },
	{ "::1", 'P', "loopback" },
	{ "::2", 'N', "ipv4-compatible" },
	{ "::7f00:1", 'N', "ipv4-compatible" },
	{ "::fffe:ffff:ffff", 'N', "reserved" },
	{ "::ffff:0.0.0.0", 'N', "unspecified" },
	{ "::ffff:127.0.0.1", 'P', "loopback" },
	{ "::ffff:10.1.2.3", 'P', "private" },
	{ "::ffff:169.254.169.254", 'P', "link-local" },
	{ "::ffff:224.0.0.1", 'N', "multicast" },
	{ "::ffff:8.8.8.8", 'Y', NULL },
	{ "::1:0:0:0", 'N', "reserved" },
	{ "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", 'N', "reserved" },
	{ "64:ff9b::7f00:1", 'P', "loopback" },
	{ "64:ff9b::a00:1", 'P', "private" },
	{ "64:ff9b::808:808", 'Y', NULL },
	{ "64:ff9b::ffff:ffff", 'N', "broadcast" },
	{ "64:ff9b:0:0:0:1::", 'N', "reserved" },
	{ "64:ff9b:1::1", 'P', "private" },
	{ "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", 'P', "private" },
	{ "64:ff9b:2::", 'N', "reserved" },
	{ "100::", 'N', "discard" },
	{ "100::ffff:ffff:ffff:ffff", 'N', "discard" },
	{ "100:0:0:1::", 'N', "reserved" },
	{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'N', "reserved" },
	{ "2000::", 'Y', NULL },
	{ "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'Y', NULL },
	{ "2001::", 'N', "ietf-protocol" },
	{ "2001:0:4136:e378:8000:63bf:3fff:fdd2", 'N', "ietf-protocol" },
	{ "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", 'N', "ietf-protocol" },
	{ "2001:200::", 'Y', NULL },
	{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 'Y', NULL },
	{ "2001:db8::", 'P', "documentation" },
	{ "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 'P', "documentation" },
	{ "2001:db9::", 'Y', NULL },
	{ "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'Y', NULL },
	{ "2002::", 'N', "unspecified" },
	{ "2002:7f00:1::", 'P', "loopback" },
	{ "2002:a00:1::1", 'P', "private" },
	{ "2002:a9fe:a9fe::", 'P', "link-local" },
	{ "2002:e000:1::", 'N', "multicast" },
	{ "2002:808:808::1", 'Y', NULL },
	{ "2003::", 'Y', NULL },
	{ "2606:4700:4700::1111", 'Y', NULL },
	{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'Y', NULL },
	{ "3fff::", 'P', "documentation" },
	{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", 'P', "documentation" },
	{ "3fff:1000::", 'Y', NULL },
	{ "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'Y', NULL },
	{ "4000::", 'N', "reserved" },
	{ "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'N', "reserved" },
	{ "fc00::", 'P', "private" },
	{ "fd12:3456::1", 'P', "private" },
	{ "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'P', "private" },
	{ "fe00::", 'N', "reserved" },
	{ "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'N', "reserved" },
	{ "fe80::", 'P', "link-local" },
	{ "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'P', "link-local" },
	{ "fec0::", 'P', "site-local" },
	{ "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'P', "site-local" },
	{ "ff00::", 'N', "multicast" },
	{ "ff02::1", 'N', "multicast" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 'N', "multicast" },
};

/* Fills ss from a textual address; returns its length, 0 when unparsable. */
static socklen_t make_addr(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':')) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(80);
		return inet_pton(AF_INET6, text, &in6->sin6_addr) == 1 ? sizeof(*in6) : 0;
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons(80);
	return inet_pton(AF_INET, text, &in4->sin_addr) == 1 ? sizeof(*in4) : 0;
}

static void test_ranges(void)
{
	struct sockaddr_storage ss;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct acase *c = &cases[i];
		socklen_t len = make_addr(c->addr, &ss);

		if (!ok(len > 0, "%s parses", c->addr))
			continue;
		why = "unset";
		is_int(ssrf_addr_allowed((struct sockaddr *)&ss, len, 0, &why), c->cls == 'Y',
		       "%s without allow_private", c->addr);
		is_str(why, c->why, "%s: reason", c->addr);
		is_int(ssrf_addr_allowed((struct sockaddr *)&ss, len, 1, NULL), c->cls != 'N',
		       "%s with allow_private", c->addr);
	}
}

static void test_bad_addresses(void)
{
	struct sockaddr_storage ss;
	struct sockaddr sa;
	const char *why = NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	is_int(ssrf_addr_allowed(&sa, sizeof(sa), 1, &why), 0, "AF_UNIX refused");
	is_str(why, "family", "AF_UNIX: reason");
	make_addr("::ffff:8.8.8.8", &ss);
	is_int(ssrf_addr_allowed((struct sockaddr *)&ss, sizeof(struct sockaddr_in), 1, &why), 0,
	       "truncated sockaddr_in6 refused");
	is_str(why, "bad address", "truncated: reason");
	is_int(ssrf_addr_allowed(NULL, 0, 1, &why), 0, "NULL address refused");
	make_addr("8.8.8.8", &ss);
	is_int(ssrf_addr_allowed((struct sockaddr *)&ss, 4, 1, &why), 0,
	       "truncated sockaddr_in refused");
}

static void test_literals(void)
{
	static const struct {
		const char *host;
		int allow_private;
		int want;
		const char *why;
	} l[] = {
		{ "127.0.0.1", 0, 0, "loopback" },
		{ "127.0.0.1", 1, 1, NULL },
		{ "127.1", 0, 0, "loopback" },
		{ "0x7f.0.0.1", 0, 0, "loopback" },
		{ "0177.0.0.1", 0, 0, "loopback" },
		{ "2130706433", 0, 0, "loopback" },
		{ "0", 1, 0, "unspecified" },
		{ "10.1", 0, 0, "private" },
		{ "169.254.169.254", 0, 0, "link-local" },
		{ "224.0.0.1", 1, 0, "multicast" },
		{ "8.8.8.8", 0, 1, NULL },
		{ "::1", 0, 0, "loopback" },
		{ "[::1]", 0, 0, "loopback" },
		{ "[::ffff:127.0.0.1]", 0, 0, "loopback" },
		{ "[::ffff:7f00:1]", 0, 0, "loopback" },
		{ "[fe80::1%25eth0]", 0, 0, "link-local" },
		{ "fe80::1%eth0", 0, 0, "link-local" },
		{ "[2606:4700:4700::1111]", 0, 1, NULL },
		{ "[ff02::1]", 1, 0, "multicast" },
		{ "example.com", 0, -1, NULL },
		{ "localhost", 0, -1, NULL },
		{ "1.2.3.4.5", 0, -1, NULL },
		{ "127.0.0.1%eth0", 0, -1, NULL },
		{ "[::1", 0, -1, NULL },
		{ "[]", 0, -1, NULL },
		{ "[not:an:address]", 0, -1, NULL },
		{ "", 0, -1, NULL },
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(l) / sizeof(l[0]); i++) {
		why = "unset";
		is_int(ssrf_literal_allowed(l[i].host, l[i].allow_private, &why), l[i].want,
		       "literal '%s' (allow_private %d)", l[i].host, l[i].allow_private);
		is_str(why, l[i].why, "literal '%s': reason", l[i].host);
	}
	is_int(ssrf_literal_allowed(NULL, 0, NULL), -1, "NULL host is not a literal");
}

/* A struct curl_sockaddr with room for an IPv6 address, as curl provides. */
union csa {
	struct curl_sockaddr c;
	unsigned char room[sizeof(struct curl_sockaddr) + sizeof(struct sockaddr_storage)];
};

static void make_csa(union csa *u, const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(text, &ss);

	memset(u, 0, sizeof(*u));
	u->c.family = ss.ss_family;
	u->c.socktype = SOCK_STREAM;
	u->c.protocol = IPPROTO_TCP;
	u->c.addrlen = len;
	memcpy(u->room + offsetof(struct curl_sockaddr, addr), &ss, len);
}

static void test_opensocket(void)
{
	struct ssrf_policy pol = { 0, 0, NULL };
	union csa u;
	curl_socket_t s;

	make_csa(&u, "10.0.0.1");
	is_int(ssrf_opensocket(&pol, CURLSOCKTYPE_IPCXN, &u.c), CURL_SOCKET_BAD,
	       "opensocket refuses 10.0.0.1");
	is_int(pol.refused, 1, "refusal counted");
	is_str(pol.last_reason, "private", "reason recorded");
	make_csa(&u, "fd00::1");
	is_int(ssrf_opensocket(&pol, CURLSOCKTYPE_IPCXN, &u.c), CURL_SOCKET_BAD,
	       "opensocket refuses fd00::1");
	is_int(pol.refused, 2, "second refusal counted");
	make_csa(&u, "10.0.0.1");
	is_int(ssrf_opensocket(NULL, CURLSOCKTYPE_IPCXN, &u.c), CURL_SOCKET_BAD,
	       "NULL policy refuses private addresses");

	pol.allow_private = 1;
	make_csa(&u, "127.0.0.1");
	s = ssrf_opensocket(&pol, CURLSOCKTYPE_IPCXN, &u.c);
	ok(s != CURL_SOCKET_BAD, "opensocket opens a socket for an allowed address");
	if (s != CURL_SOCKET_BAD)
		close(s);
	is_int(pol.refused, 2, "no refusal counted when allowed");
	make_csa(&u, "224.0.0.1");
	is_int(ssrf_opensocket(&pol, CURLSOCKTYPE_IPCXN, &u.c), CURL_SOCKET_BAD,
	       "multicast refused even with allow_private");
	is_str(pol.last_reason, "multicast", "multicast: reason");
}

static CURLcode fetch(const char *url, struct ssrf_policy *pol)
{
	CURL *h = curl_easy_init();
	CURLcode rc;

	if (!h)
		return CURLE_FAILED_INIT;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, ssrf_opensocket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, pol);
	curl_easy_setopt(h, CURLOPT_PROXY, ""); /* no proxy from the environment */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 3L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	return rc;
}

/* A one-shot HTTP server on 127.0.0.1 that redirects to location. */
struct redirector {
	int fd;
	int served;
	const char *location;
};

static void *redirect_once(void *arg)
{
	struct redirector *r = arg;
	struct pollfd p = { r->fd, POLLIN, 0 };
	char buf[4096];
	int c, n;

	if (poll(&p, 1, 5000) != 1)
		return NULL;
	c = accept(r->fd, NULL, NULL);
	if (c < 0)
		return NULL;
	if (read(c, buf, sizeof(buf)) > 0) {
		n = snprintf(buf, sizeof(buf),
			     "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
			     "Connection: close\r\n\r\n",
			     r->location);
		if (n > 0 && write(c, buf, (size_t)n) == n)
			r->served = 1;
	}
	close(c);
	return NULL;
}

static void test_redirect(const char *location, const char *reason)
{
	struct ssrf_policy pol = { 1, 0, NULL };
	struct redirector r = { -1, 0, location };
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	pthread_t t;
	char url[64];
	CURLcode rc;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (r.fd < 0 || bind(r.fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(r.fd, 1) || getsockname(r.fd, (struct sockaddr *)&sin, &sl) ||
	    pthread_create(&t, NULL, redirect_once, &r)) {
		ok(0, "redirect to %s: cannot start a server on 127.0.0.1", location);
		if (r.fd >= 0)
			close(r.fd);
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)ntohs(sin.sin_port));
	rc = fetch(url, &pol);
	pthread_join(t, NULL);
	close(r.fd);
	ok(r.served, "redirect to %s: first hop to 127.0.0.1 allowed with allow_private", location);
	is_int(rc, CURLE_COULDNT_CONNECT, "redirect to %s: transfer fails to connect", location);
	is_int(pol.refused, 1, "redirect to %s: one refusal", location);
	is_str(pol.last_reason, reason, "redirect to %s: reason", location);
}

static void test_curl(void)
{
	struct ssrf_policy pol = { 0, 0, NULL };
	CURLcode rc;

	rc = fetch("http://127.0.0.1:1/", &pol);
	is_int(rc, CURLE_COULDNT_CONNECT, "curl: 127.0.0.1 refused: CURLE_COULDNT_CONNECT");
	is_int(pol.refused, 1, "curl: one refusal counted");
	is_str(pol.last_reason, "loopback", "curl: reason loopback");

	/* With allow_private the callback opens the socket; nothing listens on port 1. */
	pol.allow_private = 1;
	pol.refused = 0;
	rc = fetch("http://127.0.0.1:1/", &pol);
	is_int(rc, CURLE_COULDNT_CONNECT, "curl: allow_private connects (and is refused by the port)");
	is_int(pol.refused, 0, "curl: no refusal with allow_private");

	test_redirect("http://0.0.0.0:1/", "unspecified");
	test_redirect("http://224.0.0.1:1/", "multicast");
}

int main(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		printf("1..0 # SKIP curl_global_init failed\n");
		return 0;
	}
	test_ranges();
	test_bad_addresses();
	test_literals();
	test_opensocket();
	test_curl();
	curl_global_cleanup();
	return done_testing();
}
