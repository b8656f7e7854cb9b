/*
 * page.c - the one page path: a response (content type, bytes) read into
 * the parsed page and the classifier's input, and verdicts into hits.
 *
 * DESIGN
 *
 * A rule author must be able to reproduce a crawl's verdict offline, so the
 * crawl (crawl-page.c), the recheck (recheck.c), `patrol scan` and `patrol
 * rules test` (page_read_file: a local file as if it were served) all read
 * a page here, with one struct of limits whose defaults are the crawl's:
 *
 *   body ──decode (charset.h, at most max_decoded bytes of UTF-8)──►
 *   text ──parse (html.h, at most max_parse bytes)──► title, text, links, blocks
 *        ──cut at max_text──► page_input ──classifier_run──► verdicts ──page_hits──► hits
 *
 * Decode and parse are two calls so the crawl can charge each stage's CPU
 * time; page_read is both. Everything lives in the caller's arena (one per
 * page); nothing here keeps state, so workers call it concurrently.
 */
#include "pipeline/page.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawler/charset.h"
#include "util/fdio.h"
#include "store/crawlstore.h"

void page_limits_init(struct page_limits *l, size_t max_body, size_t max_text, size_t max_links)
{
	memset(l, 0, sizeof(*l));
	l->max_body = max_body ? max_body : PAGE_MAX_BODY_DEFAULT;
	l->max_text = max_text ? max_text : PAGE_MAX_TEXT_DEFAULT;
	l->max_links = max_links ? max_links : PAGE_MAX_LINKS_DEFAULT;
	l->max_decoded = l->max_body * 2;
	l->max_parse = l->max_text * 2;
}

int page_content_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	return !strncasecmp(ct, type, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

enum page_kind page_kind_of(const char *content_type)
{
	if (!content_type || page_content_is(content_type, "text/html") ||
	    page_content_is(content_type, "application/xhtml+xml"))
		return PAGE_HTML;
	if (page_content_is(content_type, "text/plain"))
		return PAGE_TEXT;
	return PAGE_OTHER;
}

/* The length of the longest prefix of s (len bytes of UTF-8) within max bytes (0: all), cut between characters. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	if (!max || len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

enum prc page_decode(const struct page_limits *l, const struct page_src *s, struct arena *a,
		     struct page_view *v, struct err *e)
{
	enum prc rc;

	memset(v, 0, sizeof(*v));
	v->kind = page_kind_of(s->content_type);
	if (v->kind == PAGE_OTHER)
		return PRC_DECLINED;
	rc = charset_decode(a, s->content_type, s->body, s->len, l->max_decoded, &v->decoded,
			    &v->decoded_len, &v->charset, &v->decode_truncated, e);
	if (rc != PRC_OK)
		return rc;
	v->text = v->decoded;
	v->text_len = v->decoded_len;
	return PRC_OK;
}

/* The classifier's links: every link of the page but images, unless l says otherwise. */
static enum prc input_links(const struct page_limits *l, struct arena *a, struct page_view *v,
			    struct err *e)
{
	const char **links, **texts;
	size_t i, k = 0;

	if (!v->doc.nlinks)
		return PRC_OK;
	links = arena_calloc(a, v->doc.nlinks, sizeof(*links));
	texts = arena_calloc(a, v->doc.nlinks, sizeof(*texts));
	if (!links || !texts)
		return err_set(e, PRC_NOMEM, "out of memory reading '%s'", v->in.url);
	for (i = 0; i < v->doc.nlinks; i++) {
		if (v->doc.links[i].kind == HTML_LINK_IMG && !l->image_links)
			continue;
		links[k] = v->doc.links[i].url;
		texts[k++] = v->doc.links[i].text;
	}
	v->in.links = links;
	v->in.link_texts = texts;
	v->in.nlinks = k;
	return PRC_OK;
}

enum prc page_parse(const struct page_limits *l, const struct page_src *s, struct arena *a,
		    struct page_view *v, struct err *e)
{
	struct page_input *in = &v->in;
	enum prc rc;

	memset(in, 0, sizeof(*in));
	in->url = s->url ? s->url : "";
	in->final_url = in->url;
	in->content_type = s->content_type ? s->content_type : "";
	in->http_status = s->http_status;
	in->title = "";
	if (v->kind == PAGE_HTML) {
		rc = html_parse_decoded(a, v->decoded,
					utf8_prefix(v->decoded, v->decoded_len, l->max_parse),
					s->base ? s->base : in->url, s->uopts, l->max_links, &v->doc, e);
		if (rc != PRC_OK)
			return rc;
		in->title = v->doc.title ? v->doc.title : "";
		v->text = v->doc.text ? v->doc.text : "";
		v->text_len = v->doc.text ? v->doc.text_len : 0;
		in->blocks = v->doc.blocks;
		in->nblocks = v->doc.nblocks;
		rc = input_links(l, a, v, e);
		if (rc != PRC_OK)
			return rc;
	}
	in->text = v->text;
	in->text_len = utf8_prefix(v->text, v->text_len, l->max_text);
	return PRC_OK;
}

enum prc page_read(const struct page_limits *l, const struct page_src *s, struct arena *a,
		   struct page_view *v, struct err *e)
{
	enum prc rc = page_decode(l, s, a, v, e);

	return rc == PRC_OK ? page_parse(l, s, a, v, e) : rc;
}

enum prc page_hits(struct arena *a, const struct verdict *v, size_t nv, struct store_hit **out)
{
	struct store_hit *h;
	size_t i;

	*out = NULL;
	if (!nv)
		return PRC_OK;
	h = arena_calloc(a, nv, sizeof(*h));
	if (!h)
		return PRC_NOMEM;
	for (i = 0; i < nv; i++) {
		h[i].category = v[i].category;
		h[i].score = v[i].score;
		h[i].classifier = "lua";
		h[i].rule = v[i].rule;
		h[i].rule_file = v[i].rule_file;
		h[i].evidence = v[i].evidence;
		h[i].ev_start = v[i].ev_end ? (long)v[i].ev_start : -1;
		h[i].ev_end = v[i].ev_end ? (long)v[i].ev_end : -1;
	}
	*out = h;
	return PRC_OK;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcasecmp(s + a - b, suf);
}

static int looks_like_html(const char *path, const char *body, size_t len)
{
	size_t n = len < 1024 ? len : 1024;

	if (ends_with(path, ".html") || ends_with(path, ".htm") || ends_with(path, ".xhtml"))
		return 1;
	if (ends_with(path, ".txt"))
		return 0;
	return memmem(body, n, "<html", 5) || memmem(body, n, "<HTML", 5) ||
	       memmem(body, n, "<!DOCTYPE", 9) || memmem(body, n, "<!doctype", 9) ||
	       memmem(body, n, "<body", 5) || memmem(body, n, "<meta", 5);
}

/*
 * Reads at most l->max_body bytes of path into a (NUL-terminated), as the
 * crawl's fetch cap would have cut the body.
 */
static enum prc read_file(struct arena *a, const struct page_limits *l, const char *path,
			  char **body, size_t *len, struct err *e)
{
	size_t max = l->max_body ? l->max_body : PAGE_MAX_BODY_DEFAULT, cap = max;
	struct stat st;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, PRC_IO, "cannot open '%s': %s", path, strerror(errno));
	/*
	 * A regular file gets a buffer of its size, not of the cap (an mmap per
	 * page), and is read to that size: what it held when it was opened,
	 * without a last read() to be told so.
	 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (unsigned long long)st.st_size < max)
		cap = st.st_size ? (size_t)st.st_size : 1;
	*body = arena_alloc(a, cap + 1);
	if (!*body) {
		close(fd);
		return err_set(e, PRC_NOMEM, "out of memory reading '%s'", path);
	}
	r = fd_read_full(fd, *body, cap);
	if (r < 0) {
		int err = errno;

		close(fd);
		return err_set(e, PRC_IO, "cannot read '%s': %s", path, strerror(err));
	}
	close(fd);
	*len = (size_t)r;
	(*body)[r] = 0;
	return PRC_OK;
}

enum prc page_read_file(struct arena *a, const struct page_limits *l, const char *path,
			const char *url, struct page_input *p, struct err *e)
{
	struct page_limits dl;
	struct page_src src;
	struct page_view v;
	char *body = NULL, *base = NULL, abs[PATH_MAX];
	enum prc rc;

	memset(p, 0, sizeof(*p));
	if (!l) {
		page_limits_init(&dl, 0, 0, 0);
		l = &dl;
	}
	memset(&src, 0, sizeof(src));
	rc = read_file(a, l, path, &body, &src.len, e);
	if (rc != PRC_OK)
		return rc;
	src.body = body;
	src.url = url ? url : "";
	src.http_status = 200;
	src.content_type = looks_like_html(path, body, src.len) ? "text/html" : "text/plain";
	if (url && !strncmp(url, "file:///", 8))
		snprintf(abs, sizeof(abs), "%s", url + 7); /* the caller's real path */
	else if (!realpath(path, abs))
		snprintf(abs, sizeof(abs), "/%s", path);
	/* links resolve as if the file were served from this host */
	if (asprintf(&base, "http://localhost%s", abs) < 0)
		return err_set(e, PRC_NOMEM, "out of memory reading '%s'", path);
	src.base = base;
	rc = page_read(l, &src, a, &v, e);
	free(base);
	if (rc != PRC_OK)
		return rc;
	*p = v.in;
	p->final_url = "";
	return PRC_OK;
}
