/* t-html.c - unit tests for crawler/html: title, visible text, links, robots hints. */
#include "crawler/html.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <time.h>

#include "tests/tap.h"
#include "util/utf8.h"

#define PAGE "http://example.com/dir/page.html"

static struct arena *A;

static struct html_doc parse_n(const char *html, size_t len, size_t max_links,
			       const struct url_opts *o)
{
	struct html_doc d;
	struct err e = { "" };
	enum prc rc = html_parse(A, html, len, PAGE, o, max_links, &d, &e);

	if (rc != PRC_OK)
		diag("html_parse: %s: %s", prc_str(rc), e.msg);
	return d;
}

static struct html_doc parse(const char *html)
{
	return parse_n(html, strlen(html), 100, NULL);
}

static void text_is(const char *html, const char *want, const char *name)
{
	struct html_doc d = parse(html);

	is_str(d.text, want, "%s", name);
	ok(d.text && d.text_len == strlen(d.text), "%s: text_len", name);
}

/* The first link of html, or NULL. */
static const char *link1(const char *html)
{
	struct html_doc d = parse(html);

	return d.nlinks ? d.links[0].url : NULL;
}

static void test_title(void)
{
	struct html_doc d;

	d = parse("<html><head><title>  Hello\n  World  </title></head><body>x</body></html>");
	is_str(d.title, "Hello World", "title, whitespace collapsed");
	is_str(d.text, "Hello World\nx", "the title is the first line of text");
	d = parse("<p>no title</p>");
	is_str(d.title, "", "no title is \"\"");
	d = parse("<title>A &amp; B &lt;3&gt;</title><title>second</title><p>x</p>");
	is_str(d.title, "A & B <3>", "entities in the title; the first title wins");
	ok(strstr(d.text, "second") == NULL, "a second title is not text");
	d = parse("<title>\xe5\xa4\xa7\xe9\xba\xbb\xe3\x80\x80\xe8\xb2\xa9\xe5\xa3\xb2</title>");
	is_str(d.title, "\xe5\xa4\xa7\xe9\xba\xbb\xe3\x80\x80\xe8\xb2\xa9\xe5\xa3\xb2",
	       "ideographic space is kept");
}

static void test_text(void)
{
	text_is("<p><span>\xe5\xa4\xa7</span><b>\xe9\xba\xbb</b>\xe3\x82\x92<i>\xe5\xa3\xb2</i>"
		"\xe3\x82\x8b</p>",
		"\xe5\xa4\xa7\xe9\xba\xbb\xe3\x82\x92\xe5\xa3\xb2\xe3\x82\x8b",
		"inline elements join: <span>大</span><b>麻</b> reads 大麻");
	text_is("<p><font color=red>\xe5\xa4\xa7</font><a href=x>\xe9\xba\xbb</a><em>x</em><strong>y</strong>"
		"<small>z</small><u>1</u><s>2</s><sub>3</sub><sup>4</sup><code>5</code><label>6</label></p>",
		"\xe5\xa4\xa7\xe9\xba\xbbxyz12345" "6", "more inline elements");
	text_is("<div>a</div><div>b</div><p>c<br>d</p><ul><li>e</li><li>f</li></ul><h1>g</h1>h",
		"a\nb\nc\nd\ne\nf\ng\nh", "block elements and <br> break lines");
	text_is("<p>  a   b \n\t c  </p>\n\n<p>d</p>\n", "a b c\nd", "white space collapsed, trimmed");
	text_is("<b>a</b> <b>b</b>\n<i>c</i>", "a b c", "spaces between inline elements survive");
	text_is("a<br><br><br>b<hr>c<p></p><p></p>d", "a\nb\nc\nd", "repeated breaks collapse");
	text_is("<p>a<script>var x='\xe5\xa4\xa7\xe9\xba\xbb'; if (a<b) {}</script>b</p>"
		"<style>p { color: red }</style><noscript>ns</noscript>"
		"<template><p>t</p></template>c",
		"ab\nc", "script, style, noscript, template left out");
	text_is("a<!-- \xe5\xa4\xa7\xe9\xba\xbb -->b<!---->c", "abc", "comments left out");
	text_is("<p>&lt;a&gt; &amp; &quot;x&quot; &#x5927;&#40635; caf&eacute; &copy;</p>",
		"<a> & \"x\" \xe5\xa4\xa7\xe9\xba\xbb caf\xc3\xa9 \xc2\xa9", "entities decoded");
	text_is("a&nbsp;&nbsp; b\xc2\xa0" "c", "a b c", "NBSP is white space");
	text_is("<pre>a\n  b\n\n\nc</pre>d", "a\nb\nc\nd", "line breaks in <pre> kept");
	text_is("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>",
		"a b\nc d", "cells are spaced, rows are lines");
	text_is("<ruby>\xe5\xa4\xa7<rt>\xe3\x81\x9f\xe3\x81\x84</rt>\xe9\xba\xbb<rt>\xe3\x81\xbe</rt></ruby>",
		"\xe5\xa4\xa7\xe9\xba\xbb", "ruby readings left out");
	text_is("<ruby>\xe5\xa4\xa7\xe9\xba\xbb<rp>(</rp><rt>\xe3\x81\x9f\xe3\x81\x84\xe3\x81\xbe</rt>"
		"<rp>)</rp></ruby>",
		"\xe5\xa4\xa7\xe9\xba\xbb", "ruby parentheses left out");
	text_is("<head><meta name=x content=y><link rel=stylesheet href=s.css></head>body",
		"body", "head is not text");
	text_is("<select><option>one</option><option>two</option></select>x", "one\ntwo\nx",
		"options are lines");
	text_is("<p>a<img src=x alt=\"alt text\">b</p>", "ab", "alt text is not text");
	text_is("just text", "just text", "no tags at all");
	text_is("", "", "empty page");
	text_is("<p>tab\tand\rcr\x01" "ctl\x7f" "del</p>", "tab and crctl del",
		"CR is white space; libxml2 drops C0 controls; DEL is white space");
}

static void test_malformed(void)
{
	struct html_doc d;
	char *big;
	size_t i, n = 100000, len;
	clock_t t0;

	d = parse("<p>unclosed <b>bold <i>both</p> text</div></span><<>>&&& <td>cell <zz attr=\"x>"
		  "end</html></body>after");
	if (!ok(d.text && strstr(d.text, "unclosed bold both") && strstr(d.text, "text") &&
		strstr(d.text, "cell"), "malformed markup still read"))
		diag("text: %s", d.text ? d.text : "(null)");
	d = parse("<a href=\"/x\" <b>unterminated</b> <p>still here");
	ok(d.text && strstr(d.text, "still here"), "broken attribute syntax");
	d = parse_n("<p>a\0b</p><a href=\"x\0y\">t\0t</a>", 31, 10, NULL);
	is_str(d.text, "a b\nt t", "NUL bytes read as spaces");
	is_str(d.nlinks ? d.links[0].url : NULL, "http://example.com/dir/x%20y", "NUL in an href");
	d = parse("<p>\xff\xe5\xa4\xa7\xe9\xba\xbb\xe5\xa4</p><title>t\xc0</title>");
	is_str(d.text, "\xef\xbf\xbd\xe5\xa4\xa7\xe9\xba\xbb\xef\xbf\xbd\nt\xef\xbf\xbd",
	       "invalid UTF-8 repaired, not read as Latin-1");
	d = parse("<p>&#0;&#xD800;&#x110000;&#65533;x</p>");
	ok(d.text && utf8_valid(d.text, d.text_len) && strstr(d.text, "x"),
	   "bad character references give valid UTF-8");

	/* 100 000 nested <div>: the parse stops, what came before is kept, the stack survives */
	big = malloc(n * 17 + 100);
	len = 0;
	memcpy(big + len, "<p>before</p>", 13);
	len += 13;
	for (i = 0; i < n; i++) {
		memcpy(big + len, "<div>", 5);
		len += 5;
	}
	memcpy(big + len, "deep<a href=/deep>d</a>", 23);
	len += 23;
	for (i = 0; i < n; i++) {
		memcpy(big + len, "</div>", 6);
		len += 6;
	}
	t0 = clock();
	d = parse_n(big, len, 10, NULL);
	ok(d.text != NULL, "100000 nested <div> parse without crashing");
	is_str(d.text, "before", "... text before the nesting is kept");
	ok(d.truncated, "... and the parse is marked truncated");
	ok((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0, "... in reasonable time");

	/* 1000 nested: past libxml2's 256 the tree is flattened, nothing is lost */
	len = 0;
	for (i = 0; i < 1000; i++) {
		memcpy(big + len, "<div>", 5);
		len += 5;
	}
	memcpy(big + len, "<b>deep</b><a href=/deep>d</a><script>hidden()</script>", 55);
	len += 55;
	for (i = 0; i < 1000; i++) {
		memcpy(big + len, "</div>", 6);
		len += 6;
	}
	memcpy(big + len, "<p>after</p><a href=/after>a</a>", 32);
	len += 32;
	d = parse_n(big, len, 10, NULL);
	is_str(d.text, "deepd\nafter\na", "1000 nested <div>: text inside and after kept");
	ok(!d.truncated, "... not truncated");
	ok(d.nlinks == 2 && !strcmp(d.links[0].url, "http://example.com/deep") &&
	   !strcmp(d.links[1].url, "http://example.com/after"),
	   "... links inside and after kept");

	len = 0;
	for (i = 0; i < n; i++) {
		memcpy(big + len, "<span><a href=/", 15);
		len += 15;
		big[len++] = (char)('a' + i % 26);
		big[len++] = '>';
	}
	memcpy(big + len, "x", 1);
	len += 1;
	t0 = clock();
	d = parse_n(big, len, 50, NULL);
	ok(d.text != NULL, "100000 nested unclosed <span><a> parse");
	ok(d.nlinks <= 50 && d.nlinks + d.links_dropped <= n, "... with at most max_links links");
	for (i = 0; i < d.nlinks; i++)
		if (strlen(d.links[i].text) > HTML_ANCHOR_TEXT_MAX)
			break;
	ok(i == d.nlinks, "... anchor text capped");
	ok((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0, "... in reasonable time");
	free(big);
}

static void test_links(void)
{
	struct html_doc d;
	size_t i;

	d = parse("<a href=\"a.html\">A <b>text</b></a>"
		  "<a href=\"/b\" rel=\"nofollow\">b</a>"
		  "<a href=\"/c\" rel=\"external NoFollow\">c</a>"
		  "<a href=\"/d\" rel=\"nofollowx\">d</a>"
		  "<map><area href=\"e\" alt=e></map>"
		  "<iframe src=\"//other.example/f\"></iframe>"
		  "<a href=\"javascript:void(0)\">js</a><a href=\"mailto:a@example.com\">m</a>"
		  "<a href=\"tel:+81300000000\">t</a><a href=\"data:text/html,x\">d</a>"
		  "<a href=\" JavaScript:x\">js2</a><a href=\"ftp://example.com/\">ftp</a>"
		  "<a href=\"http://exa mple.com/\">bad</a><a href=\"https://[::1/\">bad6</a>"
		  "<a href=\"#top\">top</a><a href=\"\">self</a><a>no href</a>"
		  "<a href=\"a.html\">again</a><a href=\"./a.html#x\">again2</a>"
		  "<a href=\"/q?a=1&amp;b=2\">amp</a>"
		  "<a href=\"  \n/sp ace  \">ws</a>"
		  "<script>document.write('<a href=\"/evil\">')</script>"
		  "<a href=\"/long\">" "\xe5\xa4\xa7\xe9\xba\xbb</a>");
	ok(d.nlinks == 9, "links kept: %zu", d.nlinks);
	ok(d.links_dropped == 2, "unresolvable http links counted: %zu", d.links_dropped);
	if (d.nlinks == 9) {
		is_str(d.links[0].url, "http://example.com/dir/a.html", "relative href resolved");
		is_str(d.links[0].text, "A text", "anchor text across inline tags");
		ok(d.links[0].kind == HTML_LINK_A && !d.links[0].nofollow, "kind a, followed");
		ok(d.links[1].nofollow, "rel=nofollow");
		ok(d.links[2].nofollow, "nofollow among other rel tokens, any case");
		ok(!d.links[3].nofollow, "rel=nofollowx is not nofollow");
		is_str(d.links[4].url, "http://example.com/dir/e", "area href");
		ok(d.links[4].kind == HTML_LINK_AREA, "kind area");
		is_str(d.links[4].text, "", "area has no text");
		is_str(d.links[5].url, "http://other.example/f", "iframe src, protocol-relative");
		ok(d.links[5].kind == HTML_LINK_IFRAME, "kind iframe");
		is_str(d.links[6].url, "http://example.com/q?a=1&b=2", "entities in href decoded");
		is_str(d.links[7].url, "http://example.com/sp%20ace", "href white space trimmed");
		is_str(d.links[8].url, "http://example.com/long", "last link");
		is_str(d.links[8].text, "\xe5\xa4\xa7\xe9\xba\xbb", "UTF-8 anchor text");
	}
	for (i = 0; i < d.nlinks; i++)
		if (strstr(d.links[i].url, "evil") || strstr(d.links[i].url, "again"))
			break;
	ok(i == d.nlinks, "no links from scripts; duplicates dropped");

	d = parse("<frameset><frame src=\"left.html\"><frame src=\"/right.html\"></frameset>");
	ok(d.nlinks == 2 && d.links[0].kind == HTML_LINK_FRAME &&
	   !strcmp(d.links[1].url, "http://example.com/right.html"),
	   "frame src");

	d = parse("<a href=\"/z\"><div>one</div><div>two</div></a>");
	is_str(d.nlinks ? d.links[0].text : NULL, "one two", "anchor text spanning blocks is one line");
}

static void test_links_sorted(void)
{
	struct url_opts o = { 0, 0, 0 };
	struct html_doc d;
	const char *h = "<a href=\"/x?b=2&a=1&sid=3\">x</a>";

	d = parse_n(h, strlen(h), 10, &o);
	is_str(d.nlinks ? d.links[0].url : NULL, "http://example.com/x?a=1&b=2", "url_opts applied");
}

static void test_base(void)
{
	struct html_doc d;

	d = parse("<head><base href=\"http://other.example/base/\"></head><a href=\"x\">x</a>");
	is_str(d.base, "http://other.example/base/", "base href");
	is_str(d.nlinks ? d.links[0].url : NULL, "http://other.example/base/x", "links use the base");
	d = parse("<base href=\"/sub/\"><base href=\"/second/\"><a href=\"x\">x</a>");
	is_str(d.base, "http://example.com/sub/", "relative base, the first one wins");
	is_str(d.nlinks ? d.links[0].url : NULL, "http://example.com/sub/x", "... applied");
	d = parse("<a href=\"x\">x</a><base href=\"/late/\">");
	is_str(d.nlinks ? d.links[0].url : NULL, "http://example.com/late/x",
	       "a base after the link still applies");
	d = parse("<base href=\"javascript:alert(1)\"><a href=\"x\">x</a>");
	is_str(d.base, PAGE, "an unusable base is ignored");
	is_str(d.nlinks ? d.links[0].url : NULL, "http://example.com/dir/x", "... links use the page");
	d = parse("<base target=\"_blank\"><a href=\"x\">x</a>");
	is_str(d.base, PAGE, "base without href");
	d = parse("<p>x</p>");
	is_str(d.base, PAGE, "no base: the page");
}

static void test_refresh(void)
{
	static const struct {
		const char *content, *want;
	} cases[] = {
		{ "5; url=http://example.com/next", "http://example.com/next" },
		{ "0;URL='/quoted'", "http://example.com/quoted" },
		{ "0; url = \"/dq\" ", "http://example.com/dq" },
		{ "3,/comma", "http://example.com/comma" },
		{ "  10 ;  Url=/spaces  ", "http://example.com/spaces" },
		{ "1;URL=rel.html", "http://example.com/dir/rel.html" },
		{ "0.5; url=/frac", "http://example.com/frac" },
		{ "0; /nourl", "http://example.com/nourl" },
		{ "0;url='/unterminated", "http://example.com/unterminated" },
		{ "0", NULL },
		{ "", NULL },
		{ "5; url=", NULL },
		{ "0; url=javascript:alert(1)", NULL },
	};
	char html[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct html_doc d;

		/* quote content with what it does not hold; vary the case of the rest */
		if (strchr(cases[i].content, '\''))
			snprintf(html, sizeof(html), "<META HTTP-EQUIV=refresh CONTENT=\"%s\">",
				 cases[i].content);
		else
			snprintf(html, sizeof(html), "<meta http-equiv=\"Refresh\" content='%s'>",
				 cases[i].content);
		d = parse(html);
		is_str(d.nlinks ? d.links[0].url : NULL, cases[i].want, "meta refresh '%s'",
		       cases[i].content);
		if (d.nlinks)
			ok(d.links[0].kind == HTML_LINK_META_REFRESH, "... kind meta refresh");
	}
	is_str(link1("<meta http-equiv=\"content-type\" content=\"0; url=/x\">"), NULL,
	       "other http-equiv is not a refresh");
}

static void test_canonical(void)
{
	struct html_doc d;

	d = parse("<link rel=\"canonical\" href=\"/canon?b=1#x\"><a href=\"/canon?b=1\">c</a>");
	is_str(d.canonical, "http://example.com/canon?b=1", "canonical resolved");
	ok(d.nlinks == 1 && d.links[0].kind == HTML_LINK_CANONICAL,
	   "canonical is a link; the anchor to it is a duplicate");
	d = parse("<link rel=\"Canonical\" href=\"http://www.example.com/\">"
		  "<link rel=canonical href=\"/second\">");
	is_str(d.canonical, "http://www.example.com/", "rel case-insensitive; the first wins");
	d = parse("<link rel=\"stylesheet\" href=\"x.css\"><link rel=alternate href=/alt>");
	ok(d.canonical == NULL && d.nlinks == 0, "other link rels are no links");
	d = parse("<link rel=canonical href=\"http://exa mple/\">");
	ok(d.canonical == NULL && d.links_dropped == 1, "unusable canonical counted");
	d = parse_n("<a href=/1>1</a><link rel=canonical href=/c>",
		    strlen("<a href=/1>1</a><link rel=canonical href=/c>"), 1, NULL);
	is_str(d.canonical, "http://example.com/c", "canonical set even past max_links");
	ok(d.nlinks == 1 && d.links_dropped == 1, "... but not kept as a link");
}

static void test_robots(void)
{
	struct html_doc d;

	d = parse("<meta name=\"robots\" content=\"noindex, nofollow\">");
	ok(d.meta_noindex && d.meta_nofollow, "robots noindex, nofollow");
	d = parse("<meta name=\"ROBOTS\" content=\"NONE\">");
	ok(d.meta_noindex && d.meta_nofollow, "robots none");
	d = parse("<meta name=\"patrol\" content=\"noindex\">");
	ok(d.meta_noindex && !d.meta_nofollow, "patrol noindex");
	d = parse("<meta name=\"robots\" content=\"index,nofollow\">");
	ok(!d.meta_noindex && d.meta_nofollow, "robots nofollow");
	d = parse("<meta name=\"googlebot\" content=\"noindex\">");
	ok(!d.meta_noindex && !d.meta_nofollow, "other robots are not ours");
	d = parse("<meta name=\"robots\" content=\"index, follow, noindexx\">");
	ok(!d.meta_noindex && !d.meta_nofollow, "tokens, not substrings");
	d = parse("<p>x</p>");
	ok(!d.meta_noindex && !d.meta_nofollow, "no meta");
}

static void test_max_links(void)
{
	struct html_doc d;
	const char *h = "<a href=/1>1</a><a href=/2>2</a><a href=/2>2</a><a href=/3>3</a>"
			"<a href=/4>4</a><a href=/5>5</a><a href='mailto:x@y'>m</a>";
	char *longa;
	size_t i;

	d = parse_n(h, strlen(h), 3, NULL);
	ok(d.nlinks == 3 && d.links_dropped == 2, "max_links 3: kept %zu, dropped %zu", d.nlinks,
	   d.links_dropped);
	ok(d.nlinks == 3 && !strcmp(d.links[2].url, "http://example.com/3"),
	   "the first links are kept");
	d = parse_n(h, strlen(h), 5, NULL);
	ok(d.nlinks == 5 && d.links_dropped == 0, "max_links exactly reached");
	d = parse_n(h, strlen(h), 0, NULL);
	ok(d.nlinks == 0 && d.links_dropped == 6, "max_links 0 keeps none");

	longa = malloc(10000);
	memcpy(longa, "<a href=/l>", 11);
	for (i = 11; i + 3 < 3011; i += 3)
		memcpy(longa + i, "\xe5\xa4\xa7", 3);
	memcpy(longa + i, "</a>", 5);
	d = parse(longa);
	ok(d.nlinks == 1 && strlen(d.links[0].text) <= HTML_ANCHOR_TEXT_MAX &&
	   strlen(d.links[0].text) > HTML_ANCHOR_TEXT_MAX - 3 &&
	   utf8_valid(d.links[0].text, strlen(d.links[0].text)),
	   "long anchor text cut on a character boundary");
	free(longa);
}


/* The block of doc holding the first occurrence of s in its text, or NULL. */
static const struct textblock *block_at(const struct html_doc *d, const char *s)
{
	const char *p = d->text ? strstr(d->text, s) : NULL;
	size_t i;

	if (!p)
		return NULL;
	i = textblock_find(d->blocks, d->nblocks, (size_t)(p - d->text));
	return i < d->nblocks ? &d->blocks[i] : NULL;
}

static int kind_at(const struct html_doc *d, const char *s)
{
	const struct textblock *b = block_at(d, s);

	return b ? b->kind : -1;
}

static unsigned id_at(const struct html_doc *d, const char *s)
{
	const struct textblock *b = block_at(d, s);

	return b ? b->id : 0;
}

/* Segments are sorted, contiguous from 0 to text_len, and one id has one kind. */
static int blocks_cover(const struct html_doc *d)
{
	size_t i, j, at = 0;

	for (i = 0; i < d->nblocks; i++) {
		if (d->blocks[i].start != at || d->blocks[i].end <= d->blocks[i].start)
			return 0;
		at = d->blocks[i].end;
		for (j = 0; j < i; j++)
			if (d->blocks[j].id == d->blocks[i].id && d->blocks[j].kind != d->blocks[i].kind)
				return 0;
	}
	return at == d->text_len;
}

/* a timeline's three entries a, b, c: blocks cover the text, b is a post,
 * and each entry is a block of its own */
static void timeline_posts(const struct html_doc *d, const char *what, const char *a, const char *b,
			   const char *c)
{
	ok(blocks_cover(d), "%s: blocks cover the text", what);
	is_int(kind_at(d, b), TEXTBLOCK_POST, "%s: an entry is a post", what);
	ok(id_at(d, a) != id_at(d, b) && id_at(d, b) != id_at(d, c), "%s: each entry is its own block", what);
}

static void test_blocks(void)
{
	struct html_doc d;

	/* an article with a header, navigation, a related-links list and a footer */
	d = parse("<html><head><title>Page</title></head><body>"
		  "<header><div class=logo><a href=/>Site</a></div>"
		  "<nav><a href=/a>Home</a> | <a href=/b>News</a> | <a href=/c>About</a></nav></header>"
		  "<article><h1>Headline</h1><p>First paragraph of the story.</p>"
		  "<p>Second paragraph of the story.</p></article>"
		  "<section><h2>Related</h2><ul><li><a href=/r1>Related one</a></li>"
		  "<li><a href=/r2>Related two</a></li><li><a href=/r3>Related three</a></li></ul></section>"
		  "<p>Closing words of the story.</p>"
		  "<footer><p>Copyright line</p></footer></body></html>");
	ok(d.nblocks > 0 && blocks_cover(&d), "article: blocks cover the text in order");
	is_int(kind_at(&d, "Page"), TEXTBLOCK_TITLE, "article: the title line is the title block");
	is_int(kind_at(&d, "Home"), TEXTBLOCK_BOILER, "article: navigation is boilerplate");
	is_int(kind_at(&d, "Site"), TEXTBLOCK_BOILER, "article: the header is boilerplate");
	is_int(kind_at(&d, "First paragraph"), TEXTBLOCK_MAIN, "article: its text is main");
	is_int(kind_at(&d, "Related two"), TEXTBLOCK_BOILER, "article: a link list is boilerplate");
	is_int(kind_at(&d, "Copyright"), TEXTBLOCK_BOILER, "article: the footer is boilerplate");
	ok(id_at(&d, "First paragraph") == id_at(&d, "Closing words"),
	   "article: main text around a link list is one block");

	/* a 2ch-style thread: each dt/dd pair is one post */
	d = parse("<title>Thread</title><h1>Thread</h1><dl>"
		  "<dt>1 name 2024/01/01</dt><dd>first post text</dd>"
		  "<dt>2 name 2024/01/01</dt><dd>second post text</dd>"
		  "<dt>3 name 2024/01/01</dt><dd>third post text</dd></dl>");
	ok(blocks_cover(&d), "thread: blocks cover the text");
	is_int(kind_at(&d, "second post"), TEXTBLOCK_POST, "thread: a dd is a post");
	ok(id_at(&d, "2 name") == id_at(&d, "second post"), "thread: a post holds its dt and dd");
	ok(id_at(&d, "first post") != id_at(&d, "second post") &&
	   id_at(&d, "second post") != id_at(&d, "third post"), "thread: each post is its own block");

	/* comments inside one of two layout columns: the comments are the posts */
	d = parse("<div class=col><p>Entry text of the blog.</p><div class=comments>"
		  "<div class=c><p>comment one here</p></div><div class=c><p>comment two here</p></div>"
		  "<div class=c><p>comment three here</p></div></div></div>"
		  "<div class=col><p>Profile of the writer.</p></div>");
	is_int(kind_at(&d, "comment two"), TEXTBLOCK_POST, "columns: a comment is a post");
	ok(id_at(&d, "comment one") != id_at(&d, "comment two"), "columns: comments are blocks apart");
	is_int(kind_at(&d, "Entry text"), TEXTBLOCK_MAIN, "columns: the entry is main text");

	/* Q&A answers with a link list among them */
	d = parse("<div class=q><h1>Question</h1><p>What is this?</p></div><div class=answers>"
		  "<div class=answer><p>answer one text</p></div>"
		  "<ul><li><a href=/1>x1</a></li><li><a href=/2>x2</a></li><li><a href=/3>x3</a></li></ul>"
		  "<div class=answer><p>answer two text</p></div>"
		  "<div class=answer><p>answer three text</p></div></div>");
	is_int(kind_at(&d, "answer two"), TEXTBLOCK_POST, "qa: an answer is a post");
	is_int(kind_at(&d, "What is this"), TEXTBLOCK_MAIN, "qa: the question is main text");
	is_int(kind_at(&d, "x2"), TEXTBLOCK_BOILER, "qa: links among the answers are boilerplate");

	/* a timeline of sections, one holding replies: each section is a post */
	d = parse("<div class=tl>"
		  "<section class=pst><header>@tea 10/27</header><div class=b>tea post here</div></section>"
		  "<section class=pst><header>@inv 10/27</header><div class=b>invitation post here</div>"
		  "<div class=r>reply one</div><div class=r>reply two</div></section>"
		  "<section class=pst><header>@bot 10/26</header><div class=b>support bot post here</div></section>"
		  "</div>");
	timeline_posts(&d, "section timeline", "tea post", "invitation post", "support bot");
	ok(id_at(&d, "invitation post") == id_at(&d, "reply two"), "section timeline: the replies stay with their post");

	/* a timeline of articles beside a profile box: each article is a post */
	d = parse("<div class=col><div class=prof><b>@shop</b><p>profile words</p></div>"
		  "<article class=p><div class=h>@shop 1h</div><div class=t>first article post</div></article>"
		  "<article class=p><div class=h>@cat 2h</div><div class=t>second article post</div></article>"
		  "<article class=p><div class=h>@news 3h</div><div class=t>third article post</div></article>"
		  "</div>");
	timeline_posts(&d, "article timeline", "first article", "second article", "third article");

	/* a timeline in <main> (with its heading): the articles are posts */
	d = parse("<main class=column><header><h1>search results</h1></header>"
		  "<article class=post><div class=h>@bread 2h</div><div class=t>bread post words</div></article>"
		  "<article class=post><div class=h>@shop 3h</div><div class=t>outlet post words</div></article>"
		  "<article class=post><div class=h>@warn 5h</div><div class=t>warning post words</div></article>"
		  "</main>");
	timeline_posts(&d, "timeline in main", "bread post", "outlet post", "warning post");

	/* sections inside <main> stay its chapters, as inside an article */
	d = parse("<main><h1>Guide</h1><section><h2>One</h2><p>first chapter words</p></section>"
		  "<section><h2>Two</h2><p>second chapter words</p></section>"
		  "<section><h2>Three</h2><p>third chapter words</p></section></main>");
	ok(id_at(&d, "first chapter") == id_at(&d, "third chapter"), "sections in main: one block");

	/* a table of labels and values (job terms, a spec): its rows are one text */
	d = parse("<h1>Driver wanted</h1><p>Deliver parcels in the city.</p><table>"
		  "<tr><th>Pay</th><td>a day's pay of fifteen thousand yen, paid daily if you like</td></tr>"
		  "<tr><th>Place</th><td>the north depot of the company, five minutes from the station</td></tr>"
		  "<tr><th>Hours</th><td>from eight in the morning to five, an hour of rest at noon</td></tr>"
		  "<tr><th>Terms</th><td>insurance, a uniform and a van lent, travel paid as the rules say</td></tr>"
		  "</table>");
	ok(id_at(&d, "Deliver parcels") == id_at(&d, "a day's pay") &&
	   id_at(&d, "a day's pay") == id_at(&d, "insurance"), "label rows: one text with the page's");
	is_int(kind_at(&d, "the north depot"), TEXTBLOCK_MAIN, "label rows: main text");
	/* a table of posts under a heading row of header cells: the rows are posts */
	d = parse("<table><tr><th>name</th><th>message</th></tr>"
		  "<tr><td>aki</td><td>the first message in this guestbook, thanking the owner for the photos of the trip</td></tr>"
		  "<tr><td>ken</td><td>the second message in this guestbook, asking where the pictures of the coast were taken</td></tr>"
		  "<tr><td>yui</td><td>the third message in this guestbook, saying the page was a pleasure to read tonight</td></tr>"
		  "</table>");
	is_int(kind_at(&d, "second message"), TEXTBLOCK_POST, "guestbook rows under a header row: posts");
	ok(id_at(&d, "first message") != id_at(&d, "second message"), "guestbook rows: blocks apart");

	/* articles inside an article are its parts, as its sections are: one text */
	d = parse("<article><h1>Diary</h1><p>the diary entry itself, several sentences long.</p>"
		  "<article><p>part one</p></article><article><p>part two</p></article></article>");
	ok(id_at(&d, "diary entry") == id_at(&d, "part two"), "nested articles: one block with the outer one");
	is_int(kind_at(&d, "diary entry"), TEXTBLOCK_MAIN, "nested articles: main text");

	/* an article's sections are its chapters: one text */
	d = parse("<article><h1>Guide</h1>"
		  "<section><h2>One</h2><p>chapter one words</p></section>"
		  "<section><h2>Two</h2><p>chapter two words</p></section>"
		  "<section><h2>Three</h2><p>chapter three words</p></section></article>");
	is_int(kind_at(&d, "chapter two"), TEXTBLOCK_MAIN, "article sections: main text");
	ok(id_at(&d, "chapter one") == id_at(&d, "chapter three"), "article sections: one block");

	/* no structure: one main block */
	d = parse("<p>one paragraph</p><p>another paragraph</p><p>a third</p>");
	is_int(d.nblocks, 1, "flat page: one block");
	is_int(kind_at(&d, "another"), TEXTBLOCK_MAIN, "flat page: main text");
	d = parse("plain words, no markup at all");
	is_int(d.nblocks, 1, "no markup: one block");
	is_int(kind_at(&d, "plain"), TEXTBLOCK_MAIN, "no markup: main text");

	/* a short bullet list is read with its article; a long list of titles is items */
	d = parse("<article><p>Intro words.</p><ul><li>alpha</li><li>beta</li><li>gamma</li></ul></article>");
	ok(id_at(&d, "Intro") == id_at(&d, "beta"), "short bullets stay in the main text");
	d = parse("<ol><li>t1 (3)</li><li>t2 (4)</li><li>t3 (5)</li><li>t4 (6)</li><li>t5 (7)</li>"
		  "<li>t6 (8)</li><li>t7 (9)</li><li>t8 (2)</li><li>t9 (1)</li></ol>");
	ok(id_at(&d, "t2") != id_at(&d, "t3"), "a long list of short items: each its own block");

	/* forms: a search box is boilerplate, a login form is the page */
	d = parse("<form><input name=q><button>Search</button></form><p>Body text.</p>");
	is_int(kind_at(&d, "Search"), TEXTBLOCK_BOILER, "a search form is boilerplate");
	d = parse("<form><label>ID</label><input name=id><label>Password</label>"
		  "<input type=password name=pw></form>");
	ok(kind_at(&d, "Password") != TEXTBLOCK_BOILER, "a login form is not boilerplate");

	/* "the page - the site": the site's name is boilerplate */
	d = parse("<html><head><title>Lost cat found - Town Board (buy, sell)</title></head>"
		  "<body><p>Body text.</p></body></html>");
	is_int(kind_at(&d, "Lost cat"), TEXTBLOCK_TITLE, "the page's part of the title");
	is_int(kind_at(&d, "Town Board"), TEXTBLOCK_BOILER, "the site's name in the title");
	is_int(textblock_title_site("A - B", 5), 1, "title split at the last separator");
	is_int(textblock_title_site("- B", 3), 3, "no page part, no split");
	is_int(textblock_title_site("A - ", 4), 4, "no site part, no split");

	/* a legacy page's row of links between paragraphs */
	d = parse("<body><p>Diary of the day.</p><a href=/a>Home</a> | <a href=/b>Board</a> | "
		  "<a href=/c>Links</a><p>More diary.</p></body>");
	is_int(kind_at(&d, "Board"), TEXTBLOCK_BOILER, "a row of links is boilerplate");
	is_int(kind_at(&d, "More diary"), TEXTBLOCK_MAIN, "the text after it is main");
	d = parse("<body><p>Yesterday I read <a href=/a>this</a> in the morning, then compared it "
		  "with <a href=/b>that</a> over lunch, and in the evening found <a href=/c>more</a> "
		  "that disagreed with both of them.</p></body>");
	is_int(kind_at(&d, "that"), TEXTBLOCK_MAIN, "links inside a sentence are text");

	/*
	 * A legacy page: the offer in a table, then a guestbook written as one
	 * short <p> a line under a heading. Each line is a post of its own, so
	 * the chatter is not read with the offer.
	 */
	d = parse("<body><center>Big money job</center><table><tr><td><p>Send your ID card photo.</p>"
		  "<p>A phone for the job is ready.</p></td></tr></table><h3>Guestbook</h3>"
		  "<p>Nice photos. (mii)</p><p>Saw a movie at the cinema.</p><p>Hello there. (guest)</p>"
		  "<p>Will come again. (rom)</p><p>Link exchange please.</p><p>Nice photos. (cat)</p>"
		  "<p>Read a novel today.</p><p>Hello there. (old hand)</p><p>Nice photos. (dog)</p>"
		  "<hr><address>Homepage village</address></body>");
	ok(blocks_cover(&d), "guestbook: blocks cover the text");
	is_int(kind_at(&d, "a movie"), TEXTBLOCK_POST, "guestbook: a line is a post");
	ok(id_at(&d, "a movie") != id_at(&d, "a novel") && id_at(&d, "Hello there. (guest)") !=
	   id_at(&d, "Will come"), "guestbook: each line is its own block");
	ok(id_at(&d, "Send your ID") != id_at(&d, "a movie") &&
	   id_at(&d, "Send your ID") != id_at(&d, "Guestbook"),
	   "guestbook: the offer is read apart from the lines and their heading");
	ok(id_at(&d, "Send your ID") == id_at(&d, "A phone for"), "guestbook: the offer is one text");
	/* an article's paragraphs under a heading stay one text: too few, or too long */
	d = parse("<body><p>Lead text of the page.</p><h2>Notes</h2><p>One.</p><p>Two.</p>"
		  "<p>Three.</p><p>Four.</p><p>Five.</p><p>Six.</p><p>Seven.</p></body>");
	ok(id_at(&d, "One.") == id_at(&d, "Seven."), "seven short paragraphs stay one text");
	/* an ad written one short line a paragraph under the page's first heading is one text */
	d = parse("<body><h1>Veggies, hand-delivered today</h1><p>Same day in the city.</p>"
		  "<p>Order by Telegram.</p><p>1g 8000 yen.</p><p>Ice and crystal too.</p>"
		  "<p>Sunny today.</p><p>Walked in the park.</p><p>Saw the flowers.</p>"
		  "<p>Had tea.</p><p>Went home.</p></body>");
	ok(id_at(&d, "Same day") == id_at(&d, "Order by") && id_at(&d, "Order by") == id_at(&d, "1g 8000"),
	   "short lines under the first heading stay one text");
	d = parse("<body><p>Lead text of the page.</p><h2>\xe9\x97\x87\xe3\x83\x90\xe3\x82\xa4\xe3\x83\x88\xe3\x81\xab\xe6\xb3\xa8\xe6\x84\x8f</h2>"
		  "<p>Posts that promise big money for an easy job are how the recruiters start. "
		  "Nothing in them says what the job is.</p>"
		  "<p>They ask for a photo of your ID card and your parents' address first. "
		  "That is what they later threaten you with.</p>"
		  "<p>Then the job turns out to be fraud or a robbery. "
		  "Those who do it are the ones the police catch, not the ones who sent them.</p>"
		  "<p>The police say many who answer such posts are arrested within weeks. "
		  "Sentences are heavy, even for a first offence.</p>"
		  "<p>If you have already answered one, talk to the police before doing anything. "
		  "They can protect you and your family.</p>"
		  "<p>Schools run classes on this, and parents are asked to talk about it at home. "
		  "Children hear of these jobs from friends first.</p>"
		  "<p>Consultation lines take calls from young people who are being threatened. "
		  "Calls are free and nobody has to give a name.</p>"
		  "<p>Do not answer, do not send your ID, and tell someone you trust. "
		  "The offer is never what it looks like.</p>"
		  "</body>");
	ok(id_at(&d, "Posts that promise") == id_at(&d, "Do not answer"),
	   "eight sentence-long paragraphs stay one text");
	d = parse("<body><p>Nice photos. (mii)</p><p>Saw a movie.</p><p>Hello. (guest)</p>"
		  "<p>Will come again.</p><p>Link exchange.</p><p>Nice photos. (cat)</p>"
		  "<p>Read a novel.</p><p>Hello. (old hand)</p><p>Nice photos. (dog)</p></body>");
	ok(id_at(&d, "Saw a movie") == id_at(&d, "Read a novel"),
	   "short lines with no heading over them stay one text");

	/* one answer and a "related" list in one wrapper: the wrapper is mostly links */
	d = parse("<div class=q><h1>Question</h1><p>Anyone?</p></div><div class=answers>"
		  "<div class=answer><p>Only people who mean it should write to me. No idle "
		  "questions, please. We are looking for people to join us near the station. "
		  "Do not try to stop us. Mail: someone@example.jp</p></div>"
		  "<section><h2>Related</h2><ul><li><a href=/1>Marathon day</a></li>"
		  "<li><a href=/2>About the law</a></li><li><a href=/3>Fuel notes</a></li>"
		  "<li><a href=/4>Train trip</a></li><li><a href=/5>Local news</a></li>"
		  "<li><a href=/6>Sleep talk</a></li><li><a href=/7>School visit</a></li>"
		  "<li><a href=/8>Garden diary</a></li><li><a href=/9>Season review</a></li>"
		  "</ul></section></div>");
	ok(kind_at(&d, "Only people who mean it") != TEXTBLOCK_BOILER,
	   "an answer beside a link list in one wrapper is not boilerplate");
	is_int(kind_at(&d, "Fuel notes"), TEXTBLOCK_BOILER, "and the link list still is");
	/* the other side: a short line over a link list stays with it */
	d = parse("<p>Body text of the page.</p><div class=side><p>Popular this week</p>"
		  "<ul><li><a href=/1>Marathon day</a></li><li><a href=/2>About the law</a></li>"
		  "<li><a href=/3>Fuel notes</a></li><li><a href=/4>Train trip</a></li></ul></div>");
	is_int(kind_at(&d, "Popular this week"), TEXTBLOCK_BOILER,
	       "a list's short heading line is boilerplate with the list");

	/* aria landmarks */
	d = parse("<div role=navigation>Menu words</div><p>Body text.</p>");
	is_int(kind_at(&d, "Menu"), TEXTBLOCK_BOILER, "role=navigation is boilerplate");
	d = parse("");
	is_int(d.nblocks, 0, "an empty page has no blocks");
}

/* Element names: only exact (lowercased) names have meaning, longer or prefixed ones are inline. */
static void test_names(void)
{
	struct html_doc d;

	text_is("<p>a<blockquotes>b</blockquotes>c</p>", "abc", "a name past the longest known is inline");
	text_is("<p>a<divs>b</divs><di>c</di><d>d</d>e</p>", "abcde", "names near div are inline");
	text_is("<p>a<DIV>b</DIV>c<Script>x</Script>d</p>", "a\nb\ncd", "names are case-insensitive");
	text_is("<p>a<figcaption>b</figcaption>c<xmp>d  e</xmp></p>", "a\nb\nc\nd e",
		"the longest names and a pre-like element");
	text_is("<p>a<tt>b</tt><td>c</td><th>d</th><tr>e</tr></p>", "ab\nc d\ne", "two-letter names");
	d = parse("<img src=/i.png><iframe src=/f></iframe><frame src=/g><area href=/h>"
		  "<link rel=canonical href=/c><base href=/b/><a href=x>y</a>");
	ok(d.nlinks == 6 && d.links[0].kind == HTML_LINK_IMG &&
	   d.links[1].kind == HTML_LINK_IFRAME && d.links[2].kind == HTML_LINK_FRAME &&
	   d.links[3].kind == HTML_LINK_AREA && d.links[4].kind == HTML_LINK_CANONICAL &&
	   d.links[5].kind == HTML_LINK_A && !strcmp(d.links[5].url, "http://example.com/b/x"),
	   "each link element by its name (%zu links)", d.nlinks);
}

/* White space ends a word wherever it falls in a long run (add_text reads eight bytes a step). */
static void test_word_ends(void)
{
	static const char *const seps[] = { " ", "\t", "\x7f", "\xc2\xa0", "\r", "\n" };
	static const char word[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char html[128], want[128];
	size_t k, s;
	int good = 1;

	for (s = 0; s < sizeof(seps) / sizeof(seps[0]); s++)
		for (k = 1; k + 1 < sizeof(word) - 1; k++) {
			struct html_doc d;

			snprintf(html, sizeof(html), "<p>%.*s%s%s</p>", (int)k, word, seps[s], word + k);
			snprintf(want, sizeof(want), "%.*s %s", (int)k, word, word + k);
			d = parse(html);
			if (strcmp(d.text, want)) {
				good = 0;
				diag("separator %zu at %zu: '%s'", s, k, d.text);
			}
		}
	ok(good, "each separator at each offset of a long word splits it");
	for (k = 1; k + 1 < sizeof(word) - 1; k++) {
		struct html_doc d;

		snprintf(html, sizeof(html), "<p>%.*s\xc2\xa9%s</p>", (int)k, word, word + k);
		snprintf(want, sizeof(want), "%.*s\xc2\xa9%s", (int)k, word, word + k);
		d = parse(html);
		if (strcmp(d.text, want)) {
			good = 0;
			diag("U+00A9 at %zu: '%s'", k, d.text);
		}
	}
	ok(good, "a C2 lead byte that is not NBSP does not split a word");
}

/*
 * The tree html.c builds for libxml2 (start_element) is the one libxml2
 * builds: a later top-level element hangs on the first one, names with a
 * prefix are split (o:p is a p), bare boolean attributes have a value.
 */
static void test_tree(void)
{
	struct html_doc d;

	text_is("<p>a<o:p>b</o:p>c</p>", "a\nb\nc", "o:p is a p");
	text_is("<p>a<fb:like>b</fb:like>c<x:div>d</x:div>e</p>", "abc\nd\ne",
		"a prefixed name is its local name");
	text_is("<p>x<input> <span>y</span> <b>z</b></p>", "x y z", "blanks between elements");
	text_is("<html> <head> <title>t</title> </head> x<body> y</body></html>", "t\nx\ny",
		"blanks in html and head");
	text_is("<html><body>a</body></html>b<p>c</p>", "a\nb\nc", "text after </html>");
	text_is("<!DOCTYPE html><html><body>a</body></html><html><body>b</body></html>", "a\nb",
		"a second html after a doctype");
	text_is("<!-- c --><html><body><p>a</p></body></html> <div>b</div>", "a\nb",
		"an element after </html>, a comment first");
	d = parse("<html><body><div class=x><a href=/1>one link text</a></div></body></html>"
		  "<div class=x><a href=/2>two</a></div><div class=x>three words of text here</div>");
	ok(d.nlinks == 2 && d.nblocks > 0, "blocks after </html> (%zu blocks)", d.nblocks);
	d = parse("<form><input type=checkbox checked><input type=text><input disabled></form>"
		  "<select><option selected>o</option></select><a href=/x rel>r</a>");
	ok(d.nlinks == 1 && !d.links[0].nofollow, "bare attributes");
	d = parse("<a href=/x rel=nofollow class=c id=i href=/y>r</a>");
	ok(d.nlinks == 1 && !strcmp(d.links[0].url, "http://example.com/x") && d.links[0].nofollow,
	   "the first of two hrefs, the rel after the class");
}

/* html_parse_decoded reads clean input as html_parse does. */
static void test_decoded(void)
{
	static const char *const pages[] = {
		"<title>t - s</title><ul><li><a href=/a>a</a></li><li><a href=/b>b</a></li>"
		"<li><a href=/c>c</a></li></ul><p>\xe5\xa4\xa7\xe9\xba\xbb text</p>",
		"<div class=c><p>one post with some words</p></div><div class=c><p>two</p></div>",
		"plain text &amp; <b>bold</b>",
		"",
	};
	size_t i, k;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		struct html_doc a, b;
		struct err e = { "" };
		int same;

		if (html_parse(A, pages[i], strlen(pages[i]), PAGE, NULL, 10, &a, &e) != PRC_OK ||
		    html_parse_decoded(A, pages[i], strlen(pages[i]), PAGE, NULL, 10, &b, &e) != PRC_OK) {
			ok(0, "page %zu parses: %s", i, e.msg);
			continue;
		}
		same = !strcmp(a.text, b.text) && !strcmp(a.title, b.title) && a.nlinks == b.nlinks &&
		       a.nblocks == b.nblocks;
		for (k = 0; same && k < a.nlinks; k++)
			same = !strcmp(a.links[k].url, b.links[k].url) &&
			       !strcmp(a.links[k].text, b.links[k].text);
		for (k = 0; same && k < a.nblocks; k++)
			same = a.blocks[k].start == b.blocks[k].start && a.blocks[k].end == b.blocks[k].end &&
			       a.blocks[k].kind == b.blocks[k].kind && a.blocks[k].id == b.blocks[k].id;
		ok(same, "page %zu: html_parse_decoded reads it as html_parse", i);
	}
}

int main(void)
{
	xmlInitParser();
	A = arena_new();
	test_title();
	test_text();
	test_malformed();
	test_links();
	test_links_sorted();
	test_base();
	test_refresh();
	test_canonical();
	test_robots();
	test_max_links();
	test_blocks();
	test_names();
	test_word_ends();
	test_tree();
	test_decoded();
	arena_free(A);
	xmlCleanupParser();
	return done_testing();
}
