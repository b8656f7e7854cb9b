/*
 * textblock.c - names and look-ups for the blocks of a page's text. The
 * blocks are found by the HTML reader (crawler/html.c) and used by the
 * classifier (classifiers/classify.c); this is what both share.
 */
#include "util/textblock.h"

static const char *const kind_names[TEXTBLOCK_NKINDS] = { "main", "title", "post", "boilerplate" };

const char *textblock_kind_name(int kind)
{
	return kind >= 0 && kind < TEXTBLOCK_NKINDS ? kind_names[kind] : "?";
}

size_t textblock_find(const struct textblock *blocks, size_t n, size_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (off < blocks[mid].start)
			hi = mid;
		else if (off >= blocks[mid].end)
			lo = mid + 1;
		else
			return mid;
	}
	return n;
}
