/* crawl.h - one crawl process: the fetch thread, the worker pool and the writer. */
#ifndef PATROL_CRAWL_H
#define PATROL_CRAWL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "crawler/fetcher.h"
#include "crawler/traps.h"
#include "util/err.h"

#define CRAWL_FAILING_HOSTS 8 /* hosts named in the summary's network failures */

struct rulehub;
struct imagehash;

enum crawl_scope { CRAWL_SCOPE_HOST = 0, CRAWL_SCOPE_DOMAIN, CRAWL_SCOPE_ANY };

/* Stages of the page path and the store whose CPU time a crawl accounts for. */
enum crawl_stage {
	STAGE_FETCH = 0, /* the fetch thread: curl, the frontier, leases and claims */
	STAGE_DECODE,    /* charset detection and conversion */
	STAGE_PARSE,     /* libxml2: text, links, blocks */
	STAGE_SKETCH,    /* the trap families' text sketch */
	STAGE_CLASSIFY,  /* normalization, Hyperscan, the Lua rules */
	STAGE_STORE,     /* the writer: statements, evidence files */
	STAGE_COUNT
};

/* The stage's name ("fetch", "decode", ...). */
const char *crawl_stage_name(enum crawl_stage s);

struct crawl_stats {
	uint64_t fetched;        /* responses received (any status) */
	uint64_t stored;         /* records committed (fetched or refused) */
	uint64_t errors;         /* transfers that failed (no response, cap, refused address) */
	uint64_t robots_refused; /* URLs not fetched because robots.txt disallows them */
	uint64_t ssrf_refused;   /* connections refused by the address guard */
	uint64_t hits;           /* verdicts stored */
	uint64_t bytes;          /* body bytes received */
	uint64_t links_new;      /* links handed to the frontier */
	uint64_t lost_claims;    /* results dropped because another worker took the host */
	uint64_t retries;        /* URLs put back for another attempt (429, 503, network errors) */
	uint64_t unchanged;      /* 304 answers to conditional recrawls */
	uint64_t hosts_parked;   /* hosts given up after repeated failures */
	uint64_t aliases;        /* pages that repeat a page stored under another URL */
	uint64_t trap_families;  /* URL families cut as traps */
	uint64_t quarantined;    /* pages the database refused, kept in the quarantine table */
	double stage_cpu_s[STAGE_COUNT]; /* CPU seconds spent in each stage, all threads */
	struct trap_family *families; /* crawl_run's final figures: the families judged, traps first (malloc'd) */
	size_t nfamilies;
	uint64_t refused[REFUSE_COUNT]; /* URLs not fetched, by reason */
	uint64_t net_failed[FETCH_FAIL_COUNT]; /* transfers (robots.txt too) with no response, by cause */
	char first_failure[320];   /* "URL: curl's message" of the first of them, "" when none */
	struct crawl_failing_host {
		char origin[128];      /* "http://a.example.jp:8080" */
		uint64_t failed[FETCH_FAIL_COUNT];
	} failing[CRAWL_FAILING_HOSTS]; /* the first hosts with failures, in order of the first */
	size_t nfailing;
	uint64_t queued;         /* URLs queued in the job (refreshed now and then) */
	size_t hosts;            /* hosts leased now */
	size_t in_flight;        /* transfers running now */
	double elapsed_s;
};

typedef void (*crawl_progress_fn)(const struct crawl_stats *s, void *ud);

struct crawl_opts {
	const char *conninfo;     /* the database (db_locate) */
	const char *job;          /* job name */
	int resume;               /* the job must exist; seeds optional */
	const char *const *seeds;
	size_t nseeds;
	long max_pages;           /* <= 0: no limit; counted across every process of the job */
	int max_depth;            /* < 0: no limit */
	enum crawl_scope scope;
	int scope_given;          /* scope was chosen; else --resume keeps the job's own */
	int concurrency;          /* transfers in flight */
	int per_host;             /* transfers in flight per host */
	long delay_ms;            /* least time between requests to one host */
	int workers;              /* decode/parse/classify threads; 0: number of CPUs */
	int allow_private;        /* permit loopback and private addresses */
	const char *user_agent;
	size_t max_body;          /* body cap, bytes */
	size_t max_links;         /* links kept per page */
	size_t max_text;          /* bytes of a page's text that are classified */
	int max_redirects;        /* redirect hops followed from a URL */
	int lease_s;              /* host lease length */
	double delay_factor;      /* the delay is at least this many times the last response time */
	long max_crawl_delay_ms;  /* a longer wait (Crawl-delay, Retry-After, back-off) gives the host back */
	int retries;              /* more attempts after 429, 503 and network errors */
	int max_host_errors;      /* consecutive failures before a host is parked */
	long max_pages_per_host;  /* URLs claimed per host in all; <= 0: no limit */
	struct trap_limits traps;
	const char *const *allow_url; /* POSIX extended regexes a URL must match one of (if any) */
	size_t nallow;
	const char *const *deny_url;  /* ... and must match none of */
	size_t ndeny;
	int follow_nofollow;      /* follow rel=nofollow links and nofollow pages */
	const char *const *keep_query_order; /* regexes: these URLs keep their parameter order */
	size_t nkeep_query_order;
	long timeout_ms;          /* whole transfer */
	long connect_timeout_ms;
	long recrawl_after_s;     /* > 0: re-queue pages fetched longer ago than this, conditionally */
	const char *stats_file;   /* Prometheus text, rewritten every second; NULL: none */
	const char *warc_dir;     /* evidence of flagged pages as WARC files here; NULL: none */
	size_t warc_rotate_bytes; /* start a new WARC file past this size */
	struct rulehub *rules;    /* the rules (reloadable), or NULL: no classification */
	const struct imagehash *imagehash; /* the operator's image hash list, or NULL: images not fetched */
	volatile sig_atomic_t *reload; /* set (by SIGHUP) to recompile the rules in the background */
	volatile sig_atomic_t *stop; /* set to stop gracefully (may be NULL) */
	crawl_progress_fn progress;  /* called about once a second from the calling thread */
	void *progress_ud;
};

/* Fills o with the defaults (concurrency 16, per host 1, delay 0, ...). */
void crawl_opts_init(struct crawl_opts *o);

/*
 * Runs a crawl to its end: until the job's frontier is empty (every process
 * of the job done with what it claimed), --max-pages is reached, or *stop is
 * set. The calling thread becomes the fetch thread. *stats gets the final
 * figures. Returns PRC_OK when the crawl ended normally (stopped included),
 * or an error (the database unreachable, bad seeds) with e set; whatever was
 * stored stays stored, and --resume continues from there.
 */
enum prc crawl_run(const struct crawl_opts *o, struct crawl_stats *stats, struct err *e);

/* Frees what crawl_run allocated in *s (its families). */
void crawl_stats_release(struct crawl_stats *s);

#endif
