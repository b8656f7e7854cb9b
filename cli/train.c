/*
 * train.c - `patrol train [--rules DIR] [--model FILE] [LABELED...]`: learns
 * the n-gram model (classifiers/model.h) from labelled text and writes it
 * beside the rules, where the rules load it (and a running crawl reloads
 * it). LABELED is a folder laid out as lua/samples/ (<category>/ positives,
 * benign/ negatives; the default is the rules' own samples) or a CSV of
 * reviewed findings (`patrol export --format csv`: confirmed rows are
 * positives, dismissed rows negatives), so reviewers' decisions can feed
 * the model. Inputs are read in the order given, folders in name order, so
 * the same inputs give the same model bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/model.h"
#include "classifiers/normalize.h"
#include "classifiers/taxonomy.h"
#include "cli/cli.h"
#include "pipeline/samples.h"
#include "util/arena.h"
#include "util/buf.h"

#define LABEL_FILE_MAX (256u << 20)

/* One labelled document: its pieces of normalized text, back to back in text. */
struct doc {
	int cat;      /* taxonomy index, -1 for none */
	size_t first; /* its first piece */
	size_t npieces;
};

struct corpus {
	struct buf text;   /* every piece's bytes */
	size_t *off, *len; /* per piece */
	size_t npieces, cap_pieces;
	struct doc *docs;
	size_t ndocs, cap_docs;
	int errors;
	int nomem;
};

static void usage(void)
{
	fprintf(stderr, "usage: patrol train [--rules DIR] [--model FILE] [LABELED...]\n"
			"  LABELED: a folder laid out as lua/samples (<category>/, benign/) or a CSV\n"
			"  of reviewed findings (patrol export --format csv); default: the samples\n"
			"  beside the rules. The model goes to FILE (default: DIR/../model/patrol.model).\n");
}

static void add_piece(const char *s, size_t len, void *ud)
{
	struct corpus *c = ud;

	if (c->npieces == c->cap_pieces) {
		size_t cap = c->cap_pieces ? c->cap_pieces * 2 : 1024;
		size_t *o = realloc(c->off, cap * sizeof(*o)), *l;

		if (!o) {
			c->nomem = 1;
			return;
		}
		c->off = o;
		l = realloc(c->len, cap * sizeof(*l));
		if (!l) {
			c->nomem = 1;
			return;
		}
		c->len = l;
		c->cap_pieces = cap;
	}
	c->off[c->npieces] = c->text.len;
	c->len[c->npieces] = len;
	if (buf_add(&c->text, s, len) != PRC_OK) {
		c->nomem = 1;
		return;
	}
	c->npieces++;
}

/* Opens a document; its pieces follow (add_piece), then end_doc. */
static struct doc *begin_doc(struct corpus *c, int cat)
{
	struct doc *d;

	if (c->ndocs == c->cap_docs) {
		size_t cap = c->cap_docs ? c->cap_docs * 2 : 256;

		d = realloc(c->docs, cap * sizeof(*d));
		if (!d) {
			c->nomem = 1;
			return NULL;
		}
		c->docs = d;
		c->cap_docs = cap;
	}
	d = &c->docs[c->ndocs++];
	d->cat = cat;
	d->first = c->npieces;
	d->npieces = 0;
	return d;
}

static void end_doc(struct corpus *c, struct doc *d)
{
	d->npieces = c->npieces - d->first;
	if (!d->npieces)
		c->ndocs--; /* nothing the model can read */
}

static void sample_file(const char *file, int cat, void *ud)
{
	struct corpus *c = ud;
	struct arena *a = arena_new();
	struct page_input p;
	struct model_acc acc;
	struct doc *d;
	struct err e;

	if (!a) {
		c->nomem = 1;
		return;
	}
	if (cli_load_page(a, file, "", &p, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		c->errors++;
		arena_free(a);
		return;
	}
	d = begin_doc(c, cat);
	if (d) {
		model_acc_init_collect(&acc, add_piece, c);
		if (samples_model_page(&acc, a, &p, &e) != PRC_OK)
			c->nomem = 1;
		end_doc(c, d);
	}
	arena_free(a);
}

static int read_folder(struct corpus *c, const char *dir)
{
	struct err e;
	int problems = 0;
	size_t before = c->ndocs;
	long n = samples_walk(dir, sample_file, c, &problems, &e);

	if (n < 0 || problems) {
		cli_error("%s", e.msg);
		c->errors++;
		if (n < 0)
			return -1;
	}
	if (c->ndocs == before) {
		cli_error("no labelled samples under '%s' (wanted <category>/ and benign/ folders)",
			  dir);
		return -1;
	}
	return 0;
}

static int csv_row(const char *category, const char *text, size_t len, int line, void *ud)
{
	struct corpus *c = ud;
	struct arena *a = arena_new();
	struct nview n, s;
	struct model_acc acc;
	struct doc *d;
	int cat = -1;
	size_t k;

	(void)line;
	if (!a) {
		c->nomem = 1;
		return 1;
	}
	for (k = 0; category && k < taxonomy_count(); k++)
		if (!strcmp(taxonomy_get(k)->code, category))
			cat = (int)k;
	if (normalize_views(a, text, len, &n, &s) != PRC_OK) {
		arena_free(a);
		c->nomem = 1;
		return 1;
	}
	d = begin_doc(c, cat);
	if (d) {
		model_acc_init_collect(&acc, add_piece, c);
		model_acc_add_range(&acc, &s, 0, len);
		end_doc(c, d);
	}
	arena_free(a);
	return c->nomem;
}

static int read_csv(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf data;
	char chunk[65536];
	size_t n;
	struct err e;
	int rc = 0;

	if (!f) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	buf_init(&data, LABEL_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(&data, chunk, n) != PRC_OK) {
			cli_error("'%s' is larger than %u MiB", path, LABEL_FILE_MAX >> 20);
			rc = -1;
			goto out;
		}
	}
	if (ferror(f)) {
		cli_error("cannot read '%s': %s", path, strerror(errno));
		rc = -1;
		goto out;
	}
	if (model_read_csv(data.len ? data.ptr : "", data.len, path, csv_row, c, &e) != PRC_OK) {
		if (!c->nomem)
			cli_error("%s", e.msg);
		rc = -1;
	}
out:
	fclose(f);
	buf_release(&data);
	return rc;
}

/* Writes data to path through a temporary file and a rename, so a reload never reads half a model. */
static int write_model(const char *path, const struct buf *data)
{
	char *tmp = NULL, *dirc = strdup(path);
	int fd = -1, rc = -1;
	size_t off = 0;

	if (!dirc || asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0) {
		cli_error("out of memory");
		free(dirc);
		return -1;
	}
	if (mkdir(dirname(dirc), 0755) < 0 && errno != EEXIST) {
		cli_error("cannot create the folder of '%s': %s", path, strerror(errno));
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		cli_error("cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	while (off < data->len) {
		ssize_t w = write(fd, data->ptr + off, data->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cli_error("cannot write '%s': %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		cli_error("cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		cli_error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(dirc);
	return rc;
}

static int is_csv(const char *path)
{
	size_t n = strlen(path);
	struct stat st;

	return n > 4 && !strcasecmp(path + n - 4, ".csv") && stat(path, &st) == 0 &&
	       !S_ISDIR(st.st_mode);
}

int cmd_train(int argc, char **argv)
{
	const char *rules = NULL, *out = NULL, *inputs[64];
	const char *cats[MODEL_MAX_CATEGORIES];
	int map[64]; /* taxonomy index -> model category, -1 when it has no positive */
	char *deflt_samples = NULL, *deflt_model = NULL;
	struct corpus c;
	struct model_trainer *t = NULL;
	struct buf bytes;
	const char **ptrs = NULL;
	struct err e;
	size_t ninputs = 0, ncats = 0, k, pos = 0, neg = 0, i;
	int rc = 1;

	memset(&c, 0, sizeof(c));
	buf_init(&c.text, 1u << 30);
	buf_init(&bytes, MODEL_FILE_MAX);
	for (i = 1; i < (size_t)argc; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < (size_t)argc) {
			rules = argv[++i];
		} else if (!strcmp(argv[i], "--model") && i + 1 < (size_t)argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		} else if (argv[i][0] == '-') {
			cli_error("unknown option '%s'", argv[i]);
			usage();
			return 2;
		} else if (ninputs == sizeof(inputs) / sizeof(inputs[0])) {
			cli_error("too many inputs (at most %zu)", sizeof(inputs) / sizeof(inputs[0]));
			return 2;
		} else {
			inputs[ninputs++] = argv[i];
		}
	}
	rules = cli_rules_dir(rules);
	if (!ninputs) {
		if (asprintf(&deflt_samples, "%s/../samples", rules) < 0)
			goto nomem;
		inputs[ninputs++] = deflt_samples;
	}
	if (!out) {
		if (asprintf(&deflt_model, "%s/../model/patrol.model", rules) < 0)
			goto nomem;
		out = deflt_model;
	}
	for (i = 0; i < ninputs; i++) {
		int r = is_csv(inputs[i]) ? read_csv(&c, inputs[i]) : read_folder(&c, inputs[i]);

		if (c.nomem)
			goto nomem;
		if (r < 0) {
			rc = 2;
			goto out;
		}
	}
	if (c.errors) {
		rc = 2;
		goto out;
	}
	/* the model's categories: those with a positive, in TAXONOMY.md's order */
	for (k = 0; k < taxonomy_count() && k < 64; k++) {
		map[k] = -1;
		for (i = 0; i < c.ndocs; i++)
			if (c.docs[i].cat == (int)k) {
				map[k] = (int)ncats;
				cats[ncats++] = taxonomy_get(k)->code;
				break;
			}
	}
	if (!ncats) {
		cli_error("nothing to learn: no positive sample of any category");
		rc = 2;
		goto out;
	}
	t = model_trainer_new(cats, ncats, &e);
	if (!t) {
		cli_error("%s", e.msg);
		goto out;
	}
	ptrs = malloc((c.npieces ? c.npieces : 1) * sizeof(*ptrs));
	if (!ptrs)
		goto nomem;
	for (i = 0; i < c.npieces; i++)
		ptrs[i] = c.text.ptr + c.off[i];
	for (i = 0; i < c.ndocs; i++) {
		const struct doc *d = &c.docs[i];

		if (model_trainer_add(t, ptrs + d->first, c.len + d->first, d->npieces,
				      d->cat < 0 ? -1 : map[d->cat], &e) != PRC_OK) {
			cli_error("%s", e.msg);
			goto out;
		}
		if (d->cat < 0)
			neg++;
		else
			pos++;
	}
	if (model_trainer_write(t, &bytes, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		goto out;
	}
	if (write_model(out, &bytes) < 0)
		goto out;
	{
		struct model *m = NULL;

		/* read back what was written: the file is what the rules will load */
		if (model_load(out, &m, &e) != PRC_OK) {
			cli_error("%s", e.msg);
			goto out;
		}
		printf("%zu categories, %zu documents (%zu positive, %zu none), %zu bytes\n", ncats,
		       pos + neg, pos, neg, bytes.len);
		printf("model written to %s (sha256 %s)\n", out, model_hash(m));
		model_free(m);
	}
	rc = 0;
	goto out;
nomem:
	cli_error("out of memory");
out:
	model_trainer_free(t);
	free(ptrs);
	buf_release(&bytes);
	buf_release(&c.text);
	free(c.off);
	free(c.len);
	free(c.docs);
	free(deflt_samples);
	free(deflt_model);
	return rc;
}
