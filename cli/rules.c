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
#include "classifiers/model.h"
#include "classifiers/patset.h"
#include "classifiers/taxonomy.h"
#include "cli/cli.h"
#include "cli/workflow.h"
#include "pipeline/samples.h"
#include "store/db.h"
#include "store/rulestats.h"
#include "util/arena.h"
#include "util/buf.h"

struct rtest {
	struct classifier *c;
	const struct model *model;  /* NULL: the rules have none */
	struct samples_score judge[SAMPLES_NJUDGE];
	int errors;
	struct buf wrong;
};

static void usage(void)
{
	fprintf(stderr, "usage: patrol rules check [--rules DIR] [--cache-dir DIR | --no-cache]\n"
			"                          [--compile-cpu SECONDS] [--compile-mem MIB]\n"
			"       patrol rules test [--rules DIR] [--cache-dir DIR | --no-cache]\n"
			"                         [--samples DIR] [--min-precision X] [--min-recall X]\n"
			"                         [--threshold X] [--max-body BYTES] [--max-text BYTES]\n"
			"                         [--max-links N]\n"
			"       patrol rules stats [--db CONNINFO] [--job NAME] [--json]\n");
}

static void test_file(const char *file, int want, void *ud)
{
	struct rtest *t = ud;
	struct arena *a = arena_new();
	struct samples_flags f;
	struct page_input p;
	struct err e;
	size_t i, j;
	int j2, seen;

	if (!a || cli_load_page(a, file, "", &p, &e) != PRC_OK ||
	    samples_judge(t->c, a, &p, &f, &e) != PRC_OK) {
		cli_error("%s", a ? e.msg : "out of memory");
		t->errors++;
		arena_free(a);
		return;
	}
	for (j2 = 0; j2 < SAMPLES_NJUDGE; j2++)
		samples_score_add(&t->judge[j2], want, f.flag[j2]);
	for (i = 0; i < f.nv; i++) {
		const struct verdict *v = &f.v[i];

		seen = 0;
		for (j = 0; j < i; j++)
			if (!strcmp(f.v[j].category, v->category))
				seen = 1;
		if (seen || (want >= 0 && !strcmp(v->category, taxonomy_get((size_t)want)->code)))
			continue;
		buf_addf(&t->wrong, "  false positive  %s: %s %.2f (%s) \"%s\"\n", file,
			 v->category, v->score, v->rule, v->evidence);
	}
	if (want >= 0 && !f.flag[SAMPLES_BOTH][want])
		buf_addf(&t->wrong, "  missed          %s: not flagged %s\n", file,
			 taxonomy_get((size_t)want)->code);
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
	if (ruleset_model(rs))
		printf("model: %zu categories (sha256 %.12s)\n",
		       model_category_count(ruleset_model(rs)), model_hash(ruleset_model(rs)));
	if (cache)
		printf("compiled patterns %s %s\n",
		       ruleset_from_cache(rs) ? "read from the cache in" : "stored in the cache in",
		       cache);
	ruleset_unref(rs);
	return 0;
}

/*
 * The rules alone (the model hidden from them), the model alone (a category
 * at probability >= SAMPLES_MODEL_FLAG) and both (the rules as they run,
 * reading the model), as precision, recall and F1 per category, and their
 * macro average. Benign samples count as false positives of what they flag.
 */
static void print_judges(const struct rtest *t)
{
	static const char *const names[SAMPLES_NJUDGE] = { "rules", "model", "both" };
	double p, r, f;
	size_t k;
	int j;

	if (!t->model) {
		printf("\nno model beside the rules (patrol train): rules alone only\n");
		return;
	}
	printf("\nrules alone, model alone (p >= %.2f) and both, per category (P R F1; model %.12s):\n",
	       SAMPLES_MODEL_FLAG, model_hash(t->model));
	printf("%-26s", "category");
	for (j = 0; j < SAMPLES_NJUDGE; j++)
		printf("  %5s-P %5s-R %5s-F1", names[j], names[j], names[j]);
	putchar('\n');
	for (k = 0; k < taxonomy_count() && k < SAMPLES_MAX_CATS; k++) {
		if (!t->judge[SAMPLES_BOTH].pos[k])
			continue;
		printf("%-26s", taxonomy_get(k)->code);
		for (j = 0; j < SAMPLES_NJUDGE; j++) {
			samples_score_prf(&t->judge[j], k, &p, &r, &f);
			printf("  %7.2f %7.2f %8.2f", p, r, f);
		}
		putchar('\n');
	}
	if (!samples_score_macro(&t->judge[SAMPLES_BOTH], &p, &r, &f))
		return;
	printf("%-26s", "macro");
	for (j = 0; j < SAMPLES_NJUDGE; j++) {
		samples_score_macro(&t->judge[j], &p, &r, &f);
		printf("  %7.2f %7.2f %8.2f", p, r, f);
	}
	putchar('\n');
}

/* The per-category table of the rules as they run; 1 when a category misses a threshold. */
static int print_table(const struct samples_score *s, double min_p, double min_r)
{
	size_t k;
	int fail = 0;

	printf("%-26s %6s %6s %6s %6s %9s %7s\n", "category", "files", "hits", "missed", "false+",
	       "precision", "recall");
	for (k = 0; k < taxonomy_count() && k < SAMPLES_MAX_CATS; k++) {
		char prec[16] = "-", rec[16] = "-";
		double p, r, f;
		int bad = 0;

		if (!s->pos[k] && !s->fp[k])
			continue;
		samples_score_prf(s, k, &p, &r, &f);
		if (s->tp[k] + s->fp[k]) {
			snprintf(prec, sizeof(prec), "%.2f", p);
			bad |= p < min_p;
		}
		if (s->pos[k]) {
			snprintf(rec, sizeof(rec), "%.2f", r);
			bad |= r < min_r;
		}
		printf("%-26s %6d %6d %6d %6d %9s %7s%s\n", taxonomy_get(k)->code, s->pos[k],
		       s->tp[k], s->pos[k] - s->tp[k], s->fp[k], prec, rec, bad ? "  FAIL" : "");
		fail |= bad;
	}
	printf("%-26s %6d %6s %6s %6d\n", "benign", s->benign, "", "", s->benign_flagged);
	return fail;
}

static int cmd_rules_test(const char *dir, const char *cache, const char *samples, double min_p,
			  double min_r)
{
	const struct samples_score *both;
	struct rtest t;
	struct ruleset *rs;
	struct err e;
	char *deflt = NULL;
	int fail, problems = 0, npos = 0;
	long files;
	size_t k;

	memset(&t, 0, sizeof(t));
	buf_init(&t.wrong, 1u << 22);
	rs = cli_load_rules_cached(dir, cache);
	if (!rs)
		return 2;
	t.c = classifier_new(rs, &e);
	t.model = ruleset_model(rs);
	ruleset_unref(rs); /* t.c keeps rs, and with it the model */
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
	files = samples_walk(samples, test_file, &t, &problems, &e);
	if (files < 0 || problems) {
		cli_error("%s", e.msg);
		t.errors++;
	} else if (files == 0) {
		cli_error("no samples under '%s' (wanted <category>/ and benign/ folders)", samples);
		t.errors++;
	}
	both = &t.judge[SAMPLES_BOTH];
	fail = print_table(both, min_p, min_r);
	if (t.wrong.len)
		printf("\nwrong:\n%s", buf_str(&t.wrong));
	for (k = 0; k < SAMPLES_MAX_CATS; k++)
		npos += both->pos[k];
	printf("\n%d positive and %d benign samples; precision >= %.2f and recall >= %.2f %s\n",
	       npos, both->benign, min_p, min_r, fail ? "NOT met" : "met");
	print_judges(&t);
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
	struct rows *r = NULL;
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
	} else if (r->nrows == 0) {
		printf("no page flagged%s%s\n", job ? " in job " : "", job ? job : "");
	} else {
		printf("%-44s %-22s %6s %9s %9s %6s %9s\n", "rule", "category", "pages",
		       "confirmed", "dismissed", "new", "dismissal");
		for (i = 0; i < r->nrows; i++) {
			const char *rate = rows_get(r, i, "dismissal_rate");
			char pct[32];

			if (rate)
				snprintf(pct, sizeof(pct), "%.1f%%", 100 * strtod(rate, NULL));
			else
				snprintf(pct, sizeof(pct), "-");
			printf("%-44s %-22s %6s %9s %9s %6s %9s\n", rows_str(r, i, "rule"),
			       rows_str(r, i, "category"), rows_str(r, i, "pages"),
			       rows_str(r, i, "confirmed"), rows_str(r, i, "dismissed"),
			       rows_str(r, i, "new"), pct);
		}
	}
	rows_free(r);
	db_free(d);
	return fflush(stdout) == 0 ? 0 : 1;
}

int cmd_rules(int argc, char **argv)
{
	const char *rules = NULL, *samples = NULL, *sub = NULL, *cache = NULL;
	const char *dbopt = NULL, *job = NULL;
	double min_p = 0.9, min_r = 0.9;
	long cpu_ms = PATSET_COMPILE_MS;
	size_t mem = PATSET_COMPILE_MEM;
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
		} else if ((!strcmp(argv[i], "--compile-cpu") || !strcmp(argv[i], "--compile-mem")) &&
			   i + 1 < argc) {
			/* the bounds of each pattern compile (patset.h), tighter than a crawl's */
			int cpu = !strcmp(argv[i], "--compile-cpu");
			long max = cpu ? 86400L : 1L << 20, v = cli_number(argv[i], argv[i + 1]);

			if (v < 0)
				return 2;
			if (v < 1 || v > max) {
				cli_error("option '%s' wants a number from 1 to %ld, not '%s'", argv[i],
					  max, argv[i + 1]);
				return 2;
			}
			if (cpu)
				cpu_ms = v * 1000;
			else
				mem = (size_t)v << 20;
			i++;
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
	patset_set_compile_limits(cpu_ms, mem);
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
