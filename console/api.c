/*
 * api.c - the console's JSON API under /api/: the same reads and actions as
 * the pages, with the same session and roles; a POST needs the session's
 * token in the header X-CSRF-Token (checked in server.c before any handler
 * runs). Errors are {"error": "..."} with the HTTP status saying which kind.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "console/rulesinfo.h"
#include "console/web.h"
#include "store/webstore.h"
#include "util/json.h"

/* Columns written as JSON numbers or booleans rather than strings. */
static int numeric(const char *col)
{
	static const char *const cols[] = { "page_id", "id", "score", "http_status", "waiting_days",
					    "subject", "fetch_id", "size", "requests", "removed", "pages",
					    "confirmed", "dismissed", "new", "failed_logins", "hosts",
					    "queued", "claimed", "done", "refused", "flagged",
					    "dismissal_rate", "mean_score", NULL };
	int i;

	for (i = 0; cols[i]; i++)
		if (!strcmp(col, cols[i]))
			return 1;
	return 0;
}

static void json_value(FILE *o, const char *col, const char *v)
{
	char *end;

	if (!v) {
		fputs("null", o);
	} else if (numeric(col) && *v && (strtod(v, &end), *end == '\0')) {
		fputs(v, o);
	} else if (!strcmp(col, "overdue") || !strcmp(col, "disabled")) {
		fputs(!strcmp(v, "t") ? "true" : "false", o);
	} else {
		json_write_str(o, v);
	}
}

static void json_row(FILE *o, const struct rows *rows, int k)
{
	int i;

	fputc('{', o);
	for (i = 0; i < rows->ncols; i++) {
		if (i)
			fputc(',', o);
		json_write_str(o, rows->names[i]);
		fputc(':', o);
		json_value(o, rows->names[i], rows->cells[(size_t)k * (size_t)rows->ncols + (size_t)i]);
	}
	fputc('}', o);
}

static void json_rows(FILE *o, const struct rows *rows)
{
	int k;

	fputc('[', o);
	for (k = 0; rows && k < rows->nrows; k++) {
		if (k)
			fputc(',', o);
		json_row(o, rows, k);
	}
	fputc(']', o);
}

void api_error(struct web_req *r, int status, const char *msg)
{
	r->status = status;
	r->ctype = "application/json";
	fputs("{\"error\":", r->out);
	json_write_str(r->out, msg);
	fputs("}\n", r->out);
}

void api_session(struct web_req *r)
{
	r->ctype = "application/json";
	fputs("{\"user\":", r->out);
	json_write_str(r->out, r->user.name);
	fputs(",\"role\":", r->out);
	json_write_str(r->out, r->user.role);
	fputs(",\"csrf\":", r->out);
	json_write_str(r->out, r->user.csrf);
	fputs("}\n", r->out);
}

void api_pages(struct web_req *r)
{
	struct web_filter f;
	struct rows *rows = NULL;
	struct err e = { "" };
	FILE *o = r->out;
	const char *s;
	long total = 0;
	int k;

	web_filter_init(&f);
	f.status = web_query(r, "status");
	if (f.status && (!strcmp(f.status, "any") || !strcmp(f.status, "all")))
		f.status = NULL;
	f.category = web_query(r, "category");
	f.source = web_query(r, "source");
	if (f.source && (!strcmp(f.source, "all") || !strcmp(f.source, "any")))
		f.source = NULL;
	else if (f.source && !strcmp(f.source, "rules"))
		f.source = "rule";
	f.host = web_query(r, "host");
	f.job = web_query(r, "job");
	f.rule = web_query(r, "rule");
	f.since = web_query(r, "since");
	f.until = web_query(r, "until");
	if ((s = web_query(r, "min_score")))
		f.min_score = atof(s);
	if ((s = web_query(r, "sort")))
		f.sort = s;
	f.desc = (s = web_query(r, "desc")) && !strcmp(s, "1");
	f.limit = (s = web_query(r, "limit")) ? atol(s) : 500;
	f.offset = (s = web_query(r, "offset")) ? atol(s) : 0;
	if (!web_date_ok(f.since) || !web_date_ok(f.until)) {
		api_error(r, 400, "since and until must be dates (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS+09:00)");
		return;
	}
	if (webstore_pages(r->db, &f, &rows, &total, &e) != PRC_OK) {
		api_error(r, 400, e.msg);
		return;
	}
	r->ctype = "application/json";
	fputc('[', o);
	for (k = 0; k < rows->nrows; k++) {
		const char *cats = rows_str(rows, k, "categories");
		const char *comma = strchr(cats, ',');
		int i;

		if (k)
			fputc(',', o);
		/* the contract's names first, then every column as the store gives it */
		fputs("{\"page_id\":", o);
		json_value(o, "page_id", rows_get(rows, k, "page_id"));
		fputs(",\"url\":", o);
		json_write_str(o, rows_get(rows, k, "url"));
		fputs(",\"category\":", o);
		if (comma) {
			char first[64];

			snprintf(first, sizeof(first), "%.*s", (int)(comma - cats), cats);
			json_write_str(o, first);
		} else {
			json_write_str(o, cats);
		}
		fputs(",\"score\":", o);
		json_value(o, "score", rows_get(rows, k, "score"));
		fputs(",\"review_status\":", o);
		json_write_str(o, rows_get(rows, k, "status"));
		for (i = 0; i < rows->ncols; i++) {
			const char *n = rows->names[i];

			if (!strcmp(n, "page_id") || !strcmp(n, "url") || !strcmp(n, "score"))
				continue;
			fputc(',', o);
			json_write_str(o, n);
			fputc(':', o);
			json_value(o, n, rows->cells[(size_t)k * (size_t)rows->ncols + (size_t)i]);
		}
		fputc('}', o);
	}
	fputs("]\n", o);
	rows_free(rows);
}

void api_page(struct web_req *r, int64_t id)
{
	struct review_detail p;
	struct rows_section s[REVIEW_SECTIONS];
	struct err e = { "" };
	FILE *o = r->out;
	enum prc rc;
	int i;

	rc = webstore_page(r->db, id, &p, &e);
	if (rc != PRC_OK) {
		api_error(r, rc == PRC_NOTFOUND ? 404 : 503, e.msg);
		return;
	}
	r->ctype = "application/json";
	fputs("{\"page\":", o);
	if (p.page && p.page->nrows)
		json_row(o, p.page, 0);
	else
		fputs("null", o);
	review_detail_sections(&p, s);
	for (i = 0; i < REVIEW_SECTIONS; i++) {
		fputc(',', o);
		json_write_str(o, s[i].name);
		fputc(':', o);
		json_rows(o, s[i].rows);
	}
	api_snapshots(r, id);
	fputs("}\n", o);
	review_detail_release(&p);
}

/* A field of the POST: the form's, else the query string's. */
static const char *param(struct web_req *r, const char *name)
{
	const char *v = web_form(r, name);

	if (!v)
		v = web_query(r, name);
	return v && *v ? v : NULL;
}

static int api_status(enum prc rc)
{
	switch (rc) {
	case PRC_NOTFOUND: return 404;
	case PRC_DECLINED: return 409;
	case PRC_INVALID: return 400;
	default: return 503;
	}
}

void api_page_action(struct web_req *r, int64_t id, const char *verb)
{
	struct err e = { "" };
	char from[16] = "";
	const char *to;
	int64_t tid = 0;
	enum prc rc;

	if (!strcmp(verb, "takedown")) {
		if (!web_role_in(r, web_coordinators)) {
			api_error(r, 403, "this role may not open takedown requests");
			return;
		}
		rc = webstore_takedown_open(r->db, id, param(r, "kind"), param(r, "recipient"),
					    param(r, "channel"), param(r, "reference"), r->user.name,
					    param(r, "comment"), &tid, &e);
		if (rc != PRC_OK) {
			api_error(r, api_status(rc), e.msg);
			return;
		}
		r->ctype = "application/json";
		fprintf(r->out, "{\"id\":%" PRId64 ",\"page_id\":%" PRId64 ",\"status\":\"open\"}\n", tid, id);
		return;
	}
	if (strcmp(verb, "confirm") && strcmp(verb, "dismiss")) {
		api_error(r, 404, "no such action");
		return;
	}
	if (!web_role_in(r, web_reviewers)) {
		api_error(r, 403, "this role may not review pages");
		return;
	}
	to = !strcmp(verb, "confirm") ? "confirmed" : "dismissed";
	rc = webstore_decide(r->db, id, to, !strcmp(to, "confirmed") ? param(r, "category") : NULL, r->user.name,
			     param(r, "comment"), from, &e);
	if (rc != PRC_OK && !(rc == PRC_DECLINED && !strcmp(from, to))) {
		api_error(r, api_status(rc), e.msg);
		return;
	}
	if (rc == PRC_OK && !strcmp(to, "confirmed"))
		web_snapshot_on_confirm(r, id);
	r->ctype = "application/json";
	fprintf(r->out, "{\"page_id\":%" PRId64 ",\"from\":", id);
	json_write_str(r->out, from);
	fputs(",\"review_status\":", r->out);
	json_write_str(r->out, to);
	fprintf(r->out, ",\"changed\":%s}\n", rc == PRC_OK ? "true" : "false");
}

/* Answers rows as a JSON array when rc is PRC_OK, else status with e's message; frees rows. */
static void send_rows(struct web_req *r, enum prc rc, struct rows *rows, int status,
		      const struct err *e)
{
	if (rc != PRC_OK) {
		api_error(r, status, e->msg);
	} else {
		r->ctype = "application/json";
		json_rows(r->out, rows);
		fputc('\n', r->out);
	}
	rows_free(rows);
}

void api_takedowns(struct web_req *r)
{
	struct rows *rows = NULL;
	struct err e = { "" };
	enum prc rc;

	rc = webstore_takedowns(r->db, web_query(r, "status"), &rows, &e);
	send_rows(r, rc, rows, 400, &e);
}

void api_takedown_action(struct web_req *r, int64_t id, const char *verb)
{
	struct err e = { "" };
	char from[16] = "", to[16] = "";
	enum prc rc;

	if (!web_role_in(r, web_coordinators)) {
		api_error(r, 403, "this role may not act on takedown requests");
		return;
	}
	rc = webstore_takedown_act(r->db, id, verb, param(r, "reference"), r->user.name,
				   param(r, "comment"), from, to, &e);
	if (rc != PRC_OK) {
		api_error(r, api_status(rc), e.msg);
		return;
	}
	r->ctype = "application/json";
	fprintf(r->out, "{\"id\":%" PRId64 ",\"from\":", id);
	json_write_str(r->out, from);
	fputs(",\"status\":", r->out);
	json_write_str(r->out, to);
	fputs("}\n", r->out);
}

void api_events(struct web_req *r)
{
	struct rows *rows = NULL;
	struct err e = { "" };
	const char *lim = web_query(r, "limit");
	enum prc rc;

	rc = webstore_events(r->db, lim ? atol(lim) : 100, &rows, &e);
	send_rows(r, rc, rows, 503, &e);
}

void api_jobs(struct web_req *r)
{
	struct rows *rows = NULL;
	struct err e = { "" };
	enum prc rc;

	rc = webstore_jobs(r->db, &rows, &e);
	send_rows(r, rc, rows, 503, &e);
}

void api_rules(struct web_req *r)
{
	struct rows *rows = NULL;
	struct err e = { "" };
	enum prc rc;

	rc = webstore_rules(r->db, web_query(r, "job"), &rows, &e);
	send_rows(r, rc, rows, 503, &e);
}

void api_ruleset(struct web_req *r)
{
	const struct rulesinfo *ri;
	const char *lerr = "";
	FILE *o = r->out;
	int loading = 0;
	size_t i;

	r->ctype = "application/json";
	ri = web_rules_lock(&loading, &lerr);
	fprintf(o, "{\"loading\":%s,\"error\":", loading ? "true" : "false");
	if (*lerr)
		json_write_str(o, lerr);
	else
		fputs("null", o);
	if (ri) {
		fputs(",\"dir\":", o);
		json_write_str(o, ri->dir);
		fprintf(o, ",\"loaded_at\":%lld,\"ok\":%s,\"from_cache\":%s,\"errors\":", (long long)ri->loaded_at,
			ri->ok ? "true" : "false", ri->from_cache ? "true" : "false");
		json_write_str(o, ri->errors);
		fputs(",\"files\":[", o);
		for (i = 0; i < ri->nfiles; i++) {
			fputs(i ? ",{\"file\":" : "{\"file\":", o);
			json_write_str(o, ri->files[i].path);
			fprintf(o, ",\"kind\":\"%s\",\"sha256\":\"%s\",\"size\":%lld,\"modified\":%lld}",
				ri->files[i].kind ? "model" : "rule", ri->files[i].sha256, ri->files[i].size,
				(long long)ri->files[i].mtime);
		}
		fputs("],\"rules\":[", o);
		for (i = 0; i < ri->nrules; i++) {
			fputs(i ? ",{\"name\":" : "{\"name\":", o);
			json_write_str(o, ri->rules[i].name);
			fputs(",\"category\":", o);
			json_write_str(o, ri->rules[i].category);
			fputs(",\"file\":", o);
			json_write_str(o, ri->rules[i].file);
			fprintf(o, ",\"line\":%d,\"version\":%lld,\"threshold\":%.4f,\"patterns\":%zu}",
				ri->rules[i].line, ri->rules[i].version, ri->rules[i].threshold, ri->rules[i].patterns);
		}
		fputc(']', o);
	}
	web_rules_unlock();
	fputs("}\n", o);
}
