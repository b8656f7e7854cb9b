/*
 * report.c - what coordinators report upward: for each category, host and
 * provider, how many pages were flagged, how reviewers judged them (the
 * false-positive rate they see), how many takedown requests went out and
 * how many ended in removal, and how long removal took, as the median and
 * 90th percentile of detection → removal and request → removal.
 *
 * Each dimension is one query built from the same two halves: the pages
 * keyed by the dimension (with their review status) and the requests keyed
 * by it (with their durations), joined on the key. Only removed requests
 * have durations (a reopened request is not removed), and percentile_cont
 * skips the rest.
 */
#include "store/report.h"
#include "store/dbpq.h"

#include <stdio.h>
#include <string.h>

#include "util/buf.h"

const char *const report_dim_names[REPORT_NDIMS] = { "category", "host", "provider", "source" };

static const char report_scope_sql[] =
	"WITH pages AS ("
	"  SELECT r.host_id, r.url_id, r.status, r.flagged_at, r.source, r.category, ho.origin AS host"
	"  FROM reviews r JOIN jobs j ON j.id = r.job_id JOIN hosts ho ON ho.id = r.host_id"
	"  WHERE ($1::text IS NULL OR j.name = $1)"
	"  AND ($2::timestamptz IS NULL OR r.flagged_at >= $2::timestamptz)"
	"  AND ($3::timestamptz IS NULL OR r.flagged_at < $3::timestamptz)),"
	" reqs AS ("
	"  SELECT t.*, p.host, p.source, coalesce(t.recipient, t.recipient_kind) AS provider,"
	"    extract(epoch FROM t.removed_at - p.flagged_at)::float8 AS d2r,"
	"    extract(epoch FROM t.removed_at - coalesce(t.sent_at, t.opened_at))::float8 AS q2r"
	"  FROM takedowns t JOIN pages p ON p.host_id = t.host_id AND p.url_id = t.url_id)";

/* page_keys(key, host_id, url_id, status) and req_keys(key, status, d2r, q2r) per dimension */
static const char *const page_keys[REPORT_NDIMS] = {
	/* a hotline lead no rule flagged counts under its reviewer's or its reports' category */
	("SELECT h.category AS key, p.host_id, p.url_id, p.status"
	 " FROM pages p JOIN hits h ON h.host_id = p.host_id AND h.url_id = p.url_id"
	 " UNION SELECT p.category, p.host_id, p.url_id, p.status FROM pages p WHERE p.category IS NOT NULL"
	 " UNION SELECT rp.category, p.host_id, p.url_id, p.status"
	 " FROM pages p JOIN reports rp ON rp.host_id = p.host_id AND rp.url_id = p.url_id"
	 " WHERE rp.category IS NOT NULL AND p.category IS NULL AND NOT EXISTS"
	 "   (SELECT 1 FROM hits h WHERE h.host_id = p.host_id AND h.url_id = p.url_id)"),
	"SELECT p.host AS key, p.host_id, p.url_id, p.status FROM pages p",
	("SELECT DISTINCT q.provider AS key, p.host_id, p.url_id, p.status"
	 " FROM pages p JOIN reqs q ON q.host_id = p.host_id AND q.url_id = p.url_id"),
	"SELECT p.source AS key, p.host_id, p.url_id, p.status FROM pages p",
};
static const char *const req_keys[REPORT_NDIMS] = {
	"SELECT category AS key, status, d2r, q2r FROM reqs",
	"SELECT host AS key, status, d2r, q2r FROM reqs",
	"SELECT provider AS key, status, d2r, q2r FROM reqs",
	"SELECT source AS key, status, d2r, q2r FROM reqs",
};

static enum prc report_dim(struct db *d, enum report_dim dim, const char *const *p, struct rows **res,
			   struct err *e)
{
	struct buf sql;
	enum prc rc;

	buf_init(&sql, 1 << 16);
	buf_addstr(&sql, report_scope_sql);
	buf_addf(&sql, ", pk AS (%s), rk AS (%s)", page_keys[dim], req_keys[dim]);
	buf_addstr(&sql,
		   " SELECT coalesce(a.key, b.key) AS key, coalesce(a.flagged, 0) AS flagged,"
		   "  coalesce(a.confirmed, 0) AS confirmed, coalesce(a.dismissed, 0) AS dismissed,"
		   "  round(a.dismissed::numeric / nullif(a.confirmed + a.dismissed, 0), 4)"
		   "    AS false_positive_rate,"
		   "  coalesce(b.requests, 0) AS requests, coalesce(b.removed, 0) AS removed,"
		   "  round(b.removed::numeric / nullif(b.requests, 0), 4) AS removal_rate,"
		   "  round(b.d2r_median::numeric, 3) AS detect_to_removal_median_s,"
		   "  round(b.d2r_p90::numeric, 3) AS detect_to_removal_p90_s,"
		   "  round(b.q2r_median::numeric, 3) AS request_to_removal_median_s,"
		   "  round(b.q2r_p90::numeric, 3) AS request_to_removal_p90_s"
		   " FROM (SELECT key, count(*) AS flagged,"
		   "         count(*) FILTER (WHERE status = 'confirmed') AS confirmed,"
		   "         count(*) FILTER (WHERE status = 'dismissed') AS dismissed"
		   "       FROM pk GROUP BY key) a"
		   " FULL JOIN (SELECT key, count(*) AS requests,"
		   "         count(*) FILTER (WHERE status = 'removed') AS removed,"
		   "         percentile_cont(0.5) WITHIN GROUP (ORDER BY d2r) AS d2r_median,"
		   "         percentile_cont(0.9) WITHIN GROUP (ORDER BY d2r) AS d2r_p90,"
		   "         percentile_cont(0.5) WITHIN GROUP (ORDER BY q2r) AS q2r_median,"
		   "         percentile_cont(0.9) WITHIN GROUP (ORDER BY q2r) AS q2r_p90"
		   "       FROM rk GROUP BY key) b ON b.key = a.key"
		   " ORDER BY 1");
	if (!sql.ptr)
		return err_set(e, PRC_NOMEM, "out of memory");
	rc = db_query_rows(d, buf_str(&sql), 3, p, res, e);
	buf_release(&sql);
	return rc;
}

enum prc report_run(struct db *d, const struct report_opts *o, struct report *out, struct err *e)
{
	char lim[24];
	const char *p[4] = { o->job, o->since, o->until, lim };
	enum prc rc = PRC_OK;
	PGresult *r;
	int i;

	memset(out, 0, sizeof(*out));
	if (o->job) {
		/* an unknown job is an error, not an empty report */
		rc = db_query(d, "SELECT 1 FROM jobs WHERE name = $1", 1, p, &r, e);
		if (rc != PRC_OK)
			return rc;
		i = PQntuples(r);
		PQclear(r);
		if (!i)
			return err_set(e, PRC_NOTFOUND, "no job named '%s'", o->job);
	}
	snprintf(lim, sizeof(lim), "%ld", o->oldest > 0 ? o->oldest : 10);
	for (i = 0; i < REPORT_NDIMS && rc == PRC_OK; i++)
		rc = report_dim(d, (enum report_dim)i, p, &out->dims[i], e);
	if (rc == PRC_OK) {
		struct buf sql;

		buf_init(&sql, 1 << 16);
		buf_addstr(&sql, report_scope_sql);
		buf_addstr(&sql,
			   " SELECT id, url_id AS page_id, status, provider AS recipient, opened_at, sent_at,"
			   "  round((extract(epoch FROM now() - coalesce(sent_at, opened_at)) / 86400)::numeric, 2)"
			   "    AS waiting_days,"
			   "  (SELECT u.url FROM urls u WHERE u.host_id = reqs.host_id AND u.id = reqs.url_id) AS url"
			   " FROM reqs WHERE status IN ('open', 'sent', 'acknowledged', 'reopened')"
			   " ORDER BY coalesce(sent_at, opened_at), id LIMIT $4::bigint");
		rc = sql.ptr ? db_query_rows(d, buf_str(&sql), 4, p, &out->oldest, e)
				  : err_set(e, PRC_NOMEM, "out of memory");
		buf_release(&sql);
	}
	if (rc != PRC_OK)
		report_release(out);
	return rc;
}

void report_release(struct report *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < REPORT_NDIMS; i++)
		rows_free(r->dims[i]);
	rows_free(r->oldest);
	memset(r, 0, sizeof(*r));
}
