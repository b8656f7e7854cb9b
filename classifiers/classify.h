/* classify.h - the per-thread classifier: a page and a rule set (ruleset.h) in, verdicts out. */
#ifndef PATROL_CLASSIFY_H
#define PATROL_CLASSIFY_H

#include <stddef.h>

#include "classifiers/ruleset.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/textblock.h"

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
