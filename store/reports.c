/*
 * reports.c - hotline intake in the database. A reported URL becomes a seed
 * of a crawl job (crawlstore_add_urls, so `patrol crawl --resume --job J`
 * fetches it like any seed) and its report, with the reporter's reference,
 * is kept in the reports table against that urls row, where `patrol review
 * show` finds it. The reports go in with one statement of arrays joined to
 * the job's urls by the URL key, in the same transaction as the seeds.
 */
#include "store/reports.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/crawlstore.h"
#include "store/dbpq.h"
#include "util/buf.h"

/* The columns of a batch of reports: url, reported_at, source, reference, category, line. */
static enum prc report_cols(struct db_cols *c, const struct report_row *rows, size_t n)
{
	enum prc rc = db_cols_init(c, 6);
	char num[24];
	size_t i;

	for (i = 0; i < n && rc == PRC_OK; i++) {
		snprintf(num, sizeof(num), "%ld", rows[i].line);
		if ((rc = db_cols_add(c, 0, rows[i].url)) || (rc = db_cols_add(c, 1, rows[i].reported_at)) ||
		    (rc = db_cols_add(c, 2, rows[i].source)) || (rc = db_cols_add(c, 3, rows[i].reference)) ||
		    (rc = db_cols_add(c, 4, rows[i].category)) || (rc = db_cols_add(c, 5, num)))
			break;
	}
	return rc == PRC_OK ? db_cols_close(c) : rc;
}

enum prc reports_add(struct db *d, const char *job, const struct report_row *rows, size_t n,
		     const char *actor, const char *file, size_t *urls_added, size_t *reports_added,
		     struct err *e)
{
	struct db_cols a;
	struct store_link *links = NULL;
	char jid[24];
	const char *p[9];
	PGresult *r = NULL;
	int64_t job_id = 0;
	int created = 0;
	size_t i, added = 0;
	enum prc rc;

	if (urls_added)
		*urls_added = 0;
	if (reports_added)
		*reports_added = 0;
	memset(&a, 0, sizeof(a));
	rc = db_begin(d, e);
	if (rc != PRC_OK)
		return rc;
	rc = crawlstore_job(d, job, "{\"scope\": \"host\", \"source\": \"import\"}", 1, &job_id, &created, e);
	if (rc != PRC_OK || n == 0)
		goto out;
	links = calloc(n, sizeof(*links));
	if (!links) {
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		links[i].url = rows[i].url;
		links[i].origin = rows[i].origin;
	}
	rc = crawlstore_add_urls(d, job_id, links, n, 1, &added, e);
	if (rc != PRC_OK)
		goto out;
	if (urls_added)
		*urls_added = added;
	rc = report_cols(&a, rows, n);
	if (rc != PRC_OK) {
		err_set(e, rc, "cannot build a batch of %zu reports", n);
		goto out;
	}
	p[0] = DB_I64(jid, job_id);
	for (i = 0; i < 6; i++)
		p[i + 1] = db_cols_str(&a, (int)i);
	p[7] = actor;
	p[8] = file;
	rc = db_query(d,
		      "INSERT INTO reports (host_id, url_id, job_id, reported_at, source, reference, category,"
		      "  imported_by, file, line)"
		      " SELECT u.host_id, u.id, $1::bigint, x.at, x.source, x.ref, x.cat, $8, $9, x.line"
		      " FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::int[])"
		      "   AS x(url, at, source, ref, cat, line)"
		      " JOIN urls u ON u.job_id = $1::bigint AND u.url_key = decode(md5(x.url), 'hex')"
		      "   AND u.url = x.url"
		      " ON CONFLICT (host_id, url_id, coalesce(source, ''), coalesce(reference, '')) DO NOTHING",
		      9, p, &r, e);
	if (rc == PRC_OK && reports_added)
		*reports_added = (size_t)strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
out:
	if (rc == PRC_OK)
		rc = db_commit(d, e);
	if (rc != PRC_OK)
		db_rollback(d);
	db_cols_release(&a);
	free(links);
	return rc;
}
