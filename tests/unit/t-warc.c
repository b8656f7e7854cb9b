/*
 * t-warc.c - unit tests for the WARC evidence writer (crawler/warc.h):
 * records read back by offset, digests checked against an independent
 * SHA-256 + base32, the stored HTTP headers rewritten for decoded bodies,
 * rotation, writes that fail half-way (file size limit, directory gone)
 * leaving every file whole, several threads at once, and the files read by
 * other tools (zcat, gzip -t, and a Python reader that checks every digest),
 * and the hash chain: heads, modes, and warc_scan finding a record removed,
 * inserted, appended or altered (in its data or in a gzip header).
 */
#include <dirent.h>
#include <errno.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawler/warc.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "util/buf.h"

static char tmp[256];

/* ---- an independent digest: OpenSSL's one-shot SHA256 and a base32 written here ---- */

static void ref_digest(const void *a, size_t alen, const void *b, size_t blen, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char md[32], bits[33 * 8];
	unsigned char *joined = malloc(alen + blen + 1);
	size_t i, nbits = 256, o = 0;

	memcpy(joined, a, alen);
	if (blen)
		memcpy(joined + alen, b, blen);
	SHA256(joined, alen + blen, md);
	free(joined);
	/* one bit per byte, then five at a time: slow and obviously right */
	memset(bits, 0, sizeof(bits));
	for (i = 0; i < nbits; i++)
		bits[i] = (md[i / 8] >> (7 - i % 8)) & 1;
	o = (size_t)sprintf(out, "sha256:");
	for (i = 0; i < nbits; i += 5) {
		int v = bits[i] << 4 | bits[i + 1] << 3 | bits[i + 2] << 2 | bits[i + 3] << 1 | bits[i + 4];

		out[o++] = abc[v];
	}
	while ((o - 7) % 8)
		out[o++] = '=';
	out[o] = '\0';
}

static void ref_hex(const void *p, size_t n, char *out)
{
	unsigned char md[32];
	int i;

	SHA256(p, n, md);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* ---- helpers ---- */

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static long cmd_number(const char *cmd)
{
	char line[64] = "";
	FILE *f = popen(cmd, "r");
	long n = -1;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f))
		n = strtol(line, NULL, 10);
	pclose(f);
	return n;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int count_files(const char *dir, char names[][WARC_FILE_MAX], int max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".warc.gz")) {
			if (n < max)
				snprintf(names[n], WARC_FILE_MAX, "%.100s", de->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* Reads and parses the record at (dir/file, offset) into b and r. */
static enum prc load(const char *dir, const char *file, uint64_t off, struct buf *b, struct warc_record *r)
{
	char path[512];
	struct err e = { "" };
	enum prc rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	buf_reset(b);
	rc = warc_read_record(path, off, b, &e);
	if (rc == PRC_OK)
		rc = warc_record_parse(b->ptr, b->len, r, &e);
	if (rc != PRC_OK)
		diag("%s", e.msg);
	return rc;
}

static int has_line(const char *block, size_t len, const char *line)
{
	char *s = strndup(block, len);
	char pat[512];
	int found;

	snprintf(pat, sizeof(pat), "\n%s\r\n", line);
	found = strstr(s, pat) != NULL;
	free(s);
	return found;
}

static int has_header(const char *block, size_t len, const char *name)
{
	char *s = strndup(block, len), pat[128];
	int found;

	snprintf(pat, sizeof(pat), "\n%s:", name);
	found = strcasestr(s, pat) != NULL;
	free(s);
	return found;
}

static void fill_random(unsigned char *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

/* ---- tests ---- */

static const char REQ[] = "GET /board/1.html HTTP/1.1\r\nHost: example.jp\r\nUser-Agent: patrol\r\n"
			  "Accept-Encoding: gzip\r\n\r\n";

static void test_exchange(void)
{
	char dir[300], hdr[256], want[WARC_DIGEST_MAX + 8], hex[65];
	struct err e = { "" };
	struct warc *w;
	struct warc_loc loc, loc2;
	struct warc_exchange x;
	struct warc_record r, q;
	struct buf b, b2;
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
			   "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nX-Long: a\r\n b\r\n\r\n";
	const char *body = "<html><title>大麻 掲示板</title>\n<p>WARC/1.0 is not a record start</p></html>";

	snprintf(dir, sizeof(dir), "%s/one/two", tmp);
	w = warc_open(dir, "bad/prefix", 0, &e);
	ok(w == NULL, "a prefix with a slash is refused: %s", e.msg);
	w = warc_open(dir, "patrol", 0, &e);
	ok(w != NULL, "warc_open creates the directory and its parents");
	if (!w)
		return;
	memset(&x, 0, sizeof(x));
	x.target_uri = "http://example.jp/board/1.html";
	x.ip = "192.0.2.7";
	x.date = 1700000000.25;
	x.request = REQ;
	x.request_len = strlen(REQ);
	x.response_headers = resp;
	x.response_headers_len = strlen(resp);
	x.body = body;
	x.body_len = strlen(body);
	is_int(warc_write_exchange(w, &x, &loc, &e), PRC_OK, "an exchange is written");
	ok(loc.offset > 0, "the response is after the warcinfo record (offset %llu)",
	   (unsigned long long)loc.offset);
	ok(!strncmp(loc.file, "patrol-", 7) && strstr(loc.file, ".warc.gz"), "file name %s", loc.file);
	{
		char pid[32];

		snprintf(pid, sizeof(pid), "-%ld.warc.gz", (long)getpid());
		ok(strlen(loc.file) == strlen("patrol-YYYYmmddHHMMSS-NNNNN") + strlen(pid) &&
			   strstr(loc.file, pid) && loc.file[21] == '-' && loc.file[27] == '-',
		   "file name is PREFIX-YYYYmmddHHMMSS-NNNNN-PID.warc.gz");
	}
	ref_hex(body, strlen(body), hex);
	is_str(loc.digest, hex, "loc carries the payload's SHA-256");

	buf_init(&b, 1u << 24);
	buf_init(&b2, 1u << 24);
	is_int(load(dir, loc.file, 0, &b, &r), PRC_OK, "the warcinfo record reads back at offset 0");
	warc_record_header(&r, "WARC-Type", hdr, sizeof(hdr));
	is_str(hdr, "warcinfo", "the file starts with warcinfo");
	warc_record_header(&r, "WARC-Filename", hdr, sizeof(hdr));
	is_str(hdr, loc.file, "warcinfo names its file");
	ok(has_line(r.block - 1, r.block_len + 1, "software: patrol") &&
		   has_line(r.block - 1, r.block_len + 1, "format: WARC File Format 1.1"),
	   "warcinfo names the software and the format");

	is_int(load(dir, loc.file, loc.offset, &b, &r), PRC_OK, "the response reads back at its offset");
	ok(!strncmp(b.ptr, "WARC/1.1\r\n", 10), "WARC/1.1 version line");
	warc_record_header(&r, "WARC-Type", hdr, sizeof(hdr));
	is_str(hdr, "response", "WARC-Type response");
	warc_record_header(&r, "WARC-Record-ID", hdr, sizeof(hdr));
	is_str(hdr, loc.record_id, "WARC-Record-ID is loc's");
	ok(strlen(hdr) == 47 && !strncmp(hdr, "<urn:uuid:", 10) && hdr[24] == '4',
	   "record id is a version 4 urn:uuid");
	warc_record_header(&r, "WARC-Date", hdr, sizeof(hdr));
	is_str(hdr, "2023-11-14T22:13:20.250000Z", "WARC-Date in UTC with fractional seconds");
	warc_record_header(&r, "WARC-Target-URI", hdr, sizeof(hdr));
	is_str(hdr, x.target_uri, "WARC-Target-URI");
	warc_record_header(&r, "WARC-IP-Address", hdr, sizeof(hdr));
	is_str(hdr, "192.0.2.7", "WARC-IP-Address");
	warc_record_header(&r, "Content-Type", hdr, sizeof(hdr));
	is_str(hdr, "application/http;msgtype=response", "Content-Type of a response");
	ok(warc_record_header(&r, "WARC-Warcinfo-ID", NULL, 0) > 0, "linked to its warcinfo");
	ok(warc_record_header(&r, "WARC-Truncated", NULL, 0) < 0, "a whole body is not marked truncated");
	ok(r.body_len == strlen(body) && !memcmp(r.body, body, r.body_len), "the body reads back unchanged");
	ok(!memcmp(b.ptr + b.len - 4, "\r\n\r\n", 4), "the record ends with two CRLFs");

	ref_digest(r.block, r.block_len, "", 0, want);
	warc_record_header(&r, "WARC-Block-Digest", hdr, sizeof(hdr));
	is_str(hdr, want, "WARC-Block-Digest is sha256:base32 of the block");
	ref_digest(body, strlen(body), "", 0, want);
	warc_record_header(&r, "WARC-Payload-Digest", hdr, sizeof(hdr));
	is_str(hdr, want, "WARC-Payload-Digest is sha256:base32 of the body");
	is_int(warc_record_verify(&r, &e), PRC_OK, "warc_record_verify agrees");

	/* the stored HTTP headers describe the stored body */
	ok(!has_header(r.http, r.http_len, "Content-Encoding"), "Content-Encoding dropped (body is decoded)");
	ok(!has_header(r.http, r.http_len, "Transfer-Encoding"), "Transfer-Encoding dropped");
	ok(has_line(r.http, r.http_len, "X-Patrol-Original-Content-Encoding: gzip"), "original Content-Encoding kept");
	ok(has_line(r.http, r.http_len, "X-Patrol-Original-Transfer-Encoding: chunked"),
	   "original Transfer-Encoding kept");
	ok(has_line(r.http, r.http_len, "X-Long: a") && has_line(r.http, r.http_len, " b"),
	   "other headers, folded lines included, kept as received");
	ok(!strncmp(r.http, "HTTP/1.1 200 OK\r\n", 17), "status line first");
	warc_http_header(&r, "content-type", hdr, sizeof(hdr));
	is_str(hdr, "text/html; charset=utf-8", "warc_http_header finds an HTTP header");

	/* the request record follows, linked both ways */
	is_int(load(dir, loc.file, loc.offset + loc.length, &b2, &q), PRC_OK,
	       "the request record follows the response member");
	warc_record_header(&q, "WARC-Type", hdr, sizeof(hdr));
	is_str(hdr, "request", "WARC-Type request");
	warc_record_header(&q, "Content-Type", hdr, sizeof(hdr));
	is_str(hdr, "application/http;msgtype=request", "Content-Type of a request");
	warc_record_header(&q, "WARC-Concurrent-To", hdr, sizeof(hdr));
	is_str(hdr, loc.record_id, "request points to the response");
	{
		char rid[64];

		warc_record_header(&q, "WARC-Record-ID", rid, sizeof(rid));
		warc_record_header(&r, "WARC-Concurrent-To", hdr, sizeof(hdr));
		is_str(hdr, rid, "response points to the request");
	}
	ok(q.block_len == strlen(REQ) && !memcmp(q.block, REQ, q.block_len), "request bytes as sent");
	ok(warc_record_header(&q, "WARC-Payload-Digest", NULL, 0) < 0, "no payload digest for a bodiless request");
	ref_digest(REQ, strlen(REQ), "", 0, want);
	warc_record_header(&q, "WARC-Block-Digest", hdr, sizeof(hdr));
	is_str(hdr, want, "request block digest");

	/* a second exchange: truncated, Content-Length fixed, several header blocks, no request */
	{
		const char *multi = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n"
				    "HTTP/1.1 200 OK\r\nContent-Length: 99999\r\nContent-Type: application/octet-stream\r\n\r\n";
		unsigned char bin[3000];

		fill_random(bin, sizeof(bin), 7);
		bin[10] = 0;
		memset(&x, 0, sizeof(x));
		x.target_uri = "http://example.jp/x";
		x.date = 1700000001;
		x.response_headers = multi;
		x.response_headers_len = strlen(multi);
		x.body = bin;
		x.body_len = sizeof(bin);
		x.truncated = "length";
		is_int(warc_write_exchange(w, &x, &loc2, &e), PRC_OK, "a truncated exchange without request");
		ok(!strcmp(loc2.file, loc.file) && loc2.offset > loc.offset + loc.length,
		   "same file (no rotation), after the first exchange");
		is_int(load(dir, loc2.file, loc2.offset, &b, &r), PRC_OK, "it reads back");
		warc_record_header(&r, "WARC-Truncated", hdr, sizeof(hdr));
		is_str(hdr, "length", "WARC-Truncated: length");
		ok(warc_record_header(&r, "WARC-IP-Address", NULL, 0) < 0, "no IP header when the IP is unknown");
		ok(warc_record_header(&r, "WARC-Concurrent-To", NULL, 0) < 0, "no Concurrent-To without a request");
		ok(!strncmp(r.http, "HTTP/1.1 200 OK\r\n", 17), "only the last header block is kept");
		ok(has_line(r.http, r.http_len, "Content-Length: 3000") &&
			   has_line(r.http, r.http_len, "X-Patrol-Original-Content-Length: 99999"),
		   "Content-Length set to the stored body, the original kept");
		ok(r.body_len == sizeof(bin) && !memcmp(r.body, bin, sizeof(bin)), "binary body with NUL bytes intact");
		is_int(warc_record_verify(&r, &e), PRC_OK, "digests verify");
		{
			char *copy = malloc(b.len);
			struct warc_record t;

			memcpy(copy, b.ptr, b.len);
			warc_record_parse(copy, b.len, &t, &e);
			copy[t.body - copy + 100] ^= 1;
			is_int(warc_record_verify(&t, &e), PRC_PARSE, "one flipped bit is caught: %s", e.msg);
			free(copy);
		}
		{
			char path[512];

			snprintf(path, sizeof(path), "%s/%s", dir, loc2.file);
			buf_reset(&b2);
			is_int(warc_read_record(path, loc2.offset + loc2.length, &b2, &e), PRC_PARSE,
			       "no request record follows (end of file)");
		}
	}

	/* bad input is refused and leaves the file as it was */
	{
		char path[512];
		long long before;
		struct warc_loc l3;

		snprintf(path, sizeof(path), "%s/%s", dir, loc.file);
		before = file_size(path);
		memset(&x, 0, sizeof(x));
		x.target_uri = "http://example.jp/\r\nWARC-Type: evil";
		x.response_headers = "HTTP/1.1 200 OK\r\n\r\n";
		x.response_headers_len = 19;
		is_int(warc_write_exchange(w, &x, &l3, &e), PRC_INVALID, "CRLF in the URI refused: %s", e.msg);
		x.target_uri = "http://example.jp/";
		x.truncated = "length\r\nX: y";
		is_int(warc_write_exchange(w, &x, &l3, &e), PRC_INVALID, "CRLF in a header value refused");
		x.truncated = NULL;
		x.response_headers = "<html>not a response";
		x.response_headers_len = strlen(x.response_headers);
		is_int(warc_write_exchange(w, &x, &l3, &e), PRC_INVALID, "headers without a status line refused");
		is_int(file_size(path), before, "nothing was written");
	}

	/* reading where there is no record */
	{
		char path[512];
		struct buf small;

		snprintf(path, sizeof(path), "%s/%s", dir, loc.file);
		buf_reset(&b);
		is_int(warc_read_record(path, loc.offset + 1, &b, &e), PRC_PARSE, "an offset inside a member: %s",
		       e.msg);
		buf_reset(&b);
		is_int(warc_read_record(path, 1u << 30, &b, &e), PRC_PARSE, "an offset past the end");
		buf_reset(&b);
		is_int(warc_read_record("/nonexistent/x.warc.gz", 0, &b, &e), PRC_IO, "a missing file");
		buf_init(&small, 100);
		is_int(warc_read_record(path, loc.offset, &small, &e), PRC_LIMIT, "a record over the buffer's limit");
		buf_release(&small);
	}
	warc_close(w);
	buf_release(&b);
	buf_release(&b2);

	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "zcat '%s/%s' | grep -c '^WARC/1.1'", dir, loc.file);
		is_int(cmd_number(cmd), 4, "zcat sees warcinfo + response + request + response");
		snprintf(cmd, sizeof(cmd), "gzip -t '%s/%s'", dir, loc.file);
		is_int(run(cmd), 0, "gzip -t accepts the file");
	}
}

#define NEX 12

static void test_rotation(void)
{
	char dir[300], names[64][WARC_FILE_MAX], cmd[2000];
	struct warc_loc locs[NEX];
	struct err e = { "" };
	struct warc *w;
	struct buf b;
	struct warc_record r;
	unsigned char *body = malloc(20000);
	int i, nfiles, good = 0, info = 0, total = 0, under = 1;

	snprintf(dir, sizeof(dir), "%s/rot", tmp);
	w = warc_open(dir, "rot", 16384, &e);
	ok(w != NULL, "writer with a 16 KiB rotation size");
	if (!w)
		return;
	buf_init(&b, 1u << 24);
	for (i = 0; i < NEX; i++) {
		struct warc_exchange x;
		char uri[64];

		fill_random(body, 20000, (unsigned)i + 1);
		memset(&x, 0, sizeof(x));
		snprintf(uri, sizeof(uri), "http://example.jp/%d", i);
		x.target_uri = uri;
		x.date = 1700000000 + i;
		x.request = REQ;
		x.request_len = strlen(REQ);
		x.response_headers = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n";
		x.response_headers_len = strlen(x.response_headers);
		x.body = body;
		x.body_len = (size_t)(i % 3) * 7000 + 100; /* incompressible: 100 B to 14 KB */
		if (warc_write_exchange(w, &x, &locs[i], &e) != PRC_OK)
			diag("%s", e.msg);
	}
	warc_close(w);
	nfiles = count_files(dir, names, 64);
	ok(nfiles >= 4, "%d exchanges of up to 14 KB make %d files", NEX, nfiles);
	for (i = 0; i < NEX; i++) {
		char want[WARC_DIGEST_MAX + 8], hdr[WARC_DIGEST_MAX + 8];

		fill_random(body, 20000, (unsigned)i + 1);
		if (load(dir, locs[i].file, locs[i].offset, &b, &r) != PRC_OK)
			continue;
		ref_digest(body, (size_t)(i % 3) * 7000 + 100, "", 0, want);
		warc_record_header(&r, "WARC-Payload-Digest", hdr, sizeof(hdr));
		if (!strcmp(hdr, want) && r.body_len == (size_t)(i % 3) * 7000 + 100 &&
		    warc_record_verify(&r, &e) == PRC_OK)
			good++;
	}
	is_int(good, NEX, "every record reads back by its offset, in whichever file, with its digest");
	for (i = 0; i < nfiles && i < 64; i++) {
		char path[600], hdr[64];
		long long size;

		snprintf(path, sizeof(path), "%s/%.127s", dir, names[i]);
		if (load(dir, names[i], 0, &b, &r) == PRC_OK &&
		    warc_record_header(&r, "WARC-Type", hdr, sizeof(hdr)) > 0 && !strcmp(hdr, "warcinfo"))
			info++;
		snprintf(cmd, sizeof(cmd), "zcat '%s' | grep -c '^WARC/1.1'", path);
		total += (int)cmd_number(cmd);
		size = file_size(path);
		/* a file is closed once it reaches 16 KiB: it exceeds it by at most one exchange */
		if (size > 16384 + 15000)
			under = 0;
	}
	is_int(info, nfiles, "every file starts with a warcinfo record");
	is_int(total, nfiles + 2 * NEX, "zcat counts one warcinfo per file and two records per exchange");
	ok(under, "no file overshoots the rotation size by more than one exchange");
	warc_close(NULL);
	buf_release(&b);
	free(body);
}

/* A write cut short by the file size limit leaves the file as it was, and the writer goes on. */
static void test_failed_write(void)
{
	char dir[300], path[600], moved[320], cmd[2000];
	struct err e = { "" };
	struct warc *w;
	struct warc_loc l1, l2, l3;
	struct warc_exchange x;
	struct rlimit old, lim;
	struct buf b;
	struct warc_record r;
	unsigned char *big = malloc(300000);
	long long before;
	enum prc rc;

	fill_random(big, 300000, 99);
	snprintf(dir, sizeof(dir), "%s/fail", tmp);
	w = warc_open(dir, "fail", 0, &e);
	if (!w) {
		ok(0, "writer for the failure tests: %s", e.msg);
		free(big);
		return;
	}
	memset(&x, 0, sizeof(x));
	x.target_uri = "http://example.jp/big";
	x.request = REQ;
	x.request_len = strlen(REQ);
	x.response_headers = "HTTP/1.1 200 OK\r\n\r\n";
	x.response_headers_len = strlen(x.response_headers);
	x.body = big;
	x.body_len = 1000;
	if (warc_write_exchange(w, &x, &l1, &e) != PRC_OK) {
		ok(0, "first write for the failure tests: %s", e.msg);
		warc_close(w);
		free(big);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, l1.file);
	before = file_size(path);

	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)before + 50000; /* room for part of the 300 KB member only */
	setrlimit(RLIMIT_FSIZE, &lim);
	x.body_len = 300000;
	rc = warc_write_exchange(w, &x, &l2, &e);
	setrlimit(RLIMIT_FSIZE, &old);
	is_int(rc, PRC_IO, "a write past the file size limit fails: %s", e.msg);
	is_int(file_size(path), before, "the half-written member is truncated away");
	buf_init(&b, 1u << 24);
	is_int(load(dir, l1.file, l1.offset, &b, &r), PRC_OK, "the record before it still reads");
	snprintf(cmd, sizeof(cmd), "gzip -t '%s' && zcat '%s' | grep -c '^WARC/1.1'", path, path);
	is_int(cmd_number(cmd), 3, "the file is whole: warcinfo, response, request");

	is_int(warc_write_exchange(w, &x, &l2, &e), PRC_OK, "the next write succeeds");
	ok(!strcmp(l2.file, l1.file) && l2.offset == (uint64_t)before, "in the same file, where the failed one began");
	is_int(load(dir, l2.file, l2.offset, &b, &r), PRC_OK, "and reads back");
	ok(r.body_len == 300000 && !memcmp(r.body, big, 300000), "with its whole body");
	warc_close(w);

	/* rotation into a directory that is gone */
	w = warc_open(dir, "gone", 1, &e);
	x.body_len = 500;
	rc = w ? warc_write_exchange(w, &x, &l1, &e) : PRC_IO;
	is_int(rc, PRC_OK, "a writer rotating after every exchange");
	snprintf(moved, sizeof(moved), "%s.moved", dir);
	rename(dir, moved);
	{
		FILE *f = fopen(dir, "w"); /* a file where the directory was: even root cannot create in it */

		if (f)
			fclose(f);
	}
	rc = w ? warc_write_exchange(w, &x, &l2, &e) : PRC_IO;
	is_int(rc, PRC_IO, "rotation into a missing directory fails: %s", e.msg);
	unlink(dir);
	rename(moved, dir);
	snprintf(path, sizeof(path), "%s/%s", dir, l1.file);
	snprintf(cmd, sizeof(cmd), "gzip -t '%s' && zcat '%s' | grep -c '^WARC/1.1'", path, path);
	is_int(cmd_number(cmd), 3, "the previous file is whole");
	rc = w ? warc_write_exchange(w, &x, &l3, &e) : PRC_IO;
	is_int(rc, PRC_OK, "once the directory is back, writing goes on");
	ok(strcmp(l3.file, l1.file), "in a new file");
	is_int(load(dir, l3.file, l3.offset, &b, &r), PRC_OK, "which reads back");
	warc_close(w);
	buf_release(&b);
	free(big);
}

#define NTHREADS 4
#define PER_THREAD 25

struct tctx {
	struct warc *w;
	int id;
	struct warc_loc locs[PER_THREAD];
	int failed;
};

static void *writer_thread(void *arg)
{
	struct tctx *t = arg;
	char uri[64], body[600];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		struct warc_exchange x;
		struct err e = { "" };

		memset(&x, 0, sizeof(x));
		snprintf(uri, sizeof(uri), "http://t%d.example.jp/%d", t->id, i);
		memset(body, 'a' + t->id, sizeof(body));
		snprintf(body, sizeof(body), "thread %d page %d", t->id, i);
		x.target_uri = uri;
		x.date = 1700000000;
		x.request = REQ;
		x.request_len = strlen(REQ);
		x.response_headers = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";
		x.response_headers_len = strlen(x.response_headers);
		x.body = body;
		x.body_len = sizeof(body);
		if (warc_write_exchange(t->w, &x, &t->locs[i], &e) != PRC_OK)
			t->failed++;
	}
	return NULL;
}

static void test_threads(void)
{
	char dir[300], names[256][WARC_FILE_MAX], cmd[2000];
	struct tctx t[NTHREADS];
	pthread_t th[NTHREADS];
	struct err e = { "" };
	struct warc *w;
	struct buf b;
	struct warc_record r;
	int i, j, good = 0, failed = 0, nfiles, total = 0;

	snprintf(dir, sizeof(dir), "%s/threads", tmp);
	w = warc_open(dir, "thr", 8192, &e);
	for (i = 0; i < NTHREADS; i++) {
		t[i].w = w;
		t[i].id = i;
		t[i].failed = 0;
		pthread_create(&th[i], NULL, writer_thread, &t[i]);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	is_int(warc_sync(w, &e), PRC_OK, "warc_sync");
	warc_close(w);
	buf_init(&b, 1u << 20);
	for (i = 0; i < NTHREADS; i++) {
		failed += t[i].failed;
		for (j = 0; j < PER_THREAD; j++) {
			char want[64], uri[64], got[64];

			snprintf(want, sizeof(want), "thread %d page %d", i, j);
			snprintf(uri, sizeof(uri), "http://t%d.example.jp/%d", i, j);
			if (load(dir, t[i].locs[j].file, t[i].locs[j].offset, &b, &r) == PRC_OK &&
			    warc_record_header(&r, "WARC-Target-URI", got, sizeof(got)) > 0 && !strcmp(got, uri) &&
			    r.body_len == 600 && !strcmp(r.body, want) && warc_record_verify(&r, &e) == PRC_OK)
				good++;
		}
	}
	is_int(failed, 0, "%d threads wrote %d exchanges each without error", NTHREADS, PER_THREAD);
	is_int(good, NTHREADS * PER_THREAD, "every record is where its writer was told");
	nfiles = count_files(dir, names, 256);
	for (i = 0; i < nfiles && i < 256; i++) {
		snprintf(cmd, sizeof(cmd), "zcat '%s/%.127s' | grep -c '^WARC/1.1'", dir, names[i]);
		total += (int)cmd_number(cmd);
	}
	is_int(total, nfiles + 2 * NTHREADS * PER_THREAD, "no record lost or interleaved (zcat count)");
	buf_release(&b);
}

/*
 * A reader written independently of warc.c: Python's gzip module reads the
 * members, the records are split by Content-Length, and every block and
 * payload digest is recomputed with hashlib and base64.b32encode.
 */
static const char PY_CHECK[] =
	"import base64, gzip, hashlib, os, sys\n"
	"def b32(b): return 'sha256:' + base64.b32encode(hashlib.sha256(b).digest()).decode()\n"
	"n = bad = 0\n"
	"for root, _, files in os.walk(sys.argv[1]):\n"
	"  for f in files:\n"
	"    if not f.endswith('.warc.gz'): continue\n"
	"    data = gzip.open(os.path.join(root, f)).read()\n"
	"    while data:\n"
	"      head, _, rest = data.partition(b'\\r\\n\\r\\n')\n"
	"      lines = head.decode().split('\\r\\n')\n"
	"      assert lines[0] == 'WARC/1.1', lines[0]\n"
	"      h = dict(l.split(': ', 1) for l in lines[1:])\n"
	"      cl = int(h['Content-Length'])\n"
	"      block, data = rest[:cl], rest[cl:]\n"
	"      assert data[:4] == b'\\r\\n\\r\\n'; data = data[4:]\n"
	"      n += 1\n"
	"      if h['WARC-Block-Digest'] != b32(block): bad += 1\n"
	"      if 'WARC-Payload-Digest' in h:\n"
	"        body = block.split(b'\\r\\n\\r\\n', 1)[1]\n"
	"        if h['WARC-Payload-Digest'] != b32(body): bad += 1\n"
	"print(n if bad == 0 else -bad)\n";

static void test_python(void)
{
	char script[300], cmd[900];
	FILE *f;
	long n;

	if (run("python3 -c 'import gzip, hashlib, base64' 2>/dev/null") != 0) {
		printf("ok %d # skip python3 not available\n", ++tap_n);
		return;
	}
	snprintf(script, sizeof(script), "%s/check.py", tmp);
	f = fopen(script, "w");
	fputs(PY_CHECK, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "python3 '%s' '%s'", script, tmp);
	n = cmd_number(cmd);
	ok(n > 200, "an independent Python reader parses %ld records and every digest matches", n);
	if (run("python3 -c 'import warcio' 2>/dev/null") == 0) {
		snprintf(cmd, sizeof(cmd), "cd '%s' && find . -name '*.warc.gz' -exec python3 -m warcio check {} + >/dev/null",
			 tmp);
		is_int(run(cmd), 0, "warcio check accepts every file");
	} else {
		printf("ok %d # skip python3 warcio module not installed\n", ++tap_n);
	}
}


/* ---- the hash chain ---- */

struct seen {
	int n;
	uint64_t offset[64];
	int problem[64];
	char first_problem[512];
	uint64_t problem_at;
};

static int collect(void *ud, const struct warc_entry *en)
{
	struct seen *s = ud;

	if (s->n < 64) {
		s->offset[s->n] = en->offset;
		s->problem[s->n] = en->problem != NULL;
	}
	s->n++;
	if (en->problem && !s->first_problem[0]) {
		snprintf(s->first_problem, sizeof(s->first_problem), "%s", en->problem);
		s->problem_at = en->offset;
	}
	return 0;
}

static void spit(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
	FILE *f = fopen(path, "wb");

	fwrite(a, 1, alen, f);
	if (blen)
		fwrite(b, 1, blen, f);
	fclose(f);
}

/* Scans path; returns the result, the entries in *s. */
static struct warc_scan_result scan_file(const char *path, struct seen *s)
{
	struct warc_scan_result res;
	struct err e = { "" };

	memset(s, 0, sizeof(*s));
	if (warc_scan(path, collect, s, &res, &e) != PRC_OK)
		diag("warc_scan: %s", e.msg);
	return res;
}

static void test_chain(void)
{
	char dir[300], path[2400], bad[700], hex[65], hdr[256];
	struct err e = { "" };
	struct warc *w;
	struct warc_loc loc[3];
	struct warc_exchange x;
	struct warc_head h[WARC_HEADS_MAX + 1];
	struct warc_scan_result res;
	struct seen s;
	struct stat st;
	struct buf b;
	struct warc_record r;
	unsigned char *data, *copy;
	size_t n = 0, nh, i;
	mode_t old = umask(0);
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n";
	const char *bodies[3] = { "<p>one 大麻</p>", "<p>two 手押し</p>", "<p>three</p>" };

	snprintf(dir, sizeof(dir), "%s/chain", tmp);
	w = warc_open(dir, "patrol", 0, &e);
	umask(old);
	ok(w != NULL, "a writer for the chain tests");
	if (!w)
		return;
	ok(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0750, "the WARC folder is 0750 whatever the umask (%o)",
	   (unsigned)(st.st_mode & 0777));
	memset(&x, 0, sizeof(x));
	x.target_uri = "http://example.jp/c.html";
	x.request = REQ;
	x.request_len = strlen(REQ);
	x.response_headers = resp;
	x.response_headers_len = strlen(resp);
	for (i = 0; i < 3; i++) {
		x.body = bodies[i];
		x.body_len = strlen(bodies[i]);
		is_int(warc_write_exchange(w, &x, &loc[i], &e), PRC_OK, "exchange %zu written", i);
	}
	is_int(warc_sync(w, &e), PRC_OK, "synced");
	nh = warc_heads(w, h, WARC_HEADS_MAX + 1);
	is_int((int)nh, 1, "one file's head to store");
	snprintf(path, sizeof(path), "%s/%s", dir, loc[0].file);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "the WARC file is 0640 whatever the umask (%o)",
	   (unsigned)(st.st_mode & 0777));
	data = (unsigned char *)fixture_read(path, &n);
	is_str(h[0].file, loc[0].file, "the head names the file");
	is_int((int)h[0].records, 7, "after 7 records (warcinfo, 3 responses, 3 requests)");
	is_int((int)h[0].bytes, (int)n, "ending at the file's end");
	{
		size_t last = loc[2].offset + loc[2].length;

		ref_hex(data + last, n - last, hex);
		is_str(h[0].head, hex, "the head is the SHA-256 of the last gzip member as stored");
	}
	is_int((int)warc_heads(w, h, WARC_HEADS_MAX + 1), 0, "no head again until something is written");

	buf_init(&b, 1u << 24);
	is_int(load(dir, loc[1].file, loc[1].offset, &b, &r), PRC_OK, "the second response reads back");
	ok(warc_record_header(&r, "WARC-Patrol-Chain", hdr, sizeof(hdr)) > 0, "it carries a chain link");
	{
		size_t prev = loc[0].offset + loc[0].length; /* the first exchange's request */
		char want[WARC_DIGEST_MAX + 8];

		ref_digest(data + prev, loc[1].offset - prev, "", 0, want);
		is_str(hdr, want, "the SHA-256 (base32) of the member before it, as stored");
	}
	is_int(load(dir, loc[0].file, 0, &b, &r), PRC_OK, "the warcinfo reads back");
	ok(warc_record_header(&r, "WARC-Patrol-Chain", hdr, sizeof(hdr)) < 0, "the first record has no link");
	buf_release(&b);

	res = scan_file(path, &s);
	ok(res.records == 7 && res.bytes == n && res.size == n && res.chained && !res.problems && !res.damaged,
	   "warc_scan: a clean file has 7 chained records and no problem (%s)", s.first_problem);
	is_str(res.head, h[0].head, "warc_scan finds the head the writer gave");
	ok(s.n == 7 && s.offset[1] == loc[0].offset && s.offset[3] == loc[1].offset, "entries come in file order");

	snprintf(bad, sizeof(bad), "%s/tampered.warc.gz", tmp);
	copy = malloc(n);

	/* removed: the second exchange's response */
	spit(bad, data, loc[1].offset, data + loc[1].offset + loc[1].length,
	     n - loc[1].offset - loc[1].length);
	res = scan_file(bad, &s);
	ok(res.problems == 1 && s.problem_at == loc[1].offset && strstr(s.first_problem, "chain link does not match"),
	   "a removed record breaks the link of the one now at its offset: %s", s.first_problem);

	/* inserted: a copy of the first response placed before the second */
	{
		unsigned char *ins = malloc(n + loc[0].length);

		memcpy(ins, data, loc[1].offset);
		memcpy(ins + loc[1].offset, data + loc[0].offset, loc[0].length);
		memcpy(ins + loc[1].offset + loc[0].length, data + loc[1].offset, n - loc[1].offset);
		spit(bad, ins, n + loc[0].length, NULL, 0);
		free(ins);
	}
	res = scan_file(bad, &s);
	ok(res.problems == 2 && s.problem_at == loc[1].offset, "an inserted record breaks its own link and the next one's: %s",
	   s.first_problem);

	/* one byte of compressed data altered */
	memcpy(copy, data, n);
	copy[loc[1].offset + loc[1].length / 2] ^= 0x20;
	spit(bad, copy, n, NULL, 0);
	res = scan_file(bad, &s);
	ok(res.damaged && s.problem_at == loc[1].offset && res.bytes == loc[1].offset,
	   "a byte altered inside a member stops the walk there: %s", s.first_problem);

	/* one byte of a gzip header (MTIME): same text, same digests, another member */
	memcpy(copy, data, n);
	copy[loc[1].offset + 4] ^= 0x01;
	spit(bad, copy, n, NULL, 0);
	res = scan_file(bad, &s);
	ok(res.problems == 1 && !res.damaged && s.problem_at == loc[1].offset + loc[1].length &&
		   strcmp(res.head, h[0].head) == 0,
	   "a gzip header byte altered breaks the next record's link: %s", s.first_problem);

	/* a record appended with no valid link (a copy of the first response) */
	spit(bad, data, n, data + loc[0].offset, loc[0].length);
	res = scan_file(bad, &s);
	ok(res.problems == 1 && s.problem_at == n && res.records == 8, "an appended copy does not link: %s",
	   s.first_problem);

	/* the first record removed */
	spit(bad, data + loc[0].offset, n - loc[0].offset, NULL, 0);
	res = scan_file(bad, &s);
	ok(res.problems >= 1 && s.problem_at == 0 && strstr(s.first_problem, "first record carries a chain link"),
	   "a file that lost its first records says so: %s", s.first_problem);

	/* garbage after the last member */
	spit(bad, data, n, "\0\0\0\0", 4);
	res = scan_file(bad, &s);
	ok(res.damaged && res.records == 7 && s.problem_at == n, "bytes after the last member are a problem: %s",
	   s.first_problem);

	/* cut at every byte: a whole prefix of members walks clean, anything else is damaged there */
	{
		size_t cut, wrong = 0;
		struct seen all;

		scan_file(path, &all);
		snprintf(path, sizeof(path), "%s/%s", dir, loc[0].file);
		for (cut = 1; cut < n; cut++) {
			int boundary = 0, k;

			spit(bad, data, cut, NULL, 0);
			res = scan_file(bad, &s);
			for (k = 1; k < all.n && k < 64; k++)
				boundary |= all.offset[k] == cut;
			if (boundary ? (res.problems || res.bytes != cut) : (!res.damaged || res.bytes > cut))
				wrong++;
		}
		is_int((int)wrong, 0, "a file cut at any of its %zu bytes is clean only at a member boundary", n);
	}

	is_int(warc_scan("/nonexistent/x.warc.gz", NULL, NULL, &res, &e), PRC_IO, "a missing file is PRC_IO");
	free(copy);
	free(data);
	warc_close(w);

	/* rotation: every exchange in a new file; the heads of the closed ones are kept for collection */
	snprintf(dir, sizeof(dir), "%s/chainrot", tmp);
	w = warc_open(dir, "rot", 1, &e);
	ok(w != NULL, "a writer rotating after every exchange");
	if (!w)
		return;
	for (i = 0; i < 3; i++) {
		x.body = bodies[i];
		x.body_len = strlen(bodies[i]);
		is_int(warc_write_exchange(w, &x, &loc[i], &e), PRC_OK, "exchange %zu written", i);
	}
	nh = warc_heads(w, h, 2);
	is_int((int)nh, 2, "heads come at most max at a time: the two closed files first");
	nh += warc_heads(w, h + 2, WARC_HEADS_MAX);
	is_int((int)nh, 3, "then the open one: three heads");
	is_int((int)warc_heads(w, h + 3, WARC_HEADS_MAX), 0, "and then none");
	ok(nh == 3 && !strcmp(h[0].file, loc[0].file) && !strcmp(h[1].file, loc[1].file) &&
		   !strcmp(h[2].file, loc[2].file) && h[0].records == 3 && h[2].records == 3,
	   "in order, three records each");
	for (i = 0; i < nh; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, h[i].file);
		res = scan_file(path, &s);
		ok(!res.problems && res.records == h[i].records && res.bytes == h[i].bytes && !strcmp(res.head, h[i].head),
		   "file %zu walks to its stored head", i);
	}
	warc_close(w);
}

static void test_digest(void)
{
	char d[WARC_DIGEST_MAX], want[WARC_DIGEST_MAX + 8];

	warc_digest_sha256("", 0, d);
	/* SHA-256 of nothing, e3b0c442..., in base32 */
	is_str(d, "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ====",
	       "warc_digest_sha256 of the empty string");
	ref_digest("abc", 3, "", 0, want);
	warc_digest_sha256("abc", 3, d);
	is_str(d, want, "warc_digest_sha256 of 'abc'");
}

int main(void)
{
	char cmd[300];

	snprintf(tmp, sizeof(tmp), "%s/t-warc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		printf("1..0 # skip cannot make a temp dir\n");
		return 0;
	}
	test_digest();
	test_exchange();
	test_rotation();
	test_failed_write();
	test_threads();
	test_python();
	test_chain();
	if (!tap_failed) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
		run(cmd);
	} else {
		diag("files kept in %s", tmp);
	}
	return done_testing();
}
