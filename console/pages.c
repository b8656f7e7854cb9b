/*
 * pages.c - the console's pages, rendered on the server: the review queue,
 * a page's detail, the takedown board and a request's history, the report
 * with its charts as inline SVG, and the event log. Every value read from
 * the store is written through html_esc; a captured page is shown as its
 * stored text and evidence, never as markup, and its URL as text, never as
 * a link. Actions are plain forms with the session's CSRF token; the
 * keyboard script (static/console.js) only moves a selection and submits
 * them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "classifiers/taxonomy.h"
#include "console/capture.h"
#include "console/launch.h"
#include "console/rulesinfo.h"
#include "console/web.h"
#include "store/webstore.h"

#define QUEUE_PAGE 50

static void td(FILE *f, const char *s)
{
	fputs("<td>", f);
	html_esc(f, s);
	fputs("</td>", f);
}

/* "2026-12-07 03:17:12.123+09" → "2026-12-07 03:17:12" (the store reads in Japan time). */
static void td_time(FILE *f, const char *s)
{
	char buf[20];

	if (!s || strlen(s) < 19) {
		td(f, s);
		return;
	}
	memcpy(buf, s, 19);
	buf[19] = '\0';
	fprintf(f, "<td class=\"time\" title=\"");
	html_esc(f, s);
	fputs("\">", f);
	html_esc(f, buf);
	fputs("</td>", f);
}

/* A status as a label, with a class for its colour. */
static void td_status(struct web_req *r, const char *s)
{
	fputs("<td><span class=\"st st-", r->out);
	html_esc(r->out, s);
	fputs("\">", r->out);
	html_esc(r->out, s && (!strcmp(s, "new") || !strcmp(s, "confirmed") || !strcmp(s, "dismissed"))
				 ? L(r, s) : s);
	fputs("</span></td>", r->out);
}

/* "rule" or "hotline" as a label, with a class for its colour. */
static void td_source(struct web_req *r, const char *s)
{
	fputs("<td><span class=\"src src-", r->out);
	html_esc(r->out, s);
	fputs("\">", r->out);
	if (s && !strcmp(s, "hotline"))
		html_esc(r->out, L(r, "source_hotline"));
	else if (s && !strcmp(s, "rule"))
		html_esc(r->out, L(r, "source_rule"));
	else
		html_esc(r->out, s);
	fputs("</span></td>", r->out);
}

/* "drug_ad,adult" → their names. */
static void td_categories(struct web_req *r, const char *list)
{
	char *copy = strdup(list ? list : ""), *save = NULL, *c;
	int first = 1;

	fputs("<td>", r->out);
	for (c = copy ? strtok_r(copy, ",", &save) : NULL; c; c = strtok_r(NULL, ",", &save)) {
		if (!first)
			fputs("、", r->out);
		fputs("<span class=\"cat\" title=\"", r->out);
		html_esc(r->out, c);
		fputs("\">", r->out);
		html_esc(r->out, web_category_name(r, c));
		fputs("</span>", r->out);
		first = 0;
	}
	free(copy);
	fputs("</td>", r->out);
}

void pages_error(struct web_req *r, int status, const char *msg)
{
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	html_begin(r, status == 404 ? L(r, "not_found") : msg);
	fputs("<p class=\"error\">", r->out);
	html_esc(r->out, msg);
	fputs("</p>\n<p><a href=\"/queue\">", r->out);
	html_esc(r->out, L(r, "queue"));
	fputs("</a></p>\n", r->out);
	html_end(r);
}

/* A safe local redirect target from the form's "next", else dflt. */
static const char *next_or(struct web_req *r, const char *dflt)
{
	const char *n = web_form(r, "next");

	if (n && n[0] == '/' && n[1] != '/' && n[1] != '\\' && !strpbrk(n, "\r\n"))
		return n;
	return dflt;
}

static void option(FILE *f, const char *value, const char *label, const char *cur)
{
	fputs("<option value=\"", f);
	html_esc(f, value);
	fputs(cur && !strcmp(cur, value) ? "\" selected>" : "\">", f);
	html_esc(f, label);
	fputs("</option>", f);
}

static void text_input(FILE *f, const char *label, const char *name, const char *value,
		       const char *type)
{
	fputs("<label>", f);
	html_esc(f, label);
	fprintf(f, " <input type=\"%s\" name=\"%s\" value=\"", type, name);
	html_esc(f, value);
	fputs("\"></label>\n", f);
}

/* The source filter: "rule" (also "rules"), "hotline", or NULL for all; anything else is passed on to be refused. */
static const char *queue_source(const char *s)
{
	if (!s || !strcmp(s, "all") || !strcmp(s, "any"))
		return NULL;
	if (!strcmp(s, "rules"))
		return "rule";
	return s;
}

/* Rows per page of the queue: ?per=N, 1 to 200 (default QUEUE_PAGE). */
static long queue_per(struct web_req *r)
{
	const char *s = web_query(r, "per");
	long n = s ? atol(s) : QUEUE_PAGE;

	return n < 1 ? 1 : n > 200 ? 200 : n;
}

/* The query's filter; strings point into the request. */
static void queue_filter(struct web_req *r, struct web_filter *f, long *page)
{
	const char *s;

	web_filter_init(f);
	f->status = web_query(r, "status");
	if (!f->status && !web_query(r, "all"))
		f->status = "new";
	if (f->status && !strcmp(f->status, "any"))
		f->status = NULL;
	f->category = web_query(r, "category");
	f->source = queue_source(web_query(r, "source"));
	f->host = web_query(r, "host");
	f->job = web_query(r, "job");
	f->rule = web_query(r, "rule");
	f->since = web_query(r, "since");
	f->until = web_query(r, "until");
	if ((s = web_query(r, "min_score")))
		f->min_score = atof(s);
	f->sort = web_query(r, "sort") ? web_query(r, "sort") : "score";
	f->desc = web_query(r, "desc") ? !strcmp(web_query(r, "desc"), "1") : !web_query(r, "sort");
	*page = web_query(r, "page") ? atol(web_query(r, "page")) : 1;
	if (*page < 1)
		*page = 1;
	f->limit = queue_per(r);
	f->offset = (*page - 1) * f->limit;
}

/* The query string of the current filter without the page, for links. */
static void queue_query(struct web_req *r, FILE *f)
{
	static const char *const keys[] = { "status", "source", "category", "host", "job", "rule", "since",
					    "until", "min_score", "sort", "desc", "per", "lang", NULL };
	int i;

	for (i = 0; keys[i]; i++) {
		const char *v = web_query(r, keys[i]);

		if (!v)
			continue;
		fprintf(f, "%s=", keys[i]);
		url_esc(f, v);
		fputs("&amp;", f);
	}
}

static void action_form(struct web_req *r, int64_t id, const char *verb, const char *next)
{
	FILE *f = r->out;

	fprintf(f, "<form method=\"post\" action=\"/pages/%" PRId64 "/%s\" class=\"inline act-%s\">", id,
		verb, verb);
	html_csrf(r);
	fputs("<input type=\"hidden\" name=\"next\" value=\"", f);
	html_esc(f, next);
	fprintf(f, "\"><input type=\"hidden\" name=\"comment\" value=\"\" class=\"comment\">"
		   "<button type=\"submit\">%s</button></form>",
		L(r, verb));
}

void pages_queue(struct web_req *r)
{
	struct web_filter f;
	struct rows *rows = NULL, *counts = NULL;
	struct err e = { "" };
	FILE *o = r->out;
	long page, total = 0;
	char *self = NULL;
	size_t selflen = 0;
	FILE *sf;
	size_t i;
	int k, reviewer = web_role_in(r, web_reviewers);
	static const char *const sorts[] = { "score", "date", "id", "url", "status", NULL };

	queue_filter(r, &f, &page);
	if (!web_date_ok(f.since) || !web_date_ok(f.until)) {
		pages_error(r, 400, r->en ? "since and until must be dates (YYYY-MM-DD)"
					  : "検知日は YYYY-MM-DD の形で指定してください");
		return;
	}
	if (webstore_pages(r->db, &f, &rows, &total, &e) != PRC_OK) {
		pages_error(r, 400, e.msg);
		return;
	}
	webstore_category_counts(r->db, f.status, &counts, &e);
	sf = open_memstream(&self, &selflen);
	if (sf) {
		fputs("/queue?", sf);
		queue_query(r, sf);
		fprintf(sf, "page=%ld", page);
		fclose(sf);
	}
	html_begin(r, L(r, "queue"));

	/* counts per category */
	fprintf(o, "<section class=\"counts\"><h2>%s</h2><ul>", L(r, "all_categories"));
	for (k = 0; counts && k < counts->nrows; k++) {
		const char *c = rows_str(counts, k, "category");

		fputs("<li><a href=\"/queue?category=", o);
		url_esc(o, c);
		if (f.status) {
			fputs("&amp;status=", o);
			url_esc(o, f.status);
		} else {
			fputs("&amp;status=any", o);
		}
		fputs("\">", o);
		html_esc(o, web_category_name(r, c));
		fputs(" <b>", o);
		html_esc(o, rows_str(counts, k, "pages"));
		fputs("</b></a></li>", o);
	}
	fputs("</ul></section>\n", o);

	/* filters */
	fputs("<form method=\"get\" action=\"/queue\" class=\"filters\" id=\"filters\">\n", o);
	fprintf(o, "<label>%s <select name=\"status\">", L(r, "status"));
	option(o, "new", L(r, "new"), f.status);
	option(o, "confirmed", L(r, "confirmed"), f.status);
	option(o, "dismissed", L(r, "dismissed"), f.status);
	option(o, "any", L(r, "any"), f.status ? f.status : "any");
	fprintf(o, "</select></label>\n<label>%s <select name=\"source\">", L(r, "source"));
	option(o, "all", L(r, "source_all"), f.source ? f.source : "all");
	option(o, "rule", L(r, "source_rule"), f.source);
	option(o, "hotline", L(r, "source_hotline"), f.source);
	fprintf(o, "</select></label>\n<label>%s <select name=\"category\">", L(r, "category"));
	option(o, "", L(r, "any"), f.category ? f.category : "");
	for (i = 0; i < taxonomy_count(); i++)
		option(o, taxonomy_get(i)->code, web_category_name(r, taxonomy_get(i)->code), f.category);
	fputs("</select></label>\n", o);
	text_input(o, L(r, "min_score"), "min_score", web_query(r, "min_score"), "text");
	text_input(o, L(r, "host"), "host", f.host, "text");
	text_input(o, L(r, "job"), "job", f.job, "text");
	text_input(o, L(r, "rule"), "rule", f.rule, "text");
	text_input(o, L(r, "since"), "since", f.since, "date");
	text_input(o, L(r, "until"), "until", f.until, "date");
	fprintf(o, "<label>%s <select name=\"sort\">", L(r, "sort"));
	for (k = 0; sorts[k]; k++)
		option(o, sorts[k], sorts[k], f.sort);
	fprintf(o, "</select></label>\n<label><input type=\"checkbox\" name=\"desc\" value=\"1\"%s> %s</label>\n",
		f.desc ? " checked" : "", L(r, "desc"));
	if (web_query(r, "lang")) {
		fputs("<input type=\"hidden\" name=\"lang\" value=\"", o);
		html_esc(o, web_query(r, "lang"));
		fputs("\">", o);
	}
	fprintf(o, "<button type=\"submit\">%s</button>\n</form>\n", L(r, "filter"));

	fprintf(o, "<p class=\"summary\"><span id=\"total\">%ld</span> %s</p>\n", total, L(r, "pages"));
	fprintf(o, "<p class=\"keys\">%s</p>\n", L(r, "keys"));

	/* the bulk form: rows' checkboxes belong to it */
	if (reviewer) {
		fputs("<form method=\"post\" action=\"/queue/bulk\" id=\"bulk\" class=\"bulk\">", o);
		html_csrf(r);
		fputs("<input type=\"hidden\" name=\"next\" value=\"", o);
		html_esc(o, self ? self : "/queue");
		fprintf(o, "\"><span class=\"bulk-ask\" hidden>%s</span>%s "
			   "<select name=\"action\"><option value=\"confirmed\">%s</option>"
			   "<option value=\"dismissed\">%s</option></select>"
			   " <button type=\"submit\">OK</button></form>\n",
			L(r, "bulk_ask"), L(r, "bulk"), L(r, "confirmed"), L(r, "dismissed"));
	}

	fprintf(o, "<table class=\"queue\" id=\"queue\">\n<thead><tr><th></th><th>ID</th><th>%s</th>"
		   "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead>\n<tbody>\n",
		L(r, "score"), L(r, "category"), L(r, "source"), L(r, "url"), L(r, "host"), L(r, "flagged_at"),
		L(r, "status"), L(r, "takedown"));
	for (k = 0; k < rows->nrows; k++) {
		const char *id = rows_str(rows, k, "page_id");
		int64_t pid = strtoll(id, NULL, 10);

		fputs("<tr class=\"row\" data-id=\"", o);
		html_esc(o, id);
		fputs("\"><td>", o);
		if (reviewer) {
			fputs("<input type=\"checkbox\" name=\"id\" form=\"bulk\" value=\"", o);
			html_esc(o, id);
			fputs("\">", o);
		}
		fputs("</td><td><a class=\"open\" href=\"/pages/", o);
		html_esc(o, id);
		fputs("\">", o);
		html_esc(o, id);
		fputs("</a></td>", o);
		td(o, rows_str(rows, k, "score"));
		td_categories(r, rows_get(rows, k, "categories"));
		td_source(r, rows_get(rows, k, "source"));
		fputs("<td class=\"url\">", o);
		html_esc(o, rows_str(rows, k, "url"));
		fputs("</td>", o);
		td(o, rows_str(rows, k, "host"));
		td_time(o, rows_get(rows, k, "flagged_at"));
		td_status(r, rows_get(rows, k, "status"));
		td(o, rows_str(rows, k, "takedown_status"));
		fputs("<td class=\"acts\">", o);
		if (reviewer) {
			action_form(r, pid, "confirm", self ? self : "/queue");
			action_form(r, pid, "dismiss", self ? self : "/queue");
		}
		fputs("</td></tr>\n", o);
	}
	fputs("</tbody></table>\n<p class=\"paging\">", o);
	if (page > 1) {
		fputs("<a rel=\"prev\" href=\"/queue?", o);
		queue_query(r, o);
		fprintf(o, "page=%ld\">%s</a> ", page - 1, L(r, "prev"));
	}
	fprintf(o, "%ld / %ld", page, total ? (total + f.limit - 1) / f.limit : 1);
	if (page * f.limit < total) {
		fputs(" <a rel=\"next\" href=\"/queue?", o);
		queue_query(r, o);
		fprintf(o, "page=%ld\">%s</a>", page + 1, L(r, "next"));
	}
	fputs("</p>\n", o);
	html_end(r);
	free(self);
	rows_free(rows);
	rows_free(counts);
}

/* A table of the given columns of rows, headed by the label keys. */
static void rows_table(struct web_req *r, const struct rows *rows, const char *const *cols,
		       const char *const *heads)
{
	FILE *o = r->out;
	int i, k;

	if (!rows || rows->nrows == 0) {
		fprintf(o, "<p class=\"none\">%s</p>\n", L(r, "none"));
		return;
	}
	fputs("<table>\n<thead><tr>", o);
	for (i = 0; cols[i]; i++) {
		fputs("<th>", o);
		html_esc(o, L(r, heads[i]));
		fputs("</th>", o);
	}
	fputs("</tr></thead>\n<tbody>\n", o);
	for (k = 0; k < rows->nrows; k++) {
		fputs("<tr>", o);
		for (i = 0; cols[i]; i++) {
			const char *v = rows_get(rows, k, cols[i]);

			if (v && strlen(v) >= 22 && v[4] == '-' && v[10] == ' ' && v[13] == ':')
				td_time(o, v);
			else
				td(o, v);
		}
		fputs("</tr>\n", o);
	}
	fputs("</tbody></table>\n", o);
}

/* rows_table under a heading, the label key title. */
static void rows_section(struct web_req *r, const char *title, const struct rows *rows,
			 const char *const *cols, const char *const *heads)
{
	fprintf(r->out, "<h2>%s</h2>\n", L(r, title));
	rows_table(r, rows, cols, heads);
}

static void fact(struct web_req *r, const char *label, const char *value)
{
	fputs("<tr><th>", r->out);
	html_esc(r->out, L(r, label));
	fputs("</th><td>", r->out);
	html_esc(r->out, value);
	fputs("</td></tr>\n", r->out);
}


/* 1 when text[s, e) with its whitespace squeezed is part of evidence: the offsets are this text's. */
static int slice_in_evidence(const char *text, size_t s, size_t e, const char *evidence)
{
	char *sq = malloc(e - s + 1);
	size_t i, n = 0;
	int found;

	if (!sq)
		return 0;
	for (i = s; i < e; i++) {
		char c = text[i];

		if (c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f')
			c = ' ';
		if (c == ' ' && (n == 0 || sq[n - 1] == ' '))
			continue;
		sq[n++] = c;
	}
	while (n && sq[n - 1] == ' ')
		n--;
	sq[n] = '\0';
	found = n > 0 && strstr(evidence, sq) != NULL;
	free(sq);
	return found;
}

static int cmp_range(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Writes n bytes of s escaped. */
static void html_escn(FILE *f, const char *s, size_t n)
{
	char *c = strndup(s, n);

	html_esc(f, c);
	free(c);
}

#define STORED_TEXT_MAX (256u * 1024)

/* The stored text of the page's latest captured fetch, each hit's match marked. */
static void stored_text(struct web_req *r, int64_t id, const struct review_detail *p)
{
	const char *fetch = rows_get(p->evidence, 0, "fetch_id");
	struct capture c;
	struct err e = { "" };
	FILE *o = r->out;
	size_t (*ranges)[2] = NULL, nr = 0, pos = 0, i, shown;
	int k;

	if (!fetch)
		return;
	if (capture_load(r->opts->warc_dir ? r->opts->warc_dir : "var/warc", rows_str(p->evidence, 0, "warc_file"),
			 strtoull(rows_str(p->evidence, 0, "warc_offset"), NULL, 10), rows_str(p->page, 0, "url"), 1,
			 &c, &e) != PRC_OK) {
		fputs("<p class=\"error\" id=\"capture\">", o);
		html_esc(o, e.msg);
		fputs("</p>\n", o);
		return;
	}
	fprintf(o, "<p id=\"capture\">%s: <span class=\"%s\">", L(r, "warc"), c.verified ? "verified" : "error");
	html_esc(o, c.verified ? L(r, "verified") : c.verify);
	fprintf(o, "</span> <a href=\"/pages/%" PRId64 "/warc\" download>%s</a></p>\n", id, L(r, "download"));
	fprintf(o, "<h2>%s</h2>\n", L(r, "stored_text"));
	ranges = calloc(p->hits ? (size_t)p->hits->nrows + 1 : 1, sizeof(*ranges));
	for (k = 0; ranges && p->hits && k < p->hits->nrows; k++) {
		const char *hs = rows_get(p->hits, k, "ev_start"), *he = rows_get(p->hits, k, "ev_end");
		size_t s, en;

		if (!hs || !he || strcmp(rows_str(p->hits, k, "fetch_id"), fetch))
			continue;
		s = strtoull(hs, NULL, 10);
		en = strtoull(he, NULL, 10);
		if (s < en && en <= c.text_len && en - s < 4096 &&
		    slice_in_evidence(c.text, s, en, rows_str(p->hits, k, "evidence"))) {
			ranges[nr][0] = s;
			ranges[nr][1] = en;
			nr++;
		}
	}
	if (nr)
		qsort(ranges, nr, sizeof(*ranges), cmp_range);
	shown = c.text_len < STORED_TEXT_MAX ? c.text_len : STORED_TEXT_MAX;
	fputs("<pre class=\"stored\" id=\"stored\">", o);
	for (i = 0; i < nr; i++) {
		if (ranges[i][0] < pos || ranges[i][1] > shown)
			continue; /* overlaps the one before, or past what is shown */
		html_escn(o, c.text + pos, ranges[i][0] - pos);
		fputs("<mark>", o);
		html_escn(o, c.text + ranges[i][0], ranges[i][1] - ranges[i][0]);
		fputs("</mark>", o);
		pos = ranges[i][1];
	}
	html_escn(o, c.text + pos, shown - pos);
	fputs("</pre>\n", o);
	if (shown < c.text_len)
		fprintf(o, "<p>(%zu / %zu bytes)</p>\n", shown, c.text_len);
	free(ranges);
	capture_release(&c);
}

void pages_warc(struct web_req *r, int64_t id)
{
	struct review_detail p;
	struct capture c;
	struct err e = { "" };

	if (webstore_page(r->db, id, &p, &e) != PRC_OK || !p.evidence || p.evidence->nrows == 0) {
		if (p.page)
			review_detail_release(&p);
		pages_error(r, 404, L(r, "not_found"));
		return;
	}
	if (capture_load(r->opts->warc_dir ? r->opts->warc_dir : "var/warc", rows_str(p.evidence, 0, "warc_file"),
			 strtoull(rows_str(p.evidence, 0, "warc_offset"), NULL, 10), "", 0, &c, &e) != PRC_OK) {
		review_detail_release(&p);
		pages_error(r, 404, e.msg);
		return;
	}
	r->ctype = "application/warc";
	snprintf(r->disposition, sizeof(r->disposition), "attachment; filename=\"page-%" PRId64 "-fetch-%s.warc\"",
		 id, rows_str(p.evidence, 0, "fetch_id"));
	fwrite(c.record, 1, c.record_len, r->out);
	capture_release(&c);
	review_detail_release(&p);
}

void pages_page(struct web_req *r, int64_t id)
{
	static const char *const ev_cols[] = { "at", "actor", "from_status", "to_status", "comment", NULL };
	static const char *const ev_heads[] = { "at", "actor", "status", "change", "comment", NULL };
	static const char *const td_cols[] = { "id", "status", "recipient_kind", "recipient", "channel",
					       "reference", "opened_by", "opened_at", "sent_at", NULL };
	static const char *const td_heads[] = { "takedown", "status", "recipient_kind", "recipient",
						"channel", "reference", "actor", "opened_at", "sent_at", NULL };
	static const char *const rc_cols[] = { "checked_at", "outcome", "reason", "http_status", "actor", NULL };
	static const char *const rc_heads[] = { "at", "status", "comment", "http_status", "actor", NULL };
	static const char *const rp_cols[] = { "reported_at", "source", "reference", "category", NULL };
	static const char *const rp_heads[] = { "at", "actor", "reference", "category", NULL };
	static const char *const wv_cols[] = { "fetch_id", "warc_file", "warc_offset", "warc_length",
					       "warc_record_id", "warc_digest", NULL };
	static const char *const wv_heads[] = { "fetch", "warc_file", "offset", "length", "record_id", "sha256", NULL };
	struct review_detail p;
	struct err e = { "" };
	FILE *o = r->out;
	char title[64], next[64];
	const char *status;
	int k;

	if (webstore_page(r->db, id, &p, &e) != PRC_OK) {
		pages_error(r, 404, L(r, "not_found"));
		return;
	}
	status = rows_str(p.page, 0, "status");
	snprintf(title, sizeof(title), "%s %" PRId64, r->en ? "Page" : "ページ", id);
	snprintf(next, sizeof(next), "/pages/%" PRId64, id);
	html_begin(r, title);
	fprintf(o, "<p class=\"pagehead\" data-id=\"%" PRId64 "\">", id);
	fputs("<span class=\"url\">", o);
	html_esc(o, rows_str(p.page, 0, "url"));
	fputs("</span> ", o);
	fputs("<span class=\"st st-", o);
	html_esc(o, status);
	fputs("\">", o);
	html_esc(o, L(r, status));
	fputs("</span></p>\n", o);

	if (web_role_in(r, web_reviewers)) {
		fprintf(o, "<form method=\"post\" action=\"/pages/%" PRId64 "/confirm\" id=\"decide\" class=\"decide\">", id);
		html_csrf(r);
		fputs("<input type=\"hidden\" name=\"next\" value=\"", o);
		html_esc(o, next);
		fputs("\">", o);
		if (!strcmp(rows_str(p.page, 0, "source"), "hotline")) {
			/* a lead no rule flagged: the reviewer may file it under a category */
			size_t i;

			fprintf(o, "<label>%s <select name=\"category\" id=\"decide-category\">", L(r, "category"));
			option(o, "", L(r, "keep_category"), "");
			for (i = 0; i < taxonomy_count(); i++)
				option(o, taxonomy_get(i)->code, web_category_name(r, taxonomy_get(i)->code), NULL);
			fputs("</select></label> ", o);
		}
		fprintf(o, "<label>%s <textarea name=\"comment\" id=\"comment\" rows=\"2\"></textarea></label>"
			   "<button type=\"submit\" class=\"act-confirm\" formaction=\"/pages/%" PRId64 "/confirm\">%s</button>"
			   " <button type=\"submit\" class=\"act-dismiss\" formaction=\"/pages/%" PRId64 "/dismiss\">%s</button>"
			   "</form>\n",
			L(r, "comment"), id, L(r, "confirm"), id, L(r, "dismiss"));
	}

	fprintf(o, "<h2>%s</h2>\n<table class=\"facts\">\n", L(r, "fetch"));
	fact(r, "url", rows_get(p.page, 0, "url"));
	fact(r, "final_url", rows_get(p.page, 0, "final_url"));
	fact(r, "http_status", rows_get(p.page, 0, "http_status"));
	fact(r, "fetched_at", rows_get(p.page, 0, "fetched_at"));
	fact(r, "charset", rows_get(p.page, 0, "charset"));
	fact(r, "sha256", rows_get(p.page, 0, "content_sha256"));
	fact(r, "page_title", rows_get(p.page, 0, "title"));
	fact(r, "job", rows_get(p.page, 0, "job"));
	fact(r, "host", rows_get(p.page, 0, "host"));
	fact(r, "flagged_at", rows_get(p.page, 0, "flagged_at"));
	fact(r, "source", !strcmp(rows_str(p.page, 0, "source"), "hotline") ? L(r, "source_hotline")
									     : L(r, "source_rule"));
	fact(r, "reviewer", rows_get(p.page, 0, "reviewer"));
	fact(r, "comment", rows_get(p.page, 0, "comment"));
	fputs("</table>\n", o);

	fprintf(o, "<h2>%s</h2>\n", L(r, "hits"));
	for (k = 0; p.hits && k < p.hits->nrows; k++) {
		fputs("<div class=\"hit\"><p><span class=\"cat\">", o);
		html_esc(o, web_category_name(r, rows_get(p.hits, k, "category")));
		fputs("</span> <code>", o);
		html_esc(o, rows_str(p.hits, k, "rule"));
		fputs("</code> ", o);
		html_esc(o, L(r, "score"));
		fputs(" <b>", o);
		html_esc(o, rows_str(p.hits, k, "score"));
		fputs("</b> (", o);
		html_esc(o, rows_str(p.hits, k, "classifier"));
		fputs(", fetch ", o);
		html_esc(o, rows_str(p.hits, k, "fetch_id"));
		fputs(")</p><blockquote class=\"evidence\"><mark>", o);
		html_esc(o, rows_str(p.hits, k, "evidence"));
		fputs("</mark></blockquote></div>\n", o);
	}

	pages_snapshot_section(r, id);
	stored_text(r, id, &p);

	rows_section(r, "history", p.events, ev_cols, ev_heads);

	rows_section(r, "takedowns", p.takedowns, td_cols, td_heads);
	for (k = 0; p.takedowns && k < p.takedowns->nrows; k++) {
		fputs("<a class=\"tdlink\" href=\"/takedowns/", o);
		html_esc(o, rows_str(p.takedowns, k, "id"));
		fputs("\">#", o);
		html_esc(o, rows_str(p.takedowns, k, "id"));
		fputs("</a> ", o);
	}
	if (!strcmp(status, "confirmed") && web_role_in(r, web_coordinators)) {
		static const char *const kinds[] = { "hosting_provider", "site_operator", "registrar",
						     "platform", "hotline", NULL };
		static const char *const channels[] = { "email", "web_form", "hotline_report", "letter", NULL };

		fprintf(o, "<h3>%s</h3>\n<form method=\"post\" action=\"/pages/%" PRId64 "/takedown\" id=\"open-takedown\" class=\"takedown\">",
			L(r, "open_takedown"), id);
		html_csrf(r);
		fprintf(o, "<label>%s <select name=\"kind\">", L(r, "recipient_kind"));
		for (k = 0; kinds[k]; k++)
			option(o, kinds[k], kinds[k], NULL);
		fprintf(o, "</select></label> <label>%s <select name=\"channel\">", L(r, "channel"));
		for (k = 0; channels[k]; k++)
			option(o, channels[k], channels[k], NULL);
		fputs("</select></label>\n", o);
		text_input(o, L(r, "recipient"), "recipient", NULL, "text");
		text_input(o, L(r, "reference"), "reference", NULL, "text");
		text_input(o, L(r, "comment"), "comment", NULL, "text");
		fprintf(o, "<button type=\"submit\">%s</button></form>\n", L(r, "open_takedown"));
	}

	rows_section(r, "warc", p.evidence, wv_cols, wv_heads);
	rows_section(r, "rechecks", p.rechecks, rc_cols, rc_heads);
	rows_section(r, "reports", p.reports, rp_cols, rp_heads);
	html_end(r);
	review_detail_release(&p);
}

/* What a refused change answers: 404, 409 (the state does not allow it), 400 or 503. */
static int refusal_status(enum prc rc)
{
	switch (rc) {
	case PRC_NOTFOUND: return 404;
	case PRC_DECLINED: return 409;
	case PRC_INVALID: return 400;
	default: return 503;
	}
}

void pages_page_action(struct web_req *r, int64_t id, const char *verb)
{
	struct err e = { "" };
	char loc[64];
	const char *comment = web_form(r, "comment");
	int64_t tid = 0;
	enum prc rc;

	if (comment && !*comment)
		comment = NULL;
	if (!strcmp(verb, "confirm") || !strcmp(verb, "dismiss")) {
		if (!web_role_in(r, web_reviewers)) {
			pages_error(r, 403, L(r, "forbidden"));
			return;
		}
		const char *cat = web_form(r, "category");

		if (cat && !*cat)
			cat = NULL;
		rc = webstore_decide(r->db, id, !strcmp(verb, "confirm") ? "confirmed" : "dismissed",
				     !strcmp(verb, "confirm") ? cat : NULL, r->user.name, comment, NULL, &e);
		snprintf(loc, sizeof(loc), "/pages/%" PRId64, id);
		/* a page that already has that status: nothing to do */
		if (rc == PRC_OK && !strcmp(verb, "confirm"))
			web_snapshot_on_confirm(r, id);
		if (rc == PRC_OK || (rc == PRC_DECLINED && strstr(e.msg, "already")))
			web_redirect(r, next_or(r, loc));
		else
			pages_error(r, refusal_status(rc), e.msg);
		return;
	}
	if (!strcmp(verb, "takedown")) {
		if (!web_role_in(r, web_coordinators)) {
			pages_error(r, 403, L(r, "forbidden"));
			return;
		}
		rc = webstore_takedown_open(r->db, id, web_form(r, "kind"), web_form(r, "recipient"),
					    web_form(r, "channel"), web_form(r, "reference"), r->user.name,
					    comment, &tid, &e);
		if (rc != PRC_OK) {
			pages_error(r, refusal_status(rc), e.msg);
			return;
		}
		snprintf(loc, sizeof(loc), "/takedowns/%" PRId64, tid);
		web_redirect(r, loc);
		return;
	}
	pages_error(r, 404, L(r, "not_found"));
}

void pages_bulk(struct web_req *r)
{
	const char *to = web_form(r, "action");
	FILE *o = r->out;
	size_t i, n = 0;
	struct err e = { "" };

	if (!web_role_in(r, web_reviewers)) {
		pages_error(r, 403, L(r, "forbidden"));
		return;
	}
	if (!to || (strcmp(to, "confirmed") && strcmp(to, "dismissed"))) {
		pages_error(r, 400, "action must be confirmed or dismissed");
		return;
	}
	for (i = 0; i < r->nform; i++)
		if (!strcmp(r->form[i].k, "id"))
			n++;
	if (!web_form(r, "sure")) {
		/* ask first, with the count */
		html_begin(r, L(r, "bulk"));
		fprintf(o, "<p class=\"ask\"><b>%zu</b> %s</p>\n<form method=\"post\" action=\"/queue/bulk\">", n,
			L(r, "bulk_ask"));
		html_csrf(r);
		fputs("<input type=\"hidden\" name=\"sure\" value=\"1\"><input type=\"hidden\" name=\"action\" value=\"", o);
		html_esc(o, to);
		fputs("\"><input type=\"hidden\" name=\"next\" value=\"", o);
		html_esc(o, next_or(r, "/queue"));
		fputs("\">", o);
		for (i = 0; i < r->nform; i++)
			if (!strcmp(r->form[i].k, "id")) {
				fputs("<input type=\"hidden\" name=\"id\" value=\"", o);
				html_esc(o, r->form[i].v);
				fputs("\">", o);
			}
		fprintf(o, "<button type=\"submit\">%s (%s)</button></form>\n", L(r, to), "OK");
		html_end(r);
		return;
	}
	for (i = 0; i < r->nform; i++) {
		int64_t id;

		if (strcmp(r->form[i].k, "id"))
			continue;
		id = strtoll(r->form[i].v, NULL, 10);
		/* a page already so, or refused by the database, stays as it is: the queue shows it */
		if (id > 0 && webstore_decide(r->db, id, to, NULL, r->user.name, NULL, NULL, &e) == PRC_OK &&
		    !strcmp(to, "confirmed"))
			web_snapshot_on_confirm(r, id);
	}
	web_redirect(r, next_or(r, "/queue"));
}

void pages_takedowns(struct web_req *r)
{
	static const char *const cols[] = { "id", "status", "overdue", "waiting_days", "recipient_kind",
					    "recipient", "channel", "reference", "category", "opened_at",
					    "sent_at", "url", NULL };
	static const char *const heads[] = { "takedown", "status", "overdue", "waiting_days", "recipient_kind",
					     "recipient", "channel", "reference", "category", "opened_at",
					     "sent_at", "url", NULL };
	static const char *const states[] = { "live", "open", "sent", "acknowledged", "removed",
					      "refused", "expired", "reopened", NULL };
	const char *st = web_query(r, "status");
	struct rows *rows = NULL;
	struct err e = { "" };
	FILE *o = r->out;
	int k, i;

	if (!st)
		st = "live";
	if (webstore_takedowns(r->db, !strcmp(st, "all") ? NULL : st, &rows, &e) != PRC_OK) {
		pages_error(r, 400, e.msg);
		return;
	}
	html_begin(r, L(r, "takedowns"));
	fputs("<p class=\"states\">", o);
	for (k = 0; states[k]; k++)
		fprintf(o, "<a href=\"/takedowns?status=%s\"%s>%s</a> ", states[k],
			!strcmp(st, states[k]) ? " class=\"cur\"" : "", states[k]);
	fputs("<a href=\"/takedowns?status=all\">all</a></p>\n", o);
	if (rows->nrows == 0) {
		fprintf(o, "<p class=\"none\">%s</p>\n", L(r, "none"));
	} else {
		fputs("<table class=\"board\" id=\"board\">\n<thead><tr>", o);
		for (i = 0; cols[i]; i++)
			fprintf(o, "<th>%s</th>", L(r, heads[i]));
		fputs("</tr></thead>\n<tbody>\n", o);
		for (k = 0; k < rows->nrows; k++) {
			fprintf(o, "<tr class=\"row%s\" data-id=\"",
				!strcmp(rows_str(rows, k, "overdue"), "t") ? " overdue" : "");
			html_esc(o, rows_str(rows, k, "id"));
			fputs("\"><td><a class=\"open\" href=\"/takedowns/", o);
			html_esc(o, rows_str(rows, k, "id"));
			fputs("\">#", o);
			html_esc(o, rows_str(rows, k, "id"));
			fputs("</a></td>", o);
			for (i = 1; cols[i]; i++) {
				const char *v = rows_get(rows, k, cols[i]);

				if (!strcmp(cols[i], "category"))
					td(o, web_category_name(r, v));
				else if (!strcmp(cols[i], "opened_at") || !strcmp(cols[i], "sent_at"))
					td_time(o, v);
				else if (!strcmp(cols[i], "overdue"))
					td(o, v && !strcmp(v, "t") ? L(r, "overdue") : "");
				else
					td(o, v);
			}
			fputs("</tr>\n", o);
		}
		fputs("</tbody></table>\n", o);
	}
	html_end(r);
	rows_free(rows);
}

void pages_takedown(struct web_req *r, int64_t id)
{
	static const char *const ev_cols[] = { "at", "actor", "from_status", "to_status", "reference",
					       "comment", NULL };
	static const char *const ev_heads[] = { "at", "actor", "status", "change", "reference", "comment", NULL };
	static const char *const rc_cols[] = { "checked_at", "outcome", "reason", "http_status", NULL };
	static const char *const rc_heads[] = { "at", "status", "comment", "http_status", NULL };
	static const char *const verbs[] = { "send", "ack", "removed", "refuse", "close", "note", NULL };
	struct takedown_detail t;
	struct err e = { "" };
	FILE *o = r->out;
	char title[64];
	int k;

	if (webstore_takedown(r->db, id, &t, &e) != PRC_OK) {
		pages_error(r, 404, L(r, "not_found"));
		return;
	}
	snprintf(title, sizeof(title), "%s #%" PRId64, L(r, "takedown"), id);
	html_begin(r, title);
	fputs("<table class=\"facts\">\n", o);
	for (k = 0; t.request && k < t.request->ncols; k++) {
		fputs("<tr><th>", o);
		html_esc(o, t.request->names[k]);
		fputs("</th><td>", o);
		html_esc(o, t.request->nrows ? t.request->cells[k] : "");
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n", o);
	if (rows_get(t.request, 0, "page_id")) {
		fputs("<p><a href=\"/pages/", o);
		html_esc(o, rows_get(t.request, 0, "page_id"));
		fputs("\">", o);
		html_esc(o, r->en ? "the page" : "対象ページ");
		fputs("</a></p>\n", o);
	}
	if (web_role_in(r, web_coordinators)) {
		fprintf(o, "<form method=\"post\" action=\"/takedowns/%" PRId64 "/note\" class=\"tdact\" id=\"tdact\">", id);
		html_csrf(r);
		text_input(o, L(r, "reference"), "reference", NULL, "text");
		text_input(o, L(r, "comment"), "comment", NULL, "text");
		for (k = 0; verbs[k]; k++)
			fprintf(o, "<button type=\"submit\" class=\"td-%s\" formaction=\"/takedowns/%" PRId64 "/%s\">%s</button> ",
				verbs[k], id, verbs[k], L(r, verbs[k]));
		fputs("</form>\n", o);
	}
	rows_section(r, "history", t.events, ev_cols, ev_heads);
	rows_section(r, "rechecks", t.rechecks, rc_cols, rc_heads);
	html_end(r);
	takedown_detail_release(&t);
}

void pages_takedown_action(struct web_req *r, int64_t id, const char *verb)
{
	struct err e = { "" };
	const char *comment = web_form(r, "comment");
	char loc[64];
	enum prc rc;

	if (!web_role_in(r, web_coordinators)) {
		pages_error(r, 403, L(r, "forbidden"));
		return;
	}
	if (comment && !*comment)
		comment = NULL;
	rc = webstore_takedown_act(r->db, id, verb, web_form(r, "reference"), r->user.name, comment,
				   NULL, NULL, &e);
	if (rc != PRC_OK) {
		pages_error(r, refusal_status(rc), e.msg);
		return;
	}
	snprintf(loc, sizeof(loc), "/takedowns/%" PRId64, id);
	web_redirect(r, loc);
}

/* Seconds as hours with one decimal, or "-". */
static void td_hours(FILE *o, const char *secs)
{
	if (!secs || !*secs)
		fputs("<td>-</td>", o);
	else
		fprintf(o, "<td>%.1f h</td>", atof(secs) / 3600.0);
}

/* A bar chart of values 0..1 (or scaled to max) as inline SVG. */
static void svg_bars(FILE *o, const struct rows *rows, const char *label_col, const char *val_col,
		     const char *title, double max)
{
	int k, n = rows ? rows->nrows : 0, w = 60 + n * 48;

	fprintf(o, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"180\" viewBox=\"0 0 %d 180\""
		   " xmlns=\"http://www.w3.org/2000/svg\"><title>",
		w, w);
	html_esc(o, title);
	fputs("</title><line x1=\"40\" y1=\"150\" x2=\"100%\" y2=\"150\" stroke=\"#444\"/>"
	      "<text x=\"2\" y=\"24\" font-size=\"10\">", o);
	fprintf(o, "%g</text><text x=\"2\" y=\"150\" font-size=\"10\">0</text>", max);
	for (k = 0; k < n; k++) {
		double v = atof(rows_str(rows, k, val_col)) / (max > 0 ? max : 1);
		int h = (int)(v * 130.0);

		if (h < 0)
			h = 0;
		if (h > 130)
			h = 130;
		fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"32\" height=\"%d\" fill=\"#3a6ea5\"><title>", 48 + k * 48,
			150 - h, h);
		html_esc(o, rows_str(rows, k, label_col));
		fputs(": ", o);
		html_esc(o, rows_str(rows, k, val_col));
		fprintf(o, "</title></rect><text x=\"%d\" y=\"166\" font-size=\"9\">", 48 + k * 48);
		html_esc(o, rows_str(rows, k, label_col));
		fputs("</text>", o);
	}
	fputs("</svg>\n", o);
}

/*
 * Two series side by side per row (a and b, each divided by div), scaled to
 * the largest value, as inline SVG with a legend: time to removal (median
 * and p90 per category), flags and dismissals per rule. Rows without a
 * value for either are left out; nothing is drawn when none has one.
 */
static void svg_pairs(FILE *o, const struct rows *rows, const char *label_col, const char *a_col,
		      const char *b_col, double div, const char *title, const char *a_label,
		      const char *b_label, const char *id)
{
	int k, n = 0, x, w;
	double max = 0;

	for (k = 0; rows && k < rows->nrows; k++) {
		const char *a = rows_get(rows, k, a_col), *b = rows_get(rows, k, b_col);

		if (!a || !b || !*a || !*b)
			continue;
		n++;
		if (atof(a) / div > max)
			max = atof(a) / div;
		if (atof(b) / div > max)
			max = atof(b) / div;
	}
	if (!n)
		return;
	w = 70 + n * 64;
	if (w < 320)
		w = 320;
	fprintf(o, "<svg class=\"chart\" id=\"%s\" role=\"img\" width=\"%d\" height=\"300\" viewBox=\"0 0 %d 300\""
		   " xmlns=\"http://www.w3.org/2000/svg\"><title>", id, w, w);
	html_esc(o, title);
	fprintf(o, "</title><line x1=\"40\" y1=\"160\" x2=\"%d\" y2=\"160\" stroke=\"#444\"/>"
		   "<text x=\"2\" y=\"34\" font-size=\"10\">%.3g</text><text x=\"2\" y=\"160\" font-size=\"10\">0</text>"
		   "<rect x=\"48\" y=\"6\" width=\"10\" height=\"10\" fill=\"#3a6ea5\"/><text x=\"62\" y=\"15\" font-size=\"10\">",
		w, max);
	html_esc(o, a_label);
	fputs("</text><rect x=\"190\" y=\"6\" width=\"10\" height=\"10\" fill=\"#c0504d\"/><text x=\"204\" y=\"15\" font-size=\"10\">", o);
	html_esc(o, b_label);
	fputs("</text>", o);
	for (k = 0, x = 48; rows && k < rows->nrows; k++) {
		const char *cols[2] = { a_col, b_col }, *fills[2] = { "#3a6ea5", "#c0504d" };
		const char *lab = rows_str(rows, k, label_col);
		int i;

		if (!rows_get(rows, k, a_col) || !rows_get(rows, k, b_col) || !*rows_get(rows, k, a_col) ||
		    !*rows_get(rows, k, b_col))
			continue;
		for (i = 0; i < 2; i++) {
			double v = atof(rows_str(rows, k, cols[i])) / div;
			int h = max > 0 ? (int)(v / max * 120.0) : 0;

			if (h < 0)
				h = 0;
			fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"22\" height=\"%d\" fill=\"%s\"><title>", x + i * 24,
				160 - h, h, fills[i]);
			html_esc(o, lab);
			fprintf(o, ": %.4g</title></rect>", v);
		}
		fprintf(o, "<text x=\"%d\" y=\"174\" font-size=\"9\" transform=\"rotate(30 %d 174)\">", x, x);
		html_esc(o, lab);
		fputs("</text>", o);
		x += 64;
	}
	fputs("</svg>\n", o);
}

void pages_report(struct web_req *r)
{
	static const char *const dim_labels[] = { "by_category", "by_host", "by_provider" };
	static const char *const ol_cols[] = { "id", "page_id", "status", "recipient", "opened_at",
					       "sent_at", "waiting_days", "url", NULL };
	static const char *const ol_heads[] = { "takedown", "url", "status", "recipient", "opened_at",
						"sent_at", "waiting_days", "url", NULL };
	struct web_report rep;
	struct rows *rate = NULL;
	struct err e = { "" };
	FILE *o = r->out;
	int d, k;

	if (webstore_report(r->db, web_query(r, "job"), &rep, &e) != PRC_OK) {
		pages_error(r, 503, e.msg);
		return;
	}
	html_begin(r, L(r, "report"));
	for (d = 0; d < 3; d++) {
		const struct rows *x = rep.dims[d];

		fprintf(o, "<h2>%s</h2>\n", L(r, dim_labels[d]));
		if (!x || x->nrows == 0) {
			fprintf(o, "<p class=\"none\">%s</p>\n", L(r, "none"));
			continue;
		}
		fprintf(o, "<table class=\"report\"><thead><tr><th></th><th>%s</th><th>%s</th><th>%s</th>"
			   "<th>%s</th><th>%s</th><th>%s</th><th>%s (%s)</th><th>%s (%s)</th></tr></thead><tbody>\n",
			L(r, "flagged"), L(r, "confirmed"), L(r, "dismissed"), L(r, "requests"),
			L(r, "removed"), L(r, "removal_rate"), L(r, "to_removal"), L(r, "median"),
			L(r, "to_removal"), L(r, "p90"));
		for (k = 0; k < x->nrows; k++) {
			fputs("<tr>", o);
			td(o, d == 0 ? web_category_name(r, rows_get(x, k, "key")) : rows_get(x, k, "key"));
			td(o, rows_get(x, k, "flagged"));
			td(o, rows_get(x, k, "confirmed"));
			td(o, rows_get(x, k, "dismissed"));
			td(o, rows_get(x, k, "requests"));
			td(o, rows_get(x, k, "removed"));
			td(o, rows_get(x, k, "removal_rate"));
			td_hours(o, rows_get(x, k, "request_to_removal_median_s"));
			td_hours(o, rows_get(x, k, "request_to_removal_p90_s"));
			fputs("</tr>\n", o);
		}
		fputs("</tbody></table>\n", o);
		if (d == 0) {
			svg_bars(o, x, "key", "removal_rate", L(r, "removal_rate"), 1.0);
			svg_pairs(o, x, "key", "request_to_removal_median_s", "request_to_removal_p90_s", 3600.0,
				  L(r, "to_removal"), r->en ? "median (h)" : "中央値(時間)",
				  r->en ? "p90 (h)" : "90パーセンタイル(時間)", "chart-removal-time");
		}
	}
	fprintf(o, "<h2>%s</h2>\n", L(r, "per_month"));
	if (rep.monthly && rep.monthly->nrows) {
		/* the rate per month, computed here from the two counts */
		rate = calloc(1, sizeof(*rate));
		if (rate) {
			rate->nrows = rep.monthly->nrows;
			rate->ncols = 2;
			rate->names = calloc(2, sizeof(char *));
			rate->cells = calloc((size_t)rate->nrows * 2, sizeof(char *));
			if (rate->names && rate->cells) {
				rate->names[0] = strdup("month");
				rate->names[1] = strdup("rate");
				for (k = 0; k < rate->nrows; k++) {
					char v[32];
					double req = atof(rows_str(rep.monthly, k, "requests"));

					snprintf(v, sizeof(v), "%.3f",
						 req > 0 ? atof(rows_str(rep.monthly, k, "removed")) / req : 0);
					rate->cells[k * 2] = strdup(rows_str(rep.monthly, k, "month"));
					rate->cells[k * 2 + 1] = strdup(v);
				}
				svg_bars(o, rate, "month", "rate", L(r, "per_month"), 1.0);
			}
		}
	} else {
		fprintf(o, "<p class=\"none\">%s</p>\n", L(r, "none"));
	}
	fprintf(o, "<h2>%s</h2>\n", L(r, "per_rule"));
	if (rep.rules && rep.rules->nrows) {
		fprintf(o, "<table class=\"report\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
			   "<th>%s</th></tr></thead><tbody>\n",
			L(r, "rule"), L(r, "flagged"), L(r, "confirmed"), L(r, "dismissed"), L(r, "new"));
		for (k = 0; k < rep.rules->nrows; k++) {
			fputs("<tr>", o);
			td(o, rows_get(rep.rules, k, "rule"));
			td(o, rows_get(rep.rules, k, "pages"));
			td(o, rows_get(rep.rules, k, "confirmed"));
			td(o, rows_get(rep.rules, k, "dismissed"));
			td(o, rows_get(rep.rules, k, "new"));
			fputs("</tr>\n", o);
		}
		fputs("</tbody></table>\n", o);
		svg_pairs(o, rep.rules, "rule", "pages", "dismissed", 1.0, L(r, "per_rule"), L(r, "flagged"),
			  L(r, "dismissed"), "chart-rules");
	} else {
		fprintf(o, "<p class=\"none\">%s</p>\n", L(r, "none"));
	}
	rows_section(r, "oldest", rep.oldest, ol_cols, ol_heads);
	html_end(r);
	rows_free(rate);
	webstore_report_release(&rep);
}

void pages_events(struct web_req *r)
{
	static const char *const cols[] = { "at", "actor", "kind", "subject", "from_status", "to_status",
					    "comment", NULL };
	static const char *const heads[] = { "at", "actor", "category", "url", "status", "change", "comment", NULL };
	struct rows *rows = NULL;
	struct err e = { "" };

	if (webstore_events(r->db, 200, &rows, &e) != PRC_OK) {
		pages_error(r, 503, e.msg);
		return;
	}
	html_begin(r, L(r, "events"));
	fputs("<div id=\"events\">\n", r->out);
	rows_table(r, rows, cols, heads);
	fputs("</div>\n", r->out);
	html_end(r);
	rows_free(rows);
}

/* The figures a crawl writes to its --stats-file (Prometheus text), as the crawls page shows them. */
enum { FIG_FETCHED, FIG_STORED, FIG_HITS, FIG_ERRORS, FIG_FRONTIER, FIG_IN_FLIGHT, FIG_ELAPSED, FIG_COUNT };

struct crawl_figures {
	double v[FIG_COUNT];
	time_t updated;
};

/* Reads <stats_dir>/<job>.prom; 0 when there is one. */
static int crawl_figures_read(const char *stats_dir, const char *job, struct crawl_figures *f)
{
	static const char *const keys[FIG_COUNT] = {
		[FIG_FETCHED] = "patrol_pages_fetched_total ",
		[FIG_STORED] = "patrol_records_stored_total ",
		[FIG_HITS] = "patrol_hits_total ",
		[FIG_ERRORS] = "patrol_errors_total{kind=\"transfer\"} ",
		[FIG_FRONTIER] = "patrol_queue_size{queue=\"frontier\"} ",
		[FIG_IN_FLIGHT] = "patrol_transfers_in_flight ",
		[FIG_ELAPSED] = "patrol_elapsed_seconds ",
	};
	char path[4096], line[512];
	struct stat st;
	FILE *fp;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (!stats_dir || !job || strchr(job, '/'))
		return -1;
	snprintf(path, sizeof(path), "%s/%s.prom", stats_dir, job);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	if (fstat(fileno(fp), &st) == 0)
		f->updated = st.st_mtime;
	while (fgets(line, sizeof(line), fp))
		for (i = 0; i < FIG_COUNT; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				f->v[i] = atof(line + strlen(keys[i]));
	fclose(fp);
	return 0;
}

static void jst(char *out, size_t len, time_t t);

void pages_crawls(struct web_req *r)
{
	static const char *const cols[] = { "name", "created_at", "finished_at", "hosts", "queued",
					    "claimed", "done", "refused", "flagged", NULL };
	static const char *const heads[] = { "job", "created_at", "finished_at", "hosts", "queued",
					     "claimed", "fetched", "refused", "flagged", NULL };
	struct rows *rows = NULL;
	struct err e = { "" };
	FILE *o;
	int k, shown = 0;

	if (webstore_jobs(r->db, &rows, &e) != PRC_OK) {
		pages_error(r, 503, e.msg);
		return;
	}
	o = r->out;
	html_begin(r, L(r, "crawls"));
	if (web_query(r, "started"))
		fprintf(o, "<p class=\"notice\">%s</p>\n", L(r, "crawl_started"));
	fputs("<div id=\"crawls\">\n", o);
	rows_table(r, rows, cols, heads);
	fputs("</div>\n", o);
	/* the live figures of the crawls that write them (those started here do) */
	for (k = 0; rows && k < rows->nrows; k++) {
		struct crawl_figures f;
		char when[40];

		if (crawl_figures_read(r->opts->stats_dir, rows_str(rows, k, "name"), &f) != 0)
			continue;
		if (!shown++)
			fprintf(o, "<h2>%s</h2>\n<table id=\"crawl-stats\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
				   "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
				L(r, "crawl_stats"), L(r, "job"), L(r, "fetched"), L(r, "stored"), L(r, "flagged"),
				L(r, "errors"), L(r, "queued"), L(r, "in_flight"), L(r, "elapsed"), L(r, "updated"));
		jst(when, sizeof(when), f.updated);
		fputs("<tr class=\"stats\" data-job=\"", o);
		html_esc(o, rows_str(rows, k, "name"));
		fputs("\">", o);
		td(o, rows_str(rows, k, "name"));
		fprintf(o, "<td class=\"fetched\">%.0f</td><td>%.0f</td><td class=\"hits\">%.0f</td><td>%.0f</td>"
			   "<td>%.0f</td><td>%.0f</td><td>%.1f s</td>",
			f.v[FIG_FETCHED], f.v[FIG_STORED], f.v[FIG_HITS], f.v[FIG_ERRORS], f.v[FIG_FRONTIER],
			f.v[FIG_IN_FLIGHT], f.v[FIG_ELAPSED]);
		td(o, when);
		fputs("</tr>\n", o);
	}
	if (shown)
		fputs("</tbody></table>\n", o);
	if (web_role_in(r, web_admins)) {
		fprintf(o, "<h2>%s</h2>\n<form method=\"post\" action=\"/crawls\" id=\"start-crawl\">",
			L(r, "start_crawl"));
		html_csrf(r);
		text_input(o, L(r, "job"), "job", NULL, "text");
		fprintf(o, "<label>%s <textarea name=\"seeds\" rows=\"5\" cols=\"80\"></textarea></label>"
				"<button type=\"submit\">%s</button></form>\n",
			L(r, "seeds"), L(r, "start_crawl"));
	}
	html_end(r);
	rows_free(rows);
}

/* A time as Japan time, "2026-12-07 03:17:12+09". */
static void jst(char *out, size_t len, time_t t)
{
	struct tm tm;
	time_t j = t + 9 * 3600;

	gmtime_r(&j, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S+09", &tm);
}

/* The stats row of rule name, or -1. */
static int stats_row(const struct rows *stats, const char *name)
{
	int k;

	for (k = 0; stats && k < stats->nrows; k++)
		if (!strcmp(rows_str(stats, k, "rule"), name))
			return k;
	return -1;
}

/* The file's name without the directory. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void pages_rules(struct web_req *r)
{
	static const char *const cols[] = { "rule", "category", "classifier", "pages", "confirmed",
					    "dismissed", "new", "dismissal_rate", "mean_score", "last_hit",
					    NULL };
	static const char *const heads[] = { "rule", "category", "classifier", "flagged", "confirmed",
					     "dismissed", "new", "dismissal_rate", "mean_score", "last_hit",
					     NULL };
	const struct rulesinfo *ri;
	struct rows *rows = NULL;
	struct err e = { "" };
	FILE *o = r->out;
	const char *lerr = "";
	char when[40];
	int loading = 0, nmodels = 0;
	size_t i;

	if (webstore_rules(r->db, web_query(r, "job"), &rows, &e) != PRC_OK) {
		pages_error(r, 503, e.msg);
		return;
	}
	html_begin(r, L(r, "rules"));
	ri = web_rules_lock(&loading, &lerr);
	fprintf(o, "<section id=\"ruleset\">\n<h2>%s</h2>\n", L(r, "ruleset"));
	if (loading)
		fprintf(o, "<p class=\"notice\" id=\"rules-loading\">%s</p>\n", L(r, "rules_loading"));
	if (*lerr) {
		fputs("<p class=\"error\">", o);
		html_esc(o, lerr);
		fputs("</p>\n", o);
	}
	if (ri) {
		jst(when, sizeof(when), ri->loaded_at);
		fputs("<table class=\"facts\">\n", o);
		fact(r, "rules_dir", ri->dir);
		fact(r, "loaded_at", when);
		fprintf(o, "<tr><th>%s</th><td id=\"rules-state\" class=\"%s\">%s</td></tr>\n", L(r, "rules_state"),
			ri->ok ? "verified" : "error", L(r, ri->ok ? "rules_ok" : "rules_refused"));
		fprintf(o, "<tr><th>%s</th><td>%zu / %zu</td></tr>\n", L(r, "rules_count"), ri->nrules, ri->npatterns);
		fputs("</table>\n", o);
		if (*ri->errors) {
			fputs("<pre class=\"error\" id=\"rules-errors\">", o);
			html_esc(o, ri->errors);
			fputs("</pre>\n", o);
		}
		fprintf(o, "<h3>%s</h3>\n<table id=\"rule-files\">\n<thead><tr><th>%s</th><th>%s</th><th>SHA-256</th>"
			   "<th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
			L(r, "rule_files"), L(r, "file"), L(r, "kind"), L(r, "size"), L(r, "modified"));
		for (i = 0; i < ri->nfiles; i++) {
			const struct rulesinfo_file *f = &ri->files[i];

			nmodels += f->kind == 1;
			jst(when, sizeof(when), f->mtime);
			fputs("<tr>", o);
			td(o, base_name(f->path));
			td(o, L(r, f->kind ? "kind_model" : "kind_rule"));
			fputs("<td><code class=\"sha\">", o);
			html_esc(o, f->sha256);
			fprintf(o, "</code></td><td>%lld</td>", f->size);
			td(o, when);
			fputs("</tr>\n", o);
		}
		fputs("</tbody></table>\n", o);
		if (!nmodels)
			fprintf(o, "<p class=\"none\" id=\"no-model\">%s</p>\n", L(r, "no_model"));
		fprintf(o, "<h3>%s</h3>\n<table id=\"loaded-rules\">\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
			   "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
			L(r, "loaded_rules"), L(r, "rule"), L(r, "category"), L(r, "version"), L(r, "file"),
			L(r, "threshold"), L(r, "patterns"), L(r, "flagged"), L(r, "confirmed"), L(r, "dismissed"),
			L(r, "dismissal_rate"));
		for (i = 0; i < ri->nrules; i++) {
			const struct rulesinfo_rule *ru = &ri->rules[i];
			int k = stats_row(rows, ru->name);
			char ver[32], where[300], thr[16], pats[24];

			snprintf(ver, sizeof(ver), "%lld", ru->version);
			snprintf(where, sizeof(where), "%s:%d", base_name(ru->file), ru->line);
			snprintf(thr, sizeof(thr), "%.2f", ru->threshold);
			snprintf(pats, sizeof(pats), "%zu", ru->patterns);
			fputs("<tr class=\"rule\" data-rule=\"", o);
			html_esc(o, ru->name);
			fputs("\">", o);
			td(o, ru->name);
			td(o, web_category_name(r, ru->category));
			td(o, ru->version ? ver : "-");
			td(o, where);
			td(o, thr);
			td(o, pats);
			td(o, k >= 0 ? rows_get(rows, k, "pages") : "0");
			td(o, k >= 0 ? rows_get(rows, k, "confirmed") : "0");
			td(o, k >= 0 ? rows_get(rows, k, "dismissed") : "0");
			td(o, k >= 0 ? rows_get(rows, k, "dismissal_rate") : "");
			fputs("</tr>\n", o);
		}
		fputs("</tbody></table>\n", o);
	}
	web_rules_unlock();
	if (web_role_in(r, web_rule_authors) && !loading) {
		fputs("<form method=\"post\" action=\"/rules/reload\" id=\"rules-reload\">", o);
		html_csrf(r);
		fprintf(o, "<button type=\"submit\">%s</button></form>\n", L(r, "rules_reload"));
	}
	fputs("</section>\n", o);
	fprintf(o, "<h2>%s</h2>\n<div id=\"rules\">\n", L(r, "rule_stats"));
	rows_table(r, rows, cols, heads);
	fputs("</div>\n", o);
	html_end(r);
	rows_free(rows);
}

void pages_rules_reload(struct web_req *r)
{
	if (!web_role_in(r, web_rule_authors)) {
		pages_error(r, 403, L(r, "forbidden"));
		return;
	}
	web_rules_reload();
	web_redirect(r, "/rules");
}

void pages_crawl_start(struct web_req *r)
{
	char *text, *save = NULL, *line, *seeds[1000], log[4096], stats[4096] = "";
	const char *home = r->opts->home && *r->opts->home ? r->opts->home : "var";
	struct err e = { "" };
	int n = 0;
	enum prc rc;

	if (!web_role_in(r, web_admins)) {
		pages_error(r, 403, L(r, "forbidden"));
		return;
	}
	text = strdup(web_form(r, "seeds") ? web_form(r, "seeds") : "");
	if (!text) {
		pages_error(r, 503, "out of memory");
		return;
	}
	for (line = strtok_r(text, "\r\n", &save); line && n < 1000; line = strtok_r(NULL, "\r\n", &save)) {
		line += strspn(line, " \t");
		line[strcspn(line, " \t")] = '\0';
		if (*line)
			seeds[n++] = line;
	}
	snprintf(log, sizeof(log), "%s/console-crawls.log", home);
	if (r->opts->stats_dir && web_form(r, "job") && strlen(web_form(r, "job")) <= 64 &&
	    !strchr(web_form(r, "job"), '/')) {
		mkdir(r->opts->stats_dir, 0755);
		snprintf(stats, sizeof(stats), "%s/%s.prom", r->opts->stats_dir, web_form(r, "job"));
	}
	rc = launch_crawl(r->opts->conninfo, web_form(r, "job"), seeds, n, r->opts->allow_private, log,
			  *stats ? stats : NULL, &e);
	free(text);
	if (rc != PRC_OK) {
		pages_error(r, rc == PRC_INVALID ? 400 : 503, e.msg);
		return;
	}
	web_redirect(r, "/crawls?started=1");
}
