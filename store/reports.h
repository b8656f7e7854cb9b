/* reports.h - URLs reported by the public or the hotline, kept with the page they became. */
#ifndef PATROL_REPORTS_H
#define PATROL_REPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

/* One report, validated by the caller. */
struct report_row {
	const char *url;         /* canonical */
	const char *origin;      /* url_origin(url) */
	const char *reported_at; /* timestamptz text */
	const char *source;      /* "ihc", "public", ... or NULL */
	const char *reference;   /* the reporter's reference number, or NULL */
	const char *category;    /* a TAXONOMY code, or NULL */
	long line;               /* where it was in the file */
};

/*
 * In one transaction: creates job (or joins it), queues every URL as a seed
 * of it (depth 0; URLs already in the job are left as they are) and keeps
 * each report on its page (the urls row), once per (page, source,
 * reference): importing the same file twice adds nothing. file is recorded
 * with each report. *urls_added and *reports_added (may be NULL) count what
 * was new.
 */
enum prc reports_add(struct db *d, const char *job, const struct report_row *rows, size_t n,
		     const char *actor, const char *file, size_t *urls_added, size_t *reports_added,
		     struct err *e);

#endif
