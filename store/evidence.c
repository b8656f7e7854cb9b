/*
 * evidence.c - the evidence table (schema/003_evidence.sql): for each fetch of
 * a flagged page, the WARC file, offset and length of its response record,
 * the record's id and the payload's SHA-256. The records themselves live in
 * WARC files (crawler/warc.c); the database holds only where they are, so
 * `patrol evidence` and the review console can find a page's record without
 * scanning any file, and can check it is still what was written.
 *
 * The warc_chain_heads table (schema/006_warc_chain.sql) keeps the heads of
 * the files' hash chains, added by the crawl writer before it commits the
 * rows that point into them, and read back by `patrol evidence --verify-all`.
 */
#include "store/evidence.h"
#include "store/dbpq.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A positive decimal id, or 0. */
static int64_t parse_id(const char *s)
{
	char *end;
	long long v;

	if (!*s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return 0;
	return (int64_t)v;
}

static char *dup_col(PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? NULL : strdup(PQgetvalue(r, 0, col));
}

enum prc evidence_find(struct db *d, const char *what, struct evidence *ev, struct err *e)
{
	static const char base[] =
		"SELECT ev.host_id, ev.fetch_id, f.url_id, f.job_id, u.url, f.final_url, f.fetched_at,"
		"   f.http_status, f.content_sha256, ev.warc_file, ev.warc_offset, ev.warc_length,"
		"   ev.warc_record_id, ev.warc_digest"
		" FROM evidence ev"
		" JOIN fetches f ON f.host_id = ev.host_id AND f.id = ev.fetch_id"
		" JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id"
		" WHERE ";
	static const char tail[] = " ORDER BY f.fetched_at DESC, ev.created_at DESC LIMIT 1";
	char sql[1024], idbuf[24];
	const char *param = what, *cond;
	PGresult *r = NULL;
	enum prc rc;
	int64_t id;

	memset(ev, 0, sizeof(*ev));
	if (!what || !*what)
		return err_set(e, PRC_INVALID, "no URL or id given");
	if (!strncmp(what, "fetch:", 6) && (id = parse_id(what + 6)) > 0) {
		cond = "f.id = $1";
		param = DB_I64(idbuf, id);
	} else if (!strncmp(what, "url:", 4) && (id = parse_id(what + 4)) > 0) {
		cond = "f.url_id = $1";
		param = DB_I64(idbuf, id);
	} else if ((id = parse_id(what)) > 0) {
		cond = "f.url_id = $1";
		param = DB_I64(idbuf, id);
	} else {
		cond = "(u.url = $1 OR f.final_url = $1)";
	}
	snprintf(sql, sizeof(sql), "%s%s%s", base, cond, tail);
	rc = db_query(d, sql, 1, &param, &r, e);
	if (rc != PRC_OK)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, PRC_NOTFOUND, "no evidence for '%s'", what);
	}
	ev->host_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	ev->fetch_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	ev->url_id = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	ev->job_id = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
	ev->url = dup_col(r, 4);
	ev->final_url = dup_col(r, 5);
	ev->fetched_at = dup_col(r, 6);
	ev->http_status = atoi(PQgetvalue(r, 0, 7));
	ev->content_sha256 = dup_col(r, 8);
	ev->warc_file = dup_col(r, 9);
	ev->warc_offset = strtoull(PQgetvalue(r, 0, 10), NULL, 10);
	ev->warc_length = strtoull(PQgetvalue(r, 0, 11), NULL, 10);
	ev->warc_record_id = dup_col(r, 12);
	ev->warc_digest = dup_col(r, 13);
	PQclear(r);
	if (!ev->url || !ev->final_url || !ev->fetched_at || !ev->warc_file || !ev->warc_record_id ||
	    !ev->warc_digest) {
		evidence_release(ev);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	return PRC_OK;
}

void evidence_release(struct evidence *ev)
{
	if (!ev)
		return;
	free(ev->url);
	free(ev->final_url);
	free(ev->fetched_at);
	free(ev->content_sha256);
	free(ev->warc_file);
	free(ev->warc_record_id);
	free(ev->warc_digest);
	memset(ev, 0, sizeof(*ev));
}

enum prc evidence_seal(struct db *d, const char *file, uint64_t records, uint64_t bytes,
		       const char *head, struct err *e)
{
	static const char sql[] = "INSERT INTO warc_chain_heads (warc_file, records, bytes, head)"
				  " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
	char rbuf[24], bbuf[24];
	const char *p[4];
	PGresult *r = NULL;
	enum prc rc;
	int attempt;

	p[0] = file;
	p[1] = DB_I64(rbuf, records);
	p[2] = DB_I64(bbuf, bytes);
	p[3] = head;
	for (attempt = 0; attempt < 2; attempt++) {
		rc = db_ensure(d, e);
		if (rc == PRC_OK)
			rc = db_query(d, sql, 4, p, &r, e);
		PQclear(r);
		r = NULL;
		if (rc == PRC_OK)
			return PRC_OK;
	}
	return err_set(e, PRC_DB, "cannot store the chain head of WARC file '%s'", file);
}

void evidence_names_free(char **names, size_t n)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

enum prc evidence_files(struct db *d, char ***names, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	enum prc rc;
	size_t i, k;

	*names = NULL;
	*n = 0;
	rc = db_query(d, "SELECT warc_file FROM evidence UNION SELECT warc_file FROM warc_chain_heads"
			 " ORDER BY 1",
		      0, NULL, &r, e);
	if (rc != PRC_OK)
		return err_set(e, rc, "cannot list the WARC files");
	k = (size_t)PQntuples(r);
	if (k) {
		*names = calloc(k, sizeof(char *));
		if (!*names) {
			PQclear(r);
			return err_set(e, PRC_NOMEM, "out of memory");
		}
		for (i = 0; i < k; i++) {
			(*names)[i] = strdup(PQgetvalue(r, (int)i, 0));
			if (!(*names)[i]) {
				evidence_names_free(*names, i);
				*names = NULL;
				PQclear(r);
				return err_set(e, PRC_NOMEM, "out of memory");
			}
		}
	}
	*n = k;
	PQclear(r);
	return PRC_OK;
}

/*
 * Runs sql with $1 = file and gives *out one element of size bytes per
 * row, filled by fill (NULL for no rows; the caller frees it), and *n the
 * rows. On failure the message names what is read of file.
 */
static enum prc file_rows(struct db *d, const char *sql, const char *file, const char *what,
			  size_t size, void (*fill)(void *elem, const PGresult *r, int row), void **out,
			  size_t *n, struct err *e)
{
	PGresult *r = NULL;
	enum prc rc;
	size_t i, k;

	*out = NULL;
	*n = 0;
	rc = db_query(d, sql, 1, &file, &r, e);
	if (rc != PRC_OK)
		return err_set(e, rc, "cannot read the %s of '%s'", what, file);
	k = (size_t)PQntuples(r);
	if (k && !(*out = calloc(k, size))) {
		PQclear(r);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	for (i = 0; i < k; i++)
		fill((char *)*out + i * size, r, (int)i);
	*n = k;
	PQclear(r);
	return PRC_OK;
}

static void fill_head(void *elem, const PGresult *r, int i)
{
	struct evidence_head *h = elem;

	h->records = strtoull(PQgetvalue(r, i, 0), NULL, 10);
	h->bytes = strtoull(PQgetvalue(r, i, 1), NULL, 10);
	snprintf(h->head, sizeof(h->head), "%s", PQgetvalue(r, i, 2));
}

enum prc evidence_heads(struct db *d, const char *file, struct evidence_head **out, size_t *n,
			struct err *e)
{
	void *v;
	enum prc rc = file_rows(d, "SELECT records, bytes, head FROM warc_chain_heads WHERE warc_file = $1"
				   " ORDER BY records",
				file, "chain heads", sizeof(**out), fill_head, &v, n, e);

	*out = v;
	return rc;
}

static void fill_ref(void *elem, const PGresult *r, int i)
{
	struct evidence_ref *f = elem;

	f->host_id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	f->fetch_id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
	f->offset = strtoull(PQgetvalue(r, i, 2), NULL, 10);
	f->length = strtoull(PQgetvalue(r, i, 3), NULL, 10);
	snprintf(f->record_id, sizeof(f->record_id), "%s", PQgetvalue(r, i, 4));
	snprintf(f->digest, sizeof(f->digest), "%s", PQgetvalue(r, i, 5));
}

enum prc evidence_refs(struct db *d, const char *file, struct evidence_ref **out, size_t *n,
		       struct err *e)
{
	void *v;
	enum prc rc = file_rows(d, "SELECT host_id, fetch_id, warc_offset, warc_length, warc_record_id,"
				   " warc_digest FROM evidence WHERE warc_file = $1 ORDER BY warc_offset, fetch_id",
				file, "evidence rows", sizeof(**out), fill_ref, &v, n, e);

	*out = v;
	return rc;
}
