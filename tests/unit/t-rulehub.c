/*
 * t-rulehub.c - unit tests for hot reload: a good change is swapped in
 * (generation bumps, the new rule classifies), a broken file is refused with
 * its file:line logged while the running set keeps classifying, the watch
 * thread picks up a file written into the rules directory, and readers that
 * take the current set and classify with it while reloads run never see a
 * freed or half-built set (run under ASan by make asan). Run from the
 * repository root (the helper library is lua/lib).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/patset.h"
#include "classifiers/rulehub.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "util/arena.h"
#include "util/log.h"

static char rules[256], cache[256];

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct buf logged;

static void sink(enum log_level level, const char *msg, void *ud)
{
	(void)ud;
	if (level > LOG_WARN)
		return;
	pthread_mutex_lock(&log_mu);
	buf_addstr(&logged, msg);
	buf_addch(&logged, '\n');
	pthread_mutex_unlock(&log_mu);
}

static int log_has(const char *s)
{
	int r;

	pthread_mutex_lock(&log_mu);
	r = strstr(buf_str(&logged), s) != NULL;
	pthread_mutex_unlock(&log_mu);
	return r;
}

static void write_file(const char *name, const char *body)
{
	char path[512], tmp[520];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", rules, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		diag("cannot write %s", tmp);
		return;
	}
	fputs(body, f);
	fclose(f);
	rename(tmp, path); /* as editors and deploys do: the loader never sees half a file */
}

static void remove_file(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", rules, name);
	unlink(path);
}

static char *rule(const char *name, const char *word)
{
	char *s;

	if (asprintf(&s,
		     "return {\n"
		     "  name = \"%s\",\n"
		     "  category = \"drug_ad\",\n"
		     "  patterns = { w = { \"%s\" } },\n"
		     "  classify = function(page, m) return #m.w > 0 and 1 or 0 end,\n"
		     "}\n",
		     name, word) < 0)
		abort();
	return s;
}

static void put_rule(const char *file, const char *name, const char *word)
{
	char *s = rule(name, word);

	write_file(file, s);
	free(s);
}

/* The rule names rs flags text with, comma-separated, into out. */
static void flags(struct ruleset *rs, const char *text, char *out, size_t size)
{
	struct arena *a = arena_new();
	struct classifier *c;
	struct page_input p;
	struct verdict *v;
	struct err e;
	size_t n = 0, i, off = 0;

	out[0] = 0;
	c = classifier_new(rs, &e);
	if (!c || !a) {
		snprintf(out, size, "error: %.200s", c ? "arena" : e.msg);
		classifier_free(c);
		arena_free(a);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.url = p.final_url = p.title = p.content_type = "";
	p.text = text;
	p.text_len = strlen(text);
	if (classifier_run(c, a, &p, &v, &n, NULL, NULL, &e) != PRC_OK)
		snprintf(out, size, "error: %.200s", e.msg);
	for (i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(out + off, size - off, "%s%s", i ? "," : "", v[i].rule);
	classifier_free(c);
	arena_free(a);
}

static int wait_generation(struct rulehub *hub, unsigned long want, int ms)
{
	struct timespec ts = { 0, 20 * 1000000L };
	int waited = 0;

	while (rulehub_generation(hub) < want && waited < ms) {
		nanosleep(&ts, NULL);
		waited += 20;
	}
	return rulehub_generation(hub) >= want;
}

/* ---- concurrent readers ---- */

struct reader {
	struct rulehub *hub;
	atomic_int *stop;
	int runs, rebuilds, bad;
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct ruleset *rs = NULL;
	struct classifier *c = NULL;
	unsigned long gen = 0;
	struct page_input p;
	struct verdict *v;
	struct err e;
	size_t n, i;
	const char *text = "alphaword betaword gammaword deltaword";

	memset(&p, 0, sizeof(p));
	p.url = p.final_url = p.title = p.content_type = "";
	p.text = text;
	p.text_len = strlen(text);
	while (!atomic_load(r->stop) || r->runs < 20) {
		struct arena *a;

		/* as a crawl worker does between pages */
		if (!c || rulehub_generation(r->hub) != gen) {
			classifier_free(c);
			ruleset_unref(rs);
			rs = rulehub_current_gen(r->hub, &gen);
			c = classifier_new(rs, &e);
			r->rebuilds++;
			if (!c) {
				r->bad++;
				break;
			}
		}
		a = arena_new();
		if (!a || classifier_run(c, a, &p, &v, &n, NULL, NULL, &e) != PRC_OK) {
			r->bad++;
		} else {
			/* every rule of the set it built from fires on the text, no other */
			if (n != ruleset_rule_count(rs))
				r->bad++;
			for (i = 0; i < n; i++)
				if (strncmp(v[i].rule, "test.", 5))
					r->bad++;
		}
		arena_free(a);
		r->runs++;
	}
	classifier_free(c);
	ruleset_unref(rs);
	return NULL;
}

int main(int argc, char **argv)
{
	struct rulehub *hub = NULL;
	struct rulehub_status st;
	struct ruleset *rs, *old;
	struct buf errs;
	struct err e;
	char got[512], *tmpl;
	unsigned long g0;
	int i;

	/*
	 * Reloads compile while the readers and the watch thread run: in a bare
	 * fork the child could inherit a lock one of them held (ASan's allocator
	 * has no fork handlers) and wait until the wall bound kills it. So this
	 * binary compiles the way patrol does, in a fresh start of itself.
	 */
	if (argc >= 2 && !strcmp(argv[1], PATSET_CHILD_ARG)) {
		patset_child_main(argc - 1, argv + 1, &e);
		fprintf(stderr, "%s\n", e.msg);
		return 2;
	}
	patset_set_child_exe("/proc/self/exe");
	buf_init(&logged, 1u << 20);
	log_set_sink(sink, NULL);
	log_set_level(LOG_INFO);
	tmpl = strdup("/tmp/t-rulehub-XXXXXX");
	if (fixture_rules_dirs(tmpl, rules, sizeof(rules), cache, sizeof(cache)) < 0) {
		printf("1..0 # skip cannot make a temporary directory\n");
		return 0;
	}
	put_rule("a.lua", "test.alpha", "alphaword");

	buf_init(&errs, 1u << 20);
	is_int(rulehub_new(rules, "lua/lib", cache, &hub, &errs), PRC_OK, "a hub loads its first set");
	if (!hub) {
		diag("%s", buf_str(&errs));
		return done_testing();
	}
	is_int(rulehub_generation(hub), 1, "the first set is generation 1");
	rs = rulehub_current(hub);
	flags(rs, "ここに alphaword がある", got, sizeof(got));
	is_str(got, "test.alpha", "and classifies");

	/* a good change */
	put_rule("b.lua", "test.beta", "betaword");
	rulehub_reload_async(hub);
	is_int(rulehub_wait_idle(hub, 30000), PRC_OK, "the reload finishes");
	is_int(rulehub_generation(hub), 2, "a good reload bumps the generation");
	old = rs;
	rs = rulehub_current(hub);
	ok(rs != old, "and swaps in a new set");
	flags(rs, "alphaword and betaword", got, sizeof(got));
	is_str(got, "test.alpha,test.beta", "the new rule is visible");
	flags(old, "alphaword and betaword", got, sizeof(got));
	is_str(got, "test.alpha", "a reader holding the old set still has the old rules");
	ruleset_unref(old);

	/* a broken file */
	write_file("c.lua", "return {\n  name = \"test.broken\",\n  category = \"drug_ad\"\n  patterns = {},\n}\n");
	rulehub_reload_async(hub);
	rulehub_wait_idle(hub, 30000);
	rulehub_status(hub, &st);
	is_int(st.generation, 2, "a broken file leaves the generation alone");
	is_int(st.refused, 1, "and counts a refused reload");
	is_int(st.reloads, 2, "two reloads finished");
	ok(log_has("c.lua:4: "), "every error is logged file:line");
	ok(log_has("the running rules stay"), "with what happened");
	ruleset_unref(rs);
	rs = rulehub_current(hub);
	flags(rs, "alphaword and betaword", got, sizeof(got));
	is_str(got, "test.alpha,test.beta", "the running set still classifies");
	ruleset_unref(rs);

	/* a synchronous reload reports the errors to the caller */
	buf_reset(&errs);
	is_int(rulehub_reload(hub, &errs), PRC_PARSE, "rulehub_reload refuses the broken set too");
	ok(strstr(buf_str(&errs), "c.lua:4: ") != NULL, "and gives the caller the error lines");

	/* watch mode */
	is_int(rulehub_watch(hub, 300, &e), PRC_OK, "watching starts");
	is_int(rulehub_watch(hub, 300, &e), PRC_DECLINED, "and only once");
	g0 = rulehub_generation(hub);
	remove_file("c.lua");
	put_rule("d.lua", "test.delta", "deltaword");
	ok(wait_generation(hub, g0 + 1, 20000), "a file written into the rules directory is picked up");
	rulehub_wait_idle(hub, 30000);
	is_int(rulehub_generation(hub), g0 + 1, "as one reload (the two changes were debounced)");
	rs = rulehub_current(hub);
	flags(rs, "deltaword", got, sizeof(got));
	is_str(got, "test.delta", "the watched change is visible");
	ruleset_unref(rs);
	g0 = rulehub_generation(hub);
	write_file("notes.txt", "not a rule\n");
	write_file(".d.lua.swp", "editor junk\n");
	usleep(900 * 1000);
	rulehub_wait_idle(hub, 30000);
	is_int(rulehub_generation(hub), g0, "files that are not rules do not trigger a reload");

	/* readers while reloading */
	{
		struct reader rd[4];
		pthread_t th[4];
		atomic_int stop;
		int bad = 0, rebuilds = 0;

		atomic_init(&stop, 0);
		for (i = 0; i < 4; i++) {
			memset(&rd[i], 0, sizeof(rd[i]));
			rd[i].hub = hub;
			rd[i].stop = &stop;
			pthread_create(&th[i], NULL, reader_main, &rd[i]);
		}
		g0 = rulehub_generation(hub);
		for (i = 0; i < 6; i++) {
			if (i % 2)
				remove_file("g.lua");
			else
				put_rule("g.lua", "test.gamma", "gammaword");
			rulehub_reload_async(hub);
			/* generous: under a sanitizer on a loaded machine one load can take long */
			ok(rulehub_wait_idle(hub, 300000) == PRC_OK, "reload %d done", i + 1);
			usleep(50 * 1000);
		}
		atomic_store(&stop, 1);
		for (i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			bad += rd[i].bad;
			rebuilds += rd[i].rebuilds;
		}
		/* the watch thread adds its own reloads of the same changes */
		ok(rulehub_generation(hub) >= g0 + 6, "six reloads while four readers classify (%lu)",
		   rulehub_generation(hub) - g0);
		is_int(bad, 0, "every reader's verdicts match the set it holds");
		ok(rebuilds > 4, "readers rebuilt their classifiers on new generations (%d)", rebuilds);
	}

	/* a burst of requests is merged (each reload here takes a millisecond or two, so some run) */
	usleep(400 * 1000); /* let the watch thread's debounced reloads of the writes above land */
	rulehub_wait_idle(hub, 30000);
	g0 = rulehub_generation(hub);
	for (i = 0; i < 200; i++)
		rulehub_reload_async(hub);
	rulehub_wait_idle(hub, 30000);
	ok(rulehub_generation(hub) - g0 < 100 && rulehub_generation(hub) > g0,
	   "two hundred requests are merged into fewer reloads (%lu)", rulehub_generation(hub) - g0);

	rulehub_free(hub);
	rulehub_free(NULL);

	/* a hub cannot start on a broken set */
	write_file("c.lua", "return {\n  name = \"test.broken\",\n  category = \"drug_ad\"\n  patterns = {},\n}\n");
	buf_reset(&errs);
	hub = (struct rulehub *)1;
	is_int(rulehub_new(rules, "lua/lib", NULL, &hub, &errs), PRC_PARSE,
	       "rulehub_new refuses a broken set");
	ok(hub == NULL && strstr(buf_str(&errs), "c.lua:4: "), "with its errors");

	buf_release(&errs);
	log_set_sink(NULL, NULL);
	buf_release(&logged);
	if (fixture_remove(tmpl) < 0)
		diag("cannot remove %s", tmpl);
	free(tmpl);
	return done_testing();
}
