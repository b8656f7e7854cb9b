/* model.h - the trained classifier beside the rules: character n-grams of the normalized text, naive Bayes, a probability per category. */
#ifndef PATROL_MODEL_H
#define PATROL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "classifiers/normalize.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/textblock.h"

#define MODEL_FORMAT_VERSION 2 /* 2: n-grams keyed by util/hash.h hash64 */
#define MODEL_MAX_CATEGORIES 63 /* besides the "none" class */
#define MODEL_FILE_MAX (64u << 20)

/*
 * A loaded model: its categories, and per hashed character n-gram (1 to 3
 * characters of the squeezed view, normalize.h) a log-probability for each
 * category and for "none" (ordinary and look-alike pages). Immutable once
 * loaded: share it read-only between threads.
 */
struct model;

/*
 * What one text is made of for the model: pieces of normalized text (the
 * squeezed view), n-grams never crossing from one piece into the next.
 * Caller-owned; init before use, no release needed.
 */
struct model_acc {
	const struct model *m;
	double sum[MODEL_MAX_CATEGORIES + 1]; /* per class: log-likelihood so far */
	size_t n;                             /* n-grams the model knows */
	/* set by model_acc_init_collect: each piece goes to fn instead */
	void (*fn)(const char *s, size_t len, void *ud);
	void *ud;
};

/* ---- reading ---- */

/*
 * Reads a model from the len bytes at data; name is what messages call it
 * (a path). Refuses, with PRC_PARSE and a message naming name, a file that
 * is not a model (bad magic), of another format version, truncated or
 * corrupt (the content hash at its end does not match), or with a category
 * TAXONOMY.md does not know. PRC_NOMEM without memory. *out is the
 * caller's (model_free).
 */
enum prc model_parse(const void *data, size_t len, const char *name, struct model **out,
		     struct err *e);

/* model_parse of the file at path; PRC_IO when it cannot be read, PRC_NOTFOUND when it does not exist. */
enum prc model_load(const char *path, struct model **out, struct err *e);

void model_free(struct model *m); /* NULL is fine */

/* Number of categories (without "none") and the code of category i. Owned by m. */
size_t model_category_count(const struct model *m);
const char *model_category(const struct model *m, size_t i);

/* The index of code in m's categories, or -1. */
int model_category_index(const struct model *m, const char *code);

/* The model's content hash (SHA-256 of the file, 64 hex digits). Owned by m. */
const char *model_hash(const struct model *m);

/* ---- scoring (thread-safe on one model, each thread its own acc) ---- */

void model_acc_init(struct model_acc *acc, const struct model *m);

/*
 * An acc that scores nothing and hands each piece to fn instead (what a
 * trainer is given: model_acc_add_page's pieces, for model_trainer_add).
 */
void model_acc_init_collect(struct model_acc *acc, void (*fn)(const char *s, size_t len, void *ud),
			    void *ud);

/* Adds the n-grams of s[0, len) (normalized text) as one piece. */
void model_acc_add(struct model_acc *acc, const char *s, size_t len);

/*
 * Adds the part of view v that the original bytes [from, to) produced, as
 * one piece (a block's range of the page text).
 */
void model_acc_add_range(struct model_acc *acc, const struct nview *v, size_t from, size_t to);

/*
 * Writes the probability of each category (model_category_count entries)
 * into probs: a softmax over the categories and "none" of the n-grams'
 * log-likelihoods, scaled to a fixed length so a long page is no surer than
 * a post. A text with no n-gram the model knows gets 0 everywhere.
 */
void model_acc_probs(const struct model_acc *acc, double *probs);

/*
 * What the model reads of a page, the same for training and scoring: the
 * title up to the site's name (textblock_title_site), and every segment of
 * the text that is not boilerplate (the whole text when blocks is NULL),
 * each in its squeezed view. title and text are the views made by
 * normalize_views; title_len is how many bytes of the original title count.
 * acc may score or collect (model_acc_init_collect).
 */
void model_acc_add_page(struct model_acc *acc, const struct nview *title, size_t title_len,
			const struct nview *text, size_t text_len, const struct textblock *blocks,
			size_t nblocks);

/* ---- training (one thread) ---- */

struct model_trainer;

/*
 * A trainer for the given categories (codes of TAXONOMY.md, n at most
 * MODEL_MAX_CATEGORIES; copied). NULL with e set on a bad or repeated code
 * or without memory.
 */
struct model_trainer *model_trainer_new(const char *const *categories, size_t n, struct err *e);
void model_trainer_free(struct model_trainer *t); /* NULL is fine */

/*
 * Adds one labelled document: its pieces of normalized text (s[i], len[i],
 * i < npieces) and its class, a category index or -1 for "none" (ordinary
 * pages, look-alikes, dismissed findings). PRC_NOMEM.
 */
enum prc model_trainer_add(struct model_trainer *t, const char *const *s, const size_t *len,
			   size_t npieces, int label, struct err *e);

/* Documents added so far for category label (-1: none). */
size_t model_trainer_docs(const struct model_trainer *t, int label);

/*
 * Writes the model file into out: deterministic (the same documents in the
 * same order give the same bytes: no time, no randomness, integers and
 * floats little-endian). An n-gram seen in only one document is left out,
 * which keeps the model from memorizing one sample's sentences. PRC_INVALID
 * when there is nothing to learn (no document of any category), PRC_NOMEM
 * or PRC_LIMIT (out's limit).
 */
enum prc model_trainer_write(struct model_trainer *t, struct buf *out, struct err *e);

/* ---- labelled input ---- */

/*
 * Called by model_read_csv for each labelled row: category is the code of a
 * positive (a confirmed finding), NULL for a negative (a dismissed one);
 * text is the row's text (NUL-terminated, len bytes), line where the row
 * begins. Non-zero stops the reading (model_read_csv returns PRC_DECLINED).
 */
typedef int (*model_label_fn)(const char *category, const char *text, size_t len, int line,
			      void *ud);

/*
 * Reads a CSV of reviewed findings as `patrol export --format csv` writes
 * them (RFC 4180, a header row, CRLF or LF, an optional UTF-8 BOM): the
 * columns category, review_status and evidence (or text) are used, the
 * others ignored. confirmed rows are positives of their category,
 * dismissed rows negatives, new rows skipped. name is what messages call
 * the file. A missing column, a row with another number of fields than the
 * header, bad quoting, an unknown category or review status is refused
 * with PRC_PARSE and "name:line: message" in e; nothing after it is read.
 */
enum prc model_read_csv(const char *data, size_t len, const char *name, model_label_fn fn,
			void *ud, struct err *e);

#endif
