/*
 * consolestore.c - the console's own records. A snapshot belongs to the
 * evidence of one fetch: it is stored with that fetch's host_id first in
 * its key, as every table that grows with the crawl is, and is only ever
 * added, never changed, so the history of what was rendered when, by whom,
 * stays whole.
 */
#include "store/consolestore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/dbpq.h"

enum prc consolestore_capture(struct db *d, int64_t page_id, struct rows **out, struct err *e)
{
	char id[24];
	const char *p[1] = { DB_I64(id, page_id) };
	enum prc rc;

	rc = db_query_rows(d,
			   "SELECT v.host_id, v.fetch_id, u.id AS url_id, u.url, v.warc_file, v.warc_offset,"
			   "  v.warc_digest"
			   " FROM urls u JOIN fetches f ON f.host_id = u.host_id AND f.url_id = u.id"
			   " JOIN evidence v ON v.host_id = f.host_id AND v.fetch_id = f.id"
			   " WHERE u.id = $1::bigint ORDER BY v.fetch_id DESC LIMIT 1",
			   1, p, out, e);
	if (rc == PRC_OK && (*out)->nrows == 0) {
		rows_free(*out);
		*out = NULL;
		rc = err_set(e, PRC_NOTFOUND, "page %" PRId64 " has no WARC record", page_id);
	}
	return rc;
}

enum prc consolestore_snapshot_add(struct db *d, const struct consolestore_snapshot *s, int64_t *id,
				   struct err *e)
{
	char h[24], f[24], u[24], sz[24];
	const char *p[9] = { DB_I64(h, s->host_id), DB_I64(f, s->fetch_id), DB_I64(u, s->url_id),
			     s->taken_by, s->warc_digest, s->png_file, s->png_sha256,
			     s->png_file ? DB_I64(sz, s->png_size) : NULL, s->error };
	PGresult *r = NULL;
	enum prc rc;

	rc = db_query(d,
		      "INSERT INTO snapshots (host_id, fetch_id, url_id, taken_by, warc_digest, png_file,"
		      "  png_sha256, png_size, error)"
		      " VALUES ($1::bigint, $2::bigint, $3::bigint, $4, $5, $6, $7, $8::bigint, $9)"
		      " RETURNING id",
		      9, p, &r, e);
	if (rc == PRC_OK && id)
		*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

#define SNAP_COLS                                                                               \
	"SELECT s.id, s.fetch_id, s.taken_at, s.taken_by, s.warc_digest, s.png_file, s.png_sha256," \
	"  s.png_size, s.error"                                                                 \
	" FROM urls u JOIN snapshots s ON s.host_id = u.host_id AND s.url_id = u.id"

enum prc consolestore_snapshots(struct db *d, int64_t page_id, struct rows **out, struct err *e)
{
	char id[24];
	const char *p[1] = { DB_I64(id, page_id) };

	return db_query_rows(d, SNAP_COLS " WHERE u.id = $1::bigint ORDER BY s.taken_at DESC, s.id DESC",
			     1, p, out, e);
}

enum prc consolestore_snapshot(struct db *d, int64_t page_id, int64_t id, struct rows **out,
			       struct err *e)
{
	char pid[24], sid[24];
	const char *p[2] = { DB_I64(pid, page_id), DB_I64(sid, id) };
	enum prc rc;

	rc = db_query_rows(d, SNAP_COLS " WHERE u.id = $1::bigint AND s.id = $2::bigint", 2, p, out, e);
	if (rc == PRC_OK && (*out)->nrows == 0) {
		rows_free(*out);
		*out = NULL;
		rc = err_set(e, PRC_NOTFOUND, "page %" PRId64 " has no snapshot %" PRId64, page_id, id);
	}
	return rc;
}
