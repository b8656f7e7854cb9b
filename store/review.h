/* review.h - flagged pages and their review: listing, showing, confirming and dismissing. */
#ifndef PATROL_REVIEW_H
#define PATROL_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "store/rows.h"
#include "util/err.h"

/*
 * A flagged page is a urls row with hits; its id (the page id, as `patrol
 * export` writes it) is the urls row's id. Its review goes new → confirmed |
 * dismissed (and back between those two); a dismissed page whose content
 * changes and is flagged again returns to new. The database enforces the
 * transitions and writes the events (schema/002_review_takedown.sql).
 */

/* Which pages: every field may be NULL (or negative for numbers) for "any". */
struct review_filter {
	const char *job;      /* job name */
	const char *category; /* a category of the page's latest flagged fetch */
	const char *host;     /* origin ("http://a.jp:8080"), or host[:port] */
	const char *rule;     /* a rule that fired on the latest flagged fetch */
	const char *status;   /* new, confirmed, dismissed */
	const char *since;    /* flagged at or after (timestamptz text) */
	const char *until;    /* flagged before */
	const char *source;   /* rule (found by the rules) or hotline (reported); NULL: both */
	double min_score;     /* < 0: any */
	const char *sort;     /* id (default), score, date, url, status */
	int desc;             /* sort descending */
	long limit;           /* <= 0: no limit */
	long offset;
};

/* Sets f to "every page", sorted by id. */
void review_filter_init(struct review_filter *f);

/*
 * Lists the pages f selects. On PRC_OK *res (rows_free it) has the columns
 * page_id, status, source, score, categories, rules, url, host, job,
 * flagged_at, reviewer, reviewed_at, takedown_status. PRC_INVALID for a bad
 * sort key, status or source.
 */
enum prc review_list(struct db *d, const struct review_filter *f, struct rows **res, struct err *e);

/* The ids of the pages f selects (in f's order), malloc'd in *ids. */
enum prc review_select(struct db *d, const struct review_filter *f, int64_t **ids, size_t *n,
		       struct err *e);

/* Everything known of one flagged page; each result is owned by the struct. */
struct review_detail {
	struct rows *page;      /* one row: the page, its review, its latest fetch */
	struct rows *hits;      /* every hit of every fetch, latest fetch first */
	struct rows *events;    /* the review's history */
	struct rows *takedowns; /* requests on the page */
	struct rows *rechecks;  /* every recheck */
	struct rows *reports;   /* hotline and public reports of the URL */
	struct rows *evidence;  /* WARC records of its fetches (NULL when the store has none) */
};

/* Fills *out for page_id; PRC_NOTFOUND when it is not a flagged page. Release with review_detail_release. */
enum prc review_show(struct db *d, int64_t page_id, struct review_detail *out, struct err *e);
void review_detail_release(struct review_detail *rd);

/*
 * The tables of rd after its page, in their order, each with the name the
 * JSON outputs (patrol review show --json, the console's API) give it. The
 * sections point into rd.
 */
#define REVIEW_SECTIONS 6
void review_detail_sections(const struct review_detail *rd, struct rows_section s[REVIEW_SECTIONS]);

/*
 * Moves page_id's review to status to ("confirmed" or "dismissed") as actor
 * with comment (may be NULL), in its own transaction (retried on deadlock);
 * category (may be NULL) is the category the reviewer files it under (a
 * hotline lead no rule flagged has none of its own). from (16 bytes, may be
 * NULL) gets the status it had. PRC_NOTFOUND for a page neither flagged nor
 * reported; PRC_DECLINED when it already has that status or the database
 * refuses (a live takedown request on a page being dismissed, a category
 * outside the taxonomy), with e saying why.
 */
enum prc review_decide(struct db *d, int64_t page_id, const char *to, const char *category,
		       const char *actor,
		       const char *comment, char *from, struct err *e);

#endif
