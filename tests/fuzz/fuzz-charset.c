/*
 * fuzz-charset.c - libFuzzer target: charset detection and decoding. The
 * input's first line is a Content-Type value, the rest the body; the output
 * must be valid UTF-8 without NUL, within the output cap, and the UTF-8
 * repair must give valid UTF-8 too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/charset.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t cl = nl ? (size_t)(nl - data) : 0;
	const char *body = (const char *)(nl ? nl + 1 : data);
	size_t blen = nl ? size - cl - 1 : size;
	struct arena *a = arena_new();
	char *ct, *out = NULL, *s;
	const char *charset = NULL;
	size_t olen = 0, max = size % 7 == 0 ? 0 : 1 + size % 4096;
	int truncated = 0;
	struct err e;

	if (!a)
		return 0;
	ct = nl ? arena_strndup(a, (const char *)data, cl) : NULL;
	if (charset_decode(a, ct, body, blen, max, &out, &olen, &charset, &truncated, &e) == PRC_OK) {
		if (!utf8_valid(out, olen) || strlen(out) != olen || (max && olen > max))
			abort();
	}
	s = utf8_sanitize(a, (const char *)data, size, &olen);
	if (s && (!utf8_valid(s, olen) || strlen(s) != olen))
		abort();
	arena_free(a);
	return 0;
}
