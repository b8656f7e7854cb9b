/*
 * evidence.c - `patrol evidence [--db C] [--warc-dir DIR] [--extract DIR] [--body] [--headers] URL|ID`:
 * shows, or extracts, the WARC record kept for a flagged page, after
 * checking that the record is still the one written: its WARC-Record-ID and
 * payload digest against the database, its block and payload digests against
 * its own bytes. Any mismatch is said and makes the exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "crawler/charset.h"
#include "crawler/warc.h"
#include "store/db.h"
#include "store/evidence.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"

#define RECORD_MAX ((size_t)1 << 30)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: patrol evidence [options] URL|ID\n"
		"  ID is a page id (as `patrol export` prints it), url:N, or fetch:N\n"
		"  --db CONNINFO    database (default $PATROL_DB or the cluster in $PATROL_HOME)\n"
		"  --warc-dir DIR   where the WARC files are (default $PATROL_HOME/warc)\n"
		"  --headers        print only the WARC and HTTP headers\n"
		"  --body           write only the body, as stored, to standard output\n"
		"  --extract DIR    write the records (.warc), the HTTP headers (.http) and the body (.body) into DIR\n"
		"Exit status 1 when the record is missing or does not match its digests or the database.\n");
}

/* Whether the body is worth printing as text. */
static int is_text(const struct warc_record *r)
{
	char ct[256];
	size_t probe = r->body_len < 4096 ? r->body_len : 4096;

	if (warc_http_header(r, "Content-Type", ct, sizeof(ct)) >= 0) {
		if (strncasecmp(ct, "text/", 5) && !strcasestr(ct, "html") && !strcasestr(ct, "xml") &&
		    !strcasestr(ct, "json") && !strcasestr(ct, "javascript"))
			return 0;
	}
	return memchr(r->body, '\0', probe) == NULL;
}

static int write_file(const char *dir, const char *name, const void *a, size_t alen, const void *b,
		      size_t blen)
{
	char path[PATH_MAX];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		cli_error("cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	bad = (alen && fwrite(a, 1, alen, f) != alen) || (blen && fwrite(b, 1, blen, f) != blen);
	if (fclose(f) != 0 || bad) {
		cli_error("cannot write '%s'", path);
		return -1;
	}
	printf("%s\n", path);
	return 0;
}

/* Checks the record against the database row; prints one line per finding to f. 0 when all hold. */
static int verify(const struct evidence *ev, const struct warc_record *r, FILE *f)
{
	char id[WARC_ID_MAX + 8], hex[SHA256_HEX_LEN + 1];
	struct err e = { "" };
	enum prc rc;
	int bad = 0;

	if (warc_record_header(r, "WARC-Record-ID", id, sizeof(id)) < 0 || strcmp(id, ev->warc_record_id)) {
		fprintf(f, "MISMATCH: the record at that offset is not %s\n", ev->warc_record_id);
		bad = 1;
	}
	hash_sha256_hex(r->body ? r->body : "", r->body_len, hex);
	if (strcasecmp(hex, ev->warc_digest)) {
		fprintf(f, "MISMATCH: payload sha256 %s, the database says %s\n", hex, ev->warc_digest);
		bad = 1;
	}
	rc = warc_record_verify(r, &e);
	if (rc != PRC_OK) {
		fprintf(f, "%s: %s\n", rc == PRC_PARSE ? "MISMATCH" : "unchecked", e.msg);
		bad |= rc == PRC_PARSE;
	}
	if (!bad)
		fprintf(f, "verified: record id, payload sha256 %s, block and payload digests\n", hex);
	return bad;
}

/* Reads the request record that follows the response record, when it is the response's twin. */
static int read_request(const char *path, const struct evidence *ev, struct buf *b, struct warc_record *q)
{
	char cto[WARC_ID_MAX + 8], type[32];
	struct err e = { "" };

	if (warc_read_record(path, ev->warc_offset + ev->warc_length, b, &e) != PRC_OK ||
	    warc_record_parse(b->ptr, b->len, q, &e) != PRC_OK)
		return 0;
	if (warc_record_header(q, "WARC-Type", type, sizeof(type)) < 0 || strcmp(type, "request") ||
	    warc_record_header(q, "WARC-Concurrent-To", cto, sizeof(cto)) < 0 ||
	    strcmp(cto, ev->warc_record_id))
		return 0;
	return 1;
}

static void print_body(const struct warc_record *r)
{
	char hex[SHA256_HEX_LEN + 1], ct[256] = "";
	struct arena *a;
	char *text = NULL;
	size_t tlen = 0;
	const char *charset = NULL;
	int truncated = 0;
	struct err e = { "" };

	warc_http_header(r, "Content-Type", ct, sizeof(ct));
	if (!r->body_len) {
		printf("[empty body]\n");
		return;
	}
	if (!is_text(r)) {
		hash_sha256_hex(r->body, r->body_len, hex);
		printf("[body: %zu bytes, %s, sha256 %s; --body or --extract to get it]\n", r->body_len,
		       *ct ? ct : "no Content-Type", hex);
		return;
	}
	a = arena_new();
	if (a && charset_decode(a, *ct ? ct : NULL, r->body, r->body_len, 0, &text, &tlen, &charset,
				&truncated, &e) == PRC_OK) {
		if (strcmp(charset, "utf-8"))
			printf("[body decoded from %s]\n", charset);
		fwrite(text, 1, tlen, stdout);
	} else {
		fwrite(r->body, 1, r->body_len, stdout);
	}
	if (tlen && text && text[tlen - 1] != '\n')
		putchar('\n');
	arena_free(a);
}

int cmd_evidence(int argc, char **argv)
{
	static const struct option longopts[] = { { "db", required_argument, NULL, 'd' },
						   { "warc-dir", required_argument, NULL, 'w' },
						   { "extract", required_argument, NULL, 'x' },
						   { "body", no_argument, NULL, 'b' },
						   { "headers", no_argument, NULL, 'H' },
						   { "help", no_argument, NULL, 'h' },
						   { NULL, 0, NULL, 0 } };
	const char *dbopt = NULL, *warcdir = NULL, *extract = NULL;
	char dirbuf[PATH_MAX], path[PATH_MAX * 2], name[64];
	int body_only = 0, headers_only = 0, c, status = 1, bad, has_req;
	struct evidence ev;
	struct warc_record r, q;
	struct buf rec, req;
	struct err e = { "" };
	struct db *d;
	enum prc rc;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': dbopt = optarg; break;
		case 'w': warcdir = optarg; break;
		case 'x': extract = optarg; break;
		case 'b': body_only = 1; break;
		case 'H': headers_only = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (body_only + headers_only + !!extract > 1) {
		cli_error("--body, --headers and --extract go one at a time");
		return 2;
	}
	if (!warcdir) {
		const char *home = getenv("PATROL_HOME");

		snprintf(dirbuf, sizeof(dirbuf), "%s/warc", home && *home ? home : "./var");
		warcdir = dirbuf;
	}

	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	rc = evidence_find(d, argv[optind], &ev, &e);
	db_free(d);
	if (rc != PRC_OK) {
		cli_error("%s", e.msg);
		return 1;
	}
	buf_init(&rec, RECORD_MAX);
	buf_init(&req, 1u << 24);
	if (ev.warc_file[0] == '/')
		snprintf(path, sizeof(path), "%s", ev.warc_file);
	else
		snprintf(path, sizeof(path), "%s/%s", warcdir, ev.warc_file);
	rc = warc_read_record(path, ev.warc_offset, &rec, &e);
	if (rc == PRC_OK)
		rc = warc_record_parse(rec.ptr, rec.len, &r, &e);
	if (rc == PRC_OK && !r.http)
		rc = err_set(&e, PRC_PARSE, "the record at offset %" PRIu64 " of '%s' is not an HTTP response",
			     ev.warc_offset, path);
	if (rc != PRC_OK) {
		cli_error("%s", e.msg);
		goto out;
	}
	has_req = read_request(path, &ev, &req, &q);

	if (body_only) {
		bad = verify(&ev, &r, stderr);
		if (r.body_len && fwrite(r.body, 1, r.body_len, stdout) != r.body_len)
			bad = 1;
		status = bad;
		goto out;
	}
	if (extract) {
		if (mkdir(extract, 0755) < 0 && errno != EEXIST) {
			cli_error("cannot create '%s': %s", extract, strerror(errno));
			goto out;
		}
		bad = verify(&ev, &r, stdout);
		snprintf(name, sizeof(name), "fetch-%" PRId64 ".warc", ev.fetch_id);
		if (write_file(extract, name, rec.ptr, rec.len, has_req ? req.ptr : NULL,
			       has_req ? req.len : 0) < 0)
			goto out;
		snprintf(name, sizeof(name), "fetch-%" PRId64 ".http", ev.fetch_id);
		if (write_file(extract, name, r.http, r.http_len, NULL, 0) < 0)
			goto out;
		snprintf(name, sizeof(name), "fetch-%" PRId64 ".body", ev.fetch_id);
		if (write_file(extract, name, r.body, r.body_len, NULL, 0) < 0)
			goto out;
		status = bad;
		goto out;
	}

	printf("page:     %" PRId64 " (fetch %" PRId64 ", job %" PRId64 ")\n", ev.url_id, ev.fetch_id,
	       ev.job_id);
	printf("url:      %s\n", ev.url);
	if (strcmp(ev.url, ev.final_url))
		printf("final:    %s\n", ev.final_url);
	printf("fetched:  %s, HTTP %d\n", ev.fetched_at, ev.http_status);
	printf("record:   %s at %" PRIu64 " (%" PRIu64 " bytes compressed)\n", path, ev.warc_offset,
	       ev.warc_length);
	bad = verify(&ev, &r, stdout);
	printf("\n== WARC record ==\n");
	fwrite(r.headers, 1, r.headers_len, stdout);
	if (has_req) {
		printf("\n== HTTP request ==\n");
		fwrite(q.http, 1, q.http_len, stdout);
	}
	printf("== HTTP response ==\n");
	fwrite(r.http, 1, r.http_len, stdout);
	if (!headers_only) {
		printf("== body ==\n");
		print_body(&r);
	}
	status = bad;
out:
	if (fflush(stdout) != 0)
		status = 1;
	buf_release(&rec);
	buf_release(&req);
	evidence_release(&ev);
	return status;
}
