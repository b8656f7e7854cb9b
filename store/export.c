/*
 * export.c - the flagged pages of a job as rows of DESIGN.md's export fields.
 * One row per page and category: several rules of one category agreeing on
 * a page are one finding for a reviewer, shown with the strongest evidence
 * of the page's latest flagged fetch (a page recrawled or rechecked has
 * several fetches), with where its review and takedown stand.
 * Rows are streamed with libpq's single-row mode.
 */
#include "store/export.h"
#include "store/dbpq.h"

#include <string.h>

const char *const export_fields[EXPORT_NFIELDS] = {
	"url",        "final_url",      "category",      "score",           "classifier",
	"rule",       "evidence",       "http_status",   "fetched_at",      "content_sha256",
	"review_status", "takedown_status", "job",       "page_id",         "hit_id",
	"takedown_ref", "removed_at",    "aliases",
};

int export_field_numeric(enum export_field f)
{
	return f == EXPORT_SCORE || f == EXPORT_HTTP_STATUS || f == EXPORT_PAGE_ID || f == EXPORT_HIT_ID;
}

static const char export_sql[] =
	"SELECT url, final_url, category, score, classifier, rule, evidence, http_status,"
	"  fetched_at, content_sha256, review_status, takedown_status, job, page_id, hit_id,"
	"  takedown_ref, removed_at, aliases"
	" FROM ("
	"  SELECT DISTINCT ON (h.host_id, h.url_id, h.category)"
	"    u.url, f.final_url, h.category, round(h.score::numeric, 4)::text AS score,"
	"    h.classifier, h.rule, h.evidence, f.http_status,"
	"    to_char(f.fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS fetched_at,"
	"    f.content_sha256, coalesce(r.status, 'new') AS review_status,"
	"    coalesce(t.status, 'none') AS takedown_status,"
	"    j.name AS job, u.id AS page_id, h.id AS hit_id, t.reference AS takedown_ref,"
	"    to_char(t.removed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS removed_at,"
	"    (SELECT string_agg(a.url, ' ' ORDER BY a.url) FROM urls a"
	"      WHERE a.host_id = h.host_id AND a.alias_of = h.url_id) AS aliases"
	"  FROM hits h"
	"  JOIN fetches f ON f.host_id = h.host_id AND f.id = h.fetch_id"
	"  JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id"
	"  JOIN jobs j ON j.id = h.job_id"
	"  LEFT JOIN reviews r ON r.host_id = h.host_id AND r.url_id = h.url_id"
	"  LEFT JOIN LATERAL (SELECT t.status, t.reference, t.removed_at FROM takedowns t"
	"    WHERE t.host_id = h.host_id AND t.url_id = h.url_id"
	"    ORDER BY t.category = h.category DESC, t.id DESC LIMIT 1) t ON true"
	"  WHERE ($1::text IS NULL OR j.name = $1)"
	"  AND h.fetch_id = (SELECT max(h2.fetch_id) FROM hits h2"
	"                    WHERE h2.host_id = h.host_id AND h2.url_id = h.url_id)"
	"  ORDER BY h.host_id, h.url_id, h.category, h.score DESC, h.id"
	" ) x ORDER BY job, url, category";

enum prc export_run(struct db *d, const char *job, export_row_fn fn, void *ud, struct err *e)
{
	PGconn *c = db_conn(d);
	const char *params[1] = { job };
	PGresult *r;
	enum prc rc = PRC_OK;
	int stop = 0;

	if (job) {
		/* an unknown job is an error, not an empty export */
		if (db_query(d, "SELECT 1 FROM jobs WHERE name = $1", 1, params, &r, e) != PRC_OK)
			return PRC_DB;
		if (PQntuples(r) == 0) {
			PQclear(r);
			return err_set(e, PRC_NOTFOUND, "no job named '%s'", job);
		}
		PQclear(r);
	}
	if (!PQsendQueryParams(c, export_sql, 1, NULL, params, NULL, NULL, 0) || !PQsetSingleRowMode(c))
		return err_set(e, PRC_DB, "cannot export: %s", PQerrorMessage(c));
	while ((r = PQgetResult(c))) {
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_SINGLE_TUPLE && !stop) {
			const char *v[EXPORT_NFIELDS];
			int i;

			for (i = 0; i < EXPORT_NFIELDS; i++)
				v[i] = PQgetisnull(r, 0, i) ? NULL : PQgetvalue(r, 0, i);
			stop = fn(v, ud);
		} else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && rc == PRC_OK) {
			rc = err_set(e, PRC_DB, "cannot export: %s", PQresultErrorMessage(r));
		}
		PQclear(r);
	}
	return rc;
}
