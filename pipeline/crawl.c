/*
 * crawl.c - one crawl process from seeds to stored results.
 *
 * DESIGN
 *
 *   fetch thread ──work queue──► N workers ──store queue──► writer thread
 *   (curl multi, frontier,        (decode, parse,            (batched
 *    leases, claims: db conn A)    classify)                  transactions: db conn B)
 *
 * The calling thread is the fetch thread. It leases hosts and claims their
 * URLs through its own connection, keeps them in the in-memory frontier
 * (frontier.c), fetches robots.txt first for every host, and starts
 * transfers as politeness allows. A finished transfer becomes a struct page
 * and goes to the workers; a URL robots.txt forbids becomes a refused page
 * and goes straight to the writer. Workers own their classifier (Hyperscan
 * scratch and Lua state); everything a page produces lives in its arena.
 * The writer filters new links through an in-memory seen-set, stores pages
 * in batches (crawlstore_write: each page's URL state, fetch, hits and links
 * in one transaction) and frees them. Both queues are bounded, so memory
 * stays flat whatever the size of the crawl: a slow writer slows the workers,
 * which slow the fetch thread.
 *
 * Termination: "pending" counts URLs handed out by the fetch thread and not
 * yet committed by the writer. The crawl is over when this process has no
 * leased host with work, nothing pending, and the database shows no URL of
 * the job queued or claimed by anyone: only then can no new link appear.
 */
#include "pipeline/crawl.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/imagehash.h"
#include "classifiers/rulehub.h"
#include "crawler/charset.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/html.h"
#include "crawler/robots.h"
#include "crawler/traps.h"
#include "crawler/url.h"
#include "crawler/warc.h"
#include "store/crawlstore.h"
#include "store/db.h"
#include "store/evidence.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/hset.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/utf8.h"

#define CRAWL_BATCH 64          /* pages per writer transaction */
#define CRAWL_BATCH_MS 200      /* ... or this long, whichever first */
#define CRAWL_CLAIM 32          /* URLs claimed from a host at once */
#define CRAWL_RENEW_MS 10000    /* lease renewal period */
#define CRAWL_ROBOTS_TTL 86400  /* robots.txt cache, seconds */
#define CRAWL_ROBOTS_TRIES 3
#define CRAWL_AGENT_TOKEN "patrol"

void crawl_opts_init(struct crawl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_depth = -1;
	o->scope = CRAWL_SCOPE_HOST;
	o->concurrency = 16;
	o->per_host = 1;
	o->user_agent = "patrol/0.1 (+https://patrol.invalid/bot)";
	o->max_body = 10 * 1024 * 1024;
	o->max_links = 1000;
	o->max_text = 1024 * 1024;
	o->max_redirects = 5;
	o->lease_s = 60;
	o->delay_factor = 1.0;
	o->max_crawl_delay_ms = 30000;
	o->retries = 2;
	o->max_host_errors = 8;
	o->max_pages_per_host = 100000;
	trap_limits_init(&o->traps);
	o->timeout_ms = 60000;
	o->connect_timeout_ms = 10000;
	o->warc_rotate_bytes = (size_t)1 << 30;
}

/* The URLs a crawl may follow. Immutable once built; read by every worker. */
struct scope {
	enum crawl_scope kind;
	char **keys; /* seed origins (host scope) or registrable domains (domain scope) */
	size_t nkeys;
};

/* One URL's trip from the fetch thread through a worker to the writer. */
struct page {
	struct arena *arena;
	struct fetch *fx;          /* NULL for refused URLs */
	int64_t url_id, host_id;
	char *url;                 /* in the arena */
	int depth, hops, attempts;
	int no_evidence;           /* never written to the WARC files (an image) */
	int has_sketch;            /* a page with text: sketch is what it says (trap families) */
	struct trap_sketch sketch;
	struct store_record rec;
	struct page *next;
};

struct crawl {
	const struct crawl_opts *o;
	struct err *e;
	char owner[256];
	char hostname[128];
	int64_t job_id;
	struct scope scope;
	struct url_opts uopts;
	struct url_opts link_uopts;  /* no length limit: long links are refused and counted here */
	regex_t *allow, *deny, *keepq;
	size_t nallow, ndeny, nkeepq;
	struct traps *traps;         /* URL families: the writer observes and admits, the fetch thread asks */
	struct warc *warc;           /* the writer's evidence files, or NULL */
	const struct imagehash *imagehash; /* the operator's hash list, or NULL: images are not fetched */
	struct db *db;             /* the fetch thread's connection */
	struct fetcher *fetcher;
	struct frontier *frontier;
	struct queue *work;        /* struct page *: fetch thread → workers */
	struct queue *store;       /* struct page *: workers, fetch thread → writer */
	struct queue *committed;   /* host ids of records the writer is done with: writer → fetch thread */
	pthread_t *workers;
	int nworkers;
	pthread_t writer;
	int writer_started;
	atomic_long pending;
	atomic_int writer_failed;
	char writer_error[1024];
	/* statistics, written by several threads */
	atomic_ullong fetched, stored, errors, robots_refused, hits, bytes, links_new, lost_claims;
	atomic_ullong retries, unchanged, hosts_parked, aliases, trap_families, quarantined;
	atomic_ullong stage_ns[STAGE_COUNT]; /* thread CPU time per stage */
	atomic_ullong refused[REFUSE_COUNT];
	uint64_t net_failed[FETCH_FAIL_COUNT]; /* fetch thread only */
	char first_failure[320];               /* fetch thread only */
	struct crawl_failing_host failing[CRAWL_FAILING_HOSTS]; /* fetch thread only */
	size_t nfailing;
	uint64_t queued;
	int64_t remaining;         /* pages --max-pages still allows this process to claim */
	double started;
	uint64_t fetch_cpu0;       /* the fetch thread's CPU time at the start */
};

/* CPU time of the calling thread, in nanoseconds. */
static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Charges the CPU time since *mark to stage and moves *mark to now. */
static void stage_charge(struct crawl *c, enum crawl_stage st, uint64_t *mark)
{
	uint64_t t = thread_cpu_ns();

	if (t > *mark)
		atomic_fetch_add(&c->stage_ns[st], t - *mark);
	*mark = t;
}

const char *crawl_stage_name(enum crawl_stage s)
{
	static const char *const names[STAGE_COUNT] = { "fetch", "decode", "parse",
							"sketch", "classify", "store" };

	return s < STAGE_COUNT ? names[s] : "unknown";
}

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static double now_s(void)
{
	return (double)now_ms() / 1000.0;
}

/* ---- scope ---------------------------------------------------------- */

static void scope_release(struct scope *s)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		free(s->keys[i]);
	free(s->keys);
	s->keys = NULL;
	s->nkeys = 0;
}

static char *scope_key(enum crawl_scope kind, const char *canon)
{
	char *host, *dom;

	if (kind == CRAWL_SCOPE_HOST)
		return url_origin(canon);
	host = url_host(canon);
	if (!host)
		return NULL;
	dom = url_registrable_domain(host);
	free(host);
	return dom;
}

static int scope_allows(const struct scope *s, const char *canon)
{
	char *key;
	size_t i;
	int ok = 0;

	if (s->kind == CRAWL_SCOPE_ANY)
		return 1;
	key = scope_key(s->kind, canon);
	if (!key)
		return 0;
	for (i = 0; i < s->nkeys && !ok; i++)
		ok = !strcmp(s->keys[i], key);
	free(key);
	return ok;
}

static enum prc scope_build(struct crawl *c, char **origins, size_t n)
{
	size_t i, j;

	c->scope.keys = calloc(n + 1, sizeof(char *));
	if (!c->scope.keys)
		return err_set(c->e, PRC_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		char *key = c->scope.kind == CRAWL_SCOPE_HOST ? strdup(origins[i])
							      : scope_key(c->scope.kind, origins[i]);
		int dup = 0;

		if (!key)
			return err_set(c->e, PRC_NOMEM, "out of memory");
		for (j = 0; j < c->scope.nkeys && !dup; j++)
			dup = !strcmp(c->scope.keys[j], key);
		if (dup)
			free(key);
		else
			c->scope.keys[c->scope.nkeys++] = key;
	}
	return PRC_OK;
}

/* ---- pages ---------------------------------------------------------- */

static void page_free(struct page *p)
{
	if (!p)
		return;
	fetch_free(p->fx);
	arena_free(p->arena);
	free(p);
}

static void count_refusal(struct crawl *c, enum refusal r)
{
	atomic_fetch_add(&c->refused[r], 1);
}

static struct page *page_new(int64_t host_id, const struct frontier_url *u)
{
	struct page *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->arena = arena_new();
	if (!p->arena) {
		free(p);
		return NULL;
	}
	p->url = arena_strdup(p->arena, u->url);
	if (!p->url) {
		page_free(p);
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

static int url_matches(const regex_t *re, size_t n, const char *url)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (regexec(&re[i], url, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

/*
 * Adds one discovered URL to the page's record. Out of scope, too deep or
 * filtered URLs are only counted; URLs with a trap's shape are recorded as
 * refused (with reason) so the refusal shows in the database too.
 */
static void page_add_link(struct crawl *c, struct page *p, const char *canon, int depth, int hops,
			  size_t *cap)
{
	enum refusal why = REFUSE_NONE;
	struct store_link *l;
	char *origin;

	if (c->o->max_depth >= 0 && depth > c->o->max_depth) {
		count_refusal(c, REFUSE_DEPTH);
		return;
	}
	if (!scope_allows(&c->scope, canon)) {
		count_refusal(c, REFUSE_SCOPE);
		return;
	}
	if ((c->nallow && !url_matches(c->allow, c->nallow, canon)) ||
	    url_matches(c->deny, c->ndeny, canon)) {
		count_refusal(c, REFUSE_PATTERN);
		return;
	}
	why = traps_check_url(&c->o->traps, canon);
	if (why == REFUSE_URL_LENGTH) {
		count_refusal(c, why); /* not worth a row: the URL itself is the problem */
		return;
	}
	if (hops > c->o->max_redirects)
		why = REFUSE_REDIRECTS;
	if (p->rec.nlinks == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct store_link *nl = arena_alloc(p->arena, ncap * sizeof(*nl));

		if (!nl)
			return;
		if (p->rec.nlinks)
			memcpy(nl, p->rec.links, p->rec.nlinks * sizeof(*nl));
		p->rec.links = nl;
		*cap = ncap;
	}
	origin = url_origin(canon);
	if (!origin)
		return;
	l = (struct store_link *)&p->rec.links[p->rec.nlinks];
	l->url = arena_strdup(p->arena, canon);
	l->origin = arena_strdup(p->arena, origin);
	free(origin);
	if (!l->url || !l->origin)
		return;
	if (c->nkeepq && !url_matches(c->keepq, c->nkeepq, l->url) &&
	    url_sort_query((char *)l->url) != PRC_OK)
		return;
	l->depth = depth;
	l->hops = hops;
	l->parent_id = p->url_id;
	l->reason = why != REFUSE_NONE ? refusal_name(why) : NULL;
	p->rec.nlinks++;
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
 * A body that is not a page is matched against the operator's hash list
 * (SHA-256 and MD5). Only the match is kept: the image itself is neither
 * classified further, nor stored, nor written to the evidence files.
 */
static void match_image(struct crawl *c, struct page *p)
{
	struct fetch *x = p->fx;
	struct store_hit *h;
	char hex[65];
	char *ev;

	if (!c->imagehash || !x->body.len || x->truncated)
		return;
	if (imagehash_match(c->imagehash, x->body.ptr, x->body.len, hex) != 1)
		return;
	h = arena_calloc(p->arena, 1, sizeof(*h));
	ev = arena_alloc(p->arena, 160 + strlen(p->url));
	if (!h || !ev)
		return;
	snprintf(ev, 160 + strlen(p->url), "image %s matches hash list entry %s", p->url, hex);
	h->category = "child_pornography";
	h->score = 1.0;
	h->classifier = "imagehash";
	h->rule = "imagehash";
	h->rule_file = NULL;
	h->evidence = ev;
	h->ev_start = h->ev_end = -1;
	p->rec.hits = h;
	p->rec.nhits = 1;
	p->no_evidence = 1;
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
static void page_process(struct crawl *c, struct classifier *cl, struct page *p)
{
	struct fetch *x = p->fx;
	struct store_record *r = &p->rec;
	size_t linkcap = 0;
	struct err e;
	char *hex;
	uint64_t mark = thread_cpu_ns();

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
			page_add_link(c, p, canon, p->depth, p->hops + 1, &linkcap);
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
			match_image(c, p);
			return;
		}
		if (charset_decode(p->arena, x->content_type, buf_str(&x->body), x->body.len,
				   c->o->max_body * 2, &text, &text_len, &charset, &truncated, &e) != PRC_OK) {
			log_msg(LOG_WARN, "cannot decode '%s': %s", p->url, e.msg);
			return;
		}
		stage_charge(c, STAGE_DECODE, &mark);
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
						page_add_link(c, p, doc.links[i].url, p->depth + 1, 0, &linkcap);
					continue;
				}
				links[k] = doc.links[i].url;
				link_texts[k++] = doc.links[i].text;
				if (!c->o->follow_nofollow && nofollow)
					continue;
				if (!c->o->follow_nofollow && doc.links[i].nofollow) {
					count_refusal(c, REFUSE_NOFOLLOW);
					continue;
				}
				page_add_link(c, p, doc.links[i].url, p->depth + 1, 0, &linkcap);
			}
			in.links = links;
			in.link_texts = link_texts;
			in.nlinks = links && link_texts ? k : 0;
		} else {
			in.text = text;
			in.text_len = text_len;
		}
		stage_charge(c, STAGE_PARSE, &mark);
		/* what the page says, for judging its URL family (traps.c) */
		traps_sketch(in.text, in.text_len, &p->sketch);
		p->has_sketch = x->status == 200;
		stage_charge(c, STAGE_SKETCH, &mark);
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

			stage_charge(c, STAGE_CLASSIFY, &mark);

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

struct worker_arg {
	struct crawl *c;
	struct ruleset *rs;        /* the rule set cl runs */
	unsigned long gen;         /* its generation in the hub */
	struct classifier *cl;
};

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

static void *worker_main(void *arg)
{
	struct worker_arg *w = arg;
	struct crawl *c = w->c;
	void *item;

	while (queue_pop(c->work, &item) == PRC_OK) {
		struct page *p = item;

		worker_rules(w);
		if (!p->rec.retry)
			page_process(c, w->cl, p);
		/* the body is done with, unless it is evidence: only the record goes on */
		if (!p->rec.nhits || !c->warc || p->rec.retry || p->no_evidence) {
			fetch_free(p->fx);
			p->fx = NULL;
		}
		if (queue_push(c->store, p) != PRC_OK) {
			page_free(p);
			atomic_fetch_sub(&c->pending, 1);
		}
	}
	return NULL;
}

/* ---- writer --------------------------------------------------------- */

/*
 * Writes a flagged page's request and response to the WARC files and points
 * its record at them. The files are synced before the rows that point at
 * them are committed; a failure costs the evidence, not the page.
 */
static int write_evidence(struct crawl *c, struct page *p)
{
	struct fetch *x = p->fx;
	struct warc_exchange ex;
	struct warc_loc *loc;
	struct err e;

	if (!x || !c->warc)
		return 0;
	loc = arena_calloc(p->arena, 1, sizeof(*loc));
	if (!loc)
		return 0;
	memset(&ex, 0, sizeof(ex));
	ex.target_uri = p->url;
	ex.ip = x->server_ip;
	ex.date = x->started;
	ex.request = x->req_headers.ptr;
	ex.request_len = x->req_headers.len;
	ex.response_headers = x->resp_headers.ptr;
	ex.response_headers_len = x->resp_headers.len;
	ex.body = x->body.ptr;
	ex.body_len = x->body.len;
	ex.truncated = x->truncated ? "length" : NULL;
	if (warc_write_exchange(c->warc, &ex, loc, &e) != PRC_OK) {
		log_msg(LOG_ERROR, "cannot write the evidence of '%s': %s", p->url, e.msg);
		return 0;
	}
	p->rec.warc_file = loc->file;
	p->rec.warc_offset = loc->offset;
	p->rec.warc_length = loc->length;
	p->rec.warc_record_id = loc->record_id;
	p->rec.warc_digest = loc->digest;
	return 1;
}

static void mark_trap(void *ud, const char *family, const char *reason)
{
	struct crawl *c = ud;

	traps_mark(c->traps, family, reason);
	atomic_fetch_add(&c->trap_families, 1);
}

/*
 * Keeps the job's URL families in the database: the traps with the reason
 * of their verdict and the open families of some size, with their figures.
 */
static void save_families(struct crawl *c, struct db *d)
{
	struct trap_family *f = NULL;
	struct store_family *sf = NULL;
	size_t n = 0, i;
	struct err e;

	if (traps_report(c->traps, &f, &n) != PRC_OK || !n)
		goto out;
	sf = calloc(n, sizeof(*sf));
	if (!sf)
		goto out;
	for (i = 0; i < n; i++) {
		sf[i].family = f[i].family;
		sf[i].pages = f[i].fetched;
		sf[i].repeats = f[i].repeats;
		sf[i].trap = f[i].trap;
		sf[i].reason = f[i].reason;
	}
	if (crawlstore_save_families(d, c->job_id, sf, n, &e) != PRC_OK)
		log_msg(LOG_WARN, "cannot keep the URL families: %s", e.msg);
out:
	free(sf);
	free(f);
}

/* Stores the chain heads of the WARC files written to (crawler/warc.c, DESIGN). */
static enum prc seal_evidence(struct crawl *c, struct db *d, struct err *e)
{
	struct warc_head h[WARC_HEADS_MAX];
	size_t nh, i;
	enum prc rc = PRC_OK;

	while ((nh = warc_heads(c->warc, h, WARC_HEADS_MAX)) > 0)
		for (i = 0; i < nh; i++)
			if (rc == PRC_OK)
				rc = evidence_seal(d, h[i].file, h[i].records, h[i].bytes, h[i].head, e);
	return rc;
}

static void writer_flush(struct crawl *c, struct db *d, struct hset *seen, struct page **batch,
			 size_t n)
{
	int evidence = 0, judged = 0;
	uint64_t mark = thread_cpu_ns();
	struct store_record *recs;
	struct err e;
	size_t i, j, k;
	enum prc rc;

	if (!n)
		return;
	recs = calloc(n, sizeof(*recs));
	if (!recs) {
		atomic_store(&c->writer_failed, 1);
		snprintf(c->writer_error, sizeof(c->writer_error), "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct store_record *r = &batch[i]->rec;
		struct store_link *links = (struct store_link *)r->links;

		/*
		 * The seen-set keeps links this process already sent out of the
		 * database round trip; the trap counters see each new URL once.
		 */
		for (j = k = 0; j < r->nlinks; j++) {
			if (hset_add(seen, hash64(links[j].url, strlen(links[j].url))) == 0)
				continue;
			if (!links[j].reason && c->traps) {
				enum refusal why = traps_admit(c->traps, links[j].url);

				if (why != REFUSE_NONE)
					links[j].reason = refusal_name(why);
			}
			if (links[j].reason) {
				enum refusal q;

				for (q = REFUSE_NONE; q < REFUSE_COUNT; q++)
					if (!strcmp(refusal_name(q), links[j].reason))
						count_refusal(c, q);
			}
			links[k++] = links[j];
		}
		r->nlinks = k;
		if (r->nhits && batch[i]->fx)
			evidence += write_evidence(c, batch[i]);
		recs[i] = *r;
	}
	if (evidence && (warc_sync(c->warc, &e) != PRC_OK || seal_evidence(c, d, &e) != PRC_OK)) {
		/* rows point only at records synced and sealed: these become orphans */
		log_msg(LOG_ERROR, "cannot seal the evidence files, the batch is stored without it: %s", e.msg);
		for (i = 0; i < n; i++)
			recs[i].warc_file = NULL;
	}
	rc = crawlstore_write(d, c->job_id, c->owner, recs, n, 10, &e);
	if (rc != PRC_OK) {
		/* nothing was committed: the URLs stay claimed and the next lease re-queues them */
		atomic_store(&c->writer_failed, 1);
		snprintf(c->writer_error, sizeof(c->writer_error), "%s", e.msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!recs[i].stored) {
			atomic_fetch_add(&c->lost_claims, 1);
			continue;
		}
		if (recs[i].quarantined) {
			log_msg(LOG_WARN, "cannot store '%s': the database refused one of its values; "
				"kept in the quarantine table", batch[i]->url);
			atomic_fetch_add(&c->quarantined, 1);
			continue;
		}
		if (recs[i].retry) {
			atomic_fetch_add(&c->retries, 1);
			continue;
		}
		atomic_fetch_add(&c->stored, 1);
		atomic_fetch_add(&c->hits, recs[i].nhits);
		atomic_fetch_add(&c->links_new, recs[i].nlinks);
		if (recs[i].alias_of)
			atomic_fetch_add(&c->aliases, 1);
		if (batch[i]->has_sketch && traps_observe(c->traps, batch[i]->url, &batch[i]->sketch)) {
			char fam[512];

			traps_family(batch[i]->url, fam, sizeof(fam));
			log_msg(LOG_INFO, "cutting URL family '%s': its pages repeat what it served", fam);
			atomic_fetch_add(&c->trap_families, 1);
			judged = 1;
		}
	}
	if (judged)
		save_families(c, d);
out:
	free(recs);
	for (i = 0; i < n; i++) {
		/* cannot block: the queue holds more than can ever be pending */
		queue_trypush(c->committed, (void *)(intptr_t)batch[i]->host_id);
		page_free(batch[i]);
	}
	atomic_fetch_sub(&c->pending, (long)n);
	stage_charge(c, STAGE_STORE, &mark);
}

struct writer_arg {
	struct crawl *c;
	struct db *db;
};

static void *writer_main(void *arg)
{
	struct writer_arg *w = arg;
	struct crawl *c = w->c;
	struct page *batch[CRAWL_BATCH];
	struct hset *seen = hset_new();
	int64_t first = 0;
	size_t n = 0;

	for (;;) {
		void *item = NULL;
		long wait = n ? CRAWL_BATCH_MS - (long)(now_ms() - first) : 500;
		enum prc rc = queue_pop_timed(c->store, &item, wait > 0 ? wait : 0);

		if (rc == PRC_OK) {
			if (atomic_load(&c->writer_failed) || !seen) {
				queue_trypush(c->committed, (void *)(intptr_t)((struct page *)item)->host_id);
				page_free(item);
				atomic_fetch_sub(&c->pending, 1);
				continue;
			}
			if (!n)
				first = now_ms();
			batch[n++] = item;
		}
		if (n && (n == CRAWL_BATCH || rc != PRC_OK || now_ms() - first >= CRAWL_BATCH_MS)) {
			writer_flush(c, w->db, seen, batch, n);
			n = 0;
		}
		if (rc == PRC_DECLINED)
			break;
	}
	if (!seen) {
		atomic_store(&c->writer_failed, 1);
		snprintf(c->writer_error, sizeof(c->writer_error), "out of memory");
	}
	hset_free(seen);
	return NULL;
}

/* ---- the fetch thread ----------------------------------------------- */

static void hand_to_writer(struct crawl *c, struct page *p)
{
	struct frontier_host *h = frontier_find(c->frontier, p->host_id);

	if (h)
		h->pipeline++;
	atomic_fetch_add(&c->pending, 1);
	if (queue_push(c->store, p) != PRC_OK) {
		page_free(p);
		atomic_fetch_sub(&c->pending, 1);
	}
}

static void refuse_url(struct crawl *c, struct frontier_host *h, struct frontier_url *u,
		       const char *reason)
{
	struct page *p = page_new(h->id, u);

	if (!p)
		return;
	p->rec.refused = 1;
	p->rec.reason = reason;
	hand_to_writer(c, p);
}

static enum prc start_robots(struct crawl *c, struct frontier_host *h)
{
	struct fetch *x;
	char url[2300];
	struct err e;

	snprintf(url, sizeof(url), "%s/robots.txt", h->origin);
	x = fetch_new(url, h);
	if (!x)
		return PRC_NOMEM;
	x->is_robots = 1;
	if (fetcher_start(c->fetcher, x, &e) != PRC_OK) {
		fetch_free(x);
		return PRC_INTERNAL;
	}
	return PRC_OK;
}

static void robots_done(struct crawl *c, struct fetch *x)
{
	struct frontier_host *h = x->ud;
	struct robots *r = NULL;
	int64_t t = now_ms();
	struct err e;

	frontier_done(c->frontier, h, t, (long)((x->ended - x->started) * 1000), 0);
	if (x->refused) {
		/* the host's address is not one we may connect to: nothing of it will be */
		snprintf(h->blocked, sizeof(h->blocked), "%s", x->error);
		r = robots_disallow_all();
	} else if (x->status >= 200 && x->status < 300 && (x->result == CURLE_OK || x->truncated)) {
		/* a robots.txt over the cap is read up to it (RFC 9309 asks for at least 500 KiB) */
		r = robots_parse(buf_str(&x->body), x->body.len, CRAWL_AGENT_TOKEN);
	} else if (x->status >= 400 && x->status < 500) {
		r = robots_allow_all();
	} else if (++h->robots_tries < CRAWL_ROBOTS_TRIES) {
		/* 5xx or unreachable: nothing may be fetched; try again a little later */
		h->robots_state = FRONTIER_ROBOTS_NEEDED;
		h->next_ms = t + 1000L * (1L << h->robots_tries);
		return;
	} else {
		r = robots_disallow_all();
	}
	if (!r) {
		h->robots_state = FRONTIER_ROBOTS_NEEDED;
		return;
	}
	{
		/* honoured whatever its size: a long one gives the host back between requests */
		long cd = robots_crawl_delay_ms(r);

		h->crawl_delay_ms = cd > 0 ? cd : 0;
		if (cd > 0 && t + cd > h->next_ms)
			h->next_ms = t + cd;
	}
	frontier_set_robots(h, r);
	/* cache it for the other processes of the job and for --resume */
	if (x->status > 0) {
		struct arena *a = arena_new();
		const char *body = NULL;

		/* as the text column takes it: valid UTF-8, no NUL */
		if (a && x->status < 300)
			body = utf8_sanitize(a, buf_str(&x->body), x->body.len, NULL);
		if (crawlstore_save_robots(c->db, h->id, (int)x->status, body, &e) != PRC_OK)
			log_msg(LOG_WARN, "cannot cache robots.txt of '%s': %s", h->origin, e.msg);
		arena_free(a);
	}
}

/* Exponential back-off with jitter after consecutive failures: 1 s, 2 s, 4 s ... 5 min, x0.5..1.5. */
static long backoff_ms(int errors)
{
	long base = 1000L << (errors > 9 ? 9 : errors - 1);

	if (base > 300000)
		base = 300000;
	return base / 2 + (long)(rand() % (int)(base > 1 ? base : 2));
}

/* Counts a transfer that got no response by its cause, for the summary. */
static void note_failure(struct crawl *c, const struct fetch *x)
{
	enum fetch_failure f = fetch_failure_of(x);

	if (f == FETCH_FAIL_NONE)
		return;
	c->net_failed[f]++;
	{
		/* the origin: the URL up to the path */
		const char *sep = strstr(x->url, "://");
		size_t n = sep ? (size_t)(sep + 3 - x->url) + strcspn(sep + 3, "/?#") : strlen(x->url), i;

		if (n >= sizeof(c->failing[0].origin))
			n = sizeof(c->failing[0].origin) - 1;
		for (i = 0; i < c->nfailing; i++)
			if (!strncmp(c->failing[i].origin, x->url, n) && !c->failing[i].origin[n])
				break;
		if (i == c->nfailing && i < CRAWL_FAILING_HOSTS) {
			memcpy(c->failing[i].origin, x->url, n);
			c->failing[i].origin[n] = '\0';
			c->nfailing++;
		}
		if (i < c->nfailing)
			c->failing[i].failed[f]++;
	}
	if (!c->first_failure[0])
		snprintf(c->first_failure, sizeof(c->first_failure), "%.200s: %.100s", x->url,
			 x->error[0] ? x->error : fetch_failure_name(f));
}

static void page_done(struct crawl *c, struct fetch *x)
{
	struct page *p = x->ud;
	struct frontier_host *h = frontier_find(c->frontier, p->host_id);
	int network_error = !x->status && !x->refused && !x->truncated;
	int server_error = x->status >= 500 || x->status == 429;
	long extra = 0;

	p->fx = x;
	x->ud = NULL;
	atomic_fetch_add(&c->fetched, 1);
	if (!x->status)
		atomic_fetch_add(&c->errors, 1);
	if ((network_error || x->status == 429 || x->status == 503) && p->attempts < c->o->retries)
		p->rec.retry = 1; /* back to the queue; the delay below keeps the host polite */
	if (h) {
		if (network_error || server_error) {
			h->errors++;
			extra = backoff_ms(h->errors);
		} else {
			h->errors = 0;
		}
		if ((x->status == 429 || x->status == 503) && x->retry_after_s > 0)
			extra = x->retry_after_s * 1000L;
		if (h->crawl_delay_ms > extra)
			extra = h->crawl_delay_ms;
		frontier_done(c->frontier, h, now_ms(), (long)((x->ended - x->started) * 1000), extra);
	}
	if (queue_push(c->work, p) != PRC_OK) {
		page_free(p);
		atomic_fetch_sub(&c->pending, 1);
	}
}

static enum prc start_page(struct crawl *c, struct frontier_host *h, struct frontier_url *u)
{
	struct page *p;
	struct fetch *x;
	char *pq = url_path_query(u->url);
	struct err e;
	int allowed = pq ? robots_allowed(h->robots, pq) : 1;

	free(pq);
	if (!h->blocked[0] && allowed && traps_is_trap(c->traps, u->url)) {
		/* queued before its family was judged: not worth a request now */
		count_refusal(c, REFUSE_TRAP);
		refuse_url(c, h, u, refusal_name(REFUSE_TRAP));
		h->active--;
		c->remaining++;
		return PRC_OK;
	}
	if (h->blocked[0] || !allowed) {
		if (h->blocked[0]) {
			count_refusal(c, REFUSE_ADDRESS);
		} else {
			atomic_fetch_add(&c->robots_refused, 1);
			count_refusal(c, REFUSE_ROBOTS);
		}
		refuse_url(c, h, u, h->blocked[0] ? h->blocked : "robots");
		h->active--; /* nothing was requested: no delay owed */
		c->remaining++; /* --max-pages counts pages fetched, not refusals */
		return PRC_OK;
	}
	p = page_new(h->id, u);
	if (!p)
		return PRC_NOMEM;
	x = fetch_new(u->url, p);
	if (!x) {
		page_free(p);
		return PRC_NOMEM;
	}
	x->keep_headers = c->warc != NULL;
	/* a failing host's kept-alive connection may be dead: a request on it would be sent twice */
	x->fresh_connect = h->errors > 0;
	if (u->etag)
		x->if_none_match = arena_strdup(p->arena, u->etag);
	if (u->last_modified)
		x->if_modified_since = arena_strdup(p->arena, u->last_modified);
	atomic_fetch_add(&c->pending, 1);
	if (fetcher_start(c->fetcher, x, &e) != PRC_OK) {
		fetch_free(x);
		page_free(p);
		atomic_fetch_sub(&c->pending, 1);
		return err_set(c->e, PRC_INTERNAL, "%s", e.msg);
	}
	h->pipeline++;
	return PRC_OK;
}

/* Leases more hosts when this process has fewer than it can keep busy. */
static enum prc lease_more(struct crawl *c, int64_t *next_try)
{
	size_t want = (size_t)c->o->concurrency * 2, n = 0, i;
	struct store_host *hosts = NULL;
	enum prc rc;

	if (frontier_host_count(c->frontier) >= want || now_ms() < *next_try)
		return PRC_OK;
	*next_try = now_ms() + 500;
	rc = crawlstore_lease(c->db, c->job_id, c->owner, want - frontier_host_count(c->frontier),
			      c->o->lease_s, CRAWL_ROBOTS_TTL, &hosts, &n, c->e);
	if (rc != PRC_OK)
		return rc;
	*next_try = now_ms() + (n ? 100 : 500);
	for (i = 0; i < n; i++) {
		struct frontier_host *h = frontier_add_host(c->frontier, hosts[i].id, hosts[i].origin,
							    hosts[i].next_fetch_ms);

		if (h && hosts[i].robots_status >= 0) {
			struct robots *r = NULL;

			if (hosts[i].robots_status >= 200 && hosts[i].robots_status < 300)
				r = robots_parse(hosts[i].robots_body ? hosts[i].robots_body : "",
						 hosts[i].robots_body ? strlen(hosts[i].robots_body) : 0,
						 CRAWL_AGENT_TOKEN);
			else if (hosts[i].robots_status >= 400 && hosts[i].robots_status < 500)
				r = robots_allow_all();
			if (r) {
				long cd = robots_crawl_delay_ms(r);

				/*
				 * The Crawl-delay of a cached robots.txt holds as well, from
				 * now: the last request to the host may have been another
				 * process's (or a crashed one's) a moment ago.
				 */
				h->crawl_delay_ms = cd > 0 ? cd : 0;
				if (cd > 0 && now_ms() + cd > h->next_ms)
					h->next_ms = now_ms() + cd;
				frontier_set_robots(h, r);
			}
		}
		crawlstore_host_release(&hosts[i]);
		if (!h)
			rc = err_set(c->e, PRC_NOMEM, "out of memory");
	}
	free(hosts);
	return rc;
}

/*
 * Claims URLs for hosts whose in-memory queue ran dry, gives back hosts with
 * nothing left or with a long wait ahead (so the lease slot serves another
 * host meanwhile), and parks hosts that keep failing.
 */
static enum prc refill(struct crawl *c)
{
	struct frontier_host *h, *next;
	enum prc rc = PRC_OK;
	int64_t t = now_ms();

	for (h = frontier_first(c->frontier); h; h = next) {
		struct store_url *urls = NULL;
		size_t n = 0, i, want = CRAWL_CLAIM;
		int idle;

		next = h->next;
		idle = h->active == 0 && h->pipeline == 0;
		if (idle && c->o->max_host_errors > 0 && h->errors >= c->o->max_host_errors) {
			log_msg(LOG_WARN, "parking '%s' after %d failures in a row", h->origin, h->errors);
			rc = crawlstore_park(c->db, h->id, c->owner, "repeated failures", c->e);
			if (rc != PRC_OK)
				return rc;
			atomic_fetch_add(&c->hosts_parked, 1);
			atomic_fetch_add(&c->refused[REFUSE_HOST_PARKED], h->queued);
			frontier_remove_host(c->frontier, h);
			continue;
		}
		if (idle && h->next_ms - t > c->o->max_crawl_delay_ms) {
			/* deferred, not dropped: whoever leases it when it is due goes on */
			rc = crawlstore_release(c->db, h->id, c->owner, h->next_ms, c->e);
			if (rc != PRC_OK)
				return rc;
			frontier_remove_host(c->frontier, h);
			continue;
		}
		if (h->queued || h->robots_state == FRONTIER_ROBOTS_FETCHING)
			continue;
		if (c->o->max_pages > 0) {
			if (c->remaining <= 0)
				want = 0;
			else if ((int64_t)want > c->remaining)
				want = (size_t)c->remaining;
		}
		if (want && !h->exhausted) {
			int64_t over = 0;

			rc = crawlstore_claim(c->db, h->id, c->owner, want, c->o->max_pages_per_host, &urls, &n,
					      &over, c->e);
			if (rc != PRC_OK)
				return rc;
			atomic_fetch_add(&c->refused[REFUSE_HOST_BUDGET], (unsigned long long)over);
			for (i = 0; i < n; i++) {
				struct frontier_url *u = frontier_push(h, urls[i].id, urls[i].url, urls[i].depth,
								       urls[i].hops);

				if (!u) {
					rc = err_set(c->e, PRC_NOMEM, "out of memory");
				} else {
					u->attempts = urls[i].attempts;
					u->etag = urls[i].etag;
					u->last_modified = urls[i].last_modified;
					urls[i].etag = urls[i].last_modified = NULL;
				}
				crawlstore_url_release(&urls[i]);
			}
			free(urls);
			if (rc != PRC_OK)
				return rc;
			c->remaining -= (int64_t)n;
			if (n == 0)
				h->exhausted = 1;
		}
		if (!h->queued && idle && (h->exhausted || !want)) {
			rc = crawlstore_release(c->db, h->id, c->owner, h->next_ms, c->e);
			if (rc != PRC_OK)
				return rc;
			frontier_remove_host(c->frontier, h);
		}
	}
	return PRC_OK;
}

static enum prc renew(struct crawl *c)
{
	int64_t *held = NULL, *lost = NULL;
	size_t n = frontier_host_count(c->frontier), i = 0, nlost = 0;
	struct frontier_host *h;
	enum prc rc;

	if (n) {
		held = calloc(n, sizeof(*held));
		if (!held)
			return err_set(c->e, PRC_NOMEM, "out of memory");
		for (h = frontier_first(c->frontier); h; h = h->next)
			held[i++] = h->id;
	}
	rc = crawlstore_renew(c->db, c->job_id, c->owner, c->o->lease_s, held, n, &lost, &nlost, c->e);
	for (i = 0; rc == PRC_OK && i < nlost; i++) {
		h = frontier_find(c->frontier, lost[i]);
		log_msg(LOG_WARN, "lost the lease of '%s'; another worker has it now",
			h ? h->origin : "?");
		/* in-flight pages of the host will find their claims gone and be dropped */
		if (h && h->active == 0)
			frontier_remove_host(c->frontier, h);
		else if (h) {
			frontier_clear(h);
			h->exhausted = 1;
		}
	}
	free(held);
	free(lost);
	return rc;
}

static void report(struct crawl *c, struct crawl_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->fetched = atomic_load(&c->fetched);
	s->stored = atomic_load(&c->stored);
	s->errors = atomic_load(&c->errors);
	s->robots_refused = atomic_load(&c->robots_refused);
	s->ssrf_refused = c->fetcher ? fetcher_refused(c->fetcher) : 0;
	s->hits = atomic_load(&c->hits);
	s->bytes = atomic_load(&c->bytes);
	s->links_new = atomic_load(&c->links_new);
	s->lost_claims = atomic_load(&c->lost_claims);
	s->retries = atomic_load(&c->retries);
	s->unchanged = atomic_load(&c->unchanged);
	s->hosts_parked = atomic_load(&c->hosts_parked);
	s->aliases = atomic_load(&c->aliases);
	s->trap_families = atomic_load(&c->trap_families);
	s->quarantined = atomic_load(&c->quarantined);
	{
		int k;

		/* report() runs on the fetch thread: its own CPU time is the fetch stage */
		atomic_store(&c->stage_ns[STAGE_FETCH], thread_cpu_ns() - c->fetch_cpu0);
		for (k = 0; k < STAGE_COUNT; k++)
			s->stage_cpu_s[k] = (double)atomic_load(&c->stage_ns[k]) / 1e9;
	}
	{
		int i;

		for (i = 0; i < REFUSE_COUNT; i++)
			s->refused[i] = atomic_load(&c->refused[i]);
	}
	memcpy(s->net_failed, c->net_failed, sizeof(s->net_failed));
	memcpy(s->first_failure, c->first_failure, sizeof(s->first_failure));
	memcpy(s->failing, c->failing, sizeof(s->failing));
	s->nfailing = c->nfailing;
	s->queued = c->queued;
	s->hosts = c->frontier ? frontier_host_count(c->frontier) : 0;
	s->in_flight = c->fetcher ? fetcher_active(c->fetcher) : 0;
	s->elapsed_s = now_s() - c->started;
}

/*
 * Writes the figures in Prometheus' text format to a temporary file and
 * renames it over the stats file, so a reader never sees half of it.
 */
static void write_stats(struct crawl *c, const struct crawl_stats *s)
{
	char tmp[4200];
	FILE *f;
	int i;

	if (!c->o->stats_file)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", c->o->stats_file);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "# HELP patrol_pages_fetched_total Responses received.\n"
		   "# TYPE patrol_pages_fetched_total counter\n"
		   "patrol_pages_fetched_total %llu\n",
		(unsigned long long)s->fetched);
	fprintf(f, "# TYPE patrol_records_stored_total counter\npatrol_records_stored_total %llu\n",
		(unsigned long long)s->stored);
	fprintf(f, "# TYPE patrol_bytes_total counter\npatrol_bytes_total %llu\n",
		(unsigned long long)s->bytes);
	fprintf(f, "# TYPE patrol_hits_total counter\npatrol_hits_total %llu\n",
		(unsigned long long)s->hits);
	fprintf(f, "# TYPE patrol_errors_total counter\n"
		   "patrol_errors_total{kind=\"transfer\"} %llu\n"
		   "patrol_errors_total{kind=\"lost_claim\"} %llu\n",
		(unsigned long long)s->errors, (unsigned long long)s->lost_claims);
	fprintf(f, "# TYPE patrol_retries_total counter\npatrol_retries_total %llu\n",
		(unsigned long long)s->retries);
	fprintf(f, "# TYPE patrol_unchanged_total counter\npatrol_unchanged_total %llu\n",
		(unsigned long long)s->unchanged);
	fprintf(f, "# TYPE patrol_refused_total counter\n");
	for (i = 1; i < REFUSE_COUNT; i++)
		fprintf(f, "patrol_refused_total{reason=\"%s\"} %llu\n", refusal_name((enum refusal)i),
			(unsigned long long)s->refused[i]);
	fprintf(f, "# TYPE patrol_queue_size gauge\n"
		   "patrol_queue_size{queue=\"frontier\"} %llu\n"
		   "patrol_queue_size{queue=\"work\"} %zu\n"
		   "patrol_queue_size{queue=\"store\"} %zu\n",
		(unsigned long long)s->queued, c->work ? queue_len(c->work) : 0,
		c->store ? queue_len(c->store) : 0);
	fprintf(f, "# TYPE patrol_hosts_leased gauge\npatrol_hosts_leased %zu\n", s->hosts);
	fprintf(f, "# TYPE patrol_hosts_parked_total counter\npatrol_hosts_parked_total %llu\n",
		(unsigned long long)s->hosts_parked);
	fprintf(f, "# TYPE patrol_transfers_in_flight gauge\npatrol_transfers_in_flight %zu\n",
		s->in_flight);
	fprintf(f, "# TYPE patrol_elapsed_seconds gauge\npatrol_elapsed_seconds %.3f\n", s->elapsed_s);
	fprintf(f, "# HELP patrol_stage_cpu_seconds_total CPU time spent in each stage of the page path and the store.\n"
		   "# TYPE patrol_stage_cpu_seconds_total counter\n");
	for (i = 0; i < STAGE_COUNT; i++)
		fprintf(f, "patrol_stage_cpu_seconds_total{stage=\"%s\"} %.3f\n", crawl_stage_name((enum crawl_stage)i),
			s->stage_cpu_s[i]);
	if (fclose(f) == 0)
		rename(tmp, c->o->stats_file);
	else
		unlink(tmp);
}

/* Seeds go in as depth-0 URLs of seed hosts; their origins make the host scope. */
static enum prc add_seeds(struct crawl *c)
{
	struct store_link *links;
	char **canon;
	size_t i, n = c->o->nseeds;
	enum prc rc = PRC_OK;
	struct err e;

	if (!n)
		return PRC_OK;
	links = calloc(n, sizeof(*links));
	canon = calloc(n * 2, sizeof(char *));
	if (!links || !canon) {
		rc = err_set(c->e, PRC_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (url_canonicalize(c->o->seeds[i], &c->uopts, &canon[2 * i], &e) != PRC_OK) {
			rc = err_set(c->e, PRC_INVALID, "bad seed: %s", e.msg);
			goto out;
		}
		if (c->nkeepq && !url_matches(c->keepq, c->nkeepq, canon[2 * i]) &&
		    url_sort_query(canon[2 * i]) != PRC_OK) {
			rc = err_set(c->e, PRC_NOMEM, "out of memory");
			goto out;
		}
		canon[2 * i + 1] = url_origin(canon[2 * i]);
		if (!canon[2 * i + 1]) {
			rc = err_set(c->e, PRC_NOMEM, "out of memory");
			goto out;
		}
		links[i].url = canon[2 * i];
		links[i].origin = canon[2 * i + 1];
	}
	rc = crawlstore_add_urls(c->db, c->job_id, links, n, 1, NULL, c->e);
out:
	for (i = 0; canon && i < 2 * n; i++)
		free(canon[i]);
	free(canon);
	free(links);
	return rc;
}

static enum prc compile_patterns(struct crawl *c, const char *const *src, size_t n, regex_t **out,
				 size_t *nout)
{
	size_t i;
	int rc;

	*nout = 0;
	if (!n)
		return PRC_OK;
	*out = calloc(n, sizeof(regex_t));
	if (!*out)
		return err_set(c->e, PRC_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		rc = regcomp(&(*out)[i], src[i], REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[256];

			regerror(rc, &(*out)[i], msg, sizeof(msg));
			return err_set(c->e, PRC_INVALID, "bad URL pattern '%s': %s", src[i], msg);
		}
		(*nout)++;
	}
	return PRC_OK;
}

static void free_patterns(regex_t *re, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		regfree(&re[i]);
	free(re);
}

static enum prc crawl_setup(struct crawl *c)
{
	char config[512];
	char **origins = NULL;
	size_t norigins = 0, i, reaped = 0;
	int created = 0;
	enum prc rc;

	rc = compile_patterns(c, c->o->allow_url, c->o->nallow, &c->allow, &c->nallow);
	if (rc == PRC_OK)
		rc = compile_patterns(c, c->o->deny_url, c->o->ndeny, &c->deny, &c->ndeny);
	if (rc == PRC_OK)
		rc = compile_patterns(c, c->o->keep_query_order, c->o->nkeep_query_order, &c->keepq,
				      &c->nkeepq);
	if (rc != PRC_OK)
		return rc;
	c->uopts.keep_query_order = c->link_uopts.keep_query_order = c->nkeepq > 0;
	c->traps = traps_new(&c->o->traps);
	if (!c->traps)
		return err_set(c->e, PRC_NOMEM, "out of memory");
	if (c->o->warc_dir) {
		c->warc = warc_open(c->o->warc_dir, "patrol", c->o->warc_rotate_bytes, c->e);
		if (!c->warc)
			return PRC_IO;
	}
	rc = db_connect(c->o->conninfo, &c->db, c->e);
	if (rc != PRC_OK)
		return rc;
	rc = db_migrate(c->db, NULL, c->e);
	if (rc != PRC_OK)
		return rc;
	snprintf(config, sizeof(config),
		 "{\"scope\": \"%s\", \"max_depth\": %d, \"max_pages\": %ld, \"user_agent_token\": \"%s\"}",
		 c->o->scope == CRAWL_SCOPE_HOST ? "host" : c->o->scope == CRAWL_SCOPE_DOMAIN ? "domain" : "any",
		 c->o->max_depth, c->o->max_pages, CRAWL_AGENT_TOKEN);
	rc = crawlstore_job(c->db, c->o->job, config, !c->o->resume, &c->job_id, &created, c->e);
	if (rc != PRC_OK)
		return rc;
	if (!c->o->nseeds && created)
		return err_set(c->e, PRC_INVALID, "job '%s' is new and no seed was given", c->o->job);
	rc = add_seeds(c);
	if (rc != PRC_OK)
		return rc;
	c->scope.kind = c->o->scope;
	if (c->o->resume && !c->o->scope_given) {
		/* a resumed job follows the links its first run followed */
		char *v = NULL;

		rc = crawlstore_job_setting(c->db, c->job_id, "scope", &v, c->e);
		if (rc != PRC_OK)
			return rc;
		if (v && !strcmp(v, "domain"))
			c->scope.kind = CRAWL_SCOPE_DOMAIN;
		else if (v && !strcmp(v, "any"))
			c->scope.kind = CRAWL_SCOPE_ANY;
		else if (v)
			c->scope.kind = CRAWL_SCOPE_HOST;
		free(v);
	}
	rc = crawlstore_seed_origins(c->db, c->job_id, &origins, &norigins, c->e);
	if (rc != PRC_OK)
		return rc;
	rc = scope_build(c, origins, norigins);
	for (i = 0; i < norigins; i++)
		free(origins[i]);
	free(origins);
	if (rc != PRC_OK)
		return rc;
	/* URL families judged traps before (--resume, other processes) stay cut */
	rc = crawlstore_load_traps(c->db, c->job_id, mark_trap, c, c->e);
	if (rc != PRC_OK)
		return rc;
	rc = crawlstore_reap_local(c->db, c->job_id, c->hostname, &reaped, c->e);
	if (rc == PRC_OK && reaped)
		log_msg(LOG_INFO, "took over the leases of %zu dead local worker(s)", reaped);
	if (rc == PRC_OK && c->o->recrawl_after_s > 0) {
		int64_t n = 0;

		rc = crawlstore_requeue_older(c->db, c->job_id, c->o->recrawl_after_s, &n, c->e);
		if (rc == PRC_OK && n)
			log_msg(LOG_INFO, "%lld page(s) queued for recrawl", (long long)n);
	}
	return rc;
}

static enum prc crawl_threads(struct crawl *c, struct worker_arg *wargs, struct writer_arg *warg)
{
	struct err e;
	int i;

	c->nworkers = c->o->workers > 0 ? c->o->workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (c->nworkers < 1)
		c->nworkers = 1;
	if (c->nworkers > 64)
		c->nworkers = 64;
	c->work = queue_new((size_t)c->nworkers * 2);
	/*
	 * Pages fetched and not yet committed are fetched again after a crash:
	 * at most the transfers in flight, the work queue, one page per worker,
	 * this queue and the writer's batch. Keep this queue to one batch.
	 */
	c->store = queue_new(CRAWL_BATCH);
	/* more than the pipeline can ever hold: the writer never waits on it */
	c->committed = queue_new((size_t)c->o->concurrency + (size_t)c->nworkers * 8 + CRAWL_BATCH * 8 + 1024);
	c->workers = calloc((size_t)c->nworkers, sizeof(pthread_t));
	if (!c->work || !c->store || !c->committed || !c->workers)
		return err_set(c->e, PRC_NOMEM, "out of memory");
	if (db_connect(c->o->conninfo, &warg->db, c->e) != PRC_OK)
		return PRC_DB;
	warg->c = c;
	if (pthread_create(&c->writer, NULL, writer_main, warg) != 0)
		return err_set(c->e, PRC_INTERNAL, "cannot start the writer thread");
	c->writer_started = 1;
	for (i = 0; i < c->nworkers; i++) {
		wargs[i].c = c;
		if (c->o->rules) {
			wargs[i].rs = rulehub_current_gen(c->o->rules, &wargs[i].gen);
			wargs[i].cl = classifier_new(wargs[i].rs, &e);
			if (!wargs[i].cl)
				return err_set(c->e, PRC_INTERNAL, "cannot start a classifier: %s", e.msg);
		}
	}
	for (i = 0; i < c->nworkers; i++) {
		if (pthread_create(&c->workers[i], NULL, worker_main, &wargs[i]) != 0) {
			c->nworkers = i;
			return err_set(c->e, PRC_INTERNAL, "cannot start worker threads");
		}
	}
	return PRC_OK;
}

/*
 * A failed database step of the fetch thread: a lost connection, a deadlock
 * or a serialization failure is waited out (reconnecting, backing off) for
 * about two minutes before the crawl gives up; anything else ends the crawl.
 * Returns PRC_OK to go on.
 */
static enum prc db_step_failed(struct crawl *c, enum prc rc, int *failures)
{
	const char *st = db_sqlstate(c->db);
	struct err e;
	long ms;

	if (PQstatus(db_conn(c->db)) == CONNECTION_OK && strcmp(st, "40P01") != 0 &&
	    strcmp(st, "40001") != 0)
		return rc;
	if (++*failures > 40)
		return rc;
	log_msg(LOG_WARN, "database: %s; trying again", c->e->msg);
	ms = 100L << (*failures < 6 ? *failures : 6);
	usleep((useconds_t)ms * 1000);
	if (db_ensure(c->db, &e) != PRC_OK)
		log_msg(LOG_WARN, "%s", e.msg);
	return PRC_OK;
}

/* The fetch thread's loop. */
static enum prc crawl_loop(struct crawl *c)
{
	int db_failures = 0;
	int64_t last_renew = now_ms(), last_progress = now_ms(), next_lease = 0, last_pending = 0;
	struct crawl_stats s;
	enum prc rc = PRC_OK;
	int stopping = 0;

	if (c->o->max_pages > 0) {
		int64_t used = 0;

		rc = crawlstore_used(c->db, c->job_id, &used, c->e);
		if (rc != PRC_OK)
			return rc;
		c->remaining = c->o->max_pages - used;
	}
	for (;;) {
		int64_t t = now_ms();
		struct frontier_host *h;
		struct frontier_url *u;
		struct fetch *x;
		long wait;

		if (atomic_load(&c->writer_failed))
			return err_set(c->e, PRC_DB, "cannot store results: %s", c->writer_error);
		if (c->o->stop && *c->o->stop)
			stopping = 1;
		if (c->o->reload && *c->o->reload && c->o->rules) {
			*c->o->reload = 0;
			log_msg(LOG_INFO, "reloading the rules");
			rulehub_reload_async(c->o->rules);
		}
		if (t - last_renew >= CRAWL_RENEW_MS) {
			rc = renew(c);
			if (rc != PRC_OK) {
				if ((rc = db_step_failed(c, rc, &db_failures)) != PRC_OK)
					return rc;
			} else {
				last_renew = t;
			}
		}
		if (!stopping) {
			rc = lease_more(c, &next_lease);
			if (rc == PRC_OK)
				rc = refill(c);
			if (rc != PRC_OK) {
				if ((rc = db_step_failed(c, rc, &db_failures)) != PRC_OK)
					return rc;
			} else {
				db_failures = 0;
			}
		}
		/* start what politeness allows */
		while (!stopping && fetcher_active(c->fetcher) < (size_t)c->o->concurrency) {
			h = frontier_next_robots(c->frontier, now_ms());
			if (h) {
				if (start_robots(c, h) != PRC_OK) {
					h->active--;
					h->robots_state = FRONTIER_ROBOTS_NEEDED;
					break;
				}
				continue;
			}
			u = frontier_next(c->frontier, now_ms(), &h);
			if (!u)
				break;
			rc = start_page(c, h, u);
			frontier_url_free(u);
			if (rc != PRC_OK)
				return rc;
		}
		/* curl_multi_poll returns early on network activity, so this only bounds idling */
		wait = frontier_wait_ms(c->frontier, now_ms());
		if (wait < 0 || wait > 100 || fetcher_active(c->fetcher) >= (size_t)c->o->concurrency)
			wait = 100;
		fetcher_run(c->fetcher, wait > 0 ? wait : 1);
		{
			void *hid;

			/* a committed page may have queued new URLs on its host: look again */
			while (queue_pop_timed(c->committed, &hid, 0) == PRC_OK) {
				h = frontier_find(c->frontier, (int64_t)(intptr_t)hid);
				if (h) {
					h->pipeline--;
					h->exhausted = 0;
				}
			}
		}
		while ((x = fetcher_done(c->fetcher))) {
			note_failure(c, x);
			if (x->is_robots) {
				robots_done(c, x);
				fetch_free(x);
			} else {
				page_done(c, x);
			}
		}
		if ((c->o->progress || c->o->stats_file) && now_ms() - last_progress >= 1000) {
			last_progress = now_ms();
			report(c, &s);
			if (c->o->progress)
				c->o->progress(&s, c->o->progress_ud);
			write_stats(c, &s);
		}
		/* the end? */
		if (fetcher_active(c->fetcher) == 0 && atomic_load(&c->pending) == 0) {
			int64_t queued = 0, claimed = 0;

			if (stopping)
				break;
			if (frontier_queued(c->frontier) || frontier_wait_ms(c->frontier, now_ms()) >= 0)
				continue;
			if (frontier_host_count(c->frontier) && c->o->max_pages <= 0)
				continue;
			if (now_ms() - last_pending < 200)
				continue;
			last_pending = now_ms();
			rc = crawlstore_pending(c->db, c->job_id, &queued, &claimed, c->e);
			if (rc != PRC_OK) {
				if ((rc = db_step_failed(c, rc, &db_failures)) != PRC_OK)
					return rc;
				continue;
			}
			c->queued = (uint64_t)queued;
			if (c->o->max_pages > 0 && c->remaining <= 0)
				break;
			if (!queued && !claimed)
				break;
			if (queued && frontier_host_count(c->frontier) == 0)
				next_lease = 0;
		}
	}
	return PRC_OK;
}

/*
 * Who "this machine" is for judging leases: the host name and the PID
 * namespace ("host/ns4026531836"). A lease whose owner has this identity and
 * whose process is gone is taken over at once; one of another namespace (a
 * container with the same host name) only when it expires, since its PID
 * means nothing here.
 */
static void local_identity(char *out, size_t size)
{
	char host[64] = "", ns[32] = "";
	ssize_t n;
	size_t i, k = 0;

	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "unknown");
	n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 0] = '\0';
	for (i = 0; ns[i]; i++)
		if (ns[i] >= '0' && ns[i] <= '9')
			ns[k++] = ns[i];
	ns[k] = '\0';
	/* ':' separates the owner's fields */
	for (i = 0; host[i]; i++)
		if (host[i] == ':')
			host[i] = '_';
	snprintf(out, size, "%s/ns%s", host, ns);
}

void crawl_stats_release(struct crawl_stats *s)
{
	free(s->families);
	s->families = NULL;
	s->nfamilies = 0;
}

enum prc crawl_run(const struct crawl_opts *o, struct crawl_stats *stats, struct err *e)
{
	struct crawl c;
	struct worker_arg *wargs = NULL;
	struct writer_arg warg = { 0 };
	struct fetcher_opts fo;
	unsigned char nonce[4];
	enum prc rc;
	struct err e2;
	int i;

	memset(&c, 0, sizeof(c));
	memset(stats, 0, sizeof(*stats));
	c.o = o;
	c.e = e;
	c.started = now_s();
	c.fetch_cpu0 = thread_cpu_ns();
	c.uopts.max_len = o->traps.max_url_length ? o->traps.max_url_length : URL_MAX_LEN_DEFAULT;
	c.link_uopts = c.uopts;
	c.link_uopts.max_len = 64 * 1024;
	c.imagehash = o->imagehash;
	srand((unsigned)getpid() ^ (unsigned)now_ms());
	local_identity(c.hostname, sizeof(c.hostname));
	{
		FILE *rnd = fopen("/dev/urandom", "rb");

		if (!rnd || fread(nonce, 1, sizeof(nonce), rnd) != sizeof(nonce))
			memset(nonce, 0, sizeof(nonce));
		if (rnd)
			fclose(rnd);
	}
	snprintf(c.owner, sizeof(c.owner), "%s:%ld:%02x%02x%02x%02x", c.hostname, (long)getpid(), nonce[0],
		 nonce[1], nonce[2], nonce[3]);

	rc = crawl_setup(&c);
	if (rc != PRC_OK)
		goto out;
	memset(&fo, 0, sizeof(fo));
	fo.user_agent = o->user_agent;
	fo.max_body = o->max_body;
	fo.allow_private = o->allow_private;
	fo.max_connections = o->concurrency;
	fo.timeout_ms = o->timeout_ms;
	fo.connect_timeout_ms = o->connect_timeout_ms;
	c.fetcher = fetcher_new(&fo, e);
	c.frontier = frontier_new(o->per_host, o->delay_ms, o->delay_factor);
	wargs = calloc(64, sizeof(*wargs));
	if (!c.fetcher || !c.frontier || !wargs) {
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	rc = crawl_threads(&c, wargs, &warg);
	if (rc == PRC_OK)
		rc = crawl_loop(&c);
out:
	/* drain: transfers in flight are dropped (their URLs stay claimed, then released) */
	fetcher_free(c.fetcher);
	c.fetcher = NULL;
	if (c.work)
		queue_close(c.work);
	for (i = 0; i < c.nworkers; i++)
		pthread_join(c.workers[i], NULL);
	if (c.store)
		queue_close(c.store);
	if (c.writer_started)
		pthread_join(c.writer, NULL);
	if (rc == PRC_OK && atomic_load(&c.writer_failed))
		rc = err_set(e, PRC_DB, "cannot store results: %s", c.writer_error);
	if (c.db && c.job_id && c.traps)
		save_families(&c, c.db);
	if (c.db && c.job_id) {
		if (crawlstore_release_all(c.db, c.job_id, c.owner, &e2) != PRC_OK)
			log_msg(LOG_WARN, "cannot release leases: %s", e2.msg);
	}
	report(&c, stats);
	write_stats(&c, stats);
	if (c.traps && traps_report(c.traps, &stats->families, &stats->nfamilies) != PRC_OK)
		log_msg(LOG_WARN, "cannot report the URL families: out of memory");
	for (i = 0; wargs && i < 64; i++) {
		classifier_free(wargs[i].cl);
		ruleset_unref(wargs[i].rs);
	}
	free(wargs);
	free(c.workers);
	queue_free(c.work);
	queue_free(c.store);
	queue_free(c.committed);
	frontier_free(c.frontier);
	scope_release(&c.scope);
	traps_free(c.traps);
	warc_close(c.warc);
	free_patterns(c.allow, c.nallow);
	free_patterns(c.deny, c.ndeny);
	free_patterns(c.keepq, c.nkeepq);
	db_free(warg.db);
	db_free(c.db);
	return rc;
}
