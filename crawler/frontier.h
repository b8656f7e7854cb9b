/* frontier.h - the in-memory frontier of one crawl process: its leased hosts and their claimed URLs. */
#ifndef PATROL_FRONTIER_H
#define PATROL_FRONTIER_H

#include <stddef.h>
#include <stdint.h>

#include "crawler/robots.h"

/*
 * The frontier of record lives in PostgreSQL (store/crawlstore.h); this is
 * the part a process holds: the hosts it leases, each with the batch of URLs
 * it claimed, and the politeness state that decides when the next request
 * to each host may start. Owned by the fetch thread; not thread-safe.
 */

enum frontier_robots { FRONTIER_ROBOTS_NEEDED = 0, FRONTIER_ROBOTS_FETCHING, FRONTIER_ROBOTS_READY };

struct frontier_url {
	int64_t id;
	char *url;
	int depth;
	int hops;
	int attempts;              /* earlier attempts (retries after 429, 503, errors) */
	char *etag;                /* of the last fetch, for a conditional recrawl, or NULL */
	char *last_modified;
	struct frontier_url *next;
};

struct frontier_host {
	int64_t id;
	char *origin;
	struct robots *robots;     /* NULL until robots_state is READY */
	enum frontier_robots robots_state;
	int robots_tries;          /* failed robots.txt fetches so far */
	char blocked[256];         /* when set, every URL of the host is refused with this reason */
	int active;                /* requests in flight */
	int pipeline;              /* URLs handed out and not yet committed by the writer */
	int errors;                /* consecutive failed requests (backoff, then parking) */
	long crawl_delay_ms;       /* robots.txt Crawl-delay, or 0 */
	int64_t next_ms;           /* no request starts before this (epoch ms) */
	int exhausted;             /* the last claim found nothing queued */
	struct frontier_url *head, *tail;
	size_t queued;
	struct frontier_host *next;
};

struct frontier;

/*
 * per_host: requests in flight per host (one, whatever per_host, while a
 * delay applies: delay_ms or the host's Crawl-delay); delay_ms: the least time between
 * the end of one request and the start of the next; the delay also grows to
 * delay_factor times the last response time when the server is slow.
 */
struct frontier *frontier_new(int per_host, long delay_ms, double delay_factor);

/* Frees f, its hosts, their URLs and robots. NULL is fine. */
void frontier_free(struct frontier *f);

/* Adds a leased host (origin copied). Returns it, or NULL without memory. */
struct frontier_host *frontier_add_host(struct frontier *f, int64_t id, const char *origin,
					int64_t next_ms);

/* The host with that id, or NULL. */
struct frontier_host *frontier_find(struct frontier *f, int64_t id);

/* Removes h and frees it with its queued URLs. */
void frontier_remove_host(struct frontier *f, struct frontier_host *h);

/* Appends a claimed URL to h (url copied) and returns it (to set the optional fields), or NULL without memory. */
struct frontier_url *frontier_push(struct frontier_host *h, int64_t id, const char *url, int depth,
				   int hops);

/* Frees the URLs queued on h (their claims are the caller's to give back). */
void frontier_clear(struct frontier_host *h);

/* Sets h's robots rules (taking ownership) and marks them ready. */
void frontier_set_robots(struct frontier_host *h, struct robots *r);

/*
 * Picks the next URL whose host is ready at now_ms (robots known, fewer than
 * per_host requests in flight, delay passed), round-robin over hosts. The
 * URL leaves the queue (caller frees it with frontier_url_free) and its
 * host's active count goes up; *host says which. NULL when nothing is ready.
 */
struct frontier_url *frontier_next(struct frontier *f, int64_t now_ms, struct frontier_host **host);

/* A host whose robots.txt must be fetched now (its delay passed), or NULL. Marks it FETCHING and active. */
struct frontier_host *frontier_next_robots(struct frontier *f, int64_t now_ms);

/*
 * A request to h ended at now_ms after taking response_ms. The host's next
 * request waits max(delay_ms, delay_factor * response_ms, extra_ms).
 */
void frontier_done(struct frontier *f, struct frontier_host *h, int64_t now_ms, long response_ms,
		   long extra_ms);

/* Milliseconds until some queued URL becomes ready (0 if one is ready now, -1 if none is queued). */
long frontier_wait_ms(struct frontier *f, int64_t now_ms);

/* Iteration: the first host and the one after h. */
struct frontier_host *frontier_first(struct frontier *f);

/* Number of hosts and of queued URLs. */
size_t frontier_host_count(const struct frontier *f);
size_t frontier_queued(const struct frontier *f);

void frontier_url_free(struct frontier_url *u);

#endif
