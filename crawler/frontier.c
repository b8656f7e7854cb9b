/*
 * frontier.c - per-process politeness over the hosts a crawl process leases.
 *
 * DESIGN
 *
 * Because a host is leased to exactly one process at a time, politeness
 * needs no coordination: this process alone decides when the next request
 * to a host starts. Each host carries the earliest time its next request may
 * start (next_ms) and a count of requests in flight; frontier_next walks the
 * hosts round-robin from where it last stopped, so one host with a long
 * queue cannot starve the others. The delay after a request is the larger of
 * --delay-ms, a multiple of the response time (a slow server gets more room)
 * and whatever the server asked for (Crawl-delay, Retry-After); while a
 * delay applies the host gets one request at a time, because a delay bounds
 * the host, not each of its connections. When a host
 * is released its next_ms goes to the database, so whoever leases it next
 * keeps the pace. Hosts are a short list (about twice the concurrency), so a
 * linear walk is cheaper than keeping a heap in order.
 */
#include "crawler/frontier.h"

#include <stdlib.h>
#include <string.h>

struct frontier {
	struct frontier_host *hosts;
	struct frontier_host *cursor; /* where the next round-robin walk starts */
	size_t nhosts;
	int per_host;
	long delay_ms;
	double delay_factor;
};

struct frontier *frontier_new(int per_host, long delay_ms, double delay_factor)
{
	struct frontier *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->per_host = per_host > 0 ? per_host : 1;
	f->delay_ms = delay_ms > 0 ? delay_ms : 0;
	f->delay_factor = delay_factor > 0 ? delay_factor : 0;
	return f;
}

void frontier_url_free(struct frontier_url *u)
{
	if (!u)
		return;
	free(u->url);
	free(u->etag);
	free(u->last_modified);
	free(u);
}

void frontier_clear(struct frontier_host *h)
{
	struct frontier_url *u, *n;

	for (u = h->head; u; u = n) {
		n = u->next;
		frontier_url_free(u);
	}
	h->head = h->tail = NULL;
	h->queued = 0;
}

static void host_free(struct frontier_host *h)
{
	frontier_clear(h);
	robots_free(h->robots);
	free(h->origin);
	free(h);
}

void frontier_free(struct frontier *f)
{
	struct frontier_host *h, *n;

	if (!f)
		return;
	for (h = f->hosts; h; h = n) {
		n = h->next;
		host_free(h);
	}
	free(f);
}

struct frontier_host *frontier_add_host(struct frontier *f, int64_t id, const char *origin,
					int64_t next_ms)
{
	struct frontier_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->origin = strdup(origin);
	if (!h->origin) {
		free(h);
		return NULL;
	}
	h->id = id;
	h->next_ms = next_ms;
	h->next = f->hosts;
	f->hosts = h;
	f->nhosts++;
	return h;
}

struct frontier_host *frontier_find(struct frontier *f, int64_t id)
{
	struct frontier_host *h;

	for (h = f->hosts; h; h = h->next)
		if (h->id == id)
			return h;
	return NULL;
}

void frontier_remove_host(struct frontier *f, struct frontier_host *h)
{
	struct frontier_host **pp;

	for (pp = &f->hosts; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	if (f->cursor == h)
		f->cursor = h->next;
	f->nhosts--;
	host_free(h);
}

struct frontier_url *frontier_push(struct frontier_host *h, int64_t id, const char *url, int depth,
				   int hops)
{
	struct frontier_url *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->url = strdup(url);
	if (!u->url) {
		free(u);
		return NULL;
	}
	u->id = id;
	u->depth = depth;
	u->hops = hops;
	if (h->tail)
		h->tail->next = u;
	else
		h->head = u;
	h->tail = u;
	h->queued++;
	return u;
}

void frontier_set_robots(struct frontier_host *h, struct robots *r)
{
	robots_free(h->robots);
	h->robots = r;
	h->robots_state = FRONTIER_ROBOTS_READY;
}

/*
 * Requests a host may have in flight: per_host, but one when a delay is
 * asked for (--delay-ms, robots.txt's Crawl-delay). A delay is the least time
 * between two requests to the host, whatever the number of connections.
 */
static int host_slots(const struct frontier *f, const struct frontier_host *h)
{
	return f->delay_ms > 0 || h->crawl_delay_ms > 0 ? 1 : f->per_host;
}

static int host_ready(const struct frontier *f, const struct frontier_host *h, int64_t now_ms)
{
	return h->head && h->robots_state == FRONTIER_ROBOTS_READY && h->active < host_slots(f, h) &&
	       h->next_ms <= now_ms;
}

struct frontier_url *frontier_next(struct frontier *f, int64_t now_ms, struct frontier_host **host)
{
	struct frontier_host *start = f->cursor ? f->cursor : f->hosts, *h = start;
	struct frontier_url *u;

	if (!h)
		return NULL;
	do {
		if (host_ready(f, h, now_ms)) {
			u = h->head;
			h->head = u->next;
			if (!h->head)
				h->tail = NULL;
			h->queued--;
			u->next = NULL;
			h->active++;
			f->cursor = h->next;
			*host = h;
			return u;
		}
		h = h->next ? h->next : f->hosts;
	} while (h != start);
	return NULL;
}

struct frontier_host *frontier_next_robots(struct frontier *f, int64_t now_ms)
{
	struct frontier_host *h;

	for (h = f->hosts; h; h = h->next) {
		if (h->robots_state == FRONTIER_ROBOTS_NEEDED && h->active == 0 && h->next_ms <= now_ms) {
			h->robots_state = FRONTIER_ROBOTS_FETCHING;
			h->active++;
			return h;
		}
	}
	return NULL;
}

void frontier_done(struct frontier *f, struct frontier_host *h, int64_t now_ms, long response_ms,
		   long extra_ms)
{
	long wait = f->delay_ms;
	long slow = (long)(f->delay_factor * (double)response_ms);

	if (slow > wait)
		wait = slow;
	if (extra_ms > wait)
		wait = extra_ms;
	if (h->active > 0)
		h->active--;
	if (now_ms + wait > h->next_ms)
		h->next_ms = now_ms + wait;
}

long frontier_wait_ms(struct frontier *f, int64_t now_ms)
{
	struct frontier_host *h;
	long best = -1;

	for (h = f->hosts; h; h = h->next) {
		long w;

		if (!h->head || h->robots_state != FRONTIER_ROBOTS_READY || h->active >= host_slots(f, h))
			continue;
		w = h->next_ms > now_ms ? (long)(h->next_ms - now_ms) : 0;
		if (best < 0 || w < best)
			best = w;
	}
	return best;
}

struct frontier_host *frontier_first(struct frontier *f)
{
	return f->hosts;
}

size_t frontier_host_count(const struct frontier *f)
{
	return f->nhosts;
}

size_t frontier_queued(const struct frontier *f)
{
	struct frontier_host *h;
	size_t q = 0;

	for (h = f->hosts; h; h = h->next)
		q += h->queued;
	return q;
}
