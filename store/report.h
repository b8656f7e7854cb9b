/* report.h - takedown figures per category, host and provider: volumes, rates, times to removal. */
#ifndef PATROL_REPORT_H
#define PATROL_REPORT_H

#include "store/db.h"
#include "store/rows.h"
#include "util/err.h"

enum report_dim { REPORT_CATEGORY = 0, REPORT_HOST, REPORT_PROVIDER, REPORT_SOURCE, REPORT_NDIMS };

/* "category", "host", "provider". */
extern const char *const report_dim_names[REPORT_NDIMS];

struct report_opts {
	const char *job;   /* NULL: every job */
	const char *since; /* pages flagged at or after (timestamptz text), or NULL */
	const char *until; /* pages flagged before, or NULL */
	long oldest;       /* how many of the oldest live requests to list (default 10) */
};

/*
 * One result per dimension, with the columns key, flagged, confirmed,
 * dismissed, false_positive_rate (dismissed / reviewed), requests, removed,
 * removal_rate (removed / requests), and in seconds the median and 90th
 * percentile (percentile_cont) of detection → removal
 * (detect_to_removal_median_s, detect_to_removal_p90_s) and of request →
 * removal (request_to_removal_median_s, request_to_removal_p90_s).
 * Detection is the fetch time of the page's first flagged fetch; the
 * request is its sending (its opening if never sent). For a provider
 * (the request's recipient name, else its kind) the pages are those with a
 * request to it. Then the oldest live requests: id, page_id, status,
 * recipient, opened_at, sent_at, waiting_days, url.
 */
struct report {
	struct rows *dims[REPORT_NDIMS];
	struct rows *oldest;
};

enum prc report_run(struct db *d, const struct report_opts *o, struct report *out, struct err *e);
void report_release(struct report *r);

#endif
