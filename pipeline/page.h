/* page.h - the one page path: a response read into the classifier's input, verdicts into hits. */
#ifndef PATROL_PAGE_H
#define PATROL_PAGE_H

#include <stddef.h>

#include "classifiers/classify.h"
#include "crawler/html.h"
#include "crawler/url.h"
#include "util/arena.h"
#include "util/err.h"

struct store_hit;

/* The defaults, the same for the crawl, the recheck, `scan` and `rules test`. */
#define PAGE_MAX_BODY_DEFAULT ((size_t)10 << 20) /* 10 MiB */
#define PAGE_MAX_TEXT_DEFAULT ((size_t)1 << 20)  /* 1 MiB */
#define PAGE_MAX_LINKS_DEFAULT ((size_t)1000)

/*
 * How much of a page is read. One struct for every reader, so a page reads
 * the same whoever reads it. 0 in a size means no limit.
 */
struct page_limits {
	size_t max_body;    /* bytes of a body read (the fetch cap; `scan` reads files up to it) */
	size_t max_decoded; /* bytes of UTF-8 a body may decode to (CP932 grows by half) */
	size_t max_parse;   /* bytes of decoded HTML given to the parser: the tree costs many
			       times the markup */
	size_t max_text;    /* bytes of a page's text that are classified: normalization keeps
			       maps of about 18 bytes per byte, and no post needs megabytes to
			       show what it is */
	size_t max_links;   /* links kept per page */
	int image_links;    /* 1: <img> links are in the classifier's links too (by default they
			       are only fetched, for the image hash list) */
};

/*
 * Fills l from the three sizes a user sets (0: the default): max_decoded is
 * twice max_body, max_parse twice max_text, and image links are not given
 * to the classifiers.
 */
void page_limits_init(struct page_limits *l, size_t max_body, size_t max_text, size_t max_links);

/* What is read: a page (HTML), plain text, or something else (an image, a PDF). */
enum page_kind { PAGE_HTML = 0, PAGE_TEXT, PAGE_OTHER };

/*
 * The kind of a body by its Content-Type value: text/html and
 * application/xhtml+xml (and no type at all) are HTML, text/plain is text.
 */
enum page_kind page_kind_of(const char *content_type);

/* Whether the Content-Type value ct is of type ("text/html"), parameters aside. */
int page_content_is(const char *ct, const char *type);

/* A response to read. */
struct page_src {
	const char *url;               /* the page's URL: the classifiers' url and final_url */
	const char *base;              /* links resolve against this; NULL: url */
	const struct url_opts *uopts;  /* how links are canonicalized; NULL: the defaults */
	const char *content_type;      /* the header's value as stored (valid UTF-8), or NULL */
	int http_status;
	const char *body;
	size_t len;
};

/* A page as read. Everything lives in the arena given to page_read. */
struct page_view {
	enum page_kind kind;
	const char *charset;     /* as charset_decode named it */
	int decode_truncated;    /* the decoded text reached max_decoded */
	char *decoded;           /* the body in UTF-8 */
	size_t decoded_len;
	struct html_doc doc;     /* PAGE_HTML: title, text, every link (images too), blocks, robots hints */
	const char *text;        /* the page's whole text (before the max_text cut) */
	size_t text_len;
	struct page_input in;    /* what the classifiers get: text cut at max_text (on a character) */
};

/*
 * Decodes s->body to UTF-8 (charset.h) within l->max_decoded into v.
 * PRC_DECLINED when s is not a page or text (v->kind PAGE_OTHER: nothing
 * decoded), PRC_NOMEM with e set. Thread-safe.
 */
enum prc page_decode(const struct page_limits *l, const struct page_src *s, struct arena *a,
		     struct page_view *v, struct err *e);

/*
 * After page_decode: parses HTML (at most l->max_parse bytes of it, cut on a
 * character) for its title, text, links and blocks, and fills v->in, the
 * classifier's input. PRC_NOMEM with e set. Thread-safe.
 */
enum prc page_parse(const struct page_limits *l, const struct page_src *s, struct arena *a,
		    struct page_view *v, struct err *e);

/* page_decode then page_parse. */
enum prc page_read(const struct page_limits *l, const struct page_src *s, struct arena *a,
		   struct page_view *v, struct err *e);

/*
 * Reads a local HTML or text file into p for classification the way the
 * crawl reads a response (page_read), within limits l (NULL: the
 * defaults, the crawl's): at most l->max_body bytes of the file, decoded to
 * UTF-8, HTML (by its name or its first bytes) parsed for its title, text,
 * links and blocks, the text cut where the crawl cuts it. url is what
 * p->url says (may be ""); links resolve against http://localhost/<path>,
 * path being the one a file:// url names (the caller resolved it) or else
 * the file's real path.
 * Everything lives in a. PRC_IO with e set when the file cannot be read.
 */
enum prc page_read_file(struct arena *a, const struct page_limits *l, const char *path,
			const char *url, struct page_input *p, struct err *e);

/*
 * The hits of nv verdicts (v[i] → (*out)[i], classifier "lua", evidence
 * offsets -1 when the evidence is not from the text), in arena a. PRC_OK
 * (*out NULL when nv is 0) or PRC_NOMEM.
 */
enum prc page_hits(struct arena *a, const struct verdict *v, size_t nv, struct store_hit **out);

#endif
