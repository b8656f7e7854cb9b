/*
 * ruleset.h - loaded rule sets: the Lua rules of a directory, their pattern
 * sets compiled into one Hyperscan database per view, and the trained model
 * beside them. The layout inside is ruleset-int.h's (the loader and the
 * classifier only).
 */
#ifndef PATROL_RULESET_H
#define PATROL_RULESET_H

#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

struct model;

/*
 * A compiled rule set: every rule file of a directory, their metadata and
 * pattern sets, and one Hyperscan database built from all the pattern sets
 * (per view). Immutable once loaded and shared read-only by every worker;
 * reference-counted so a reload can swap in a new one while workers finish
 * pages with the old. ruleset_ref/ruleset_unref are thread-safe.
 */
struct ruleset;

/* ruleset_opts.flags */
#define RULESET_KEEP_GOOD 1u /* leave refused files out instead of refusing the set */

/* How to load a rule set; a zeroed struct (or NULL) is the default. */
struct ruleset_opts {
	const char *lib_dir;   /* NULL: "<rules_dir>/../lib" if it exists */
	const char *cache_dir; /* compiled databases cached here (created when missing); NULL: none */
	unsigned flags;        /* RULESET_KEEP_GOOD */
	const char *model;     /* the trained model (classifiers/model.h); NULL:
				  "<rules_dir>/../model/patrol.model" when it exists;
				  "": none */
};

/*
 * Loads every *.lua file in rules_dir (sorted by name) and the helper
 * library (o->lib_dir), checks each rule (metadata, category, pattern sets,
 * classify function), loads the trained model beside the rules (o->model)
 * and compiles all patterns. Every problem found is appended to errors as
 * one line "file:line: message" (errors must be initialized by the caller).
 *
 * Returns PRC_OK with *out set (refcount 1), or PRC_PARSE when any rule was
 * refused (*out NULL, errors lists all of them), PRC_IO when the directory
 * cannot be read, PRC_NOMEM. With RULESET_KEEP_GOOD, a refused file costs
 * only its own rules: the result is PRC_PARSE but *out holds the rules of
 * every file that passed.
 *
 * With o->cache_dir, the Hyperscan databases are read from the cache when an
 * entry matches everything that decides them (every rule and lib file's
 * name and bytes, every expression, the Hyperscan version and platform,
 * patrol's flags), which skips compiling; otherwise they are compiled and
 * stored there. A corrupt or stale entry is ignored and replaced (logged at
 * LOG_WARN); a cache that cannot be written is logged and costs nothing
 * else. Safe to call from several threads or processes at once, with one
 * cache_dir or not.
 */
enum prc ruleset_load(const char *rules_dir, const struct ruleset_opts *o, struct ruleset **out,
		      struct buf *errors);

/*
 * The trained model loaded with rs (ruleset_opts.model), or NULL when there
 * is none. Owned by rs, immutable, shared read-only.
 */
const struct model *ruleset_model(const struct ruleset *rs);

/* Whether rs's databases came from the cache (1) or were compiled (0). */
int ruleset_from_cache(const struct ruleset *rs);

struct ruleset *ruleset_ref(struct ruleset *rs);
void ruleset_unref(struct ruleset *rs); /* NULL is fine */

/* Number of rules and of patterns in rs. */
size_t ruleset_rule_count(const struct ruleset *rs);
size_t ruleset_pattern_count(const struct ruleset *rs);

/* Name, category and file of rule i (0 <= i < ruleset_rule_count). Owned by rs. */
const char *ruleset_rule_name(const struct ruleset *rs, size_t i);
const char *ruleset_rule_category(const struct ruleset *rs, size_t i);
const char *ruleset_rule_file(const struct ruleset *rs, size_t i);

/* The version rule i gives itself (its metadata's version), 0 when none. */
long long ruleset_rule_version(const struct ruleset *rs, size_t i);

/* Line of rule i in its file; its threshold; its number of patterns. */
int ruleset_rule_line(const struct ruleset *rs, size_t i);
double ruleset_rule_threshold(const struct ruleset *rs, size_t i);
size_t ruleset_rule_pattern_count(const struct ruleset *rs, size_t i);

#endif
