/* rulesinfo.h - the rule set the console shows: loaded and checked as a crawl loads it, with each file's SHA-256. */
#ifndef PATROL_RULESINFO_H
#define PATROL_RULESINFO_H

#include <stddef.h>
#include <time.h>

#include "util/err.h"

struct rulesinfo_file {
	char *path;       /* as found in the directory */
	char sha256[65];  /* of its bytes when loaded */
	long long size;
	time_t mtime;
	int kind;         /* 0: a rule file (*.lua), 1: a model or other data file beside the rules */
};

struct rulesinfo_rule {
	char *name, *category, *file;
	long long version; /* 0: the rule gives none */
	int line;
	double threshold;
	size_t patterns;
};

/*
 * One loading of the rule directory: immutable once made, shared read-only
 * by the server's threads; a reload makes a new one.
 */
struct rulesinfo {
	char *dir;
	time_t loaded_at;
	int ok;                    /* 1: every file passed; 0: see errors */
	char *errors;              /* "file:line: message" lines of refused files ("" when none) */
	int from_cache;            /* the patterns came from the compiled cache */
	struct rulesinfo_file *files;
	size_t nfiles;
	struct rulesinfo_rule *rules;
	size_t nrules;
	size_t npatterns;
	size_t model_categories;   /* categories of the trained model loaded with the rules (0: none) */
};

/*
 * Loads dir (its helper library lib_dir, may be NULL; the compiled-pattern
 * cache cache_dir, may be NULL) the way a crawl does, keeping the files that
 * pass (RULESET_KEEP_GOOD) and the errors of the others, and hashes every
 * regular file in dir. NULL with e set when dir cannot be read at all or
 * without memory. Free with rulesinfo_free. Thread-safe.
 */
struct rulesinfo *rulesinfo_load(const char *dir, const char *lib_dir, const char *cache_dir,
				 struct err *e);
void rulesinfo_free(struct rulesinfo *ri);

#endif
