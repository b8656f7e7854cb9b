/*
 * snappage.c - snapshots on the page detail: the latest one shown as an
 * image served by the console itself (so the strict policy's img-src
 * 'self' admits it and nothing else), its SHA-256 checked against the
 * database every time the file is served, the history of renderings, and
 * a form to take one now. Taking one only queues it (snapper.h); the page
 * says so until it is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console/snapper.h"
#include "console/snapshot.h"
#include "console/web.h"
#include "store/consolestore.h"
#include "util/fdio.h"
#include "util/hash.h"
#include "util/json.h"

static const char *warc_dir(const struct web_req *r)
{
	return r->opts->warc_dir ? r->opts->warc_dir : "var/warc";
}

/* Reads the snapshot file png_file (relative to the WARC directory) into *out; -1 when it cannot. */
static int read_snapshot(const struct web_req *r, const char *png_file, char **out, size_t *len)
{
	char path[4096];

	*out = NULL;
	*len = 0;
	if (!png_file || (png_file[0] != '/' && strstr(png_file, "..")))
		return -1;
	if (png_file[0] == '/')
		snprintf(path, sizeof(path), "%s", png_file);
	else
		snprintf(path, sizeof(path), "%s/%s", warc_dir(r), png_file);
	return fd_read_file(path, 1, SNAPSHOT_PNG_MAX, out, len);
}

/* 1 when the file of row k is there and its SHA-256 is the stored one. */
static int snapshot_intact(const struct web_req *r, const struct rows *s, int k)
{
	char *png = NULL, sha[65];
	size_t len = 0;
	int ok;

	if (read_snapshot(r, rows_get(s, k, "png_file"), &png, &len) != 0)
		return 0;
	hash_sha256_hex(png, len, sha);
	ok = !strcmp(sha, rows_str(s, k, "png_sha256"));
	free(png);
	return ok;
}

void pages_snapshot_section(struct web_req *r, int64_t id)
{
	struct rows *s = NULL, *cap = NULL;
	struct err e = { "" };
	FILE *o = r->out;
	int k, shown = -1, busy = snapper_busy(r->snap, id), avail = snapper_available(r->snap);
	enum prc crc;

	fprintf(o, "<section id=\"snapshot\">\n<h2>%s</h2>\n", L(r, "snapshot"));
	crc = consolestore_capture(r->db, id, &cap, &e);
	if (consolestore_snapshots(r->db, id, &s, &e) != PRC_OK) {
		fputs("<p class=\"error\">", o);
		html_esc(o, e.msg);
		fputs("</p>\n</section>\n", o);
		rows_free(cap);
		return;
	}
	if (!avail) {
		fprintf(o, "<p class=\"error\" id=\"snapshot-none\">%s: ", L(r, "no_chromium"));
		html_esc(o, snapper_chromium(r->snap));
		fputs("</p>\n", o);
	} else if (crc == PRC_NOTFOUND) {
		fprintf(o, "<p class=\"none\" id=\"snapshot-none\">%s</p>\n", L(r, "no_record"));
	}
	if (busy)
		fprintf(o, "<p class=\"notice\" id=\"snapshot-busy\">%s</p>\n", L(r, "snapshot_busy"));
	for (k = 0; s && k < s->nrows && shown < 0; k++)
		if (rows_get(s, k, "png_file"))
			shown = k;
	if (shown >= 0) {
		int intact = snapshot_intact(r, s, shown);

		fputs("<p class=\"snapmeta\">", o);
		html_esc(o, L(r, "taken_at"));
		{
			char when[20];

			snprintf(when, sizeof(when), "%.19s", rows_str(s, shown, "taken_at"));
			fputs(" ", o);
			html_esc(o, when);
		}
		fputs(" (", o);
		html_esc(o, rows_str(s, shown, "taken_by"));
		fputs(") SHA-256 <code class=\"png-sha256\">", o);
		html_esc(o, rows_str(s, shown, "png_sha256"));
		fprintf(o, "</code> <span class=\"%s\">%s</span></p>\n", intact ? "verified" : "error",
			L(r, intact ? "png_intact" : "png_damaged"));
		if (intact) {
			fprintf(o, "<p><a href=\"/pages/%" PRId64 "/snapshots/", id);
			html_esc(o, rows_str(s, shown, "id"));
			fprintf(o, ".png\"><img class=\"snapshot\" alt=\"%s\" src=\"/pages/%" PRId64 "/snapshots/",
				L(r, "snapshot"), id);
			html_esc(o, rows_str(s, shown, "id"));
			fputs(".png\"></a></p>\n", o);
		}
	} else if (avail && crc == PRC_OK && !busy) {
		fprintf(o, "<p class=\"none\" id=\"snapshot-none\">%s</p>\n", L(r, "no_snapshot"));
	}
	if (s && s->nrows > 0 && rows_get(s, 0, "error")) {
		fprintf(o, "<p class=\"error\" id=\"snapshot-error\">%s: ", L(r, "snapshot_failed"));
		html_esc(o, rows_str(s, 0, "error"));
		fputs("</p>\n", o);
	}
	if (avail && crc == PRC_OK && !busy && web_role_in(r, web_reviewers)) {
		fprintf(o, "<form method=\"post\" action=\"/pages/%" PRId64 "/snapshot\" id=\"take-snapshot\">", id);
		html_csrf(r);
		fprintf(o, "<button type=\"submit\">%s</button></form>\n", L(r, "take_snapshot"));
	}
	if (s && s->nrows > 1) {
		fputs("<details><summary>", o);
		html_esc(o, L(r, "history"));
		fputs("</summary><ul class=\"snaps\">", o);
		for (k = 0; k < s->nrows; k++) {
			fputs("<li>", o);
			html_esc(o, rows_str(s, k, "taken_at"));
			fputs(" ", o);
			html_esc(o, rows_str(s, k, "taken_by"));
			fputs(" ", o);
			if (rows_get(s, k, "png_file")) {
				fprintf(o, "<a href=\"/pages/%" PRId64 "/snapshots/", id);
				html_esc(o, rows_str(s, k, "id"));
				fputs(".png\">", o);
				html_esc(o, rows_str(s, k, "png_sha256"));
				fputs("</a>", o);
			} else {
				html_esc(o, rows_str(s, k, "error"));
			}
			fputs("</li>", o);
		}
		fputs("</ul></details>\n", o);
	}
	fputs("</section>\n", o);
	rows_free(s);
	rows_free(cap);
}

/* What a refused request to take a snapshot answers, and why (a label key or e's message). */
static int take(struct web_req *r, int64_t id, struct err *e)
{
	struct rows *cap = NULL;
	enum prc rc;

	if (!web_role_in(r, web_reviewers)) {
		err_set(e, PRC_DECLINED, "%s", L(r, "forbidden"));
		return 403;
	}
	rc = consolestore_capture(r->db, id, &cap, e);
	rows_free(cap);
	if (rc == PRC_NOTFOUND)
		return 404;
	if (rc != PRC_OK)
		return 503;
	rc = snapper_request(r->snap, id, r->user.name, e);
	switch (rc) {
	case PRC_OK:
	case PRC_DECLINED: return 202; /* queued now, or already */
	case PRC_NOTFOUND: return 503;
	case PRC_AGAIN: return 503;
	default: return 500;
	}
}

void pages_snapshot_take(struct web_req *r, int64_t id)
{
	struct err e = { "" };
	char loc[64];
	int st = take(r, id, &e);

	if (st != 202) {
		pages_error(r, st, e.msg);
		return;
	}
	snprintf(loc, sizeof(loc), "/pages/%" PRId64 "#snapshot", id);
	web_redirect(r, loc);
}

void api_snapshot_take(struct web_req *r, int64_t id)
{
	struct err e = { "" };
	int st = take(r, id, &e);

	if (st != 202) {
		api_error(r, st, e.msg);
		return;
	}
	r->status = 202;
	r->ctype = "application/json";
	fprintf(r->out, "{\"page_id\":%" PRId64 ",\"queued\":true}\n", id);
}

void api_snapshots(struct web_req *r, int64_t id)
{
	struct rows *s = NULL;
	struct err e = { "" };
	FILE *o = r->out;
	int k, i;

	fprintf(o, ",\"snapshot_busy\":%s,\"snapshots\":[", snapper_busy(r->snap, id) ? "true" : "false");
	if (consolestore_snapshots(r->db, id, &s, &e) == PRC_OK) {
		for (k = 0; k < s->nrows; k++) {
			fputs(k ? ",{" : "{", o);
			for (i = 0; i < s->ncols; i++) {
				const char *v = s->cells[(size_t)k * (size_t)s->ncols + (size_t)i];

				if (i)
					fputc(',', o);
				json_write_str(o, s->names[i]);
				fputc(':', o);
				if (!v)
					fputs("null", o);
				else if (!strcmp(s->names[i], "id") || !strcmp(s->names[i], "fetch_id") ||
					 !strcmp(s->names[i], "png_size"))
					fputs(v, o);
				else
					json_write_str(o, v);
			}
			if (rows_get(s, k, "png_file"))
				fprintf(o, ",\"png_url\":\"/pages/%" PRId64 "/snapshots/%s.png\"", id,
					rows_str(s, k, "id"));
			fputc('}', o);
		}
	}
	fputc(']', o);
	rows_free(s);
}

void pages_snapshot_png(struct web_req *r, int64_t id, int64_t snap_id)
{
	struct rows *s = NULL;
	struct err e = { "" };
	char *png = NULL, sha[65];
	size_t len = 0;

	if (consolestore_snapshot(r->db, id, snap_id, &s, &e) != PRC_OK || !rows_get(s, 0, "png_file")) {
		rows_free(s);
		pages_error(r, 404, L(r, "not_found"));
		return;
	}
	if (read_snapshot(r, rows_get(s, 0, "png_file"), &png, &len) != 0) {
		rows_free(s);
		pages_error(r, 404, L(r, "png_missing"));
		return;
	}
	hash_sha256_hex(png, len, sha);
	if (strcmp(sha, rows_str(s, 0, "png_sha256"))) {
		/* never show a picture that is not the one recorded */
		free(png);
		rows_free(s);
		pages_error(r, 409, L(r, "png_damaged"));
		return;
	}
	r->ctype = "image/png";
	fwrite(png, 1, len, r->out);
	free(png);
	rows_free(s);
}

void web_snapshot_on_confirm(struct web_req *r, int64_t id)
{
	struct rows *cap = NULL, *s = NULL;
	struct err e = { "" };
	int k, have = 0;

	if (!snapper_available(r->snap) || consolestore_capture(r->db, id, &cap, &e) != PRC_OK)
		goto out;
	if (consolestore_snapshots(r->db, id, &s, &e) != PRC_OK)
		goto out;
	for (k = 0; k < s->nrows && !have; k++)
		have = rows_get(s, k, "png_file") &&
		       !strcmp(rows_str(s, k, "fetch_id"), rows_str(cap, 0, "fetch_id"));
	if (!have)
		snapper_request(r->snap, id, r->user.name, &e);
out:
	rows_free(cap);
	rows_free(s);
}
