/* recheck.h - re-fetching pages under takedown until they are gone, through the crawler's fetch path. */
#ifndef PATROL_RECHECK_H
#define PATROL_RECHECK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

struct ruleset;

/* One page rechecked, as recheck_run reports it. Strings are valid during the callback only. */
struct recheck_result {
	int64_t page_id;
	const char *url;
	int http_status;        /* 0: no response */
	const char *outcome;    /* present, gone, error */
	const char *reason;     /* http_404, http_410, http_451, dns, notice, unflagged, flagged, ... */
	const char *was;        /* the categories it was flagged as */
	const char *now;        /* the categories it classifies as now */
	const char *error;      /* transfer error or NULL */
	int removed, reopened;  /* requests moved by this recheck */
	int64_t recheck_id;
};

typedef void (*recheck_result_fn)(const struct recheck_result *r, void *ud);

struct recheck_opts {
	const char *job;          /* NULL: every job */
	int all;                  /* every confirmed page too */
	const int64_t *ids;       /* exactly these pages (nids > 0) */
	size_t nids;
	struct ruleset *rules;    /* required: "no longer classifies" is decided by the rules */
	const char *actor;        /* who the transitions are recorded as */
	int allow_private;        /* permit loopback and private addresses */
	const char *user_agent;
	int concurrency;          /* transfers in flight, one per host at most */
	long delay_ms;            /* least time between requests to one host */
	size_t max_body;
	int max_redirects;
	long dns_failures;        /* consecutive DNS failures that make a host gone ... */
	long dns_days;            /* ... over at least this many days */
	long watch_days;          /* removed pages are rechecked this long, to see them come back */
	volatile sig_atomic_t *stop; /* set to stop after the transfers in flight (may be NULL) */
	recheck_result_fn on_result; /* called for every page stored (may be NULL) */
	void *ud;
};

struct recheck_stats {
	size_t pages, present, gone, errors, removed, reopened;
	size_t refused;      /* of errors: the address guard refused the host (no --allow-private) */
	size_t net_failed;   /* of errors: no response (connect, DNS short of gone, timeout, TLS) */
	char first_error[320]; /* "URL: reason" of the first inconclusive page, "" when none */
};

/* Defaults: concurrency 8, delay 1000 ms, 10 MiB, 5 redirects, DNS 3 failures over 2 days, watch 30 days. */
void recheck_opts_init(struct recheck_opts *o);

/*
 * One pass: re-fetches every target page (recheckstore_targets) with one
 * request per host at a time and delay_ms between requests to a host,
 * following redirects, and decides for each:
 *
 *   gone     404, 410, 451; the host name failing to resolve dns_failures
 *            times in a row over at least dns_days (removed_at: the first of
 *            them); a 2xx whose content no longer classifies in any category
 *            it was flagged as (reason "notice" when it reads as a removal
 *            notice, else "unflagged")
 *   present  a 2xx still classified as it was
 *   error    anything else (a network error, 5xx, 403, ...): nothing changes
 *
 * and stores it (recheckstore_record), which moves the page's requests.
 * Uses d for the database and its own fetcher. Returns PRC_OK when the pass
 * ran (some pages may have failed to fetch: that is an outcome),
 * PRC_NOTFOUND with e naming them when some of the ids given are not pages,
 * or an error with e set when the database or the fetcher failed.
 */
enum prc recheck_run(struct db *d, const struct recheck_opts *o, struct recheck_stats *st,
		     struct err *e);

/* Whether text reads as a removal notice ("削除されました", "This content has been removed", ...). */
int recheck_is_notice(const char *text);

#endif
