/*
 * html.c - what patrol reads from an HTML page: title, visible text, links
 * and the page's robots hints.
 *
 * The classifiers look for words in what a visitor sees, so the text is the
 * page as rendered, roughly: inline elements run together ("<span>大</span>
 * <b>麻</b>" is 大麻, which is how pages split words to dodge filters),
 * block elements end lines, scripts, styles and ruby readings are left out.
 * The links feed the frontier, so they are resolved and canonicalized here
 * with the crawl's url_opts and deduplicated.
 *
 * DESIGN
 *
 * libxml2's HTML parser builds the tree (it recovers from anything and
 * decodes entities); we walk it without recursion, by child/next/parent
 * pointers, so a hostile page nested 100 000 deep costs no stack (and the
 * tree is kept shallow anyway, see TREE_KEEP). Raw hrefs are
 * collected during the walk and resolved afterwards, because <base href>
 * applies to links before it too. The xmlDoc is freed before returning;
 * everything in struct html_doc is copied into the page's arena.
 *
 * The tree costs more to build and free than to walk, so html.c builds the
 * elements itself (start_element): the same nodes in the same places as
 * libxml2 2.9's SAX2 builder, whose tree its HTML parser also reads back,
 * but named from the parser's dictionary, which the document shares from
 * its start (sax_start_doc): no copy and no free of each name, and short
 * or blank text kept in its node or the dictionary.
 *
 * Input that is not valid UTF-8, or holds NUL bytes, is repaired first:
 * libxml2 would otherwise switch to Latin-1 or stop at the NUL. The page
 * path gives charset_decode's output, clean already, to html_parse_decoded,
 * which does not check it again. Element names are looked up once per
 * element in a small hash table (el_find) that says how the element shapes
 * the text, what it is to the block finder and which links it holds.
 *
 * BLOCKS
 *
 * A rule must know whether a word stands in the post it judges or in a
 * sidebar, so the text is cut into blocks (util/textblock.h) by generic
 * structure, never by one site's class names. During the walk every block
 * element records its text range, the bytes of link text and the number of
 * links inside it, and a signature (its tag and class attribute). Then:
 *
 *  - boilerplate: nav, aside, menu, select, a form with fewer than two
 *    fields to fill in (a search box; a login or card form is the page
 *    itself), a header or footer that is not inside an article or main,
 *    ARIA landmarks (navigation, banner, contentinfo, complementary,
 *    search), and any element below the body that is mostly links (at
 *    least 3, and half its text with little other text, or a quarter of it
 *    with under 30 bytes of other text per link; or two links and next to
 *    nothing else): link lists, "related" and ranking lists, thread
 *    indexes, breadcrumbs; and three or more links in a row with only
 *    separators between them (a legacy page's "Home | Board | Links");
 *  - posts: children of one parent with one signature, repeated (2ch dt/dd
 *    pairs, comments, answers, reviews, repeated li/div/tr (but a row led
 *    by a header cell, a label and its value), a timeline's
 *    sections or articles outside an article or main, and articles
 *    inside main: inside an article they are its chapters; a pair
 *    must hold most of the parent's text; short list items only when there
 *    are many), the innermost such repetition winning, so a page's two
 *    layout columns are not taken for posts when the comments inside one
 *    of them repeat; anything else among the posts (a heading, an older
 *    entry) is a block of its own; and under a heading, a run of many
 *    short paragraphs (a legacy page's guestbook or comments, one <p> a
 *    line), each line a post;
 *  - title: the <title> line, but for a site's name after it ("the page -
 *    the site"), which is boilerplate;
 *  - main: everything else, one block however boilerplate interrupts it, a
 *    new block after a run of posts.
 */
#include "crawler/html.h"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/SAX2.h>
#include <libxml/globals.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlversion.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/hash.h"
#include "util/hset.h"
#include "util/textblock.h"
#include "util/utf8.h"

/*
 * libxml2 2.9 halts the whole parse (dropping the rest of the page) when
 * its tree is deeper than 256, so a page opening 256 <div>s first would hide
 * everything from us. Elements deeper than TREE_KEEP are added as empty
 * nodes instead (their text follows them, their attributes and links stay),
 * as Blink flattens past 512. libxml2's own stack of open names keeps
 * growing, and each end tag scans it, so past NAMES_MAX open elements the
 * parse stops on purpose (html_doc.truncated): the worst case is then about
 * 0.35 s per MB of hostile markup instead of quadratic.
 */
#define TREE_KEEP 200
#define NAMES_MAX 1024

#define PARSE_OPTS                                                                               \
	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |     \
	 HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC)

/* How elements shape the text. */
enum {
	EL_BLOCK = 1 << 0,   /* a line break before and after */
	EL_CELL = 1 << 1,    /* a space before and after (table cells) */
	EL_HIDE = 1 << 2,    /* its text is not visible */
	EL_NODESCEND = 1 << 3,/* not walked into at all */
	EL_PRE = 1 << 4,     /* line breaks in its text are kept */
	EL_TITLE = 1 << 5
};

/* What enter() does with an element besides its text (the tags patrol reads). */
enum {
	ACT_NONE = 0,
	ACT_A,
	ACT_AREA,
	ACT_IMG,
	ACT_FRAME,
	ACT_IFRAME,
	ACT_LINK,
	ACT_INPUT, /* input, textarea */
	ACT_BASE,
	ACT_META
};

/* What an element is to the block finder. */
enum {
	TAG_OTHER = 0,
	TAG_POSTABLE, /* div, article, li, blockquote, tr, dd, dt: may be one post of many */
	TAG_LI,
	TAG_TR,
	TAG_DT,
	TAG_DD,
	TAG_P,        /* p: posts only as a titled run of short lines (p_run_posts) */
	TAG_HEADING,  /* h1 .. h6 */
	TAG_ROOT,     /* html, body: never boilerplate by link density */
	TAG_BOILER,   /* nav, aside, form, menu, select */
	TAG_EDGE,     /* header, footer: boilerplate outside an article */
	TAG_ARTICLE,  /* article, main: several side by side, outside another, are posts (a timeline) */
	TAG_SECTION,  /* section: one post of many outside an article (a timeline), a chapter inside one */
	TAG_TH        /* th: a row it leads is a label and its value (募集要項, a spec sheet), no post */
};

struct el {
	const char *name;
	uint8_t flags; /* EL_* */
	uint8_t tag;   /* TAG_* */
	uint8_t act;   /* ACT_* */
};

/*
 * Every element name patrol knows (libxml2 gives them lowercase); looked up
 * through el_slots, a hash table filled once (el_find).
 */
static const struct el elements[] = {
	{ "a", 0, TAG_OTHER, ACT_A },
	{ "address", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "area", 0, TAG_OTHER, ACT_AREA },
	{ "article", EL_BLOCK, TAG_ARTICLE, ACT_NONE },
	{ "aside", EL_BLOCK, TAG_BOILER, ACT_NONE },
	{ "base", 0, TAG_OTHER, ACT_BASE },
	{ "blockquote", EL_BLOCK, TAG_POSTABLE, ACT_NONE },
	{ "body", EL_BLOCK, TAG_ROOT, ACT_NONE },
	{ "br", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "caption", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "center", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "dd", EL_BLOCK, TAG_DD, ACT_NONE },
	{ "details", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "dialog", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "dir", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "div", EL_BLOCK, TAG_POSTABLE, ACT_NONE },
	{ "dl", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "dt", EL_BLOCK, TAG_DT, ACT_NONE },
	{ "fieldset", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "figcaption", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "figure", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "footer", EL_BLOCK, TAG_EDGE, ACT_NONE },
	{ "form", EL_BLOCK, TAG_BOILER, ACT_NONE },
	{ "frame", 0, TAG_OTHER, ACT_FRAME },
	{ "frameset", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "h1", EL_BLOCK, TAG_HEADING, ACT_NONE },
	{ "h2", EL_BLOCK, TAG_HEADING, ACT_NONE },
	{ "h3", EL_BLOCK, TAG_HEADING, ACT_NONE },
	{ "h4", EL_BLOCK, TAG_HEADING, ACT_NONE },
	{ "h5", EL_BLOCK, TAG_HEADING, ACT_NONE },
	{ "h6", EL_BLOCK, TAG_HEADING, ACT_NONE },
	{ "head", EL_BLOCK | EL_HIDE, TAG_OTHER, ACT_NONE },
	{ "header", EL_BLOCK, TAG_EDGE, ACT_NONE },
	{ "hgroup", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "hr", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "html", EL_BLOCK, TAG_ROOT, ACT_NONE },
	{ "iframe", EL_BLOCK, TAG_OTHER, ACT_IFRAME },
	{ "img", 0, TAG_OTHER, ACT_IMG },
	{ "input", 0, TAG_OTHER, ACT_INPUT },
	{ "legend", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "li", EL_BLOCK, TAG_LI, ACT_NONE },
	{ "link", 0, TAG_OTHER, ACT_LINK },
	{ "listing", EL_BLOCK | EL_PRE, TAG_OTHER, ACT_NONE },
	{ "main", EL_BLOCK, TAG_ARTICLE, ACT_NONE },
	{ "menu", EL_BLOCK, TAG_BOILER, ACT_NONE },
	{ "meta", 0, TAG_OTHER, ACT_META },
	{ "nav", EL_BLOCK, TAG_BOILER, ACT_NONE },
	{ "noframes", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "noscript", EL_HIDE, TAG_OTHER, ACT_NONE },
	{ "ol", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "optgroup", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "option", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "p", EL_BLOCK, TAG_P, ACT_NONE },
	{ "plaintext", EL_BLOCK | EL_PRE, TAG_OTHER, ACT_NONE },
	{ "pre", EL_BLOCK | EL_PRE, TAG_OTHER, ACT_NONE },
	/* ruby: 大<rt>たい</rt>麻<rt>ま</rt> must still read 大麻 */
	{ "rp", EL_HIDE, TAG_OTHER, ACT_NONE },
	{ "rt", EL_HIDE, TAG_OTHER, ACT_NONE },
	{ "script", EL_HIDE | EL_NODESCEND, TAG_OTHER, ACT_NONE },
	{ "section", EL_BLOCK, TAG_SECTION, ACT_NONE },
	{ "select", EL_BLOCK, TAG_BOILER, ACT_NONE },
	{ "style", EL_HIDE | EL_NODESCEND, TAG_OTHER, ACT_NONE },
	{ "summary", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "table", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "tbody", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "td", EL_CELL, TAG_OTHER, ACT_NONE },
	{ "template", EL_HIDE | EL_NODESCEND, TAG_OTHER, ACT_NONE },
	{ "textarea", EL_BLOCK, TAG_OTHER, ACT_INPUT },
	{ "tfoot", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "th", EL_CELL, TAG_TH, ACT_NONE },
	{ "thead", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "title", EL_BLOCK | EL_TITLE | EL_NODESCEND, TAG_OTHER, ACT_NONE },
	{ "tr", EL_BLOCK, TAG_TR, ACT_NONE },
	{ "ul", EL_BLOCK, TAG_OTHER, ACT_NONE },
	{ "xmp", EL_BLOCK | EL_PRE, TAG_OTHER, ACT_NONE },
};

#define EL_NAME_MAX 10  /* the longest name above */
#define EL_SLOTS 256    /* a power of two, well over twice the names */

/* Index + 1 into elements[] by el_hash, linear probing; 0 is empty. */
static uint8_t el_slots[EL_SLOTS];
static pthread_once_t el_once = PTHREAD_ONCE_INIT;

static unsigned el_hash(unsigned h, unsigned char c)
{
	return h * 31 + c;
}

/*
 * Whether html.c builds the tree itself (start_element): only with the
 * libxml2 whose builder it follows, 2.9, both compiled against and running.
 */
static int own_tree;

static void el_fill(void)
{
	own_tree = LIBXML_VERSION / 100 == 209 && xmlParserVersion &&
		   atoi(xmlParserVersion) / 100 == 209;
	for (size_t i = 0; i < sizeof(elements) / sizeof(elements[0]); i++) {
		const unsigned char *s = (const unsigned char *)elements[i].name;
		unsigned h = 0;

		for (; *s; s++)
			h = el_hash(h, *s);
		for (h &= EL_SLOTS - 1; el_slots[h]; h = (h + 1) & (EL_SLOTS - 1))
			;
		el_slots[h] = (uint8_t)(i + 1);
	}
}

/* The entry of element n, or NULL for a name patrol gives no meaning. */
static const struct el *el_find(const xmlNode *n)
{
	const unsigned char *name = n->name;
	unsigned h = 0;
	size_t len;

	if (!name)
		return NULL;
	for (len = 0; name[len]; len++) {
		if (len == EL_NAME_MAX)
			return NULL;
		h = el_hash(h, name[len]);
	}
	for (h &= EL_SLOTS - 1; el_slots[h]; h = (h + 1) & (EL_SLOTS - 1)) {
		const struct el *e = &elements[el_slots[h] - 1];
		const unsigned char *a = (const unsigned char *)e->name, *b = name;

		while (*a && *a == *b) {
			a++;
			b++;
		}
		if (!*a && !*b)
			return e;
	}
	return NULL;
}

static int el_flags(const xmlNode *n)
{
	const struct el *e = el_find(n);

	return e ? e->flags : 0;
}

/* A link as the page wrote it; pointers into the xmlDoc. */
struct rawlink {
	const char *href;
	enum html_link_kind kind;
	int nofollow;
	size_t text_start, text_end; /* anchor text: a slice of the visible text */
};

enum { PEND_NONE = 0, PEND_SPACE, PEND_NEWLINE };

/* One block element seen by the walk (see BLOCKS above). */
struct elrec {
	uint32_t start, end;   /* text bytes */
	uint32_t lstart, lend; /* link-text byte counter on the way in and out */
	uint32_t astart, aend; /* link counter on the way in and out */
	uint32_t istart, iend; /* input field counter on the way in and out */
	uint32_t parent;       /* index + 1 of the nearest recorded ancestor, 0 for none */
	uint64_t sig;          /* tag name and class attribute */
	uint8_t tag;
	uint8_t landmark;      /* an ARIA role that marks boilerplate */
	uint8_t in_article;    /* inside an article or main: its header and footer are its own */
	uint8_t in_article_el; /* inside an <article>: its sections are chapters, not posts */
};

/* Past these the page is read as one main block: the cost stays linear. */
#define BLOCK_RECS_MAX 200000
#define BLOCK_SEGS_MAX 4096

struct openrec {
	const xmlNode *node;
	uint32_t rec; /* index + 1 */
	uint8_t article;    /* this or an ancestor is an article or main */
	uint8_t article_el; /* this or an ancestor is an <article> */
};

struct walk {
	struct arena *a;
	struct buf text;
	int pending;
	int hidden; /* inside elements whose text is not visible */
	int pre;
	const char *title; /* arena */
	const char *base_href, *canonical_href;
	struct rawlink *links;
	size_t nlinks, cap;
	int noindex, nofollow;
	int stopped; /* the parse was stopped at NAMES_MAX */
	struct elrec *recs;
	size_t nrecs, rcap;
	struct openrec *open;
	size_t nopen, ocap;
	int recs_full;
	int in_a;             /* inside this many links */
	size_t link_bytes;    /* bytes of link text so far */
	size_t anchors;       /* links so far */
	size_t inputs;        /* text and password fields so far */
	size_t title_start, title_end;
	int have_title_line;
	enum prc rc;
	startDocumentSAXFunc sax_start_doc;
	startElementSAXFunc sax_start;
	endElementSAXFunc sax_end;
	cdataBlockSAXFunc sax_cdata;
};

/*
 * The value of attribute name (libxml2 lowercases HTML attribute names), ""
 * for a bare attribute, NULL when absent. Points into the tree or arena.
 */
static const char *attr(struct walk *w, const xmlNode *n, const char *name)
{
	const xmlAttr *p;

	for (p = n->properties; p; p = p->next) {
		xmlChar *v;
		const char *s;

		if (!p->name || strcmp((const char *)p->name, name))
			continue;
		if (!p->children)
			return "";
		if (p->children->type == XML_TEXT_NODE && !p->children->next)
			return p->children->content ? (const char *)p->children->content : "";
		/* not what the HTML parser builds, but possible: flatten it */
		v = xmlNodeListGetString(n->doc, p->children, 1);
		if (!v)
			return NULL;
		s = arena_strdup(w->a, (const char *)v);
		xmlFree(v);
		if (!s)
			w->rc = PRC_NOMEM;
		return s;
	}
	return NULL;
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Whether the space-separated token list s holds tok (ASCII case-insensitive). */
static int has_token(const char *s, const char *tok, const char *seps)
{
	size_t n = strlen(tok);

	while (s && *s) {
		size_t len;

		s += strspn(s, seps);
		len = strcspn(s, seps);
		if (len == n && !strncasecmp(s, tok, n))
			return 1;
		s += len;
	}
	return 0;
}

static void pend(struct walk *w, int what)
{
	if (what > w->pending)
		w->pending = what;
}

static void emit(struct walk *w, const char *s, size_t n)
{
	if (w->rc != PRC_OK)
		return;
	if (w->pending != PEND_NONE && w->text.len > 0)
		w->rc = buf_addch(&w->text, w->pending == PEND_NEWLINE ? '\n' : ' ');
	w->pending = PEND_NONE;
	if (w->rc == PRC_OK)
		w->rc = buf_add(&w->text, s, n);
	if (w->in_a > 0)
		w->link_bytes += n;
}

/*
 * Adds visible text: runs of white space (ASCII, control characters and
 * NBSP) become one pending space, or a line break inside <pre>; separators
 * are only written when more text follows, so the result is trimmed.
 */
static void add_text(struct walk *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t start;

	while (*p && w->rc == PRC_OK) {
		if (*p <= 0x20 || *p == 0x7F) {
			pend(w, (w->pre && *p == '\n') ? PEND_NEWLINE : PEND_SPACE);
			p++;
			continue;
		}
		if (p[0] == 0xC2 && p[1] == 0xA0) {
			pend(w, PEND_SPACE);
			p += 2;
			continue;
		}
		start = (size_t)(p - (const unsigned char *)s);
		/* eight bytes a step while none can end the word: no byte <= 0x20, 0x7F or 0xC2 */
		while (end - p >= 8) {
			const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
			uint64_t v, x7f, xc2;

			memcpy(&v, p, 8);
			x7f = v ^ (0x7F * ones);
			xc2 = v ^ (0xC2 * ones);
			if (((v - 0x21 * ones) & ~v & highs) || ((x7f - ones) & ~x7f & highs) ||
			    ((xc2 - ones) & ~xc2 & highs))
				break;
			p += 8;
		}
		while (*p > 0x20 && *p != 0x7F && !(p[0] == 0xC2 && p[1] == 0xA0))
			p++;
		emit(w, s + start, (size_t)(p - (const unsigned char *)s) - start);
	}
}

/* Copies s with white space collapsed and trimmed, at most max bytes (on a character boundary). */
static char *collapse(struct arena *a, const char *s, size_t n, size_t max)
{
	char *d = arena_alloc(a, (n < max ? n : max) + 1);
	size_t i = 0, o = 0, lim = n < max ? n : max;
	int space = 0;

	if (!d)
		return NULL;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k = 1;

		if (c <= 0x20 || c == 0x7F || (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0)) {
			space = 1;
			i += (c == 0xC2) ? 2 : 1;
			continue;
		}
		while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
			k++;
		if (o + (space && o > 0) + k > lim)
			break;
		if (space && o > 0)
			d[o++] = ' ';
		space = 0;
		memcpy(d + o, s + i, k);
		o += k;
		i += k;
	}
	d[o] = '\0';
	return utf8_clean(d, o) || utf8_valid(d, o) ? d : utf8_sanitize(a, d, o, NULL);
}

static void add_link(struct walk *w, const char *href, enum html_link_kind kind, int nofollow,
		     xmlNode *n)
{
	struct rawlink *l;

	if (!href || w->rc != PRC_OK)
		return;
	if (w->nlinks == w->cap) {
		size_t ncap = w->cap ? 2 * w->cap : 64;

		l = realloc(w->links, ncap * sizeof(*l));
		if (!l) {
			w->rc = PRC_NOMEM;
			return;
		}
		w->links = l;
		w->cap = ncap;
	}
	l = &w->links[w->nlinks++];
	l->href = href;
	l->kind = kind;
	l->nofollow = nofollow;
	l->text_start = l->text_end = w->text.len;
	if (n) {
		n->_private = (void *)(uintptr_t)w->nlinks; /* index + 1, read when leaving <a> */
		w->in_a++;
		w->anchors++;
	}
}

/*
 * The URL of a meta refresh content ("5; url='/x'", "0;URL=/x", "0, /x"),
 * tolerant as browsers are. Returns it in the arena, or NULL.
 */
static const char *refresh_url(struct walk *w, const char *c)
{
	const char *end;
	char q;

	while (is_ws((unsigned char)*c))
		c++;
	while ((*c >= '0' && *c <= '9') || *c == '.')
		c++;
	while (is_ws((unsigned char)*c))
		c++;
	if (*c == ';' || *c == ',')
		c++;
	while (is_ws((unsigned char)*c))
		c++;
	if (!strncasecmp(c, "url", 3)) {
		const char *p = c + 3;

		while (is_ws((unsigned char)*p))
			p++;
		if (*p == '=') {
			p++;
			while (is_ws((unsigned char)*p))
				p++;
			c = p;
		}
	}
	if (*c == '"' || *c == '\'') {
		q = *c++;
		end = strchr(c, q);
		if (!end)
			end = c + strlen(c);
	} else {
		end = c + strlen(c);
	}
	while (end > c && is_ws((unsigned char)end[-1]))
		end--;
	if (end == c)
		return NULL;
	c = arena_strndup(w->a, c, (size_t)(end - c));
	if (!c)
		w->rc = PRC_NOMEM;
	return c;
}

static void on_meta(struct walk *w, xmlNode *n)
{
	const char *name = attr(w, n, "name"), *equiv = attr(w, n, "http-equiv");
	const char *content = attr(w, n, "content");

	if (!content)
		return;
	if (name && (!strcasecmp(name, "robots") || !strcasecmp(name, "patrol"))) {
		static const char seps[] = " \t\n\r\f,";

		if (has_token(content, "noindex", seps) || has_token(content, "none", seps))
			w->noindex = 1;
		if (has_token(content, "nofollow", seps) || has_token(content, "none", seps))
			w->nofollow = 1;
	}
	if (equiv && !strcasecmp(equiv, "refresh"))
		add_link(w, refresh_url(w, content), HTML_LINK_META_REFRESH, 0, NULL);
}

/* Starts the record of block element n (see BLOCKS at the top). */
static void open_rec(struct walk *w, const xmlNode *n, int tag)
{
	static const char seps[] = " \t\n\r\f";
	/* read before the stack may move: the realloc below invalidates pointers into it */
	int in_article = w->nopen && w->open[w->nopen - 1].article;
	int in_article_el = w->nopen && w->open[w->nopen - 1].article_el;
	struct elrec *r;
	const char *cls, *role;
	uint64_t h;

	if (w->rc != PRC_OK)
		return;
	if (w->nopen == w->ocap) {
		size_t ncap = w->ocap ? 2 * w->ocap : 64;
		struct openrec *o = realloc(w->open, ncap * sizeof(*o));

		if (!o) {
			w->rc = PRC_NOMEM;
			return;
		}
		w->open = o;
		w->ocap = ncap;
	}
	w->open[w->nopen].node = n;
	w->open[w->nopen].rec = 0;
	w->open[w->nopen].article = (uint8_t)(in_article || tag == TAG_ARTICLE);
	/* a timeline's articles inside <main> are posts; an article's are its chapters */
	w->open[w->nopen].article_el =
		(uint8_t)(in_article_el || (tag == TAG_ARTICLE && !xmlStrEqual(n->name, BAD_CAST "main")));
	w->nopen++;
	if (w->recs_full)
		return;
	if (w->nrecs == BLOCK_RECS_MAX) {
		w->recs_full = 1;
		return;
	}
	if (w->nrecs == w->rcap) {
		size_t ncap = w->rcap ? 2 * w->rcap : 256;

		r = realloc(w->recs, ncap * sizeof(*r));
		if (!r) {
			w->rc = PRC_NOMEM;
			return;
		}
		w->recs = r;
		w->rcap = ncap;
	}
	r = &w->recs[w->nrecs++];
	memset(r, 0, sizeof(*r));
	r->start = r->end = (uint32_t)w->text.len;
	r->lstart = r->lend = (uint32_t)w->link_bytes;
	r->astart = r->aend = (uint32_t)w->anchors;
	r->istart = r->iend = (uint32_t)w->inputs;
	/* the nearest open ancestor that has a record */
	for (size_t k = w->nopen - 1; k-- > 0;)
		if (w->open[k].rec) {
			r->parent = w->open[k].rec;
			break;
		}
	r->tag = (uint8_t)tag;
	r->in_article = (uint8_t)in_article;
	r->in_article_el = (uint8_t)in_article_el;
	cls = attr(w, n, "class");
	h = hash64(n->name, strlen((const char *)n->name));
	if (cls)
		h ^= hash64(cls, strlen(cls)) * 0x9E3779B97F4A7C15ull;
	r->sig = h;
	role = attr(w, n, "role");
	r->landmark = (uint8_t)(role && (has_token(role, "navigation", seps) ||
					 has_token(role, "banner", seps) ||
					 has_token(role, "contentinfo", seps) ||
					 has_token(role, "complementary", seps) ||
					 has_token(role, "search", seps) || has_token(role, "menu", seps)));
	w->open[w->nopen - 1].rec = (uint32_t)w->nrecs;
}

/* Ends the record of n if n is the innermost open block element. */
static void close_rec(struct walk *w, const xmlNode *n)
{
	struct openrec *top;

	if (!w->nopen || w->open[w->nopen - 1].node != n)
		return;
	top = &w->open[--w->nopen];
	if (top->rec) {
		struct elrec *r = &w->recs[top->rec - 1];

		r->end = (uint32_t)w->text.len;
		r->lend = (uint32_t)w->link_bytes;
		r->aend = (uint32_t)w->anchors;
		r->iend = (uint32_t)w->inputs;
	}
}

/* Records what element n contributes on the way in. Returns whether to walk its children. */
static int enter(struct walk *w, xmlNode *n)
{
	const struct el *e;
	const char *v;
	int f;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (!w->hidden && n->content)
			add_text(w, (const char *)n->content);
		return 0;
	}
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	e = el_find(n);
	f = e ? e->flags : 0;
	if (f & EL_BLOCK)
		pend(w, PEND_NEWLINE);
	else if (f & EL_CELL)
		pend(w, PEND_SPACE);
	if (f & EL_HIDE)
		w->hidden++;
	if (f & EL_PRE)
		w->pre++;
	if ((f & (EL_BLOCK | EL_CELL)) && !(f & EL_TITLE) && !w->hidden)
		open_rec(w, n, e ? e->tag : TAG_OTHER);
	if (f & EL_TITLE) {
		if (!w->title) {
			xmlChar *t = xmlNodeGetContent(n);
			const char *s = t ? (const char *)t : "";

			w->title = collapse(w->a, s, strlen(s), SIZE_MAX);
			if (!w->title)
				w->rc = PRC_NOMEM;
			/* the title is read too, as its own line */
			if (w->title && *w->title) {
				emit(w, "", 0);
				w->title_start = w->text.len;
				add_text(w, w->title);
				w->title_end = w->text.len;
				w->have_title_line = w->title_end > w->title_start;
			}
			xmlFree(t);
		}
		return 0;
	}
	if (f & EL_NODESCEND)
		return 0;

	switch (e ? e->act : ACT_NONE) {
	case ACT_A:
	case ACT_AREA:
		v = attr(w, n, "href");
		if (v)
			add_link(w, v, e->act == ACT_A ? HTML_LINK_A : HTML_LINK_AREA,
				 has_token(attr(w, n, "rel"), "nofollow", " \t\n\r\f"),
				 e->act == ACT_A ? n : NULL);
		break;
	case ACT_IMG:
		add_link(w, attr(w, n, "src"), HTML_LINK_IMG, 0, NULL);
		break;
	case ACT_FRAME:
	case ACT_IFRAME:
		add_link(w, attr(w, n, "src"), e->act == ACT_FRAME ? HTML_LINK_FRAME : HTML_LINK_IFRAME,
			 0, NULL);
		break;
	case ACT_LINK:
		if (has_token(attr(w, n, "rel"), "canonical", " \t\n\r\f") &&
		    (v = attr(w, n, "href")) != NULL && !w->canonical_href) {
			w->canonical_href = v;
			add_link(w, v, HTML_LINK_CANONICAL, 0, NULL);
		}
		break;
	case ACT_INPUT: {
		const char *t = attr(w, n, "type");

		if (!t || !(has_token(t, "hidden", " ") || has_token(t, "submit", " ") ||
			    has_token(t, "button", " ") || has_token(t, "image", " ") ||
			    has_token(t, "reset", " ") || has_token(t, "checkbox", " ") ||
			    has_token(t, "radio", " ")))
			w->inputs++;
		break;
	}
	case ACT_BASE:
		if (!w->base_href)
			w->base_href = attr(w, n, "href");
		break;
	case ACT_META:
		on_meta(w, n);
		break;
	default:
		break;
	}
	return 1;
}

/* The way out of element n: close blocks, end anchor text. */
static void leave(struct walk *w, xmlNode *n)
{
	int f;

	if (n->type != XML_ELEMENT_NODE)
		return;
	close_rec(w, n);
	f = el_flags(n);
	if (f & EL_BLOCK)
		pend(w, PEND_NEWLINE);
	else if (f & EL_CELL)
		pend(w, PEND_SPACE);
	if (f & EL_TITLE)
		return;
	if ((f & EL_HIDE) && w->hidden > 0)
		w->hidden--;
	if ((f & EL_PRE) && w->pre > 0)
		w->pre--;
	if (n->_private) {
		size_t i = (size_t)(uintptr_t)n->_private - 1;

		if (i < w->nlinks)
			w->links[i].text_end = w->text.len;
		n->_private = NULL;
		if (w->in_a > 0)
			w->in_a--;
	}
}

/*
 * Adds element name to the tree as libxml2 2.9's xmlSAX2StartElement does
 * for HTML, with the same node, in the same place, with the same
 * attributes, but with its name and the attribute names in the document's
 * dictionary: no copy of each, no free (sax_start_doc gives the document
 * the parser's dictionary). The HTML parser decides on the tree it sees
 * (which blank text to keep looks at the last child), so it must be the
 * same tree. Names with a ':' (o:p) go to libxml2, which splits them.
 */
static void start_element(htmlParserCtxtPtr c, const xmlChar *name, const xmlChar **atts)
{
	xmlDoc *doc = c->myDoc;
	xmlNode *n, *parent = c->node;
	size_t i;

	n = xmlNewDocNode(doc, NULL, name, NULL);
	if (!n)
		return;
	/* the first node is the document's child; later top-level ones hang on it */
	if (!doc->children)
		xmlAddChild((xmlNode *)doc, n);
	else if (!parent)
		parent = doc->children;
	c->nodemem = -1;
	nodePush(c, n);
	if (parent) {
		if (parent->type == XML_ELEMENT_NODE)
			xmlAddChild(parent, n);
		else
			xmlAddSibling(parent, n);
	}
	for (i = 0; atts && atts[i]; i += 2) {
		const xmlChar *v = atts[i + 1];

		/* <option selected> reads selected="selected"; other bare attributes have no value */
		if (!v && htmlIsBooleanAttr(atts[i]))
			v = atts[i];
		xmlNewNsProp(n, NULL, atts[i], v);
	}
}

/* SAX start of document: the document shares the parser's dictionary (see start_element). */
static void sax_start_doc(void *ctx)
{
	htmlParserCtxtPtr c = ctx;
	struct walk *w = c->_private;

	w->sax_start_doc(ctx);
	if (c->myDoc && !c->myDoc->dict && c->dict) {
		c->myDoc->dict = c->dict;
		xmlDictReference(c->dict);
		/* now libxml2 keeps short text in its node (COMPACT) and blank text in the dictionary */
		c->dictNames = 1;
	}
}

/* SAX start of element: the tree is flattened past TREE_KEEP (see the top). */
static void sax_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	htmlParserCtxtPtr c = ctx;
	struct walk *w = c->_private;
	xmlNode *n;
	size_t i;

	if (c->nameNr > NAMES_MAX) {
		w->stopped = 1;
		xmlStopParser(c);
		return;
	}
	if (c->nameNr <= TREE_KEEP || !c->node) {
		if (name && c->myDoc && c->myDoc->dict == c->dict && c->dict &&
		    !strchr((const char *)name, ':'))
			start_element(c, name, atts);
		else
			w->sax_start(ctx, name, atts);
		return;
	}
	n = xmlNewDocNode(c->myDoc, NULL, name, NULL);
	if (!n)
		return;
	for (i = 0; atts && atts[i]; i += 2)
		xmlNewProp(n, atts[i], atts[i + 1] ? atts[i + 1] : BAD_CAST "");
	if (!xmlAddChild(c->node, n))
		xmlFreeNode(n);
}

/* SAX end of element: pairs with sax_start, which libxml2 calls at the same stack depth. */
static void sax_end(void *ctx, const xmlChar *name)
{
	htmlParserCtxtPtr c = ctx;
	struct walk *w = c->_private;

	if (c->nameNr <= TREE_KEEP)
		w->sax_end(ctx, name);
}

/* Script and style content; past TREE_KEEP it would land outside its element, so it goes. */
static void sax_cdata(void *ctx, const xmlChar *value, int len)
{
	htmlParserCtxtPtr c = ctx;
	struct walk *w = c->_private;

	if (c->nameNr <= TREE_KEEP && w->sax_cdata)
		w->sax_cdata(ctx, value, len);
}

/* Parses in with our SAX wrappers around libxml2's tree builder. NULL for an empty page. */
static xmlDoc *parse_tree(struct walk *w, const char *in, size_t n, const char *page_url)
{
	htmlParserCtxtPtr c;
	xmlDoc *xd;

	if (n == 0)
		return NULL;
	c = htmlNewParserCtxt();
	if (!c) {
		w->rc = PRC_NOMEM;
		return NULL;
	}
	w->sax_start_doc = c->sax->startDocument;
	w->sax_start = c->sax->startElement;
	w->sax_end = c->sax->endElement;
	w->sax_cdata = c->sax->cdataBlock;
	if (w->sax_start_doc && own_tree)
		c->sax->startDocument = sax_start_doc;
	c->sax->startElement = sax_start;
	c->sax->endElement = sax_end;
	c->sax->cdataBlock = sax_cdata;
	c->_private = w;
	xd = htmlCtxtReadMemory(c, in, (int)n, page_url, "UTF-8", PARSE_OPTS);
	htmlFreeParserCtxt(c);
	return xd;
}

/* Walks the tree in document order with no recursion. */
static void walk_tree(struct walk *w, xmlDoc *doc)
{
	xmlNode *n = doc->children;

	while (n && w->rc == PRC_OK) {
		if (enter(w, n) && n->children) {
			n = n->children;
			continue;
		}
		for (;;) {
			leave(w, n);
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (!n || n == (xmlNode *)doc) {
				n = NULL;
				break;
			}
		}
	}
}


/* ---- blocks (see BLOCKS at the top) ---- */

struct span {
	uint32_t start, end;
	uint32_t id; /* post or boilerplate number, for painting */
};

/* Two links with next to nothing else: a footer's or a breadcrumb's links. */
static int few_links(const struct elrec *r)
{
	uint32_t len = r->end - r->start, links = r->aend - r->astart, lb = r->lend - r->lstart;

	return r->tag != TAG_ROOT && r->parent && links >= 2 && len > 0 && len - lb < 8 * links;
}

/*
 * Text without a link that keeps its element out of a link-dense box's
 * boilerplate: about 40 Japanese characters, more than a list's heading or
 * a line under it, as much as a short post.
 */
#define PLAIN_KEEP 120

/* Whether record r is mostly links: a link list, a menu, a ranking. */
static int link_dense(const struct elrec *r)
{
	uint32_t len = r->end - r->start, links = r->aend - r->astart, lb = r->lend - r->lstart;

	if (links == 2)
		return few_links(r);
	if (r->tag == TAG_ROOT || !r->parent || links < 3 || len == 0)
		return 0;
	/* half links and little else, or a list of links each with a few words (a count, a date) */
	return ((uint64_t)lb * 2 >= len && len - lb < 300) ||
	       (len - lb < 30 * links && (uint64_t)lb * 4 >= len);
}

static int cmp_child(const void *pa, const void *pb, void *ud)
{
	const struct elrec *recs = ud;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	if (recs[a].sig != recs[b].sig)
		return recs[a].sig < recs[b].sig ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cmp_span(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;

	return a->start < b->start ? -1 : a->start > b->start;
}

/* The span of sorted, disjoint spans[0, n) holding off, or NULL. */
static const struct span *span_at(const struct span *spans, size_t n, uint32_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (off < spans[mid].start)
			hi = mid;
		else if (off >= spans[mid].end)
			lo = mid + 1;
		else
			return &spans[mid];
	}
	return NULL;
}

/* Moves v[root] down the max-heap v[0, n) to its place. */
static void sift_u32(uint32_t *v, size_t root, size_t n)
{
	uint32_t x = v[root];

	while (2 * root + 1 < n) {
		size_t child = 2 * root + 1;

		if (child + 1 < n && v[child] < v[child + 1])
			child++;
		if (x >= v[child])
			break;
		v[root] = v[child];
		root = child;
	}
	v[root] = x;
}

/* Sorts v[0, n) ascending: a heap sort, no allocation and no call per comparison. */
static void sort_u32(uint32_t *v, size_t n)
{
	size_t i;

	for (i = n / 2; i-- > 0;)
		sift_u32(v, i, n);
	for (i = n; i-- > 1;) {
		uint32_t t = v[0];

		v[0] = v[i];
		v[i] = t;
		sift_u32(v, 0, i);
	}
}


/*
 * Under a heading that follows some of the page's own text, a run of at
 * least P_RUN_MIN paragraphs of one signature that average under
 * P_RUN_BYTES bytes: a guestbook, comments or a board written as one short
 * <p> a line below the page's text, the way legacy pages write them. They
 * are posts, each read on its own; an article's paragraphs are longer or
 * fewer and stay one text. The run ends at the next heading or at anything
 * else that holds text. Marks the run's paragraphs in post; whether any.
 */
#define P_RUN_MIN 8
#define P_RUN_BYTES 80 /* about 26 Japanese characters */

static int p_run_posts(const struct elrec *recs, const uint8_t *boiler, const uint32_t *first,
		       const uint32_t *next, size_t parent, uint8_t *post)
{
	uint32_t k, q, end;
	int found = 0, text_before = 0;

	for (k = first[parent]; k != UINT32_MAX; k = next[k]) {
		uint64_t bytes = 0;
		size_t count = 0;
		uint64_t sig = 0;

		/*
		 * Only a heading below some of the page's own text opens a section
		 * of its own: the lines under the first heading are the page's text
		 * (an ad written one short line a paragraph).
		 */
		if (recs[k].tag != TAG_HEADING || !text_before) {
			if (recs[k].end > recs[k].start && !boiler[k])
				text_before = 1;
			continue;
		}
		for (q = next[k]; q != UINT32_MAX; q = next[q]) {
			if (recs[q].end <= recs[q].start || boiler[q])
				continue;
			if (recs[q].tag != TAG_P || (count && recs[q].sig != sig))
				break;
			sig = recs[q].sig;
			bytes += recs[q].end - recs[q].start;
			count++;
		}
		end = q;
		if (count < P_RUN_MIN || bytes >= (uint64_t)P_RUN_BYTES * count)
			continue;
		for (q = next[k]; q != end; q = next[q])
			if (recs[q].tag == TAG_P && recs[q].end > recs[q].start && !boiler[q])
				post[q] = 1;
		found = 1;
	}
	return found;
}

/*
 * Marks the posts among the children of every record: a group of at least
 * two children with one signature, of a kind that holds posts, none of
 * which holds such a group itself. Returns the spans of the posts (malloc'd,
 * sorted) in *out, their number in *n; PRC_NOMEM.
 */
static enum prc find_posts(const struct elrec *recs, size_t nrecs, const uint8_t *boiler,
			   struct span **out, size_t *n)
{
	uint32_t *first = NULL, *next = NULL, *kids = NULL;
	uint8_t *below = NULL, *post = NULL;
	struct span *spans = NULL;
	size_t i, nspans = 0, cap = 0;
	enum prc rc = PRC_NOMEM;

	*out = NULL;
	*n = 0;
	first = malloc((nrecs + 1) * sizeof(*first));
	next = malloc((nrecs + 1) * sizeof(*next));
	kids = malloc((nrecs + 1) * sizeof(*kids));
	below = calloc(nrecs + 1, 1);
	post = calloc(nrecs + 1, 1);
	if (!first || !next || !kids || !below || !post)
		goto out;
	for (i = 0; i < nrecs; i++)
		first[i] = next[i] = UINT32_MAX;
	/* children lists in document order: walk backwards and push to the front */
	for (i = nrecs; i-- > 0;) {
		if (!recs[i].parent)
			continue;
		next[i] = first[recs[i].parent - 1];
		first[recs[i].parent - 1] = (uint32_t)i;
	}
	/* bottom-up: a record comes after all of its descendants in reverse order */
	for (i = nrecs; i-- > 0;) {
		size_t nk = 0, a, b;
		uint32_t k;
		int found = 0;

		if (boiler[i])
			continue;
		for (k = first[i]; k != UINT32_MAX; k = next[k]) {
			if (below[k])
				below[i] = 1;
			if (!boiler[k] && recs[k].end > recs[k].start &&
			    ((recs[k].tag >= TAG_POSTABLE && recs[k].tag <= TAG_DD) ||
			     (recs[k].tag == TAG_SECTION && !recs[k].in_article) ||
			     (recs[k].tag == TAG_ARTICLE && !recs[k].in_article_el)))
				kids[nk++] = k;
		}
		if (below[i])
			continue;
		found = p_run_posts(recs, boiler, first, next, i, post);
		if (nk < 2 && !found)
			continue;
		qsort_r(kids, nk, sizeof(*kids), cmp_child, (void *)recs);
		for (a = 0; a < nk; a = b) {
			uint64_t bytes = 0;
			int tag = recs[kids[a]].tag;

			for (b = a; b < nk && recs[kids[b]].sig == recs[kids[a]].sig; b++)
				bytes += recs[kids[b]].end - recs[kids[b]].start;
			if (b - a < 2)
				continue;
			/* two of a kind must be most of the parent: not two boxes in an article */
			if (b - a == 2 && tag != TAG_DD &&
			    bytes * 5 < (uint64_t)(recs[i].end - recs[i].start) * 2)
				continue;
			/*
			 * List items and table rows are posts when they hold sentences,
			 * or when there are many (a thread index, a list of titles);
			 * a few short bullets are one text, read together.
			 */
			if ((tag == TAG_LI || tag == TAG_TR) && bytes / (b - a) < 60 && b - a < 8)
				continue;
			/* a dt is a post only when there are no dd (handled with its dd) */
			if (tag == TAG_DT) {
				int dd = 0;

				for (k = first[i]; k != UINT32_MAX && !dd; k = next[k])
					dd = recs[k].tag == TAG_DD;
				if (dd)
					continue;
			}
			for (size_t j = a; j < b; j++) {
				k = kids[j];
				/* a row led by a header cell is a label and its value, not a post */
				if (tag == TAG_TR && first[k] != UINT32_MAX && recs[first[k]].tag == TAG_TH)
					continue;
				post[k] = 1;
				found = 1;
			}
		}
		if (!found)
			continue;
		below[i] = 1;
		/*
		 * The posts of this parent, in document order; a dd takes the dt
		 * before it. Whatever else stands among the posts (a heading, an
		 * older entry, a note) is a block of its own, not the page's text.
		 */
		for (k = first[i]; k != UINT32_MAX; k = next[k]) {
			uint32_t start;

			if (boiler[k] || recs[k].end <= recs[k].start)
				continue;
			if (!post[k] && recs[k].tag == TAG_DT && next[k] != UINT32_MAX &&
			    post[next[k]] && recs[next[k]].tag == TAG_DD)
				continue;
			start = recs[k].start;
			if (recs[k].tag == TAG_DD) {
				uint32_t p, prev = UINT32_MAX;

				for (p = first[i]; p != k; p = next[p])
					prev = p;
				if (prev != UINT32_MAX && recs[prev].tag == TAG_DT)
					start = recs[prev].start;
			}
			if (nspans == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				struct span *ns = realloc(spans, ncap * sizeof(*ns));

				if (!ns)
					goto out;
				spans = ns;
				cap = ncap;
			}
			spans[nspans].start = start;
			spans[nspans].end = recs[k].end;
			spans[nspans].id = 0;
			nspans++;
		}
	}
	if (nspans > 1)
		qsort(spans, nspans, sizeof(*spans), cmp_span);
	*out = spans;
	*n = nspans;
	spans = NULL;
	rc = PRC_OK;
out:
	free(first);
	free(next);
	free(kids);
	free(below);
	free(post);
	free(spans);
	return rc;
}

/* Whether s[a, b) holds only white space and the marks that separate links (| ｜ / ・ …). */
static int only_separators(const char *s, size_t a, size_t b)
{
	static const char *const marks[] = { "\xef\xbd\x9c", "\xe3\x83\xbb", "\xe2\x80\xa6",
					     "\xef\xbc\x8f", "\xe3\x80\x80", "\xe2\x94\x82" };
	size_t i, k;

	if (b - a > 16)
		return 0;
	for (i = a; i < b;) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\n' || c == '|' || c == '/' || c == '-' || c == '[' ||
		    c == ']' || c == '>') {
			i++;
			continue;
		}
		for (k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
			if (i + strlen(marks[k]) <= b && !memcmp(s + i, marks[k], strlen(marks[k])))
				break;
		if (k == sizeof(marks) / sizeof(marks[0]))
			return 0;
		i += strlen(marks[k]);
	}
	return 1;
}

/*
 * Rows of links outside any list element (a legacy page's "A | B | C"
 * line): three or more links in a row with nothing but separators between
 * them are boilerplate. Appends their spans to boil[n..] (the outermost
 * boilerplate elements, which they must not overlap) and returns the count.
 */
static size_t link_rows(const struct walk *w, size_t len, struct span *boil, size_t n)
{
	size_t i = 0, nold = n;

	while (i < w->nlinks) {
		size_t j, k, last = i, count = 1;
		uint32_t a, b;
		int inside = 0;

		if (w->links[i].kind != HTML_LINK_A || w->links[i].text_end <= w->links[i].text_start) {
			i++;
			continue;
		}
		for (j = i + 1; j < w->nlinks; j++) {
			const struct rawlink *l = &w->links[j];

			if (l->kind != HTML_LINK_A)
				continue;
			if (l->text_end <= l->text_start ||
			    !only_separators(w->text.ptr, w->links[last].text_end, l->text_start))
				break;
			last = j;
			count++;
		}
		a = (uint32_t)w->links[i].text_start;
		b = (uint32_t)w->links[last].text_end;
		i = last + 1;
		if (count < 3 || b > len || a >= b)
			continue;
		for (k = 0; k < nold; k++)
			if (a < boil[k].end && boil[k].start < b)
				inside = 1;
		if (inside)
			continue;
		boil[n].start = a;
		boil[n].end = b;
		boil[n].id = 0;
		n++;
	}
	return n;
}

/*
 * Cuts the text [0, len) into blocks from the records of the walk: title,
 * boilerplate, posts and main (see BLOCKS at the top). The result lives in
 * arena a. PRC_NOMEM.
 */
static enum prc find_blocks(struct walk *w, size_t len, struct html_doc *doc)
{
	const struct elrec *recs = w->recs;
	size_t nrecs = w->recs_full ? 0 : w->nrecs, i, nposts = 0, nboil = 0, ncut = 0, nseg = 0;
	uint8_t *boiler = NULL;
	struct span *posts = NULL, *boil = NULL;
	uint32_t *cuts = NULL, main_id = 0, next_id = 1, *ids = NULL, *plain = NULL;
	int posts_since = 0;
	size_t site = 0;
	struct textblock *seg = NULL;
	enum prc rc = PRC_NOMEM;

	doc->blocks = NULL;
	doc->nblocks = 0;
	if (len == 0)
		return PRC_OK;
	if (len > UINT32_MAX)
		nrecs = 0;
	boiler = calloc(nrecs + 1, 1);
	boil = malloc((nrecs + w->nlinks / 3 + 1) * sizeof(*boil));
	plain = calloc(nrecs + 1, sizeof(*plain));
	if (!boiler || !boil || !plain)
		goto out;
	/*
	 * plain[i]: the most text one element inside record i holds without a
	 * link in it. Records come parent first, so children are seen before
	 * their parents going backwards.
	 */
	for (i = nrecs; i-- > 0;) {
		const struct elrec *r = &recs[i];
		uint32_t mine = r->aend == r->astart ? r->end - r->start : plain[i];

		if (r->parent && mine > plain[r->parent - 1])
			plain[r->parent - 1] = mine;
	}
	/* boilerplate, top-down: the outermost element of each is kept as a span */
	for (i = 0; i < nrecs; i++) {
		const struct elrec *r = &recs[i];

		if (r->parent && boiler[r->parent - 1]) {
			boiler[i] = 2; /* inside boilerplate */
			continue;
		}
		/*
		 * a form asking for two or more fields (a login, a card) is the
		 * page itself; a box mostly of links that holds a post of its own
		 * (an answer beside the "related questions" list, in one wrapper)
		 * is not boilerplate as a whole: its link lists are, one by one
		 */
		if ((r->tag == TAG_BOILER && !(r->iend - r->istart >= 2)) || r->landmark ||
		    (r->tag == TAG_EDGE && !r->in_article) ||
		    (link_dense(r) && plain[i] < PLAIN_KEEP)) {
			boiler[i] = 1;
			if (r->end > r->start) {
				boil[nboil].start = r->start;
				boil[nboil].end = r->end;
				boil[nboil].id = 0;
				nboil++;
			}
		}
	}
	if (!w->recs_full)
		nboil = link_rows(w, len, boil, nboil);
	if (find_posts(recs, nrecs, boiler, &posts, &nposts) != PRC_OK)
		goto out;
	if (nposts + nboil > BLOCK_SEGS_MAX)
		nposts = nboil = 0; /* too many to be a page anyone reads block by block */
	/* every place a block may begin or end */
	cuts = malloc((2 * (nposts + nboil) + 5) * sizeof(*cuts));
	if (!cuts)
		goto out;
	cuts[ncut++] = 0;
	cuts[ncut++] = (uint32_t)len;
	if (w->have_title_line && w->title_end <= len) {
		cuts[ncut++] = (uint32_t)w->title_start;
		cuts[ncut++] = (uint32_t)w->title_end;
		/* "the page - the site": the site's name is boilerplate */
		site = w->title_start + textblock_title_site(w->text.ptr + w->title_start,
							      w->title_end - w->title_start);
		cuts[ncut++] = (uint32_t)site;
	}
	for (i = 0; i < nposts; i++) {
		cuts[ncut++] = posts[i].start < len ? posts[i].start : (uint32_t)len;
		cuts[ncut++] = posts[i].end < len ? posts[i].end : (uint32_t)len;
		posts[i].id = (uint32_t)i + 1;
	}
	for (i = 0; i < nboil; i++) {
		cuts[ncut++] = boil[i].start < len ? boil[i].start : (uint32_t)len;
		cuts[ncut++] = boil[i].end < len ? boil[i].end : (uint32_t)len;
		boil[i].id = (uint32_t)i + 1;
	}
	sort_u32(cuts, ncut);
	if (nboil > 1)
		qsort(boil, nboil, sizeof(*boil), cmp_span);
	seg = arena_calloc(w->a, ncut, sizeof(*seg));
	/* block ids: main is one id; each post, boilerplate span and the title its own */
	ids = calloc(nposts + nboil + 1, sizeof(*ids));
	if (!seg || !ids)
		goto out;
	for (i = 0; i + 1 < ncut; i++) {
		uint32_t a = cuts[i], b = cuts[i + 1], id;
		const struct span *sp;
		int kind;

		if (a == b)
			continue;
		if (w->have_title_line && a >= w->title_start && a < site) {
			kind = TEXTBLOCK_TITLE;
			id = UINT32_MAX;
		} else if (w->have_title_line && a >= site && a < w->title_end) {
			kind = TEXTBLOCK_BOILER;
			id = UINT32_MAX;
		} else if ((sp = span_at(boil, nboil, a)) != NULL) {
			kind = TEXTBLOCK_BOILER;
			id = (uint32_t)nposts + sp->id;
		} else if ((sp = span_at(posts, nposts, a)) != NULL) {
			kind = TEXTBLOCK_POST;
			id = sp->id;
		} else {
			kind = TEXTBLOCK_MAIN;
			id = 0;
		}
		if (nseg && seg[nseg - 1].kind == kind && seg[nseg - 1].end == a &&
		    (kind == TEXTBLOCK_MAIN || kind == TEXTBLOCK_TITLE ||
		     (id != UINT32_MAX && ids[id] == seg[nseg - 1].id))) {
			seg[nseg - 1].end = b;
			continue;
		}
		seg[nseg].start = a;
		seg[nseg].end = b;
		seg[nseg].kind = (uint8_t)kind;
		if (kind == TEXTBLOCK_MAIN) {
			/* main text past a run of posts is another text (the notes under a form) */
			if (!main_id || posts_since)
				main_id = next_id++;
			posts_since = 0;
			seg[nseg].id = main_id;
		} else if (id == UINT32_MAX) {
			seg[nseg].id = next_id++; /* the title, or the site's name after it */
		} else {
			if (!ids[id])
				ids[id] = next_id++;
			seg[nseg].id = ids[id];
			if (kind == TEXTBLOCK_POST)
				posts_since = 1;
		}
		nseg++;
	}
	doc->blocks = seg;
	doc->nblocks = nseg;
	rc = PRC_OK;
out:
	free(boiler);
	free(plain);
	free(boil);
	free(posts);
	free(cuts);
	free(ids);
	return rc;
}

/* Whether ref names a scheme other than http(s): such links are dropped without counting. */
static int other_scheme(const char *ref)
{
	const unsigned char *p = (const unsigned char *)ref;
	char scheme[6];
	size_t n = 0;

	while (*p && *p <= 0x20)
		p++;
	if (!((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
		return 0;
	for (; *p && *p != ':'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			continue; /* browsers drop these anywhere in a URL */
		if (!(((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '+' || *p == '-' || *p == '.'))
			return 0;
		if (n < sizeof(scheme))
			scheme[n] = (char)(*p | 0x20);
		n++;
	}
	if (*p != ':')
		return 0;
	return !((n == 4 && !memcmp(scheme, "http", 4)) || (n == 5 && !memcmp(scheme, "https", 5)));
}

/* Whether ref points at the page itself ("", "#top"): not a link to follow. */
static int self_ref(const char *ref)
{
	ref += strspn(ref, " \t\n\r\f\v");
	return *ref == '\0' || *ref == '#';
}

/* Resolves, dedupes and caps the raw links into doc. */
static enum prc resolve_links(struct walk *w, const char *base, const struct url_opts *opts,
			      size_t max_links, struct html_doc *doc, struct err *e)
{
	struct hset *seen = hset_new();
	enum prc rc = PRC_OK;
	size_t i;

	if (!seen)
		return err_set(e, PRC_NOMEM, "out of memory collecting links");
	doc->links = arena_calloc(w->a, w->nlinks ? (w->nlinks < max_links ? w->nlinks : max_links) : 1,
				  sizeof(*doc->links));
	if (!doc->links) {
		rc = err_set(e, PRC_NOMEM, "out of memory collecting links");
		goto out;
	}
	for (i = 0; i < w->nlinks; i++) {
		const struct rawlink *l = &w->links[i];
		struct html_link *hl;
		struct err ue;
		char *url = NULL;
		enum prc r;
		int added;

		if (self_ref(l->href) || other_scheme(l->href))
			continue;
		/* past the cap, links are only counted, not resolved */
		if (doc->nlinks == max_links && l->kind != HTML_LINK_CANONICAL) {
			doc->links_dropped++;
			continue;
		}
		r = url_resolve(base, l->href, opts, &url, &ue);
		if (r == PRC_NOMEM) {
			rc = err_set(e, PRC_NOMEM, "out of memory resolving links");
			goto out;
		}
		if (r != PRC_OK) {
			doc->links_dropped++;
			continue;
		}
		if (l->kind == HTML_LINK_CANONICAL && !doc->canonical) {
			doc->canonical = arena_strdup(w->a, url);
			if (!doc->canonical) {
				free(url);
				rc = err_set(e, PRC_NOMEM, "out of memory collecting links");
				goto out;
			}
		}
		added = hset_add(seen, hash64(url, strlen(url)));
		if (added < 0) {
			free(url);
			rc = err_set(e, PRC_NOMEM, "out of memory collecting links");
			goto out;
		}
		if (!added) {
			free(url);
			continue;
		}
		if (doc->nlinks == max_links) {
			doc->links_dropped++;
			free(url);
			continue;
		}
		hl = &doc->links[doc->nlinks];
		hl->url = arena_strdup(w->a, url);
		free(url);
		hl->text = "";
		if (l->kind == HTML_LINK_A && l->text_end > l->text_start)
			hl->text = collapse(w->a, w->text.ptr + l->text_start,
					    l->text_end - l->text_start, HTML_ANCHOR_TEXT_MAX);
		if (!hl->url || !hl->text) {
			rc = err_set(e, PRC_NOMEM, "out of memory collecting links");
			goto out;
		}
		hl->kind = l->kind;
		hl->nofollow = l->nofollow;
		doc->nlinks++;
	}
out:
	hset_free(seen);
	return rc;
}

/* html_parse and html_parse_decoded; clean: the input is known to be valid UTF-8 without NULs. */
static enum prc parse(struct arena *a, const char *utf8, size_t len, int clean,
		      const char *page_url, const struct url_opts *opts, size_t max_links,
		      struct html_doc *doc, struct err *e)
{
	struct walk w;
	xmlDoc *xd = NULL;
	const char *in = utf8, *base = page_url;
	char *base_res = NULL;
	size_t n = len;
	enum prc rc = PRC_OK;

	memset(doc, 0, sizeof(*doc));
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.rc = PRC_OK;
	if (n > INT_MAX)
		n = INT_MAX; /* libxml2 takes an int; no page we keep is that big */
	pthread_once(&el_once, el_fill);
	if (!clean && !utf8_clean(in, n)) {
		in = utf8_sanitize(a, in, n, &n);
		if (!in || n > INT_MAX) {
			rc = err_set(e, PRC_NOMEM, "out of memory repairing a page of '%s'", page_url);
			goto out;
		}
	}
	/* visible text is never longer than the markup it came from, plus the title once */
	buf_init(&w.text, 2 * n + 1024);
	xd = parse_tree(&w, in, n, page_url);
	if (xd)
		walk_tree(&w, xd);
	if (w.rc != PRC_OK) {
		rc = err_set(e, w.rc, "out of memory reading the page '%s'", page_url);
		goto out;
	}

	if (w.base_href && url_resolve(page_url, w.base_href, opts, &base_res, NULL) == PRC_OK)
		base = base_res;
	doc->base = arena_strdup(a, base);
	doc->title = w.title ? w.title : "";
	if (utf8_clean(buf_str(&w.text), w.text.len) || utf8_valid(buf_str(&w.text), w.text.len))
		doc->text = arena_strndup(a, buf_str(&w.text), w.text.len);
	else
		doc->text = utf8_sanitize(a, buf_str(&w.text), w.text.len, NULL);
	if (!doc->base || !doc->text) {
		rc = err_set(e, PRC_NOMEM, "out of memory reading the page '%s'", page_url);
		goto out;
	}
	doc->text_len = strlen(doc->text);
	if (doc->text_len != w.text.len) {
		/* repaired text has other offsets: read it as one block */
		w.recs_full = 1;
		w.have_title_line = 0;
	}
	if (find_blocks(&w, doc->text_len, doc) != PRC_OK) {
		rc = err_set(e, PRC_NOMEM, "out of memory reading the page '%s'", page_url);
		goto out;
	}
	rc = resolve_links(&w, base, opts, max_links, doc, e);
	if (rc != PRC_OK)
		goto out;
	doc->truncated = w.stopped;
	doc->meta_noindex = w.noindex;
	doc->meta_nofollow = w.nofollow;
out:
	if (rc != PRC_OK)
		memset(doc, 0, sizeof(*doc));
	if (xd)
		xmlFreeDoc(xd);
	free(base_res);
	free(w.links);
	free(w.recs);
	free(w.open);
	buf_release(&w.text);
	return rc;
}

enum prc html_parse(struct arena *a, const char *utf8, size_t len, const char *page_url,
		    const struct url_opts *opts, size_t max_links, struct html_doc *doc,
		    struct err *e)
{
	return parse(a, utf8, len, 0, page_url, opts, max_links, doc, e);
}

enum prc html_parse_decoded(struct arena *a, const char *utf8, size_t len, const char *page_url,
			    const struct url_opts *opts, size_t max_links, struct html_doc *doc,
			    struct err *e)
{
	return parse(a, utf8, len, 1, page_url, opts, max_links, doc, e);
}
