/*
 * fuzz-url.c - libFuzzer target: URL canonicalization and resolution. The
 * input's first line is a base URL, the rest a reference; a canonical URL
 * must canonicalize to itself, and its origin and host must be derivable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

static void check_canonical(const char *canon)
{
	char *again = NULL, *o, *h;
	struct err e;

	if (url_canonicalize(canon, NULL, &again, &e) != PRC_OK || strcmp(again, canon))
		abort(); /* canonical form is a fixed point */
	free(again);
	o = url_origin(canon);
	h = url_host(canon);
	free(o);
	free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t bl = nl ? (size_t)(nl - data) : size;
	char *base = dup_n(data, bl), *ref = dup_n(nl ? nl + 1 : data + size, nl ? size - bl - 1 : 0);
	char *out = NULL;
	struct err e;

	if (base && ref) {
		if (url_canonicalize(base, NULL, &out, &e) == PRC_OK) {
			check_canonical(out);
			free(out);
			out = NULL;
		}
		if (url_resolve(base, ref, NULL, &out, &e) == PRC_OK) {
			check_canonical(out);
			free(out);
		}
	}
	free(base);
	free(ref);
	return 0;
}
