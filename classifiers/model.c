/*
 * model.c - a trained classifier beside the rules, the way Rspamd keeps a
 * Bayes filter beside its rules: rules say why a page is harmful, the model
 * says how much its wording resembles what reviewers and rule authors have
 * labelled before, and a rule decides how to combine the two.
 *
 * Features are character n-grams (1 to 3 characters) of the squeezed view
 * (normalize.h), the view the patterns see: full-width, kana, spaces and
 * the separators evasion puts between characters make no difference. Each
 * n-gram is hashed (FNV-1a, part of the file format) into 2^bits buckets.
 * The model is a multinomial naive Bayes over the categories and one "none"
 * class (ordinary pages, look-alikes, dismissed findings), with Dirichlet
 * smoothing toward the background distribution of all classes (a category
 * with little text leans on it, so it does not claim every n-gram it
 * happened to see against a "none" class with twenty times the text) and
 * uniform priors (the share of each category in a hand-made
 * sample folder says nothing about the web). Naive Bayes sums one
 * log-likelihood per n-gram, so a long page would be certain of anything:
 * the sums are scaled to SCALE_LEN n-grams before the softmax, which makes
 * a probability read the same on a post and on a page.
 *
 * An n-gram seen in only one training document is left out of the file:
 * it can only memorize that document's sentences, and the hidden site will
 * not use them. N-grams the model does not know are skipped when scoring.
 *
 * DESIGN
 *
 * The file is the model, byte for byte the same for the same documents in
 * the same order (no time, no randomness; integers little-endian, counts
 * instead of floats): magic "PATRLMDL", format version, hash bits, n-gram
 * orders, scale, smoothing pseudo-counts; the categories with their document counts and
 * n-gram totals; then the buckets kept, in order, as varint deltas with
 * their non-zero class counts; then the SHA-256 of all of it. Loading
 * checks magic, version, the hash (so a truncated or damaged file is
 * refused before anything is read) and every length against the end, then
 * turns counts into log-probabilities in one dense row per bucket kept and
 * an index from bucket to row.
 */
#include "classifiers/model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classifiers/taxonomy.h"
#include "util/bytes.h"
#include "util/hash.h"

#define MAGIC "PATRLMDL"
#define MAGIC_LEN 8
#define HASH_BITS 18
#define NGRAM_MIN 2
#define NGRAM_MAX 3
#define SCALE_LEN 20       /* n-grams a text's evidence is scaled to */
#define DIRICHLET_MU 2000  /* pseudo-counts drawn from the background distribution */
#define MIN_DF 2           /* documents an n-gram must appear in to be kept */
#define MAX_BITS 24

struct model {
	size_t ncat;                 /* categories; class ncat is "none" */
	char **cats;
	unsigned bits;
	unsigned nmin, nmax, scale;
	uint32_t *index;             /* bucket -> row + 1, 0: unknown */
	float *rows;                 /* nrows * (ncat + 1) log-probabilities */
	size_t nrows;
	char hash[SHA256_HEX_LEN + 1];
};

/* ---- n-grams ---- */

/* An n-gram's bucket key: the n-gram's bytes hashed (util/hash.h), its order mixed in. */
static uint32_t ngram_hash(const unsigned char *s, size_t len, unsigned n)
{
	uint64_t h = hash64(s, len) ^ ((uint64_t)n * 0x9e3779b97f4a7c15ULL);

	return (uint32_t)(h ^ h >> 32);
}

/* Length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t u8len(unsigned char c)
{
	if (c < 0xc0)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

typedef void (*ngram_fn)(uint32_t h, void *ud);

/* Calls fn with the hash of every n-gram (nmin..nmax characters) of s[0, len). */
static void ngrams(const char *s, size_t len, unsigned nmin, unsigned nmax, ngram_fn fn, void *ud)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start[NGRAM_MAX + 1] = { 0 }; /* start of the last characters, newest last */
	size_t i = 0, k, seen = 0;
	unsigned n;

	while (i < len) {
		size_t l = u8len(u[i]);

		if (i + l > len)
			l = len - i;
		for (k = 0; k < NGRAM_MAX; k++)
			start[k] = start[k + 1];
		start[NGRAM_MAX] = i;
		i += l;
		if (seen < NGRAM_MAX)
			seen++;
		/* digits are dates, ids, times and prices: how a page is laid out, not what it says */
		if (l == 1 && u[i - 1] >= '0' && u[i - 1] <= '9') {
			seen = 0;
			continue;
		}
		for (n = nmin; n <= nmax && n <= seen; n++)
			fn(ngram_hash(u + start[NGRAM_MAX + 1 - n], i - start[NGRAM_MAX + 1 - n], n), ud);
	}
}

/* ---- scoring ---- */

void model_acc_init(struct model_acc *acc, const struct model *m)
{
	memset(acc, 0, sizeof(*acc));
	acc->m = m;
}

void model_acc_init_collect(struct model_acc *acc, void (*fn)(const char *s, size_t len, void *ud),
			    void *ud)
{
	memset(acc, 0, sizeof(*acc));
	acc->fn = fn;
	acc->ud = ud;
}

static void acc_one(uint32_t h, void *ud)
{
	struct model_acc *acc = ud;
	const struct model *m = acc->m;
	uint32_t r = m->index[h & ((1u << m->bits) - 1)];
	const float *row;
	size_t c;

	if (!r)
		return;
	row = m->rows + (size_t)(r - 1) * (m->ncat + 1);
	for (c = 0; c <= m->ncat; c++)
		acc->sum[c] += row[c];
	acc->n++;
}

void model_acc_add(struct model_acc *acc, const char *s, size_t len)
{
	if (!len)
		return;
	if (acc->fn) {
		acc->fn(s, len, acc->ud);
		return;
	}
	if (acc->m)
		ngrams(s, len, acc->m->nmin, acc->m->nmax, acc_one, acc);
}

void model_acc_add_range(struct model_acc *acc, const struct nview *v, size_t from, size_t to)
{
	size_t a, b;

	if (!v || !v->len || to <= from)
		return;
	a = nview_at(v, from);
	b = nview_at(v, to);
	/* never start inside a character the view wrote */
	while (a < b && ((unsigned char)v->s[a] & 0xc0) == 0x80)
		a++;
	while (b < v->len && ((unsigned char)v->s[b] & 0xc0) == 0x80)
		b++;
	if (b > a)
		model_acc_add(acc, v->s + a, b - a);
}

void model_acc_add_page(struct model_acc *acc, const struct nview *title, size_t title_len,
			const struct nview *text, size_t text_len, const struct textblock *blocks,
			size_t nblocks)
{
	size_t i;

	if (title && title_len)
		model_acc_add_range(acc, title, 0, title_len);
	if (!text)
		return;
	if (!blocks || !nblocks) {
		model_acc_add_range(acc, text, 0, text_len);
		return;
	}
	for (i = 0; i < nblocks && blocks[i].start < text_len; i++)
		if (blocks[i].kind != TEXTBLOCK_BOILER)
			model_acc_add_range(acc, text, blocks[i].start,
					    blocks[i].end < text_len ? blocks[i].end : text_len);
}

void model_acc_probs(const struct model_acc *acc, double *probs)
{
	const struct model *m = acc->m;
	double z[MODEL_MAX_CATEGORIES + 1], mx, tot = 0, scale;
	size_t c;

	if (!m)
		return;
	if (!acc->n) {
		for (c = 0; c < m->ncat; c++)
			probs[c] = 0;
		return;
	}
	scale = acc->n > m->scale ? (double)m->scale / (double)acc->n : 1.0;
	mx = -HUGE_VAL;
	for (c = 0; c <= m->ncat; c++) {
		z[c] = acc->sum[c] * scale;
		if (z[c] > mx)
			mx = z[c];
	}
	for (c = 0; c <= m->ncat; c++) {
		z[c] = exp(z[c] - mx);
		tot += z[c];
	}
	for (c = 0; c < m->ncat; c++)
		probs[c] = z[c] / tot;
}

/* ---- reading ---- */

struct rd {
	const unsigned char *p, *end;
	int bad;
};

static uint32_t rd_u32(struct rd *r)
{
	uint32_t v;

	if (r->end - r->p < 4) {
		r->bad = 1;
		return 0;
	}
	v = bytes_get_u32(r->p);
	r->p += 4;
	return v;
}

static uint64_t rd_u64(struct rd *r)
{
	uint64_t lo = rd_u32(r);

	return lo | (uint64_t)rd_u32(r) << 32;
}

static uint64_t rd_var(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (r->p < r->end && shift < 64) {
		unsigned char b = *r->p++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
		shift += 7;
	}
	r->bad = 1;
	return 0;
}

void model_free(struct model *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; m->cats && i < m->ncat; i++)
		free(m->cats[i]);
	free(m->cats);
	free(m->index);
	free(m->rows);
	free(m);
}

#define BAD(...)                                                 \
	do {                                                     \
		rc = err_set(e, PRC_PARSE, __VA_ARGS__);         \
		goto out;                                        \
	} while (0)

enum prc model_parse(const void *data, size_t len, const char *name, struct model **out,
		     struct err *e)
{
	const unsigned char *d = data;
	unsigned char digest[32];
	struct model *m = NULL;
	struct rd r;
	uint64_t *total = NULL;
	uint64_t nrows, bucket = 0, i;
	size_t c, ncls;
	double mu, all = 0, *ldenom = NULL;
	enum prc rc = PRC_OK;
	uint32_t version;

	*out = NULL;
	if (len < MAGIC_LEN || memcmp(d, MAGIC, MAGIC_LEN))
		BAD("'%s' is not a patrol model (bad magic)", name);
	r.p = d + MAGIC_LEN;
	r.end = d + len;
	r.bad = 0;
	version = rd_u32(&r);
	if (r.bad)
		BAD("'%s' is truncated (%zu bytes)", name, len);
	if (version != MODEL_FORMAT_VERSION)
		BAD("'%s' is a model of format version %u; this patrol reads version %u "
		    "(train it again with 'patrol train')", name, version, MODEL_FORMAT_VERSION);
	if (len < MAGIC_LEN + 4 + 32)
		BAD("'%s' is truncated (%zu bytes)", name, len);
	hash_sha256(d, len - 32, digest);
	if (memcmp(digest, d + len - 32, 32))
		BAD("'%s' is truncated or damaged (its content hash does not match)", name);
	r.end = d + len - 32;

	m = calloc(1, sizeof(*m));
	if (!m) {
		rc = err_set(e, PRC_NOMEM, "out of memory loading '%s'", name);
		goto out;
	}
	hash_hex(digest, 32, m->hash);
	m->bits = rd_u32(&r);
	m->nmin = rd_u32(&r);
	m->nmax = rd_u32(&r);
	m->scale = rd_u32(&r);
	mu = rd_u32(&r);
	m->ncat = rd_u32(&r);
	if (r.bad)
		BAD("'%s' is truncated in its header", name);
	if (m->bits < 8 || m->bits > MAX_BITS || m->nmin < 1 || m->nmin > m->nmax ||
	    m->nmax > NGRAM_MAX || !m->scale || mu <= 0 || !m->ncat ||
	    m->ncat > MODEL_MAX_CATEGORIES)
		BAD("'%s' has a header this patrol cannot use", name);
	ncls = m->ncat + 1;
	m->cats = calloc(m->ncat, sizeof(*m->cats));
	total = calloc(ncls, sizeof(*total));
	ldenom = calloc(ncls, sizeof(*ldenom));
	if (!m->cats || !total || !ldenom) {
		rc = err_set(e, PRC_NOMEM, "out of memory loading '%s'", name);
		goto out;
	}
	for (c = 0; c < ncls; c++) {
		if (c < m->ncat) {
			size_t l;

			if (r.p >= r.end)
				BAD("'%s' is truncated in its categories", name);
			l = *r.p++;
			if ((size_t)(r.end - r.p) < l)
				BAD("'%s' is truncated in its categories", name);
			m->cats[c] = strndup((const char *)r.p, l);
			if (!m->cats[c]) {
				rc = err_set(e, PRC_NOMEM, "out of memory loading '%s'", name);
				goto out;
			}
			r.p += l;
			if (!taxonomy_find(m->cats[c]))
				BAD("'%s' names category '%s', which TAXONOMY.md does not know", name,
				    m->cats[c]);
		}
		(void)rd_u32(&r); /* documents */
		total[c] = rd_u64(&r);
	}
	nrows = rd_u32(&r);
	if (r.bad)
		BAD("'%s' is truncated in its categories", name);
	if (nrows > (1u << m->bits))
		BAD("'%s' has more rows than buckets", name);
	m->index = calloc((size_t)1 << m->bits, sizeof(*m->index));
	m->rows = malloc((nrows ? nrows : 1) * ncls * sizeof(*m->rows));
	if (!m->index || !m->rows) {
		rc = err_set(e, PRC_NOMEM, "out of memory loading '%s'", name);
		goto out;
	}
	m->nrows = nrows;
	/* first the counts, then (all known) the background and the smoothed log-probabilities */
	for (c = 0; c < ncls; c++)
		all += total[c];
	for (i = 0; i < nrows; i++) {
		float *row = m->rows + i * ncls;
		uint64_t delta = rd_var(&r), nz, k;

		bucket = i ? bucket + delta : delta;
		if (r.bad || (i && !delta) || bucket >= (1u << m->bits) || m->index[bucket])
			BAD("'%s' is damaged at row %llu", name, (unsigned long long)i);
		for (c = 0; c < ncls; c++)
			row[c] = 0;
		nz = rd_var(&r);
		if (nz > ncls)
			BAD("'%s' is damaged at row %llu", name, (unsigned long long)i);
		for (k = 0; k < nz; k++) {
			size_t cls;
			uint64_t cnt;

			if (r.p >= r.end)
				BAD("'%s' is truncated at row %llu", name, (unsigned long long)i);
			cls = *r.p++;
			cnt = rd_var(&r);
			if (r.bad || cls >= ncls || !cnt || cnt > total[cls])
				BAD("'%s' is damaged at row %llu", name, (unsigned long long)i);
			row[cls] = (float)cnt;
		}
		m->index[bucket] = (uint32_t)i + 1;
	}
	if (r.bad || r.p != r.end)
		BAD("'%s' is damaged (%zu bytes left over)", name, (size_t)(r.end - r.p));
	for (c = 0; c < ncls; c++)
		ldenom[c] = log((double)total[c] + mu);
	for (i = 0; i < nrows; i++) {
		float *row = m->rows + i * ncls;
		double rowsum = 0, bg;

		for (c = 0; c < ncls; c++)
			rowsum += row[c];
		/* Dirichlet smoothing: a class with little text leans on the background */
		bg = (rowsum + 1) / ((double)all + (double)nrows);
		for (c = 0; c < ncls; c++)
			row[c] = (float)(log(row[c] + mu * bg) - ldenom[c]);
	}
	if (r.bad || r.p != r.end)
		BAD("'%s' is damaged (%zu bytes left over)", name, (size_t)(r.end - r.p));
	*out = m;
	m = NULL;
out:
	free(total);
	free(ldenom);
	model_free(m);
	return rc;
}

enum prc model_load(const char *path, struct model **out, struct err *e)
{
	FILE *f;
	struct stat st;
	unsigned char *data = NULL;
	enum prc rc;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return err_set(e, errno == ENOENT ? PRC_NOTFOUND : PRC_IO, "cannot open model '%s': %s",
			       path, strerror(errno));
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return err_set(e, PRC_IO, "model '%s' is not a regular file", path);
	}
	if ((uint64_t)st.st_size > MODEL_FILE_MAX) {
		fclose(f);
		return err_set(e, PRC_LIMIT, "model '%s' is over %u MiB", path, MODEL_FILE_MAX >> 20);
	}
	data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data) {
		fclose(f);
		return err_set(e, PRC_NOMEM, "out of memory reading model '%s'", path);
	}
	if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		rc = err_set(e, PRC_IO, "cannot read model '%s'", path);
	} else {
		rc = model_parse(data, (size_t)st.st_size, path, out, e);
	}
	fclose(f);
	free(data);
	return rc;
}

size_t model_category_count(const struct model *m)
{
	return m ? m->ncat : 0;
}

const char *model_category(const struct model *m, size_t i)
{
	return m && i < m->ncat ? m->cats[i] : NULL;
}

int model_category_index(const struct model *m, const char *code)
{
	size_t i;

	for (i = 0; m && i < m->ncat; i++)
		if (!strcmp(m->cats[i], code))
			return (int)i;
	return -1;
}

const char *model_hash(const struct model *m)
{
	return m ? m->hash : "";
}

/* ---- training ---- */

struct model_trainer {
	size_t ncat;
	char **cats;
	uint32_t *count;  /* bucket * (ncat + 1) + class */
	uint32_t *df;     /* documents per bucket */
	uint32_t *stamp;  /* last document that counted a bucket in df, + 1 */
	uint32_t ndoc;
	uint32_t *docs;   /* per class */
	int label;        /* of the document being added */
};

struct model_trainer *model_trainer_new(const char *const *categories, size_t n, struct err *e)
{
	struct model_trainer *t = NULL;
	size_t i, j, nb = (size_t)1 << HASH_BITS;

	if (!n || n > MODEL_MAX_CATEGORIES) {
		err_set(e, PRC_INVALID, "a model learns 1 to %d categories, not %zu",
			MODEL_MAX_CATEGORIES, n);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!taxonomy_find(categories[i])) {
			err_set(e, PRC_INVALID, "no category '%s' in TAXONOMY.md", categories[i]);
			return NULL;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(categories[i], categories[j])) {
				err_set(e, PRC_INVALID, "category '%s' given twice", categories[i]);
				return NULL;
			}
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->ncat = n;
	t->cats = calloc(n, sizeof(*t->cats));
	t->count = calloc(nb * (n + 1), sizeof(*t->count));
	t->df = calloc(nb, sizeof(*t->df));
	t->stamp = calloc(nb, sizeof(*t->stamp));
	t->docs = calloc(n + 1, sizeof(*t->docs));
	if (!t->cats || !t->count || !t->df || !t->stamp || !t->docs)
		goto nomem;
	for (i = 0; i < n; i++)
		if (!(t->cats[i] = strdup(categories[i])))
			goto nomem;
	return t;
nomem:
	model_trainer_free(t);
	err_set(e, PRC_NOMEM, "out of memory creating a model trainer");
	return NULL;
}

void model_trainer_free(struct model_trainer *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; t->cats && i < t->ncat; i++)
		free(t->cats[i]);
	free(t->cats);
	free(t->count);
	free(t->df);
	free(t->stamp);
	free(t->docs);
	free(t);
}

static void train_one(uint32_t h, void *ud)
{
	struct model_trainer *t = ud;
	size_t b = h & ((1u << HASH_BITS) - 1);
	size_t cls = t->label < 0 ? t->ncat : (size_t)t->label;
	uint32_t *cnt = &t->count[b * (t->ncat + 1) + cls];

	if (*cnt < UINT32_MAX)
		(*cnt)++;
	if (t->stamp[b] != t->ndoc + 1) {
		t->stamp[b] = t->ndoc + 1;
		t->df[b]++;
	}
}

enum prc model_trainer_add(struct model_trainer *t, const char *const *s, const size_t *len,
			   size_t npieces, int label, struct err *e)
{
	size_t i;

	if (label < -1 || label >= (int)t->ncat)
		return err_set(e, PRC_INVALID, "no class %d in this trainer", label);
	if (t->ndoc == UINT32_MAX - 1)
		return err_set(e, PRC_LIMIT, "too many documents for one model");
	t->label = label;
	for (i = 0; i < npieces; i++)
		ngrams(s[i], len[i], NGRAM_MIN, NGRAM_MAX, train_one, t);
	t->docs[label < 0 ? t->ncat : (size_t)label]++;
	t->ndoc++;
	return PRC_OK;
}

size_t model_trainer_docs(const struct model_trainer *t, int label)
{
	if (!t || label < -1 || label >= (int)t->ncat)
		return 0;
	return t->docs[label < 0 ? t->ncat : (size_t)label];
}

static enum prc put_u32(struct buf *b, uint32_t v)
{
	unsigned char x[4];

	bytes_put_u32(x, v);
	return buf_add(b, x, 4);
}

static enum prc put_u64(struct buf *b, uint64_t v)
{
	enum prc rc = put_u32(b, (uint32_t)v);

	return rc != PRC_OK ? rc : put_u32(b, (uint32_t)(v >> 32));
}

static enum prc put_var(struct buf *b, uint64_t v)
{
	unsigned char x[10];
	size_t n = 0;

	do {
		x[n] = v & 0x7f;
		v >>= 7;
		if (v)
			x[n] |= 0x80;
		n++;
	} while (v);
	return buf_add(b, x, n);
}

enum prc model_trainer_write(struct model_trainer *t, struct buf *out, struct err *e)
{
	size_t nb = (size_t)1 << HASH_BITS, ncls = t->ncat + 1, b, c, any = 0;
	uint64_t *total = NULL;
	uint32_t nrows = 0;
	size_t prev = 0;
	unsigned char digest[32];
	enum prc rc = PRC_OK;

	for (c = 0; c < t->ncat; c++)
		any += t->docs[c];
	if (!any)
		return err_set(e, PRC_INVALID, "nothing to learn: no labelled document of any category");
	total = calloc(ncls, sizeof(*total));
	if (!total)
		return err_set(e, PRC_NOMEM, "out of memory writing the model");
	for (b = 0; b < nb; b++) {
		if (t->df[b] < MIN_DF)
			continue;
		nrows++;
		for (c = 0; c < ncls; c++)
			total[c] += t->count[b * ncls + c];
	}
#define PUT(x)                         \
	do {                           \
		rc = (x);              \
		if (rc != PRC_OK)      \
			goto out;      \
	} while (0)
	PUT(buf_add(out, MAGIC, MAGIC_LEN));
	PUT(put_u32(out, MODEL_FORMAT_VERSION));
	PUT(put_u32(out, HASH_BITS));
	PUT(put_u32(out, NGRAM_MIN));
	PUT(put_u32(out, NGRAM_MAX));
	PUT(put_u32(out, SCALE_LEN));
	PUT(put_u32(out, DIRICHLET_MU));
	PUT(put_u32(out, (uint32_t)t->ncat));
	for (c = 0; c < ncls; c++) {
		if (c < t->ncat) {
			size_t l = strlen(t->cats[c]);
			unsigned char lb = (unsigned char)(l > 255 ? 255 : l);

			PUT(buf_add(out, &lb, 1));
			PUT(buf_add(out, t->cats[c], lb));
		}
		PUT(put_u32(out, t->docs[c]));
		PUT(put_u64(out, total[c]));
	}
	PUT(put_u32(out, nrows));
	for (b = 0; b < nb; b++) {
		uint32_t nz = 0;

		if (t->df[b] < MIN_DF)
			continue;
		PUT(put_var(out, b - prev));
		prev = b;
		for (c = 0; c < ncls; c++)
			nz += t->count[b * ncls + c] != 0;
		PUT(put_var(out, nz));
		for (c = 0; c < ncls; c++) {
			unsigned char cb = (unsigned char)c;

			if (!t->count[b * ncls + c])
				continue;
			PUT(buf_add(out, &cb, 1));
			PUT(put_var(out, t->count[b * ncls + c]));
		}
	}
#undef PUT
	hash_sha256(out->ptr, out->len, digest);
	rc = buf_add(out, digest, 32);
out:
	if (rc != PRC_OK)
		err_set(e, rc, rc == PRC_NOMEM ? "out of memory writing the model"
					       : "the model is larger than its buffer");
	free(total);
	return rc;
}

/* ---- labelled input ---- */

#define CSV_MAX_FIELDS 64

struct csv {
	const char *p, *end;
	const char *name;
	int line;        /* physical line of p */
	char *field[CSV_MAX_FIELDS];
	size_t flen[CSV_MAX_FIELDS];
	size_t nfield;
	struct buf cell;
};

static void csv_clear(struct csv *c)
{
	size_t i;

	for (i = 0; i < c->nfield; i++)
		free(c->field[i]);
	c->nfield = 0;
}

/*
 * Reads one record into c->field. 1 when a record was read, 0 at the end,
 * -1 with e set (name:line of the record's first line).
 */
static int csv_record(struct csv *c, struct err *e)
{
	int start = c->line;

	csv_clear(c);
	if (c->p >= c->end)
		return 0;
	for (;;) {
		buf_reset(&c->cell);
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				if (c->p >= c->end) {
					err_set(e, PRC_PARSE, "%s:%d: a quoted field is never closed", c->name,
						start);
					return -1;
				}
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						if (buf_addch(&c->cell, '"') != PRC_OK)
							goto nomem;
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				if (*c->p == '\n')
					c->line++;
				if (buf_addch(&c->cell, *c->p) != PRC_OK)
					goto nomem;
				c->p++;
			}
		} else {
			while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
			       !(*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')) {
				if (*c->p == '"') {
					err_set(e, PRC_PARSE, "%s:%d: a quote inside a field that does "
						"not start with one", c->name, c->line);
					return -1;
				}
				if (buf_addch(&c->cell, *c->p) != PRC_OK)
					goto nomem;
				c->p++;
			}
		}
		if (c->nfield == CSV_MAX_FIELDS) {
			err_set(e, PRC_PARSE, "%s:%d: more than %d fields", c->name, start,
				CSV_MAX_FIELDS);
			return -1;
		}
		c->flen[c->nfield] = c->cell.len;
		c->field[c->nfield] = strndup(c->cell.len ? c->cell.ptr : "", c->cell.len);
		if (!c->field[c->nfield])
			goto nomem;
		c->nfield++;
		if (c->p >= c->end)
			return 1;
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n') {
			c->p++;
			c->line++;
			return 1;
		}
		err_set(e, PRC_PARSE, "%s:%d: text after the closing quote of a field", c->name,
			c->line);
		return -1;
	}
nomem:
	err_set(e, PRC_NOMEM, "out of memory reading '%s'", c->name);
	return -1;
}

static int csv_column(const struct csv *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nfield; i++)
		if (!strcmp(c->field[i], name))
			return (int)i;
	return -1;
}

enum prc model_read_csv(const char *data, size_t len, const char *name, model_label_fn fn,
			void *ud, struct err *e)
{
	struct csv c;
	int col_cat, col_status, col_text, r, row_line;
	size_t nhead;
	enum prc rc = PRC_OK;

	memset(&c, 0, sizeof(c));
	c.p = data;
	c.end = data + len;
	c.name = name;
	c.line = 1;
	buf_init(&c.cell, 16u << 20);
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		c.p += 3;
	r = csv_record(&c, e);
	if (r <= 0) {
		rc = r < 0 ? PRC_PARSE : err_set(e, PRC_PARSE, "%s:1: empty, no header row", name);
		goto out;
	}
	nhead = c.nfield;
	col_cat = csv_column(&c, "category");
	col_status = csv_column(&c, "review_status");
	col_text = csv_column(&c, "evidence");
	if (col_text < 0)
		col_text = csv_column(&c, "text");
	if (col_cat < 0 || col_status < 0 || col_text < 0) {
		rc = err_set(e, PRC_PARSE, "%s:1: the header has no '%s' column (wanted: category, "
			     "review_status, evidence or text)", name,
			     col_cat < 0 ? "category" : col_status < 0 ? "review_status" : "evidence");
		goto out;
	}
	for (;;) {
		const char *cat, *st;

		row_line = c.line;
		r = csv_record(&c, e);
		if (r < 0) {
			rc = PRC_PARSE;
			goto out;
		}
		if (!r)
			break;
		if (c.nfield == 1 && !c.flen[0])
			continue; /* a blank line */
		if (c.nfield != nhead) {
			rc = err_set(e, PRC_PARSE, "%s:%d: %zu fields, but the header has %zu", name,
				     row_line, c.nfield, nhead);
			goto out;
		}
		cat = c.field[col_cat];
		st = c.field[col_status];
		if (!taxonomy_find(cat)) {
			rc = err_set(e, PRC_PARSE, "%s:%d: no category '%s' in TAXONOMY.md", name,
				     row_line, cat);
			goto out;
		}
		if (!strcmp(st, "new"))
			continue;
		if (strcmp(st, "confirmed") && strcmp(st, "dismissed")) {
			rc = err_set(e, PRC_PARSE, "%s:%d: review_status '%s' is not confirmed, "
				     "dismissed or new", name, row_line, st);
			goto out;
		}
		if (fn(strcmp(st, "confirmed") ? NULL : cat, c.field[col_text], c.flen[col_text],
		       row_line, ud)) {
			rc = PRC_DECLINED;
			goto out;
		}
	}
out:
	csv_clear(&c);
	buf_release(&c.cell);
	return rc;
}
