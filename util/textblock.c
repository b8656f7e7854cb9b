/*
 * textblock.c - names and look-ups for the blocks of a page's text. The
 * blocks are found by the HTML reader (crawler/html.c) and used by the
 * classifier (classifiers/classify.c); this is what both share.
 */
#include "util/textblock.h"

#include <string.h>

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

size_t textblock_title_site(const char *title, size_t len)
{
	static const char *const seps[] = { " - ", " | ", "\xef\xbd\x9c", " \xe2\x80\x93 ",
					    " \xe2\x80\x94 ", " :: " };
	size_t best = len, i, k;

	for (k = 0; k < sizeof(seps) / sizeof(seps[0]); k++) {
		size_t n = strlen(seps[k]);

		for (i = len; i-- > 0;) {
			if (i + n > len || memcmp(title + i, seps[k], n))
				continue;
			if (i > 0 && len - (i + n) > 0 && len - (i + n) <= 90 && (best == len || i > best))
				best = i;
			break;
		}
	}
	return best;
}
