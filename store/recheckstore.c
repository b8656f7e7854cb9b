/*
 * recheckstore.c - what `patrol recheck` reads and writes. A recheck is
 * stored three ways at once: as a fetch of the page (with the classifier's
 * hits, so the page's latest fetch is what the site serves now and the
 * review triggers see changed content), as a rechecks row (the outcome and
 * its reason, append-only), and as transitions of the page's takedown
 * requests. All three go in one transaction, so removed_at of a request is
 * exactly the checked_at of the recheck that saw the page gone.
 */
#include "store/recheckstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/txn.h"
#include "store/dbpq.h"
#include "util/buf.h"


void recheckstore_target_release(struct recheck_target *t)
{
	if (!t)
		return;
	free(t->url);
	free(t->origin);
	free(t->categories);
	memset(t, 0, sizeof(*t));
}

enum prc recheckstore_targets(struct db *d, const char *job, int all, const int64_t *ids, size_t nids,
			      long watch_days, struct recheck_target **out, size_t *n, struct err *e)
{
	char wd[24], num[24];
	const char *p[4];
	struct buf idarr;
	struct recheck_target *t = NULL;
	PGresult *r = NULL;
	enum prc rc;
	size_t i;
	int rows, k;

	*out = NULL;
	*n = 0;
	buf_init(&idarr, (size_t)1 << 26);
	buf_addch(&idarr, '{');
	for (i = 0; i < nids; i++)
		db_array_add(&idarr, DB_I64(num, ids[i]));
	buf_addch(&idarr, '}');
	if (!idarr.ptr)
		return err_set(e, PRC_NOMEM, "out of memory");
	p[0] = job;
	p[1] = all ? "t" : "f";
	p[2] = nids ? buf_str(&idarr) : NULL;
	p[3] = DB_I64(wd, watch_days);
	rc = db_query(d,
		      "SELECT u.host_id, u.id, u.job_id, u.url, ho.origin,"
		      "  coalesce((SELECT string_agg(DISTINCT t.category, ',') FROM takedowns t"
		      "            WHERE t.host_id = u.host_id AND t.url_id = u.id"
		      "            AND t.status IN ('sent', 'acknowledged', 'reopened', 'removed')),"
		      "           (SELECT string_agg(DISTINCT h.category, ',') FROM hits h"
		      "            WHERE h.host_id = u.host_id AND h.url_id = u.id"
		      "            AND h.fetch_id = (SELECT min(h2.fetch_id) FROM hits h2"
		      "                              WHERE h2.host_id = u.host_id AND h2.url_id = u.id)),"
		      "           '')"
		      " FROM urls u JOIN hosts ho ON ho.id = u.host_id JOIN jobs j ON j.id = u.job_id"
		      " WHERE ($1::text IS NULL OR j.name = $1)"
		      " AND CASE WHEN $3::bigint[] IS NOT NULL THEN u.id = ANY ($3::bigint[])"
		      "   ELSE EXISTS (SELECT 1 FROM takedowns t WHERE t.host_id = u.host_id AND t.url_id = u.id"
		      "          AND (t.status IN ('sent', 'acknowledged', 'reopened')"
		      "               OR (t.status = 'removed'"
		      "                   AND t.removed_at > now() - make_interval(days => $4::int))))"
		      "     OR ($2::boolean AND EXISTS (SELECT 1 FROM reviews r WHERE r.host_id = u.host_id"
		      "          AND r.url_id = u.id AND r.status = 'confirmed'))"
		      "   END"
		      " ORDER BY ho.origin, u.id",
		      4, p, &r, e);
	buf_release(&idarr);
	if (rc != PRC_OK)
		return rc;
	rows = PQntuples(r);
	if (rows) {
		t = calloc((size_t)rows, sizeof(*t));
		if (!t) {
			PQclear(r);
			return err_set(e, PRC_NOMEM, "out of memory");
		}
	}
	for (k = 0; k < rows; k++) {
		t[k].host_id = strtoll(PQgetvalue(r, k, 0), NULL, 10);
		t[k].url_id = strtoll(PQgetvalue(r, k, 1), NULL, 10);
		t[k].job_id = strtoll(PQgetvalue(r, k, 2), NULL, 10);
		t[k].url = strdup(PQgetvalue(r, k, 3));
		t[k].origin = strdup(PQgetvalue(r, k, 4));
		t[k].categories = strdup(PQgetvalue(r, k, 5));
		if (!t[k].url || !t[k].origin || !t[k].categories) {
			for (; k >= 0; k--)
				recheckstore_target_release(&t[k]);
			free(t);
			PQclear(r);
			return err_set(e, PRC_NOMEM, "out of memory");
		}
	}
	PQclear(r);
	*out = t;
	*n = (size_t)rows;
	return PRC_OK;
}

enum prc recheckstore_dns_run(struct db *d, const struct recheck_target *t, long *count, char *first,
			      double *age_s, struct err *e)
{
	char hid[24], uid[24];
	const char *p[2] = { DB_I64(hid, t->host_id), DB_I64(uid, t->url_id) };
	PGresult *r;
	enum prc rc;

	*count = 0;
	*age_s = 0;
	first[0] = '\0';
	rc = db_query(d,
		      "WITH last_other AS ("
		      "  SELECT coalesce(max(id), 0) AS id FROM rechecks"
		      "  WHERE host_id = $1 AND url_id = $2 AND reason <> 'dns')"
		      " SELECT count(*), min(checked_at)::text,"
		      "   coalesce(extract(epoch FROM now() - min(checked_at))::float8, 0)"
		      " FROM rechecks WHERE host_id = $1 AND url_id = $2 AND reason = 'dns'"
		      " AND id > (SELECT id FROM last_other)",
		      2, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	*count = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	if (!PQgetisnull(r, 0, 1))
		snprintf(first, 64, "%s", PQgetvalue(r, 0, 1));
	*age_s = strtod(PQgetvalue(r, 0, 2), NULL);
	PQclear(r);
	return PRC_OK;
}

struct recording {
	const struct recheck_target *t;
	const struct recheck_obs *o;
	struct recheck_effect fx;
};

static enum prc record_txn(struct db *d, void *ud, struct err *e)
{
	struct recording *rg = ud;
	const struct recheck_target *t = rg->t;
	const struct recheck_obs *o = rg->o;
	char hid[24], uid[24], jid[24], st[24], fid[24];
	struct store_record rec;
	int64_t fetch_id = 0;
	const char *p[16];
	PGresult *r = NULL;
	enum prc rc;
	int k;

	memset(&rg->fx, 0, sizeof(rg->fx));
	memset(&rec, 0, sizeof(rec));
	rec.host_id = t->host_id;
	rec.url_id = t->url_id;
	rec.fetched_at = o->fetched_at;
	rec.http_status = o->http_status;
	rec.final_url = o->final_url ? o->final_url : t->url;
	rec.content_type = o->content_type;
	rec.size = o->size;
	rec.sha256 = o->sha256;
	rec.server_ip = o->server_ip;
	rec.charset = o->charset;
	rec.title = o->title;
	rec.duration_ms = o->duration_ms;
	rec.error = o->error;
	rec.hits = o->hits;
	rec.nhits = o->nhits;
	rc = crawlstore_insert_fetch(d, t->job_id, "recheck", &rec, &fetch_id, e);
	if (rc != PRC_OK)
		return rc;
	p[0] = DB_I64(hid, t->host_id);
	p[1] = DB_I64(uid, t->url_id);
	p[2] = DB_I64(fid, fetch_id);
	DB_I64(jid, t->job_id);
	DB_I64(st, o->http_status);
	p[3] = jid;
	p[4] = o->outcome;
	p[5] = o->reason;
	p[6] = st;
	p[7] = o->final_url;
	p[8] = o->sha256;
	p[9] = o->categories ? o->categories : "";
	p[10] = o->error;
	rc = db_query(d,
		      "INSERT INTO rechecks (host_id, url_id, job_id, fetch_id, outcome, reason, http_status,"
		      " final_url, content_sha256, categories, error, actor)"
		      " VALUES ($1, $2, $4, $3, $5, $6, $7, $8, $9,"
		      "  coalesce(string_to_array(nullif($10, ''), ','), '{}'), $11, patrol_actor())"
		      " RETURNING id",
		      11, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	rg->fx.recheck_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	r = NULL;
	if (!strcmp(o->outcome, "error"))
		return PRC_OK;
	/* lock the page's requests, then move them */
	rc = db_query(d,
		      "SELECT id, status FROM patrol_takedown_lock_page($1, $2)",
		      2, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	for (k = 0; k < PQntuples(r) && rc == PRC_OK; k++) {
		const char *status = PQgetvalue(r, k, 1);
		const char *q[3] = { hid, PQgetvalue(r, k, 0), o->removed_at };
		PGresult *u = NULL;

		if (!strcmp(o->outcome, "gone") && strcmp(status, "removed")) {
			/* through the owner's function: schema/009_roles.sql */
			rc = db_query(d,
				      "SELECT patrol_takedown_change($1, $2, 'removed', NULL, NULL,"
				      "  greatest(coalesce($3::timestamptz, now()), t.opened_at))"
				      " FROM takedowns t WHERE t.host_id = $1 AND t.id = $2",
				      3, q, &u, e);
			rg->fx.removed++;
		} else if (!strcmp(o->outcome, "present") && !strcmp(status, "removed")) {
			rc = db_query(d, "SELECT patrol_takedown_change($1, $2, 'reopened', NULL, NULL, NULL)",
				      2, q, &u, e);
			rg->fx.reopened++;
		}
		PQclear(u);
	}
	PQclear(r);
	return rc == PRC_DB ? txn_refusal(d, e) : rc;
}

enum prc recheckstore_record(struct db *d, const struct recheck_target *t, const struct recheck_obs *o,
			     const char *actor, struct recheck_effect *fx, struct err *e)
{
	struct recording rg;
	char comment[256];
	enum prc rc;

	memset(&rg, 0, sizeof(rg));
	rg.t = t;
	rg.o = o;
	snprintf(comment, sizeof(comment), "recheck: %s (%s)", o->outcome, o->reason);
	rc = txn_run(d, actor, comment, record_txn, &rg, e);
	if (fx)
		*fx = rg.fx;
	return rc;
}
