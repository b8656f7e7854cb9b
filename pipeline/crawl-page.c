/*
 * crawl-page.c - the workers of a crawl: one fetched page read, classified,
 * and its links kept.
 *
 * DESIGN
 *
 * Each worker thread owns a classifier (its Hyperscan scratch and Lua state)
 * and takes pages from the work queue; everything a page produces (text,
 * links, hits) lives in the page's arena, and the page goes on to the
 * writer's queue. A reloaded rule set (SIGHUP, rulehub.c) replaces a
 * worker's classifier between two pages, never during one. The body is
 * freed here unless the page is flagged and WARC evidence is kept.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classifiers/classify.h"
#include "classifiers/rulehub.h"
#include "crawler/charset.h"
#include "crawler/html.h"
#include "crawler/traps.h"
#include "crawler/url.h"
#include "pipeline/crawl-int.h"
#include "store/crawlstore.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/utf8.h"

void crawl_page_free(struct crawl_page *p)
{
	if (!p)
		return;
	fetch_free(p->fx);
	arena_free(p->arena);
	free(p);
}

void crawl_count_refusal(struct crawl *c, enum refusal r)
{
	atomic_fetch_add(&c->refused[r], 1);
}

struct crawl_page *crawl_page_new(int64_t host_id, const struct frontier_url *u)
{
	struct crawl_page *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->arena = arena_new();
	if (!p->arena) {
		free(p);
		return NULL;
	}
	p->url = arena_strdup(p->arena, u->url);
	if (!p->url) {
		crawl_page_free(p);
		return NULL;
	}
	p->url_id = u->id;
	p->host_id = host_id;
	p->depth = u->depth;
	p->hops = u->hops;
	p->attempts = u->attempts;
	p->rec.url_id = u->id;
	p->rec.host_id = host_id;
	return p;
}

static int content_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	return !strncasecmp(ct, type, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/*
 * Whether an X-Robots-Tag header says nofollow. noindex is not acted on:
 * evidence is kept whatever a page asks of indexers.
 */
static int x_robots_nofollow(const char *v)
{
	return v && (strcasestr(v, "nofollow") || strcasestr(v, "none"));
}

/* The length of the longest prefix of s (len bytes of UTF-8) within max bytes, cut between characters. */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/*
 * A header value as the database's text columns take it: a hostile server's
 * bytes that are not UTF-8 become U+FFFD instead of failing the whole batch.
 */
static const char *header_text(struct arena *a, const char *s)
{
	return utf8_sanitize(a, s, strlen(s), NULL);
}

/* What a worker does with one fetched page. */
static void page_process(struct crawl *c, struct classifier *cl, struct crawl_page *p)
{
	struct fetch *x = p->fx;
	struct store_record *r = &p->rec;
	size_t linkcap = 0;
	struct err e;
	char *hex;
	uint64_t mark = crawl_cpu_ns();

	r->fetched_at = x->started;
	r->http_status = (int)x->status;
	r->final_url = p->url;
	r->content_type = x->content_type ? header_text(p->arena, x->content_type) : NULL;
	r->size = (int64_t)x->body.len;
	r->server_ip = x->server_ip[0] ? arena_strdup(p->arena, x->server_ip) : NULL;
	r->duration_ms = (long)((x->ended - x->started) * 1000.0);
	r->error = x->error[0] ? header_text(p->arena, x->error) : NULL;
	if (fetch_error_of(x) != FETCH_FAIL_NONE)
		r->failure = fetch_failure_name(fetch_error_of(x));
	r->etag = x->etag ? header_text(p->arena, x->etag) : NULL;
	r->last_modified = x->last_modified ? header_text(p->arena, x->last_modified) : NULL;
	if (x->body.len || x->status == 200) {
		hex = arena_alloc(p->arena, SHA256_HEX_LEN + 1);
		if (hex) {
			hash_sha256_hex(buf_str(&x->body), x->body.len, hex);
			r->sha256 = hex;
		}
	}
	atomic_fetch_add(&c->bytes, x->body.len);

	if (x->status >= 300 && x->status < 400 && x->location) {
		char *canon = NULL;

		if (url_resolve(p->url, x->location, &c->link_uopts, &canon, &e) == PRC_OK) {
			r->final_url = arena_strdup(p->arena, canon);
			crawl_add_link(c, p, canon, p->depth, p->hops + 1, &linkcap);
			free(canon);
		}
		return;
	}
	if (x->status == 304) {
		r->unchanged = 1;
		atomic_fetch_add(&c->unchanged, 1);
		return;
	}
	if (x->status < 200 || x->status >= 300 || !x->body.len)
		return;

	{
		int is_html = !x->content_type || content_is(x->content_type, "text/html") ||
			      content_is(x->content_type, "application/xhtml+xml");
		int is_text = content_is(x->content_type, "text/plain");
		int nofollow = 0, truncated = 0;
		const char *charset = NULL;
		struct page_input in;
		struct html_doc doc;
		char *text = NULL;
		size_t text_len = 0, i, k = 0;
		const char **links = NULL, **link_texts = NULL;

		if (!is_html && !is_text) {
			crawl_match_image(c, p);
			return;
		}
		if (charset_decode(p->arena, x->content_type, buf_str(&x->body), x->body.len,
				   c->o->max_body * 2, &text, &text_len, &charset, &truncated, &e) != PRC_OK) {
			log_msg(LOG_WARN, "cannot decode '%s': %s", p->url, e.msg);
			return;
		}
		crawl_stage_charge(c, STAGE_DECODE, &mark);
		r->charset = charset;
		memset(&in, 0, sizeof(in));
		in.url = p->url;
		in.final_url = p->url;
		in.content_type = r->content_type ? r->content_type : "";
		in.http_status = r->http_status;
		in.title = "";
		if (is_html) {
			/*
			 * The parse tree costs many times the markup: parse at most
			 * twice the text classification reads (cut on a character).
			 */
			size_t plen = utf8_prefix(text, text_len, 2 * c->o->max_text);

			if (html_parse(p->arena, text, plen, p->url, &c->link_uopts, c->o->max_links, &doc,
				       &e) != PRC_OK) {
				log_msg(LOG_WARN, "cannot parse '%s': %s", p->url, e.msg);
				return;
			}
			r->title = doc.title;
			in.title = doc.title;
			in.text = doc.text;
			in.text_len = doc.text_len;
			in.blocks = doc.blocks;
			in.nblocks = doc.nblocks;
			nofollow = doc.meta_nofollow || x_robots_nofollow(x->x_robots_tag);
			if (doc.nlinks) {
				links = arena_alloc(p->arena, doc.nlinks * sizeof(char *));
				link_texts = arena_alloc(p->arena, doc.nlinks * sizeof(char *));
			}
			if (!c->o->follow_nofollow && nofollow && doc.nlinks)
				atomic_fetch_add(&c->refused[REFUSE_NOFOLLOW], doc.nlinks);
			for (i = 0, k = 0; links && link_texts && i < doc.nlinks; i++) {
				if (doc.links[i].kind == HTML_LINK_IMG) {
					/* images are fetched only to match them against a hash list */
					if (c->imagehash && (c->o->follow_nofollow || !nofollow))
						crawl_add_link(c, p, doc.links[i].url, p->depth + 1, 0, &linkcap);
					continue;
				}
				links[k] = doc.links[i].url;
				link_texts[k++] = doc.links[i].text;
				if (!c->o->follow_nofollow && nofollow)
					continue;
				if (!c->o->follow_nofollow && doc.links[i].nofollow) {
					crawl_count_refusal(c, REFUSE_NOFOLLOW);
					continue;
				}
				crawl_add_link(c, p, doc.links[i].url, p->depth + 1, 0, &linkcap);
			}
			in.links = links;
			in.link_texts = link_texts;
			in.nlinks = links && link_texts ? k : 0;
		} else {
			in.text = text;
			in.text_len = text_len;
		}
		crawl_stage_charge(c, STAGE_PARSE, &mark);
		/* what the page says, for judging its URL family (traps.c) */
		traps_sketch(in.text, in.text_len, &p->sketch);
		p->has_sketch = x->status == 200;
		crawl_stage_charge(c, STAGE_SKETCH, &mark);
		/*
		 * Classification reads at most max_text bytes of text: normalization
		 * keeps maps of about 18 bytes per byte, and no post needs megabytes
		 * to show what it is. Cut on a character boundary.
		 */
		in.text_len = utf8_prefix(in.text, in.text_len, c->o->max_text);
		if (cl) {
			struct verdict *v = NULL;
			size_t nv = 0;

			enum prc crc = classifier_run(cl, p->arena, &in, &v, &nv, NULL, NULL, &e);

			crawl_stage_charge(c, STAGE_CLASSIFY, &mark);

			if (crc == PRC_AGAIN) {
				/* stopping mid-rules: fetched again later, never stored unclassified */
				r->retry = 1;
			} else if (crc != PRC_OK) {
				log_msg(LOG_WARN, "cannot classify '%s': %s", p->url, e.msg);
			} else if (nv) {
				struct store_hit *h = arena_calloc(p->arena, nv, sizeof(*h));

				for (i = 0; h && i < nv; i++) {
					h[i].category = v[i].category;
					h[i].score = v[i].score;
					h[i].classifier = "lua";
					h[i].rule = v[i].rule;
					h[i].rule_file = v[i].rule_file;
					h[i].evidence = v[i].evidence;
					h[i].ev_start = v[i].ev_end ? (long)v[i].ev_start : -1;
					h[i].ev_end = v[i].ev_end ? (long)v[i].ev_end : -1;
				}
				if (h) {
					r->hits = h;
					r->nhits = nv;
				}
			}
		}
	}
}

/* Between pages: a reloaded rule set replaces the worker's classifier. */
static void worker_rules(struct worker_arg *w)
{
	struct ruleset *rs;
	struct classifier *cl;
	unsigned long gen;
	struct err e;

	if (!w->c->o->rules || rulehub_generation(w->c->o->rules) == w->gen)
		return;
	rs = rulehub_current_gen(w->c->o->rules, &gen);
	cl = classifier_new(rs, &e);
	if (!cl) {
		log_msg(LOG_ERROR, "cannot use the reloaded rules: %s", e.msg);
		ruleset_unref(rs);
		w->gen = gen; /* keep the running classifier; do not retry every page */
		return;
	}
	classifier_free(w->cl);
	ruleset_unref(w->rs);
	w->cl = cl;
	w->rs = rs;
	w->gen = gen;
}

void *crawl_worker_main(void *arg)
{
	struct worker_arg *w = arg;
	struct crawl *c = w->c;
	void *item;

	while (queue_pop(c->work, &item) == PRC_OK) {
		struct crawl_page *p = item;

		worker_rules(w);
		if (!p->rec.retry)
			page_process(c, w->cl, p);
		/* the body is done with, unless it is evidence: only the record goes on */
		if (!p->rec.nhits || !c->warc || p->rec.retry || p->no_evidence) {
			fetch_free(p->fx);
			p->fx = NULL;
		}
		if (queue_push(c->store, p) != PRC_OK) {
			crawl_page_free(p);
			atomic_fetch_sub(&c->pending, 1);
		}
	}
	return NULL;
}
