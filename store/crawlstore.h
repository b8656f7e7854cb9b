/* crawlstore.h - the crawl's side of the database: jobs, the shared frontier, and batched results. */
#ifndef PATROL_CRAWLSTORE_H
#define PATROL_CRAWLSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/*
 * The frontier of record is in PostgreSQL so that any number of crawl
 * processes share one job. A process leases hosts (FOR UPDATE SKIP LOCKED),
 * claims a batch of a leased host's URLs, and writes results back in
 * batches. Every function takes the caller's own struct db (one per thread).
 * "owner" is the worker's identity, unique per process ("host:pid:nonce").
 */

/* Creates job name (config is its JSON) or finds it. *created says which. */
enum prc crawlstore_job(struct db *d, const char *name, const char *config_json, int create,
			int64_t *job_id, int *created, struct err *e);

/*
 * One setting of a job's configuration (the JSON it was created with) as
 * text: *value is malloc'd, or NULL when the job has no such setting.
 */
enum prc crawlstore_job_setting(struct db *d, int64_t job_id, const char *key, char **value,
				struct err *e);

/* A URL to put in the frontier. */
struct store_link {
	const char *url;    /* canonical */
	const char *origin; /* url_origin(url) */
	int depth;
	int hops;           /* redirects followed to reach it */
	int64_t parent_id;  /* url id of the page it came from, 0 for seeds */
	const char *reason; /* non-NULL: recorded as refused for this reason, never fetched */
};

/*
 * Adds URLs (and their hosts) to the job's frontier; ones already there are
 * left alone (ON CONFLICT DO NOTHING on the unique URL key). With seed set,
 * their hosts are marked as seed hosts (the "host" scope). *added (may be
 * NULL) counts the new URLs.
 */
enum prc crawlstore_add_urls(struct db *d, int64_t job_id, const struct store_link *links, size_t n,
			     int seed, size_t *added, struct err *e);

/* The origins of the job's seed hosts; *out is a malloc'd array of malloc'd strings. */
enum prc crawlstore_seed_origins(struct db *d, int64_t job_id, char ***out, size_t *n,
				 struct err *e);

/* A host leased to this worker. */
struct store_host {
	int64_t id;
	char *origin;
	int robots_status;        /* HTTP status of the cached robots.txt, -1 when none or stale */
	char *robots_body;        /* cached robots.txt, or NULL */
	int64_t next_fetch_ms;    /* epoch ms before which it must not be fetched (politeness) */
};
void crawlstore_host_release(struct store_host *h); /* frees the strings of *h */

/*
 * Before leasing: leases held by owners on this machine (owner prefix
 * "<hostname>:", where hostname also names the PID namespace) whose process
 * no longer exists are expired at once, so a crawl resumed after kill -9
 * does not wait for them; every other lease is judged by its expiry only.
 * Returns how many.
 */
enum prc crawlstore_reap_local(struct db *d, int64_t job_id, const char *hostname, size_t *reaped,
			       struct err *e);

/*
 * Leases up to max hosts of the job that have queued URLs (or URLs claimed by
 * an owner whose lease ran out) and no live lease, for lease_s seconds. URLs
 * left claimed on them by an earlier owner are put back in the queue.
 * robots.txt cached less than robots_ttl_s ago comes along. *out is a malloc'd
 * array (free each with crawlstore_host_release, then the array).
 */
enum prc crawlstore_lease(struct db *d, int64_t job_id, const char *owner, size_t max, int lease_s,
			  int robots_ttl_s, struct store_host **out, size_t *n, struct err *e);

/*
 * Extends every lease this owner holds. Host ids the owner no longer holds
 * (taken over after expiry) are returned in *lost (malloc'd, *nlost).
 */
enum prc crawlstore_renew(struct db *d, int64_t job_id, const char *owner, int lease_s,
			  const int64_t *held, size_t nheld, int64_t **lost, size_t *nlost,
			  struct err *e);

/* A URL claimed by this worker. */
struct store_url {
	int64_t id;
	char *url;
	int depth;
	int hops;
	int attempts;
	char *etag;          /* of the URL's latest fetch (recrawl), or NULL */
	char *last_modified; /* likewise */
};

/* Frees the strings of u. */
void crawlstore_url_release(struct store_url *u);

/*
 * Claims up to max queued URLs of a host this owner leases, lowest depth
 * first. With budget > 0 the host never has more than budget URLs claimed
 * in all (every process, every attempt counted once); once it is spent, the
 * host's queued URLs are refused with reason "host-budget". *out is
 * malloc'd (crawlstore_url_release each, then free the array); *budget_refused
 * (may be NULL) counts URLs refused by this call. Returns PRC_OK
 * with *n 0 when the host has nothing queued.
 */
enum prc crawlstore_claim(struct db *d, int64_t host_id, const char *owner, size_t max,
			  long budget, struct store_url **out, size_t *n, int64_t *budget_refused,
			  struct err *e);

/*
 * Parks a failing host: no process leases it again, and its queued URLs are
 * refused with reason. URLs this owner holds claimed there go back first.
 */
enum prc crawlstore_park(struct db *d, int64_t host_id, const char *owner, const char *reason,
			 struct err *e);

/*
 * Puts the job's fetched URLs whose latest fetch is older than age_s back in
 * the queue (recrawl). *n (may be NULL) gets how many.
 */
enum prc crawlstore_requeue_older(struct db *d, int64_t job_id, long age_s, int64_t *n,
				  struct err *e);

/*
 * Gives a host back: its lease ends, URLs still claimed by owner there go
 * back to the queue, and next_fetch_ms is kept for whoever leases it next.
 */
enum prc crawlstore_release(struct db *d, int64_t host_id, const char *owner,
			    int64_t next_fetch_ms, struct err *e);

/* Gives back every host and claimed URL of owner (end of a crawl). */
enum prc crawlstore_release_all(struct db *d, int64_t job_id, const char *owner, struct err *e);

/* Caches a host's robots.txt (status, body may be NULL). */
enum prc crawlstore_save_robots(struct db *d, int64_t host_id, int status, const char *body,
				struct err *e);

/* Frontier counts of the job: URLs queued, and URLs claimed by anyone. */
enum prc crawlstore_pending(struct db *d, int64_t job_id, int64_t *queued, int64_t *claimed,
			    struct err *e);

/* URLs of the job fetched or claimed so far (for --max-pages across processes). */
enum prc crawlstore_used(struct db *d, int64_t job_id, int64_t *used, struct err *e);

/* One classifier verdict to store. */
struct store_hit {
	const char *category;
	double score;
	const char *classifier;
	const char *rule;
	const char *rule_file;
	const char *evidence;
	long ev_start, ev_end; /* -1 when not from the text */
};

/* The outcome of one claimed URL. */
struct store_record {
	int64_t url_id, host_id;
	int refused;              /* not fetched: reason says why (robots, ...) */
	int retry;                /* not done: back to the queue for another attempt */
	const char *reason;
	/* the fetch (when !refused) */
	double fetched_at;        /* epoch seconds */
	int http_status;          /* 0 when no response */
	const char *final_url;
	const char *content_type;
	int64_t size;
	const char *sha256;       /* hex, NULL when no body */
	const char *server_ip;
	const char *charset;
	const char *title;
	long duration_ms;
	const char *error;        /* transfer error, or NULL */
	const char *failure;      /* no response: its cause ("connect refused", "dns", ...), or NULL */
	const char *etag;
	const char *last_modified;
	int unchanged;            /* a 304 to a conditional request */
	const struct store_hit *hits;
	size_t nhits;
	/* the page's WARC evidence (warc_file NULL: none) */
	const char *warc_file;
	uint64_t warc_offset, warc_length;
	const char *warc_record_id, *warc_digest;
	const struct store_link *links; /* new URLs found on the page (in scope) */
	size_t nlinks;
	int stored;               /* set by crawlstore_write: 1 stored, 0 skipped (claim lost) */
	int64_t alias_of;         /* set by crawlstore_write: the URL whose page this one repeats, or 0 */
	int quarantined;          /* set by crawlstore_write: refused by the database, kept in quarantine */
	int64_t fetch_id;         /* set by crawlstore_write: the fetch row, when one was written */
};

/*
 * Inserts one fetch of a URL (rec's fetch fields) with its hits and its
 * evidence location, inside the caller's transaction; worker names who
 * fetched it ("recheck" for rechecks). *fetch_id (may be NULL) gets the id.
 */
enum prc crawlstore_insert_fetch(struct db *d, int64_t job_id, const char *worker,
				 const struct store_record *rec, int64_t *fetch_id, struct err *e);

/*
 * Stores a batch in one transaction: for each record still claimed by owner,
 * the URL's new state, its fetch and its hits, then every new link. A page
 * (status 200) whose content digest equals that of a page already stored
 * under another URL of its host, in the database or earlier in the batch,
 * is an alias: its URL is marked fetched with alias_of pointing at the
 * first, and no fetch or hit is written for it. A record
 * whose claim was lost (the lease expired and another worker took the host)
 * is skipped, so no hit is ever stored twice; stored says which. On a lost
 * connection the transaction is retried (up to retries times) after
 * reconnecting: the batch is kept by the caller until this returns.
 *
 * A batch never dies of one record: when the database refuses a value of
 * the batch (a data error, a constraint, a limit), every record is written
 * in a transaction of its own, and a record that is refused again goes to
 * the quarantine table with the database's reason, its URL refused as
 * 'quarantined' (quarantined set); the others are stored.
 */
enum prc crawlstore_write(struct db *d, int64_t job_id, const char *owner,
			  struct store_record *recs, size_t n, int retries, struct err *e);

/* A URL family's verdict (crawler/traps.h), as kept for the job. */
struct store_family {
	const char *family;
	long pages, repeats;
	int trap;
	const char *reason;
};

/* Inserts or updates the job's families (one statement). */
enum prc crawlstore_save_families(struct db *d, int64_t job_id, const struct store_family *f, size_t n,
				  struct err *e);

/*
 * Calls fn(ud, family, reason) for each family of the job judged a trap
 * (a resumed crawl starts from them).
 */
typedef void (*crawlstore_family_fn)(void *ud, const char *family, const char *reason);
enum prc crawlstore_load_traps(struct db *d, int64_t job_id, crawlstore_family_fn fn, void *ud,
			       struct err *e);

#endif
