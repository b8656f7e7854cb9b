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
#include "crawler/html.h"
#include "crawler/traps.h"
#include "crawler/url.h"
#include "pipeline/crawl-int.h"
#include "pipeline/page.h"
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

/*
 * Whether an X-Robots-Tag header says nofollow. noindex is not acted on:
 * evidence is kept whatever a page asks of indexers.
 */
static int x_robots_nofollow(const char *v)
{
	return v && (strcasestr(v, "nofollow") || strcasestr(v, "none"));
}

/*
 * A header value as the database's text columns take it: a hostile server's
 * bytes that are not UTF-8 become U+FFFD instead of failing the whole batch.
 */
static const char *header_text(struct arena *a, const char *s)
{
	return utf8_sanitize(a, s, strlen(s), NULL);
}

/* The record's fields that come from the transfer itself. */
static void record_transfer(struct crawl *c, struct crawl_page *p)
{
	struct fetch *x = p->fx;
	struct store_record *r = &p->rec;
	char *hex;

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
}

/*
 * Follows the page's links as nofollow allows (or only counts them). Image
 * links are followed only when there is a hash list to match them against.
 */
static void keep_links(struct crawl *c, struct crawl_page *p, const struct html_doc *doc,
		       const char *x_robots)
{
	int nofollow = doc->meta_nofollow || x_robots_nofollow(x_robots);
	int all = c->o->follow_nofollow;
	size_t i, cap = 0;

	if (!all && nofollow && doc->nlinks)
		atomic_fetch_add(&c->refused[REFUSE_NOFOLLOW], doc->nlinks);
	for (i = 0; i < doc->nlinks; i++) {
		const struct html_link *l = &doc->links[i];

		if (l->kind == HTML_LINK_IMG) {
			if (c->imagehash && (all || !nofollow))
				crawl_add_link(c, p, l->url, p->depth + 1, 0, &cap);
			continue;
		}
		if (!all && nofollow)
			continue;
		if (!all && l->nofollow) {
			crawl_count_refusal(c, REFUSE_NOFOLLOW);
			continue;
		}
		crawl_add_link(c, p, l->url, p->depth + 1, 0, &cap);
	}
}

/* Runs the rules over in; their verdicts become the record's hits. */
static void classify(struct crawl *c, struct classifier *cl, struct crawl_page *p,
		     const struct page_input *in, uint64_t *mark)
{
	struct verdict *v = NULL;
	struct store_hit *h = NULL;
	size_t nv = 0;
	struct err e;
	enum prc rc = classifier_run(cl, p->arena, in, &v, &nv, NULL, NULL, &e);

	crawl_stage_charge(c, STAGE_CLASSIFY, mark);
	if (rc == PRC_AGAIN) {
		/* stopping mid-rules: fetched again later, never stored unclassified */
		p->rec.retry = 1;
	} else if (rc != PRC_OK) {
		log_msg(LOG_WARN, "cannot classify '%s': %s", p->url, e.msg);
	} else if (page_hits(p->arena, v, nv, &h) == PRC_OK && h) {
		p->rec.hits = h;
		p->rec.nhits = nv;
	}
}

/*
 * Reads a 2xx body along the one page path (page.c): decode, parse, links,
 * the trap sketch, classification. A body that is not a page goes to the
 * image hash list instead.
 */
static void read_page(struct crawl *c, struct classifier *cl, struct crawl_page *p, uint64_t *mark)
{
	struct fetch *x = p->fx;
	struct page_src src;
	struct page_view v;
	struct err e;
	enum prc rc;

	memset(&src, 0, sizeof(src));
	src.url = p->url;
	src.uopts = &c->link_uopts;
	src.content_type = p->rec.content_type;
	src.http_status = p->rec.http_status;
	src.body = buf_str(&x->body);
	src.len = x->body.len;
	rc = page_decode(&c->limits, &src, p->arena, &v, &e);
	if (rc == PRC_DECLINED) {
		crawl_match_image(c, p);
		return;
	}
	if (rc != PRC_OK) {
		log_msg(LOG_WARN, "cannot decode '%s': %s", p->url, e.msg);
		return;
	}
	crawl_stage_charge(c, STAGE_DECODE, mark);
	p->rec.charset = v.charset;
	if (page_parse(&c->limits, &src, p->arena, &v, &e) != PRC_OK) {
		log_msg(LOG_WARN, "cannot parse '%s': %s", p->url, e.msg);
		return;
	}
	if (v.kind == PAGE_HTML) {
		p->rec.title = v.doc.title;
		keep_links(c, p, &v.doc, x->x_robots_tag);
	}
	crawl_stage_charge(c, STAGE_PARSE, mark);
	/* what the page says, for judging its URL family (traps.c): the whole text */
	traps_sketch(v.text, v.text_len, &p->sketch);
	p->has_sketch = x->status == 200;
	crawl_stage_charge(c, STAGE_SKETCH, mark);
	if (cl)
		classify(c, cl, p, &v.in, mark);
}

/* What a worker does with one fetched page. */
static void page_process(struct crawl *c, struct classifier *cl, struct crawl_page *p)
{
	struct fetch *x = p->fx;
	uint64_t mark = crawl_cpu_ns();

	record_transfer(c, p);
	if (x->status >= 300 && x->status < 400 && x->location) {
		char *canon = NULL;
		size_t cap = 0;
		struct err e;

		if (url_resolve(p->url, x->location, &c->link_uopts, &canon, &e) == PRC_OK) {
			p->rec.final_url = arena_strdup(p->arena, canon);
			crawl_add_link(c, p, canon, p->depth, p->hops + 1, &cap);
			free(canon);
		}
		return;
	}
	if (x->status == 304) {
		p->rec.unchanged = 1;
		atomic_fetch_add(&c->unchanged, 1);
		return;
	}
	if (x->status >= 200 && x->status < 300 && x->body.len)
		read_page(c, cl, p, &mark);
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
