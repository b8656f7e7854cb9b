/*
 * t-samples.c - unit tests for pipeline/samples.c: a sample folder walked
 * in taxonomy and name order (unknown folders and dot files skipped), the
 * scores `rules test` prints computed by hand, the three judges of a page,
 * and the reload vet refusing a rule set that loses a sample the running
 * set catches while passing one that loses nothing. Run from the
 * repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/taxonomy.h"
#include "pipeline/samples.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "util/log.h"

static char top[] = "/tmp/t-samples-XXXXXX";

static void put(const char *rel, const char *text)
{
	fixture_put(top, rel, text);
}

static void mk(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	mkdir(path, 0700);
}

static int cat_of(const char *code)
{
	size_t k;

	for (k = 0; k < taxonomy_count(); k++)
		if (!strcmp(taxonomy_get(k)->code, code))
			return (int)k;
	return -2;
}

struct seen {
	char log[4096];
};

static void note(const char *file, int cat, void *ud)
{
	struct seen *s = ud;
	size_t n = strlen(s->log);

	snprintf(s->log + n, sizeof(s->log) - n, "%s=%s;", file + strlen(top) + 1,
		 cat >= 0 ? taxonomy_get((size_t)cat)->code : "benign");
}

static void test_walk(void)
{
	struct seen s;
	struct err e;
	char want[1024], missing[600];
	int problems = 0;
	long n;

	mk("s");
	mk("s/drug_ad");
	mk("s/drug_ad/deep");
	mk("s/phishing");
	mk("s/benign");
	mk("s/not_a_category");
	put("s/drug_ad/b.txt", "b");
	put("s/drug_ad/a.txt", "a");
	put("s/drug_ad/deep/c.txt", "c");
	put("s/drug_ad/.hidden", "h");
	put("s/phishing/p.html", "<p>p</p>");
	put("s/benign/z.txt", "z");
	put("s/not_a_category/x.txt", "x");
	memset(&s, 0, sizeof(s));
	snprintf(missing, sizeof(missing), "%s/s", top);
	n = samples_walk(missing, note, &s, &problems, &e);
	is_int((int)n, 5, "five sample files walked");
	is_int(problems, 0, "no problem reading them");
	/* taxonomy order: drug_ad before phishing in TAXONOMY.md, benign last */
	snprintf(want, sizeof(want), "%s%s%s",
		 cat_of("drug_ad") < cat_of("phishing") ?
			 "s/drug_ad/a.txt=drug_ad;s/drug_ad/b.txt=drug_ad;"
			 "s/drug_ad/deep/c.txt=drug_ad;" :
			 "s/phishing/p.html=phishing;",
		 cat_of("drug_ad") < cat_of("phishing") ?
			 "s/phishing/p.html=phishing;" :
			 "s/drug_ad/a.txt=drug_ad;s/drug_ad/b.txt=drug_ad;"
			 "s/drug_ad/deep/c.txt=drug_ad;",
		 "s/benign/z.txt=benign;");
	is_str(s.log, want, "categories in taxonomy order, files in name order, benign last");

	snprintf(missing, sizeof(missing), "%s/no-such-folder", top);
	n = samples_walk(missing, note, &s, &problems, &e);
	is_int((int)n, -1, "a folder that does not exist is an error");
	ok(strstr(e.msg, "no-such-folder") != NULL, "which names it: %s", e.msg);
	snprintf(missing, sizeof(missing), "%s/s/benign/z.txt", top);
	n = samples_walk(missing, note, &s, &problems, &e);
	is_int((int)n, -1, "a file is not a sample folder");
	ok(strstr(e.msg, "not a folder") != NULL, "and says so: %s", e.msg);
}

static void test_score(void)
{
	struct samples_score s;
	unsigned char f[SAMPLES_MAX_CATS];
	double p, r, f1;

	memset(&s, 0, sizeof(s));
	/* category 0: 4 positives, 3 caught; category 1: 2 positives, 1 caught, 1 flagged as 0 */
	memset(f, 0, sizeof(f));
	f[0] = 1;
	samples_score_add(&s, 0, f);
	samples_score_add(&s, 0, f);
	samples_score_add(&s, 0, f);
	samples_score_add(&s, 1, f); /* a category-1 page flagged 0: fp of 0, miss of 1 */
	memset(f, 0, sizeof(f));
	samples_score_add(&s, 0, f); /* missed */
	f[1] = 1;
	samples_score_add(&s, 1, f);
	samples_score_add(&s, -1, f); /* a benign page flagged 1 */
	memset(f, 0, sizeof(f));
	samples_score_add(&s, -1, f); /* a benign page left alone */
	is_int(s.pos[0], 4, "four positives of 0");
	is_int(s.tp[0], 3, "three caught");
	is_int(s.fp[0], 1, "one page of another category flagged 0");
	is_int(s.fp[1], 1, "the benign page counts against 1");
	is_int(s.benign, 2, "two benign pages");
	is_int(s.benign_flagged, 1, "one of them flagged");
	samples_score_prf(&s, 0, &p, &r, &f1);
	ok(p == 0.75 && r == 0.75 && f1 == 0.75, "category 0: P 3/4, R 3/4, F1 0.75");
	samples_score_prf(&s, 1, &p, &r, &f1);
	ok(p == 0.5 && r == 0.5 && f1 == 0.5, "category 1: P 1/2, R 1/2, F1 0.5");
	samples_score_prf(&s, 5, &p, &r, &f1);
	ok(p == 0 && r == 0 && f1 == 0, "a category with nothing scores 0, not NaN");
	is_int(samples_score_macro(&s, &p, &r, &f1), 2, "two categories with positives");
	ok(f1 == 0.625, "macro F1 is their mean (%.3f)", f1);
}

static struct ruleset *load(const char *dir)
{
	struct ruleset_opts o = { .lib_dir = "lua/lib", .model = "" };

	o.cache_dir = getenv("PATROL_TEST_CACHE");
	struct ruleset *rs = NULL;
	struct buf errs;

	buf_init(&errs, 1 << 20);
	if (ruleset_load(dir, &o, &rs, &errs) != PRC_OK)
		diag("%s: %s", dir, buf_str(&errs));
	buf_release(&errs);
	return rs;
}

static void copy(const char *from, const char *to)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp %s %s/%s", from, top, to);
	if (system(cmd) != 0)
		diag("cannot run %s", cmd);
}

static void test_judge_and_vet(void)
{
	struct ruleset *all = load("lua/rules"), *some = NULL;
	struct ruleset_opts wm = { .lib_dir = "lua/lib", .cache_dir = getenv("PATROL_TEST_CACHE") };
	struct ruleset *withmodel = NULL;
	struct classifier *c;
	struct samples_flags fl;
	struct page_input p;
	struct arena *a = arena_new();
	struct buf why, errs;
	struct err e;
	char dir[600];
	int drug = cat_of("drug_ad");

	if (!ok(all && a, "the shipped rules load")) {
		ruleset_unref(all);
		arena_free(a);
		return;
	}
	c = classifier_new(all, &e);
	ok(c != NULL, "a classifier");
	is_int(page_read_file(a, NULL, "lua/samples/drug_ad/03-post.html", "", &p, &e), PRC_OK,
	       "a sample read as the crawl reads it");
	is_int(samples_judge(c, a, &p, &fl, &e), PRC_OK, "judged");
	ok(fl.flag[SAMPLES_RULES][drug] && fl.flag[SAMPLES_BOTH][drug],
	   "rules alone and both flag drug_ad");
	is_int(fl.model_run, 0, "no model loaded: the model's judgement is not made");
	classifier_free(c);

	buf_init(&errs, 1 << 20);
	if (ruleset_load("lua/rules", &wm, &withmodel, &errs) == PRC_OK && withmodel &&
	    ruleset_model(withmodel)) {
		c = classifier_new(withmodel, &e);
		ok(c && samples_judge(c, a, &p, &fl, &e) == PRC_OK && fl.model_run,
		   "with the shipped model, the model's judgement is made");
		ok(fl.flag[SAMPLES_MODEL][drug], "and the model alone flags drug_ad");
		classifier_free(c);
	} else {
		ok(0, "the shipped rules load with their model");
		ok(0, "(skipped)");
	}
	ruleset_unref(withmodel);
	buf_release(&errs);

	/* the vet: samples with one drug_ad and one phishing positive, one benign */
	mk("v");
	mk("v/drug_ad");
	mk("v/phishing");
	mk("v/benign");
	copy("lua/samples/drug_ad/03-post.html", "v/drug_ad/");
	copy("lua/samples/phishing/01-amazon-suspend.html", "v/phishing/");
	copy("lua/samples/benign/bank-02-police.txt", "v/benign/");
	mk("r");
	copy("lua/rules/drug_ad.lua", "r/");
	some = load((snprintf(dir, sizeof(dir), "%s/r", top), dir));
	snprintf(dir, sizeof(dir), "%s/v", top);
	buf_init(&why, 1 << 16);
	is_int(samples_vet(all, all, &why, dir), PRC_OK, "the same rules lose nothing");
	is_int((int)why.len, 0, "and say nothing");
	ok(some != NULL, "a set with the drug_ad rule only");
	if (some) {
		is_int(samples_vet(all, some, &why, dir), PRC_DECLINED,
		       "a set that loses the phishing positive is refused");
		ok(strstr(buf_str(&why), "01-amazon-suspend.html: no longer flagged phishing") != NULL,
		   "naming the sample and what it lost");
		ok(strstr(buf_str(&why), "03-post.html") == NULL,
		   "the sample both sets catch is not named");
		why.len = 0;
		is_int(samples_vet(some, all, &why, dir), PRC_OK, "a set that gains is accepted");
	}
	is_int(samples_vet(all, all, &why, "/no/such/samples"), PRC_OK,
	       "no sample folder vets nothing");
	buf_release(&why);
	ruleset_unref(some);
	ruleset_unref(all);
	arena_free(a);
}

int main(void)
{
	char cmd[600];

	log_set_level(LOG_ERROR);
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	test_walk();
	test_score();
	test_judge_and_vet();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		diag("cannot remove %s", top);
	return done_testing();
}
