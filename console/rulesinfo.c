/*
 * rulesinfo.c - the rules page needs to say which rules are in force and
 * which version of each. The console loads the rule directory with the very
 * loader a crawl uses (classifiers/classify.h), so what it shows passed the
 * same checks, and hashes each file's bytes, so that two consoles or a
 * console and a crawl can be compared by their SHA-256. Files other than
 * *.lua in the directory (a trained model beside the rules, word lists) are
 * listed and hashed too.
 */
#include "console/rulesinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/model.h"
#include "util/buf.h"
#include "util/hash.h"

#define RULESINFO_FILE_MAX (64u << 20)
#define RULESINFO_FILES_MAX 4096

void rulesinfo_free(struct rulesinfo *ri)
{
	size_t i;

	if (!ri)
		return;
	for (i = 0; i < ri->nfiles; i++)
		free(ri->files[i].path);
	for (i = 0; i < ri->nrules; i++) {
		free(ri->rules[i].name);
		free(ri->rules[i].category);
		free(ri->rules[i].file);
	}
	free(ri->files);
	free(ri->rules);
	free(ri->dir);
	free(ri->errors);
	free(ri);
}

/* SHA-256 of the file at path, read in pieces; -1 when it cannot be read. */
static int hash_file(const char *path, char hex[65])
{
	struct hash_sha256_ctx *c;
	unsigned char d[32], chunk[65536];
	size_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	c = hash_sha256_new();
	if (!c) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (total += (size_t)n) > RULESINFO_FILE_MAX)
			break;
		hash_sha256_update(c, chunk, (size_t)n);
	}
	close(fd);
	hash_sha256_final(c, d);
	if (n != 0)
		return -1;
	hash_hex(d, 32, hex);
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	const struct rulesinfo_file *x = a, *y = b;

	return x->kind != y->kind ? x->kind - y->kind : strcmp(x->path, y->path);
}

/* Adds the regular file at path (kind: 0 rule, 1 model or data); 0, or -1 without memory. */
static int add_file(struct rulesinfo *ri, size_t *cap, const char *path, const struct stat *st, int kind)
{
	struct rulesinfo_file *f;

	if (ri->nfiles == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct rulesinfo_file *nf = realloc(ri->files, ncap * sizeof(*nf));

		if (!nf)
			return -1;
		ri->files = nf;
		*cap = ncap;
	}
	f = &ri->files[ri->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return -1;
	if (hash_file(path, f->sha256) != 0)
		snprintf(f->sha256, sizeof(f->sha256), "?");
	f->size = (long long)st->st_size;
	f->mtime = st->st_mtime;
	f->kind = kind;
	ri->nfiles++;
	return 0;
}

static enum prc list_files(struct rulesinfo *ri, size_t *cap, struct err *e)
{
	DIR *dp = opendir(ri->dir);
	struct dirent *de;

	if (!dp)
		return err_set(e, PRC_IO, "cannot read the rule directory '%s'", ri->dir);
	while ((de = readdir(dp)) && ri->nfiles < RULESINFO_FILES_MAX) {
		struct stat st;
		char path[4096];
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", ri->dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (add_file(ri, cap, path, &st, !(len > 4 && !strcmp(de->d_name + len - 4, ".lua"))) != 0)
			break;
	}
	closedir(dp);
	return PRC_OK;
}

/* The trained model the loader found beside the rules (ruleset.c: <dir>/../model/patrol.model). */
static void add_model(struct rulesinfo *ri, size_t *cap, const struct ruleset *rs)
{
	const struct model *m = ruleset_model(rs);
	struct stat st;
	char path[4096];

	if (!m)
		return;
	snprintf(path, sizeof(path), "%s/../model/patrol.model", ri->dir);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (add_file(ri, cap, path, &st, 1) == 0)
		ri->model_categories = model_category_count(m);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

struct rulesinfo *rulesinfo_load(const char *dir, const char *lib_dir, const char *cache_dir,
				 struct err *e)
{
	struct rulesinfo *ri = calloc(1, sizeof(*ri));
	struct ruleset_opts o;
	struct ruleset *rs = NULL;
	struct buf errors;
	size_t i, cap = 0;
	enum prc rc;

	buf_init(&errors, 1u << 20);
	if (!ri || !(ri->dir = strdup(dir ? dir : ""))) {
		err_set(e, PRC_NOMEM, "out of memory");
		goto fail;
	}
	ri->loaded_at = time(NULL);
	if (list_files(ri, &cap, e) != PRC_OK)
		goto fail;
	memset(&o, 0, sizeof(o));
	o.lib_dir = lib_dir;
	o.cache_dir = cache_dir;
	o.flags = RULESET_KEEP_GOOD;
	rc = ruleset_load(dir, &o, &rs, &errors);
	ri->ok = rc == PRC_OK;
	ri->errors = strdup(errors.len ? buf_str(&errors) : "");
	if (!ri->errors) {
		err_set(e, PRC_NOMEM, "out of memory");
		goto fail;
	}
	if (rs) {
		add_model(ri, &cap, rs);
		ri->from_cache = ruleset_from_cache(rs);
		ri->npatterns = ruleset_pattern_count(rs);
		ri->nrules = ruleset_rule_count(rs);
		ri->rules = calloc(ri->nrules ? ri->nrules : 1, sizeof(*ri->rules));
		if (!ri->rules) {
			ri->nrules = 0;
			err_set(e, PRC_NOMEM, "out of memory");
			goto fail;
		}
		for (i = 0; i < ri->nrules; i++) {
			struct rulesinfo_rule *r = &ri->rules[i];

			r->name = dup_or_empty(ruleset_rule_name(rs, i));
			r->category = dup_or_empty(ruleset_rule_category(rs, i));
			r->file = dup_or_empty(ruleset_rule_file(rs, i));
			if (!r->name || !r->category || !r->file) {
				err_set(e, PRC_NOMEM, "out of memory");
				goto fail;
			}
			r->version = ruleset_rule_version(rs, i);
			r->line = ruleset_rule_line(rs, i);
			r->threshold = ruleset_rule_threshold(rs, i);
			r->patterns = ruleset_rule_pattern_count(rs, i);
		}
	}
	ruleset_unref(rs);
	buf_release(&errors);
	if (ri->nfiles)
		qsort(ri->files, ri->nfiles, sizeof(*ri->files), cmp_file);
	return ri;
fail:
	ruleset_unref(rs);
	buf_release(&errors);
	rulesinfo_free(ri);
	return NULL;
}
