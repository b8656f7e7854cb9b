/* html.h - what patrol reads from an HTML page: title, visible text, links, robots hints. */
#ifndef PATROL_HTML_H
#define PATROL_HTML_H

#include <stddef.h>

#include "crawler/url.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/textblock.h"

enum html_link_kind {
	HTML_LINK_A = 0,
	HTML_LINK_AREA,
	HTML_LINK_FRAME,
	HTML_LINK_IFRAME,
	HTML_LINK_META_REFRESH,
	HTML_LINK_CANONICAL,
	HTML_LINK_IMG          /* <img src>: not a page, for image-hash matching */
};

/* Anchor text is cut (on a character boundary) at this many bytes. */
#define HTML_ANCHOR_TEXT_MAX 1024

struct html_link {
	const char *url;  /* absolute and canonical (url_resolve) */
	const char *text; /* anchor text, whitespace collapsed ("" for non-anchors) */
	enum html_link_kind kind;
	int nofollow;     /* rel="nofollow" on the link */
};

struct html_doc {
	const char *title;     /* "" when none */
	const char *text;      /* visible text: inline elements joined ("<b>大</b>麻" reads 大麻),
				  block boundaries and <br> as '\n', runs of spaces collapsed,
				  script/style/noscript/template and comments left out */
	size_t text_len;
	const char *base;      /* the URL links were resolved against (<base href> or the page) */
	const char *canonical; /* <link rel=canonical>, resolved, or NULL */
	struct html_link *links;
	size_t nlinks;
	size_t links_dropped;  /* links past max_links, and links that could not be resolved */
	int meta_noindex;      /* <meta name="robots"> (or "patrol") says noindex / none */
	int meta_nofollow;     /* ... nofollow / none */
	int truncated;         /* the parse stopped early (over 1024 unclosed elements):
				  text and links end there */
	const struct textblock *blocks; /* the text cut into title, main, posts and
					   boilerplate (util/textblock.h); NULL when the
					   text is empty */
	size_t nblocks;
};

/*
 * Parses utf8 (len bytes of UTF-8, as charset_decode leaves it) with
 * libxml2's HTML parser, tolerant of any malformed input, with no network
 * access and no entity expansion beyond HTML's own. Links come from a, area,
 * frame, iframe, meta refresh and link rel=canonical, never from scripts;
 * img src comes as links of kind HTML_LINK_IMG;
 * each is resolved against <base href> (if valid) or page_url, canonicalized
 * with opts, and duplicates are dropped. At most max_links are kept.
 * Links to other schemes (javascript:, mailto:, data:, ...) and to the page
 * itself ("", "#top") are left out without being counted; links past the
 * cap are counted in links_dropped without being resolved or deduplicated.
 * The title is also the first line of text. The blocks are found by the
 * page's structure: repeated siblings are posts, navigation, link-dense
 * lists, headers, footers and forms are boilerplate, the <title> line is the
 * title, the rest is one main block. Input that is not valid UTF-8
 * is repaired (U+FFFD), NUL bytes read as spaces.
 *
 * Everything in *doc lives in arena a (the xmlDoc is freed before return).
 * PRC_NOMEM without memory; malformed HTML is not an error. Thread-safe
 * once xmlInitParser() has run.
 */
enum prc html_parse(struct arena *a, const char *utf8, size_t len, const char *page_url,
		    const struct url_opts *opts, size_t max_links, struct html_doc *doc,
		    struct err *e);

/*
 * html_parse for input known to be valid UTF-8 without NUL bytes, as
 * charset_decode leaves it (or any prefix of that cut between characters):
 * the check html_parse makes first is skipped. Other input is the caller's bug.
 */
enum prc html_parse_decoded(struct arena *a, const char *utf8, size_t len, const char *page_url,
			    const struct url_opts *opts, size_t max_links, struct html_doc *doc,
			    struct err *e);

#endif
