/* classify.h - rule sets (Lua rules + one Hyperscan database) and the per-thread classifier. */
#ifndef PATROL_CLASSIFY_H
#define PATROL_CLASSIFY_H

#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/textblock.h"

/*
 * A compiled rule set: every rule file of a directory, their metadata and
 * pattern sets, and one Hyperscan database built from all the pattern sets
 * (per view). Immutable once loaded and shared read-only by every worker;
 * reference-counted so a reload can swap in a new one while workers finish
 * pages with the old. ruleset_ref/ruleset_unref are thread-safe.
 */
struct ruleset;

/*
 * Loads every *.lua file in rules_dir (sorted by name) and the helper library
 * in lib_dir (may be NULL: then "<rules_dir>/../lib" is used if it exists),
 * checks each rule (metadata, category, pattern sets, classify function),
 * and compiles all patterns. Every problem found is appended to errors as one
 * line "file:line: message" (errors must be initialized by the caller).
 * Returns PRC_OK with *out set (refcount 1), or PRC_PARSE when any rule was
 * refused (*out NULL, errors lists all of them), PRC_IO when the directory
 * cannot be read, PRC_NOMEM.
 */
enum prc ruleset_load(const char *rules_dir, const char *lib_dir, struct ruleset **out,
		      struct buf *errors);

/* ruleset_load_ex flags */
#define RULESET_KEEP_GOOD 1u /* leave refused files out instead of refusing the set */

/*
 * ruleset_load with flags. With RULESET_KEEP_GOOD, a refused file costs only
 * its own rules: the result is PRC_PARSE (errors lists every problem) but
 * *out holds the rules of every file that passed. Other results as
 * ruleset_load.
 */
enum prc ruleset_load_ex(const char *rules_dir, const char *lib_dir, unsigned flags,
			 struct ruleset **out, struct buf *errors);

/* How to load a rule set; a zeroed struct (or NULL) is ruleset_load's default. */
struct ruleset_opts {
	const char *lib_dir;   /* NULL: "<rules_dir>/../lib" if it exists */
	const char *cache_dir; /* compiled databases cached here (created when missing); NULL: none */
	unsigned flags;        /* RULESET_KEEP_GOOD */
	const char *model;     /* the trained model (classifiers/model.h); NULL:
				  "<rules_dir>/../model/patrol.model" when it exists;
				  "": none */
};

/*
 * ruleset_load with options. With a cache_dir, the Hyperscan databases are
 * read from the cache when an entry matches everything that decides them
 * (every rule and lib file's name and bytes, every expression, the
 * Hyperscan version and platform, patrol's flags), which skips compiling;
 * otherwise they are compiled and stored there. A corrupt or stale entry is
 * ignored and replaced (logged at LOG_WARN); a cache that cannot be written
 * is logged and costs nothing else. Results as ruleset_load_ex. Safe to call
 * from several threads or processes at once, with one cache_dir or not.
 */
enum prc ruleset_load_opts(const char *rules_dir, const struct ruleset_opts *o,
			   struct ruleset **out, struct buf *errors);

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

/* What a classifier is given of a page. Strings are UTF-8, NUL-terminated; any may be "". */
struct page_input {
	const char *url;
	const char *final_url;
	const char *title;
	const char *text;        /* visible text (html_doc.text) or the decoded body of text/plain */
	size_t text_len;
	const char *const *links;/* absolute link URLs */
	const char *const *link_texts; /* anchor texts, parallel to links (may be NULL) */
	size_t nlinks;
	const char *content_type;
	int http_status;
	const struct textblock *blocks; /* text cut into blocks (html_doc.blocks); NULL: the
					   text is one main block */
	size_t nblocks;
};

/* One rule's verdict on one page. Strings live in the arena given to classifier_run. */
struct verdict {
	const char *category;
	const char *rule;       /* rule name */
	const char *rule_file;  /* file the rule came from */
	double score;           /* 0..1 */
	const char *evidence;   /* the matched text in context, as the page wrote it */
	size_t ev_start, ev_end;/* byte offsets of the decisive match in page_input.text,
				   or both 0 when the evidence is not from the text */
};

/* Called by classifier_run for --explain: one line of what happened. */
typedef void (*classify_explain_fn)(const char *line, void *ud);

/*
 * A worker's classifier: its own Hyperscan scratch and its own sandboxed Lua
 * 5.4 state holding the rules of rs. Not thread-safe: one per thread.
 * Returns NULL and sets e on failure.
 */
struct classifier *classifier_new(struct ruleset *rs, struct err *e);
void classifier_free(struct classifier *c); /* NULL is fine */

/* The rule set c runs (not a new reference). */
struct ruleset *classifier_ruleset(const struct classifier *c);

/*
 * Classifies one page: normalizes the text once, scans every view with the
 * one database, then calls classify(page, m) of each rule whose pattern sets
 * matched, under the sandbox's instruction and memory limits. A rule that
 * errors or runs out of budget is logged once (log_msg, with file:line) and
 * skipped; the others still run. Verdicts with score >= the rule's threshold
 * (0.5 unless the rule says otherwise) are returned in *out (n in *n), all in
 * arena a. explain may be NULL. PRC_NOMEM without memory; PRC_AGAIN when
 * the process is stopping (sandbox_set_stop) and the rules were cut short,
 * so the page must not be stored as classified; a failing rule is not an
 * error of the call. Pattern work inside a rule (string.find and friends)
 * counts against its budget, and the page deadline ends a rule mid-call.
 */
enum prc classifier_run(struct classifier *c, struct arena *a, const struct page_input *p,
			struct verdict **out, size_t *n, classify_explain_fn explain, void *ud,
			struct err *e);

/*
 * The time the rules of one page may take together (default 2000 ms; 0: no
 * limit); past it the remaining rules are skipped, counted as failures and
 * logged once. Each rule call also has its own instruction budget.
 */
void classifier_set_deadline(struct classifier *c, long ms);

/*
 * Whether rules see the trained model of c's rule set (ruleset_model):
 * page.model and each block's model, a table { category = probability },
 * made when a rule first reads it. On by default; off (0), page.model is
 * nil, as without a model, which is how `rules test` shows the rules alone.
 */
void classifier_use_model(struct classifier *c, int on);

/* Rules that failed (errored or exceeded a limit) so far in c. */
size_t classifier_rule_failures(const struct classifier *c);

#endif
