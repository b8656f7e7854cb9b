/* export.h - reading flagged pages out of the database, one row per page and category. */
#ifndef PATROL_EXPORT_H
#define PATROL_EXPORT_H

#include "store/db.h"
#include "util/err.h"

/* The export fields, in the order export_fields lists them. */
enum export_field {
	EXPORT_URL = 0,
	EXPORT_FINAL_URL,
	EXPORT_CATEGORY,
	EXPORT_SCORE,
	EXPORT_CLASSIFIER,
	EXPORT_RULE,
	EXPORT_EVIDENCE,
	EXPORT_HTTP_STATUS,
	EXPORT_FETCHED_AT,
	EXPORT_CONTENT_SHA256,
	EXPORT_REVIEW_STATUS,
	EXPORT_TAKEDOWN_STATUS,
	EXPORT_JOB,
	EXPORT_PAGE_ID,
	EXPORT_HIT_ID,
	EXPORT_TAKEDOWN_REF,
	EXPORT_REMOVED_AT,
	EXPORT_ALIASES,        /* other URLs that served the same page, space-separated, or NULL */
	EXPORT_NFIELDS
};

/* Field names ("url", "final_url", ...). */
extern const char *const export_fields[EXPORT_NFIELDS];

/* Whether a field is a JSON number (score, http_status, ids) rather than a string. */
int export_field_numeric(enum export_field f);

/* Called once per row; values[i] is the text of field i (NULL for SQL NULL). Return non-zero to stop. */
typedef int (*export_row_fn)(const char *const *values, void *ud);

/*
 * Streams every flagged page and category (the best-scoring hit of that
 * category on the page's latest flagged fetch) of job (NULL: all jobs),
 * ordered by job, URL and category, to fn. review_status is the page's
 * review (new, confirmed, dismissed); takedown_status, takedown_ref and
 * removed_at come from the page's latest takedown request about that
 * category (else its latest request; "none" and NULLs without one);
 * aliases lists the URLs stored as aliases of the page (the same bytes
 * under another URL of its host), which one takedown covers too. Rows
 * are fetched one at a time, so memory stays flat however large the export.
 */
enum prc export_run(struct db *d, const char *job, export_row_fn fn, void *ud, struct err *e);

#endif
