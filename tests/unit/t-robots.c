/* t-robots.c - unit tests for crawler/robots: RFC 9309 parsing, grouping and matching. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawler/robots.h"
#include "tests/tap.h"
#include "util/utf8.h"

/* One robots.txt, one agent, one path, the expected verdict. */
struct rcase {
	const char *name;
	const char *txt;
	const char *agent;
	const char *path;
	int allowed;
};

#define RFC51                                                                                      \
	"User-Agent: *\n"                                                                          \
	"Disallow: *.gif$\n"                                                                       \
	"Disallow: /example/\n"                                                                    \
	"Allow: /publications/\n"                                                                  \
	"\n"                                                                                       \
	"User-Agent: foobot\n"                                                                     \
	"Disallow:/\n"                                                                             \
	"Allow:/example/page.html\n"                                                               \
	"Allow:/example/allowed.gif\n"                                                             \
	"\n"                                                                                       \
	"User-Agent: barbot\n"                                                                     \
	"User-Agent: bazbot\n"                                                                     \
	"Disallow: /example/page.html\n"                                                           \
	"\n"                                                                                       \
	"User-Agent: quxbot\n"                                                                     \
	"\n"                                                                                       \
	"EOF\n"

#define RFC52 "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n"

#define ALL(rules) "User-agent: *\n" rules

static const struct rcase cases[] = {
	/* RFC 9309 section 5.1: one file, several crawlers. */
	{ "5.1 foobot: allowed page", RFC51, "foobot", "/example/page.html", 1 },
	{ "5.1 foobot: allowed gif", RFC51, "foobot", "/example/allowed.gif", 1 },
	{ "5.1 foobot: everything else closed", RFC51, "foobot", "/example/other.html", 0 },
	{ "5.1 foobot: root closed", RFC51, "foobot", "/", 0 },
	{ "5.1 barbot: its page closed", RFC51, "barbot", "/example/page.html", 0 },
	{ "5.1 barbot: '*' rules do not apply", RFC51, "barbot", "/example/other.html", 1 },
	{ "5.1 barbot: '*' gif rule does not apply", RFC51, "barbot", "/x.gif", 1 },
	{ "5.1 bazbot: second user-agent line of the group", RFC51, "bazbot", "/example/page.html", 0 },
	{ "5.1 quxbot: empty group allows all", RFC51, "quxbot", "/example/page.html", 1 },
	{ "5.1 quxbot: empty group, gif", RFC51, "quxbot", "/a.gif", 1 },
	{ "5.1 other: *.gif$ closes gifs", RFC51, "patrol", "/images/a.gif", 0 },
	{ "5.1 other: *.gif$ is anchored", RFC51, "patrol", "/images/a.gif?x=1", 1 },
	{ "5.1 other: /example/ closed", RFC51, "patrol", "/example/page.html", 0 },
	{ "5.1 other: /publications/ open", RFC51, "patrol", "/publications/x", 1 },
	{ "5.1 other: unmatched path open", RFC51, "patrol", "/index.html", 1 },

	/* RFC 9309 section 5.2: the longest match wins. */
	{ "5.2 allow the directory", RFC52, "foobot", "/example/page/", 1 },
	{ "5.2 longer disallow wins", RFC52, "foobot", "/example/page/disallowed.gif", 0 },
	{ "5.2 sibling file allowed", RFC52, "foobot", "/example/page/other.gif", 1 },

	/* RFC 9309 section 2.2.3: special characters. */
	{ "2.2.3 '$' anchors: exact", ALL("Disallow: /this/path/exactly$\n"), "patrol",
	  "/this/path/exactly", 0 },
	{ "2.2.3 '$' anchors: longer path", ALL("Disallow: /this/path/exactly$\n"), "patrol",
	  "/this/path/exactly/", 1 },
	{ "2.2.3 '*' in the middle", ALL("Disallow: /this/*/exactly\n"), "patrol",
	  "/this/is/the/path/exactly", 0 },
	{ "2.2.3 %2A names a literal '*'", ALL("Disallow: /path/file-with-a-%2A.html\n"), "patrol",
	  "/path/file-with-a-*.html", 0 },
	{ "2.2.3 %2A is not a wildcard", ALL("Disallow: /path/file-with-a-%2A.html\n"), "patrol",
	  "/path/file-with-a-x.html", 1 },
	{ "2.2.3 %24 names a literal '$'", ALL("Disallow: /path/foo-%24\n"), "patrol", "/path/foo-$",
	  0 },
	{ "2.2.3 %24 is not an anchor", ALL("Disallow: /path/foo-%24\n"), "patrol", "/path/foo-$x", 0 },
	{ "'$' inside a pattern is literal", ALL("Disallow: /a$b\n"), "patrol", "/a$b", 0 },
	{ "'$' inside a pattern is literal (other path)", ALL("Disallow: /a$b\n"), "patrol", "/ab", 1 },

	/* Google's documented examples for path matching. */
	{ "/fish matches /fish", ALL("Disallow: /fish\n"), "patrol", "/fish", 0 },
	{ "/fish matches /fish.html", ALL("Disallow: /fish\n"), "patrol", "/fish.html", 0 },
	{ "/fish matches /fishheads/yummy.html", ALL("Disallow: /fish\n"), "patrol",
	  "/fishheads/yummy.html", 0 },
	{ "/fish matches /fish.php?id=anything", ALL("Disallow: /fish\n"), "patrol",
	  "/fish.php?id=anything", 0 },
	{ "/fish is case-sensitive", ALL("Disallow: /fish\n"), "patrol", "/Fish.asp", 1 },
	{ "/fish does not match /catfish", ALL("Disallow: /fish\n"), "patrol", "/catfish", 1 },
	{ "/fish does not match /?id=fish", ALL("Disallow: /fish\n"), "patrol", "/?id=fish", 1 },
	{ "/fish* matches /fishheads", ALL("Disallow: /fish*\n"), "patrol", "/fishheads", 0 },
	{ "/fish* does not match /desert/fish", ALL("Disallow: /fish*\n"), "patrol", "/desert/fish", 1 },
	{ "/fish/ matches /fish/salmon.htm", ALL("Disallow: /fish/\n"), "patrol", "/fish/salmon.htm", 0 },
	{ "/fish/ does not match /fish.html", ALL("Disallow: /fish/\n"), "patrol", "/fish.html", 1 },
	{ "/fish/ does not match /animals/fish/", ALL("Disallow: /fish/\n"), "patrol",
	  "/animals/fish/", 1 },
	{ "/*.php matches /folder/filename.php?parameters", ALL("Disallow: /*.php\n"), "patrol",
	  "/folder/filename.php?parameters", 0 },
	{ "/*.php matches /folder/any.php.file.html", ALL("Disallow: /*.php\n"), "patrol",
	  "/folder/any.php.file.html", 0 },
	{ "/*.php does not match /", ALL("Disallow: /*.php\n"), "patrol", "/", 1 },
	{ "/*.php does not match /windows.PHP", ALL("Disallow: /*.php\n"), "patrol", "/windows.PHP", 1 },
	{ "/*.php$ matches /folder/filename.php", ALL("Disallow: /*.php$\n"), "patrol",
	  "/folder/filename.php", 0 },
	{ "/*.php$ does not match /filename.php?parameters", ALL("Disallow: /*.php$\n"), "patrol",
	  "/filename.php?parameters", 1 },
	{ "/*.php$ does not match /filename.php5", ALL("Disallow: /*.php$\n"), "patrol",
	  "/filename.php5", 1 },
	{ "/*.php$ matches /a.php.php", ALL("Disallow: /*.php$\n"), "patrol", "/a.php.php", 0 },
	{ "/fish*.php matches /fishheads/catfish.php?parameters", ALL("Disallow: /fish*.php\n"),
	  "patrol", "/fishheads/catfish.php?parameters", 0 },
	{ "/fish*.php does not match /Fish.PHP", ALL("Disallow: /fish*.php\n"), "patrol", "/Fish.PHP",
	  1 },
	{ "'*' alone matches everything", ALL("Disallow: *\n"), "patrol", "/anything", 0 },
	{ "/*$ matches everything", ALL("Disallow: /*$\n"), "patrol", "/x/y", 0 },

	/* Google's documented precedence examples. */
	{ "allow /p beats disallow /", ALL("Allow: /p\nDisallow: /\n"), "patrol", "/page", 1 },
	{ "allow /folder ties disallow /folder: allow", ALL("Allow: /folder\nDisallow: /folder\n"),
	  "patrol", "/folder/page", 1 },
	{ "tie resolved the same in either order", ALL("Disallow: /folder\nAllow: /folder\n"),
	  "patrol", "/folder/page", 1 },
	{ "disallow /*.htm beats allow /page", ALL("Allow: /page\nDisallow: /*.htm\n"), "patrol",
	  "/page.htm", 0 },
	{ "allow /page ties disallow /*.ph: allow", ALL("Allow: /page\nDisallow: /*.ph\n"), "patrol",
	  "/page.php5", 1 },
	{ "allow /$ opens only the root", ALL("Allow: /$\nDisallow: /\n"), "patrol", "/", 1 },
	{ "allow /$ does not open /page.htm", ALL("Allow: /$\nDisallow: /\n"), "patrol", "/page.htm",
	  0 },

	/* Agent matching. */
	{ "version suffix on the user-agent line", "User-agent: patrol/1.0\nDisallow: /\n", "patrol",
	  "/x", 0 },
	{ "product token matched case-insensitively", "User-agent: PaTrOl\nDisallow: /\n", "patrol",
	  "/x", 0 },
	{ "our agent given with a version", "User-agent: patrol\nDisallow: /\n", "patrol/1.0", "/x",
	  0 },
	{ "a longer token is another crawler", "User-agent: patrol-bot\nDisallow: /\n", "patrol", "/x",
	  1 },
	{ "a prefix of our token is another crawler", "User-agent: patr\nDisallow: /\n", "patrol",
	  "/x", 1 },
	{ "the specific group replaces '*'",
	  "User-agent: *\nDisallow: /a\n\nUser-agent: patrol\nDisallow: /b\n", "patrol", "/a", 1 },
	{ "the specific group applies",
	  "User-agent: *\nDisallow: /a\n\nUser-agent: patrol\nDisallow: /b\n", "patrol", "/b", 0 },
	{ "groups for the agent are merged (first)",
	  "User-agent: patrol\nDisallow: /a\n\nUser-agent: other\nDisallow: /c\n\n"
	  "User-agent: patrol\nDisallow: /b\n",
	  "patrol", "/a", 0 },
	{ "groups for the agent are merged (second)",
	  "User-agent: patrol\nDisallow: /a\n\nUser-agent: other\nDisallow: /c\n\n"
	  "User-agent: patrol\nDisallow: /b\n",
	  "patrol", "/b", 0 },
	{ "another agent's group is not merged",
	  "User-agent: patrol\nDisallow: /a\n\nUser-agent: other\nDisallow: /c\n\n"
	  "User-agent: patrol\nDisallow: /b\n",
	  "patrol", "/c", 1 },
	{ "'*' groups are merged",
	  "User-agent: *\nDisallow: /a\n\nUser-agent: *\nDisallow: /b\n", "patrol", "/b", 0 },
	{ "merged groups: longest match across groups",
	  "User-agent: patrol\nDisallow: /a\n\nUser-agent: patrol\nAllow: /a/b\n", "patrol", "/a/b/c",
	  1 },
	{ "our agent among several user-agent lines",
	  "User-agent: one\nUser-agent: patrol\nUser-agent: two\nDisallow: /\n", "patrol", "/x", 0 },
	{ "'*' with a trailing comment", "User-agent: * # everyone\nDisallow: /\n", "patrol", "/x", 0 },
	{ "a rule line ends the user-agent list",
	  "User-agent: patrol\nDisallow: /a\nUser-agent: other\nDisallow: /b\n", "patrol", "/b", 1 },
	{ "a sitemap line does not end the user-agent list (RFC 9309 2.2.4)",
	  "User-agent: patrol\nSitemap: https://x/s.xml\nUser-agent: other\nDisallow: /\n", "patrol",
	  "/x", 0 },
	{ "an unknown line does not end the user-agent list",
	  "User-agent: patrol\nHost: x.example\nUser-agent: other\nDisallow: /\n", "patrol", "/x", 0 },
	{ "a sitemap line between groups: the next group is still ours",
	  "User-agent: other\nDisallow: /a\nSitemap: https://x/s.xml\nUser-agent: patrol\n"
	  "Disallow: /b\n", "patrol", "/a", 1 },
	{ "rules before any user-agent are ignored", "Disallow: /\nUser-agent: *\nDisallow: /a\n",
	  "patrol", "/x", 1 },
	{ "no groups: everything allowed", "Sitemap: https://x/s.xml\n", "patrol", "/x", 1 },
	{ "empty file: everything allowed", "", "patrol", "/x", 1 },
	{ "empty disallow allows everything", ALL("Disallow:\n"), "patrol", "/x", 1 },
	{ "empty disallow does not cancel others", ALL("Disallow:\nDisallow: /x\n"), "patrol", "/x", 0 },

	/* Percent-encoding: compared normalized (RFC 9309 section 2.2.2). */
	{ "query with a URL, written raw", ALL("Disallow: /foo/bar?baz=https://foo.bar\n"), "patrol",
	  "/foo/bar?baz=https://foo.bar", 0 },
	{ "query with a URL, written encoded",
	  ALL("Disallow: /foo/bar?baz=https%3A%2F%2Ffoo.bar\n"), "patrol",
	  "/foo/bar?baz=https%3A%2F%2Ffoo.bar", 0 },
	{ "encoded reserved characters stay distinct from raw ones",
	  ALL("Disallow: /foo/bar?baz=https://foo.bar\n"), "patrol",
	  "/foo/bar?baz=https%3A%2F%2Ffoo.bar", 1 },
	{ "lowercase hex in the path", ALL("Disallow: /a%3Cd.html\n"), "patrol", "/a%3cd.html", 0 },
	{ "lowercase hex in the rule", ALL("Disallow: /a%3cd.html\n"), "patrol", "/a%3Cd.html", 0 },
	{ "encoded unreserved characters are decoded", ALL("Disallow: /foo/bar/baz\n"), "patrol",
	  "/foo/bar/%62%61%7A", 0 },
	{ "decoded in the rule too", ALL("Disallow: /foo/bar/%62%61%7A\n"), "patrol", "/foo/bar/baz",
	  0 },
	{ "raw UTF-8 rule vs encoded path", ALL("Disallow: /foo/bar/\xE3\x83\x84\n"), "patrol",
	  "/foo/bar/%E3%83%84", 0 },
	{ "raw UTF-8 rule vs lowercase-encoded path", ALL("Disallow: /foo/bar/\xE3\x83\x84\n"),
	  "patrol", "/foo/bar/%e3%83%84", 0 },
	{ "encoded rule vs raw UTF-8 path", ALL("Disallow: /foo/bar/%E3%83%84\n"), "patrol",
	  "/foo/bar/\xE3\x83\x84", 0 },
	{ "non-ASCII: a different character", ALL("Disallow: /foo/bar/\xE3\x83\x84\n"), "patrol",
	  "/foo/bar/%E3%83%85", 1 },
	{ "%2F is not '/'", ALL("Disallow: /a/b\n"), "patrol", "/a%2Fb", 1 },

	/* Syntax tolerance. */
	{ "BOM before the first line", "\xEF\xBB\xBFUser-agent: *\nDisallow: /x\n", "patrol", "/x", 0 },
	{ "CRLF line ends", "User-agent: *\r\nDisallow: /x\r\nAllow: /x/y\r\n", "patrol", "/x/z", 0 },
	{ "CRLF line ends (allow)", "User-agent: *\r\nDisallow: /x\r\nAllow: /x/y\r\n", "patrol",
	  "/x/y", 1 },
	{ "CR line ends", "User-agent: *\rDisallow: /x\rAllow: /x/y\r", "patrol", "/x/z", 0 },
	{ "CR line ends (allow)", "User-agent: *\rDisallow: /x\rAllow: /x/y\r", "patrol", "/x/y", 1 },
	{ "no final line end", "User-agent: *\nDisallow: /x", "patrol", "/x", 0 },
	{ "comment after a rule", ALL("Disallow: /x # not /y\n"), "patrol", "/x", 0 },
	{ "comment is not part of the value", ALL("Disallow: /x # not /y\n"), "patrol", "/y", 1 },
	{ "a commented-out rule", ALL("# Disallow: /x\n"), "patrol", "/x", 1 },
	{ "whitespace everywhere", " \tUser-agent \t:\t * \t\n   Disallow   :   /x   \n", "patrol",
	  "/x", 0 },
	{ "keys in any case", "USER-AGENT: *\nDISALLOW: /x\n", "patrol", "/x", 0 },
	{ "typo: dissallow", ALL("Dissallow: /x\n"), "patrol", "/x", 0 },
	{ "typo: disalow", ALL("disalow: /x\n"), "patrol", "/x", 0 },
	{ "typo: useragent", "useragent: patrol\nDisallow: /x\n", "patrol", "/x", 0 },
	{ "typo: user agent", "User agent: patrol\nDisallow: /x\n", "patrol", "/x", 0 },
	{ "no colon: the line is skipped", ALL("Disallow /x\n"), "patrol", "/x", 1 },
	{ "junk lines are skipped",
	  "<html><body>\nUser-agent: *\n\x01\x02\xff junk\n:\n: /x\nDisallow: /x\nfoo bar baz\n",
	  "patrol", "/x", 0 },
	{ "an unknown key does not end the file", ALL("Foo: bar\nDisallow: /x\n"), "patrol", "/x", 0 },
	{ "a value without a leading slash matches nothing", ALL("Disallow: x\n"), "patrol", "/x", 1 },

	/* /robots.txt is always allowed. */
	{ "/robots.txt despite Disallow: /", ALL("Disallow: /\n"), "patrol", "/robots.txt", 1 },
	{ "/robots.txt despite naming it", ALL("Disallow: /robots.txt\n"), "patrol", "/robots.txt", 1 },
	{ "/robots.txt with a query", ALL("Disallow: /\n"), "patrol", "/robots.txt?x=1", 1 },
	{ "/robots.txt.bak is not special", ALL("Disallow: /\n"), "patrol", "/robots.txt.bak", 0 },
	{ "an empty path is /", ALL("Disallow: /$\n"), "patrol", "", 0 },
};

static void test_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		struct robots *r = robots_parse(c->txt, strlen(c->txt), c->agent);

		if (!ok(r != NULL, "%s: parsed", c->name))
			continue;
		is_int(robots_allowed(r, c->path), c->allowed, "%s (%s %s)", c->name, c->agent,
		       c->path);
		robots_free(r);
	}
}

static int verdict(const char *txt, size_t len, const char *path)
{
	struct robots *r = robots_parse(txt, len, "patrol");
	int v = r ? robots_allowed(r, path) : -1;

	robots_free(r);
	return v;
}

static void test_nul_byte(void)
{
	static const char txt[] = "User-agent: *\nDisallow: /a\0b\nDisallow: /c\n";

	/* The NUL does not end the file: the rule after it still counts. */
	is_int(verdict(txt, sizeof(txt) - 1, "/c"), 0, "rule after a NUL byte is read");
	is_int(verdict(txt, sizeof(txt) - 1, "/a%00b"), 0, "NUL in a rule compares as %%00");
	is_int(verdict(txt, sizeof(txt) - 1, "/ab"), 1, "NUL is not dropped from the rule");
}

static void fill(char *buf, size_t *at, size_t upto)
{
	/* Comment lines of 64 bytes up to offset upto. */
	while (*at + 64 <= upto) {
		memset(buf + *at, 'x', 63);
		buf[*at] = '#';
		buf[*at + 63] = '\n';
		*at += 64;
	}
	while (*at < upto)
		buf[(*at)++] = '\n';
}

static void put(char *buf, size_t *at, const char *s)
{
	memcpy(buf + *at, s, strlen(s));
	*at += strlen(s);
}

static void test_size_limit(void)
{
	size_t size = 600 * 1024, at = 0;
	char *buf = malloc(size);
	const char *cut = "Disallow: /cut";

	if (!buf)
		return;
	put(buf, &at, "User-agent: *\nDisallow: /first\n");
	fill(buf, &at, ROBOTS_MAX_BYTES - 4096);
	put(buf, &at, "Disallow: /before\n");
	/* A line that the limit cuts after "Disallow: /cut". */
	fill(buf, &at, ROBOTS_MAX_BYTES - strlen(cut));
	put(buf, &at, "Disallow: /cutmore\n");
	fill(buf, &at, ROBOTS_MAX_BYTES + 4096);
	put(buf, &at, "Disallow: /after\n");
	fill(buf, &at, size);

	is_int(verdict(buf, size, "/first"), 0, "600 KiB file: first rule honoured");
	is_int(verdict(buf, size, "/before"), 0, "600 KiB file: rule just before 512 KiB honoured");
	is_int(verdict(buf, size, "/after"), 1, "600 KiB file: rule past 512 KiB ignored");
	is_int(verdict(buf, size, "/cutx"), 1, "600 KiB file: line cut by the limit is dropped");
	is_int(verdict(buf, size, "/cutmore"), 1, "600 KiB file: cut line not read in full either");
	free(buf);
}

static void test_long_lines(void)
{
	size_t n = 8000, big = 400 * 1024, at = 0;
	char *txt = malloc(3 * n + big + 100), *path = malloc(big + 2);
	struct robots *r;

	if (!txt || !path)
		goto out;
	put(txt, &at, "User-agent: *\n#");
	memset(txt + at, 'c', n);
	at += n;
	put(txt, &at, "\nDisallow: /");
	memset(txt + at, 'd', n);
	at += n;
	put(txt, &at, "\nAllow: /");
	memset(txt + at, 'd', n);
	at += n;
	put(txt, &at, "e\n");
	r = robots_parse(txt, at, "patrol");
	ok(r != NULL, "long lines: parsed");
	is_int(robots_rule_count(r), 2, "long allow and disallow rules both kept");
	path[0] = '/';
	memset(path + 1, 'd', n);
	path[n + 1] = 'e';
	path[n + 2] = '\0';
	is_int(robots_allowed(r, path), 1, "the longer allow of 8,002 bytes wins");
	path[n + 1] = 'f';
	is_int(robots_allowed(r, path), 0, "the disallow of 8,001 bytes applies past it");
	path[n] = '\0';
	is_int(robots_allowed(r, path), 1, "a path shorter than both rules is open");
	robots_free(r);

	/* One rule of 400 KiB (RFC 9309 section 2.5: parse at least 500 KiB). */
	at = 0;
	put(txt, &at, "User-agent: *\nDisallow: /\nAllow: /*");
	memset(txt + at, 'a', big);
	at += big;
	put(txt, &at, "$\n");
	r = robots_parse(txt, at, "patrol");
	is_int(robots_rule_count(r), 2, "a 400 KiB rule is kept");
	path[0] = '/';
	memset(path + 1, 'a', big);
	path[big + 1] = '\0';
	is_int(robots_allowed(r, path), 1, "a 400 KiB allow rule matches its path");
	path[big] = 'b';
	is_int(robots_allowed(r, path), 0, "a 400 KiB allow rule is compared to its last byte");
	robots_free(r);
out:
	free(txt);
	free(path);
}

static void test_pathological(void)
{
	size_t stars = 1000, plen = 20000, at = 0, i;
	char *txt = malloc(stars * 2 + 100), *path = malloc(plen + 2);
	struct robots *r;

	if (!txt || !path)
		goto out;
	put(txt, &at, "User-agent: *\nDisallow: /");
	for (i = 0; i < stars; i++)
		put(txt, &at, "*a");
	put(txt, &at, "*b\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c$\n");
	r = robots_parse(txt, at, "patrol");
	ok(r != NULL, "pathological: parsed");
	path[0] = '/';
	memset(path + 1, 'a', plen);
	path[plen + 1] = '\0';
	is_int(robots_allowed(r, path), 1, "'/*a*a*a...*b' against /aaaa... does not match");
	path[plen] = 'b';
	is_int(robots_allowed(r, path), 0, "'/*a*a*a...*b' against /aaaa...b matches");
	path[plen] = 'c';
	is_int(robots_allowed(r, path), 0, "anchored star pattern matches at the end");
	path[plen] = 'a';
	path[plen / 2] = 'c';
	is_int(robots_allowed(r, path), 1, "anchored star pattern needs the end");
	robots_free(r);
out:
	free(txt);
	free(path);
}

static void test_delay(void)
{
	static const struct {
		const char *txt;
		long ms;
		const char *name;
	} d[] = {
		{ "User-agent: *\nCrawl-delay: 2\n", 2000, "whole seconds" },
		{ "User-agent: *\nCrawl-delay: 0.5\n", 500, "fraction" },
		{ "User-agent: *\nCrawl-delay: 1.25\n", 1250, "two decimals" },
		{ "User-agent: *\nCrawl-delay: 1.0009\n", 1000, "below a millisecond truncated" },
		{ "User-agent: *\nCrawl-delay: soon\n", -1, "not a number" },
		{ "User-agent: *\nCrawl-delay: -3\n", -1, "negative" },
		{ "User-agent: *\nDisallow: /\n", -1, "none given" },
		{ "User-agent: *\nCrawl-delay: 99999999999999999999\n", ROBOTS_MAX_CRAWL_DELAY_MS,
		  "huge value clamped" },
		{ "User-agent: *\nDisallow: /y\nCrawl-delay: 9\n\nUser-agent: patrol\nCrawl-delay: 3\n",
		  3000, "the specific group's delay" },
		{ "User-agent: *\nDisallow: /y\nCrawl-delay: 9\n\nUser-agent: patrol\nDisallow: /x\n",
		  -1, "'*' delay not used when a group names us" },
		{ "User-agent: *\nCrawl-delay: 9\n\nUser-agent: patrol\nDisallow: /x\n", 9000,
		  "a delay does not end the user-agent list: one group for '*' and us" },
		{ "User-agent: patrol\nCrawl-delay: 2\nUser-agent: other\nDisallow: /x\n", 2000,
		  "a delay before a later user-agent line of our group" },
		{ "User-agent: other\nCrawl-delay: 2\nUser-agent: patrol\nDisallow: /x\n", 2000,
		  "a delay given before our user-agent line, same group" },
		{ "User-agent: other\nCrawl-delay: 9\n", -1, "another crawler's delay" },
		{ "User-agent: patrol\nCrawl-delay: 1\n\nUser-agent: patrol\ncrawl-delay: 4\n", 4000,
		  "merged groups: the larger delay" },
	};
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		struct robots *r = robots_parse(d[i].txt, strlen(d[i].txt), "patrol");

		is_int(robots_crawl_delay_ms(r), d[i].ms, "crawl-delay: %s", d[i].name);
		robots_free(r);
	}
}

static void test_canned(void)
{
	struct robots *a = robots_allow_all(), *d = robots_disallow_all(), *r;
	static const char txt[] = "User-agent: *\nDisallow: /a\nAllow: /b\nDisallow:\n"
				  "User-agent: other\nDisallow: /c\n";

	is_int(robots_allowed(a, "/x"), 1, "allow_all allows");
	is_int(robots_rule_count(a), 0, "allow_all has no rules");
	is_int(robots_crawl_delay_ms(a), -1, "allow_all has no delay");
	is_int(robots_allowed(d, "/"), 0, "disallow_all refuses /");
	is_int(robots_allowed(d, "/x?y=1"), 0, "disallow_all refuses a query");
	is_int(robots_allowed(d, "/robots.txt"), 1, "disallow_all still allows /robots.txt");
	robots_free(a);
	robots_free(d);
	robots_free(NULL);

	r = robots_parse(txt, strlen(txt), "patrol");
	is_int(robots_rule_count(r), 2, "rule count: ours only, empty disallow not kept");
	robots_free(r);
	r = robots_parse(NULL, 0, "patrol");
	is_int(robots_allowed(r, "/x"), 1, "NULL body allows everything");
	robots_free(r);
	r = robots_parse(txt, strlen(txt), NULL);
	is_int(robots_allowed(r, "/a"), 0, "no agent: the '*' groups apply");
	robots_free(r);
}

/*
 * Google's robots.txt reference suite as JSON (tests/conformance/
 * robots-cases.json): an array of flat objects whose
 * values are strings, numbers or booleans. The reader below takes exactly
 * that shape and nothing more.
 */
struct jcase {
	char *id, *txt, *ua, *url;
	size_t txtlen;
	int allowed, rfc;
};

static void skip_ws(const char **s)
{
	while (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')
		(*s)++;
}

static void put_utf8(char *out, size_t *n, unsigned long cp)
{
	unsigned char u[4];
	size_t k = utf8_encode(u, (uint32_t)cp);

	memcpy(out + *n, u, k);
	*n += k;
}

static unsigned long hex4(const char *s)
{
	unsigned long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return (unsigned long)-1;
	}
	return v;
}

/* Reads a JSON string at *s (on its opening quote); NULL on a syntax error. */
static char *json_string(const char **s, size_t *len)
{
	const char *p = *s + 1;
	char *out;
	size_t n = 0;
	unsigned long cp, lo;

	if (**s != '"')
		return NULL;
	out = malloc(strlen(p) + 1);
	if (!out)
		return NULL;
	while (*p && *p != '"') {
		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'u':
			cp = hex4(p + 1);
			if (cp == (unsigned long)-1)
				goto bad;
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && p[1] == '\\' && p[2] == 'u') {
				lo = hex4(p + 3);
				if (lo >= 0xDC00 && lo < 0xE000) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					p += 6;
				}
			}
			put_utf8(out, &n, cp);
			break;
		case '\0': goto bad;
		default: out[n++] = *p; break;
		}
		p++;
	}
	if (*p != '"')
		goto bad;
	out[n] = '\0';
	*s = p + 1;
	if (len)
		*len = n;
	return out;
bad:
	free(out);
	return NULL;
}

static void jcase_release(struct jcase *c)
{
	free(c->id);
	free(c->txt);
	free(c->ua);
	free(c->url);
	memset(c, 0, sizeof(*c));
}

/* Reads one object at *s into c. Returns 1, or 0 on a syntax error. */
static int json_case(const char **s, struct jcase *c)
{
	char *key, *str;
	size_t len;

	memset(c, 0, sizeof(*c));
	c->allowed = c->rfc = -1;
	if (**s != '{')
		return 0;
	(*s)++;
	for (;;) {
		skip_ws(s);
		if (**s == '}') {
			(*s)++;
			return c->id && c->txt && c->ua && c->url && c->allowed >= 0 && c->rfc >= 0;
		}
		key = json_string(s, NULL);
		if (!key)
			return 0;
		skip_ws(s);
		if (**s != ':') {
			free(key);
			return 0;
		}
		(*s)++;
		skip_ws(s);
		if (**s == '"') {
			str = json_string(s, &len);
			if (!str) {
				free(key);
				return 0;
			}
			if (!strcmp(key, "id") && !c->id) {
				c->id = str;
			} else if (!strcmp(key, "robotstxt") && !c->txt) {
				c->txt = str;
				c->txtlen = len;
			} else if (!strcmp(key, "ua") && !c->ua) {
				c->ua = str;
			} else if (!strcmp(key, "url") && !c->url) {
				c->url = str;
			} else {
				free(str);
			}
		} else if (!strncmp(*s, "true", 4) || !strncmp(*s, "false", 5)) {
			int v = **s == 't';

			*s += v ? 4 : 5;
			if (!strcmp(key, "allowed"))
				c->allowed = v;
			else if (!strcmp(key, "rfc"))
				c->rfc = v;
		} else {
			/* A number ("line") or null: not needed. */
			while (**s && **s != ',' && **s != '}')
				(*s)++;
		}
		free(key);
		skip_ws(s);
		if (**s == ',')
			(*s)++;
	}
}

/*
 * The path, parameters and query of a URL as Google's suite derives them
 * (GetPathParamsQuery in google/robotstxt): what follows the authority up to
 * the fragment, "/" when there is none.
 */
static char *path_of(const char *url)
{
	size_t n = strlen(url), start = 0, early, proto, path, hash, end;
	char *out;

	if (n >= 2 && url[0] == '/' && url[1] == '/')
		start = 2;
	early = start + strcspn(url + start, "/?;");
	proto = strstr(url + start, "://") ? (size_t)(strstr(url + start, "://") - url) : n;
	if (early < proto || proto == n)
		proto = start;
	else
		proto += 3;
	path = proto + strcspn(url + proto, "/?;");
	if (path >= n)
		return strdup("/");
	hash = start + strcspn(url + start, "#");
	if (hash < path)
		return strdup("/");
	end = hash;
	out = malloc(end - path + 2);
	if (!out)
		return NULL;
	n = 0;
	if (url[path] != '/')
		out[n++] = '/';
	memcpy(out + n, url + path, end - path);
	out[n + end - path] = '\0';
	return out;
}

/* Reads a whole file into a NUL-terminated string, or NULL. */
static char *slurp(const char *file)
{
	FILE *f = fopen(file, "rb");
	char *data = NULL;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)size + 1)) != NULL) {
		if (fread(data, 1, (size_t)size, f) != (size_t)size) {
			free(data);
			data = NULL;
		} else {
			data[size] = '\0';
		}
	}
	fclose(f);
	return data;
}

/*
 * The suite's file: $PATROL_CONFORMANCE/robots-cases.json, else
 * tests/conformance/robots-cases.json of the source tree ($PATROL_SRC, or the
 * working directory and the directories above it).
 */
static char *find_conformance(char *path, size_t size)
{
	const char *env = getenv("PATROL_CONFORMANCE"), *root = getenv("PATROL_SRC");
	char dir[4096], *slash;
	FILE *f;

	if (env && *env) {
		snprintf(path, size, "%s/robots-cases.json", env);
		return (f = fopen(path, "rb")) ? (fclose(f), path) : NULL;
	}
	if (root && *root)
		snprintf(dir, sizeof(dir), "%s", root);
	else if (!getcwd(dir, sizeof(dir)))
		return NULL;
	for (;;) {
		snprintf(path, size, "%s/tests/conformance/robots-cases.json", dir);
		if ((f = fopen(path, "rb")) != NULL) {
			fclose(f);
			return path;
		}
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return NULL;
		*slash = '\0';
	}
}

static void test_conformance(void)
{
	char file[4200];
	char *data, *path;
	const char *s;
	struct jcase c;
	struct robots *r;
	int run = 0, passed = 0, syntax = 0;

	if (!find_conformance(file, sizeof(file))) {
		ok(1, "# SKIP robots-cases.json not found (set PATROL_CONFORMANCE to its directory)");
		return;
	}
	data = slurp(file);
	if (!ok(data != NULL, "read %s", file))
		return;
	s = data;
	skip_ws(&s);
	if (*s == '[')
		s++;
	for (;;) {
		skip_ws(&s);
		if (*s == ']' || !*s)
			break;
		if (!json_case(&s, &c)) {
			syntax = 1;
			jcase_release(&c);
			break;
		}
		skip_ws(&s);
		if (*s == ',')
			s++;
		if (c.rfc) {
			run++;
			r = robots_parse(c.txt, c.txtlen, c.ua);
			path = path_of(c.url);
			if (r && path) {
				int got = robots_allowed(r, path);

				if (got == c.allowed)
					passed++;
				else
					ok(0, "conformance %s: %s %.120s -> %s, want %s", c.id, c.ua,
					   c.url, got ? "allowed" : "disallowed",
					   c.allowed ? "allowed" : "disallowed");
			}
			robots_free(r);
			free(path);
		}
		jcase_release(&c);
	}
	ok(!syntax, "%s read to the end", file);
	ok(run > 0 && passed == run, "conformance: %d of %d rfc cases pass", passed, run);
	free(data);
}

int main(void)
{
	test_table();
	test_nul_byte();
	test_size_limit();
	test_long_lines();
	test_pathological();
	test_delay();
	test_canned();
	test_conformance();
	return done_testing();
}
