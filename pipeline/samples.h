/* samples.h - labelled samples: walked, judged by rules and model, scored, and the reload vet. */
#ifndef PATROL_SAMPLES_H
#define PATROL_SAMPLES_H

#include <stddef.h>

#include "classifiers/classify.h"
#include "classifiers/model.h"
#include "classifiers/ruleset.h"
#include "pipeline/page.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

/*
 * A sample folder is laid out as lua/samples/: <category>/ holds positives
 * of that TAXONOMY.md category, benign/ pages that must flag nothing; files
 * may sit in subfolders. Categories are taxonomy indices; -1 is benign.
 */
#define SAMPLES_MAX_CATS 64

/* Called for every sample file with the category its folder names. */
typedef void (*samples_fn)(const char *file, int cat, void *ud);

/*
 * Calls fn for every regular file under dir/<category>/ (in taxonomy order)
 * then dir/benign/, each folder in name order, skipping dot files. Returns
 * the number of files given to fn; a folder or file that cannot be read is
 * skipped with the first such problem in e and *problems counted (problems
 * may be NULL). -1 with e set when dir itself cannot be read.
 */
long samples_walk(const char *dir, samples_fn fn, void *ud, int *problems, struct err *e);

/* The three ways of judging a page that `rules test` reports. */
enum samples_judge { SAMPLES_RULES = 0, SAMPLES_MODEL, SAMPLES_BOTH, SAMPLES_NJUDGE };

#define SAMPLES_MODEL_FLAG 0.5 /* the model alone flags a category at this probability */

/* One page judged: per judge, per taxonomy category, whether it was flagged. */
struct samples_flags {
	unsigned char flag[SAMPLES_NJUDGE][SAMPLES_MAX_CATS];
	int model_run;             /* 0: no model, SAMPLES_MODEL's row is empty */
	struct verdict *v;         /* SAMPLES_BOTH's verdicts (the rules as they run), in the arena */
	size_t nv;
};

/*
 * Judges p three ways: c's rules with the model hidden from them, the model
 * of c's rule set alone (a category at p >= SAMPLES_MODEL_FLAG; skipped
 * when the set has none), and the rules as they run, reading the model
 * (without a model, the first run is reused: the rules run once).
 * Everything lives in a. PRC_OK, or what classifier_run returned (e set).
 */
enum prc samples_judge(struct classifier *c, struct arena *a, const struct page_input *p,
		       struct samples_flags *out, struct err *e);

/*
 * The model's probabilities for page p (title, text and blocks read as the
 * classifier reads them for page.model) into probs (model_category_count
 * entries), or the pieces given to acc when it collects
 * (model_acc_init_collect). PRC_NOMEM with e set.
 */
enum prc samples_model_page(struct model_acc *acc, struct arena *a, const struct page_input *p,
			    struct err *e);

/* Per-category counts of one judge over many pages. */
struct samples_score {
	int pos[SAMPLES_MAX_CATS]; /* pages whose folder is the category */
	int tp[SAMPLES_MAX_CATS];  /* of those, flagged with it */
	int fp[SAMPLES_MAX_CATS];  /* pages of another folder (or benign) flagged with it */
	int benign, benign_flagged;/* benign pages, and those flagged with anything */
};

/* Counts one page of category want (-1: benign) flagged as flag[] says. */
void samples_score_add(struct samples_score *s, int want, const unsigned char *flag);

/* Precision, recall and F1 of category k (0 where undefined). */
void samples_score_prf(const struct samples_score *s, size_t k, double *p, double *r, double *f);

/*
 * The macro average of precision, recall and F1 over the categories with
 * positives; returns how many there are (0: the three are 0).
 */
int samples_score_macro(const struct samples_score *s, double *p, double *r, double *f);

/*
 * A rulehub_vet_fn: classifies every sample under the folder ud names with
 * cur and with next. PRC_DECLINED, with one line per sample in why ("file:
 * ..."), when next gets wrong a sample cur gets right; PRC_OK otherwise (a
 * folder that does not exist vets nothing). Errors building a classifier
 * are returned with their message in why. Called in the hub's reload thread.
 */
enum prc samples_vet(struct ruleset *cur, struct ruleset *next, struct buf *why, void *ud);

#endif
