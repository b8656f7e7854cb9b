/*
 * review.c - the reviewer's side of a flagged page: which pages wait for a
 * decision, everything that is known of one (its fetches, every hit with
 * its evidence, its review history, takedown requests, rechecks and
 * reports), and the decision itself.
 *
 * DESIGN
 *
 * The review of a page is a row keyed like the page (host_id, url_id),
 * made by the database when the page's first hit is stored (the hits_flag
 * trigger of schema/002_review_takedown.sql), so the crawler's writer needs
 * no knowledge of reviews. Its transitions are rows of review_transitions:
 *
 *   new → confirmed | dismissed, confirmed ⇄ dismissed, dismissed → new
 *
 * and a BEFORE trigger refuses any other, and refuses dismissing a page
 * with a live takedown request; an AFTER trigger writes the event. The one
 * way back to new is the database's own: when a fetch with a different
 * SHA-256 gets hits (a recrawl or a recheck), a dismissed page is new again,
 * with an event by "patrol". Decisions here go through txn_run: the review
 * row is locked, and the UPDATE of its status is checked and logged by
 * those triggers, which are the authority on what is legal.
 *
 * What a page "is flagged for" is read from its latest flagged fetch (the
 * highest fetch id with hits), so a page fetched again with new content is
 * listed with what it says now.
 */
#include "store/review.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/txn.h"
#include "store/dbpq.h"
#include "store/rowsconv.h"
#include "util/buf.h"


void review_filter_init(struct review_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->min_score = -1;
	f->sort = "id";
}

/*
 * Selects the pages of the filter ($1..$9) with their latest flagged fetch's
 * verdicts. The categories of a page are the one its reviewer chose, else
 * its latest flagged fetch's, else those its reports name (a hotline lead
 * no rule flagged).
 */
static const char review_base_sql[] =
	"SELECT r.url_id AS page_id, r.status, r.source, s.score,"
	"  array_to_string(c.categories, ',') AS categories,"
	"  array_to_string(s.rules, ',') AS rules, u.url, ho.origin AS host, j.name AS job,"
	"  r.flagged_at, r.reviewer, r.reviewed_at,"
	"  coalesce((SELECT t.status FROM takedowns t WHERE t.host_id = r.host_id AND t.url_id = r.url_id"
	"            ORDER BY t.id DESC LIMIT 1), 'none') AS takedown_status"
	" FROM reviews r"
	" JOIN urls u ON u.host_id = r.host_id AND u.id = r.url_id"
	" JOIN hosts ho ON ho.id = r.host_id"
	" JOIN jobs j ON j.id = r.job_id"
	" JOIN LATERAL ("
	"   SELECT round(max(h.score)::numeric, 4) AS score,"
	"     array_agg(DISTINCT h.category ORDER BY h.category) AS categories,"
	"     array_agg(DISTINCT h.rule ORDER BY h.rule) AS rules"
	"   FROM hits h WHERE h.host_id = r.host_id AND h.url_id = r.url_id"
	"   AND h.fetch_id = (SELECT max(h2.fetch_id) FROM hits h2"
	"                     WHERE h2.host_id = r.host_id AND h2.url_id = r.url_id)) s ON true"
	" CROSS JOIN LATERAL (SELECT coalesce(CASE WHEN r.category IS NOT NULL THEN ARRAY[r.category] END,"
	"     s.categories,"
	"     (SELECT array_agg(DISTINCT p.category ORDER BY p.category) FROM reports p"
	"      WHERE p.host_id = r.host_id AND p.url_id = r.url_id AND p.category IS NOT NULL))"
	"     AS categories) c"
	" WHERE ($1::text IS NULL OR j.name = $1)"
	" AND ($2::text IS NULL OR $2 = ANY (c.categories))"
	" AND ($3::text IS NULL OR ho.origin = $3 OR ho.origin LIKE '%://' || $3"
	"      OR ho.origin LIKE '%://' || $3 || ':%')"
	" AND ($4::text IS NULL OR $4 = ANY (s.rules))"
	" AND ($5::numeric IS NULL OR s.score >= $5::numeric)"
	" AND ($6::text IS NULL OR r.status = $6)"
	" AND ($7::timestamptz IS NULL OR r.flagged_at >= $7::timestamptz)"
	" AND ($8::timestamptz IS NULL OR r.flagged_at < $8::timestamptz)"
	" AND ($9::text IS NULL OR r.source = $9)";

static enum prc review_query(struct db *d, const struct review_filter *f, int ids_only,
			     PGresult **res, struct err *e)
{
	static const struct {
		const char *key, *expr;
	} sorts[] = {
		{ "id", "r.url_id" }, { "score", "s.score" }, { "date", "r.flagged_at" },
		{ "url", "u.url" },   { "status", "r.status" },
	};
	char score[32], lim[24], off[24];
	const char *p[9], *order = NULL;
	struct buf sql;
	enum prc rc;
	size_t i;

	*res = NULL;
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (!strcmp(f->sort ? f->sort : "id", sorts[i].key))
			order = sorts[i].expr;
	if (!order)
		return err_set(e, PRC_INVALID, "cannot sort by '%s' (id, score, date, url, status)", f->sort);
	if (f->status && strcmp(f->status, "new") && strcmp(f->status, "confirmed") &&
	    strcmp(f->status, "dismissed"))
		return err_set(e, PRC_INVALID, "no review status '%s' (new, confirmed, dismissed)", f->status);
	if (f->source && strcmp(f->source, "rule") && strcmp(f->source, "hotline"))
		return err_set(e, PRC_INVALID, "no review source '%s' (rule, hotline)", f->source);
	if (f->min_score >= 0)
		snprintf(score, sizeof(score), "%.6f", f->min_score);
	p[0] = f->job;
	p[1] = f->category;
	p[2] = f->host;
	p[3] = f->rule;
	p[4] = f->min_score >= 0 ? score : NULL;
	p[5] = f->status;
	p[6] = f->since;
	p[7] = f->until;
	p[8] = f->source;
	buf_init(&sql, 1 << 16);
	if (ids_only)
		buf_addstr(&sql, "SELECT page_id FROM (");
	buf_addstr(&sql, review_base_sql);
	buf_addf(&sql, " ORDER BY %s %s NULLS LAST, r.url_id %s", order, f->desc ? "DESC" : "ASC",
		 f->desc ? "DESC" : "ASC");
	if (f->limit > 0)
		buf_addf(&sql, " LIMIT %s", DB_I64(lim, f->limit));
	if (f->offset > 0)
		buf_addf(&sql, " OFFSET %s", DB_I64(off, f->offset));
	if (ids_only)
		buf_addstr(&sql, ") x");
	if (!sql.ptr)
		return err_set(e, PRC_NOMEM, "out of memory");
	rc = db_query(d, buf_str(&sql), 9, p, res, e);
	buf_release(&sql);
	return rc;
}

enum prc review_list(struct db *d, const struct review_filter *f, struct rows **res, struct err *e)
{
	PGresult *r;
	enum prc rc;

	*res = NULL;
	rc = review_query(d, f, 0, &r, e);
	if (rc == PRC_OK)
		rc = rows_from_result(r, res, e);
	PQclear(r);
	return rc;
}

enum prc review_select(struct db *d, const struct review_filter *f, int64_t **ids, size_t *n,
		       struct err *e)
{
	PGresult *r;
	enum prc rc;
	int i, rows;

	*ids = NULL;
	*n = 0;
	rc = review_query(d, f, 1, &r, e);
	if (rc != PRC_OK)
		return rc;
	rows = PQntuples(r);
	if (rows) {
		*ids = calloc((size_t)rows, sizeof(int64_t));
		if (!*ids) {
			PQclear(r);
			return err_set(e, PRC_NOMEM, "out of memory");
		}
	}
	for (i = 0; i < rows; i++)
		(*ids)[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	*n = (size_t)rows;
	PQclear(r);
	return PRC_OK;
}

void review_detail_release(struct review_detail *rd)
{
	if (!rd)
		return;
	rows_free(rd->page);
	rows_free(rd->hits);
	rows_free(rd->events);
	rows_free(rd->takedowns);
	rows_free(rd->rechecks);
	rows_free(rd->reports);
	rows_free(rd->evidence);
	memset(rd, 0, sizeof(*rd));
}

void review_detail_sections(const struct review_detail *rd, struct rows_section s[REVIEW_SECTIONS])
{
	s[0] = (struct rows_section){ "hits", rd->hits };
	s[1] = (struct rows_section){ "events", rd->events };
	s[2] = (struct rows_section){ "takedowns", rd->takedowns };
	s[3] = (struct rows_section){ "rechecks", rd->rechecks };
	s[4] = (struct rows_section){ "reports", rd->reports };
	s[5] = (struct rows_section){ "evidence", rd->evidence };
}

enum prc review_show(struct db *d, int64_t page_id, struct review_detail *out, struct err *e)
{
	char id[24];
	const char *p[1] = { DB_I64(id, page_id) };
	PGresult *r = NULL;
	const struct db_rows_query q[] = {
		{ "SELECT h.fetch_id, f.fetched_at, h.category, round(h.score::numeric, 4) AS score,"
		  "  h.classifier, h.rule, h.rule_file, h.evidence, h.ev_start, h.ev_end"
		  " FROM reviews r"
		  " JOIN hits h ON h.host_id = r.host_id AND h.url_id = r.url_id"
		  " JOIN fetches f ON f.host_id = h.host_id AND f.id = h.fetch_id"
		  " WHERE r.url_id = $1 ORDER BY h.fetch_id DESC, h.score DESC, h.id",
		  &out->hits },
		{ "SELECT ev.seq, ev.at, ev.actor, ev.from_status, ev.to_status, ev.comment"
		  " FROM reviews r JOIN review_events ev ON ev.host_id = r.host_id AND ev.url_id = r.url_id"
		  " WHERE r.url_id = $1 ORDER BY ev.seq",
		  &out->events },
		{ "SELECT t.id, t.status, t.recipient_kind, t.recipient, t.channel, t.reference,"
		  "  t.category, t.opened_by, t.opened_at, t.sent_at, t.acknowledged_at, t.removed_at"
		  " FROM reviews r JOIN takedowns t ON t.host_id = r.host_id AND t.url_id = r.url_id"
		  " WHERE r.url_id = $1 ORDER BY t.id",
		  &out->takedowns },
		{ "SELECT c.id, c.checked_at, c.outcome, c.reason, c.http_status,"
		  "  array_to_string(c.categories, ',') AS categories, c.content_sha256, c.error, c.actor"
		  " FROM reviews r JOIN rechecks c ON c.host_id = r.host_id AND c.url_id = r.url_id"
		  " WHERE r.url_id = $1 ORDER BY c.id",
		  &out->rechecks },
		{ "SELECT p.reported_at, p.source, p.reference, p.category, p.imported_at, p.imported_by"
		  " FROM reviews r JOIN reports p ON p.host_id = r.host_id AND p.url_id = r.url_id"
		  " WHERE r.url_id = $1 ORDER BY p.reported_at, p.id",
		  &out->reports },
	};
	enum prc rc;

	memset(out, 0, sizeof(*out));
	rc = db_query_rows(d,
			   "SELECT r.url_id AS page_id, u.url, j.name AS job, ho.origin AS host, r.status,"
			   "  r.source, r.category, r.flagged_at, r.reviewer, r.reviewed_at, r.comment,"
			   "  f.id AS fetch_id, f.fetched_at, f.http_status, f.final_url, f.content_type, f.size,"
			   "  f.content_sha256, f.server_ip, f.charset, f.title, f.duration_ms, f.error,"
			   "  (SELECT count(*) FROM fetches f2 WHERE f2.host_id = r.host_id AND f2.url_id = r.url_id)"
			   "    AS fetches"
			   " FROM reviews r"
			   " JOIN urls u ON u.host_id = r.host_id AND u.id = r.url_id"
			   " JOIN hosts ho ON ho.id = r.host_id"
			   " JOIN jobs j ON j.id = r.job_id"
			   " LEFT JOIN LATERAL (SELECT * FROM fetches f WHERE f.host_id = r.host_id"
			   "   AND f.url_id = r.url_id ORDER BY f.id DESC LIMIT 1) f ON true"
			   " WHERE r.url_id = $1",
			   1, p, &out->page, e);
	if (rc != PRC_OK)
		goto out;
	if (out->page->nrows == 0) {
		rc = err_set(e, PRC_NOTFOUND,
			     "page %" PRId64 " is neither flagged by a rule nor reported", page_id);
		goto out;
	}
	rc = db_query_rows_seq(d, q, sizeof(q) / sizeof(q[0]), 1, p, e);
	if (rc != PRC_OK)
		goto out;
	/* the WARC store is optional: only where its migration exists */
	rc = db_query(d, "SELECT to_regclass('evidence') IS NOT NULL", 0, NULL, &r, e);
	if (rc != PRC_OK)
		goto out;
	if (!strcmp(PQgetvalue(r, 0, 0), "t"))
		rc = db_query_rows(d,
				   "SELECT v.fetch_id, v.warc_file, v.warc_offset, v.warc_length, v.warc_record_id,"
				   "  v.warc_digest"
				   " FROM reviews r JOIN fetches f ON f.host_id = r.host_id AND f.url_id = r.url_id"
				   " JOIN evidence v ON v.host_id = f.host_id AND v.fetch_id = f.id"
				   " WHERE r.url_id = $1 ORDER BY v.fetch_id DESC",
				   1, p, &out->evidence, e);
out:
	PQclear(r);
	if (rc != PRC_OK)
		review_detail_release(out);
	return rc;
}

struct decide {
	int64_t page_id;
	const char *to;
	const char *category;
	char from[16];
};

static enum prc decide_txn(struct db *d, void *ud, struct err *e)
{
	struct decide *dc = ud;
	char id[24];
	const char *p[3] = { DB_I64(id, dc->page_id), dc->to, dc->category };
	PGresult *r;
	enum prc rc;

	rc = db_query(d, "SELECT status FROM reviews WHERE url_id = $1 FOR UPDATE", 1, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, PRC_NOTFOUND, "page %" PRId64 " is neither flagged by a rule nor reported",
			       dc->page_id);
	}
	snprintf(dc->from, sizeof(dc->from), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if (!strcmp(dc->from, dc->to))
		return err_set(e, PRC_DECLINED, "page %" PRId64 " is already %s", dc->page_id, dc->to);
	rc = db_query(d, "UPDATE reviews SET status = $2, category = coalesce($3, category) WHERE url_id = $1",
		      3, p, &r, e);
	PQclear(r);
	return rc == PRC_DB ? txn_refusal(d, e) : rc;
}

enum prc review_decide(struct db *d, int64_t page_id, const char *to, const char *category,
		       const char *actor, const char *comment, char *from, struct err *e)
{
	struct decide dc;
	enum prc rc;

	if (strcmp(to, "confirmed") && strcmp(to, "dismissed"))
		return err_set(e, PRC_INVALID, "a review can be confirmed or dismissed, not '%s'", to);
	memset(&dc, 0, sizeof(dc));
	dc.page_id = page_id;
	dc.to = to;
	dc.category = category;
	rc = txn_run(d, actor, comment, decide_txn, &dc, e);
	if (from)
		snprintf(from, 16, "%s", dc.from);
	return rc;
}
