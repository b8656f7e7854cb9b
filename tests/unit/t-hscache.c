/*
 * t-hscache.c - unit tests for the compiled-pattern cache: a miss compiles
 * and stores, a hit skips compiling and classifies the same, any change of
 * a rule file is a miss, and an entry that is corrupt, truncated, garbage
 * or another key's is ignored (logged) and replaced; a refused set is never
 * stored, an unwritable cache costs nothing but a warning, and the
 * directory is pruned. Run from the repository root (lua/lib).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/hscache.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "util/arena.h"
#include "util/log.h"

static char rules[256], cache[256];
static struct buf logged;

static void sink(enum log_level level, const char *msg, void *ud)
{
	(void)ud;
	if (level <= LOG_WARN) {
		buf_addstr(&logged, msg);
		buf_addch(&logged, '\n');
	}
}

static void put(const char *name, const char *body)
{
	fixture_put(rules, name, body);
}

static const char rule_a[] =
	"-- rule a\n"
	"return {\n"
	"  name = \"test.a\", category = \"drug_ad\",\n"
	"  patterns = { w = { \"手押し\", { re = [[\\d{3,}円]] }, view = \"both\" } },\n"
	"  classify = function(page, m) return #m.w >= 2 and 1 or 0 end,\n"
	"}\n";
static const char rule_b[] =
	"return {\n"
	"  name = \"test.b\", category = \"crime_recruitment\",\n"
	"  patterns = { w = { \"闇バイト\", \"高額報酬\", view = \"both\" } },\n"
	"  classify = function(page, m) return #m.w > 0 and 1 or 0 end,\n"
	"}\n";

static int entries(void)
{
	DIR *d = opendir(cache);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".hsdb") && de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Loads the rules; returns the set (or NULL), with from_cache in *hit. */
static struct ruleset *load(const char *cdir, int *hit, enum prc *rcp)
{
	struct ruleset_opts o;
	struct ruleset *rs = NULL;
	struct buf errs;
	enum prc rc;

	memset(&o, 0, sizeof(o));
	o.lib_dir = "lua/lib";
	o.cache_dir = cdir;
	buf_init(&errs, 1u << 20);
	rc = ruleset_load(rules, &o, &rs, &errs);
	if (rc != PRC_OK && !rcp)
		diag("load: %s", buf_str(&errs));
	if (rcp)
		*rcp = rc;
	buf_release(&errs);
	*hit = ruleset_from_cache(rs);
	return rs;
}

static size_t classify(struct ruleset *rs, const char *text)
{
	struct arena *a = arena_new();
	struct classifier *c = classifier_new(rs, NULL);
	struct page_input p;
	struct verdict *v;
	size_t n = 0;

	if (c && a) {
		memset(&p, 0, sizeof(p));
		p.url = p.final_url = p.title = p.content_type = "";
		p.text = text;
		p.text_len = strlen(text);
		if (classifier_run(c, a, &p, &v, &n, NULL, NULL, NULL) != PRC_OK)
			n = (size_t)-1;
	}
	classifier_free(c);
	arena_free(a);
	return n;
}

/* The path of the most recently used entry (malloc'd). */
static char *newest_entry(void)
{
	DIR *d = opendir(cache);
	struct dirent *de;
	struct stat st, best;
	char *p = NULL, tmp[600];

	if (!d)
		return NULL;
	memset(&best, 0, sizeof(best));
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".hsdb") || de->d_name[0] == '.')
			continue;
		snprintf(tmp, sizeof(tmp), "%s/%s", cache, de->d_name);
		if (stat(tmp, &st) == 0 &&
		    (!p || st.st_mtim.tv_sec > best.st_mtim.tv_sec ||
		     (st.st_mtim.tv_sec == best.st_mtim.tv_sec &&
		      st.st_mtim.tv_nsec > best.st_mtim.tv_nsec))) {
			free(p);
			p = strdup(tmp);
			best = st;
		}
	}
	closedir(d);
	return p;
}

static void flip_byte(const char *path, long at)
{
	int fd = open(path, O_RDWR);
	unsigned char c;

	if (fd < 0)
		return;
	if (pread(fd, &c, 1, at) == 1) {
		c ^= 0x5a;
		if (pwrite(fd, &c, 1, at) != 1)
			diag("pwrite failed");
	}
	close(fd);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
	struct ruleset *rs;
	char *tmpl = strdup("/tmp/t-hscache-XXXXXX"), *entry, *copy, cmd[700];
	const char *text = "手押し 3000円 即日 闇バイト";
	enum prc rc;
	int hit, i;
	size_t n0;

	buf_init(&logged, 1u << 20);
	log_set_sink(sink, NULL);
	if (fixture_rules_dirs(tmpl, rules, sizeof(rules), cache, sizeof(cache)) < 0) {
		printf("1..0 # skip cannot make a temporary directory\n");
		return 0;
	}
	put("a.lua", rule_a);
	put("b.lua", rule_b);

	rs = load(cache, &hit, NULL);
	ok(rs && !hit, "a first load compiles");
	is_int(entries(), 1, "and stores one entry");
	n0 = classify(rs, text);
	is_int(n0, 2, "the compiled set flags both rules");
	ruleset_unref(rs);
	rs = load(cache, &hit, NULL);
	ok(rs && hit, "a second load reads the cache");
	is_int(classify(rs, text), n0, "and classifies the same");
	is_int(classify(rs, "三千円で手押し"), 1, "kanji numerals and both views work from the cache");
	ruleset_unref(rs);
	rs = load(NULL, &hit, NULL);
	ok(rs && !hit, "without a cache directory nothing is cached");
	ruleset_unref(rs);

	/* damaged entries are ignored and replaced */
	entry = newest_entry();
	if (!ok(entry != NULL, "the entry is in the cache directory"))
		return done_testing();
	flip_byte(entry, file_size(entry) / 2);
	buf_reset(&logged);
	rs = load(cache, &hit, NULL);
	ok(rs && !hit, "a flipped byte: the entry is ignored and the set compiled");
	ok(strstr(buf_str(&logged), "corrupt") != NULL, "with a warning");
	is_int(classify(rs, text), n0, "the compiled set is right");
	ruleset_unref(rs);
	rs = load(cache, &hit, NULL);
	ok(rs && hit, "and the entry was replaced");
	ruleset_unref(rs);

	if (truncate(entry, file_size(entry) / 2) != 0)
		diag("truncate failed");
	rs = load(cache, &hit, NULL);
	ok(rs && !hit, "a truncated entry is ignored");
	ruleset_unref(rs);
	rs = load(cache, &hit, NULL);
	ok(rs && hit, "and replaced");
	ruleset_unref(rs);

	{
		FILE *f = fopen(entry, "w");

		if (f) {
			fputs("PATROLHS garbage", f);
			fclose(f);
		}
	}
	rs = load(cache, &hit, NULL);
	ok(rs && !hit, "garbage under the entry's name is ignored");
	ruleset_unref(rs);

	/* a change of any byte of a rule file is another key */
	{
		char edited[sizeof(rule_a) + 32];

		snprintf(edited, sizeof(edited), "%s-- a comment\n", rule_a);
		put("a.lua", edited);
	}
	rs = load(cache, &hit, NULL);
	ok(rs && !hit, "a comment added to a rule file is a miss");
	is_int(entries(), 2, "and a second entry");
	ruleset_unref(rs);

	/* another key's entry renamed to this key's name */
	free(entry);
	copy = newest_entry();
	put("a.lua", rule_a);
	rs = load(cache, &hit, NULL);
	ok(rs && hit, "the first files again: a hit");
	ruleset_unref(rs);
	entry = newest_entry();
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", copy, entry);
	if (system(cmd) != 0)
		diag("cp failed");
	buf_reset(&logged);
	rs = load(cache, &hit, NULL);
	ok(rs && !hit, "an entry holding another key is ignored");
	ok(strstr(buf_str(&logged), "another key") != NULL, "and says so");
	is_int(classify(rs, text), n0, "the set is right");
	ruleset_unref(rs);
	free(copy);
	free(entry);

	/* a refused set is not stored */
	i = entries();
	put("c.lua", "return { name = \"test.c\", category = \"drug_ad\", patterns = { w = { { re = [[(]] } } },\n"
		     "  classify = function() return 1 end }\n");
	rs = load(cache, &hit, &rc);
	ok(rs == NULL && rc == PRC_PARSE, "a bad pattern is refused with the cache on");
	is_int(entries(), i, "and nothing is stored");
	unlink(strcat(strcpy(cmd, rules), "/c.lua"));

	/* an unusable cache directory costs a warning */
	buf_reset(&logged);
	snprintf(cmd, sizeof(cmd), "%s/a.lua/cache", rules);
	rs = load(cmd, &hit, NULL);
	ok(rs && !hit, "a cache directory that cannot be made: the set still loads");
	ok(strstr(buf_str(&logged), "cannot store the pattern cache") != NULL, "with a warning");
	ruleset_unref(rs);

	/* pruning */
	for (i = 0; i < HSCACHE_KEEP + 3; i++) {
		char body[sizeof(rule_a) + 32];

		snprintf(body, sizeof(body), "%s-- %d\n", rule_a, i);
		put("a.lua", body);
		rs = load(cache, &hit, NULL);
		ruleset_unref(rs);
	}
	is_int(entries(), HSCACHE_KEEP, "the directory keeps the %d most recent entries",
	       HSCACHE_KEEP);

	if (fixture_remove(tmpl) < 0)
		diag("cannot remove %s", tmpl);
	free(tmpl);
	log_set_sink(NULL, NULL);
	buf_release(&logged);
	return done_testing();
}
