/* t-frontier.c - unit tests for the in-memory frontier: politeness and fairness. */
#include "crawler/frontier.h"
#include "tests/tap.h"

int main(void)
{
	struct frontier *f = frontier_new(1, 1000, 0.0);
	struct frontier_host *a, *b, *h = NULL;
	struct frontier_url *u;
	int64_t t = 1000000;

	a = frontier_add_host(f, 1, "http://a.example", 0);
	b = frontier_add_host(f, 2, "http://b.example", 0);
	frontier_push(a, 10, "http://a.example/1", 0, 0);
	frontier_push(a, 11, "http://a.example/2", 1, 0);
	frontier_push(b, 20, "http://b.example/1", 0, 0);
	is_int(frontier_queued(f), 3, "three URLs queued");
	ok(frontier_next(f, t, &h) == NULL, "nothing is fetched before robots.txt is known");
	h = frontier_next_robots(f, t);
	ok(h != NULL, "a host needs its robots.txt");
	frontier_set_robots(h, robots_allow_all());
	frontier_done(f, h, t, 10, 0);
	h = frontier_next_robots(f, t);
	ok(h != NULL, "so does the other");
	frontier_set_robots(h, robots_allow_all());
	frontier_done(f, h, t, 10, 0);
	ok(frontier_next_robots(f, t) == NULL, "then none");

	ok(frontier_next(f, t, &h) == NULL, "the delay after robots.txt holds");
	is_int(frontier_wait_ms(f, t), 1000, "wait until the delay has passed");
	t += 1000;
	u = frontier_next(f, t, &h);
	ok(u != NULL, "a URL is ready after the delay");
	u->next = frontier_next(f, t, &h);
	ok(u->next != NULL, "and one from the other host at the same time");
	ok(u->url[7] != u->next->url[7], "round-robin: the two come from different hosts");
	ok(frontier_next(f, t, &h) == NULL, "per-host limit 1: nothing more while both are in flight");
	frontier_done(f, a, t + 50, 50, 0);
	ok(frontier_next(f, t + 50, &h) == NULL, "no request before the delay after the last response");
	frontier_done(f, b, t + 50, 3000, 5000);
	u->next->next = frontier_next(f, t + 1050, &h);
	ok(u->next->next != NULL, "host a is ready after --delay-ms");
	frontier_done(f, a, t + 1100, 10, 0);
	is_int(frontier_queued(f), 0, "everything handed out");
	ok(b->next_ms == t + 50 + 5000, "Retry-After (extra delay) beats --delay-ms");
	frontier_url_free(u->next->next);
	frontier_url_free(u->next);
	frontier_url_free(u);
	frontier_remove_host(f, a);
	is_int(frontier_host_count(f), 1, "a host can be removed");
	frontier_free(f);

	/* --per-host 4: four at once, unless a delay is asked for */
	{
		struct frontier_url *got[4];
		int i, n;

		f = frontier_new(4, 0, 0.0);
		a = frontier_add_host(f, 1, "http://a.example", 0);
		frontier_set_robots(a, robots_allow_all());
		for (i = 0; i < 8; i++)
			frontier_push(a, 10 + i, "http://a.example/x", 0, 0);
		for (n = 0; n < 4 && (got[n] = frontier_next(f, t, &h)); n++)
			;
		is_int(n, 4, "--per-host 4 without a delay: four requests at once");
		ok(frontier_next(f, t, &h) == NULL, "and no fifth");
		for (i = 0; i < n; i++) {
			frontier_done(f, a, t + 10, 10, 0);
			frontier_url_free(got[i]);
		}
		a->crawl_delay_ms = 1000; /* robots.txt: Crawl-delay: 1 */
		t += 10;
		got[0] = frontier_next(f, t, &h);
		ok(got[0] != NULL, "Crawl-delay: one request");
		ok(frontier_next(f, t, &h) == NULL, "Crawl-delay: not a second one alongside, whatever --per-host");
		frontier_done(f, a, t + 20, 20, a->crawl_delay_ms);
		frontier_url_free(got[0]);
		ok(frontier_next(f, t + 500, &h) == NULL, "Crawl-delay: the next waits for the delay");
		is_int(frontier_wait_ms(f, t + 500), 520, "and the wait says so");
		got[0] = frontier_next(f, t + 1020, &h);
		ok(got[0] != NULL, "the next request after the delay");
		ok(frontier_next(f, t + 1020, &h) == NULL, "again one at a time");
		frontier_done(f, a, t + 1030, 10, a->crawl_delay_ms);
		frontier_url_free(got[0]);
		frontier_free(f);

		f = frontier_new(4, 200, 0.0);
		a = frontier_add_host(f, 1, "http://a.example", 0);
		frontier_set_robots(a, robots_allow_all());
		frontier_push(a, 1, "http://a.example/1", 0, 0);
		frontier_push(a, 2, "http://a.example/2", 0, 0);
		got[0] = frontier_next(f, t, &h);
		ok(got[0] && !frontier_next(f, t, &h), "--delay-ms with --per-host 4: one at a time");
		frontier_url_free(got[0]);
		frontier_free(f);
	}
	return done_testing();
}
