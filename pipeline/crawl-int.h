/* crawl-int.h - what the files of one crawl share (not an API): its state, a page's trip, calls across files. */
/*
 *   crawl.c         the fetch thread: leases, claims, robots.txt, transfers,
 *                   the loop and its end, the figures and the stats file
 *   crawl-scope.c   which links a crawl follows: scope, URL patterns, traps
 *   crawl-page.c    the workers: one fetched page read, classified, its links kept
 *   crawl-image.c   bodies that are not pages, matched against the hash list
 *   crawl-writer.c  the writer thread: batches into the database, WARC evidence
 */
#ifndef PATROL_CRAWL_INT_H
#define PATROL_CRAWL_INT_H

#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdint.h>

#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/traps.h"
#include "crawler/url.h"
#include "pipeline/crawl.h"
#include "pipeline/page.h"
#include "store/crawlstore.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/queue.h"

struct classifier;
struct db;
struct hset;
struct ruleset;
struct warc;

#define CRAWL_BATCH 64          /* pages per writer transaction */

/* The URLs a crawl may follow. Immutable once built; read by every worker. */
struct scope {
	enum crawl_scope kind;
	char **keys; /* seed origins (host scope) or registrable domains (domain scope) */
	size_t nkeys;
};

/* One URL's trip from the fetch thread through a worker to the writer. */
struct crawl_page {
	struct arena *arena;
	struct fetch *fx;          /* NULL for refused URLs */
	int64_t url_id, host_id;
	char *url;                 /* in the arena */
	int depth, hops, attempts;
	int no_evidence;           /* never written to the WARC files (an image) */
	int has_sketch;            /* a page with text: sketch is what it says (trap families) */
	struct trap_sketch sketch;
	struct store_record rec;
	struct crawl_page *next;
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
	struct page_limits limits;   /* how much of a page is read (page.c) */
	regex_t *allow, *deny, *keepq;
	size_t nallow, ndeny, nkeepq;
	struct traps *traps;         /* URL families: the writer observes and admits, the fetch thread asks */
	struct warc *warc;           /* the writer's evidence files, or NULL */
	const struct imagehash *imagehash; /* the operator's hash list, or NULL: images are not fetched */
	struct db *db;             /* the fetch thread's connection */
	struct heartbeat *hb;      /* renews the leases from a thread of its own */
	struct fetcher *fetcher;
	struct frontier *frontier;
	struct queue *work;        /* struct crawl_page *: fetch thread → workers */
	struct queue *store;       /* struct crawl_page *: workers, fetch thread → writer */
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

struct worker_arg {
	struct crawl *c;
	struct ruleset *rs;        /* the rule set cl runs */
	unsigned long gen;         /* its generation in the hub */
	struct classifier *cl;
};

struct writer_arg {
	struct crawl *c;
	struct db *db;
};

/* ---- crawl.c ---- */

/* CPU time of the calling thread, in nanoseconds. */
uint64_t crawl_cpu_ns(void);

/* Charges the CPU time since *mark to stage and moves *mark to now. Thread-safe. */
void crawl_stage_charge(struct crawl *c, enum crawl_stage st, uint64_t *mark);

/* Wall-clock milliseconds. */
int64_t crawl_now_ms(void);

/* ---- crawl-scope.c ---- */

/* Builds c->scope from the job's seed origins. PRC_NOMEM with c->e set. */
enum prc crawl_scope_build(struct crawl *c, char **origins, size_t n);
void crawl_scope_release(struct scope *s);

/* Compiles n POSIX extended regexes into *out (*nout compiled); PRC_INVALID naming the bad one. */
enum prc crawl_patterns_compile(struct crawl *c, const char *const *src, size_t n, regex_t **out,
				size_t *nout);
void crawl_patterns_free(regex_t *re, size_t n);

/* Whether url matches one of the n regexes re. */
int crawl_url_matches(const regex_t *re, size_t n, const char *url);

/*
 * Adds one discovered URL (canonical) to p's record, or only counts it when
 * the crawl does not follow it. *cap is the capacity of p->rec.links.
 */
void crawl_add_link(struct crawl *c, struct crawl_page *p, const char *canon, int depth, int hops,
		    size_t *cap);

/* ---- crawl-page.c ---- */

/* A page for URL u of host host_id, or NULL without memory. */
struct crawl_page *crawl_page_new(int64_t host_id, const struct frontier_url *u);
void crawl_page_free(struct crawl_page *p); /* NULL is fine */

/* Counts a URL not followed, by reason. Thread-safe. */
void crawl_count_refusal(struct crawl *c, enum refusal r);

/* A worker thread (arg: its struct worker_arg): pages from c->work to c->store. */
void *crawl_worker_main(void *arg);

/* ---- crawl-image.c ---- */

/* Matches p's body (not a page) against the hash list; a match becomes p's one hit. */
void crawl_match_image(struct crawl *c, struct crawl_page *p);

/* ---- crawl-writer.c ---- */

/* The writer thread (arg: its struct writer_arg): pages from c->store into the database. */
void *crawl_writer_main(void *arg);

/* Keeps the job's URL families in the database (logged when it cannot). */
void crawl_save_families(struct crawl *c, struct db *d);

/* crawlstore_load_traps's callback: marks a family judged a trap before. */
void crawl_mark_trap(void *ud, const char *family, const char *reason);

#endif
