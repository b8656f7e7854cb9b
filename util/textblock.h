/* textblock.h - a page's text cut into blocks: the title, main text, each post, boilerplate. */
#ifndef PATROL_TEXTBLOCK_H
#define PATROL_TEXTBLOCK_H

#include <stddef.h>
#include <stdint.h>

enum textblock_kind {
	TEXTBLOCK_MAIN = 0, /* the page's own text: an article, a question, a page with no structure */
	TEXTBLOCK_TITLE,    /* the <title> line */
	TEXTBLOCK_POST,     /* one post of a thread, one answer, one comment, one review */
	TEXTBLOCK_BOILER,   /* navigation, header, footer, link lists, forms */
	TEXTBLOCK_NKINDS
};

/*
 * One segment of a page's text: bytes [start, end) belong to block id, of
 * the given kind. A page's segments are sorted, do not overlap and cover the
 * text from 0 to its length. A block may have several segments (the main
 * text around an inserted link list); every segment of one id has one kind.
 * Ids start at 1 and are dense.
 */
struct textblock {
	uint32_t start, end;
	uint32_t id;
	uint8_t kind;
};

/* "main", "title", "post", "boilerplate"; "?" for anything else. */
const char *textblock_kind_name(int kind);

/*
 * The index of the segment of blocks[0, n) holding byte off, or n when none
 * does (off past the last segment, or n == 0). Binary search; thread-safe.
 */
size_t textblock_find(const struct textblock *blocks, size_t n, size_t off);

/*
 * Where the site's name begins in a page title written "the page - the
 * site" (separators " - ", " | ", "｜", " – ", " — ", " :: "): the offset of
 * the last such separator when what follows it is short (at most 90 bytes)
 * and something precedes it; len when the title has no such suffix. The
 * site's name is boilerplate: 「…について - まちの掲示板（売ります・買います）」
 * offers nothing. Thread-safe.
 */
size_t textblock_title_site(const char *title, size_t len);

#endif
