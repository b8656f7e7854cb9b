/* ruleset-int.h - the inside of a loaded rule set, shared by the loader (ruleset.c) and classify.c only. */
#ifndef PATROL_RULESET_INT_H
#define PATROL_RULESET_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "classifiers/patset.h"
#include "classifiers/ruleset.h"
#include "classifiers/model.h"
#include "classifiers/sandbox.h"
#include "util/err.h"

#define RULE_FILE_MAX (1u << 20) /* bytes of one rule or lib file */

struct rs_pattern {
	size_t set;                    /* index into ruleset.sets */
	int index;                     /* 1-based position in its set */
	int is_regex;
	int views;                     /* 1 << PATSET_NORM | 1 << PATSET_SQUEEZED */
	unsigned flags;                /* PATSET_CASELESS */
	int line;
	char *source;                  /* as the author wrote it */
	char *expr[PATSET_NVIEWS];     /* per view, NULL when not in that view */
};

struct rs_set {
	char *name;
	size_t rule;
	double weight;
	int required;                  /* classify() runs only when this set matched */
	uint32_t trig;                 /* the rule's trigger clauses this set is in (bit i: clause i) */
	size_t first, n;               /* patterns */
};

struct rs_rule {
	char *name, *category;
	size_t file;                   /* index into ruleset.files */
	int line;                      /* where the rule is written */
	int list_index;                /* 0: the file returned this rule; k: item k of its list */
	double threshold;
	long long version;             /* the rule's own version, 0 when it gives none */
	size_t first_set, nsets;
	uint32_t trig_all;             /* one bit per trigger clause; 0: no triggers */
};

#define RULE_MAX_TRIGGERS 32

struct rs_file {
	char *path;
	char *src;
	size_t len;
};

struct ruleset {
	atomic_long refs;
	struct rs_file *files, *libs;
	size_t nfiles, nlibs;
	struct rs_rule *rules;
	struct rs_set *sets;
	struct rs_pattern *pats;
	size_t nrules, nsets, npats;
	struct patset *ps;
	int from_cache;                /* ps came from the on-disk cache */
	unsigned char key[32];         /* the cache key (zeros without a cache) */
	struct model *model;           /* the trained model beside the rules, NULL: none */
};

/*
 * Creates a sandbox with the helper library of rs loaded and sealed, ready
 * for rule files. NULL on failure (e set; a lib error reads "file:line: ...").
 */
struct sandbox *ruleset_sandbox(const struct rs_file *libs, size_t nlibs, struct err *e);

/*
 * Runs rule file f in s and leaves what it returned on the stack (a rule
 * table, or a list of them). PRC_OK or the error of running it (e set).
 */
enum prc ruleset_run_file(struct sandbox *s, const struct rs_file *f, struct err *e);

#endif
