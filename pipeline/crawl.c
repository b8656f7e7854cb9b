/*
 * crawl.c - one crawl process from seeds to stored results: the fetch thread.
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
 *
 * This file is the fetch thread (leases, claims, robots.txt, transfers, the
 * loop and its end), the setup and teardown of a crawl, and its figures (the
 * summary and the Prometheus stats file). The workers are in crawl-page.c,
 * the writer in crawl-writer.c, link filtering in crawl-scope.c.
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
#include "classifiers/rulehub.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/robots.h"
#include "crawler/traps.h"
#include "crawler/url.h"
#include "crawler/warc.h"
#include "pipeline/crawl-int.h"
#include "pipeline/page.h"
#include "store/crawlstore.h"
#include "store/db.h"
#include "store/heartbeat.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/queue.h"
#include "util/utf8.h"

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
	o->max_body = PAGE_MAX_BODY_DEFAULT;
	o->max_links = PAGE_MAX_LINKS_DEFAULT;
	o->max_text = PAGE_MAX_TEXT_DEFAULT;
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

/* CPU time of the calling thread, in nanoseconds. */
uint64_t crawl_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Charges the CPU time since *mark to stage and moves *mark to now. */
void crawl_stage_charge(struct crawl *c, enum crawl_stage st, uint64_t *mark)
{
	uint64_t t = crawl_cpu_ns();

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

int64_t crawl_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static double now_s(void)
{
	return (double)crawl_now_ms() / 1000.0;
}

/* ---- the fetch thread ----------------------------------------------- */

static void hand_to_writer(struct crawl *c, struct crawl_page *p)
{
	struct frontier_host *h = frontier_find(c->frontier, p->host_id);

	if (h)
		h->pipeline++;
	atomic_fetch_add(&c->pending, 1);
	if (queue_push(c->store, p) != PRC_OK) {
		crawl_page_free(p);
		atomic_fetch_sub(&c->pending, 1);
	}
}

static void refuse_url(struct crawl *c, struct frontier_host *h, struct frontier_url *u,
		       const char *reason)
{
	struct crawl_page *p = crawl_page_new(h->id, u);

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
	int64_t t = crawl_now_ms();
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
	struct crawl_page *p = x->ud;
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
		frontier_done(c->frontier, h, crawl_now_ms(), (long)((x->ended - x->started) * 1000), extra);
	}
	if (queue_push(c->work, p) != PRC_OK) {
		crawl_page_free(p);
		atomic_fetch_sub(&c->pending, 1);
	}
}

static enum prc start_page(struct crawl *c, struct frontier_host *h, struct frontier_url *u)
{
	struct crawl_page *p;
	struct fetch *x;
	char *pq = url_path_query(u->url);
	struct err e;
	int allowed = pq ? robots_allowed(h->robots, pq) : 1;

	free(pq);
	if (!h->blocked[0] && allowed && traps_is_trap(c->traps, u->url)) {
		/* queued before its family was judged: not worth a request now */
		crawl_count_refusal(c, REFUSE_TRAP);
		refuse_url(c, h, u, refusal_name(REFUSE_TRAP));
		h->active--;
		c->remaining++;
		return PRC_OK;
	}
	if (h->blocked[0] || !allowed) {
		if (h->blocked[0]) {
			crawl_count_refusal(c, REFUSE_ADDRESS);
		} else {
			atomic_fetch_add(&c->robots_refused, 1);
			crawl_count_refusal(c, REFUSE_ROBOTS);
		}
		refuse_url(c, h, u, h->blocked[0] ? h->blocked : "robots");
		h->active--; /* nothing was requested: no delay owed */
		c->remaining++; /* --max-pages counts pages fetched, not refusals */
		return PRC_OK;
	}
	p = crawl_page_new(h->id, u);
	if (!p)
		return PRC_NOMEM;
	x = fetch_new(u->url, p);
	if (!x) {
		crawl_page_free(p);
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
		crawl_page_free(p);
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

	if (frontier_host_count(c->frontier) >= want || crawl_now_ms() < *next_try)
		return PRC_OK;
	*next_try = crawl_now_ms() + 500;
	rc = crawlstore_lease(c->db, c->job_id, c->owner, want - frontier_host_count(c->frontier),
			      c->o->lease_s, CRAWL_ROBOTS_TTL, &hosts, &n, c->e);
	if (rc != PRC_OK)
		return rc;
	*next_try = crawl_now_ms() + (n ? 100 : 500);
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
				if (cd > 0 && crawl_now_ms() + cd > h->next_ms)
					h->next_ms = crawl_now_ms() + cd;
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
	int64_t t = crawl_now_ms();

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
		atomic_store(&c->stage_ns[STAGE_FETCH], crawl_cpu_ns() - c->fetch_cpu0);
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
		if (c->nkeepq && !crawl_url_matches(c->keepq, c->nkeepq, canon[2 * i]) &&
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

/* The scope: a resumed job keeps its own unless one is given; the seed origins make its keys. */
static enum prc setup_scope(struct crawl *c)
{
	char **origins = NULL;
	size_t norigins = 0, i;
	enum prc rc;

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
	rc = crawl_scope_build(c, origins, norigins);
	for (i = 0; i < norigins; i++)
		free(origins[i]);
	free(origins);
	return rc;
}

static enum prc crawl_setup(struct crawl *c)
{
	char config[512];
	size_t reaped = 0;
	int created = 0;
	enum prc rc;

	rc = crawl_patterns_compile(c, c->o->allow_url, c->o->nallow, &c->allow, &c->nallow);
	if (rc == PRC_OK)
		rc = crawl_patterns_compile(c, c->o->deny_url, c->o->ndeny, &c->deny, &c->ndeny);
	if (rc == PRC_OK)
		rc = crawl_patterns_compile(c, c->o->keep_query_order, c->o->nkeep_query_order, &c->keepq,
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
	rc = setup_scope(c);
	if (rc != PRC_OK)
		return rc;
	/* URL families judged traps before (--resume, other processes) stay cut */
	rc = crawlstore_load_traps(c->db, c->job_id, crawl_mark_trap, c, c->e);
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
	if (pthread_create(&c->writer, NULL, crawl_writer_main, warg) != 0)
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
		if (pthread_create(&c->workers[i], NULL, crawl_worker_main, &wargs[i]) != 0) {
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

	if (db_connected(c->db) && strcmp(st, "40P01") != 0 &&
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

/* Starts the transfers politeness allows now: robots.txt first, then pages. */
static enum prc start_transfers(struct crawl *c)
{
	struct frontier_host *h;
	struct frontier_url *u;
	enum prc rc;

	while (fetcher_active(c->fetcher) < (size_t)c->o->concurrency) {
		h = frontier_next_robots(c->frontier, crawl_now_ms());
		if (h) {
			if (start_robots(c, h) != PRC_OK) {
				h->active--;
				h->robots_state = FRONTIER_ROBOTS_NEEDED;
				break;
			}
			continue;
		}
		u = frontier_next(c->frontier, crawl_now_ms(), &h);
		if (!u)
			break;
		rc = start_page(c, h, u);
		frontier_url_free(u);
		if (rc != PRC_OK)
			return rc;
	}
	return PRC_OK;
}

/* Takes the writer's word on committed pages, and the transfers that ended. */
static void take_finished(struct crawl *c)
{
	struct frontier_host *h;
	struct fetch *x;
	void *hid;

	/* a committed page may have queued new URLs on its host: look again */
	while (queue_pop_timed(c->committed, &hid, 0) == PRC_OK) {
		h = frontier_find(c->frontier, (int64_t)(intptr_t)hid);
		if (h) {
			h->pipeline--;
			h->exhausted = 0;
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
}

/* The state of the fetch thread's loop. */
struct loop {
	int db_failures;
	int stopping;
	int64_t last_renew, last_progress, next_lease, last_pending;
};

/*
 * Whether the crawl is over (1), goes on (0), or must stop (-1, *rc set):
 * nothing in flight or pending here, and the job has no URL queued or
 * claimed by anyone (or --max-pages is used up).
 */
static int crawl_over(struct crawl *c, struct loop *l, enum prc *rc)
{
	int64_t queued = 0, claimed = 0;

	if (fetcher_active(c->fetcher) != 0 || atomic_load(&c->pending) != 0)
		return 0;
	if (l->stopping)
		return 1;
	if (frontier_queued(c->frontier) || frontier_wait_ms(c->frontier, crawl_now_ms()) >= 0)
		return 0;
	if (frontier_host_count(c->frontier) && c->o->max_pages <= 0)
		return 0;
	if (crawl_now_ms() - l->last_pending < 200)
		return 0;
	l->last_pending = crawl_now_ms();
	*rc = crawlstore_pending(c->db, c->job_id, &queued, &claimed, c->e);
	if (*rc != PRC_OK)
		return (*rc = db_step_failed(c, *rc, &l->db_failures)) != PRC_OK ? -1 : 0;
	c->queued = (uint64_t)queued;
	if (c->o->max_pages > 0 && c->remaining <= 0)
		return 1;
	if (!queued && !claimed)
		return 1;
	if (queued && frontier_host_count(c->frontier) == 0)
		l->next_lease = 0;
	return 0;
}

/* The figures, about once a second: to the progress callback and the stats file. */
static void progress(struct crawl *c, struct loop *l)
{
	struct crawl_stats s;

	if ((!c->o->progress && !c->o->stats_file) || crawl_now_ms() - l->last_progress < 1000)
		return;
	l->last_progress = crawl_now_ms();
	report(c, &s);
	if (c->o->progress)
		c->o->progress(&s, c->o->progress_ud);
	write_stats(c, &s);
}

/* The fetch thread's loop. */
static enum prc crawl_loop(struct crawl *c)
{
	struct loop l;
	enum prc rc;
	int over;

	memset(&l, 0, sizeof(l));
	l.last_renew = l.last_progress = crawl_now_ms();
	if (c->o->max_pages > 0) {
		int64_t used = 0;

		rc = crawlstore_used(c->db, c->job_id, &used, c->e);
		if (rc != PRC_OK)
			return rc;
		c->remaining = c->o->max_pages - used;
	}
	for (;;) {
		int64_t t = crawl_now_ms();
		long wait;

		if (atomic_load(&c->writer_failed))
			return err_set(c->e, PRC_DB, "cannot store results: %s", c->writer_error);
		heartbeat_alive(c->hb);
		if (c->o->stop && *c->o->stop)
			l.stopping = 1;
		if (c->o->reload && *c->o->reload && c->o->rules) {
			*c->o->reload = 0;
			log_msg(LOG_INFO, "reloading the rules");
			rulehub_reload_async(c->o->rules);
		}
		if (t - l.last_renew >= CRAWL_RENEW_MS) {
			rc = renew(c);
			if (rc != PRC_OK) {
				if ((rc = db_step_failed(c, rc, &l.db_failures)) != PRC_OK)
					return rc;
			} else {
				l.last_renew = t;
			}
		}
		if (!l.stopping) {
			rc = lease_more(c, &l.next_lease);
			if (rc == PRC_OK)
				rc = refill(c);
			if (rc != PRC_OK) {
				if ((rc = db_step_failed(c, rc, &l.db_failures)) != PRC_OK)
					return rc;
			} else {
				l.db_failures = 0;
			}
		}
		if (!l.stopping && (rc = start_transfers(c)) != PRC_OK)
			return rc;
		/* curl_multi_poll returns early on network activity, so this only bounds idling */
		wait = frontier_wait_ms(c->frontier, crawl_now_ms());
		if (wait < 0 || wait > 100 || fetcher_active(c->fetcher) >= (size_t)c->o->concurrency)
			wait = 100;
		fetcher_run(c->fetcher, wait > 0 ? wait : 1);
		take_finished(c);
		progress(c, &l);
		over = crawl_over(c, &l, &rc);
		if (over < 0)
			return rc;
		if (over)
			break;
	}
	return PRC_OK;
}

/*
 * Who "this machine" is for judging leases: the host name and the PID
 * namespace ("host/ns4026531836"). A lease whose owner has this identity and
 * whose process is gone is taken over at once; one of another namespace (a
 * container with the same host name) only when it expires, since its PID
 * means nothing here. Every other lease is judged by its expiry alone, and
 * kept alive by the heartbeat thread (store/heartbeat.c, which says why this
 * fast path is safe and stays).
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

/* The lease owner: "identity:pid:nonce", unique to this process. */
static void name_owner(struct crawl *c)
{
	unsigned char nonce[4];
	FILE *rnd = fopen("/dev/urandom", "rb");

	local_identity(c->hostname, sizeof(c->hostname));
	if (!rnd || fread(nonce, 1, sizeof(nonce), rnd) != sizeof(nonce))
		memset(nonce, 0, sizeof(nonce));
	if (rnd)
		fclose(rnd);
	snprintf(c->owner, sizeof(c->owner), "%s:%ld:%02x%02x%02x%02x", c->hostname, (long)getpid(),
		 nonce[0], nonce[1], nonce[2], nonce[3]);
}

/*
 * The end of a crawl, however it ended: transfers in flight are dropped
 * (their URLs stay claimed, then released), the workers and the writer
 * finish what they hold, the leases are given back and *stats gets the
 * final figures. Returns rc, or the writer's failure.
 */
static enum prc crawl_teardown(struct crawl *c, struct worker_arg *wargs, struct writer_arg *warg,
			       struct crawl_stats *stats, enum prc rc)
{
	struct err e2;
	int i;

	fetcher_free(c->fetcher);
	c->fetcher = NULL;
	if (c->work)
		queue_close(c->work);
	for (i = 0; i < c->nworkers; i++)
		pthread_join(c->workers[i], NULL);
	if (c->store)
		queue_close(c->store);
	if (c->writer_started)
		pthread_join(c->writer, NULL);
	if (rc == PRC_OK && atomic_load(&c->writer_failed))
		rc = err_set(c->e, PRC_DB, "cannot store results: %s", c->writer_error);
	if (c->db && c->job_id && c->traps)
		crawl_save_families(c, c->db);
	heartbeat_stop(c->hb);
	if (c->db && c->job_id) {
		if (crawlstore_release_all(c->db, c->job_id, c->owner, &e2) != PRC_OK)
			log_msg(LOG_WARN, "cannot release leases: %s", e2.msg);
	}
	report(c, stats);
	write_stats(c, stats);
	if (c->traps && traps_report(c->traps, &stats->families, &stats->nfamilies) != PRC_OK)
		log_msg(LOG_WARN, "cannot report the URL families: out of memory");
	for (i = 0; wargs && i < 64; i++) {
		classifier_free(wargs[i].cl);
		ruleset_unref(wargs[i].rs);
	}
	free(wargs);
	free(c->workers);
	queue_free(c->work);
	queue_free(c->store);
	queue_free(c->committed);
	frontier_free(c->frontier);
	crawl_scope_release(&c->scope);
	traps_free(c->traps);
	warc_close(c->warc);
	crawl_patterns_free(c->allow, c->nallow);
	crawl_patterns_free(c->deny, c->ndeny);
	crawl_patterns_free(c->keepq, c->nkeepq);
	db_free(warg->db);
	db_free(c->db);
	return rc;
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
	enum prc rc;

	memset(&c, 0, sizeof(c));
	memset(stats, 0, sizeof(*stats));
	c.o = o;
	c.e = e;
	c.started = now_s();
	c.fetch_cpu0 = crawl_cpu_ns();
	c.uopts.max_len = o->traps.max_url_length ? o->traps.max_url_length : URL_MAX_LEN_DEFAULT;
	c.link_uopts = c.uopts;
	c.link_uopts.max_len = 64 * 1024;
	page_limits_init(&c.limits, o->max_body, o->max_text, o->max_links);
	c.imagehash = o->imagehash;
	srand((unsigned)getpid() ^ (unsigned)crawl_now_ms());
	name_owner(&c);

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
	/* leases judged by their expiry, kept alive by a heartbeat (store/heartbeat.c) */
	rc = heartbeat_start(o->conninfo, c.job_id, c.owner, o->lease_s, &c.hb, e);
	if (rc == PRC_OK)
		rc = crawl_threads(&c, wargs, &warg);
	if (rc == PRC_OK)
		rc = crawl_loop(&c);
out:
	return crawl_teardown(&c, wargs, &warg, stats, rc);
}
