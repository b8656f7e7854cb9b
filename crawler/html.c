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
 * Input that is not valid UTF-8, or holds NUL bytes, is repaired first:
 * libxml2 would otherwise switch to Latin-1 or stop at the NUL.
 */
#include "crawler/html.h"

#include <libxml/HTMLparser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawler/charset.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/hset.h"

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

struct el {
	const char *name;
	int flags;
};

/* Sorted by name for bsearch. */
static const struct el elements[] = {
	{ "address", EL_BLOCK },
	{ "article", EL_BLOCK },
	{ "aside", EL_BLOCK },
	{ "blockquote", EL_BLOCK },
	{ "body", EL_BLOCK },
	{ "br", EL_BLOCK },
	{ "caption", EL_BLOCK },
	{ "center", EL_BLOCK },
	{ "dd", EL_BLOCK },
	{ "details", EL_BLOCK },
	{ "dialog", EL_BLOCK },
	{ "dir", EL_BLOCK },
	{ "div", EL_BLOCK },
	{ "dl", EL_BLOCK },
	{ "dt", EL_BLOCK },
	{ "fieldset", EL_BLOCK },
	{ "figcaption", EL_BLOCK },
	{ "figure", EL_BLOCK },
	{ "footer", EL_BLOCK },
	{ "form", EL_BLOCK },
	{ "frameset", EL_BLOCK },
	{ "h1", EL_BLOCK },
	{ "h2", EL_BLOCK },
	{ "h3", EL_BLOCK },
	{ "h4", EL_BLOCK },
	{ "h5", EL_BLOCK },
	{ "h6", EL_BLOCK },
	{ "head", EL_BLOCK | EL_HIDE },
	{ "header", EL_BLOCK },
	{ "hgroup", EL_BLOCK },
	{ "hr", EL_BLOCK },
	{ "html", EL_BLOCK },
	{ "iframe", EL_BLOCK },
	{ "legend", EL_BLOCK },
	{ "li", EL_BLOCK },
	{ "listing", EL_BLOCK | EL_PRE },
	{ "main", EL_BLOCK },
	{ "menu", EL_BLOCK },
	{ "nav", EL_BLOCK },
	{ "noframes", EL_BLOCK },
	{ "noscript", EL_HIDE },
	{ "ol", EL_BLOCK },
	{ "optgroup", EL_BLOCK },
	{ "option", EL_BLOCK },
	{ "p", EL_BLOCK },
	{ "plaintext", EL_BLOCK | EL_PRE },
	{ "pre", EL_BLOCK | EL_PRE },
	/* ruby: 大<rt>たい</rt>麻<rt>ま</rt> must still read 大麻 */
	{ "rp", EL_HIDE },
	{ "rt", EL_HIDE },
	{ "script", EL_HIDE | EL_NODESCEND },
	{ "section", EL_BLOCK },
	{ "select", EL_BLOCK },
	{ "style", EL_HIDE | EL_NODESCEND },
	{ "summary", EL_BLOCK },
	{ "table", EL_BLOCK },
	{ "tbody", EL_BLOCK },
	{ "td", EL_CELL },
	{ "template", EL_HIDE | EL_NODESCEND },
	{ "textarea", EL_BLOCK },
	{ "tfoot", EL_BLOCK },
	{ "th", EL_CELL },
	{ "thead", EL_BLOCK },
	{ "title", EL_BLOCK | EL_TITLE | EL_NODESCEND },
	{ "tr", EL_BLOCK },
	{ "ul", EL_BLOCK },
	{ "xmp", EL_BLOCK | EL_PRE },
};

/* A link as the page wrote it; pointers into the xmlDoc. */
struct rawlink {
	const char *href;
	enum html_link_kind kind;
	int nofollow;
	size_t text_start, text_end; /* anchor text: a slice of the visible text */
};

enum { PEND_NONE = 0, PEND_SPACE, PEND_NEWLINE };

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
	enum prc rc;
	startElementSAXFunc sax_start;
	endElementSAXFunc sax_end;
	cdataBlockSAXFunc sax_cdata;
};

static int el_cmp(const void *key, const void *el)
{
	return strcmp(key, ((const struct el *)el)->name);
}

static int el_flags(const xmlNode *n)
{
	const struct el *e;

	if (!n->name)
		return 0;
	e = bsearch(n->name, elements, sizeof(elements) / sizeof(elements[0]), sizeof(elements[0]),
		    el_cmp);
	return e ? e->flags : 0;
}

static int is_name(const xmlNode *n, const char *name)
{
	return n->name && !strcmp((const char *)n->name, name);
}

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
}

/*
 * Adds visible text: runs of white space (ASCII, control characters and
 * NBSP) become one pending space, or a line break inside <pre>; separators
 * are only written when more text follows, so the result is trimmed.
 */
static void add_text(struct walk *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
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
	return charset_utf8_valid(d, o) ? d : charset_utf8_sanitize(a, d, o, NULL);
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
	if (n)
		n->_private = (void *)(uintptr_t)w->nlinks; /* index + 1, read when leaving <a> */
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

/* Records what element n contributes on the way in. Returns whether to walk its children. */
static int enter(struct walk *w, xmlNode *n)
{
	const char *v;
	int f;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (!w->hidden && n->content)
			add_text(w, (const char *)n->content);
		return 0;
	}
	if (n->type != XML_ELEMENT_NODE)
		return 0;
	f = el_flags(n);
	if (f & EL_BLOCK)
		pend(w, PEND_NEWLINE);
	else if (f & EL_CELL)
		pend(w, PEND_SPACE);
	if (f & EL_HIDE)
		w->hidden++;
	if (f & EL_PRE)
		w->pre++;
	if (f & EL_TITLE) {
		if (!w->title) {
			xmlChar *t = xmlNodeGetContent(n);
			const char *s = t ? (const char *)t : "";

			w->title = collapse(w->a, s, strlen(s), SIZE_MAX);
			if (!w->title)
				w->rc = PRC_NOMEM;
			/* the title is read too, as its own line */
			add_text(w, w->title ? w->title : "");
			xmlFree(t);
		}
		return 0;
	}
	if (f & EL_NODESCEND)
		return 0;

	if (is_name(n, "a") || is_name(n, "area")) {
		v = attr(w, n, "href");
		if (v)
			add_link(w, v, is_name(n, "a") ? HTML_LINK_A : HTML_LINK_AREA,
				 has_token(attr(w, n, "rel"), "nofollow", " \t\n\r\f"),
				 is_name(n, "a") ? n : NULL);
	} else if (is_name(n, "img")) {
		add_link(w, attr(w, n, "src"), HTML_LINK_IMG, 0, NULL);
	} else if (is_name(n, "frame") || is_name(n, "iframe")) {
		add_link(w, attr(w, n, "src"), is_name(n, "frame") ? HTML_LINK_FRAME : HTML_LINK_IFRAME,
			 0, NULL);
	} else if (is_name(n, "link")) {
		if (has_token(attr(w, n, "rel"), "canonical", " \t\n\r\f") &&
		    (v = attr(w, n, "href")) != NULL && !w->canonical_href) {
			w->canonical_href = v;
			add_link(w, v, HTML_LINK_CANONICAL, 0, NULL);
		}
	} else if (is_name(n, "base")) {
		if (!w->base_href)
			w->base_href = attr(w, n, "href");
	} else if (is_name(n, "meta")) {
		on_meta(w, n);
	}
	return 1;
}

/* The way out of element n: close blocks, end anchor text. */
static void leave(struct walk *w, xmlNode *n)
{
	int f;

	if (n->type != XML_ELEMENT_NODE)
		return;
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
	w->sax_start = c->sax->startElement;
	w->sax_end = c->sax->endElement;
	w->sax_cdata = c->sax->cdataBlock;
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

enum prc html_parse(struct arena *a, const char *utf8, size_t len, const char *page_url,
		    const struct url_opts *opts, size_t max_links, struct html_doc *doc,
		    struct err *e)
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
	if (memchr(in, '\0', n) || !charset_utf8_valid(in, n)) {
		in = charset_utf8_sanitize(a, in, n, &n);
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
	if (charset_utf8_valid(buf_str(&w.text), w.text.len))
		doc->text = arena_strndup(a, buf_str(&w.text), w.text.len);
	else
		doc->text = charset_utf8_sanitize(a, buf_str(&w.text), w.text.len, NULL);
	if (!doc->base || !doc->text) {
		rc = err_set(e, PRC_NOMEM, "out of memory reading the page '%s'", page_url);
		goto out;
	}
	doc->text_len = strlen(doc->text);
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
	buf_release(&w.text);
	return rc;
}
