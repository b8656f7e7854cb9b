/*
 * fuzz-robots.c - libFuzzer target: robots.txt parsing and matching. The
 * input is the file; a few paths, some taken from the input itself, are
 * checked against it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/", "/a/b?x=1", "/robots.txt", "/%E5%A4%A7", "/*$", "" };
	struct robots *r = robots_parse((const char *)data, size, "patrol");
	char tail[64];
	size_t i, n;

	if (!r)
		return 0;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		robots_allowed(r, paths[i]);
	/* the input's last bytes as a path */
	n = size < sizeof(tail) - 2 ? size : sizeof(tail) - 2;
	tail[0] = '/';
	memcpy(tail + 1, data + size - n, n);
	tail[n + 1] = 0;
	robots_allowed(r, tail);
	robots_crawl_delay_ms(r);
	robots_free(r);
	return 0;
}
