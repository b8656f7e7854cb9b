/* recheckstore.h - the database side of rechecks: which pages to re-fetch, and storing what was seen. */
#ifndef PATROL_RECHECKSTORE_H
#define PATROL_RECHECKSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/crawlstore.h"
#include "store/db.h"
#include "util/err.h"

/* A page to re-fetch. Strings are malloc'd; recheckstore_target_release frees them. */
struct recheck_target {
	int64_t host_id, url_id, job_id;
	char *url;        /* as queued */
	char *origin;     /* the politeness unit */
	char *categories; /* what it was flagged as, comma-separated: its requests' categories, else
			     those of its first flagged fetch */
};
void recheckstore_target_release(struct recheck_target *t);

/*
 * The pages to recheck: with ids (nids > 0), exactly those pages (any that
 * is not a page is skipped); otherwise every page with a request sent,
 * acknowledged or reopened, or removed less than watch_days ago (to see it
 * come back), and with all every confirmed page. job (may be NULL) limits
 * them to one job. *out is malloc'd (release each, then free the array),
 * ordered by origin so that hosts are visited together.
 */
enum prc recheckstore_targets(struct db *d, const char *job, int all, const int64_t *ids, size_t nids,
			      long watch_days, struct recheck_target **out, size_t *n, struct err *e);

/*
 * Consecutive DNS failures of the page's latest rechecks before now
 * (*count) and when the first of them was (*first, timestamptz text, "" when
 * none; 64 bytes), with the seconds since then (*age_s).
 */
enum prc recheckstore_dns_run(struct db *d, const struct recheck_target *t, long *count, char *first,
			      double *age_s, struct err *e);

/* What one recheck saw and concluded. */
struct recheck_obs {
	double fetched_at;          /* epoch seconds */
	int http_status;            /* 0: no response */
	const char *final_url;
	const char *content_type;
	int64_t size;
	const char *sha256;         /* hex, or NULL */
	const char *server_ip;
	const char *charset;
	const char *title;
	long duration_ms;
	const char *error;          /* transfer error, or NULL */
	const struct store_hit *hits; /* the classifier's verdicts now */
	size_t nhits;
	const char *categories;     /* the categories of hits, comma-separated ("" for none) */
	const char *outcome;        /* "present", "gone" or "error" */
	const char *reason;         /* http_404, dns, notice, unflagged, flagged, ... */
	const char *removed_at;     /* for gone: when first seen gone (timestamptz text), NULL: now */
};

/* What storing it changed. */
struct recheck_effect {
	int64_t recheck_id;
	int removed;  /* requests moved to removed */
	int reopened; /* requests moved to reopened */
};

/*
 * In one transaction as actor: stores the fetch (with its hits) and the
 * recheck, then moves the page's requests: gone → sent, acknowledged and
 * reopened requests become removed (removed_at: o->removed_at or now, the
 * time of this recheck); present → removed requests become reopened. The
 * request rows are locked first, so a coordinator acting at the same time
 * waits or is waited for. Retried on deadlock.
 */
enum prc recheckstore_record(struct db *d, const struct recheck_target *t, const struct recheck_obs *o,
			     const char *actor, struct recheck_effect *fx, struct err *e);

#endif
