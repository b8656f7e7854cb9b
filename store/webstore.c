/*
 * webstore.c - the web console's way into the store. Every read and every
 * change goes through the same functions as the command line (review.h,
 * takedown.h, report.h, rulestats.h), so a decision taken in a browser is
 * checked by the same triggers and lands in the same event log, under the
 * user's name; this file only turns their libpq results into struct rows.
 */
#include "store/webstore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/report.h"
#include "store/review.h"
#include "store/rowsconv.h"
#include "store/rulestats.h"
#include "store/takedown.h"
#include "store/dbpq.h"

enum prc webstore_connect(const char *conninfo, struct db **out, struct err *e)
{
	enum prc rc;

	rc = db_connect(conninfo, out, e);
	if (rc != PRC_OK)
		return rc;
	rc = db_exec(*out, "SET TimeZone = 'Asia/Tokyo'", e);
	if (rc != PRC_OK) {
		db_free(*out);
		*out = NULL;
	}
	return rc;
}

void webstore_close(struct db *d)
{
	db_free(d);
}

enum prc webstore_ensure(struct db *d, struct err *e)
{
	return db_ensure(d, e);
}

void web_filter_init(struct web_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->min_score = -1;
	f->sort = "id";
}

static void to_review_filter(const struct web_filter *w, struct review_filter *f)
{
	review_filter_init(f);
	f->job = w->job;
	f->category = w->category;
	f->host = w->host;
	f->rule = w->rule;
	f->status = w->status;
	f->source = w->source;
	f->since = w->since;
	f->until = w->until;
	f->min_score = w->min_score;
	f->sort = w->sort ? w->sort : "id";
	f->desc = w->desc;
	f->limit = w->limit;
	f->offset = w->offset;
}

enum prc webstore_pages(struct db *d, const struct web_filter *w, struct rows **out, long *total,
			struct err *e)
{
	struct review_filter f;
	int64_t *ids = NULL;
	size_t n = 0;
	enum prc rc;

	*out = NULL;
	to_review_filter(w, &f);
	rc = review_list(d, &f, out, e);
	if (rc == PRC_OK && total) {
		f.limit = 0;
		f.offset = 0;
		rc = review_select(d, &f, &ids, &n, e);
		*total = (long)n;
		free(ids);
	}
	if (rc != PRC_OK) {
		rows_free(*out);
		*out = NULL;
	}
	return rc;
}

enum prc webstore_category_counts(struct db *d, const char *status, struct rows **out, struct err *e)
{
	const char *p[1] = { status };

	return db_query_rows(d,
			     "SELECT h.category, count(DISTINCT r.url_id) AS pages"
			     " FROM reviews r JOIN hits h ON h.host_id = r.host_id AND h.url_id = r.url_id"
			     " AND h.fetch_id = (SELECT max(h2.fetch_id) FROM hits h2"
			     "                   WHERE h2.host_id = r.host_id AND h2.url_id = r.url_id)"
			     " WHERE ($1::text IS NULL OR r.status = $1)"
			     " GROUP BY h.category ORDER BY pages DESC, h.category",
			     1, p, out, e);
}

enum prc webstore_page(struct db *d, int64_t page_id, struct review_detail *out, struct err *e)
{
	enum prc rc;

	rc = review_show(d, page_id, out, e);
	/* a store without WARC evidence shows an empty table */
	if (rc == PRC_OK && !out->evidence && (rc = rows_from_result(NULL, &out->evidence, e)) != PRC_OK)
		review_detail_release(out);
	return rc;
}

enum prc webstore_decide(struct db *d, int64_t page_id, const char *to, const char *category,
			 const char *actor, const char *comment, char *from, struct err *e)
{
	return review_decide(d, page_id, to, category, actor, comment, from, e);
}

enum prc webstore_takedowns(struct db *d, const char *status, struct rows **out, struct err *e)
{
	struct takedown_filter f;

	*out = NULL;
	takedown_filter_init(&f);
	f.status = status;
	return takedown_list(d, &f, out, e);
}

enum prc webstore_takedown_open(struct db *d, int64_t page_id, const char *kind,
				const char *recipient, const char *channel, const char *reference,
				const char *actor, const char *comment, int64_t *id, struct err *e)
{
	struct takedown_new t;

	memset(&t, 0, sizeof(t));
	t.kind = takedown_kind(kind ? kind : "");
	t.channel = takedown_channel(channel ? channel : "");
	if (!t.kind)
		return err_set(e, PRC_INVALID, "no recipient kind '%s'", kind ? kind : "");
	if (!t.channel)
		return err_set(e, PRC_INVALID, "no channel '%s'", channel ? channel : "");
	t.recipient = recipient && *recipient ? recipient : NULL;
	t.reference = reference && *reference ? reference : NULL;
	return takedown_open(d, page_id, &t, actor, comment, id, e);
}

enum prc webstore_takedown_act(struct db *d, int64_t id, const char *verb, const char *reference,
			       const char *actor, const char *comment, char *from, char *to,
			       struct err *e)
{
	struct takedown_change c;

	memset(&c, 0, sizeof(c));
	if (strcmp(verb, "note")) {
		c.to = takedown_state(verb);
		if (!c.to)
			return err_set(e, PRC_INVALID, "no takedown step '%s'", verb);
	}
	c.reference = reference && *reference ? reference : NULL;
	return takedown_act(d, id, &c, actor, comment, from, to, e);
}

enum prc webstore_takedown(struct db *d, int64_t id, struct takedown_detail *out, struct err *e)
{
	return takedown_show(d, id, out, e);
}

void webstore_report_release(struct web_report *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < 3; i++)
		rows_free(r->dims[i]);
	rows_free(r->oldest);
	rows_free(r->monthly);
	rows_free(r->rules);
	memset(r, 0, sizeof(*r));
}

enum prc webstore_report(struct db *d, const char *job, struct web_report *out, struct err *e)
{
	struct report_opts o;
	struct report rep;
	const char *p[1] = { job };
	enum prc rc;
	int i;

	memset(out, 0, sizeof(*out));
	memset(&o, 0, sizeof(o));
	o.job = job;
	o.oldest = 10;
	rc = report_run(d, &o, &rep, e);
	if (rc != PRC_OK)
		return rc;
	/* the report's tables move into the console's struct */
	for (i = 0; i < (int)(sizeof(out->dims) / sizeof(out->dims[0])); i++) {
		out->dims[i] = rep.dims[i];
		rep.dims[i] = NULL;
	}
	out->oldest = rep.oldest;
	rep.oldest = NULL;
	report_release(&rep);
	rc = db_query_rows(d,
			   "SELECT to_char(date_trunc('month', t.opened_at), 'YYYY-MM') AS month,"
			   "  count(*) AS requests, count(*) FILTER (WHERE t.status = 'removed') AS removed"
			   " FROM takedowns t JOIN jobs j ON j.id = t.job_id"
			   " WHERE ($1::text IS NULL OR j.name = $1)"
			   " GROUP BY 1 ORDER BY 1",
			   1, p, &out->monthly, e);
	if (rc == PRC_OK)
		rc = rulestats_run(d, job, &out->rules, e);
	if (rc != PRC_OK)
		webstore_report_release(out);
	return rc;
}

enum prc webstore_events(struct db *d, long limit, struct rows **out, struct err *e)
{
	char lim[24];
	const char *p[1] = { DB_I64(lim, limit > 0 ? limit : 100) };

	return db_query_rows(d,
			     "SELECT * FROM ("
			     " SELECT ev.at, ev.actor, 'review' AS kind, ev.url_id AS subject, ev.url_id AS page_id,"
			     "   ev.from_status, ev.to_status, ev.comment"
			     " FROM review_events ev"
			     " UNION ALL"
			     " SELECT te.at, te.actor, 'takedown', te.takedown_id, t.url_id,"
			     "   te.from_status, te.to_status, te.comment"
			     " FROM takedown_events te JOIN takedowns t ON t.host_id = te.host_id AND t.id = te.takedown_id"
			     ") x ORDER BY at DESC, kind, subject LIMIT $1::bigint",
			     1, p, out, e);
}

enum prc webstore_jobs(struct db *d, struct rows **out, struct err *e)
{
	return db_query_rows(d,
			     "SELECT j.name, j.created_at, j.finished_at,"
			     "  (SELECT count(*) FROM hosts h WHERE h.job_id = j.id) AS hosts,"
			     "  count(u.id) FILTER (WHERE u.state = 0) AS queued,"
			     "  count(u.id) FILTER (WHERE u.state = 1) AS claimed,"
			     "  count(u.id) FILTER (WHERE u.state = 2) AS done,"
			     "  count(u.id) FILTER (WHERE u.state = 3) AS refused,"
			     "  (SELECT count(*) FROM reviews r WHERE r.job_id = j.id) AS flagged"
			     " FROM jobs j LEFT JOIN urls u ON u.job_id = j.id"
			     " GROUP BY j.id ORDER BY j.created_at DESC, j.id DESC",
			     0, NULL, out, e);
}

enum prc webstore_rules(struct db *d, const char *job, struct rows **out, struct err *e)
{
	return rulestats_run(d, job, out, e);
}
