/* consolestore.h - what the web console keeps of its own: page snapshots (schema/010_snapshots.sql). */
#ifndef PATROL_CONSOLESTORE_H
#define PATROL_CONSOLESTORE_H

#include <stdint.h>

#include "store/rows.h"
#include "util/err.h"

struct db;

/*
 * Where the latest captured fetch of page_id is: one row of host_id,
 * fetch_id, url_id, url, warc_file, warc_offset, warc_digest. PRC_NOTFOUND
 * when the page has no WARC record (a hotline lead no rule flagged, or a
 * store without evidence).
 */
enum prc consolestore_capture(struct db *d, int64_t page_id, struct rows **out, struct err *e);

/* One snapshot as rendered (or not) from one fetch's record. */
struct consolestore_snapshot {
	int64_t host_id, fetch_id, url_id;
	const char *taken_by;
	const char *warc_digest; /* may be NULL */
	const char *png_file;    /* relative to the WARC directory; NULL when error */
	const char *png_sha256;  /* 64 hex digits; NULL when error */
	long long png_size;
	const char *error;       /* why none was made; NULL when png_file */
};

/* Records s; *id (may be NULL) gets the snapshot's id. */
enum prc consolestore_snapshot_add(struct db *d, const struct consolestore_snapshot *s, int64_t *id,
				   struct err *e);

/*
 * The snapshots of page_id, newest first: id, fetch_id, taken_at, taken_by,
 * warc_digest, png_file, png_sha256, png_size, error.
 */
enum prc consolestore_snapshots(struct db *d, int64_t page_id, struct rows **out, struct err *e);

/* Snapshot id of page_id (the same columns); PRC_NOTFOUND when there is none. */
enum prc consolestore_snapshot(struct db *d, int64_t page_id, int64_t id, struct rows **out,
			       struct err *e);

#endif
