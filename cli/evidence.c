/*
 * evidence.c - `patrol evidence [--db C] [--warc-dir DIR] [--extract DIR] [--body] [--headers] URL|ID`:
 * shows, or extracts, the WARC record kept for a flagged page, after
 * checking that the record is still the one written: its WARC-Record-ID and
 * payload digest against the database, its block and payload digests against
 * its own bytes, and its file's hash chain. Any mismatch is said and makes
 * the exit status 1.
 *
 * `patrol evidence --verify-all` walks every WARC file, those the database
 * names and those in the WARC directory, and holds each against the
 * database: every record's digests and chain link (crawler/warc.c, DESIGN),
 * every stored chain head (a head the file no longer reaches means records
 * were removed, cut or altered), and every evidence row (it must point at
 * the start of a response record with its id and payload digest, inside the
 * part of the chain a stored head seals). Each failure is one line naming
 * file:offset. Records that no committed row points at (written for a batch
 * that then failed, or by a crawl that died before its batch was stored)
 * are orphans: counted, and listed one by one by --check; they are no fault
 * of the chain.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/workflow.h"
#include "crawler/charset.h"
#include "crawler/warc.h"
#include "store/db.h"
#include "store/evidence.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/hash.h"
#include "util/text.h"

#define RECORD_MAX ((size_t)1 << 30)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: patrol evidence [options] URL|ID\n"
		"       patrol evidence --verify-all|--check [--db CONNINFO] [--warc-dir DIR]\n"
		"  ID is a page id (as `patrol export` prints it), url:N, or fetch:N\n"
		"  --db CONNINFO    database (default $PATROL_DB or the cluster in $PATROL_HOME)\n"
		"  --warc-dir DIR   where the WARC files are (default $PATROL_HOME/warc)\n"
		"  --headers        print only the WARC and HTTP headers\n"
		"  --body           write only the body, as stored, to standard output\n"
		"  --extract DIR    write the records (.warc), the HTTP headers (.http) and the body (.body) into DIR\n"
		"  --verify-all     check every WARC file: each record's digests, the hash chain, the chain heads\n"
		"                   and evidence rows in the database; one line per failure, with file:offset\n"
		"  --check          the same, and list every orphan record (one no stored row points at)\n"
		"Exit status 1 when a record is missing or does not match its digests, its chain or the\n"
		"database (orphans alone are not a failure).\n");
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
static int verify(const struct evidence *ev, const struct warc_record *r, const struct evidence_head *heads,
		  size_t nheads, FILE *f)
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
	if (nheads && ev->warc_offset + ev->warc_length > heads[nheads - 1].bytes) {
		fprintf(f, "MISMATCH: the record lies past the last chain head stored for its file "
			   "(%" PRIu64 " bytes): it was added after the file was sealed\n",
			heads[nheads - 1].bytes);
		bad = 1;
	}
	if (!bad)
		fprintf(f, "verified: record id, payload sha256 %s, block and payload digests%s\n", hex,
			nheads ? ", inside the sealed chain (--verify-all walks the chain)" : "");
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
		text_inert(stdout, text, tlen, TEXT_KEEP_LINES);
	} else {
		text_inert(stdout, r->body, r->body_len, TEXT_KEEP_LINES);
	}
	if (tlen && text && text[tlen - 1] != '\n')
		putchar('\n');
	arena_free(a);
}

/* ---- --verify-all and --check ---- */

/* One file being held against the database. */
struct vfile {
	const char *path;
	struct evidence_head *heads;
	size_t nheads, hi;
	struct evidence_ref *refs;
	size_t nrefs, ri;
	uint64_t sealed;                  /* bytes the last stored head covers */
	char last_ref[WARC_ID_MAX];       /* id of the last response record a row points at */
	int list_orphans;
	uint64_t problems, rows_ok, orphans, unsealed;
};

static void fail(struct vfile *v, uint64_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(struct vfile *v, uint64_t offset, const char *fmt, ...)
{
	char msg[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("MISMATCH %s:%" PRIu64 ": ", v->path, offset);
	out_text(stdout, msg, 0);
	putchar('\n');
	v->problems++;
}

/* Holds the row r against the record en it points at. */
static void check_ref(struct vfile *v, const struct evidence_ref *r, const struct warc_entry *en, int legacy)
{
	int bad = 0;

	if (strcmp(en->type, "response")) {
		fail(v, en->offset, "fetch %" PRId64 " points at a %s record, not a response",
		     r->fetch_id, *en->type ? en->type : "typeless");
		return;
	}
	if (strcmp(en->record_id, r->record_id)) {
		fail(v, en->offset, "fetch %" PRId64 " expects record %s, the file holds %s here", r->fetch_id,
		     r->record_id, en->record_id);
		bad = 1;
	}
	if (strcasecmp(en->payload, r->digest)) {
		fail(v, en->offset, "fetch %" PRId64 ": payload sha256 %s, the database says %s", r->fetch_id,
		     en->payload, r->digest);
		bad = 1;
	}
	if (r->length != en->length) {
		fail(v, en->offset, "fetch %" PRId64 ": the record is %" PRIu64 " bytes, the database says %" PRIu64,
		     r->fetch_id, en->length, r->length);
		bad = 1;
	}
	if (!legacy && en->offset + en->length > v->sealed) {
		fail(v, en->offset, "fetch %" PRId64 " points at a record past the last chain head stored "
		     "for the file (%" PRIu64 " bytes): it was added after the file was sealed",
		     r->fetch_id, v->sealed);
		bad = 1;
	}
	if (!bad && !en->problem)
		v->rows_ok++;
}

static int on_record(void *ud, const struct warc_entry *en)
{
	struct vfile *v = ud;
	int referenced = 0, legacy = v->nheads == 0; /* a file written before the chain */

	if (en->problem)
		fail(v, en->offset, "%s", en->problem);
	if (!en->length)
		return 0; /* the walk ends here */
	for (; v->hi < v->nheads && v->heads[v->hi].records <= en->index + 1; v->hi++) {
		const struct evidence_head *h = &v->heads[v->hi];

		if (h->bytes != en->offset + en->length || strcasecmp(h->head, en->chain))
			fail(v, en->offset, "the chain head stored after %" PRIu64 " records (%" PRIu64
			     " bytes, %.16s...) does not match the file, whose record %" PRIu64
			     " ends at %" PRIu64 " with %.16s...: records before it were removed, inserted or altered",
			     h->records, h->bytes, h->head, en->index + 1, en->offset + en->length, en->chain);
	}
	for (; v->ri < v->nrefs && v->refs[v->ri].offset < en->offset; v->ri++)
		fail(v, v->refs[v->ri].offset, "fetch %" PRId64 " points where no record starts",
		     v->refs[v->ri].fetch_id);
	for (; v->ri < v->nrefs && v->refs[v->ri].offset == en->offset; v->ri++) {
		check_ref(v, &v->refs[v->ri], en, legacy);
		referenced = 1;
	}
	if (referenced) {
		snprintf(v->last_ref, sizeof(v->last_ref), "%s", en->record_id);
		return 0;
	}
	if (!strcmp(en->type, "warcinfo") ||
	    (!strcmp(en->type, "request") && *en->concurrent_to && !strcmp(en->concurrent_to, v->last_ref)))
		return 0;
	v->orphans++;
	if (en->offset + en->length > v->sealed)
		v->unsealed++;
	if (v->list_orphans) {
		printf("orphan %s:%" PRIu64 ": %s record ", v->path, en->offset, *en->type ? en->type : "typeless");
		out_text(stdout, en->target, 0);
		printf(", no stored row points at it%s\n",
		       en->offset + en->length > v->sealed ? " (past the last chain head)" : "");
	}
	return 0;
}

struct vtotal {
	uint64_t files, records, problems, rows_ok, orphans, unsealed;
};

/* Holds one file against the database; adds to t. 0, or -1 when the database cannot be read. */
static int verify_file(struct db *d, const char *dir, const char *name, int list_orphans, struct vtotal *t)
{
	char path[PATH_MAX * 2];
	struct vfile v;
	struct warc_scan_result res;
	struct err e = { "" };
	enum prc rc;
	int status = 0;

	memset(&v, 0, sizeof(v));
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	v.path = path;
	v.list_orphans = list_orphans;
	if (evidence_heads(d, name, &v.heads, &v.nheads, &e) != PRC_OK ||
	    evidence_refs(d, name, &v.refs, &v.nrefs, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		status = -1;
		goto out;
	}
	if (v.nheads)
		v.sealed = v.heads[v.nheads - 1].bytes;
	t->files++;
	rc = warc_scan(path, on_record, &v, &res, &e);
	if (rc != PRC_OK) {
		if (v.nheads || v.nrefs) {
			fail(&v, 0, "%s (the database holds %zu chain heads and %zu evidence rows for it)", e.msg,
			     v.nheads, v.nrefs);
		} else {
			cli_error("%s", e.msg);
			v.problems++;
		}
		goto sum;
	}
	if (v.nheads && !res.chained && res.records > 1)
		fail(&v, 0, "the database holds chain heads for the file, but its records carry no chain links");
	if (!v.nheads && res.chained && v.nrefs)
		fail(&v, v.refs[0].offset, "%zu evidence row%s point into the file, but the database holds no "
		     "chain head for it", v.nrefs, v.nrefs == 1 ? "" : "s");
	for (; v.hi < v.nheads; v.hi++)
		fail(&v, res.bytes, "the database holds a chain head after %" PRIu64 " records (%" PRIu64
		     " bytes); the file %s after %" PRIu64 " record(s) (%" PRIu64 " bytes): records were removed or cut",
		     v.heads[v.hi].records, v.heads[v.hi].bytes, res.damaged ? "cannot be read" : "ends",
		     res.records, res.bytes);
	for (; v.ri < v.nrefs; v.ri++) {
		if (res.damaged)
			fail(&v, v.refs[v.ri].offset, "fetch %" PRId64 " points at a record that cannot be "
			     "checked: the file cannot be read from offset %" PRIu64, v.refs[v.ri].fetch_id,
			     res.bytes);
		else
			fail(&v, v.refs[v.ri].offset, "fetch %" PRId64 " points past the last record of the file",
			     v.refs[v.ri].fetch_id);
	}
	t->records += res.records;
sum:
	t->problems += v.problems;
	t->rows_ok += v.rows_ok;
	t->orphans += v.orphans;
	t->unsealed += v.unsealed;
out:
	free(v.heads);
	free(v.refs);
	return status;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --verify-all (list_orphans 0) and --check (1). */
static int verify_all(const char *dbopt, const char *dir, int list_orphans)
{
	struct vtotal t;
	struct err e = { "" };
	char **names = NULL, **sorted = NULL;
	size_t n = 0, i;
	struct db *d;
	DIR *dh;
	int status = 1;

	memset(&t, 0, sizeof(t));
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	if (evidence_files(d, &names, &n, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (verify_file(d, dir, names[i], list_orphans, &t) < 0)
			goto out;
	/* files the database does not know of: every record in them is an orphan */
	sorted = n ? malloc(n * sizeof(char *)) : NULL;
	if (n && !sorted) {
		cli_error("out of memory");
		goto out;
	}
	if (n) {
		memcpy(sorted, names, n * sizeof(char *));
		qsort(sorted, n, sizeof(char *), cmp_str);
	}
	dh = opendir(dir);
	if (dh) {
		struct dirent *de;
		char **extra = NULL;
		size_t nextra = 0, cap = 0;

		while ((de = readdir(dh))) {
			size_t len = strlen(de->d_name);
			const char *key = de->d_name;

			if (len < 8 || strcmp(de->d_name + len - 8, ".warc.gz") || de->d_name[0] == '.')
				continue;
			if (n && bsearch(&key, sorted, n, sizeof(char *), cmp_str))
				continue;
			if (nextra == cap) {
				char **x = realloc(extra, (cap ? cap * 2 : 16) * sizeof(char *));

				if (!x)
					break;
				extra = x;
				cap = cap ? cap * 2 : 16;
			}
			if (!(extra[nextra] = strdup(de->d_name)))
				break;
			nextra++;
		}
		closedir(dh);
		if (nextra)
			qsort(extra, nextra, sizeof(char *), cmp_str);
		for (i = 0; i < nextra; i++)
			if (verify_file(d, dir, extra[i], list_orphans, &t) < 0)
				break;
		evidence_names_free(extra, nextra);
		if (i < nextra)
			goto out;
	} else if (errno != ENOENT) {
		cli_error("cannot read the WARC directory '%s': %s", dir, strerror(errno));
		t.problems++;
	}
	if (t.problems)
		printf("NOT verified: %" PRIu64 " problem%s in %" PRIu64 " file%s (%" PRIu64 " record%s); ",
		       t.problems, t.problems == 1 ? "" : "s", t.files, t.files == 1 ? "" : "s", t.records,
		       t.records == 1 ? "" : "s");
	else
		printf("verified: %" PRIu64 " file%s, %" PRIu64 " record%s, their digests and hash chains; ",
		       t.files, t.files == 1 ? "" : "s", t.records, t.records == 1 ? "" : "s");
	printf("%" PRIu64 " evidence row%s %s their records; %" PRIu64 " orphan record%s", t.rows_ok,
	       t.rows_ok == 1 ? "" : "s", t.rows_ok == 1 ? "matches" : "match", t.orphans,
	       t.orphans == 1 ? "" : "s");
	if (t.unsealed)
		printf(" (%" PRIu64 " past the last chain head)", t.unsealed);
	printf("%s\n", t.orphans && !list_orphans ? " (--check lists them)" : "");
	status = t.problems ? 1 : 0;
out:
	free(sorted);
	evidence_names_free(names, n);
	db_free(d);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}

int cmd_evidence(int argc, char **argv)
{
	static const struct option longopts[] = { { "db", required_argument, NULL, 'd' },
						   { "warc-dir", required_argument, NULL, 'w' },
						   { "extract", required_argument, NULL, 'x' },
						   { "body", no_argument, NULL, 'b' },
						   { "headers", no_argument, NULL, 'H' },
						   { "verify-all", no_argument, NULL, 'V' },
						   { "check", no_argument, NULL, 'C' },
						   { "help", no_argument, NULL, 'h' },
						   { NULL, 0, NULL, 0 } };
	const char *dbopt = NULL, *warcdir = NULL, *extract = NULL;
	char dirbuf[PATH_MAX], path[PATH_MAX * 2], name[64];
	int body_only = 0, headers_only = 0, all = 0, check = 0, c, status = 1, bad, has_req;
	struct evidence ev;
	struct evidence_head *heads = NULL;
	size_t nheads = 0;
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
		case 'V': all = 1; break;
		case 'C': check = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (all || check) {
		if (optind != argc || body_only || headers_only || extract) {
			usage(stderr);
			return 2;
		}
	} else if (optind != argc - 1) {
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
	if (all || check)
		return verify_all(dbopt, warcdir, check);

	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	rc = evidence_find(d, argv[optind], &ev, &e);
	if (rc == PRC_OK)
		rc = evidence_heads(d, ev.warc_file, &heads, &nheads, &e);
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
		bad = verify(&ev, &r, heads, nheads, stderr);
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
		bad = verify(&ev, &r, heads, nheads, stdout);
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
	printf("url:      ");
	out_text(stdout, ev.url, 0);
	if (strcmp(ev.url, ev.final_url)) {
		printf("\nfinal:    ");
		out_text(stdout, ev.final_url, 0);
	}
	putchar('\n');
	printf("fetched:  %s, HTTP %d\n", ev.fetched_at, ev.http_status);
	printf("record:   %s at %" PRIu64 " (%" PRIu64 " bytes compressed)\n", path, ev.warc_offset,
	       ev.warc_length);
	bad = verify(&ev, &r, heads, nheads, stdout);
	printf("\n== WARC record ==\n");
	text_inert(stdout, r.headers, r.headers_len, TEXT_KEEP_LINES);
	if (has_req) {
		printf("\n== HTTP request ==\n");
		text_inert(stdout, q.http, q.http_len, TEXT_KEEP_LINES);
	}
	printf("== HTTP response ==\n");
	text_inert(stdout, r.http, r.http_len, TEXT_KEEP_LINES);
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
	free(heads);
	return status;
}
