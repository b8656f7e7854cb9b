/*
 * takedown.c - the coordinator's side: requests to remove confirmed pages
 * and every step they go through.
 *
 * DESIGN
 *
 * The state machine lives in the database (takedown_transitions and the
 * takedowns_guard trigger), so a client that bypasses this module with raw
 * SQL meets the same rules. This module's job is to make concurrent use
 * safe and the refusals readable: each step is one transaction that locks
 * the request row (SELECT ... FOR UPDATE, in patrol_takedown_lock) before
 * changing it (patrol_takedown_change: the application role has no UPDATE
 * right on takedowns, schema/009_roles.sql), so two
 * coordinators (or a coordinator and `patrol recheck`) acting on one request
 * queue behind each other instead of racing; the event sequence number is
 * the row's nevents, bumped under that lock, so no event is lost or
 * numbered twice. A transaction chosen as a deadlock victim is run again by
 * txn_run. A note is an UPDATE that only bumps nevents: the trigger writes
 * its event like any other.
 */
#include "store/takedown.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/txn.h"
#include "store/dbpq.h"


static const char *const kinds[] = { "site_operator", "hosting_provider", "registrar", "platform",
				     "hotline", NULL };
static const char *const channels[] = { "web_form", "email", "hotline_report", "letter", NULL };

/* s matches canon with '-' read as '_' */
static int same_name(const char *s, const char *canon)
{
	for (; *s && *canon; s++, canon++)
		if (*s != *canon && !(*s == '-' && *canon == '_'))
			return 0;
	return !*s && !*canon;
}

static const char *lookup(const char *const *names, const char *s)
{
	size_t i;

	for (i = 0; s && names[i]; i++)
		if (same_name(s, names[i]))
			return names[i];
	return NULL;
}

const char *takedown_kind(const char *s)
{
	return lookup(kinds, s);
}

const char *takedown_channel(const char *s)
{
	return lookup(channels, s);
}

const char *takedown_state(const char *s)
{
	static const char *const states[] = { "open", "sent", "acknowledged", "removed", "refused",
					      "expired", "reopened", "withdrawn", NULL };
	static const struct {
		const char *verb, *state;
	} verbs[] = { { "send", "sent" }, { "ack", "acknowledged" }, { "refuse", "refused" },
		      { "close", "expired" }, { "remove", "removed" }, { "reopen", "reopened" },
		      { "withdraw", "withdrawn" } };
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (s && !strcmp(s, verbs[i].verb))
			return verbs[i].state;
	return lookup(states, s);
}

struct opening {
	int64_t page_id;
	const struct takedown_new *t;
	int64_t id;
};

static enum prc open_txn(struct db *d, void *ud, struct err *e)
{
	struct opening *o = ud;
	char pid[24];
	const char *p[6] = { DB_I64(pid, o->page_id), o->t->kind, o->t->recipient, o->t->channel,
			     o->t->reference, o->t->category };
	PGresult *r;
	enum prc rc;

	rc = db_query(d,
		      "INSERT INTO takedowns (host_id, url_id, job_id, recipient_kind, recipient, channel,"
		      "  reference, category, opened_by)"
		      " SELECT r.host_id, r.url_id, r.job_id, $2, $3, $4, $5,"
		      "   coalesce($6, r.category, (SELECT h.category FROM hits h WHERE h.host_id = r.host_id"
		      "     AND h.url_id = r.url_id ORDER BY h.fetch_id DESC, h.score DESC, h.id LIMIT 1),"
		      "     (SELECT p.category FROM reports p WHERE p.host_id = r.host_id AND p.url_id = r.url_id"
		      "      AND p.category IS NOT NULL ORDER BY p.reported_at DESC, p.id DESC LIMIT 1)),"
		      "   patrol_actor()"
		      " FROM reviews r WHERE r.url_id = $1 RETURNING id",
		      6, p, &r, e);
	/* two coordinators at once: the unique index catches what the guard could not see */
	if (rc != PRC_OK && !strcmp(db_sqlstate(d), "23505"))
		return err_set(e, PRC_DECLINED,
			       "page %" PRId64 " already has a live request to its %s; act on that one",
			       o->page_id, o->t->kind);
	if (rc != PRC_OK)
		return txn_refusal(d, e);
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, PRC_NOTFOUND, "page %" PRId64 " is neither flagged by a rule nor reported",
			       o->page_id);
	}
	o->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return PRC_OK;
}

enum prc takedown_open(struct db *d, int64_t page_id, const struct takedown_new *t,
		       const char *actor, const char *comment, int64_t *id, struct err *e)
{
	struct opening o = { page_id, t, 0 };
	enum prc rc;

	if (!t->kind || !takedown_kind(t->kind))
		return err_set(e, PRC_INVALID, "no recipient kind '%s' (site_operator, hosting_provider,"
			       " registrar, platform, hotline)", t->kind ? t->kind : "");
	if (!t->channel || !takedown_channel(t->channel))
		return err_set(e, PRC_INVALID, "no channel '%s' (web_form, email, hotline_report, letter)",
			       t->channel ? t->channel : "");
	rc = txn_run(d, actor, comment, open_txn, &o, e);
	if (rc == PRC_OK)
		*id = o.id;
	return rc;
}

struct acting {
	int64_t id;
	const struct takedown_change *c;
	char from[16], status[16];
};

static enum prc act_txn(struct db *d, void *ud, struct err *e)
{
	struct acting *a = ud;
	char id[24], hid[24];
	const char *p[6];
	PGresult *r;
	enum prc rc;

	p[0] = DB_I64(id, a->id);
	rc = db_query(d, "SELECT host_id, status FROM patrol_takedown_lock($1)", 1, p, &r, e);
	if (rc != PRC_OK)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return err_set(e, PRC_NOTFOUND, "no takedown request %" PRId64, a->id);
	}
	snprintf(hid, sizeof(hid), "%s", PQgetvalue(r, 0, 0));
	snprintf(a->from, sizeof(a->from), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	if (a->c->to && !strcmp(a->c->to, a->from))
		return err_set(e, PRC_DECLINED, "takedown request %" PRId64 " is already %s", a->id, a->from);
	p[1] = hid;
	p[2] = a->c->to;
	p[3] = a->c->reference;
	p[4] = a->c->recipient;
	p[5] = a->c->removed_at;
	/* the application role may not UPDATE takedowns: schema/009_roles.sql */
	rc = db_query(d, "SELECT patrol_takedown_change($2, $1, $3, $4, $5, $6::timestamptz)", 6, p, &r, e);
	if (rc != PRC_OK)
		return txn_refusal(d, e);
	snprintf(a->status, sizeof(a->status), "%s", PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return PRC_OK;
}

enum prc takedown_act(struct db *d, int64_t id, const struct takedown_change *c, const char *actor,
		      const char *comment, char *from, char *status, struct err *e)
{
	struct acting a;
	enum prc rc;

	memset(&a, 0, sizeof(a));
	a.id = id;
	a.c = c;
	rc = txn_run(d, actor, comment, act_txn, &a, e);
	if (from)
		snprintf(from, 16, "%s", a.from);
	if (status)
		snprintf(status, 16, "%s", a.status);
	return rc;
}

void takedown_filter_init(struct takedown_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->sent_days = 7;
	f->ack_days = 14;
}

enum prc takedown_list(struct db *d, const struct takedown_filter *f, struct rows **res, struct err *e)
{
	char sd[24], ad[24], lim[24];
	const char *p[10] = { f->job,  f->status,   f->kind,
			      f->recipient, f->category, f->host,
			      DB_I64(sd, f->sent_days), DB_I64(ad, f->ack_days), f->overdue_only ? "t" : "f",
			      f->limit > 0 ? DB_I64(lim, f->limit) : NULL };

	if (f->status && strcmp(f->status, "live") && !takedown_state(f->status))
		return err_set(e, PRC_INVALID, "no takedown state '%s'", f->status);
	if (f->status && strcmp(f->status, "live"))
		p[1] = takedown_state(f->status);
	if (f->kind && !takedown_kind(f->kind))
		return err_set(e, PRC_INVALID, "no recipient kind '%s'", f->kind);
	if (f->kind)
		p[2] = takedown_kind(f->kind);
	return db_query_rows(d,
			     "SELECT * FROM ("
			     " SELECT t.id, t.url_id AS page_id, t.status,"
			     "  (t.status = 'sent' AND t.sent_at <= now() - make_interval(days => $7::int))"
			     "  OR (t.status = 'reopened' AND t.reopened_at <= now() - make_interval(days => $7::int))"
			     "  OR (t.status = 'acknowledged'"
			     "      AND t.acknowledged_at <= now() - make_interval(days => $8::int)) AS overdue,"
			     "  round((extract(epoch FROM now() - CASE t.status"
			     "     WHEN 'sent' THEN t.sent_at WHEN 'acknowledged' THEN t.acknowledged_at"
			     "     WHEN 'reopened' THEN t.reopened_at WHEN 'open' THEN t.opened_at END) / 86400)::numeric,"
			     "     2) AS waiting_days,"
			     "  t.recipient_kind, t.recipient, t.channel, t.reference, t.category, t.opened_at,"
			     "  t.sent_at, t.acknowledged_at, t.removed_at, u.url"
			     " FROM takedowns t"
			     " JOIN urls u ON u.host_id = t.host_id AND u.id = t.url_id"
			     " JOIN hosts ho ON ho.id = t.host_id"
			     " JOIN jobs j ON j.id = t.job_id"
			     " WHERE ($1::text IS NULL OR j.name = $1)"
			     " AND ($2::text IS NULL OR t.status = $2"
			     "      OR ($2 = 'live' AND t.status IN ('open', 'sent', 'acknowledged', 'reopened')))"
			     " AND ($3::text IS NULL OR t.recipient_kind = $3)"
			     " AND ($4::text IS NULL OR t.recipient = $4)"
			     " AND ($5::text IS NULL OR t.category = $5)"
			     " AND ($6::text IS NULL OR ho.origin = $6 OR ho.origin LIKE '%://' || $6"
			     "      OR ho.origin LIKE '%://' || $6 || ':%')"
			     ") x WHERE (NOT $9::boolean OR overdue)"
			     " ORDER BY overdue DESC, waiting_days DESC NULLS LAST, id"
			     " LIMIT $10::bigint",
			     10, p, res, e);
}

void takedown_detail_release(struct takedown_detail *td)
{
	if (!td)
		return;
	rows_free(td->request);
	rows_free(td->events);
	rows_free(td->rechecks);
	memset(td, 0, sizeof(*td));
}

enum prc takedown_show(struct db *d, int64_t id, struct takedown_detail *out, struct err *e)
{
	char tid[24];
	const char *p[1] = { DB_I64(tid, id) };
	const struct db_rows_query q[] = {
		{ "SELECT ev.seq, ev.at, ev.actor, ev.from_status, ev.to_status, ev.reference, ev.comment"
		  " FROM takedowns t JOIN takedown_events ev"
		  "   ON ev.host_id = t.host_id AND ev.takedown_id = t.id"
		  " WHERE t.id = $1 ORDER BY ev.seq",
		  &out->events },
		{ "SELECT c.id, c.checked_at, c.outcome, c.reason, c.http_status,"
		  "  array_to_string(c.categories, ',') AS categories, c.error, c.actor"
		  " FROM takedowns t JOIN rechecks c ON c.host_id = t.host_id AND c.url_id = t.url_id"
		  " WHERE t.id = $1 AND c.checked_at >= t.opened_at ORDER BY c.id",
		  &out->rechecks },
	};
	enum prc rc;

	memset(out, 0, sizeof(*out));
	rc = db_query_rows(d,
			   "SELECT t.id, t.url_id AS page_id, u.url, j.name AS job, ho.origin AS host, t.status,"
			   "  t.recipient_kind, t.recipient, t.channel, t.reference, t.category, t.opened_by,"
			   "  t.opened_at, t.sent_by, t.sent_at, t.acknowledged_at, t.removed_at, t.reopened_at,"
			   "  t.closed_at, t.nevents AS events"
			   " FROM takedowns t"
			   " JOIN urls u ON u.host_id = t.host_id AND u.id = t.url_id"
			   " JOIN hosts ho ON ho.id = t.host_id"
			   " JOIN jobs j ON j.id = t.job_id"
			   " WHERE t.id = $1",
			   1, p, &out->request, e);
	if (rc == PRC_OK && out->request->nrows == 0)
		rc = err_set(e, PRC_NOTFOUND, "no takedown request %" PRId64, id);
	if (rc == PRC_OK)
		rc = db_query_rows_seq(d, q, sizeof(q) / sizeof(q[0]), 1, p, e);
	if (rc != PRC_OK)
		takedown_detail_release(out);
	return rc;
}
