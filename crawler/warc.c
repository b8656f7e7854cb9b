/*
 * warc.c - the evidence store. Every flagged page's request and response are
 * kept as WARC/1.1 records (ISO 28500:2017), the format web archives, courts
 * and other crawlers' tools read, so that what patrol saw can be shown later
 * byte for byte, with digests that prove it was not altered since.
 *
 * DESIGN
 *
 * Record layout. Each record is its own gzip member (the ".warc.gz"
 * convention), so a reader holding a (file, offset) from the database seeks
 * there and inflates one member without touching the rest of the file, and
 * `zcat` still reads the file as one stream. A file starts with a warcinfo
 * record (software, format, host, and how HTTP bodies are stored); each
 * exchange then adds a `response` record and a `request` record, written in
 * that order (as Heritrix does), linked both ways with WARC-Concurrent-To and
 * to the warcinfo with WARC-Warcinfo-ID. Digests are sha256 in base32, the
 * WARC convention: WARC-Block-Digest over the whole block, WARC-Payload-
 * Digest over the HTTP body.
 *
 * Decoded bodies. curl removes the transfer coding and decodes gzip, deflate
 * and br, and the classifiers judged the decoded bytes, so those are what is
 * kept. For the record to stay self-consistent, the stored HTTP header block
 * drops Transfer-Encoding and Content-Encoding, fixes Content-Length, and keeps
 * each original value as X-Patrol-Original-<name>; the warcinfo record says
 * so, and a body cut at the size cap carries WARC-Truncated.
 *
 * Atomicity. An exchange's members are built complete in memory and then
 * written with one pwrite() at the file's known end. If that fails (disk
 * full, file size limit, I/O error), the file is truncated back to where it
 * was, so a reader never finds a half record that parses as complete; if even
 * the truncation fails, the file is abandoned and the next exchange opens a
 * new one. The caller stores a record's location only after the write has
 * returned, and calls warc_sync before committing the rows that point at it.
 *
 * Rotation. Files are named PREFIX-YYYYmmddHHMMSS-NNNNN-PID.warc.gz and
 * created with O_EXCL, so writers in several processes on one machine never
 * share a file. Once a file has reached the rotation size it is fsynced and
 * closed, and the next exchange starts a new file (fsyncing the directory so
 * the new name survives a crash).
 *
 * The chain. The records of a file form a hash chain, so that a record
 * inserted, removed or altered anywhere is found, not only one whose own
 * digests no longer match (anyone can recompute those). Every record but a
 * file's first (its warcinfo) carries
 *
 *     WARC-Patrol-Chain: sha256:<base32>
 *
 * the SHA-256 of the previous record's gzip member exactly as it lies in the
 * file (compressed bytes, gzip header and trailer included). A record's own
 * member covers that header, so the digest of the last member covers every
 * byte of the file before it: that digest is the file's chain head. The
 * chain is over the compressed bytes rather than the record text so that no
 * byte of the file is outside it (a gzip header's MTIME or OS byte does not
 * change the inflated text). The chain is per file, and starts again with
 * each file's warcinfo, which names the file (WARC-Filename).
 *
 * The head alone proves nothing: whoever can rewrite the file can rewrite
 * the chain. It is worth something because it is kept elsewhere: after each
 * warc_sync the crawl writes the head of every file it wrote to (warc_heads:
 * file, records, bytes, head) into the database (schema/006), before it
 * commits the rows that point at those records, so a committed evidence row
 * always points inside a sealed part of the chain. `patrol evidence
 * --verify-all` walks every file (warc_scan checks the links and each
 * record's digests) and holds the database's heads against it: a record
 * removed or altered breaks a link or a stored head, one inserted breaks a
 * link, one appended and pointed at lies past the last stored head. Records
 * past the last head that nothing points at are what a batch that failed, or
 * a crash between the write and the seal, leaves behind; they are reported
 * as orphans (--check), not as a broken chain. Files written before the chain
 * carry no link at all and are checked record by record only.
 *
 * Modes. Files are created 0640 and the directory 0750: evidence holds what
 * flagged pages said about people, and only the crawl's group reads it.
 *
 * Threads. One mutex serializes the writer; the crawl calls it from its one
 * store thread, and nothing else here keeps state.
 */
#include "crawler/warc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "util/buf.h"

/* Largest exchange (all its compressed members) the writer will buffer. */
#define WARC_EXCHANGE_MAX ((size_t)1 << 31)
/* A write buffer grown past this is freed after use, so one huge page does not pin memory. */
#define WARC_KEEP_BUF (4u << 20)
#define ZCHUNK 65536

struct warc {
	pthread_mutex_t lock;
	char *dir;
	char prefix[WARC_PREFIX_MAX + 1];
	size_t rotate;
	int fd;                    /* -1 when no file is open */
	char name[WARC_FILE_MAX];  /* current file, relative to dir */
	char info_id[WARC_ID_MAX]; /* its warcinfo record's id */
	uint64_t size;             /* bytes in the current file: where the next member goes */
	unsigned serial;           /* files opened so far */
	struct buf out;            /* the members of the exchange being written */
	struct buf tmp;            /* record text before compression */

	/* the chain of the current file (see DESIGN), as written ... */
	unsigned char chain[32];   /* SHA-256 of the last member written */
	uint64_t records;          /* members written to the current file */
	/* ... and as it will be once the members in out are */
	unsigned char next_chain[32];
	uint64_t next_records;
	int dirty;                 /* the current file changed since the last warc_heads */
	struct warc_head *closed;  /* final heads of files closed since then, oldest first */
	size_t nclosed, closed_cap;
};

/* ---- small encoders ---- */

static void base32(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t i, o = 0;
	unsigned bits = 0, acc = 0;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = abc[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[o++] = abc[(acc << (5 - bits)) & 31];
	while (o % 8)
		out[o++] = '=';
	out[o] = '\0';
}

void warc_digest_sha256(const void *data, size_t len, char out[WARC_DIGEST_MAX])
{
	unsigned char md[32];

	hash_sha256(data, len, md);
	memcpy(out, "sha256:", 7);
	base32(md, sizeof(md), out + 7);
}

/* SHA-256 of a followed by b, without joining them. */
static void sha256_two(const void *a, size_t alen, const void *b, size_t blen, unsigned char md[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 32;

	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) || !EVP_DigestUpdate(c, a, alen) ||
	    !EVP_DigestUpdate(c, b, blen) || !EVP_DigestFinal_ex(c, md, &n)) {
		/* only on allocation failure inside OpenSSL; fall back to one buffer */
		unsigned char *j = malloc(alen + blen + 1);

		if (j) {
			memcpy(j, a, alen);
			if (blen)
				memcpy(j + alen, b, blen);
			hash_sha256(j, alen + blen, md);
			free(j);
		} else {
			memset(md, 0, 32);
		}
	}
	EVP_MD_CTX_free(c);
}

static void labelled(const unsigned char md[32], char out[WARC_DIGEST_MAX])
{
	memcpy(out, "sha256:", 7);
	base32(md, 32, out + 7);
}

static void to_hex(const unsigned char *md, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

/* A random (version 4) UUID as a WARC-Record-ID, from the kernel's urandom pool. */
static enum prc new_id(char out[WARC_ID_MAX], struct err *e)
{
	unsigned char r[16];
	char hex[33];
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = getrandom(r + got, sizeof(r) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(e, PRC_IO, "cannot read random bytes for a record id: %s",
				       strerror(errno));
		got += (size_t)n;
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	to_hex(r, 16, hex);
	snprintf(out, WARC_ID_MAX, "<urn:uuid:%.8s-%.4s-%.4s-%.4s-%.12s>", hex, hex + 8, hex + 12,
		 hex + 16, hex + 20);
	return PRC_OK;
}

/* WARC/1.1 date: ISO 8601 UTC with microseconds ("2024-05-01T12:34:56.789012Z"). */
static void warc_date(double t, char out[40])
{
	double whole;
	long usec;
	time_t s;
	struct tm tm;

	if (!(t >= 0) || t > 253402300799.0) /* NaN, negative, or past year 9999 */
		t = 0;
	whole = floor(t);
	usec = lround((t - whole) * 1e6);
	if (usec >= 1000000) {
		whole += 1;
		usec -= 1000000;
	}
	s = (time_t)whole;
	gmtime_r(&s, &tm);
	strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 21, ".%06dZ", (int)usec);
}

/* Whether s may stand as a WARC header value: printable, no CR/LF (no header injection); no spaces when !spaces. */
static int value_ok(const char *s, int spaces)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (!spaces && *p == ' '))
			return 0;
	return 1;
}

/* ---- the HTTP header block as stored ---- */

struct line {
	const char *p;   /* start of the line */
	size_t len;      /* without its terminator */
	size_t full;     /* with it */
};

/* The line at h[off..n); 0 when off == n. */
static int next_line(const char *h, size_t n, size_t off, struct line *l)
{
	const char *nl;

	if (off >= n)
		return 0;
	l->p = h + off;
	nl = memchr(l->p, '\n', n - off);
	l->full = nl ? (size_t)(nl - l->p) + 1 : n - off;
	l->len = nl ? (size_t)(nl - l->p) : n - off;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	return 1;
}

/* Whether line is header `name:` (case-insensitive); *value gets the trimmed value. */
static int header_is(const struct line *l, const char *name, const char **v, size_t *vlen)
{
	size_t n = strlen(name), a, b;

	if (l->len <= n || strncasecmp(l->p, name, n))
		return 0;
	a = n;
	while (a < l->len && (l->p[a] == ' ' || l->p[a] == '\t'))
		a++;
	if (a >= l->len || l->p[a] != ':')
		return 0;
	a++;
	while (a < l->len && (l->p[a] == ' ' || l->p[a] == '\t'))
		a++;
	b = l->len;
	while (b > a && (l->p[b - 1] == ' ' || l->p[b - 1] == '\t'))
		b--;
	*v = l->p + a;
	*vlen = b - a;
	return 1;
}

/* Appends a value to a ", "-separated list of original values. */
static enum prc note_value(struct buf *b, const char *v, size_t n)
{
	enum prc rc = PRC_OK;

	if (b->len)
		rc = buf_addstr(b, ", ");
	return rc == PRC_OK ? buf_add(b, v, n) : rc;
}

enum hdr { H_OTHER, H_CE, H_TE, H_CL };

static enum hdr classify(const struct line *l, const char **v, size_t *vlen)
{
	if (header_is(l, "Content-Encoding", v, vlen))
		return H_CE;
	if (header_is(l, "Transfer-Encoding", v, vlen))
		return H_TE;
	if (header_is(l, "Content-Length", v, vlen))
		return H_CL;
	return H_OTHER;
}

/*
 * Appends to out the last header block of h (the response whose body
 * follows), with Transfer-Encoding, Content-Encoding (unless the body is
 * still encoded) and a Content-Length that no longer holds replaced as
 * described at the top, and a CRLF blank line at the end.
 */
static enum prc http_block(const struct warc_exchange *x, struct buf *out, struct err *e)
{
	const char *h = x->response_headers;
	size_t n = x->response_headers_len, off, start = 0, end = 0;
	struct buf ce, te, cl;
	struct line l;
	int in_block = 0, drop = 0, fix_cl;
	enum prc rc = PRC_NOMEM;
	char num[32];

	/* find the last block: blocks are separated by blank lines */
	for (off = 0; next_line(h, n, off, &l); off += l.full) {
		if (l.len == 0) {
			if (in_block)
				end = off;
			in_block = 0;
		} else if (!in_block) {
			in_block = 1;
			start = off;
			end = n;
		}
	}
	if (end < start + 5 || strncmp(h + start, "HTTP/", 5))
		return err_set(e, PRC_INVALID, "response headers for '%s' do not start with a status line",
			       x->target_uri);

	buf_init(&ce, 8192);
	buf_init(&te, 8192);
	buf_init(&cl, 8192);
	/* first pass: the original values */
	next_line(h, end, start, &l);
	for (off = start + l.full; next_line(h, end, off, &l); off += l.full) {
		const char *v;
		size_t vlen;
		enum prc r2 = PRC_OK;

		switch (classify(&l, &v, &vlen)) {
		case H_CE:
			if (!x->body_encoded)
				r2 = note_value(&ce, v, vlen);
			break;
		case H_TE: r2 = note_value(&te, v, vlen); break;
		case H_CL: r2 = note_value(&cl, v, vlen); break;
		case H_OTHER: break;
		}
		if (r2 != PRC_OK)
			goto out;
	}
	snprintf(num, sizeof(num), "%zu", x->body_len);
	fix_cl = cl.len && (ce.len || te.len || x->truncated || strcmp(buf_str(&cl), num));

	/* second pass: copy, dropping what was decoded away (continuation lines go with their header) */
	next_line(h, end, start, &l);
	if (buf_add(out, l.p, l.full) != PRC_OK)
		goto out;
	for (off = start + l.full; next_line(h, end, off, &l); off += l.full) {
		const char *v;
		size_t vlen;

		if (l.len && (l.p[0] == ' ' || l.p[0] == '\t')) {
			if (!drop && buf_add(out, l.p, l.full) != PRC_OK)
				goto out;
			continue;
		}
		switch (classify(&l, &v, &vlen)) {
		case H_CE: drop = !x->body_encoded; break;
		case H_TE: drop = 1; break;
		case H_CL: drop = fix_cl; break;
		case H_OTHER: drop = 0; break;
		}
		if (!drop && buf_add(out, l.p, l.full) != PRC_OK)
			goto out;
	}
	/* a block cut without its final line ending (no blank line) still ends its last line */
	if (out->len && out->ptr[out->len - 1] != '\n' && buf_addstr(out, "\r\n") != PRC_OK)
		goto out;
	if (fix_cl && buf_addf(out, "Content-Length: %zu\r\nX-Patrol-Original-Content-Length: %s\r\n",
			       x->body_len, buf_str(&cl)) != PRC_OK)
		goto out;
	if (ce.len && buf_addf(out, "X-Patrol-Original-Content-Encoding: %s\r\n", buf_str(&ce)) != PRC_OK)
		goto out;
	if (te.len && buf_addf(out, "X-Patrol-Original-Transfer-Encoding: %s\r\n", buf_str(&te)) != PRC_OK)
		goto out;
	if (buf_addstr(out, "\r\n") != PRC_OK)
		goto out;
	rc = PRC_OK;
out:
	buf_release(&ce);
	buf_release(&te);
	buf_release(&cl);
	if (rc != PRC_OK)
		err_set(e, rc, "response headers for '%s' are too large", x->target_uri);
	return rc;
}

/* The request block: as sent, with a blank line at the end when it had none. */
static enum prc request_block(const struct warc_exchange *x, struct buf *out, struct err *e)
{
	const char *r = x->request;
	size_t n = x->request_len;
	enum prc rc;

	rc = buf_add(out, r, n);
	if (rc == PRC_OK && !(n >= 4 && !memcmp(r + n - 4, "\r\n\r\n", 4)) &&
	    !(n >= 2 && !memcmp(r + n - 2, "\n\n", 2)))
		rc = buf_addstr(out, n >= 2 && !memcmp(r + n - 2, "\r\n", 2) ? "\r\n" : "\r\n\r\n");
	if (rc != PRC_OK)
		return err_set(e, rc, "request headers for '%s' are too large", x->target_uri);
	return PRC_OK;
}

/* ---- gzip members ---- */

/* Compresses the pieces into one gzip member appended to out. */
static enum prc gz_member(struct buf *out, const void *const *piece, const size_t *len, int npieces,
			  struct err *e)
{
	unsigned char chunk[ZCHUNK];
	z_stream z;
	enum prc rc = PRC_OK;
	int i, zr = Z_OK;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return err_set(e, PRC_NOMEM, "cannot start a gzip stream");
	for (i = 0; i < npieces && rc == PRC_OK; i++) {
		const unsigned char *p = piece[i];
		size_t left = len[i];
		int last = i == npieces - 1;

		/* zlib counts in uInt: feed at most 1 GiB at a time */
		do {
			uInt take = left > (1u << 30) ? (1u << 30) : (uInt)left;
			int flush = (last && take == left) ? Z_FINISH : Z_NO_FLUSH;

			z.next_in = (Bytef *)p;
			z.avail_in = take;
			do {
				z.next_out = chunk;
				z.avail_out = sizeof(chunk);
				zr = deflate(&z, flush);
				if (zr == Z_STREAM_ERROR) {
					rc = err_set(e, PRC_INTERNAL, "gzip compression failed");
					break;
				}
				rc = buf_add(out, chunk, sizeof(chunk) - z.avail_out);
				if (rc != PRC_OK) {
					err_set(e, rc, "WARC record too large to write");
					break;
				}
			} while (z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
			p += take;
			left -= take;
		} while (left && rc == PRC_OK);
	}
	deflateEnd(&z);
	return rc;
}

/*
 * One record: WARC headers (the fields in hdr, already formatted) followed by
 * Content-Type, digests and Content-Length, then the block (head + payload),
 * compressed as one member appended to w->out.
 */
static enum prc record(struct warc *w, const char *hdr, const char *ctype, const void *head,
		       size_t head_len, const void *payload, size_t payload_len, int payload_digest,
		       char payload_hex[SHA256_HEX_LEN + 1], struct err *e)
{
	unsigned char md[32];
	char dig[WARC_DIGEST_MAX];
	const void *piece[4];
	size_t len[4], start = w->out.len;
	enum prc rc;

	buf_reset(&w->tmp);
	rc = buf_addf(&w->tmp, "WARC/1.1\r\n%s", hdr);
	if (rc == PRC_OK && w->next_records) {
		labelled(w->next_chain, dig);
		rc = buf_addf(&w->tmp, "WARC-Patrol-Chain: %s\r\n", dig);
	}
	sha256_two(head, head_len, payload ? payload : "", payload_len, md);
	labelled(md, dig);
	if (rc == PRC_OK)
		rc = buf_addf(&w->tmp, "Content-Type: %s\r\nWARC-Block-Digest: %s\r\n", ctype, dig);
	if (rc == PRC_OK && payload_digest) {
		hash_sha256(payload ? payload : "", payload_len, md);
		labelled(md, dig);
		if (payload_hex)
			to_hex(md, 32, payload_hex);
		rc = buf_addf(&w->tmp, "WARC-Payload-Digest: %s\r\n", dig);
	}
	if (rc == PRC_OK)
		rc = buf_addf(&w->tmp, "Content-Length: %zu\r\n\r\n", head_len + payload_len);
	if (rc != PRC_OK)
		return err_set(e, rc, "WARC headers too large");
	piece[0] = w->tmp.ptr;
	len[0] = w->tmp.len;
	piece[1] = head;
	len[1] = head_len;
	piece[2] = payload ? payload : "";
	len[2] = payload_len;
	piece[3] = "\r\n\r\n";
	len[3] = 4;
	rc = gz_member(&w->out, piece, len, 4, e);
	if (rc == PRC_OK) {
		hash_sha256(w->out.ptr + start, w->out.len - start, w->next_chain);
		w->next_records++;
	}
	return rc;
}

/* ---- files ---- */

/* mkdir -p; the last folder is made (or narrowed to) no more than 0750 when it is ours */
static enum prc make_dirs(const char *dir, struct err *e)
{
	char *p = strdup(dir), *s;
	enum prc rc = PRC_OK;

	if (!p)
		return err_set(e, PRC_NOMEM, "out of memory");
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char c = *s;

			*s = '\0';
			/* parents as usual (a cluster may live beside), the WARC folder itself 0750 */
			if (mkdir(p, c == '\0' ? 0750 : 0755) < 0 && errno != EEXIST) {
				rc = err_set(e, PRC_IO, "cannot create directory '%s': %s", p, strerror(errno));
				break;
			}
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	free(p);
	if (rc == PRC_OK) {
		struct stat st;

		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = err_set(e, PRC_IO, "'%s' is not a directory", dir);
		else if ((st.st_mode & 0027) && st.st_uid == geteuid())
			(void)chmod(dir, st.st_mode & ~(mode_t)0027);
	}
	return rc;
}

/* Writes all of p[0..n) at off. 0, or -1 with errno set. */
static int pwrite_all(int fd, const char *p, size_t n, uint64_t off)
{
	while (n) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (k == 0) {
			errno = EIO;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

static void current_head(const struct warc *w, struct warc_head *h)
{
	snprintf(h->file, sizeof(h->file), "%s", w->name);
	h->records = w->records;
	h->bytes = w->size;
	to_hex(w->chain, 32, h->head);
}

/* fsyncs and closes the current file. */
static enum prc file_close(struct warc *w, struct err *e)
{
	enum prc rc = PRC_OK;

	if (w->fd < 0)
		return PRC_OK;
	if (fsync(w->fd) < 0)
		rc = err_set(e, PRC_IO, "cannot fsync '%s/%s': %s", w->dir, w->name, strerror(errno));
	if (w->dirty && rc == PRC_OK) {
		if (w->nclosed == w->closed_cap) {
			size_t cap = w->closed_cap ? 2 * w->closed_cap : 8;
			struct warc_head *h = realloc(w->closed, cap * sizeof(*h));

			if (h) {
				w->closed = h;
				w->closed_cap = cap;
			}
		}
		/* without memory the head is not kept: the file's records stay unsealed orphans */
		if (w->nclosed < w->closed_cap)
			current_head(w, &w->closed[w->nclosed++]);
	}
	w->dirty = 0;
	if (close(w->fd) < 0 && rc == PRC_OK)
		rc = err_set(e, PRC_IO, "cannot close '%s/%s': %s", w->dir, w->name, strerror(errno));
	w->fd = -1;
	return rc;
}

/* Appends the built members in w->out to the file; on failure, truncates back. */
static enum prc file_append(struct warc *w, struct err *e)
{
	int saved;

	if (pwrite_all(w->fd, w->out.ptr, w->out.len, w->size) == 0) {
		w->size += w->out.len;
		memcpy(w->chain, w->next_chain, sizeof(w->chain));
		w->records = w->next_records;
		w->dirty = 1;
		return PRC_OK;
	}
	saved = errno;
	if (ftruncate(w->fd, (off_t)w->size) < 0) {
		/* cannot undo: leave this file as it is and start another next time */
		close(w->fd);
		w->fd = -1;
	}
	return err_set(e, PRC_IO, "cannot write to '%s/%s': %s", w->dir, w->name, strerror(saved));
}

static enum prc file_open(struct warc *w, struct err *e)
{
	char path[4096], date[40], host[256], *info = NULL;
	struct buf fields;
	struct tm tm;
	time_t now = time(NULL);
	enum prc rc;
	int tries;

	gmtime_r(&now, &tm);
	for (tries = 0; tries < 1000; tries++) {
		snprintf(w->name, sizeof(w->name), "%s-%04d%02d%02d%02d%02d%02d-%05u-%ld.warc.gz", w->prefix,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 w->serial++ % 100000, (long)getpid());
		snprintf(path, sizeof(path), "%s/%s", w->dir, w->name);
		w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (w->fd >= 0 || errno != EEXIST)
			break;
	}
	if (w->fd < 0)
		return err_set(e, PRC_IO, "cannot create '%s': %s", path, strerror(errno));
	/* whatever the umask: the mode is part of the evidence's protection */
	(void)fchmod(w->fd, 0640);
	w->size = 0;
	w->records = w->next_records = 0;
	w->dirty = 0;

	if (gethostname(host, sizeof(host)) < 0 || !value_ok(host, 0))
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	buf_init(&fields, 65536);
	rc = buf_addf(&fields,
		      "software: " WARC_SOFTWARE "\r\n"
		      "format: WARC File Format 1.1\r\n"
		      "hostname: %s\r\n"
		      "isPartOf: %s\r\n"
		      "description: evidence of pages flagged by a cyber-patrol crawl. HTTP bodies "
		      "are stored as the crawler read them: Transfer-Encoding and Content-Encoding "
		      "removed (the originals are kept as X-Patrol-Original-Transfer-Encoding and "
		      "X-Patrol-Original-Content-Encoding), Content-Length set to the stored body "
		      "(the original kept as X-Patrol-Original-Content-Length), WARC-Truncated when "
		      "a body was cut at a size limit.\r\n",
		      host, w->prefix);
	if (rc == PRC_OK)
		rc = new_id(w->info_id, e);
	else
		err_set(e, rc, "out of memory");
	if (rc == PRC_OK) {
		warc_date((double)now, date);
		if (asprintf(&info, "WARC-Type: warcinfo\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\n"
				    "WARC-Filename: %s\r\n",
			     w->info_id, date, w->name) < 0) {
			info = NULL;
			rc = err_set(e, PRC_NOMEM, "out of memory");
		}
	}
	buf_reset(&w->out);
	w->next_records = 0;
	if (rc == PRC_OK)
		rc = record(w, info, "application/warc-fields", fields.ptr, fields.len, NULL, 0, 0, NULL, e);
	if (rc == PRC_OK)
		rc = file_append(w, e);
	free(info);
	buf_release(&fields);
	if (rc != PRC_OK) {
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		w->dirty = 0;
		unlink(path);
		return rc;
	}
	sync_dir(w->dir);
	return PRC_OK;
}

/* ---- the writer ---- */

struct warc *warc_open(const char *dir, const char *prefix, size_t rotate_bytes, struct err *e)
{
	struct warc *w;
	const char *p;

	if (!dir || !*dir || !prefix || !*prefix || strlen(prefix) > WARC_PREFIX_MAX) {
		err_set(e, PRC_INVALID, "bad WARC directory or prefix");
		return NULL;
	}
	for (p = prefix; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    *p != '.' && *p != '_' && *p != '-') {
			err_set(e, PRC_INVALID, "bad character in WARC file prefix '%s'", prefix);
			return NULL;
		}
	if (make_dirs(dir, e) != PRC_OK)
		return NULL;
	if (access(dir, W_OK | X_OK) < 0) {
		err_set(e, PRC_IO, "cannot write to '%s': %s", dir, strerror(errno));
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->dir = strdup(dir))) {
		free(w);
		err_set(e, PRC_NOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	snprintf(w->prefix, sizeof(w->prefix), "%s", prefix);
	w->rotate = rotate_bytes;
	w->fd = -1;
	buf_init(&w->out, WARC_EXCHANGE_MAX);
	buf_init(&w->tmp, 1u << 20);
	return w;
}

void warc_close(struct warc *w)
{
	if (!w)
		return;
	file_close(w, NULL);
	buf_release(&w->out);
	buf_release(&w->tmp);
	free(w->closed);
	pthread_mutex_destroy(&w->lock);
	free(w->dir);
	free(w);
}

const char *warc_dir(const struct warc *w)
{
	return w->dir;
}

size_t warc_heads(struct warc *w, struct warc_head *out, size_t max)
{
	size_t n = 0, i;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->nclosed && n < max; i++)
		out[n++] = w->closed[i];
	if (i) {
		memmove(w->closed, w->closed + i, (w->nclosed - i) * sizeof(w->closed[0]));
		w->nclosed -= i;
	}
	if (!w->nclosed && w->fd >= 0 && w->dirty && n < max) {
		current_head(w, &out[n++]);
		w->dirty = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return n;
}

enum prc warc_sync(struct warc *w, struct err *e)
{
	enum prc rc = PRC_OK;

	pthread_mutex_lock(&w->lock);
	if (w->fd >= 0 && fsync(w->fd) < 0)
		rc = err_set(e, PRC_IO, "cannot fsync '%s/%s': %s", w->dir, w->name, strerror(errno));
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/* The headers a response and a request record of one exchange share, into hdr. */
static enum prc exchange_head(const struct warc *w, const struct warc_exchange *x, struct buf *hdr,
			      const char *type, const char *id, const char *date)
{
	enum prc rc = buf_addf(hdr, "WARC-Type: %s\r\nWARC-Record-ID: %s\r\nWARC-Date: %s\r\n"
				    "WARC-Target-URI: %s\r\n",
			       type, id, date, x->target_uri);

	if (rc == PRC_OK && x->ip && *x->ip)
		rc = buf_addf(hdr, "WARC-IP-Address: %s\r\n", x->ip);
	if (rc == PRC_OK)
		rc = buf_addf(hdr, "WARC-Warcinfo-ID: %s\r\n", w->info_id);
	return rc;
}

/* Builds the exchange's members into w->out (the file must be open: they name its warcinfo). */
static enum prc build_exchange(struct warc *w, const struct warc_exchange *x, struct warc_loc *loc,
			       size_t *resp_len, struct err *e)
{
	char resp_id[WARC_ID_MAX], req_id[WARC_ID_MAX], date[40];
	struct buf head, hdr;
	enum prc rc;
	int has_req = x->request && x->request_len;

	buf_init(&head, 1u << 24);
	buf_init(&hdr, 1u << 16);
	rc = new_id(resp_id, e);
	if (rc == PRC_OK && has_req)
		rc = new_id(req_id, e);
	if (rc != PRC_OK)
		goto out;
	warc_date(x->date, date);

	rc = http_block(x, &head, e);
	if (rc != PRC_OK)
		goto out;
	rc = exchange_head(w, x, &hdr, "response", resp_id, date);
	if (rc == PRC_OK && has_req)
		rc = buf_addf(&hdr, "WARC-Concurrent-To: %s\r\n", req_id);
	if (rc == PRC_OK && x->truncated)
		rc = buf_addf(&hdr, "WARC-Truncated: %s\r\n", x->truncated);
	if (rc != PRC_OK) {
		err_set(e, rc, "WARC headers for '%s' too large", x->target_uri);
		goto out;
	}
	buf_reset(&w->out);
	rc = record(w, buf_str(&hdr), "application/http;msgtype=response", head.ptr, head.len, x->body,
		    x->body_len, 1, loc->digest, e);
	if (rc != PRC_OK)
		goto out;
	*resp_len = w->out.len;

	if (has_req) {
		buf_reset(&head);
		buf_reset(&hdr);
		rc = request_block(x, &head, e);
		if (rc != PRC_OK)
			goto out;
		rc = exchange_head(w, x, &hdr, "request", req_id, date);
		if (rc == PRC_OK)
			rc = buf_addf(&hdr, "WARC-Concurrent-To: %s\r\n", resp_id);
		if (rc != PRC_OK) {
			err_set(e, rc, "WARC headers for '%s' too large", x->target_uri);
			goto out;
		}
		rc = record(w, buf_str(&hdr), "application/http;msgtype=request", head.ptr, head.len, NULL,
			    0, 0, NULL, e);
		if (rc != PRC_OK)
			goto out;
	}
	snprintf(loc->record_id, sizeof(loc->record_id), "%s", resp_id);
out:
	buf_release(&head);
	buf_release(&hdr);
	return rc;
}

enum prc warc_write_exchange(struct warc *w, const struct warc_exchange *x, struct warc_loc *loc,
			     struct err *e)
{
	struct warc_loc l;
	size_t resp_len = 0;
	enum prc rc;

	if (!x->target_uri || !*x->target_uri || !value_ok(x->target_uri, 0))
		return err_set(e, PRC_INVALID, "bad WARC target URI");
	if ((x->ip && !value_ok(x->ip, 0)) || (x->truncated && (!*x->truncated || !value_ok(x->truncated, 0))))
		return err_set(e, PRC_INVALID, "bad WARC header value for '%s'", x->target_uri);
	if (!x->response_headers || !x->response_headers_len)
		return err_set(e, PRC_INVALID, "no response headers for '%s'", x->target_uri);
	if (x->body_len && !x->body)
		return err_set(e, PRC_INVALID, "no body bytes for '%s'", x->target_uri);

	memset(&l, 0, sizeof(l));
	pthread_mutex_lock(&w->lock);
	if (w->fd >= 0 && w->rotate && w->size >= w->rotate) {
		rc = file_close(w, e);
		if (rc != PRC_OK)
			goto out;
	}
	if (w->fd < 0) {
		rc = file_open(w, e);
		if (rc != PRC_OK)
			goto out;
	}
	memcpy(w->next_chain, w->chain, sizeof(w->chain));
	w->next_records = w->records;
	rc = build_exchange(w, x, &l, &resp_len, e);
	if (rc != PRC_OK)
		goto out;
	l.offset = w->size;
	l.length = resp_len;
	snprintf(l.file, sizeof(l.file), "%s", w->name);
	rc = file_append(w, e);
out:
	if (w->out.cap > WARC_KEEP_BUF)
		buf_release(&w->out);
	pthread_mutex_unlock(&w->lock);
	if (rc == PRC_OK && loc)
		*loc = l;
	return rc;
}

/* ---- reading ---- */

/* One gzip member being inflated off a file (inflate_member). */
struct member {
	int fd;
	uint64_t pos;		   /* where the member starts; after: just past what was inflated */
	struct buf *out;	   /* where the inflated bytes go */
	struct hash_sha256_ctx *h; /* hashes the member's compressed bytes, when not NULL */
	int cut;		   /* PRC_PARSE: the file ends inside the member */
	const char *zmsg;	   /* PRC_PARSE when not cut: zlib's word on the data, or NULL */
	int full;		   /* out went over its maximum or could not grow */
};

/*
 * Inflates the gzip member at m->pos of m->fd onto m->out. PRC_OK when it
 * inflated to its end; PRC_PARSE when no whole member is there (m->cut,
 * m->zmsg), for the caller to word; PRC_NOMEM, PRC_IO, or buf_add's code
 * when the record would pass m->out's maximum (m->full), with the message
 * in e naming path.
 */
static enum prc inflate_member(struct member *m, const char *path, struct err *e)
{
	unsigned char in[ZCHUNK], chunk[ZCHUNK];
	uint64_t start = m->pos;
	z_stream z;
	enum prc rc = PRC_OK;
	int zr = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return err_set(e, PRC_NOMEM, "cannot start a gzip stream");
	while (zr != Z_STREAM_END) {
		ssize_t n = pread(m->fd, in, sizeof(in), (off_t)m->pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = err_set(e, PRC_IO, "cannot read '%s': %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			m->cut = 1;
			rc = PRC_PARSE;
			break;
		}
		z.next_in = in;
		z.avail_in = (uInt)n;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				m->zmsg = z.msg;
				rc = PRC_PARSE;
				break;
			}
			rc = buf_add(m->out, chunk, sizeof(chunk) - z.avail_out);
			if (rc != PRC_OK) {
				m->full = 1;
				err_set(e, rc, "record at offset %llu of '%s' is over %zu bytes",
					(unsigned long long)start, path, m->out->max);
				break;
			}
		} while (zr != Z_STREAM_END && z.avail_out == 0);
		if (rc != PRC_OK)
			break;
		hash_sha256_update(m->h, in, (size_t)n - z.avail_in);
		/* the member ends inside this read: the rest belongs to the next member */
		m->pos += (uint64_t)n - z.avail_in;
	}
	inflateEnd(&z);
	return rc;
}

enum prc warc_read_record(const char *path, uint64_t offset, struct buf *out, struct err *e)
{
	struct member m;
	size_t start = out->len;
	enum prc rc;

	memset(&m, 0, sizeof(m));
	m.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m.fd < 0)
		return err_set(e, PRC_IO, "cannot open '%s': %s", path, strerror(errno));
	m.pos = offset;
	m.out = out;
	rc = inflate_member(&m, path, e);
	close(m.fd);
	if (rc == PRC_PARSE && m.cut)
		rc = err_set(e, PRC_PARSE, "no complete gzip member at offset %llu of '%s'",
			     (unsigned long long)offset, path);
	else if (rc == PRC_PARSE)
		rc = err_set(e, PRC_PARSE, "bad gzip data at offset %llu of '%s'", (unsigned long long)offset,
			     path);
	if (rc == PRC_OK && (out->len - start < 9 || memcmp(out->ptr + start, "WARC/1.", 7)))
		rc = err_set(e, PRC_PARSE, "no WARC record at offset %llu of '%s'",
			     (unsigned long long)offset, path);
	return rc;
}

static const char *find(const char *p, size_t n, const char *needle)
{
	return memmem(p, n, needle, strlen(needle));
}

/* Looks name up in the header lines of h[0..n) after its first line (the WARC version or HTTP status line). */
static long header_lookup(const char *h, size_t n, const char *name, char *out, size_t size)
{
	struct line l;
	size_t off;

	if (!h || !next_line(h, n, 0, &l))
		return -1;
	for (off = l.full; next_line(h, n, off, &l) && l.len; off += l.full) {
		const char *v;
		size_t vlen;

		if (!header_is(&l, name, &v, &vlen))
			continue;
		if (out && size) {
			size_t k = vlen < size - 1 ? vlen : size - 1;

			memcpy(out, v, k);
			out[k] = '\0';
		}
		return (long)vlen;
	}
	return -1;
}

long warc_record_header(const struct warc_record *r, const char *name, char *out, size_t size)
{
	return header_lookup(r->headers, r->headers_len, name, out, size);
}

long warc_http_header(const struct warc_record *r, const char *name, char *out, size_t size)
{
	return header_lookup(r->http, r->http_len, name, out, size);
}

enum prc warc_record_parse(const char *rec, size_t len, struct warc_record *r, struct err *e)
{
	const char *end, *p;
	char num[32], ctype[128];
	unsigned long long cl;
	char *stop;

	memset(r, 0, sizeof(*r));
	if (len < 9 || memcmp(rec, "WARC/1.", 7))
		return err_set(e, PRC_PARSE, "not a WARC record");
	end = find(rec, len, "\r\n\r\n");
	if (!end)
		return err_set(e, PRC_PARSE, "WARC record headers do not end");
	r->headers = rec;
	r->headers_len = (size_t)(end - rec) + 2;
	if (warc_record_header(r, "Content-Length", num, sizeof(num)) < 0)
		return err_set(e, PRC_PARSE, "WARC record has no Content-Length");
	errno = 0;
	cl = strtoull(num, &stop, 10);
	if (errno || stop == num || *stop || num[0] == '-')
		return err_set(e, PRC_PARSE, "bad WARC Content-Length '%s'", num);
	r->block = end + 4;
	if (cl > len - (size_t)(r->block - rec))
		return err_set(e, PRC_PARSE, "WARC record block is shorter than its Content-Length %llu", cl);
	r->block_len = (size_t)cl;

	if (warc_record_header(r, "Content-Type", ctype, sizeof(ctype)) >= 0 &&
	    !strncasecmp(ctype, "application/http", 16)) {
		size_t hl;

		p = find(r->block, r->block_len, "\r\n\r\n");
		hl = p ? (size_t)(p - r->block) + 4 : 0;
		if (!p) {
			p = find(r->block, r->block_len, "\n\n");
			hl = p ? (size_t)(p - r->block) + 2 : r->block_len;
		}
		r->http = r->block;
		r->http_len = hl;
		r->body = r->block + hl;
		r->body_len = r->block_len - hl;
	}
	return PRC_OK;
}

/* Decodes a base32 (RFC 4648, any case, padding optional) or hex sha256 value into md. */
static int decode_sha256(const char *v, unsigned char md[32])
{
	size_t n = strlen(v), i;

	while (n && v[n - 1] == '=')
		n--;
	if (n == 64) {
		for (i = 0; i < 32; i++) {
			unsigned int b;

			if (sscanf(v + 2 * i, "%2x", &b) != 1)
				return 0;
			md[i] = (unsigned char)b;
		}
		return 1;
	}
	if (n == 52) {
		unsigned acc = 0, bits = 0, o = 0;

		for (i = 0; i < n; i++) {
			char c = v[i];
			unsigned d;

			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (c >= 'A' && c <= 'Z')
				d = (unsigned)(c - 'A');
			else if (c >= '2' && c <= '7')
				d = (unsigned)(c - '2' + 26);
			else
				return 0;
			acc = (acc << 5) | d;
			bits += 5;
			if (bits >= 8) {
				if (o < 32)
					md[o] = (unsigned char)(acc >> (bits - 8));
				o++;
				bits -= 8;
			}
			acc &= (1u << bits) - 1;
		}
		return o == 32;
	}
	return 0;
}

static enum prc check_digest(const struct warc_record *r, const char *field, const void *data,
			     size_t len, int *seen, struct err *e)
{
	char v[256];
	unsigned char want[32], got[32];

	if (warc_record_header(r, field, v, sizeof(v)) < 0)
		return PRC_OK;
	*seen = 1;
	if (strncasecmp(v, "sha256:", 7))
		return err_set(e, PRC_DECLINED, "cannot check %s '%s': only sha256 is supported", field, v);
	if (!decode_sha256(v + 7, want))
		return err_set(e, PRC_PARSE, "cannot read %s '%s'", field, v);
	hash_sha256(data, len, got);
	if (memcmp(want, got, 32))
		return err_set(e, PRC_PARSE, "%s does not match the record's bytes", field);
	return PRC_OK;
}

enum prc warc_record_verify(const struct warc_record *r, struct err *e)
{
	int seen = 0;
	enum prc rc;

	rc = check_digest(r, "WARC-Block-Digest", r->block, r->block_len, &seen, e);
	if (rc == PRC_OK)
		rc = check_digest(r, "WARC-Payload-Digest", r->http ? r->body : r->block,
				  r->http ? r->body_len : r->block_len, &seen, e);
	if (rc == PRC_OK && !seen)
		rc = err_set(e, PRC_NOTFOUND, "the record carries no digest");
	return rc;
}

/* ---- walking a file: digests and the chain ---- */

#define SCAN_RECORD_MAX ((size_t)1 << 31)

struct scan {
	int fd;
	const char *path;
	uint64_t pos;              /* where the next member starts */
	struct buf rec;            /* the inflated record */
	char msg[1024];            /* the problems of the current record */
	int unchained;             /* record 1 had no link: a file written before the chain */
};

static void problem(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct scan *s, const char *fmt, ...)
{
	size_t n = strlen(s->msg);
	va_list ap;

	if (n && n + 2 < sizeof(s->msg)) {
		memcpy(s->msg + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(s->msg + n, sizeof(s->msg) - n, fmt, ap);
	va_end(ap);
}

/*
 * Inflates the member at s->pos into s->rec, hashing its compressed bytes
 * into md. *len gets the member's length. PRC_PARSE (message in s->msg) when
 * no whole gzip member is there, PRC_IO, PRC_LIMIT.
 */
static enum prc scan_member(struct scan *s, unsigned char md[32], uint64_t *len, struct err *e)
{
	struct member m;
	enum prc rc;

	buf_reset(&s->rec);
	memset(&m, 0, sizeof(m));
	m.fd = s->fd;
	m.pos = s->pos;
	m.out = &s->rec;
	m.h = hash_sha256_new();
	if (!m.h) {
		hash_sha256_final(m.h, md);
		return err_set(e, PRC_NOMEM, "cannot start a gzip stream");
	}
	rc = inflate_member(&m, s->path, e);
	hash_sha256_final(m.h, md);
	if (rc == PRC_PARSE && m.cut)
		problem(s, "the gzip member is cut short (the file ends at %llu)", (unsigned long long)m.pos);
	else if (rc == PRC_PARSE)
		problem(s, "no readable gzip member here (%s)", m.zmsg ? m.zmsg : "bad data");
	else if (m.full)
		rc = PRC_LIMIT;
	*len = m.pos - s->pos;
	return rc;
}

/* Fills en from the record in s->rec and checks its digests and its link to prev. */
static void scan_record(struct scan *s, struct warc_entry *en, struct warc_record *r,
			const unsigned char prev[32], uint64_t prev_offset, struct warc_scan_result *res)
{
	char link[256];
	unsigned char want[32];
	struct err e = { "" };
	enum prc rc;
	long has_link;

	if (warc_record_parse(s->rec.ptr, s->rec.len, r, &e) != PRC_OK) {
		problem(s, "%s", e.msg);
		return;
	}
	en->rec = r;
	warc_record_header(r, "WARC-Type", en->type, sizeof(en->type));
	warc_record_header(r, "WARC-Record-ID", en->record_id, sizeof(en->record_id));
	warc_record_header(r, "WARC-Concurrent-To", en->concurrent_to, sizeof(en->concurrent_to));
	warc_record_header(r, "WARC-Target-URI", en->target, sizeof(en->target));
	if (r->http)
		hash_sha256_hex(r->body ? r->body : "", r->body_len, en->payload);
	else
		hash_sha256_hex(r->block ? r->block : "", r->block_len, en->payload);

	rc = warc_record_verify(r, &e);
	if (rc == PRC_PARSE)
		problem(s, "%s", e.msg);

	has_link = warc_record_header(r, "WARC-Patrol-Chain", link, sizeof(link));
	if (en->index == 0) {
		if (has_link >= 0)
			problem(s, "the file's first record carries a chain link: the records before it are gone");
		return;
	}
	if (has_link < 0) {
		if (en->index == 1 && !res->chained)
			s->unchained = 1;
		else if (!s->unchained)
			problem(s, "the record carries no chain link (WARC-Patrol-Chain)");
		return;
	}
	if (s->unchained) {
		problem(s, "a chain link in a file whose records had none");
		return;
	}
	res->chained = 1;
	if (strncasecmp(link, "sha256:", 7) || !decode_sha256(link + 7, want))
		problem(s, "cannot read its chain link '%s'", link);
	else if (memcmp(want, prev, 32))
		problem(s, "its chain link does not match the record before it (at offset %llu): a record "
			   "was removed, inserted or altered there",
			(unsigned long long)prev_offset);
}

enum prc warc_scan(const char *path, warc_scan_fn fn, void *ud, struct warc_scan_result *res,
		   struct err *e)
{
	struct scan s;
	struct stat st;
	unsigned char prev[32], md[32];
	uint64_t prev_offset = 0;
	enum prc rc = PRC_OK;

	memset(res, 0, sizeof(*res));
	memset(&s, 0, sizeof(s));
	memset(prev, 0, sizeof(prev));
	s.path = path;
	s.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s.fd < 0)
		return err_set(e, PRC_IO, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(s.fd, &st) < 0) {
		rc = err_set(e, PRC_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	res->size = (uint64_t)st.st_size;
	buf_init(&s.rec, SCAN_RECORD_MAX);
	while (s.pos < res->size) {
		struct warc_entry en;
		struct warc_record r;
		uint64_t len = 0;
		enum prc mr;

		memset(&en, 0, sizeof(en));
		s.msg[0] = '\0';
		en.index = res->records;
		en.offset = s.pos;
		mr = scan_member(&s, md, &len, e);
		if (mr == PRC_PARSE) {
			/* without a whole member there is no telling where the next one starts */
			res->damaged = 1;
			res->problems++;
			en.problem = s.msg;
			if (fn)
				fn(ud, &en);
			break;
		}
		if (mr != PRC_OK) {
			rc = mr;
			break;
		}
		en.length = len;
		hash_hex(md, 32, en.chain);
		scan_record(&s, &en, &r, prev, prev_offset, res);
		if (s.msg[0]) {
			en.problem = s.msg;
			res->problems++;
		}
		memcpy(prev, md, 32);
		prev_offset = s.pos;
		s.pos += len;
		res->records++;
		res->bytes = s.pos;
		memcpy(res->head, en.chain, sizeof(res->head));
		if (fn && fn(ud, &en))
			break;
	}
out:
	buf_release(&s.rec);
	close(s.fd);
	return rc;
}
