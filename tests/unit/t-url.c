/* t-url.c - unit tests for crawler/url: canonicalization, RFC 3986 resolution, host keys. */
#include "crawler/url.h"

#include "tests/tap.h"

#define OK PRC_OK
#define BAD PRC_INVALID
#define LIM PRC_LIMIT

/* want is the canonical URL for PRC_OK, NULL otherwise. */
struct ccase {
	const char *in;
	enum prc rc;
	const char *want;
};

struct rcase {
	const char *base;
	const char *ref;
	enum prc rc;
	const char *want;
};

static const struct ccase canon_cases[] = {
	/* scheme, host case, empty path */
	{ "HTTP://Example.COM/", OK, "http://example.com/" },
	{ "http://example.com", OK, "http://example.com/" },
	{ "HtTpS://WWW.EXAMPLE.JP", OK, "https://www.example.jp/" },
	{ "http://example.com?x=1", OK, "http://example.com/?x=1" },
	{ "http://example.com./a", OK, "http://example.com/a" },
	{ "http://my_host.example.com/", OK, "http://my_host.example.com/" },
	/* ports */
	{ "http://example.com:80/", OK, "http://example.com/" },
	{ "https://example.com:443/a", OK, "https://example.com/a" },
	{ "http://example.com:443/", OK, "http://example.com:443/" },
	{ "https://example.com:80/", OK, "https://example.com:80/" },
	{ "http://example.com:8080/a", OK, "http://example.com:8080/a" },
	{ "http://example.com:08080/", OK, "http://example.com:8080/" },
	{ "http://example.com:/", OK, "http://example.com/" },
	{ "http://example.com:65535/", OK, "http://example.com:65535/" },
	{ "http://example.com:65536/", BAD, NULL },
	{ "http://example.com:0/", BAD, NULL },
	{ "http://example.com:8a/", BAD, NULL },
	{ "http://example.com:99999999999999999999/", BAD, NULL },
	/* userinfo is dropped */
	{ "http://user:pass@example.com/", OK, "http://example.com/" },
	{ "http://a@b@example.com:81/", OK, "http://example.com:81/" },
	/* dot segments */
	{ "http://example.com/a/./b/../c", OK, "http://example.com/a/c" },
	{ "http://example.com/a/b/..", OK, "http://example.com/a/" },
	{ "http://example.com/../../a", OK, "http://example.com/a" },
	{ "http://example.com/a//b/", OK, "http://example.com/a//b/" },
	{ "http://example.com/%2E%2E/a/%2e/b", OK, "http://example.com/a/b" },
	/* percent-encoding */
	{ "http://example.com/%7Efoo", OK, "http://example.com/~foo" },
	{ "http://example.com/%7efoo%2fbar", OK, "http://example.com/~foo%2Fbar" },
	{ "http://example.com/a%2db%41%5a%30%5F", OK, "http://example.com/a-bAZ0_" },
	{ "http://example.com/a b", OK, "http://example.com/a%20b" },
	{ "http://example.com/100%", OK, "http://example.com/100%25" },
	{ "http://example.com/%zz%4", OK, "http://example.com/%25zz%254" },
	{ "http://example.com/a|b<c>\"{}^`", OK, "http://example.com/a%7Cb%3Cc%3E%22%7B%7D%5E%60" },
	{ "http://example.com/\xe6\x97\xa5\xe6\x9c\xac", OK, "http://example.com/%E6%97%A5%E6%9C%AC" },
	{ "http://example.com/?q=\xe5\xa4\xa7\xe9\xba\xbb", OK, "http://example.com/?q=%E5%A4%A7%E9%BA%BB" },
	{ "http://example.com/?q=a+b%2Bc%26d", OK, "http://example.com/?q=a+b%2Bc%26d" },
	{ "http://example.com/\x01\x7f", OK, "http://example.com/%01%7F" },
	{ "http://example.com/a:b@c!$&'()*+,;=", OK, "http://example.com/a:b@c!$&'()*+,;=" },
	{ "http://example.com/?a=/?:@", OK, "http://example.com/?a=/?:@" },
	/* query and fragment */
	{ "http://example.com/?", OK, "http://example.com/" },
	{ "http://example.com/a?#", OK, "http://example.com/a" },
	{ "http://example.com/?a=1&&b=2&", OK, "http://example.com/?a=1&b=2" },
	{ "http://example.com/?&", OK, "http://example.com/" },
	{ "http://example.com/#frag", OK, "http://example.com/" },
	{ "http://example.com/a?b=2&a=1#x?y", OK, "http://example.com/a?a=1&b=2" },
	/* session ids */
	{ "http://example.com/?jsessionid=abc&x=1", OK, "http://example.com/?x=1" },
	{ "http://example.com/?PHPSESSID=1", OK, "http://example.com/" },
	{ "http://example.com/?sid=1&side=2&xsid=3", OK, "http://example.com/?side=2&xsid=3" },
	{ "http://example.com/?SessionId=1&session_id=2&cfid=3&CFTOKEN=4&ASPSESSIONIDQQGGGNCU=5&y",
	  OK, "http://example.com/?y" },
	{ "http://example.com/?sid", OK, "http://example.com/" },
	{ "http://example.com/a;jsessionid=ABC?x=1", OK, "http://example.com/a?x=1" },
	{ "http://example.com/a;JSESSIONID=ABC/b;v=1", OK, "http://example.com/a/b;v=1" },
	{ "http://example.com/a;x=1;jsessionid=2;y=3", OK, "http://example.com/a;x=1;y=3" },
	/* IDN */
	{ "http://\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp/", OK, "http://xn--wgv71a119e.jp/" },
	{ "http://\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.JP/a", OK, "http://xn--wgv71a119e.jp/a" },
	{ "http://%E6%97%A5%E6%9C%AC%E8%AA%9E.jp/", OK, "http://xn--wgv71a119e.jp/" },
	{ "http://XN--WGV71A119E.jp/", OK, "http://xn--wgv71a119e.jp/" },
	{ "http://\xef\xbc\xa5\xef\xbc\xb8\xef\xbc\xa1\xef\xbc\xad\xef\xbc\xb0\xef\xbc\xac\xef\xbc\xa5"
	  "\xef\xbc\x8e\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8d/",
	  OK, "http://example.com/" },
	{ "http://www.\xe3\x81\xbf\xe3\x82\x93\xe3\x81\xaa.jp/", OK, "http://www.xn--q9jyb4c.jp/" },
	{ "http://a\xff.jp/", BAD, NULL },
	{ "http://\xcc\x81" "a.jp/", BAD, NULL },
	/* IP literals */
	{ "http://127.0.0.1/", OK, "http://127.0.0.1/" },
	{ "http://0x7f.1/", OK, "http://127.0.0.1/" },
	{ "http://2130706433/", OK, "http://127.0.0.1/" },
	{ "http://0177.0.0.01/", OK, "http://127.0.0.1/" },
	{ "http://1.2.3/", OK, "http://1.2.0.3/" },
	{ "http://192.168.0.1.:8080/", OK, "http://192.168.0.1:8080/" },
	{ "http://256.0.0.1/", BAD, NULL },
	{ "http://1.2.3.4.5/", BAD, NULL },
	{ "http://1.2.3.09/", BAD, NULL },
	{ "http://example.123/", BAD, NULL },
	{ "http://[::1]/", OK, "http://[::1]/" },
	{ "http://[2001:DB8:0:0:0:0:0:1]:8080/a", OK, "http://[2001:db8::1]:8080/a" },
	{ "http://[::1]:80/", OK, "http://[::1]/" },
	{ "https://[::FFFF:1.2.3.4]/", OK, "https://[::ffff:1.2.3.4]/" },
	{ "http://[::1/", BAD, NULL },
	{ "http://[::1]x/", BAD, NULL },
	{ "http://[fe80::1%25eth0]/", BAD, NULL },
	{ "http://[1.2.3.4]/", BAD, NULL },
	{ "http://[]/", BAD, NULL },
	/* not http(s), or no usable host */
	{ "ftp://example.com/", BAD, NULL },
	{ "javascript:alert(1)", BAD, NULL },
	{ "mailto:a@example.com", BAD, NULL },
	{ "data:text/html,<b>x</b>", BAD, NULL },
	{ "file:///etc/passwd", BAD, NULL },
	{ "example.com/path", BAD, NULL },
	{ "/path", BAD, NULL },
	{ "", BAD, NULL },
	{ "http://", BAD, NULL },
	{ "http:///path", BAD, NULL },
	{ "http:example.com", BAD, NULL },
	{ "http://exa mple.com/", BAD, NULL },
	{ "http://a..b/", BAD, NULL },
	{ "http://.a/", BAD, NULL },
	{ "http://ex<ample.com/", BAD, NULL },
	{ "http://ex%00ample.com/", BAD, NULL },
	{ "http://user@/", BAD, NULL },
	{ "http://:80/", BAD, NULL },
	/* whitespace and backslashes, as browsers read them */
	{ "  http://example.com/a \n", OK, "http://example.com/a" },
	{ "\t\x01http://exa\tmple.com/a\nb\r\n", OK, "http://example.com/ab" },
	{ "http:\\\\example.com\\a\\b?x=\\#\\", OK, "http://example.com/a/b?x=%5C" },
	{ NULL, OK, NULL }
};

static const struct rcase resolve_cases[] = {
	/* RFC 3986 5.4.1, normal examples */
	{ "http://a/b/c/d;p?q", "g:h", BAD, NULL },
	{ "http://a/b/c/d;p?q", "g", OK, "http://a/b/c/g" },
	{ "http://a/b/c/d;p?q", "./g", OK, "http://a/b/c/g" },
	{ "http://a/b/c/d;p?q", "g/", OK, "http://a/b/c/g/" },
	{ "http://a/b/c/d;p?q", "/g", OK, "http://a/g" },
	{ "http://a/b/c/d;p?q", "//g", OK, "http://g/" },
	{ "http://a/b/c/d;p?q", "?y", OK, "http://a/b/c/d;p?y" },
	{ "http://a/b/c/d;p?q", "g?y", OK, "http://a/b/c/g?y" },
	{ "http://a/b/c/d;p?q", "#s", OK, "http://a/b/c/d;p?q" },
	{ "http://a/b/c/d;p?q", "g#s", OK, "http://a/b/c/g" },
	{ "http://a/b/c/d;p?q", "g?y#s", OK, "http://a/b/c/g?y" },
	{ "http://a/b/c/d;p?q", ";x", OK, "http://a/b/c/;x" },
	{ "http://a/b/c/d;p?q", "g;x", OK, "http://a/b/c/g;x" },
	{ "http://a/b/c/d;p?q", "g;x?y#s", OK, "http://a/b/c/g;x?y" },
	{ "http://a/b/c/d;p?q", "", OK, "http://a/b/c/d;p?q" },
	{ "http://a/b/c/d;p?q", ".", OK, "http://a/b/c/" },
	{ "http://a/b/c/d;p?q", "./", OK, "http://a/b/c/" },
	{ "http://a/b/c/d;p?q", "..", OK, "http://a/b/" },
	{ "http://a/b/c/d;p?q", "../", OK, "http://a/b/" },
	{ "http://a/b/c/d;p?q", "../g", OK, "http://a/b/g" },
	{ "http://a/b/c/d;p?q", "../..", OK, "http://a/" },
	{ "http://a/b/c/d;p?q", "../../", OK, "http://a/" },
	{ "http://a/b/c/d;p?q", "../../g", OK, "http://a/g" },
	/* RFC 3986 5.4.2, abnormal examples */
	{ "http://a/b/c/d;p?q", "../../../g", OK, "http://a/g" },
	{ "http://a/b/c/d;p?q", "../../../../g", OK, "http://a/g" },
	{ "http://a/b/c/d;p?q", "/./g", OK, "http://a/g" },
	{ "http://a/b/c/d;p?q", "/../g", OK, "http://a/g" },
	{ "http://a/b/c/d;p?q", "g.", OK, "http://a/b/c/g." },
	{ "http://a/b/c/d;p?q", ".g", OK, "http://a/b/c/.g" },
	{ "http://a/b/c/d;p?q", "g..", OK, "http://a/b/c/g.." },
	{ "http://a/b/c/d;p?q", "..g", OK, "http://a/b/c/..g" },
	{ "http://a/b/c/d;p?q", "./../g", OK, "http://a/b/g" },
	{ "http://a/b/c/d;p?q", "./g/.", OK, "http://a/b/c/g/" },
	{ "http://a/b/c/d;p?q", "g/./h", OK, "http://a/b/c/g/h" },
	{ "http://a/b/c/d;p?q", "g/../h", OK, "http://a/b/c/h" },
	{ "http://a/b/c/d;p?q", "g;x=1/./y", OK, "http://a/b/c/g;x=1/y" },
	{ "http://a/b/c/d;p?q", "g;x=1/../y", OK, "http://a/b/c/y" },
	{ "http://a/b/c/d;p?q", "g?y/./x", OK, "http://a/b/c/g?y/./x" },
	{ "http://a/b/c/d;p?q", "g?y/../x", OK, "http://a/b/c/g?y/../x" },
	{ "http://a/b/c/d;p?q", "g#s/./x", OK, "http://a/b/c/g" },
	{ "http://a/b/c/d;p?q", "g#s/../x", OK, "http://a/b/c/g" },
	/* "for backward compatibility", as browsers do */
	{ "http://a/b/c/d;p?q", "http:g", OK, "http://a/b/c/g" },
	{ "http://a/b/c/d;p?q", "HTTP:g", OK, "http://a/b/c/g" },
	{ "http://a/b/c/d;p?q", "https:g", BAD, NULL },
	/* what pages write */
	{ "http://example.com/a/b.html", "  ../c.html  ", OK, "http://example.com/c.html" },
	{ "http://example.com/a/b.html", "\n\tc.html\r\n", OK, "http://example.com/a/c.html" },
	{ "http://example.com/a/b.html", "//other.example/x", OK, "http://other.example/x" },
	{ "https://example.com/a/b.html", "//other.example/x", OK, "https://other.example/x" },
	{ "http://example.com/a/b.html", "HTTPS://OTHER.example:443", OK, "https://other.example/" },
	{ "http://example.com/a/b.html", "?x=1#f", OK, "http://example.com/a/b.html?x=1" },
	{ "http://example.com/a/b.html?old=1", "#top", OK, "http://example.com/a/b.html?old=1" },
	{ "http://example.com", "g", OK, "http://example.com/g" },
	{ "http://example.com", "?q", OK, "http://example.com/?q" },
	{ "http://example.com/a/", "\\\\evil.example\\x", OK, "http://evil.example/x" },
	{ "http://example.com/a/", "/b\\c", OK, "http://example.com/b/c" },
	{ "http://example.com/a/", "\xe6\x97\xa5\xe6\x9c\xac.html", OK,
	  "http://example.com/a/%E6%97%A5%E6%9C%AC.html" },
	{ "http://example.com/a/", "http://\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp/\xe3\x83\x91",
	  OK, "http://xn--wgv71a119e.jp/%E3%83%91" },
	{ "http://example.com/a/", "g;jsessionid=123?PHPSESSID=4&a=b", OK, "http://example.com/a/g?a=b" },
	{ "http://example.com/a/", "a%20b c", OK, "http://example.com/a/a%20b%20c" },
	{ "http://example.com/a/", "javascript:void(0)", BAD, NULL },
	{ "http://example.com/a/", "mailto:x@example.com", BAD, NULL },
	{ "http://example.com/a/", "tel:+81-3-0000", BAD, NULL },
	{ "http://example.com/a/", "data:image/png;base64,AAAA", BAD, NULL },
	{ "http://example.com/a/", "http://", BAD, NULL },
	{ "/relative/base", "x", BAD, NULL },
	{ "https://example.com:8443/a/b", "../c?d", OK, "https://example.com:8443/c?d" },
	{ "http://[::1]:8080/a/b", "c", OK, "http://[::1]:8080/a/c" },
	{ NULL, NULL, OK, NULL }
};

/* s with control bytes escaped, so a test name stays on its TAP line. Two rotating buffers. */
static const char *shown(const char *s)
{
	static char bufs[2][512];
	static int which;
	char *d = bufs[which ^= 1];
	size_t o = 0;

	for (; *s && o < sizeof(bufs[0]) - 5; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			o += (size_t)snprintf(d + o, 5, "\\x%02x", (unsigned char)*s);
		else
			d[o++] = *s;
	}
	d[o] = '\0';
	return d;
}

static int run_canon(void)
{
	const struct ccase *c;
	int n = 0;

	for (c = canon_cases; c->in; c++, n++) {
		struct err e = { "" };
		char *out = NULL;
		enum prc rc = url_canonicalize(c->in, NULL, &out, &e);

		if (c->rc == OK) {
			is_str(out, c->want, "canonicalize '%s'", shown(c->in));
		} else {
			if (!ok(rc == c->rc && out == NULL && e.msg[0], "canonicalize '%s' refused",
				shown(c->in)))
				diag("got rc %s, '%s'", prc_str(rc), out ? out : "(null)");
		}
		free(out);
	}
	return n;
}

static int run_resolve(void)
{
	const struct rcase *c;
	int n = 0;

	for (c = resolve_cases; c->base; c++, n++) {
		struct err e = { "" };
		char *out = NULL;
		enum prc rc = url_resolve(c->base, c->ref, NULL, &out, &e);

		if (c->rc == OK)
			is_str(out, c->want, "resolve '%s' against '%s'", shown(c->ref),
			       shown(c->base));
		else if (!ok(rc == c->rc && out == NULL && e.msg[0], "resolve '%s' against '%s' refused",
			     shown(c->ref), shown(c->base)))
			diag("got rc %s, '%s'", prc_str(rc), out ? out : "(null)");
		free(out);
	}
	return n;
}

static void test_opts(void)
{
	struct url_opts o = { 0, 0, 0 };
	struct err e;
	char *out = NULL, *s;

	url_canonicalize("http://example.com/?b=2&a=1&a=0&c&B=3", &o, &out, &e);
	is_str(out, "http://example.com/?B=3&a=1&a=0&b=2&c", "sort_query is stable and bytewise");
	free(out);
	url_canonicalize("http://example.com/?b=2&sid=9&a=1", &o, &out, &e);
	is_str(out, "http://example.com/?a=1&b=2", "sort_query after stripping session ids");
	free(out);
	url_canonicalize("http://example.com/?a=1&ab=0&a", &o, &out, &e);
	is_str(out, "http://example.com/?a=1&a&ab=0", "sort_query compares names only");
	free(out);

	url_canonicalize("http://example.com/?p=2&id=1", NULL, &out, &e);
	is_str(out, "http://example.com/?id=1&p=2", "parameters are sorted by default");
	free(out);
	o.keep_query_order = 1;
	url_canonicalize("http://example.com/?p=2&id=1", &o, &out, &e);
	is_str(out, "http://example.com/?p=2&id=1", "keep_query_order keeps the page's order");
	ok(url_sort_query(out) == PRC_OK, "url_sort_query");
	is_str(out, "http://example.com/?id=1&p=2", "url_sort_query sorts as url_canonicalize does");
	free(out);
	s = strdup("http://example.com/a?z=1&a=2&z=0#");
	s[strlen(s) - 1] = '\0';
	url_sort_query(s);
	is_str(s, "http://example.com/a?a=2&z=1&z=0", "url_sort_query is stable");
	free(s);
	s = strdup("http://example.com/a?only=1");
	url_sort_query(s);
	is_str(s, "http://example.com/a?only=1", "url_sort_query: one parameter");
	free(s);

	o.keep_session_ids = 1;
	url_canonicalize("http://example.com/x;jsessionid=1?PHPSESSID=2&sid=3", &o, &out, &e);
	is_str(out, "http://example.com/x;jsessionid=1?PHPSESSID=2&sid=3",
	       "keep_session_ids keeps path and query ids");
	free(out);
}

static void test_limits(void)
{
	struct url_opts o = { 30, 0, 0 };
	struct err e = { "" };
	char *out = NULL, *big;
	size_t i;

	/* "http://example.com/" is 19 bytes */
	is_int(url_canonicalize("http://example.com/0123456789a", &o, &out, &e), PRC_OK,
	       "exactly max_len is accepted");
	free(out);
	out = NULL;
	is_int(url_canonicalize("http://example.com/0123456789ab", &o, &out, &e), PRC_LIMIT,
	       "one byte over max_len is PRC_LIMIT");
	ok(out == NULL && strstr(e.msg, "too long"), "limit message: %s", e.msg);
	is_int(url_canonicalize("http://example.com/%41%41%41%41%41%41%41%41%41%41%41", &o, &out, &e),
	       PRC_OK, "the limit applies to the canonical form");
	is_str(out, "http://example.com/AAAAAAAAAAA", "decoded before measuring");
	free(out);
	out = NULL;
	is_int(url_resolve("http://example.com/", "\xe6\x97\xa5\xe6\x9c\xac", &o, &out, &e),
	       PRC_LIMIT, "encoding growth counts against the limit");

	big = malloc(100001);
	memcpy(big, "http://example.com/", 19);
	for (i = 19; i < 100000; i++)
		big[i] = 'a';
	big[100000] = '\0';
	is_int(url_canonicalize(big, NULL, &out, &e), PRC_LIMIT, "100 kB URL refused by default");
	is_int(url_resolve("http://example.com/", big + 18, NULL, &out, &e), PRC_LIMIT,
	       "100 kB reference refused by default");
	big[19 + URL_MAX_LEN_DEFAULT - 19] = '\0';
	is_int(url_canonicalize(big, NULL, &out, &e), PRC_OK, "URL_MAX_LEN_DEFAULT bytes accepted");
	is_int(strlen(out), URL_MAX_LEN_DEFAULT, "... unchanged");
	free(out);
	out = NULL;
	big[19 + URL_MAX_LEN_DEFAULT - 19] = 'a';
	big[19 + URL_MAX_LEN_DEFAULT - 18] = '\0';
	is_int(url_canonicalize(big, NULL, &out, &e), PRC_LIMIT, "one more is PRC_LIMIT");
	free(big);
}

static void test_messages(void)
{
	struct err e = { "" };
	char *out = NULL, big[1200];

	url_canonicalize("ftp://example.com/x", NULL, &out, &e);
	ok(strstr(e.msg, "'ftp://example.com/x'") != NULL, "message quotes the url: %s", e.msg);
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "gopher://", 9);
	big[sizeof(big) - 1] = '\0';
	url_canonicalize(big, NULL, &out, &e);
	ok(strlen(e.msg) < 300 && strstr(e.msg, "...'"), "a long url is cut in the message");
	url_canonicalize("http://ex\x01" "ample.com/", NULL, &out, &e);
	ok(strchr(e.msg, '\x01') == NULL, "control bytes are not copied into messages");
	url_resolve("http://example.com/", "javascript:alert(1)", NULL, &out, &e);
	ok(strstr(e.msg, "javascript:alert(1)") != NULL, "resolve quotes the reference: %s", e.msg);
	ok(out == NULL, "no output on failure");
}

static void test_parts(void)
{
	char *s;

#define PART(fn, in, want, name)                                                                   \
	do {                                                                                       \
		s = fn(in);                                                                        \
		is_str(s, want, name);                                                             \
		free(s);                                                                           \
	} while (0)

	PART(url_origin, "http://example.com/a?b", "http://example.com", "origin");
	PART(url_origin, "https://example.com:8443/x", "https://example.com:8443",
	     "origin keeps a non-default port");
	PART(url_origin, "http://[::1]:8080/", "http://[::1]:8080", "origin of IPv6");
	PART(url_origin, "ftp://example.com/", NULL, "origin of non-http is NULL");
	PART(url_origin, NULL, NULL, "origin of NULL is NULL");
	PART(url_host, "http://example.com:81/x", "example.com", "host without port");
	PART(url_host, "http://[::1]:8080/", "::1", "host of IPv6 without brackets");
	PART(url_host, "https://xn--wgv71a119e.jp/", "xn--wgv71a119e.jp", "punycode host");
	PART(url_host, "mailto:x@y", NULL, "host of non-http is NULL");
	PART(url_path_query, "http://example.com/a/b?x=1", "/a/b?x=1", "path and query");
	PART(url_path_query, "http://[::1]:8080/", "/", "root path");
	PART(url_path_query, "http://example.com", NULL, "a non-canonical URL gives NULL");

	PART(url_registrable_domain, "www.example.co.jp", "example.co.jp", "registrable .co.jp");
	PART(url_registrable_domain, "a.b.example.com", "example.com", "registrable .com");
	PART(url_registrable_domain, "WWW.Example.COM", "example.com", "registrable lowercased");
	PART(url_registrable_domain, "www.xn--wgv71a119e.jp", "xn--wgv71a119e.jp",
	     "registrable of a punycode domain");
	PART(url_registrable_domain, "foo.bar.blogspot.com", "bar.blogspot.com",
	     "private suffixes count");
	PART(url_registrable_domain, "co.jp", "co.jp", "a bare public suffix is itself");
	PART(url_registrable_domain, "localhost", "localhost", "single label is itself");
	PART(url_registrable_domain, "192.168.0.1", "192.168.0.1", "IPv4 is itself");
	PART(url_registrable_domain, "2001:db8::1", "2001:db8::1", "IPv6 is itself");
	PART(url_registrable_domain, NULL, NULL, "NULL host");
#undef PART
}

int main(void)
{
	int n = run_canon();

	diag("%d canonicalization cases", n);
	n = run_resolve();
	diag("%d resolution cases", n);
	test_opts();
	test_limits();
	test_messages();
	test_parts();
	return done_testing();
}
