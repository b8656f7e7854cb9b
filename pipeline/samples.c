/*
 * samples.c - labelled samples as the rule pack's tests: walking a sample
 * folder, judging a page by the rules alone, the model alone and both,
 * scoring the judgements per category, and the vet a crawl's hot reload
 * runs.
 *
 * DESIGN
 *
 * `patrol rules test` (precision and recall per category), `patrol train`
 * (the model's training set) and a running crawl's reload (is the new rule
 * set worse on any sample?) read the same folders the same way: files in
 * name order, each read by page_read_file as the crawl would have read it
 * off the web. The scoring lives here, with unit tests (t-samples), so what
 * the CLI prints is only printing.
 *
 * The vet refuses a new rule set that gets wrong a sample the running set
 * gets right: a missed positive, or a benign page now flagged. Whatever both
 * sets get wrong is not its business: thresholds are `rules test`'s.
 */
#include "pipeline/samples.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classifiers/normalize.h"
#include "classifiers/taxonomy.h"
#include "util/textblock.h"
#include "util/walk.h"

#define VET_MAX_LINES 20

struct cat_walk {
	samples_fn fn;
	void *ud;
	int cat;
};

static void cat_file(const char *file, int plain, void *ud)
{
	struct cat_walk *w = ud;

	w->fn(file, w->cat, w->ud);
}

long samples_walk(const char *dir, samples_fn fn, void *ud, int *problems, struct err *e)
{
	struct cat_walk w;
	struct stat st;
	char *sub;
	long files = 0, r;
	size_t k;

	if (stat(dir, &st) < 0) {
		err_set(e, PRC_IO, "cannot read the sample folder '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_set(e, PRC_INVALID, "'%s' is not a folder of samples", dir);
		return -1;
	}
	w.fn = fn;
	w.ud = ud;
	for (k = 0; k <= taxonomy_count() && k < SAMPLES_MAX_CATS; k++) {
		const char *name = k < taxonomy_count() ? taxonomy_get(k)->code : "benign";

		if (asprintf(&sub, "%s/%s", dir, name) < 0) {
			err_set(e, PRC_NOMEM, "out of memory walking '%s'", dir);
			return -1;
		}
		if (stat(sub, &st) == 0) {
			w.cat = k < taxonomy_count() ? (int)k : -1;
			r = walk_files(sub, cat_file, &w, problems, e);
			if (r < 0) {
				if (problems)
					++*problems;
			} else {
				files += r;
			}
		}
		free(sub);
	}
	return files;
}

static int tax_index(const char *code)
{
	size_t k;

	for (k = 0; k < taxonomy_count() && k < SAMPLES_MAX_CATS; k++)
		if (!strcmp(taxonomy_get(k)->code, code))
			return (int)k;
	return -1;
}

static void flag_verdicts(unsigned char *flag, const struct verdict *v, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		if ((k = tax_index(v[i].category)) >= 0)
			flag[k] = 1;
}

enum prc samples_model_page(struct model_acc *acc, struct arena *a, const struct page_input *p,
			    struct err *e)
{
	struct nview tn, ts, xn, xs;
	size_t tlen = strlen(p->title);

	if (normalize_views(a, p->title, tlen, &tn, &ts) != PRC_OK ||
	    normalize_views(a, p->text, p->text_len, &xn, &xs) != PRC_OK)
		return err_set(e, PRC_NOMEM, "out of memory reading the page for the model");
	model_acc_add_page(acc, &ts, textblock_title_site(p->title, tlen), &xs, p->text_len,
			   p->blocks, p->nblocks);
	return PRC_OK;
}

enum prc samples_judge(struct classifier *c, struct arena *a, const struct page_input *p,
		       struct samples_flags *out, struct err *e)
{
	const struct model *m = ruleset_model(classifier_ruleset(c));
	double probs[MODEL_MAX_CATEGORIES];
	struct model_acc acc;
	struct verdict *v;
	size_t n, i;
	enum prc rc;
	int k;

	memset(out, 0, sizeof(*out));
	classifier_use_model(c, 0);
	rc = classifier_run(c, a, p, &v, &n, NULL, NULL, e);
	classifier_use_model(c, 1);
	if (rc != PRC_OK)
		return rc;
	flag_verdicts(out->flag[SAMPLES_RULES], v, n);
	if (!m) {
		/* without a model the rules as they run are the rules alone */
		out->v = v;
		out->nv = n;
		memcpy(out->flag[SAMPLES_BOTH], out->flag[SAMPLES_RULES], sizeof(out->flag[0]));
		return PRC_OK;
	}
	model_acc_init(&acc, m);
	rc = samples_model_page(&acc, a, p, e);
	if (rc != PRC_OK)
		return rc;
	model_acc_probs(&acc, probs);
	for (i = 0; i < model_category_count(m); i++)
		if (probs[i] >= SAMPLES_MODEL_FLAG && (k = tax_index(model_category(m, i))) >= 0)
			out->flag[SAMPLES_MODEL][k] = 1;
	out->model_run = 1;
	rc = classifier_run(c, a, p, &out->v, &out->nv, NULL, NULL, e);
	if (rc != PRC_OK)
		return rc;
	flag_verdicts(out->flag[SAMPLES_BOTH], out->v, out->nv);
	return PRC_OK;
}

void samples_score_add(struct samples_score *s, int want, const unsigned char *flag)
{
	size_t k;
	int any = 0;

	if (want >= 0 && want < SAMPLES_MAX_CATS)
		s->pos[want]++;
	else
		s->benign++;
	for (k = 0; k < SAMPLES_MAX_CATS; k++) {
		if (!flag[k])
			continue;
		any = 1;
		if ((int)k == want)
			s->tp[k]++;
		else
			s->fp[k]++;
	}
	if (want < 0 && any)
		s->benign_flagged++;
}

void samples_score_prf(const struct samples_score *s, size_t k, double *p, double *r, double *f)
{
	*p = *r = *f = 0;
	if (k >= SAMPLES_MAX_CATS)
		return;
	*p = s->tp[k] + s->fp[k] ? (double)s->tp[k] / (s->tp[k] + s->fp[k]) : 0;
	*r = s->pos[k] ? (double)s->tp[k] / s->pos[k] : 0;
	*f = *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}

int samples_score_macro(const struct samples_score *s, double *p, double *r, double *f)
{
	double cp, cr, cf;
	size_t k;
	int n = 0;

	*p = *r = *f = 0;
	for (k = 0; k < SAMPLES_MAX_CATS; k++) {
		if (!s->pos[k])
			continue;
		samples_score_prf(s, k, &cp, &cr, &cf);
		*p += cp;
		*r += cr;
		*f += cf;
		n++;
	}
	if (n) {
		*p /= n;
		*r /= n;
		*f /= n;
	}
	return n;
}

struct vet {
	struct classifier *cur, *next;
	struct buf *why;
	int regressions;
};

/* 1 when c classifies p as its folder (want) says, 0 when not, -1 when it cannot run. */
static int right(struct classifier *c, struct arena *a, const struct page_input *p, int want,
		 const char **flagged)
{
	unsigned char flag[SAMPLES_MAX_CATS];
	struct verdict *v = NULL;
	struct err e;
	size_t n = 0;

	if (classifier_run(c, a, p, &v, &n, NULL, NULL, &e) != PRC_OK)
		return -1;
	*flagged = n ? v[0].category : NULL;
	if (want < 0)
		return n == 0;
	memset(flag, 0, sizeof(flag));
	flag_verdicts(flag, v, n);
	return flag[want];
}

static void vet_file(const char *file, int want, void *ud)
{
	struct vet *vt = ud;
	struct arena *a = arena_new();
	struct page_input p;
	const char *fc = NULL, *fn = NULL;
	struct err e;

	if (!a)
		return;
	if (page_read_file(a, NULL, file, "", &p, &e) == PRC_OK &&
	    right(vt->cur, a, &p, want, &fc) == 1 && right(vt->next, a, &p, want, &fn) == 0) {
		if (vt->regressions < VET_MAX_LINES) {
			if (want >= 0)
				buf_addf(vt->why, "%s: no longer flagged %s by the new rules\n", file,
					 taxonomy_get((size_t)want)->code);
			else
				buf_addf(vt->why, "%s: a benign sample now flagged %s by the new rules\n",
					 file, fn ? fn : "?");
		}
		vt->regressions++;
	}
	arena_free(a);
}

enum prc samples_vet(struct ruleset *cur, struct ruleset *next, struct buf *why, void *ud)
{
	const char *dir = ud;
	struct vet vt;
	struct stat st;
	struct err e;
	enum prc rc = PRC_OK;

	if (!dir || stat(dir, &st) != 0)
		return PRC_OK;
	memset(&vt, 0, sizeof(vt));
	vt.why = why;
	vt.cur = classifier_new(cur, &e);
	if (!vt.cur) {
		buf_addf(why, "cannot run the samples with the running rules: %s\n", e.msg);
		return PRC_INTERNAL;
	}
	vt.next = classifier_new(next, &e);
	if (!vt.next) {
		buf_addf(why, "cannot run the samples with the new rules: %s\n", e.msg);
		rc = PRC_INVALID;
		goto out;
	}
	samples_walk(dir, vet_file, &vt, NULL, &e);
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
