/*
 * t-imagehash.c - unit tests for hash lists of known images: parsing (comments,
 * blanks, case, CRLF, BOM, duplicates), refusal of a file with any bad line
 * with every bad line named file:line, matching by SHA-256 and by MD5, a
 * large list, and concurrent matching. Every "image" here is generated:
 * random bytes, some behind a synthetic PNG signature and IHDR chunk.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "classifiers/imagehash.h"
#include "tests/tap.h"
#include "tests/xorshift.h"
#include "util/buf.h"
#include "util/hash.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	return xorshift64(&rng);
}

/* A made-up "image": a PNG signature and IHDR, then len random bytes. */
static unsigned char *fake_png(size_t len, size_t *total)
{
	static const unsigned char head[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
					      0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	unsigned char *b = malloc(sizeof(head) + len);
	size_t i;

	memcpy(b, head, sizeof(head));
	for (i = 0; i < len; i++)
		b[sizeof(head) + i] = (unsigned char)next();
	*total = sizeof(head) + len;
	return b;
}

static void hex_of(const EVP_MD *md, const void *b, size_t len, char *hex)
{
	unsigned char out[64];
	unsigned int n = 0;

	EVP_Digest(b, len, out, &n, md, NULL);
	hash_hex(out, n, hex);
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

struct mt {
	const struct imagehash *ih;
	const unsigned char *img[3];
	size_t len[3];
	int bad;
};

static void *match_main(void *arg)
{
	struct mt *m = arg;
	char hex[IMAGEHASH_HEX_MAX + 1];
	int i;

	for (i = 0; i < 3000; i++) {
		int k = i % 3, r = imagehash_match(m->ih, m->img[k], m->len[k], hex);

		if (r != (k < 2 ? 1 : 0))
			m->bad++;
	}
	return NULL;
}

int main(void)
{
	struct imagehash *ih = NULL;
	unsigned char *a, *b, *c;
	size_t la, lb, lc, ns, nm, i;
	char sha_a[65], md5_a[33], sha_b[65], md5_b[33], sha_c[65], got[IMAGEHASH_HEX_MAX + 1];
	char shaup[65];
	struct buf list, errs;
	const char *e;

	a = fake_png(4000, &la);
	b = fake_png(123, &lb);
	c = fake_png(4000, &lc);
	hex_of(EVP_sha256(), a, la, sha_a);
	hex_of(EVP_md5(), a, la, md5_a);
	hex_of(EVP_sha256(), b, lb, sha_b);
	hex_of(EVP_md5(), b, lb, md5_b);
	hex_of(EVP_sha256(), c, lc, sha_c);
	snprintf(shaup, sizeof(shaup), "%s", sha_a);
	upper(shaup);

	/* a good list: a by SHA-256 (upper case, twice), b by MD5 only */
	buf_init(&list, 1u << 20);
	buf_init(&errs, 1u << 20);
	buf_addf(&list, "\xEF\xBB\xBF# known images, list of 2026-11\r\n"
			"\r\n"
			"   %s   # from the hotline\r\n"
			"%s\n"
			"\t%s\n"
			"# md5 only\n"
			"%s #\n"
			"\n",
		 shaup, sha_a, md5_b, md5_b);
	is_int(imagehash_load_mem("list.txt", list.ptr, list.len, &ih, &errs), PRC_OK,
	       "a list with comments, blanks, CRLF, a BOM and upper case loads");
	ok(errs.len == 0, "without errors ('%s')", buf_str(&errs));
	is_int(imagehash_count(ih, &ns, &nm), 2, "duplicates count once");
	ok(ns == 1 && nm == 1, "one SHA-256 and one MD5");

	is_int(imagehash_match(ih, a, la, got), 1, "an image on the list by SHA-256 matches");
	is_str(got, sha_a, "and the SHA-256 is given, lower case");
	is_int(imagehash_match(ih, b, lb, got), 1, "an image on the list by MD5 matches");
	is_str(got, md5_b, "and the MD5 is given");
	is_int(imagehash_match(ih, c, lc, got), 0, "an image not on the list does not");
	is_str(got, "", "and nothing is given");
	is_int(imagehash_match(ih, a, la - 1, NULL), 0, "one byte less is another image");
	is_int(imagehash_match(ih, "", 0, got), 0, "empty input is no match");
	is_int(imagehash_lookup_hex(ih, sha_a), 1, "lookup of a computed SHA-256");
	is_int(imagehash_lookup_hex(ih, shaup), 1, "in either case");
	is_int(imagehash_lookup_hex(ih, md5_a), 0, "a's MD5 is not on the list");
	is_int(imagehash_lookup_hex(ih, "xyz"), -1, "not a digest");
	is_int(imagehash_match(NULL, a, la, got), 0, "no list: nothing matches");

	/* concurrent matching on one list */
	{
		struct mt m[4];
		pthread_t th[4];
		int bad = 0, k;

		for (k = 0; k < 4; k++) {
			m[k].ih = ih;
			m[k].img[0] = a;
			m[k].img[1] = b;
			m[k].img[2] = c;
			m[k].len[0] = la;
			m[k].len[1] = lb;
			m[k].len[2] = lc;
			m[k].bad = 0;
			pthread_create(&th[k], NULL, match_main, &m[k]);
		}
		for (k = 0; k < 4; k++) {
			pthread_join(th[k], NULL);
			bad += m[k].bad;
		}
		is_int(bad, 0, "four threads match against one list");
	}
	imagehash_free(ih);
	imagehash_free(NULL);

	/* a bad list is refused with every bad line */
	buf_reset(&list);
	buf_reset(&errs);
	buf_addf(&list,
		 "# list\n"
		 "%s\n"
		 "%.63s\n"            /* line 3: a digit short */
		 "%.62szz\n"          /* line 4: not hex */
		 "%s %s\n"            /* line 5: two digests */
		 "%s  photo.png\n"    /* line 6: sha256sum output */
		 "%s\n",
		 sha_a, sha_b, sha_b, sha_a, md5_a, sha_c, md5_a);
	ih = (struct imagehash *)1;
	is_int(imagehash_load_mem("bad.txt", list.ptr, list.len, &ih, &errs), PRC_PARSE,
	       "a list with bad lines is refused");
	ok(ih == NULL, "as a whole");
	e = buf_str(&errs);
	diag("errors:\n%s", e);
	ok(strstr(e, "bad.txt:3: expected 64 hex digits (SHA-256) or 32 (MD5)") != NULL,
	   "a short digest is named file:line");
	ok(strstr(e, "bad.txt:4: not a hex digest") != NULL, "so is a digest with a non-hex digit");
	ok(strstr(e, "bad.txt:5: one digest a line") != NULL, "and two digests on a line");
	ok(strstr(e, "bad.txt:6: one digest a line") != NULL, "and a digest with a file name");
	ok(strstr(e, "bad.txt:2:") == NULL && strstr(e, "bad.txt:7:") == NULL,
	   "good lines are not named");
	ok(strstr(e, "hash list refused (4 bad lines)") != NULL, "the count is given");

	/* thousands of bad lines: listed up to a cap, then counted */
	buf_reset(&list);
	buf_reset(&errs);
	for (i = 0; i < IMAGEHASH_MAX_ERRORS + 5; i++)
		buf_addstr(&list, "not a digest\n");
	is_int(imagehash_load_mem("junk.bin", list.ptr, list.len, &ih, &errs), PRC_PARSE,
	       "a file that is not a hash list is refused");
	ok(strstr(buf_str(&errs), "junk.bin: and 5 more bad lines") != NULL,
	   "its errors are listed up to the cap and counted after");

	/* from a file; a large list */
	{
		char path[] = "/tmp/t-imagehash-XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		unsigned char d[32];
		char hex[65], probe[65] = "";
		int present = 0, absent = 0, k;

		if (!ok(f != NULL, "a temporary list file"))
			goto out;
		for (i = 0; i < 100000; i++) {
			for (k = 0; k < 32; k++)
				d[k] = (unsigned char)next();
			hash_hex(d, i % 4 ? 32 : 16, hex);
			fprintf(f, "%s\n", hex);
			if (i == 77777)
				snprintf(probe, sizeof(probe), "%s", hex);
		}
		fprintf(f, "%s\n", sha_c);
		fclose(f);
		buf_reset(&errs);
		is_int(imagehash_load(path, &ih, &errs), PRC_OK, "a list of 100,001 digests loads");
		imagehash_count(ih, &ns, &nm);
		ok(ns == 75001 && nm == 25000, "75,001 SHA-256 and 25,000 MD5 (%zu, %zu)", ns, nm);
		is_int(imagehash_match(ih, c, lc, got), 1, "an image among them matches");
		is_str(got, sha_c, "by its SHA-256");
		is_int(imagehash_lookup_hex(ih, probe), 1, "a digest in the middle is found");
		for (i = 0; i < 1000; i++) {
			for (k = 0; k < 32; k++)
				d[k] = (unsigned char)next();
			hash_hex(d, 32, hex);
			absent += imagehash_lookup_hex(ih, hex) == 0;
			present++;
		}
		is_int(absent, present, "random digests are not found");
		imagehash_free(ih);
		unlink(path);
		buf_reset(&errs);
		is_int(imagehash_load(path, &ih, &errs), PRC_IO, "a missing list is an I/O error");
		ok(ih == NULL && strstr(buf_str(&errs), path) != NULL, "naming the file");
	}
out:
	buf_release(&list);
	buf_release(&errs);
	free(a);
	free(b);
	free(c);
	return done_testing();
}
