/* webstore.h - what the web console reads and does, as plain rows, through the CLI's own store functions. */
#ifndef PATROL_WEBSTORE_H
#define PATROL_WEBSTORE_H

#include <stdint.h>

#include "store/rows.h"
#include "store/review.h"
#include "store/takedown.h"
#include "util/err.h"

struct db;

/*
 * Connects to conninfo for the console: times are read in Japan time
 * (TimeZone Asia/Tokyo). *out is freed with webstore_close.
 */
enum prc webstore_connect(const char *conninfo, struct db **out, struct err *e);
void webstore_close(struct db *d);

/* Reconnects d when its connection was lost (db_ensure). PRC_DB when it cannot. */
enum prc webstore_ensure(struct db *d, struct err *e);

/* The review queue's filter (store/review.h's review_filter); NULL or negative: any. */
struct web_filter {
	const char *job, *category, *host, *rule, *status, *since, *until;
	const char *source; /* "rule" (found by the rules), "hotline" (reported leads); NULL: both */
	double min_score;
	const char *sort; /* id, score, date, url, status */
	int desc;
	long limit, offset;
};

void web_filter_init(struct web_filter *f);

/*
 * The pages f selects (review_list's columns: page_id, status, source, score,
 * categories, rules, url, host, job, flagged_at, reviewer, reviewed_at,
 * takedown_status) and in *total (may be NULL) how many there are without
 * limit and offset. PRC_INVALID for a bad sort key or status.
 */
enum prc webstore_pages(struct db *d, const struct web_filter *f, struct rows **out, long *total,
			struct err *e);

/* Pages per category (category, pages) of their latest flagged fetch, with review status (NULL: any). */
enum prc webstore_category_counts(struct db *d, const char *status, struct rows **out, struct err *e);

/*
 * One flagged page: review_show, with an empty evidence table where the
 * store keeps no WARC evidence. Release with review_detail_release.
 */
enum prc webstore_page(struct db *d, int64_t page_id, struct review_detail *out, struct err *e);

/*
 * review_decide: to is "confirmed" or "dismissed"; category (may be NULL)
 * the one the reviewer files the page under (a hotline lead may have none);
 * from (16 bytes, may be NULL) gets the old status.
 */
enum prc webstore_decide(struct db *d, int64_t page_id, const char *to, const char *category,
			 const char *actor, const char *comment, char *from, struct err *e);

/* Takedown requests (takedown_list's columns), status NULL for all, "live" for those not closed. */
enum prc webstore_takedowns(struct db *d, const char *status, struct rows **out, struct err *e);

/*
 * Opens a request on page_id (takedown_open); kind and channel are checked
 * and made canonical here (PRC_INVALID when unknown).
 */
enum prc webstore_takedown_open(struct db *d, int64_t page_id, const char *kind,
				const char *recipient, const char *channel, const char *reference,
				const char *actor, const char *comment, int64_t *id, struct err *e);

/*
 * One step on request id (takedown_act): verb is a state or a command verb
 * ("send", "ack", "refuse", "close", "removed"), or "note". from and to (16
 * bytes each, may be NULL) get the states before and after.
 */
enum prc webstore_takedown_act(struct db *d, int64_t id, const char *verb, const char *reference,
			       const char *actor, const char *comment, char *from, char *to,
			       struct err *e);

/* One request: takedown_show. Release with takedown_detail_release. */
enum prc webstore_takedown(struct db *d, int64_t id, struct takedown_detail *out, struct err *e);

/*
 * The report: per category, host and provider (report_run's columns), the
 * oldest live requests, per month (month, requests, removed), and per rule
 * (rulestats_run's columns).
 */
struct web_report {
	struct rows *dims[3];
	struct rows *oldest, *monthly, *rules;
};

enum prc webstore_report(struct db *d, const char *job, struct web_report *out, struct err *e);
void webstore_report_release(struct web_report *r);

/*
 * The latest limit events of every review and takedown: at, actor, kind
 * ("review" or "takedown"), subject (page or request id), page_id,
 * from_status, to_status, comment.
 */
enum prc webstore_events(struct db *d, long limit, struct rows **out, struct err *e);

/*
 * Crawl jobs, newest first, with their progress from the frontier: name,
 * created_at, finished_at, hosts, queued, claimed, done, refused (URLs by
 * state), flagged (pages with a review).
 */
enum prc webstore_jobs(struct db *d, struct rows **out, struct err *e);

/* Per rule (rulestats_run's columns) of job (NULL: every job). */
enum prc webstore_rules(struct db *d, const char *job, struct rows **out, struct err *e);

#endif
