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
#include "classifiers/normalize.h"
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

/* One way of judging the samples (rules alone, model alone, both), per taxonomy category. */
enum { JUDGE_RULES = 0, JUDGE_MODEL, JUDGE_BOTH, NJUDGE };

struct judge_stat {
	int pos[MAX_CATS], tp[MAX_CATS], fp[MAX_CATS];
};

#define MODEL_FLAG 0.5 /* the model alone flags a category at this probability */

struct rtest {
	struct classifier *c;
	const struct model *model;  /* NULL: the rules have none */
	struct judge_stat judge[NJUDGE];
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

static int tax_index(const char *code)
{
	size_t k;

	for (k = 0; k < taxonomy_count() && k < MAX_CATS; k++)
		if (!strcmp(taxonomy_get(k)->code, code))
			return (int)k;
	return -1;
}

/* Counts one page's categories (flag[k]) for judge j against what its folder says. */
static void judge_count(struct rtest *t, int j, const unsigned char *flag)
{
	struct judge_stat *js = &t->judge[j];
	int want = t->expect ? tax_index(t->expect) : -1;
	size_t k;

	if (want >= 0)
		js->pos[want]++;
	for (k = 0; k < taxonomy_count() && k < MAX_CATS; k++) {
		if (!flag[k])
			continue;
		if ((int)k == want)
			js->tp[k]++;
		else
			js->fp[k]++;
	}
}

/* Rules alone (the model hidden from them) and the model alone on one page. */
static int judge_alone(struct rtest *t, struct arena *a, const struct page_input *p,
		       struct err *e)
{
	unsigned char flag[MAX_CATS];
	struct nview tn, ts, xn, xs;
	double probs[MODEL_MAX_CATEGORIES];
	struct model_acc acc;
	struct verdict *v;
	size_t n, i;
	int k;

	memset(flag, 0, sizeof(flag));
	classifier_use_model(t->c, 0);
	if (classifier_run(t->c, a, p, &v, &n, NULL, NULL, e) != PRC_OK) {
		classifier_use_model(t->c, 1);
		return -1;
	}
	classifier_use_model(t->c, 1);
	for (i = 0; i < n; i++)
		if ((k = tax_index(v[i].category)) >= 0)
			flag[k] = 1;
	judge_count(t, JUDGE_RULES, flag);
	if (!t->model)
		return 0;
	memset(flag, 0, sizeof(flag));
	if (normalize_views(a, p->title, strlen(p->title), &tn, &ts) != PRC_OK ||
	    normalize_views(a, p->text, p->text_len, &xn, &xs) != PRC_OK) {
		err_set(e, PRC_NOMEM, "out of memory");
		return -1;
	}
	model_acc_init(&acc, t->model);
	model_acc_add_page(&acc, &ts, textblock_title_site(p->title, strlen(p->title)), &xs,
			   p->text_len, p->blocks, p->nblocks);
	model_acc_probs(&acc, probs);
	for (i = 0; i < model_category_count(t->model); i++)
		if (probs[i] >= MODEL_FLAG && (k = tax_index(model_category(t->model, i))) >= 0)
			flag[k] = 1;
	judge_count(t, JUDGE_MODEL, flag);
	return 0;
}

static void test_file(const char *file, void *ud)
{
	struct rtest *t = ud;
	struct arena *a = arena_new();
	struct page_input p;
	struct verdict *v;
	struct cat_stat *cs;
	unsigned char flag[MAX_CATS];
	size_t n, i, j;
	struct err e;
	int hit = 0, seen, k;

	if (!a || cli_load_page(a, file, "", &p, &e) != PRC_OK || judge_alone(t, a, &p, &e) < 0 ||
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
	memset(flag, 0, sizeof(flag));
	for (i = 0; i < n; i++)
		if ((k = tax_index(v[i].category)) >= 0)
			flag[k] = 1;
	judge_count(t, JUDGE_BOTH, flag);
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

static void prf(const struct judge_stat *js, size_t k, double *p, double *r, double *f)
{
	*p = js->tp[k] + js->fp[k] ? (double)js->tp[k] / (js->tp[k] + js->fp[k]) : 0;
	*r = js->pos[k] ? (double)js->tp[k] / js->pos[k] : 0;
	*f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}

/*
 * The rules alone (the model hidden from them), the model alone (a category
 * at probability >= MODEL_FLAG) and both (the rules as they run, reading
 * the model), as precision, recall and F1 per category, and their macro
 * average. Benign samples count as false positives of what they flag.
 */
static void print_judges(const struct rtest *t)
{
	static const char *const names[NJUDGE] = { "rules", "model", "both" };
	double sum[NJUDGE][3];
	size_t k;
	int j, ncat = 0;

	if (!t->model) {
		printf("\nno model beside the rules (patrol train): rules alone only\n");
		return;
	}
	memset(sum, 0, sizeof(sum));
	printf("\nrules alone, model alone (p >= %.2f) and both, per category (P R F1; model %.12s):\n",
	       MODEL_FLAG, model_hash(t->model));
	printf("%-26s", "category");
	for (j = 0; j < NJUDGE; j++)
		printf("  %5s-P %5s-R %5s-F1", names[j], names[j], names[j]);
	putchar('\n');
	for (k = 0; k < taxonomy_count() && k < MAX_CATS; k++) {
		if (!t->judge[JUDGE_BOTH].pos[k])
			continue;
		ncat++;
		printf("%-26s", taxonomy_get(k)->code);
		for (j = 0; j < NJUDGE; j++) {
			double p, r, f;

			prf(&t->judge[j], k, &p, &r, &f);
			sum[j][0] += p;
			sum[j][1] += r;
			sum[j][2] += f;
			printf("  %7.2f %7.2f %8.2f", p, r, f);
		}
		putchar('\n');
	}
	if (!ncat)
		return;
	printf("%-26s", "macro");
	for (j = 0; j < NJUDGE; j++)
		printf("  %7.2f %7.2f %8.2f", sum[j][0] / ncat, sum[j][1] / ncat, sum[j][2] / ncat);
	putchar('\n');
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
