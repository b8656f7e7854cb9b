/*
 * crawlstore.c - jobs, the shared frontier and crawl results in PostgreSQL.
 *
 * DESIGN
 *
 * Hosts are the unit of work. A crawl process leases hosts with
 * UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED), so processes
 * never wait on each other and never share a host: per-host politeness is
 * enforced by the one process that holds the lease, whichever machine it is
 * on. It then claims batches of the host's URLs (state 0 → 1, claimed_by).
 * Results come back in batches; each record flips its URL from "claimed by
 * me" to fetched or refused, and only if that update finds the claim does the
 * fetch and its hits go in, all in one transaction. A process that loses a
 * lease (it stalled past the expiry and another took the host over) thus
 * cannot store a page twice, and a process killed mid-batch loses nothing
 * that was committed and leaves only claims, which the next lease of the host
 * puts back in the queue.
 *
 * New URLs are inserted with ON CONFLICT DO NOTHING against (host_id,
 * url_key), url_key being the MD5 of the canonical URL: the unique key is
 * fixed-size whatever the URL's length. Hosts are inserted first, in a
 * statement of their own, so that the URL insert (a new snapshot) sees
 * hosts another process created concurrently.
 */
#include "store/crawlstore.h"
#include "store/dbpq.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"


enum prc crawlstore_job(struct db *d, const char *name, const char *config_json, int create,
			int64_t *job_id, int *created, struct err *e)
{
	const char *p[2] = { name, config_json ? config_json : "{}" };
	PGresult *r = NULL;
	enum prc rc;

	*created = 0;
	if (create) {
		rc = db_query(d,
			      "INSERT INTO jobs (name, config) VALUES ($1, $2::jsonb)"
			      " ON CONFLICT (name) DO NOTHING RETURNING id",
			      2, p, &r, e);
		if (rc != PRC_OK)
			return rc;
		if (PQntuples(r) == 1) {
			*job_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			*created = 1;
			PQclear(r);
			return PRC_OK;
		}
		PQclear(r);
	}
	rc = db_query(d, "SELECT id FROM jobs WHERE name = $1", 1, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return err_set(e, PRC_NOTFOUND, "no job named '%s'", name);
	}
	*job_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return PRC_OK;
}

enum prc crawlstore_job_setting(struct db *d, int64_t job_id, const char *key, char **value,
				struct err *e)
{
	char jid[24];
	const char *p[2];
	PGresult *r = NULL;
	enum prc rc;

	*value = NULL;
	p[0] = DB_I64(jid, job_id);
	p[1] = key;
	rc = db_query(d, "SELECT config ->> $2 FROM jobs WHERE id = $1", 2, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
		*value = strdup(PQgetvalue(r, 0, 0));
		if (!*value)
			rc = err_set(e, PRC_NOMEM, "out of memory");
	}
	PQclear(r);
	return rc;
}

/* The columns of a batch of links: url, origin, depth, hops, parent, reason. */
static enum prc link_cols(struct db_cols *c, const struct store_link *links, size_t n)
{
	enum prc rc = db_cols_init(c, 6);
	size_t i;

	for (i = 0; i < n && rc == PRC_OK; i++) {
		char dep[24], hop[24], par[24];
		const char *v[6] = { links[i].url, links[i].origin, DB_I64(dep, links[i].depth),
				     DB_I64(hop, links[i].hops),
				     links[i].parent_id ? DB_I64(par, links[i].parent_id) : NULL,
				     links[i].reason };

		rc = db_cols_row(c, v);
	}
	return rc == PRC_OK ? db_cols_close(c) : rc;
}

/* db_query of a statement given in two parts. */
static enum prc db_query_concat(struct db *d, const char *a, const char *b, int n, const char *const *p,
				PGresult **r, struct err *e)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "%s%s", a, b);
	return db_query(d, sql, n, p, r, e);
}

static enum prc add_urls_stmt(struct db *d, int64_t job_id, const struct store_link *links,
			      size_t n, int seed, size_t *added, struct err *e)
{
	struct db_cols a;
	char id[24];
	const char *p[7];
	PGresult *r = NULL;
	enum prc rc;
	int i;

	if (added)
		*added = 0;
	if (n == 0)
		return PRC_OK;
	rc = link_cols(&a, links, n);
	if (rc != PRC_OK) {
		err_set(e, rc, "cannot build a batch of %zu links", n);
		goto out;
	}
	p[0] = DB_I64(id, job_id);
	p[1] = db_cols_str(&a, 1);
	p[2] = seed ? "t" : "f";
	rc = db_query_concat(d,
		      "INSERT INTO hosts (job_id, origin, seed)"
		      " SELECT DISTINCT $1::bigint, o, $3::boolean FROM unnest($2::text[]) AS o"
		      " ORDER BY 2",
		      /*
		       * DO UPDATE locks the existing row even when its WHERE fails, so
		       * only seeds take it: links found while crawling must not lock
		       * host rows that leases and claims lock too.
		       */
		      seed ? " ON CONFLICT (job_id, origin) DO UPDATE SET seed = true WHERE NOT hosts.seed"
			   : " ON CONFLICT (job_id, origin) DO NOTHING",
		      3, p, &r, e);
	PQclear(r);
	r = NULL;
	if (rc != PRC_OK)
		goto out;
	for (i = 0; i < 6; i++)
		p[i + 1] = db_cols_str(&a, i);
	rc = db_query(d,
		      "INSERT INTO urls (job_id, host_id, url, url_key, depth, hops, parent_url_id, state,"
		      "   reason)"
		      " SELECT $1::bigint, h.id, l.url, decode(md5(l.url), 'hex'), l.depth, l.hops, l.parent,"
		      "   CASE WHEN l.reason IS NULL THEN 0 ELSE 3 END, l.reason"
		      " FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[], $7::text[])"
		      "   AS l(url, origin, depth, hops, parent, reason)"
		      " JOIN hosts h ON h.job_id = $1::bigint AND h.origin = l.origin"
		      /* one order for every process, so concurrent inserts of the same keys cannot deadlock */
		      " ORDER BY 2, 4"
		      " ON CONFLICT (host_id, url_key) DO NOTHING",
		      7, p, &r, e);
	if (rc == PRC_OK && added)
		*added = (size_t)strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
out:
	db_cols_release(&a);
	return rc;
}

enum prc crawlstore_add_urls(struct db *d, int64_t job_id, const struct store_link *links, size_t n,
			     int seed, size_t *added, struct err *e)
{
	return add_urls_stmt(d, job_id, links, n, seed, added, e);
}

enum prc crawlstore_seed_origins(struct db *d, int64_t job_id, char ***out, size_t *n,
				 struct err *e)
{
	char id[24];
	const char *p[1] = { DB_I64(id, job_id) };
	PGresult *r;
	enum prc rc;
	char **v;
	int i, rows;

	*out = NULL;
	*n = 0;
	rc = db_query(d, "SELECT origin FROM hosts WHERE job_id = $1 AND seed ORDER BY id", 1, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	rows = PQntuples(r);
	v = calloc((size_t)rows + 1, sizeof(char *));
	if (!v) {
		PQclear(r);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	for (i = 0; i < rows; i++) {
		v[i] = strdup(PQgetvalue(r, i, 0));
		if (!v[i]) {
			while (i--)
				free(v[i]);
			free(v);
			PQclear(r);
			return err_set(e, PRC_NOMEM, "out of memory");
		}
	}
	PQclear(r);
	*out = v;
	*n = (size_t)rows;
	return PRC_OK;
}

void crawlstore_host_release(struct store_host *h)
{
	if (!h)
		return;
	free(h->origin);
	free(h->robots_body);
	h->origin = NULL;
	h->robots_body = NULL;
}

enum prc crawlstore_reap_local(struct db *d, int64_t job_id, const char *hostname, size_t *reaped,
			       struct err *e)
{
	char id[24];
	const char *p[2] = { DB_I64(id, job_id), NULL };
	PGresult *r = NULL, *u;
	size_t hl = strlen(hostname);
	enum prc rc;
	int i;

	*reaped = 0;
	rc = db_query(d,
		      "SELECT DISTINCT lease_owner FROM hosts WHERE job_id = $1"
		      " AND lease_owner IS NOT NULL AND lease_until > now()"
		      " UNION SELECT DISTINCT claimed_by FROM urls WHERE job_id = $1 AND state = 1",
		      1, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	for (i = 0; i < PQntuples(r); i++) {
		const char *owner = PQgetvalue(r, i, 0);
		char *end;
		long pid;

		if (strncmp(owner, hostname, hl) != 0 || owner[hl] != ':')
			continue;
		pid = strtol(owner + hl + 1, &end, 10);
		if (*end != ':' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		p[1] = owner;
		rc = db_query(d,
			      "UPDATE hosts SET lease_until = now() - interval '1 second'"
			      " WHERE job_id = $1 AND lease_owner = $2",
			      2, p, &u, e);
		PQclear(u);
		if (rc != PRC_OK)
			break;
		(*reaped)++;
	}
	PQclear(r);
	return rc;
}

enum prc crawlstore_lease(struct db *d, int64_t job_id, const char *owner, size_t max, int lease_s,
			  int robots_ttl_s, struct store_host **out, size_t *n, struct err *e)
{
	char id[24], mx[24], ls[24], ttl[24];
	const char *p[5] = { DB_I64(id, job_id), owner, DB_I64(mx, max), DB_I64(ls, lease_s), DB_I64(ttl, robots_ttl_s) };
	struct store_host *hosts = NULL;
	PGresult *r = NULL, *u = NULL;
	enum prc rc;
	int i, rows;

	*out = NULL;
	*n = 0;
	rc = db_begin(d, e);
	if (rc != PRC_OK)
		return rc;
	rc = db_query(d,
		      "UPDATE hosts h SET lease_owner = $2,"
		      "   lease_until = now() + make_interval(secs => $4::int)"
		      " WHERE h.id IN ("
		      "   SELECT id FROM hosts c WHERE c.job_id = $1"
		      "     AND (c.lease_until IS NULL OR c.lease_until < now())"
		      "     AND c.parked_at IS NULL"
		      "     AND (c.next_fetch_at IS NULL OR c.next_fetch_at <= now() + interval '1 second')"
		      "     AND EXISTS (SELECT 1 FROM urls u WHERE u.host_id = c.id AND u.state IN (0, 1))"
		      "   ORDER BY c.next_fetch_at NULLS FIRST, c.id"
		      "   LIMIT $3 FOR UPDATE SKIP LOCKED)"
		      " RETURNING h.id, h.origin,"
		      "   CASE WHEN h.robots_fetched_at > now() - make_interval(secs => $5::int)"
		      "        THEN h.robots_status ELSE -1 END,"
		      "   CASE WHEN h.robots_fetched_at > now() - make_interval(secs => $5::int)"
		      "        THEN h.robots_body END,"
		      "   COALESCE((extract(epoch FROM h.next_fetch_at) * 1000)::bigint, 0)",
		      5, p, &r, e);
	if (rc != PRC_OK)
		goto out;
	rows = PQntuples(r);
	if (rows == 0) {
		rc = db_commit(d, e);
		goto out;
	}
	hosts = calloc((size_t)rows, sizeof(*hosts));
	if (!hosts) {
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rows; i++) {
		char hid[24];
		const char *q[1] = { hid };

		hosts[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		hosts[i].origin = strdup(PQgetvalue(r, i, 1));
		hosts[i].robots_status = atoi(PQgetvalue(r, i, 2));
		hosts[i].robots_body = PQgetisnull(r, i, 3) ? NULL : strdup(PQgetvalue(r, i, 3));
		hosts[i].next_fetch_ms = strtoll(PQgetvalue(r, i, 4), NULL, 10);
		if (!hosts[i].origin) {
			rc = err_set(e, PRC_NOMEM, "out of memory");
			goto out;
		}
		/* whatever an earlier owner left claimed here goes back to the queue */
		DB_I64(hid, hosts[i].id);
		rc = db_query(d,
			      "UPDATE urls SET state = 0, claimed_by = NULL"
			      " WHERE host_id = $1 AND state = 1",
			      1, q, &u, e);
		PQclear(u);
		if (rc != PRC_OK)
			goto out;
	}
	rc = db_commit(d, e);
	if (rc != PRC_OK)
		goto out;
	*out = hosts;
	*n = (size_t)rows;
	hosts = NULL;
out:
	if (rc != PRC_OK)
		db_rollback(d);
	if (hosts) {
		for (i = 0; i < rows; i++)
			crawlstore_host_release(&hosts[i]);
		free(hosts);
	}
	PQclear(r);
	return rc;
}

enum prc crawlstore_renew(struct db *d, int64_t job_id, const char *owner, int lease_s,
			  const int64_t *held, size_t nheld, int64_t **lost, size_t *nlost,
			  struct err *e)
{
	char id[24], ls[24];
	const char *p[3] = { DB_I64(id, job_id), owner, DB_I64(ls, lease_s) };
	PGresult *r;
	enum prc rc;
	size_t i, k = 0;
	int j, rows;

	*lost = NULL;
	*nlost = 0;
	rc = db_query(d,
		      "UPDATE hosts SET lease_until = now() + make_interval(secs => $3::int)"
		      " WHERE job_id = $1 AND lease_owner = $2 RETURNING id",
		      3, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	rows = PQntuples(r);
	if (nheld) {
		*lost = calloc(nheld, sizeof(int64_t));
		if (!*lost) {
			PQclear(r);
			return err_set(e, PRC_NOMEM, "out of memory");
		}
	}
	for (i = 0; i < nheld; i++) {
		int found = 0;

		for (j = 0; j < rows && !found; j++)
			found = strtoll(PQgetvalue(r, j, 0), NULL, 10) == held[i];
		if (!found)
			(*lost)[k++] = held[i];
	}
	*nlost = k;
	PQclear(r);
	return PRC_OK;
}

void crawlstore_url_release(struct store_url *u)
{
	if (!u)
		return;
	free(u->url);
	free(u->etag);
	free(u->last_modified);
	u->url = u->etag = u->last_modified = NULL;
}

enum prc crawlstore_claim(struct db *d, int64_t host_id, const char *owner, size_t max,
			  long budget, struct store_url **out, size_t *n, int64_t *budget_refused,
			  struct err *e)
{
	char hid[24], mx[24], bd[24];
	const char *p[4] = { DB_I64(hid, host_id), owner, DB_I64(mx, max), DB_I64(bd, budget > 0 ? budget : 0) };
	struct store_url *urls;
	PGresult *r, *u;
	enum prc rc;
	int i, rows;

	*out = NULL;
	*n = 0;
	if (budget_refused)
		*budget_refused = 0;
	rc = db_begin(d, e);
	if (rc != PRC_OK)
		return rc;
	/*
	 * The host row is locked (we lease it anyway) so the budget count and
	 * the claim agree; LEAST() keeps the claim inside what the budget leaves.
	 * The URLs are asked for by host_id itself, with the lease as a test
	 * made once: joined to the host row instead, the planner sorted every
	 * queued URL of the host at each claim rather than read the first few
	 * from urls_queued, which keeps them in (depth, id) order.
	 */
	rc = db_query(d,
		      "WITH h AS (SELECT id, claimed_total FROM hosts WHERE id = $1 AND lease_owner = $2"
		      "   FOR UPDATE),"
		      " c AS (SELECT u.id FROM urls u WHERE u.host_id = $1 AND u.state = 0"
		      "   AND EXISTS (SELECT 1 FROM h)"
		      "   ORDER BY u.depth, u.id"
		      "   LIMIT CASE WHEN $4::int > 0 THEN LEAST($3::int, GREATEST($4::int - (SELECT claimed_total FROM h), 0))"
		      "         ELSE $3::int END"
		      "   FOR UPDATE OF u SKIP LOCKED)"
		      " UPDATE urls x SET state = 1, claimed_by = $2 FROM c WHERE x.host_id = $1 AND x.id = c.id"
		      " RETURNING x.id, x.url, x.depth, x.hops, x.attempts,"
		      "   (SELECT f.etag FROM fetches f WHERE f.host_id = x.host_id AND f.url_id = x.id"
		      "     ORDER BY f.fetched_at DESC LIMIT 1),"
		      "   (SELECT f.last_modified FROM fetches f WHERE f.host_id = x.host_id AND f.url_id = x.id"
		      "     ORDER BY f.fetched_at DESC LIMIT 1)",
		      4, p, &r, e);
	if (rc != PRC_OK)
		goto fail;
	rows = PQntuples(r);
	if (rows > 0) {
		char cnt[24];
		const char *q[2] = { hid, cnt };
		int fresh = 0;

		/* new claims only: a URL back for a retry was counted at its first claim */
		for (i = 0; i < rows; i++)
			fresh += atoi(PQgetvalue(r, i, 4)) == 0;
		DB_I64(cnt, fresh);
		rc = db_query(d, "UPDATE hosts SET claimed_total = claimed_total + $2::int WHERE id = $1", 2, q,
			      &u, e);
		PQclear(u);
		if (rc != PRC_OK) {
			PQclear(r);
			goto fail;
		}
	} else if (budget > 0) {
		/* nothing claimable: if the budget is spent, what is left is refused */
		rc = db_query(d,
			      "UPDATE urls SET state = 3, reason = 'host-budget'"
			      " WHERE host_id = $1 AND state = 0"
			      " AND (SELECT claimed_total FROM hosts WHERE id = $1) >= $4::int"
			      " AND EXISTS (SELECT 1 FROM hosts WHERE id = $1 AND lease_owner = $2)"
			      " AND $3::int > 0",
			      4, p, &u, e);
		if (rc == PRC_OK && budget_refused)
			*budget_refused = strtoll(PQcmdTuples(u), NULL, 10);
		PQclear(u);
		if (rc != PRC_OK) {
			PQclear(r);
			goto fail;
		}
	}
	rc = db_commit(d, e);
	if (rc != PRC_OK) {
		PQclear(r);
		goto fail;
	}
	if (rows <= 0) {
		PQclear(r);
		return PRC_OK;
	}
	urls = calloc((size_t)rows, sizeof(*urls));
	if (!urls) {
		PQclear(r);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	for (i = 0; i < rows; i++) {
		urls[i].id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		urls[i].url = strdup(PQgetvalue(r, i, 1));
		urls[i].depth = atoi(PQgetvalue(r, i, 2));
		urls[i].hops = atoi(PQgetvalue(r, i, 3));
		urls[i].attempts = atoi(PQgetvalue(r, i, 4));
		if (!PQgetisnull(r, i, 5))
			urls[i].etag = strdup(PQgetvalue(r, i, 5));
		if (!PQgetisnull(r, i, 6))
			urls[i].last_modified = strdup(PQgetvalue(r, i, 6));
		if (!urls[i].url) {
			while (i >= 0)
				crawlstore_url_release(&urls[i--]);
			free(urls);
			PQclear(r);
			return err_set(e, PRC_NOMEM, "out of memory");
		}
	}
	/* RETURNING order is not the subquery's: keep the crawl breadth-first */
	for (i = 1; i < rows; i++) {
		struct store_url t = urls[i];
		int j = i - 1;

		while (j >= 0 && (urls[j].depth > t.depth || (urls[j].depth == t.depth && urls[j].id > t.id))) {
			urls[j + 1] = urls[j];
			j--;
		}
		urls[j + 1] = t;
	}
	PQclear(r);
	*out = urls;
	*n = (size_t)rows;
	return PRC_OK;
fail:
	db_rollback(d);
	return rc;
}

enum prc crawlstore_park(struct db *d, int64_t host_id, const char *owner, const char *reason,
			 struct err *e)
{
	char hid[24];
	const char *p[3] = { DB_I64(hid, host_id), owner, reason };
	PGresult *r;
	enum prc rc;

	rc = db_query(d,
		      "WITH u AS (UPDATE urls SET state = 3, reason = 'host-parked', claimed_by = NULL"
		      "   WHERE host_id = $1 AND (state = 0 OR (state = 1 AND claimed_by = $2)))"
		      " UPDATE hosts SET parked_at = now(), parked_reason = $3,"
		      "   lease_owner = NULL, lease_until = NULL"
		      " WHERE id = $1 AND lease_owner = $2",
		      3, p, &r, e);
	PQclear(r);
	return rc;
}

enum prc crawlstore_requeue_older(struct db *d, int64_t job_id, long age_s, int64_t *n,
				  struct err *e)
{
	char id[24], age[24];
	const char *p[2] = { DB_I64(id, job_id), DB_I64(age, age_s) };
	PGresult *r;
	enum prc rc;

	rc = db_query(d,
		      "UPDATE urls u SET state = 0, attempts = 0 WHERE u.job_id = $1 AND u.state = 2"
		      " AND (SELECT max(f.fetched_at) FROM fetches f WHERE f.host_id = u.host_id"
		      "      AND f.url_id = u.id) < now() - make_interval(secs => $2::bigint)",
		      2, p, &r, e);
	if (rc == PRC_OK && n)
		*n = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}

enum prc crawlstore_release(struct db *d, int64_t host_id, const char *owner,
			    int64_t next_fetch_ms, struct err *e)
{
	char hid[24], nf[24];
	const char *p[3] = { DB_I64(hid, host_id), owner, DB_I64(nf, next_fetch_ms) };
	PGresult *r;
	enum prc rc;

	rc = db_query(d,
		      "WITH u AS (UPDATE urls SET state = 0, claimed_by = NULL"
		      "   WHERE host_id = $1 AND state = 1 AND claimed_by = $2)"
		      " UPDATE hosts SET lease_owner = NULL, lease_until = NULL,"
		      "   next_fetch_at = to_timestamp($3::bigint / 1000.0)"
		      " WHERE id = $1 AND lease_owner = $2",
		      3, p, &r, e);
	PQclear(r);
	return rc;
}

enum prc crawlstore_release_all(struct db *d, int64_t job_id, const char *owner, struct err *e)
{
	char id[24];
	const char *p[2] = { DB_I64(id, job_id), owner };
	PGresult *r;
	enum prc rc;

	rc = db_query(d,
		      "WITH u AS (UPDATE urls SET state = 0, claimed_by = NULL"
		      "   WHERE job_id = $1 AND state = 1 AND claimed_by = $2)"
		      " UPDATE hosts SET lease_owner = NULL, lease_until = NULL"
		      " WHERE job_id = $1 AND lease_owner = $2",
		      2, p, &r, e);
	PQclear(r);
	return rc;
}

enum prc crawlstore_save_robots(struct db *d, int64_t host_id, int status, const char *body,
				struct err *e)
{
	char hid[24], st[24];
	const char *p[3] = { DB_I64(hid, host_id), DB_I64(st, status), body };
	PGresult *r;
	enum prc rc;

	rc = db_query(d,
		      "UPDATE hosts SET robots_status = $2, robots_body = $3, robots_fetched_at = now()"
		      " WHERE id = $1",
		      3, p, &r, e);
	PQclear(r);
	return rc;
}

enum prc crawlstore_pending(struct db *d, int64_t job_id, int64_t *queued, int64_t *claimed,
			    struct err *e)
{
	char id[24];
	const char *p[1] = { DB_I64(id, job_id) };
	PGresult *r;
	enum prc rc;

	rc = db_query(d,
		      "SELECT count(*) FILTER (WHERE state = 0), count(*) FILTER (WHERE state = 1)"
		      " FROM urls WHERE job_id = $1 AND state IN (0, 1)",
		      1, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	*queued = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	*claimed = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	return PRC_OK;
}

enum prc crawlstore_used(struct db *d, int64_t job_id, int64_t *used, struct err *e)
{
	char id[24];
	const char *p[1] = { DB_I64(id, job_id) };
	PGresult *r;
	enum prc rc;

	rc = db_query(d, "SELECT count(*) FROM urls WHERE job_id = $1 AND state IN (1, 2)", 1, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	*used = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return PRC_OK;
}

/* Inserts rec's hits and evidence row for its fetch fid (decimal text). */
static enum prc insert_hits(struct db *d, int64_t job_id, const struct store_record *rec, const char *fid,
			    struct err *e)
{
	char uid[24], hid[24], jid[24], sc[32], es[24], ee[24];
	const char *p[12];
	PGresult *r = NULL;
	enum prc rc;
	size_t i;

	p[0] = DB_I64(hid, rec->host_id);
	p[1] = fid;
	p[2] = DB_I64(uid, rec->url_id);
	p[3] = DB_I64(jid, job_id);
	for (i = 0; i < rec->nhits; i++) {
		const struct store_hit *h = &rec->hits[i];

		snprintf(sc, sizeof(sc), "%.4f", h->score < 0 ? 0 : h->score > 1 ? 1 : h->score);
		p[4] = h->category;
		p[5] = sc;
		p[6] = h->classifier ? h->classifier : "lua";
		p[7] = h->rule;
		p[8] = h->rule_file;
		p[9] = h->evidence ? h->evidence : "";
		p[10] = h->ev_start >= 0 ? DB_I64(es, h->ev_start) : NULL;
		p[11] = h->ev_end >= 0 ? DB_I64(ee, h->ev_end) : NULL;
		rc = db_query(d,
			      "INSERT INTO hits (host_id, fetch_id, url_id, job_id, category, score,"
			      " classifier, rule, rule_file, evidence, ev_start, ev_end)"
			      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
			      " ON CONFLICT (host_id, fetch_id, rule) DO NOTHING",
			      12, p, &r, e);
		PQclear(r);
		r = NULL;
		if (rc != PRC_OK)
			return rc;
	}
	if (rec->warc_file) {
		char off[24], len[24];

		p[2] = rec->warc_file;
		p[3] = DB_I64(off, rec->warc_offset);
		p[4] = DB_I64(len, rec->warc_length);
		p[5] = rec->warc_record_id;
		p[6] = rec->warc_digest;
		rc = db_query(d,
			      "INSERT INTO evidence (host_id, fetch_id, warc_file, warc_offset, warc_length,"
			      " warc_record_id, warc_digest) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			      7, p, &r, e);
		PQclear(r);
		if (rc != PRC_OK)
			return rc;
	}
	return PRC_OK;
}


/* A fetch row's columns, in the order of the statements below. */
#define FETCH_COLS 18

/* The numbers of a fetch row, written out. */
struct fetch_nums {
	char host[24], url[24], at[40], status[24], size[24], dur[24], links[24];
};

/*
 * The FETCH_COLS values of x's fetch row into v: host_id, url_id,
 * fetched_at, http_status, final_url, content_type, size, sha256,
 * server_ip, charset, title, duration_ms, error, links, etag,
 * last_modified, unchanged, failure. The numbers live in *nb.
 */
static void fetch_values(const struct store_record *x, struct fetch_nums *nb, const char **v)
{
	snprintf(nb->at, sizeof(nb->at), "%.6f", x->fetched_at);
	v[0] = DB_I64(nb->host, x->host_id);
	v[1] = DB_I64(nb->url, x->url_id);
	v[2] = nb->at;
	v[3] = DB_I64(nb->status, x->http_status);
	v[4] = x->final_url;
	v[5] = x->content_type;
	v[6] = DB_I64(nb->size, x->size);
	v[7] = x->sha256;
	v[8] = x->server_ip;
	v[9] = x->charset;
	v[10] = x->title;
	v[11] = DB_I64(nb->dur, x->duration_ms);
	v[12] = x->error;
	v[13] = DB_I64(nb->links, x->nlinks);
	v[14] = x->etag;
	v[15] = x->last_modified;
	v[16] = x->unchanged ? "t" : "f";
	v[17] = x->failure;
}

enum prc crawlstore_insert_fetch(struct db *d, int64_t job_id, const char *worker,
				 const struct store_record *rec, int64_t *fetch_id, struct err *e)
{
	struct fetch_nums nums = { 0 };
	char jid[24], fid[24];
	const char *p[FETCH_COLS + 2];
	PGresult *r = NULL;
	enum prc rc;

	fetch_values(rec, &nums, p);
	p[FETCH_COLS] = DB_I64(jid, job_id);
	p[FETCH_COLS + 1] = worker;
	rc = db_query(d,
		      "INSERT INTO fetches (host_id, url_id, job_id, fetched_at, http_status, final_url,"
		      " content_type, size, content_sha256, server_ip, charset, title, duration_ms, error,"
		      " worker, links, etag, last_modified, unchanged, failure)"
		      " VALUES ($1, $2, $19, to_timestamp($3::double precision), $4, $5, $6, $7, $8, $9,"
		      " $10, $11, $12, $13, $20, $14, $15, $16, $17, $18) RETURNING id",
		      FETCH_COLS + 2, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	snprintf(fid, sizeof(fid), "%s", PQgetvalue(r, 0, 0));
	if (fetch_id)
		*fetch_id = strtoll(fid, NULL, 10);
	PQclear(r);
	r = NULL;

	return insert_hits(d, job_id, rec, fid, e);
}

/*
 * Calls set(x, r, k) for each row k of r whose host_id and url_id (columns
 * 0 and 1) are those of a record x of recs, then clears r. A batch holds a
 * URL once.
 */
static void returned_recs(PGresult *r, struct store_record *recs, size_t n,
			  void (*set)(struct store_record *x, const PGresult *r, int k))
{
	size_t i;
	int k;

	for (k = 0; k < PQntuples(r); k++) {
		int64_t h = strtoll(PQgetvalue(r, k, 0), NULL, 10), u = strtoll(PQgetvalue(r, k, 1), NULL, 10);

		for (i = 0; i < n; i++)
			if (recs[i].host_id == h && recs[i].url_id == u)
				break;
		if (i < n)
			set(&recs[i], r, k);
	}
	PQclear(r);
}

static void set_stored(struct store_record *x, const PGresult *r, int k)
{
	(void)r;
	(void)k;
	x->stored = 1;
}

static void set_fetch_id(struct store_record *x, const PGresult *r, int k)
{
	x->fetch_id = strtoll(PQgetvalue(r, k, 2), NULL, 10);
}

static void set_alias(struct store_record *x, const PGresult *r, int k)
{
	if (!PQgetisnull(r, k, 2))
		x->alias_of = strtoll(PQgetvalue(r, k, 2), NULL, 10);
}

/*
 * Step 1 of a batch: every URL's new state in one statement, only where this
 * owner still holds the claim; the rows it returns are the records stored.
 */
static enum prc batch_claims(struct db *d, const char *owner, struct store_record *recs, size_t n,
			     struct err *e)
{
	struct db_cols c;
	const char *p[6];
	PGresult *r = NULL;
	enum prc rc;
	size_t i;

	rc = db_cols_init(&c, 5);
	for (i = 0; i < n && rc == PRC_OK; i++) {
		const struct store_record *x = &recs[i];
		char hid[24], uid[24];
		const char *v[5] = { DB_I64(hid, x->host_id), DB_I64(uid, x->url_id),
				     x->retry ? "0" : x->refused ? "3" : "2", x->refused ? x->reason : NULL,
				     x->retry ? "1" : "0" };

		rc = db_cols_row(&c, v);
	}
	if ((rc = db_cols_params(&c, rc, p)) != PRC_OK)
		return err_set(e, rc, "cannot build a batch of %zu records", n);
	p[5] = owner;
	/* claimed_by is set exactly while state is 1 (the claim sets both, every
	 * way out of state 1 clears it), so the owner test alone says the row is
	 * still ours. With "state = 1" beside it the planner walked urls_claimed,
	 * every claimed row of the job and the dead entries of the ones done,
	 * for each batch, where the primary key finds the batch's rows. */
	rc = db_query(d,
		      "UPDATE urls u SET state = r.state, reason = r.reason, claimed_by = NULL,"
		      "   attempts = u.attempts + r.inc"
		      " FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::text[], $5::int[])"
		      "   AS r(host_id, id, state, reason, inc)"
		      " WHERE u.host_id = r.host_id AND u.id = r.id AND u.claimed_by = $6"
		      " RETURNING u.host_id, u.id",
		      6, p, &r, e);
	db_cols_release(&c);
	if (rc != PRC_OK)
		return rc;
	returned_recs(r, recs, n, set_stored);
	return PRC_OK;
}

/* Step 2: the fetch rows of the stored records, in one statement. */
static enum prc batch_fetches(struct db *d, int64_t job_id, const char *owner, struct store_record *recs,
			      size_t n, struct err *e)
{
	struct db_cols c;
	const char *p[FETCH_COLS + 2];
	char jid[24];
	PGresult *r = NULL;
	enum prc rc;
	size_t i, rows = 0;

	rc = db_cols_init(&c, FETCH_COLS);
	for (i = 0; i < n && rc == PRC_OK; i++) {
		const struct store_record *x = &recs[i];
		const char *v[FETCH_COLS];
		struct fetch_nums nums = { 0 };

		if (!x->stored || x->refused || x->retry || x->alias_of)
			continue;
		rows++;
		fetch_values(x, &nums, v);
		rc = db_cols_row(&c, v);
	}
	if ((rc = db_cols_params(&c, rc, p)) != PRC_OK)
		return err_set(e, rc, "cannot build a batch of %zu fetches", rows);
	if (!rows) {
		db_cols_release(&c);
		return PRC_OK;
	}
	p[FETCH_COLS] = DB_I64(jid, job_id);
	p[FETCH_COLS + 1] = owner;
	rc = db_query(d,
		      "INSERT INTO fetches (host_id, url_id, job_id, fetched_at, http_status, final_url,"
		      " content_type, size, content_sha256, server_ip, charset, title, duration_ms, error,"
		      " worker, links, etag, last_modified, unchanged, failure)"
		      " SELECT f.host_id, f.url_id, $19::bigint, to_timestamp(f.fetched_at), f.http_status,"
		      "   f.final_url, f.content_type, f.size, f.sha256, f.server_ip, f.charset, f.title,"
		      "   f.duration_ms, f.error, $20, f.links, f.etag, f.last_modified, f.unchanged, f.failure"
		      " FROM unnest($1::bigint[], $2::bigint[], $3::float8[], $4::int[], $5::text[], $6::text[],"
		      "   $7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[], $12::int[], $13::text[],"
		      "   $14::int[], $15::text[], $16::text[], $17::boolean[], $18::text[])"
		      "   AS f(host_id, url_id, fetched_at, http_status, final_url, content_type, size, sha256,"
		      "        server_ip, charset, title, duration_ms, error, links, etag, last_modified, unchanged,"
		      "        failure)"
		      " RETURNING host_id, url_id, id",
		      FETCH_COLS + 2, p, &r, e);
	db_cols_release(&c);
	if (rc != PRC_OK)
		return rc;
	returned_recs(r, recs, n, set_fetch_id);
	return PRC_OK;
}

/* Whether rec is a page whose digest can make it an alias. */
static int alias_candidate(const struct store_record *x)
{
	return x->stored && !x->refused && !x->retry && !x->unchanged && x->http_status == 200 &&
	       x->sha256 && x->size > 0;
}

/*
 * Between steps 1 and 2: which stored pages repeat, byte for byte, a page
 * already stored under another URL of their host (earlier in the batch, or
 * in the database: one statement), and marks their URLs as aliases.
 */
static enum prc batch_aliases(struct db *d, struct store_record *recs, size_t n, struct err *e)
{
	struct db_cols c;
	const char *p[3];
	PGresult *r = NULL;
	enum prc rc;
	size_t i, j, rows = 0;

	for (i = 0; i < n; i++) {
		recs[i].alias_of = 0;
		if (!alias_candidate(&recs[i]))
			continue;
		for (j = 0; j < i && !recs[i].alias_of; j++)
			if (alias_candidate(&recs[j]) && !recs[j].alias_of && recs[j].host_id == recs[i].host_id &&
			    !strcmp(recs[j].sha256, recs[i].sha256))
				recs[i].alias_of = recs[j].url_id;
	}
	rc = db_cols_init(&c, 3);
	for (i = 0; i < n && rc == PRC_OK; i++) {
		if (!alias_candidate(&recs[i]) || recs[i].alias_of)
			continue;
		rows++;
		{
			char hid[24], uid[24];
			const char *v[3] = { DB_I64(hid, recs[i].host_id), DB_I64(uid, recs[i].url_id),
					     recs[i].sha256 };

			rc = db_cols_row(&c, v);
		}
	}
	if ((rc = db_cols_params(&c, rc, p)) != PRC_OK)
		return err_set(e, rc, "cannot build a batch of %zu digests", rows);
	if (rows) {
		rc = db_query(d,
			      "SELECT r.host_id, r.id, (SELECT f.url_id FROM fetches f"
			      "   WHERE f.host_id = r.host_id AND f.content_sha256 = r.sha AND f.http_status = 200"
			      "   AND f.url_id <> r.id ORDER BY f.id LIMIT 1)"
			      " FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS r(host_id, id, sha)",
			      3, p, &r, e);
		if (rc == PRC_OK) {
			returned_recs(r, recs, n, set_alias);
			r = NULL;
		}
	}
	db_cols_release(&c);
	if (rc != PRC_OK)
		return rc;
	/* the URLs of the aliases point at their pages */
	rc = db_cols_init(&c, 3);
	rows = 0;
	for (i = 0; i < n && rc == PRC_OK; i++) {
		char hid[24], uid[24], alias[24];
		const char *v[3] = { DB_I64(hid, recs[i].host_id), DB_I64(uid, recs[i].url_id),
				     DB_I64(alias, recs[i].alias_of) };

		if (!recs[i].alias_of)
			continue;
		rows++;
		rc = db_cols_row(&c, v);
	}
	if ((rc = db_cols_params(&c, rc, p)) != PRC_OK)
		return err_set(e, rc, "cannot build a batch of %zu aliases", rows);
	if (rows) {
		rc = db_query(d,
			      "UPDATE urls u SET alias_of = r.alias_of"
			      " FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(host_id, id, alias_of)"
			      " WHERE u.host_id = r.host_id AND u.id = r.id",
			      3, p, &r, e);
		PQclear(r);
	}
	db_cols_release(&c);
	return rc;
}

/*
 * A batch in one transaction, in set-based statements: the claims, the
 * fetches, then the few hits and evidence rows, then the new links. Two
 * statements for any number of pages keep the database's share of a crawl
 * small.
 */
static enum prc write_batch(struct db *d, int64_t job_id, const char *owner, struct store_record *recs,
			    size_t n, struct err *e)
{
	struct store_link *links = NULL;
	enum prc rc;
	size_t i, nl = 0, k = 0;

	for (i = 0; i < n; i++) {
		recs[i].stored = 0;
		recs[i].fetch_id = 0;
		recs[i].alias_of = 0;
	}
	rc = db_begin(d, e);
	if (rc != PRC_OK)
		return rc;
	rc = batch_claims(d, owner, recs, n, e);
	if (rc == PRC_OK)
		rc = batch_aliases(d, recs, n, e);
	if (rc == PRC_OK)
		rc = batch_fetches(d, job_id, owner, recs, n, e);
	for (i = 0; i < n && rc == PRC_OK; i++) {
		char fid[24];

		if (!recs[i].fetch_id || (!recs[i].nhits && !recs[i].warc_file))
			continue;
		rc = insert_hits(d, job_id, &recs[i], DB_I64(fid, recs[i].fetch_id), e);
	}
	if (rc != PRC_OK)
		goto out;
	for (i = 0; i < n; i++)
		if (recs[i].stored)
			nl += recs[i].nlinks;
	if (nl) {
		links = malloc(nl * sizeof(*links));
		if (!links) {
			rc = err_set(e, PRC_NOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (!recs[i].stored || !recs[i].nlinks)
				continue;
			memcpy(links + k, recs[i].links, recs[i].nlinks * sizeof(*links));
			k += recs[i].nlinks;
		}
		rc = add_urls_stmt(d, job_id, links, nl, 0, NULL, e);
		if (rc != PRC_OK)
			goto out;
	}
	rc = db_commit(d, e);
out:
	free(links);
	if (rc != PRC_OK) {
		db_rollback(d);
		for (i = 0; i < n; i++) {
			recs[i].stored = 0;
			recs[i].alias_of = 0;
		}
	}
	return rc;
}

/*
 * Whether the last failure on d was about the data of the statement: a value
 * the database will not take (class 22), a constraint (23), a limit (54) or
 * a trigger's refusal (P0), not the connection or a conflict.
 */
static int data_error(const struct db *d)
{
	const char *st = db_sqlstate(d);

	return !strncmp(st, "22", 2) || !strncmp(st, "23", 2) || !strncmp(st, "54", 2) ||
	       !strncmp(st, "P0", 2);
}

/* Keeps a record the database refused, with its reason, and gives up its URL as 'quarantined'. */
static enum prc quarantine(struct db *d, int64_t job_id, const char *owner, struct store_record *x,
			   const char *why, const char *sqlstate, struct err *e)
{
	char h[24], u[24], j[24];
	const char *p[3];
	PGresult *r = NULL;
	enum prc rc;

	p[0] = DB_I64(h, x->host_id);
	p[1] = DB_I64(u, x->url_id);
	p[2] = DB_I64(j, job_id);
	rc = db_begin(d, e);
	if (rc != PRC_OK)
		return rc;
	rc = db_query(d,
		      "UPDATE urls SET state = 3, reason = 'quarantined', claimed_by = NULL"
		      " WHERE host_id = $1 AND id = $2 AND state = 1 AND claimed_by = $3 RETURNING url",
		      3, (const char *const[]){ p[0], p[1], owner }, &r, e);
	if (rc == PRC_OK && PQntuples(r) == 1) {
		PGresult *q = NULL;

		x->stored = 1;
		x->quarantined = 1;
		rc = db_query(d,
			      "INSERT INTO quarantine (job_id, host_id, url_id, url, sqlstate, reason)"
			      " SELECT $3, host_id, id, url, $4, $5 FROM urls WHERE host_id = $1 AND id = $2",
			      5, (const char *const[]){ p[0], p[1], p[2], sqlstate, why }, &q, e);
		PQclear(q);
	}
	PQclear(r);
	if (rc == PRC_OK)
		rc = db_commit(d, e);
	if (rc != PRC_OK) {
		db_rollback(d);
		x->stored = x->quarantined = 0;
	}
	return rc;
}

/* After a data error in a batch: each record in its own transaction, the refused ones quarantined. */
static enum prc write_each(struct db *d, int64_t job_id, const char *owner, struct store_record *recs,
			   size_t n, struct err *e)
{
	enum prc rc = PRC_OK;
	struct err why;
	char state[8];
	size_t i;

	for (i = 0; i < n && rc == PRC_OK; i++) {
		rc = write_batch(d, job_id, owner, &recs[i], 1, &why);
		if (rc == PRC_OK)
			continue;
		if (PQstatus(db_conn(d)) != CONNECTION_OK || !data_error(d))
			return err_set(e, rc, "%s", why.msg);
		snprintf(state, sizeof(state), "%s", db_sqlstate(d));
		rc = quarantine(d, job_id, owner, &recs[i], why.msg, state, e);
	}
	return rc;
}

enum prc crawlstore_write(struct db *d, int64_t job_id, const char *owner,
			  struct store_record *recs, size_t n, int retries, struct err *e)
{
	enum prc rc;
	int attempt;
	size_t i;

	for (i = 0; i < n; i++)
		recs[i].quarantined = 0;
	for (attempt = 0;; attempt++) {
		rc = db_ensure(d, e);
		if (rc == PRC_OK) {
			rc = write_batch(d, job_id, owner, recs, n, e);
			if (rc == PRC_OK)
				return PRC_OK;
			if (PQstatus(db_conn(d)) == CONNECTION_OK && data_error(d)) {
				rc = write_each(d, job_id, owner, recs, n, e);
				if (rc == PRC_OK)
					return PRC_OK;
			}
		}
		/*
		 * Retry when the connection went away, or the server chose this
		 * transaction as a deadlock or serialization victim; a bad record
		 * is not retried.
		 */
		if (attempt >= retries)
			return rc;
		if (PQstatus(db_conn(d)) == CONNECTION_OK && strcmp(db_sqlstate(d), "40P01") != 0 &&
		    strcmp(db_sqlstate(d), "40001") != 0)
			return rc;
		if (PQstatus(db_conn(d)) == CONNECTION_OK)
			continue;
		sleep(attempt < 5 ? 1u << attempt : 30);
	}
}

enum prc crawlstore_save_families(struct db *d, int64_t job_id, const struct store_family *f, size_t n,
				  struct err *e)
{
	struct db_cols c;
	const char *p[6];
	char jid[24];
	PGresult *r = NULL;
	enum prc rc;
	size_t i;

	if (!n)
		return PRC_OK;
	rc = db_cols_init(&c, 5);
	for (i = 0; i < n && rc == PRC_OK; i++) {
		char pages[24], repeats[24];
		const char *v[5] = { f[i].family, DB_I64(pages, f[i].pages), DB_I64(repeats, f[i].repeats),
				     f[i].trap ? "trap" : "open", f[i].reason ? f[i].reason : "" };

		rc = db_cols_row(&c, v);
	}
	if ((rc = db_cols_params(&c, rc, p)) != PRC_OK)
		return err_set(e, rc, "cannot build a batch of %zu url families", n);
	p[5] = DB_I64(jid, job_id);
	/* a trap stays a trap: another process's later figures do not reopen it */
	rc = db_query(d,
		      "INSERT INTO url_families AS u (job_id, family, pages, repeats, verdict, reason)"
		      " SELECT $6::bigint, r.family, r.pages, r.repeats, r.verdict, r.reason"
		      " FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[])"
		      "   AS r(family, pages, repeats, verdict, reason)"
		      " ON CONFLICT (job_id, family) DO UPDATE SET"
		      "   pages = GREATEST(u.pages, EXCLUDED.pages), repeats = GREATEST(u.repeats, EXCLUDED.repeats),"
		      "   verdict = CASE WHEN u.verdict = 'trap' THEN u.verdict ELSE EXCLUDED.verdict END,"
		      "   reason = CASE WHEN u.verdict = 'trap' THEN u.reason ELSE EXCLUDED.reason END,"
		      "   updated_at = now()",
		      6, p, &r, e);
	PQclear(r);
	db_cols_release(&c);
	return rc;
}

enum prc crawlstore_load_traps(struct db *d, int64_t job_id, crawlstore_family_fn fn, void *ud,
			       struct err *e)
{
	char jid[24];
	const char *p[1];
	PGresult *r = NULL;
	enum prc rc;
	int k;

	p[0] = DB_I64(jid, job_id);
	rc = db_query(d, "SELECT family, reason FROM url_families WHERE job_id = $1 AND verdict = 'trap'", 1, p,
		      &r, e);
	if (rc != PRC_OK)
		return rc;
	for (k = 0; k < PQntuples(r); k++)
		fn(ud, PQgetvalue(r, k, 0), PQgetvalue(r, k, 1));
	PQclear(r);
	return PRC_OK;
}
