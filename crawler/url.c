/*
 * url.c - URL canonicalization and RFC 3986 resolution.
 *
 * Every URL patrol queues, dedupes, fetches or stores goes through here
 * first, so two spellings of one resource ("HTTP://Example.COM:80/a/./b",
 * "http://example.com/a/b;jsessionid=1#top") become one string, and a link
 * a page writes ("../x", "//host/y", " /z ") becomes an absolute URL.
 *
 * DESIGN
 *
 * The parser is our own rather than libcurl's CURLU: it is the RFC 3986
 * appendix B split plus the section 5.2 resolution, a few hundred lines we
 * can test case by case, with no locale or global state, and with browser
 * behaviour (WHATWG URL) where pages rely on it: surrounding C0 controls and
 * spaces are trimmed, tabs and newlines inside are removed, a backslash
 * before the query is a slash, "http:g" against an http base is relative,
 * and numeric hosts ("0x7f.1", "2130706433") are IPv4 addresses.
 *
 * Canonicalization runs in a fixed order: percent-encoding is normalized
 * first (so "%2E%2E" counts as a dot segment, as in browsers), then session
 * path parameters are stripped, then dot segments removed; the query is
 * normalized, filtered and optionally sorted param by param. Non-ASCII and
 * other bytes that may not appear in a URL are percent-encoded as UTF-8.
 */
#include "crawler/url.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/hex.h"

#define HOST_MAX 253   /* DNS name limit, without the root dot */
#define LABEL_MAX 63

struct span {
	const char *p;
	size_t n;
};

/* A URI reference split by RFC 3986 appendix B; the fragment is not kept. */
struct uref {
	struct span scheme, auth, path, query;
	int has_scheme, has_auth, has_query;
};

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int to_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int is_unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int is_subdelim(int c)
{
	return c != 0 && strchr("!$&'()*+,;=", c) != NULL;
}

/* Bytes that may stand unencoded in a path: pchar and '/'. */
static int path_ok(int c)
{
	return is_unreserved(c) || is_subdelim(c) || c == ':' || c == '@' || c == '/';
}

/* Bytes that may stand unencoded in a query: pchar, '/' and '?'. */
static int query_ok(int c)
{
	return path_ok(c) || c == '?';
}

static int span_ieq(struct span s, const char *lit)
{
	size_t i, n = strlen(lit);

	if (s.n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)s.p[i]) != lit[i])
			return 0;
	return 1;
}

/*
 * Copies at most ~200 bytes of a URL into dst for an error message: cut on
 * a UTF-8 boundary, control bytes shown as '?', "..." when cut.
 */
static void quote_url(char dst[256], const char *s)
{
	size_t n = strlen(s), i, lim = 200;

	if (n > lim) {
		while (lim > 0 && ((unsigned char)s[lim] & 0xC0) == 0x80)
			lim--;
	} else {
		lim = n;
	}
	for (i = 0; i < lim; i++)
		dst[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7F) ? '?' : s[i];
	if (lim < n) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static enum prc invalid(struct err *e, const char *why, const char *url)
{
	char q[256];

	quote_url(q, url);
	return err_set(e, PRC_INVALID, "%s: '%s'", why, q);
}

/* Sets the message for a failure rc from a helper: why for PRC_INVALID. */
static enum prc fail(struct err *e, enum prc rc, const char *why, const char *url)
{
	char q[256];

	if (rc == PRC_INVALID)
		return invalid(e, why, url);
	if (rc == PRC_LIMIT) {
		quote_url(q, url);
		return err_set(e, PRC_LIMIT, "url too long: '%s'", q);
	}
	return err_set(e, rc, "out of memory canonicalizing a url");
}

/*
 * Cleans a reference the way browsers do before parsing: leading and
 * trailing C0 controls and spaces trimmed, tab/CR/LF removed everywhere,
 * backslashes before the query or fragment turned into slashes. malloc'd.
 */
static char *prep(const char *in)
{
	size_t n = strlen(in), i, o = 0;
	int in_path = 1;
	char *s;

	while (n > 0 && (unsigned char)in[n - 1] <= 0x20)
		n--;
	while (n > 0 && (unsigned char)*in <= 0x20) {
		in++;
		n--;
	}
	s = malloc(n + 1);
	if (!s)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '?' || c == '#')
			in_path = 0;
		if (c == '\\' && in_path)
			c = '/';
		s[o++] = c;
	}
	s[o] = '\0';
	return s;
}

/* Splits s by RFC 3986 appendix B: ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))? */
static void parse_ref(const char *s, struct uref *r)
{
	const char *p = s, *q;

	memset(r, 0, sizeof(*r));
	if (is_alpha((unsigned char)*p)) {
		for (q = p + 1; is_alpha((unsigned char)*q) || is_digit((unsigned char)*q) ||
				*q == '+' || *q == '-' || *q == '.';
		     q++)
			;
		if (*q == ':') {
			r->has_scheme = 1;
			r->scheme.p = p;
			r->scheme.n = (size_t)(q - p);
			p = q + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		p += 2;
		r->has_auth = 1;
		r->auth.p = p;
		r->auth.n = strcspn(p, "/?#");
		p += r->auth.n;
	}
	r->path.p = p;
	r->path.n = strcspn(p, "?#");
	p += r->path.n;
	if (*p == '?') {
		p++;
		r->has_query = 1;
		r->query.p = p;
		r->query.n = strcspn(p, "#");
	}
}

/*
 * Appends s with percent-encoding normalized: %XX of an unreserved byte
 * decoded, other %XX uppercased, a stray '%' and every byte ok() refuses
 * encoded.
 */
static enum prc pct_norm(struct buf *b, struct span s, int (*ok)(int))
{
	static const char hex[] = "0123456789ABCDEF";
	enum prc rc = PRC_OK;
	size_t i;

	for (i = 0; i < s.n && rc == PRC_OK; i++) {
		unsigned char c = (unsigned char)s.p[i];
		char enc[3];

		if (c == '%' && i + 2 < s.n && hex_value((unsigned char)s.p[i + 1]) >= 0 && hex_value((unsigned char)s.p[i + 2]) >= 0) {
			c = (unsigned char)(hex_value((unsigned char)s.p[i + 1]) * 16 +
					    hex_value((unsigned char)s.p[i + 2]));
			i += 2;
			if (is_unreserved(c)) {
				rc = buf_addch(b, (char)c);
				continue;
			}
		} else if (c != '%' && ok(c)) {
			rc = buf_addch(b, (char)c);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		rc = buf_add(b, enc, 3);
	}
	return rc;
}

static int is_session_name(const char *p, size_t n)
{
	static const char *const names[] = { "jsessionid", "phpsessid", "sid", "sessionid",
					     "session_id", "cfid", "cftoken" };
	struct span s = { p, n };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (span_ieq(s, names[i]))
			return 1;
	/* ASP classic appends a random suffix: ASPSESSIONIDQQGGGNCU */
	if (n >= 12) {
		s.n = 12;
		if (span_ieq(s, "aspsessionid"))
			return 1;
	}
	return 0;
}

/* Drops ";name=value" path parameters that carry a session id. */
static enum prc strip_path_sessions(struct buf *out, const char *p, size_t n)
{
	enum prc rc = PRC_OK;
	size_t i = 0;

	while (i < n && rc == PRC_OK) {
		if (p[i] == ';') {
			size_t name = i + 1, j = name;

			while (j < n && p[j] != '=' && p[j] != ';' && p[j] != '/')
				j++;
			if (j < n && p[j] == '=' && is_session_name(p + name, j - name)) {
				while (j < n && p[j] != ';' && p[j] != '/')
					j++;
				i = j;
				continue;
			}
		}
		rc = buf_addch(out, p[i]);
		i++;
	}
	return rc;
}

/*
 * Appends the absolute path p with "." and ".." segments removed (RFC 3986
 * 5.2.4, which for an absolute path is a stack of segments).
 */
static enum prc remove_dots(struct buf *out, const char *p, size_t n)
{
	size_t start = out->len, i = 0;
	enum prc rc = PRC_OK;

	if (n == 0 || p[0] != '/')
		return buf_addch(out, '/');
	while (i < n && rc == PRC_OK) {
		size_t j = i + 1, len;
		int last;

		while (j < n && p[j] != '/')
			j++;
		len = j - i - 1;
		last = (j >= n);
		if (len == 1 && p[i + 1] == '.') {
			if (last)
				rc = buf_addch(out, '/');
		} else if (len == 2 && p[i + 1] == '.' && p[i + 2] == '.') {
			while (out->len > start && out->ptr[out->len - 1] != '/')
				out->len--;
			if (out->len > start)
				out->len--;
			out->ptr[out->len] = '\0';
			if (last)
				rc = buf_addch(out, '/');
		} else {
			rc = buf_add(out, p + i, j - i);
		}
		i = j;
	}
	if (rc == PRC_OK && out->len == start)
		rc = buf_addch(out, '/');
	return rc;
}

/* One query parameter, with its position for a stable sort. */
struct qparam {
	const char *p;
	size_t n, name_n, idx;
};

static int qparam_cmp(const void *va, const void *vb)
{
	const struct qparam *a = va, *b = vb;
	size_t n = a->name_n < b->name_n ? a->name_n : b->name_n;
	int c = memcmp(a->p, b->p, n);

	if (c)
		return c;
	if (a->name_n != b->name_n)
		return a->name_n < b->name_n ? -1 : 1;
	return a->idx < b->idx ? -1 : (a->idx > b->idx);
}

/* Appends "?query" from the normalized query q: empty params and session ids dropped, maybe sorted. */
static enum prc add_query(struct buf *out, const char *q, size_t n, const struct url_opts *o)
{
	struct qparam *ps = NULL;
	size_t np = 0, i = 0, k;
	enum prc rc = PRC_OK;

	ps = malloc((n / 2 + 1) * sizeof(*ps));
	if (!ps)
		return PRC_NOMEM;
	while (i <= n) {
		size_t j = i, eq;

		while (j < n && q[j] != '&')
			j++;
		for (eq = i; eq < j && q[eq] != '='; eq++)
			;
		if (j > i && (o->keep_session_ids || !is_session_name(q + i, eq - i))) {
			ps[np].p = q + i;
			ps[np].n = j - i;
			ps[np].name_n = eq - i;
			ps[np].idx = np;
			np++;
		}
		i = j + 1;
	}
	if (!o->keep_query_order && np > 1)
		qsort(ps, np, sizeof(*ps), qparam_cmp);
	for (k = 0; k < np && rc == PRC_OK; k++) {
		rc = buf_addch(out, k ? '&' : '?');
		if (rc == PRC_OK)
			rc = buf_add(out, ps[k].p, ps[k].n);
	}
	free(ps);
	return rc;
}

/*
 * Parses a WHATWG IPv4 number ("255", "0377", "0xff"). Returns 0 and *v,
 * or -1 when s is not a number.
 */
static int ipv4_number(const char *s, size_t n, uint64_t *v)
{
	int base = 10, d;
	uint64_t x = 0;
	size_t i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	if (n == 0)
		return -1;
	for (; i < n; i++) {
		d = hex_value((unsigned char)s[i]);
		if (d < 0 || d >= base)
			return -1;
		x = x * (uint64_t)base + (uint64_t)d;
		if (x > 0xFFFFFFFFull)
			x = 0x100000000ull; /* saturate: over any limit below */
	}
	*v = x;
	return 0;
}

/* Whether the last label of host h is a number, which makes h an IPv4 address or nothing. */
static int ends_in_number(const char *h, size_t n)
{
	size_t i = n;
	uint64_t v;

	while (i > 0 && h[i - 1] != '.')
		i--;
	if (i == n)
		return 0;
	if (strspn(h + i, "0123456789") == n - i)
		return 1;
	return (n - i >= 2 && h[i] == '0' && (h[i + 1] == 'x' || h[i + 1] == 'X') &&
		ipv4_number(h + i, n - i, &v) == 0);
}

/* Parses h as a WHATWG IPv4 host into dst ("127.0.0.1"). Returns 0, or -1 when invalid. */
static int ipv4_parse(const char *h, size_t n, char dst[16])
{
	uint64_t parts[4], addr = 0;
	size_t np = 0, i = 0, k;
	struct in_addr in;

	while (i <= n) {
		size_t j = i;

		while (j < n && h[j] != '.')
			j++;
		if (np == 4 || ipv4_number(h + i, j - i, &parts[np]) < 0)
			return -1;
		np++;
		i = j + 1;
	}
	for (k = 0; k + 1 < np; k++) {
		if (parts[k] > 255)
			return -1;
		addr = addr * 256 + parts[k];
	}
	if (parts[np - 1] >= (1ull << (8 * (5 - np))))
		return -1;
	addr = (addr << (8 * (5 - np))) + parts[np - 1];
	in.s_addr = htonl((uint32_t)addr);
	return inet_ntop(AF_INET, &in, dst, 16) ? 0 : -1;
}

/* Appends the canonical form of host (no brackets, no port) to out. */
static enum prc host_canon(struct buf *out, const char *h, size_t n)
{
	char *dec = NULL, *ace = NULL, v4[16];
	const char *s;
	size_t i, o = 0, len, label = 0;
	int nonascii = 0;
	enum prc rc = PRC_INVALID;

	if (n == 0 || n > 4 * HOST_MAX)
		return PRC_INVALID;
	dec = malloc(n + 1);
	if (!dec)
		return PRC_NOMEM;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '%' && i + 2 < n && hex_value((unsigned char)h[i + 1]) >= 0 &&
		    hex_value((unsigned char)h[i + 2]) >= 0) {
			c = (unsigned char)(hex_value((unsigned char)h[i + 1]) * 16 +
					    hex_value((unsigned char)h[i + 2]));
			i += 2;
		}
		if (c == 0)
			goto out;
		if (c >= 0x80)
			nonascii = 1;
		dec[o++] = (char)c;
	}
	dec[o] = '\0';
	s = dec;
	if (nonascii) {
		int r = idn2_to_ascii_8z(dec, &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);

		if (r != IDN2_OK) {
			rc = (r == IDN2_MALLOC) ? PRC_NOMEM : PRC_INVALID;
			goto out;
		}
		s = ace;
	}
	len = strlen(s);
	/* "example.jp." names the same host; one spelling keeps the frontier deduped */
	if (len > 1 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > HOST_MAX)
		goto out;
	if (ends_in_number(s, len)) {
		if (ipv4_parse(s, len, v4) < 0)
			goto out;
		rc = buf_addstr(out, v4);
		goto out;
	}
	for (i = 0; i < len; i++) {
		int c = to_lower((unsigned char)s[i]);

		if (c == '.') {
			if (label == 0)
				goto out;
			label = 0;
		} else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
			if (++label > LABEL_MAX)
				goto out;
		} else {
			goto out;
		}
	}
	if (label == 0)
		goto out;
	for (i = 0, rc = PRC_OK; i < len && rc == PRC_OK; i++)
		rc = buf_addch(out, (char)to_lower((unsigned char)s[i]));
out:
	free(dec);
	if (ace)
		idn2_free(ace);
	return rc;
}

/* Appends host[:port] from an authority (userinfo dropped); default ports left out. */
static enum prc auth_canon(struct buf *out, struct span a, int https)
{
	const char *h = a.p, *end = a.p + a.n, *port = NULL, *at;
	size_t hn;
	unsigned long pv = 0;
	enum prc rc;

	for (at = end; at > a.p; at--)
		if (at[-1] == '@') {
			h = at;
			break;
		}
	if (h < end && *h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		char tmp[64], txt[INET6_ADDRSTRLEN];
		struct in6_addr in6;

		if (!rb || (size_t)(rb - h - 1) >= sizeof(tmp))
			return PRC_INVALID;
		memcpy(tmp, h + 1, (size_t)(rb - h - 1));
		tmp[rb - h - 1] = '\0';
		if (inet_pton(AF_INET6, tmp, &in6) != 1 || !inet_ntop(AF_INET6, &in6, txt, sizeof(txt)))
			return PRC_INVALID;
		if (rb + 1 < end) {
			if (rb[1] != ':')
				return PRC_INVALID;
			port = rb + 2;
		}
		rc = buf_addch(out, '[');
		if (rc == PRC_OK)
			rc = buf_addstr(out, txt);
		if (rc == PRC_OK)
			rc = buf_addch(out, ']');
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		hn = (size_t)((colon ? colon : end) - h);
		if (colon)
			port = colon + 1;
		rc = host_canon(out, h, hn);
	}
	if (rc != PRC_OK || !port || port == end)
		return rc;
	for (; port < end; port++) {
		if (!is_digit((unsigned char)*port))
			return PRC_INVALID;
		pv = pv * 10 + (unsigned long)(*port - '0');
		if (pv > 65535)
			return PRC_INVALID;
	}
	if (pv == 0)
		return PRC_INVALID;
	if (pv == (https ? 443ul : 80ul))
		return PRC_OK;
	return buf_addf(out, ":%lu", pv);
}

/* Builds the canonical URL of r (which must be absolute http or https) into *out. */
static enum prc canon_parts(const struct uref *r, const struct url_opts *opts, const char *orig,
			    char **out, struct err *e)
{
	struct url_opts def = { 0, 0, 0 };
	struct buf res, tmp, tmp2;
	size_t max, work;
	int https;
	enum prc rc;

	if (!opts)
		opts = &def;
	max = opts->max_len ? opts->max_len : URL_MAX_LEN_DEFAULT;
	/* room for the worst case of encoding every byte, before dots shrink the path */
	work = 3 * (r->path.n + r->query.n) + 16;
	buf_init(&res, max);
	buf_init(&tmp, work);
	buf_init(&tmp2, work);
	if (!r->has_scheme) {
		rc = invalid(e, "url is not absolute", orig);
		goto out;
	}
	if (span_ieq(r->scheme, "https")) {
		https = 1;
	} else if (span_ieq(r->scheme, "http")) {
		https = 0;
	} else {
		rc = invalid(e, "url scheme is not http or https", orig);
		goto out;
	}
	if (!r->has_auth || r->auth.n == 0) {
		rc = invalid(e, "url has no host", orig);
		goto out;
	}
	rc = buf_addstr(&res, https ? "https://" : "http://");
	if (rc == PRC_OK)
		rc = auth_canon(&res, r->auth, https);
	if (rc != PRC_OK) {
		rc = fail(e, rc, "url has a bad host or port", orig);
		goto out;
	}

	rc = pct_norm(&tmp, r->path, path_ok);
	if (rc == PRC_OK && !opts->keep_session_ids) {
		rc = strip_path_sessions(&tmp2, buf_str(&tmp), tmp.len);
		if (rc == PRC_OK) {
			buf_release(&tmp);
			tmp = tmp2;
			buf_init(&tmp2, work);
		}
	}
	if (rc == PRC_OK)
		rc = remove_dots(&res, buf_str(&tmp), tmp.len);
	if (rc == PRC_OK && r->has_query) {
		buf_reset(&tmp);
		rc = pct_norm(&tmp, r->query, query_ok);
		if (rc == PRC_OK)
			rc = add_query(&res, buf_str(&tmp), tmp.len, opts);
	}
	if (rc != PRC_OK) {
		rc = fail(e, rc, "cannot canonicalize url", orig);
		goto out;
	}
	*out = buf_detach(&res, NULL);
	if (!*out)
		rc = err_set(e, PRC_NOMEM, "out of memory canonicalizing a url");
out:
	buf_release(&res);
	buf_release(&tmp);
	buf_release(&tmp2);
	return rc;
}

enum prc url_sort_query(char *canon)
{
	static const struct url_opts sorted = { 0, 0, 1 };
	char *q = strchr(canon, '?');
	struct buf b;
	enum prc rc;

	if (!q || !strchr(q, '&'))
		return PRC_OK;
	buf_init(&b, strlen(q) + 1);
	rc = add_query(&b, q + 1, strlen(q + 1), &sorted);
	if (rc == PRC_OK && b.len == strlen(q))
		memcpy(q, b.ptr, b.len);
	buf_release(&b);
	return rc;
}

/* Refuses input so long that the canonical form cannot fit, before any work is done on it. */
static int too_long(const char *s, const struct url_opts *opts)
{
	size_t max = (opts && opts->max_len) ? opts->max_len : URL_MAX_LEN_DEFAULT;

	/* %XX of an unreserved byte is the most canonicalization shrinks, ignoring dot games */
	return strlen(s) > 4 * max + 64;
}

enum prc url_canonicalize(const char *in, const struct url_opts *opts, char **out, struct err *e)
{
	struct uref r;
	char *s = NULL;
	enum prc rc;

	*out = NULL;
	if (too_long(in, opts))
		return fail(e, PRC_LIMIT, "", in);
	s = prep(in);
	if (!s)
		return err_set(e, PRC_NOMEM, "out of memory canonicalizing a url");
	parse_ref(s, &r);
	rc = canon_parts(&r, opts, in, out, e);
	free(s);
	return rc;
}

enum prc url_resolve(const char *base, const char *ref, const struct url_opts *opts, char **out,
		     struct err *e)
{
	struct uref b, r, t;
	struct buf merged;
	char *bs = NULL, *rs = NULL;
	enum prc rc;

	*out = NULL;
	if (too_long(ref, opts))
		return fail(e, PRC_LIMIT, "", ref);
	if (too_long(base, opts))
		return fail(e, PRC_LIMIT, "", base);
	buf_init(&merged, strlen(base) + strlen(ref) + 2);
	bs = prep(base);
	rs = prep(ref);
	if (!bs || !rs) {
		rc = err_set(e, PRC_NOMEM, "out of memory resolving a url");
		goto out;
	}
	parse_ref(bs, &b);
	parse_ref(rs, &r);
	if (!b.has_scheme) {
		rc = invalid(e, "base url is not absolute", base);
		goto out;
	}
	/* "http:g" against an http base is relative, as browsers read it (RFC 3986 5.2.2 note) */
	if (r.has_scheme && !r.has_auth && b.scheme.n == r.scheme.n) {
		size_t i;

		for (i = 0; i < b.scheme.n; i++)
			if (to_lower((unsigned char)b.scheme.p[i]) != to_lower((unsigned char)r.scheme.p[i]))
				break;
		if (i == b.scheme.n)
			r.has_scheme = 0;
	}
	if (r.has_scheme) {
		t = r;
	} else {
		t = r;
		t.has_scheme = 1;
		t.scheme = b.scheme;
		if (!r.has_auth) {
			t.has_auth = b.has_auth;
			t.auth = b.auth;
			if (r.path.n == 0) {
				t.path = b.path;
				if (!r.has_query) {
					t.has_query = b.has_query;
					t.query = b.query;
				}
			} else if (r.path.p[0] != '/') {
				/* merge: the base path up to its last '/', then the reference */
				size_t keep = b.path.n;

				while (keep > 0 && b.path.p[keep - 1] != '/')
					keep--;
				if (b.has_auth && b.path.n == 0)
					rc = buf_addch(&merged, '/');
				else
					rc = buf_add(&merged, b.path.p, keep);
				if (rc == PRC_OK)
					rc = buf_add(&merged, r.path.p, r.path.n);
				if (rc != PRC_OK) {
					rc = fail(e, rc, "cannot resolve url", ref);
					goto out;
				}
				t.path.p = buf_str(&merged);
				t.path.n = merged.len;
			}
		}
	}
	rc = canon_parts(&t, opts, ref, out, e);
out:
	buf_release(&merged);
	free(bs);
	free(rs);
	return rc;
}

/* Finds the host[:port] of a canonical URL. Returns its start and sets *n, or NULL. */
static const char *hostport(const char *canon, size_t *n, size_t *scheme_end)
{
	const char *p;

	if (!canon)
		return NULL;
	if (!strncmp(canon, "http://", 7))
		p = canon + 7;
	else if (!strncmp(canon, "https://", 8))
		p = canon + 8;
	else
		return NULL;
	*n = strcspn(p, "/?#");
	if (*n == 0)
		return NULL;
	if (scheme_end)
		*scheme_end = (size_t)(p - canon);
	return p;
}

char *url_origin(const char *canon)
{
	size_t n, s;
	const char *h = hostport(canon, &n, &s);

	return h ? strndup(canon, s + n) : NULL;
}

char *url_host(const char *canon)
{
	size_t n;
	const char *h = hostport(canon, &n, NULL), *c;

	if (!h)
		return NULL;
	if (h[0] == '[') {
		c = memchr(h, ']', n);
		return c ? strndup(h + 1, (size_t)(c - h - 1)) : NULL;
	}
	c = memchr(h, ':', n);
	return strndup(h, c ? (size_t)(c - h) : n);
}

char *url_path_query(const char *canon)
{
	size_t n;
	const char *h = hostport(canon, &n, NULL);

	if (!h)
		return NULL;
	h += n;
	if (*h != '/')
		return NULL;
	return strndup(h, strcspn(h, "#"));
}

char *url_registrable_domain(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];
	const psl_ctx_t *psl = psl_builtin();
	const char *rd = NULL;
	char *low, *res;
	size_t i;

	if (!host)
		return NULL;
	if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
		return strdup(host);
	low = strdup(host);
	if (!low)
		return NULL;
	for (i = 0; low[i]; i++)
		low[i] = (char)to_lower((unsigned char)low[i]);
	if (psl)
		rd = psl_registrable_domain(psl, low);
	res = strdup(rd ? rd : low);
	free(low);
	return res;
}
