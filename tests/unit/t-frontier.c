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
	return done_testing();
}
