/*
 * rules.c - `patrol rules check|test|stats`: what a rule author runs before
 * a rule pack goes anywhere near a crawl, and after. check compiles every
 * rule file and prints each problem as file:line: message; test runs the
 * labeled samples (lua/samples/<category>/ positives, lua/samples/benign/
 * negatives) and prints precision and recall per category, failing below a
 * threshold; stats shows, per rule, the pages it flagged in the database
 * and how reviewers judged them (store/rulestats.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/taxonomy.h"
#include "cli/cli.h"
#include "cli/workflow.h"
#include "store/db.h"
#include "store/rulestats.h"
#include "util/arena.h"
#include "util/buf.h"

#define MAX_CATS 64

struct cat_stat {
	char code[64];
	int pos, tp, fp;
};

struct rtest {
	struct classifier *c;
	const char *expect; /* category of the directory being run, NULL for benign */
	struct cat_stat cats[MAX_CATS];
	int ncats;
	int benign, benign_flagged;
	int errors;
	struct buf wrong;
};

static void usage(void)
{
	fprintf(stderr, "usage: patrol rules check [--rules DIR] [--cache-dir DIR | --no-cache]\n"
			"       patrol rules test [--rules DIR] [--cache-dir DIR | --no-cache]\n"
			"                         [--samples DIR] [--min-precision X] [--min-recall X]\n"
			"                         [--threshold X] [--max-body BYTES] [--max-text BYTES]\n"
			"                         [--max-links N]\n"
			"       patrol rules stats [--db CONNINFO] [--job NAME] [--json]\n");
}

static struct cat_stat *cat(struct rtest *t, const char *code)
{
	int i;

	for (i = 0; i < t->ncats; i++)
		if (!strcmp(t->cats[i].code, code))
			return &t->cats[i];
	if (t->ncats == MAX_CATS)
		return NULL;
	snprintf(t->cats[t->ncats].code, sizeof(t->cats[0].code), "%s", code);
	return &t->cats[t->ncats++];
}

static void test_file(const char *file, void *ud)
{
	struct rtest *t = ud;
	struct arena *a = arena_new();
	struct page_input p;
	struct verdict *v;
	struct cat_stat *cs;
	size_t n, i, j;
	struct err e;
	int hit = 0, seen;

	if (!a || cli_load_page(a, file, "", &p, &e) != PRC_OK ||
	    classifier_run(t->c, a, &p, &v, &n, NULL, NULL, &e) != PRC_OK) {
		cli_error("%s", a ? e.msg : "out of memory");
		t->errors++;
		arena_free(a);
		return;
	}
	if (t->expect) {
		cs = cat(t, t->expect);
		if (cs)
			cs->pos++;
	} else {
		t->benign++;
	}
	for (i = 0; i < n; i++) {
		seen = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(v[j].category, v[i].category))
				seen = 1;
		if (seen)
			continue;
		if (t->expect && !strcmp(v[i].category, t->expect)) {
			hit = 1;
			continue;
		}
		cs = cat(t, v[i].category);
		if (cs)
			cs->fp++;
		if (!t->expect)
			t->benign_flagged++;
		buf_addf(&t->wrong, "  false positive  %s: %s %.2f (%s) \"%s\"\n", file,
			 v[i].category, v[i].score, v[i].rule, v[i].evidence);
	}
	if (t->expect) {
		if (hit) {
			cs = cat(t, t->expect);
			if (cs)
				cs->tp++;
		} else {
			buf_addf(&t->wrong, "  missed          %s: not flagged %s\n", file, t->expect);
		}
	}
	arena_free(a);
}

static int parse_ratio(const char *opt, const char *s, double *out)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || *end || d < 0 || d > 1) {
		cli_error("option '%s' wants a number between 0 and 1, not '%s'", opt, s);
		return -1;
	}
	*out = d;
	return 0;
}

static int cmd_rules_check(const char *dir, const char *cache)
{
	struct ruleset *rs = cli_load_rules_cached(dir, cache);
	size_t i, j, ncat = 0;
	int dup;

	if (!rs)
		return 1;
	for (i = 0; i < ruleset_rule_count(rs); i++) {
		dup = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(ruleset_rule_category(rs, i), ruleset_rule_category(rs, j)))
				dup = 1;
		if (!dup)
			ncat++;
	}
	printf("%zu rules, %zu patterns, %zu categories\n", ruleset_rule_count(rs),
	       ruleset_pattern_count(rs), ncat);
	if (cache)
		printf("compiled patterns %s %s\n",
		       ruleset_from_cache(rs) ? "read from the cache in" : "stored in the cache in",
		       cache);
	ruleset_unref(rs);
	return 0;
}

static int cmd_rules_test(const char *dir, const char *cache, const char *samples, double min_p,
			  double min_r)
{
	struct rtest t;
	struct ruleset *rs;
	struct err e;
	char *deflt = NULL, *sub = NULL;
	const char *names[MAX_CATS + 1];
	int i, j, fail = 0, nnames = 0, k;
	size_t c;

	memset(&t, 0, sizeof(t));
	buf_init(&t.wrong, 1u << 22);
	rs = cli_load_rules_cached(dir, cache);
	if (!rs)
		return 2;
	t.c = classifier_new(rs, &e);
	ruleset_unref(rs);
	if (!t.c) {
		cli_error("%s", e.msg);
		return 2;
	}
	if (!samples) {
		if (asprintf(&deflt, "%s/../samples", dir) < 0) {
			classifier_free(t.c);
			return 2;
		}
		samples = deflt;
	}
	/* every category of TAXONOMY.md that has a directory, then benign */
	for (c = 0; c < taxonomy_count() && nnames < MAX_CATS; c++)
		names[nnames++] = taxonomy_get(c)->code;
	names[nnames++] = "benign";
	for (k = 0; k < nnames; k++) {
		if (asprintf(&sub, "%s/%s", samples, names[k]) < 0)
			break;
		if (access(sub, F_OK) == 0) {
			t.expect = strcmp(names[k], "benign") ? names[k] : NULL;
			if (t.expect)
				cat(&t, t.expect);
			if (cli_walk(sub, test_file, &t) < 0)
				t.errors++;
		}
		free(sub);
	}
	if (!t.ncats && !t.benign) {
		cli_error("no samples under '%s'", samples);
		t.errors++;
	}

	printf("%-26s %6s %6s %6s %6s %9s %7s\n", "category", "files", "hits", "missed", "false+",
	       "precision", "recall");
	for (i = 0; i < t.ncats; i++) {
		struct cat_stat *cs = &t.cats[i];
		char prec[16] = "-", rec[16] = "-";
		int bad = 0;

		if (cs->tp + cs->fp) {
			double p = (double)cs->tp / (cs->tp + cs->fp);

			snprintf(prec, sizeof(prec), "%.2f", p);
			if (p < min_p)
				bad = 1;
		}
		if (cs->pos) {
			double r = (double)cs->tp / cs->pos;

			snprintf(rec, sizeof(rec), "%.2f", r);
			if (r < min_r)
				bad = 1;
		}
		printf("%-26s %6d %6d %6d %6d %9s %7s%s\n", cs->code, cs->pos, cs->tp,
		       cs->pos - cs->tp, cs->fp, prec, rec, bad ? "  FAIL" : "");
		fail |= bad;
	}
	printf("%-26s %6d %6s %6s %6d\n", "benign", t.benign, "", "", t.benign_flagged);
	if (t.wrong.len)
		printf("\nwrong:\n%s", buf_str(&t.wrong));
	j = 0;
	for (i = 0; i < t.ncats; i++)
		j += t.cats[i].pos;
	printf("\n%d positive and %d benign samples; precision >= %.2f and recall >= %.2f %s\n", j,
	       t.benign, min_p, min_r, fail ? "NOT met" : "met");
	buf_release(&t.wrong);
	classifier_free(t.c);
	free(deflt);
	if (t.errors)
		return 2;
	return fail ? 1 : 0;
}

static int cmd_rules_stats(const char *dbopt, const char *job, int json)
{
	struct db *d = cli_db_open(dbopt);
	PGresult *r = NULL;
	struct err e;
	int i;

	if (!d)
		return 1;
	if (rulestats_run(d, job, &r, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		db_free(d);
		return 1;
	}
	if (json) {
		out_json_rows(stdout, r);
		putchar('\n');
	} else if (PQntuples(r) == 0) {
		printf("no page flagged%s%s\n", job ? " in job " : "", job ? job : "");
	} else {
		printf("%-44s %-22s %6s %9s %9s %6s %9s\n", "rule", "category", "pages",
		       "confirmed", "dismissed", "new", "dismissal");
		for (i = 0; i < PQntuples(r); i++) {
			const char *rate = PQgetisnull(r, i, 7) ? "-" : PQgetvalue(r, i, 7);
			char pct[32];

			if (*rate != '-')
				snprintf(pct, sizeof(pct), "%.1f%%", 100 * strtod(rate, NULL));
			else
				snprintf(pct, sizeof(pct), "-");
			printf("%-44s %-22s %6s %9s %9s %6s %9s\n", PQgetvalue(r, i, 0),
			       PQgetvalue(r, i, 1), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4),
			       PQgetvalue(r, i, 5), PQgetvalue(r, i, 6), pct);
		}
	}
	PQclear(r);
	db_free(d);
	return fflush(stdout) == 0 ? 0 : 1;
}

int cmd_rules(int argc, char **argv)
{
	const char *rules = NULL, *samples = NULL, *sub = NULL, *cache = NULL;
	const char *dbopt = NULL, *job = NULL;
	double min_p = 0.9, min_r = 0.9;
	int i, json = 0;

	for (i = 1; i < argc; i++) {
		int pr = cli_page_option(argc, argv, &i, NULL); /* how the samples are read */

		if (pr < 0) {
			return 2;
		} else if (pr > 0) {
			continue;
		} else if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			rules = argv[++i];
		} else if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc) {
			cache = argv[++i];
		} else if (!strcmp(argv[i], "--no-cache")) {
			cache = "";
		} else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			dbopt = argv[++i];
		} else if (!strcmp(argv[i], "--job") && i + 1 < argc) {
			job = argv[++i];
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--samples") && i + 1 < argc) {
			samples = argv[++i];
		} else if (!strcmp(argv[i], "--min-precision") && i + 1 < argc) {
			if (parse_ratio(argv[i], argv[i + 1], &min_p) < 0)
				return 2;
			i++;
		} else if (!strcmp(argv[i], "--min-recall") && i + 1 < argc) {
			if (parse_ratio(argv[i], argv[i + 1], &min_r) < 0)
				return 2;
			i++;
		} else if (!strcmp(argv[i], "--threshold") && i + 1 < argc) {
			if (parse_ratio(argv[i], argv[i + 1], &min_r) < 0)
				return 2;
			min_p = min_r;
			i++;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		} else if (argv[i][0] != '-' && !sub) {
			sub = argv[i];
		} else {
			cli_error("unknown option '%s'", argv[i]);
			usage();
			return 2;
		}
	}
	if (!sub) {
		usage();
		return 2;
	}
	if (!strcmp(sub, "check"))
		return cmd_rules_check(cli_rules_dir(rules), cli_cache_dir(cache));
	if (!strcmp(sub, "test"))
		return cmd_rules_test(cli_rules_dir(rules), cli_cache_dir(cache), samples, min_p,
				      min_r);
	if (!strcmp(sub, "stats"))
		return cmd_rules_stats(dbopt, job, json);
	cli_error("unknown rules command '%s' (check, test, stats)", sub);
	usage();
	return 2;
}
