/*
 * imagehash.c - the image side of child_pornography: hotlines and police
 * hand operators lists of digests of known abuse images (SHA-256 or MD5,
 * one per line). patrol never ships, fetches into storage or keeps any such
 * image: the crawler hashes the bytes of an image a page references
 * (size-capped, in memory), asks this module whether either digest is on
 * the list, and keeps only the digest of a match.
 *
 * A list is parsed completely before it is used: an operator who pasted a
 * wrong column or a truncated digest must hear about every bad line, and a
 * half-loaded list would silently miss images, so one bad line refuses the
 * file. Digests are stored as raw bytes in two sorted, deduplicated arrays
 * (32-byte SHA-256, 16-byte MD5) and found by binary search: a list of ten
 * million digests costs 320 MB and about 24 comparisons per lookup, and
 * the arrays are never written after loading, so threads share them freely.
 */
#include "classifiers/imagehash.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/hash.h"
#include "util/hex.h"

struct digests {
	unsigned char *v; /* n entries of size bytes, sorted */
	size_t n, cap, size;
};

struct imagehash {
	struct digests sha256, md5;
};

struct parser {
	struct imagehash *ih;
	struct buf *errors;
	const char *name;
	size_t nerr;
	int nomem;
};

static void perr(struct parser *p, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct parser *p, size_t line, const char *fmt, ...)
{
	va_list ap;

	p->nerr++;
	if (p->nerr > IMAGEHASH_MAX_ERRORS)
		return;
	buf_addf(p->errors, "%s:%zu: ", p->name, line);
	va_start(ap, fmt);
	buf_vaddf(p->errors, fmt, ap);
	va_end(ap);
	buf_addch(p->errors, '\n');
}

/* Decodes 2 * n hex digits into out[n]; -1 when one is not a hex digit. */
static int unhex(const char *s, size_t n, unsigned char *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = hex_value((unsigned char)s[2 * i]);
		lo = hex_value((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int push(struct digests *d, const unsigned char *b)
{
	unsigned char *nv;
	size_t nc;

	if (d->n == d->cap) {
		nc = d->cap ? d->cap * 2 : 1024;
		nv = realloc(d->v, nc * d->size);
		if (!nv)
			return -1;
		d->v = nv;
		d->cap = nc;
	}
	memcpy(d->v + d->n * d->size, b, d->size);
	d->n++;
	return 0;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parses one line (without its '\n'). */
static void parse_line(struct parser *p, size_t lineno, const char *s, size_t len)
{
	unsigned char bin[32];
	size_t a = 0, b, n;

	while (a < len && is_blank((unsigned char)s[a]))
		a++;
	if (a == len || s[a] == '#')
		return;
	for (b = a; b < len && !is_blank((unsigned char)s[b]) && s[b] != '#'; b++)
		;
	n = b - a;
	/* after the digest: blanks, then nothing or a comment */
	{
		size_t c = b;

		while (c < len && is_blank((unsigned char)s[c]))
			c++;
		if (c < len && s[c] != '#') {
			perr(p, lineno, "one digest a line, then only a '#' comment: '%.*s'",
			     (int)(len - a > 80 ? 80 : len - a), s + a);
			return;
		}
	}
	if (n != 64 && n != 32) {
		perr(p, lineno, "expected 64 hex digits (SHA-256) or 32 (MD5), found '%.*s' (%zu)",
		     (int)(n > 80 ? 80 : n), s + a, n);
		return;
	}
	if (unhex(s + a, n / 2, bin) < 0) {
		perr(p, lineno, "not a hex digest: '%.*s'", (int)n, s + a);
		return;
	}
	if (push(n == 64 ? &p->ih->sha256 : &p->ih->md5, bin) < 0)
		p->nomem = 1;
}

static int cmp32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

static int cmp16(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void sort_unique(struct digests *d)
{
	size_t i, n = 0;

	if (d->n < 2)
		return;
	qsort(d->v, d->n, d->size, d->size == 32 ? cmp32 : cmp16);
	for (i = 0; i < d->n; i++) {
		if (n && !memcmp(d->v + (n - 1) * d->size, d->v + i * d->size, d->size))
			continue;
		if (n != i)
			memcpy(d->v + n * d->size, d->v + i * d->size, d->size);
		n++;
	}
	d->n = n;
}

static int contains(const struct digests *d, const unsigned char *key)
{
	size_t lo = 0, hi = d->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(d->v + mid * d->size, key, d->size);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static struct imagehash *ih_new(void)
{
	struct imagehash *ih = calloc(1, sizeof(*ih));

	if (!ih)
		return NULL;
	ih->sha256.size = 32;
	ih->md5.size = 16;
	return ih;
}

void imagehash_free(struct imagehash *ih)
{
	if (!ih)
		return;
	free(ih->sha256.v);
	free(ih->md5.v);
	free(ih);
}

/* Ends a parse: refuses on any error, else sorts. */
static enum prc finish(struct parser *p, struct imagehash **out)
{
	*out = NULL;
	if (p->nomem) {
		imagehash_free(p->ih);
		return PRC_NOMEM;
	}
	if (p->nerr) {
		if (p->nerr > IMAGEHASH_MAX_ERRORS)
			buf_addf(p->errors, "%s: and %zu more bad lines\n", p->name,
				 p->nerr - IMAGEHASH_MAX_ERRORS);
		buf_addf(p->errors, "%s: hash list refused (%zu bad line%s)\n", p->name, p->nerr,
			 p->nerr == 1 ? "" : "s");
		imagehash_free(p->ih);
		return PRC_PARSE;
	}
	sort_unique(&p->ih->sha256);
	sort_unique(&p->ih->md5);
	*out = p->ih;
	return PRC_OK;
}

enum prc imagehash_load_mem(const char *name, const char *data, size_t len,
			    struct imagehash **out, struct buf *errors)
{
	struct parser p = { ih_new(), errors, name, 0, 0 };
	size_t off = 0, lineno = 0, n;
	const char *nl;

	*out = NULL;
	if (!p.ih)
		return PRC_NOMEM;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		off = 3;
	while (off < len && !p.nomem) {
		nl = memchr(data + off, '\n', len - off);
		n = nl ? (size_t)(nl - (data + off)) : len - off;
		parse_line(&p, ++lineno, data + off, n);
		off += n + (nl ? 1 : 0);
	}
	return finish(&p, out);
}

enum prc imagehash_load(const char *path, struct imagehash **out, struct buf *errors)
{
	struct parser p = { NULL, errors, path, 0, 0 };
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;

	*out = NULL;
	if (!f) {
		buf_addf(errors, "%s: cannot open: %s\n", path, strerror(errno));
		return PRC_IO;
	}
	p.ih = ih_new();
	if (!p.ih) {
		fclose(f);
		return PRC_NOMEM;
	}
	while (!p.nomem && (n = getline(&line, &cap, f)) >= 0) {
		const char *s = line;
		size_t len = (size_t)n;

		if (len && s[len - 1] == '\n')
			len--;
		if (++lineno == 1 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			s += 3;
			len -= 3;
		}
		parse_line(&p, lineno, s, len);
	}
	if (ferror(f)) {
		buf_addf(errors, "%s: cannot read: %s\n", path, strerror(errno));
		free(line);
		fclose(f);
		imagehash_free(p.ih);
		return PRC_IO;
	}
	free(line);
	fclose(f);
	return finish(&p, out);
}

size_t imagehash_count(const struct imagehash *ih, size_t *nsha256, size_t *nmd5)
{
	if (nsha256)
		*nsha256 = ih ? ih->sha256.n : 0;
	if (nmd5)
		*nmd5 = ih ? ih->md5.n : 0;
	return ih ? ih->sha256.n + ih->md5.n : 0;
}

static int digest(const EVP_MD *md, const void *bytes, size_t len, unsigned char *out)
{
	unsigned int n = 0;

	return EVP_Digest(bytes, len, out, &n, md, NULL) == 1 ? 0 : -1;
}

int imagehash_match(const struct imagehash *ih, const void *bytes, size_t len,
		    char *matched_hex_out)
{
	unsigned char sha[32], md5[16];

	if (matched_hex_out)
		matched_hex_out[0] = 0;
	if (!ih)
		return 0;
	if (!bytes)
		bytes = "";
	if (ih->sha256.n) {
		if (digest(EVP_sha256(), bytes, len, sha) < 0)
			return -1;
		if (contains(&ih->sha256, sha)) {
			if (matched_hex_out)
				hash_hex(sha, 32, matched_hex_out);
			return 1;
		}
	}
	if (ih->md5.n) {
		if (digest(EVP_md5(), bytes, len, md5) < 0)
			return -1;
		if (contains(&ih->md5, md5)) {
			if (matched_hex_out)
				hash_hex(md5, 16, matched_hex_out);
			return 1;
		}
	}
	return 0;
}

int imagehash_lookup_hex(const struct imagehash *ih, const char *hex)
{
	unsigned char bin[32];
	size_t n = hex ? strlen(hex) : 0;

	if ((n != 64 && n != 32) || unhex(hex, n / 2, bin) < 0)
		return -1;
	if (!ih)
		return 0;
	return contains(n == 64 ? &ih->sha256 : &ih->md5, bin);
}
