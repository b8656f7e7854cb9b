/*
 * fuzz-html.c - libFuzzer target: HTML extraction (title, text, links) of
 * any bytes; text and title must come out valid UTF-8, every link absolute.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "crawler/html.h"
#include "util/utf8.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct html_doc doc;
	struct err e;
	size_t i;

	if (!a)
		return 0;
	if (html_parse(a, (const char *)data, size, "http://example.jp/dir/page.html", NULL, 200, &doc,
		       &e) == PRC_OK) {
		if (!utf8_valid(doc.text, doc.text_len) ||
		    !utf8_valid(doc.title, strlen(doc.title)) || doc.nlinks > 200)
			abort();
		for (i = 0; i < doc.nlinks; i++)
			if (strncmp(doc.links[i].url, "http://", 7) && strncmp(doc.links[i].url, "https://", 8))
				abort();
	}
	arena_free(a);
	return 0;
}
