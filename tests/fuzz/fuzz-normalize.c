/*
 * fuzz-normalize.c - libFuzzer target: the norm and squeezed views and their
 * offset maps. Every span of a view must map back inside the input, in
 * order, and the views must be valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classifiers/normalize.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct nview *v, size_t len)
{
	size_t i, f, t;

	if (!utf8_valid(v->s, v->len) || strlen(v->s) != v->len)
		abort();
	for (i = 0; i < v->len; i++) {
		if (v->from[i] > len || v->to[i] > len || v->from[i] > v->to[i])
			abort();
	}
	for (i = 0; i + 1 <= v->len; i += 1 + i % 5) {
		nview_span(v, i, v->len, &f, &t);
		if (f > t || t > len)
			abort();
		nview_span(v, 0, i + 1, &f, &t);
		if (f > t || t > len)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct nview norm, sq;
	char *lit;

	if (!a)
		return 0;
	if (normalize_views(a, (const char *)data, size, &norm, &sq) == PRC_OK) {
		check(&norm, size);
		check(&sq, size);
	}
	if (size < 4096 && !memchr(data, 0, size)) {
		char *s = malloc(size + 1);

		if (s) {
			memcpy(s, data, size);
			s[size] = 0;
			lit = normalize_literal(s, (int)(size & 1));
			free(lit);
			free(s);
		}
	}
	arena_free(a);
	return 0;
}
