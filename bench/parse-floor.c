/*
 * parse-floor.c - what libxml2's HTML parser alone costs on a set of pages:
 * the floor under patrol's page path, which parses every page with it.
 *
 *	parse-floor LIST
 *
 * LIST has a line per page, "path<TAB>encoding" (iconv's name; empty for
 * UTF-8). Every page is read and converted to UTF-8 first (not timed), the
 * way patrol hands it to libxml2 (crawler/charset.c, then crawler/html.c with
 * HTML_PARSE_IGNORE_ENC). Then, on one thread, each pass over all pages is
 * timed in CPU seconds:
 *
 *	tree   htmlCtxtReadMemory and xmlFreeDoc (the tree patrol walks)
 *	sax    htmlParseDocument with SAX callbacks that do nothing: the
 *	       tokenizer alone, no tree, the least any use of the parser costs
 *
 * and printed as MB/s per core of the pages' original bytes, the unit of
 * bench/detect's page path figure. Best of three passes each.
 */
#include <errno.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPTS                                                                               \
	(HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | \
	 HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC)

struct page {
	char *utf8;
	size_t len;
};

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long l;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (l = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)l + 1)) != NULL) {
		*n = fread(b, 1, (size_t)l, f);
		b[*n] = '\0';
	}
	fclose(f);
	return b;
}

/* in (n bytes, charset enc) as UTF-8; bytes iconv cannot convert are dropped */
static char *to_utf8(const char *in, size_t n, const char *enc, size_t *out_len)
{
	size_t cap = n * 3 + 16, il = n, ol = cap;
	char *out = malloc(cap), *ip = (char *)in, *op = out;
	iconv_t cd;

	if (!out)
		return NULL;
	if (!*enc || !strcasecmp(enc, "utf-8") || (cd = iconv_open("UTF-8", enc)) == (iconv_t)-1) {
		memcpy(out, in, n);
		*out_len = n;
		return out;
	}
	while (il > 0 && iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		if (errno != EILSEQ && errno != EINVAL)
			break;
		ip++;
		il--;
	}
	iconv_close(cd);
	*out_len = (size_t)(op - out);
	return out;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nothing_el(void *c, const xmlChar *name, const xmlChar **atts)
{
	(void)c, (void)name, (void)atts;
}

static void nothing_end(void *c, const xmlChar *name)
{
	(void)c, (void)name;
}

static void nothing_text(void *c, const xmlChar *s, int len)
{
	(void)c, (void)s, (void)len;
}

static void pass_tree(const struct page *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		htmlParserCtxtPtr c = htmlNewParserCtxt();
		xmlDocPtr d;

		if (!c)
			continue;
		d = htmlCtxtReadMemory(c, p[i].utf8, (int)p[i].len, NULL, "UTF-8", OPTS);
		xmlFreeDoc(d);
		htmlFreeParserCtxt(c);
	}
}

static void pass_sax(const struct page *p, size_t n)
{
	htmlSAXHandler h;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.startElement = nothing_el;
	h.endElement = nothing_end;
	h.characters = nothing_text;
	h.cdataBlock = nothing_text;
	for (i = 0; i < n; i++) {
		htmlParserCtxtPtr c = htmlCreateMemoryParserCtxt(p[i].utf8, (int)p[i].len);
		htmlSAXHandlerPtr own;

		if (!c)
			continue;
		own = c->sax;
		c->sax = &h;
		c->userData = NULL;
		htmlCtxtUseOptions(c, OPTS);
		htmlParseDocument(c);
		if (c->myDoc)
			xmlFreeDoc(c->myDoc);
		c->sax = own;
		htmlFreeParserCtxt(c);
	}
}

static double best_of_three(void (*fn)(const struct page *, size_t), const struct page *p, size_t n)
{
	double best = 0;
	int r;

	for (r = 0; r < 3; r++) {
		double t0 = cpu_now(), t;

		fn(p, n);
		t = cpu_now() - t0;
		if (r == 0 || t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	struct page *pages = NULL;
	size_t n = 0, cap = 0, orig = 0, utf8 = 0, len = 0;
	char *line = NULL;
	FILE *l;
	double tree, sax;

	if (argc != 2) {
		fprintf(stderr, "usage: parse-floor LIST (lines of path<TAB>encoding)\n");
		return 2;
	}
	if (!(l = fopen(argv[1], "r"))) {
		fprintf(stderr, "parse-floor: cannot open '%s': %s\n", argv[1], strerror(errno));
		return 1;
	}
	while (getline(&line, &len, l) > 0) {
		char *tab = strchr(line, '\t'), *enc = "", *raw;
		size_t rl = 0;

		line[strcspn(line, "\r\n")] = '\0';
		if (tab) {
			*tab = '\0';
			enc = tab + 1;
		}
		if (!(raw = slurp(line, &rl))) {
			fprintf(stderr, "parse-floor: cannot read '%s'\n", line);
			continue;
		}
		if (n == cap) {
			struct page *np = realloc(pages, (cap = cap ? cap * 2 : 1024) * sizeof(*pages));

			if (!np) {
				fprintf(stderr, "parse-floor: out of memory\n");
				return 1;
			}
			pages = np;
		}
		pages[n].utf8 = to_utf8(raw, rl, enc, &pages[n].len);
		free(raw);
		if (!pages[n].utf8)
			continue;
		orig += rl;
		utf8 += pages[n].len;
		n++;
	}
	free(line);
	fclose(l);
	if (n == 0) {
		fprintf(stderr, "parse-floor: no pages in '%s'\n", argv[1]);
		return 1;
	}
	xmlInitParser();
	tree = best_of_three(pass_tree, pages, n);
	sax = best_of_three(pass_sax, pages, n);
	printf("== libxml2 alone: %zu pages, %.1f MB (%.1f MB as UTF-8): tree %.2f CPU s, %.1f MB/s "
	       "per core; tokenizer alone (SAX, no tree) %.2f CPU s, %.1f MB/s per core\n",
	       n, orig / 1e6, utf8 / 1e6, tree, orig / 1e6 / tree, sax, orig / 1e6 / sax);
	while (n > 0)
		free(pages[--n].utf8);
	free(pages);
	return 0;
}
