/*
 * samples.c - the vet a crawl's hot reload runs: the rule pack's labelled
 * samples (the ones `patrol rules test` reads) classified by the running set
 * and by the new one. A set that misses a positive the running set caught,
 * or flags a benign page the running set left alone, is refused, so a rule
 * file that breaks another rule's results (or its own) never reaches a
 * running crawl. Whatever both sets get wrong is not this vet's business:
 * precision and recall thresholds are `rules test`'s.
 */
#include "cli/samples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/taxonomy.h"
#include "cli/cli.h"
#include "util/arena.h"

#define VET_MAX_LINES 20

struct vet {
	struct classifier *cur, *next;
	const char *expect; /* category of the directory walked, NULL for benign */
	struct buf *why;
	int regressions;
};

/* 1 when c classifies p as its directory says, 0 when not, -1 when it cannot run. */
static int right(struct classifier *c, struct arena *a, const struct page_input *p,
		 const char *expect, const char **flagged)
{
	struct verdict *v = NULL;
	struct err e;
	size_t n = 0, i;

	if (classifier_run(c, a, p, &v, &n, NULL, NULL, &e) != PRC_OK)
		return -1;
	*flagged = n ? v[0].category : NULL;
	if (!expect)
		return n == 0;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].category, expect))
			return 1;
	return 0;
}

static void vet_file(const char *file, void *ud)
{
	struct vet *vt = ud;
	struct arena *a = arena_new();
	struct page_input p;
	const char *fc = NULL, *fn = NULL;
	struct err e;

	if (!a)
		return;
	if (cli_load_page(a, file, "", &p, &e) == PRC_OK &&
	    right(vt->cur, a, &p, vt->expect, &fc) == 1 &&
	    right(vt->next, a, &p, vt->expect, &fn) == 0) {
		if (vt->regressions < VET_MAX_LINES) {
			if (vt->expect)
				buf_addf(vt->why, "%s: no longer flagged %s by the new rules\n", file,
					 vt->expect);
			else
				buf_addf(vt->why, "%s: a benign sample now flagged %s by the new rules\n",
					 file, fn ? fn : "?");
		}
		vt->regressions++;
	}
	arena_free(a);
}

enum prc cli_samples_vet(struct ruleset *cur, struct ruleset *next, struct buf *why, void *ud)
{
	const char *dir = ud;
	struct vet vt;
	struct err e;
	char *sub = NULL;
	enum prc rc = PRC_OK;
	size_t c;

	if (!dir || access(dir, F_OK) != 0)
		return PRC_OK;
	memset(&vt, 0, sizeof(vt));
	vt.why = why;
	vt.cur = classifier_new(cur, &e);
	if (!vt.cur) {
		buf_addf(why, "cannot run the samples with the running rules: %s\n", e.msg);
		rc = PRC_INTERNAL;
		goto out;
	}
	vt.next = classifier_new(next, &e);
	if (!vt.next) {
		buf_addf(why, "cannot run the samples with the new rules: %s\n", e.msg);
		rc = PRC_INVALID;
		goto out;
	}
	for (c = 0; c <= taxonomy_count(); c++) {
		const char *name = c < taxonomy_count() ? taxonomy_get(c)->code : "benign";

		if (asprintf(&sub, "%s/%s", dir, name) < 0) {
			rc = PRC_NOMEM;
			goto out;
		}
		if (access(sub, F_OK) == 0) {
			vt.expect = c < taxonomy_count() ? name : NULL;
			cli_walk(sub, vet_file, &vt);
		}
		free(sub);
		sub = NULL;
	}
	if (vt.regressions) {
		if (vt.regressions > VET_MAX_LINES)
			buf_addf(why, "... and %d more\n", vt.regressions - VET_MAX_LINES);
		buf_addf(why, "the new rules get %d sample%s under '%s' wrong that the running rules "
			 "get right\n", vt.regressions, vt.regressions == 1 ? "" : "s", dir);
		rc = PRC_DECLINED;
	}
out:
	classifier_free(vt.cur);
	classifier_free(vt.next);
	return rc;
}
