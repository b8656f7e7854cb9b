/*
 * charset.c - finding a page's character set and decoding it to UTF-8.
 *
 * Everything after the fetch (HTML parsing, normalization, pattern
 * matching, storage) works on UTF-8 only, and Japanese sites are written in
 * Shift_JIS, EUC-JP, ISO-2022-JP and UTF-8, often mislabelled. This module
 * picks the charset and converts, and never fails on bad bytes: what cannot
 * be decoded becomes U+FFFD and decoding goes on, so one stray byte cannot
 * hide the rest of a page from the classifiers.
 *
 * DESIGN
 *
 * The charset comes from, in order: the Content-Type header, a byte order
 * mark, a <meta> in the first 4 KiB (a byte scanner, not a parser: the
 * bytes are not decoded yet), UTF-8 when the body has bytes past ASCII and
 * is valid UTF-8 as a whole, uchardet, and finally UTF-8 if the body is
 * valid UTF-8 and CP932 if not. Text in Shift_JIS, EUC-JP or a single-byte
 * charset is practically never valid UTF-8 once it has a few characters
 * past ASCII (their lead and trail bytes do not line up with UTF-8's), and
 * uchardet, given few such characters, can prefer a European single-byte
 * reading of what is plainly UTF-8. Pure ASCII still goes to uchardet,
 * which knows the 7-bit encodings (ISO-2022-JP, HZ). Names are mapped the way browsers map them:
 * "Shift_JIS" means Microsoft's CP932 (NEC and IBM extensions: ①, ㈱, 髙),
 * "EUC-JP" means EUC-JP-MS, and latin-1 / ASCII labels mean windows-1252.
 * Anything else is used as named if glibc's iconv knows it.
 *
 * UTF-8 input is not passed through iconv: most of it is clean (valid, no
 * NUL), which utf8_clean sees eight ASCII bytes a step, and is copied as
 * it is; the rest is repaired (each maximal invalid subpart becomes one
 * U+FFFD, as the WHATWG decoder does). NUL bytes become spaces so the text
 * is a C string and can be stored as PostgreSQL text.
 *
 * Each thread keeps the iconv descriptors of the last charsets it decoded
 * (cd_get), reset to the initial state before each page, so a page cut in
 * the middle of an ISO-2022-JP shift leaves nothing to the next one.
 */
#include "crawler/charset.h"
#include "util/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uchardet.h>

#define META_SCAN 4096          /* where a <meta> charset may start */
#define META_TAG_MAX 1024       /* how far past META_SCAN its attributes may run */
#define DETECT_MAX (64 * 1024)  /* bytes given to uchardet */
#define NAME_MAX_LEN 40

static const char REPL[3] = { (char)0xEF, (char)0xBF, (char)0xBD }; /* U+FFFD */

struct cs_alias {
	const char *alias;
	const char *canon; /* what charset_decode reports */
	const char *iconv; /* what iconv_open is given */
};

static const struct cs_alias aliases[] = {
	{ "shift_jis", "cp932", "CP932" },
	{ "shift-jis", "cp932", "CP932" },
	{ "sjis", "cp932", "CP932" },
	{ "x-sjis", "cp932", "CP932" },
	{ "windows-31j", "cp932", "CP932" },
	{ "ms_kanji", "cp932", "CP932" },
	{ "csshiftjis", "cp932", "CP932" },
	{ "cp932", "cp932", "CP932" },
	{ "ms932", "cp932", "CP932" },
	{ "windows-932", "cp932", "CP932" },
	{ "x-ms-cp932", "cp932", "CP932" },
	{ "euc-jp", "euc-jp-ms", "EUC-JP-MS" },
	{ "x-euc-jp", "euc-jp-ms", "EUC-JP-MS" },
	{ "eucjp", "euc-jp-ms", "EUC-JP-MS" },
	{ "euc-jp-ms", "euc-jp-ms", "EUC-JP-MS" },
	{ "eucjp-ms", "euc-jp-ms", "EUC-JP-MS" },
	{ "eucjp-win", "euc-jp-ms", "EUC-JP-MS" },
	{ "cseucpkdfmtjapanese", "euc-jp-ms", "EUC-JP-MS" },
	{ "iso-2022-jp", "iso-2022-jp", "ISO-2022-JP" },
	{ "csiso2022jp", "iso-2022-jp", "ISO-2022-JP" },
	{ "utf-8", "utf-8", "UTF-8" },
	{ "utf8", "utf-8", "UTF-8" },
	{ "unicode-1-1-utf-8", "utf-8", "UTF-8" },
	{ "utf-16le", "utf-16le", "UTF-16LE" },
	{ "utf-16", "utf-16le", "UTF-16LE" },
	{ "utf-16be", "utf-16be", "UTF-16BE" },
	/* WHATWG: these labels all mean windows-1252 */
	{ "us-ascii", "windows-1252", "CP1252" },
	{ "ascii", "windows-1252", "CP1252" },
	{ "iso-8859-1", "windows-1252", "CP1252" },
	{ "iso_8859-1", "windows-1252", "CP1252" },
	{ "iso8859-1", "windows-1252", "CP1252" },
	{ "latin1", "windows-1252", "CP1252" },
	{ "l1", "windows-1252", "CP1252" },
	{ "windows-1252", "windows-1252", "CP1252" },
	{ "cp1252", "windows-1252", "CP1252" },
	{ "x-cp1252", "windows-1252", "CP1252" },
};

/* A charset chosen for a body: canonical name and the name iconv takes. */
struct cs {
	char canon[NAME_MAX_LEN + 1];
	char iconv[NAME_MAX_LEN + 1];
};

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Case-insensitive: does s (n bytes) start with the lowercase literal lit? */
static int starts_ci(const char *s, size_t n, const char *lit)
{
	size_t i, m = strlen(lit);

	if (n < m)
		return 0;
	for (i = 0; i < m; i++)
		if (lower((unsigned char)s[i]) != lit[i])
			return 0;
	return 1;
}

/*
 * Maps a label (n bytes, maybe quoted or padded) to a usable charset.
 * Returns 1 and fills c, or 0 when iconv cannot decode it.
 */
static int cs_lookup(const char *name, size_t n, struct cs *c)
{
	char low[NAME_MAX_LEN + 1];
	size_t i;
	iconv_t cd;

	while (n > 0 && (is_space((unsigned char)*name) || *name == '"' || *name == '\'')) {
		name++;
		n--;
	}
	while (n > 0 && (is_space((unsigned char)name[n - 1]) || name[n - 1] == '"' ||
			 name[n - 1] == '\''))
		n--;
	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		int ch = lower((unsigned char)name[i]);

		/* no '/' : "//TRANSLIT" and friends are not charset names */
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.' || ch == ':'))
			return 0;
		low[i] = (char)ch;
	}
	low[n] = '\0';
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcmp(low, aliases[i].alias)) {
			snprintf(c->canon, sizeof(c->canon), "%s", aliases[i].canon);
			snprintf(c->iconv, sizeof(c->iconv), "%s", aliases[i].iconv);
			return 1;
		}
	}
	cd = iconv_open("UTF-8", low);
	if (cd == (iconv_t)-1)
		return 0;
	iconv_close(cd);
	snprintf(c->canon, sizeof(c->canon), "%s", low);
	snprintf(c->iconv, sizeof(c->iconv), "%s", low);
	return 1;
}

/*
 * Finds the charset parameter of a Content-Type value. Returns a pointer to
 * its value (quotes included) and sets *n, or NULL.
 */
static const char *ct_charset(const char *ct, size_t *n)
{
	const char *p = ct;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (is_space((unsigned char)*p))
			p++;
		if (!starts_ci(p, strlen(p), "charset"))
			continue;
		p += 7;
		while (is_space((unsigned char)*p))
			p++;
		if (*p != '=')
			continue;
		p++;
		while (is_space((unsigned char)*p))
			p++;
		if (*p == '"' || *p == '\'') {
			const char *q = strchr(p + 1, *p);

			*n = q ? (size_t)(q - p - 1) : strlen(p + 1);
			return p + 1;
		}
		*n = strcspn(p, "; \t,");
		return p;
	}
	return NULL;
}

const char *charset_from_content_type(struct arena *a, const char *content_type)
{
	const char *v;
	struct cs c;
	size_t n;

	if (!content_type || !(v = ct_charset(content_type, &n)) || !cs_lookup(v, n, &c))
		return NULL;
	return arena_strdup(a, c.canon);
}

/* Charset of a byte order mark at the start of s: sets c and *bom_len, returns 1, or 0. */
static int bom_charset(const unsigned char *s, size_t len, struct cs *c, size_t *bom_len)
{
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		*bom_len = 3;
		return cs_lookup("utf-8", 5, c);
	}
	if (len >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		*bom_len = 2;
		return cs_lookup("utf-16le", 8, c);
	}
	if (len >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		*bom_len = 2;
		return cs_lookup("utf-16be", 8, c);
	}
	return 0;
}

/*
 * The value at s[p .. end): quoted ('...' or "...") up to its quote, else up
 * to a space or stop. Sets *v and *vlen; returns where reading goes on (past
 * a closing quote).
 */
static size_t take_value(const char *s, size_t p, size_t end, char stop, const char **v, size_t *vlen)
{
	if (p < end && (s[p] == '"' || s[p] == '\'')) {
		char q = s[p++];

		*v = s + p;
		while (p < end && s[p] != q)
			p++;
		*vlen = (size_t)(s + p - *v);
		return p < end ? p + 1 : p;
	}
	*v = s + p;
	while (p < end && !is_space((unsigned char)s[p]) && s[p] != stop)
		p++;
	*vlen = (size_t)(s + p - *v);
	return p;
}

/*
 * Reads one attribute of a tag at s[*i..end): sets name and value spans
 * (value may be empty) and advances *i. Returns 0 at '>' or the end.
 */
static int meta_attr(const char *s, size_t *i, size_t end, const char **name, size_t *nlen,
		     const char **val, size_t *vlen)
{
	size_t p = *i;

	while (p < end && (is_space((unsigned char)s[p]) || s[p] == '/'))
		p++;
	if (p >= end || s[p] == '>') {
		*i = p;
		return 0;
	}
	*name = s + p;
	while (p < end && !is_space((unsigned char)s[p]) && s[p] != '=' && s[p] != '>' &&
	       (s[p] != '/' || p == (size_t)(*name - s)))
		p++;
	*nlen = (size_t)(s + p - *name);
	*val = s + p;
	*vlen = 0;
	while (p < end && is_space((unsigned char)s[p]))
		p++;
	if (p < end && s[p] == '=') {
		p++;
		while (p < end && is_space((unsigned char)s[p]))
			p++;
		p = take_value(s, p, end, '>', val, vlen);
	}
	*i = p;
	return 1;
}

/* Finds "charset=value" inside a content attribute. Returns 1 and the value span, or 0. */
static int content_charset(const char *s, size_t n, const char **v, size_t *vn)
{
	size_t i, j;

	for (i = 0; i + 7 <= n; i++) {
		if (!starts_ci(s + i, n - i, "charset"))
			continue;
		j = i + 7;
		while (j < n && is_space((unsigned char)s[j]))
			j++;
		if (j >= n || s[j] != '=')
			continue;
		j++;
		while (j < n && is_space((unsigned char)s[j]))
			j++;
		take_value(s, j, n, ';', v, vn);
		return *vn > 0;
	}
	return 0;
}

/*
 * The <meta charset> or <meta http-equiv="Content-Type" content="...;
 * charset=..."> prescan of WHATWG HTML, reduced to bytes: comments are
 * skipped, other tags passed over, the first usable meta wins.
 */
static int meta_charset(const char *s, size_t len, struct cs *c)
{
	size_t scan = len < META_SCAN ? len : META_SCAN;
	size_t end = len < META_SCAN + META_TAG_MAX ? len : META_SCAN + META_TAG_MAX;
	size_t i = 0;

	while (i < scan) {
		const char *name, *val, *cs_v = NULL, *ct_v = NULL;
		size_t nlen, vlen, cs_n = 0, ct_n = 0;
		int pragma = 0, has_equiv = 0;

		if (s[i] != '<') {
			const char *lt = memchr(s + i, '<', scan - i);

			if (!lt)
				break;
			i = (size_t)(lt - s);
		}
		if (starts_ci(s + i, end - i, "<!--")) {
			const char *q = memmem(s + i + 4, end - i - 4, "-->", 3);

			if (!q)
				return 0;
			i = (size_t)(q - s) + 3;
			continue;
		}
		if (!starts_ci(s + i, end - i, "<meta") || i + 5 >= end ||
		    !(is_space((unsigned char)s[i + 5]) || s[i + 5] == '/')) {
			i++;
			continue;
		}
		i += 5;
		while (meta_attr(s, &i, end, &name, &nlen, &val, &vlen)) {
			if (nlen == 7 && starts_ci(name, nlen, "charset")) {
				if (!cs_v) {
					cs_v = val;
					cs_n = vlen;
				}
			} else if (nlen == 10 && starts_ci(name, nlen, "http-equiv")) {
				has_equiv = 1;
				pragma = (vlen == 12 && starts_ci(val, vlen, "content-type"));
			} else if (nlen == 7 && starts_ci(name, nlen, "content") && !ct_v) {
				ct_v = val;
				ct_n = vlen;
			}
		}
		if (cs_v && cs_lookup(cs_v, cs_n, c))
			goto found;
		/* lenient: a content="...charset=" without any http-equiv is taken too */
		if (ct_v && (pragma || !has_equiv) && content_charset(ct_v, ct_n, &cs_v, &cs_n) &&
		    cs_lookup(cs_v, cs_n, c))
			goto found;
	}
	return 0;
found:
	/* a meta readable as ASCII cannot be right about UTF-16 (WHATWG) */
	if (!strncmp(c->canon, "utf-16", 6))
		return cs_lookup("utf-8", 5, c);
	return 1;
}

/*
 * Structural checks for the two Japanese multi-byte encodings: every byte
 * above 0x7F must fit the encoding's byte ranges. Returns the number of
 * two-byte characters when the sample fits (and *kana the number of one-byte
 * half-width katakana, for Shift_JIS), or -1 when it does not.
 */
static long fits_sjis(const unsigned char *p, size_t n, long *kana)
{
	long pairs = 0;
	size_t i = 0;

	*kana = 0;
	while (i < n) {
		unsigned char b = p[i];

		if (b < 0x80) {
			i++;
		} else if (b >= 0xA1 && b <= 0xDF) {
			(*kana)++;
			i++;
		} else if ((b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC)) {
			if (i + 1 >= n)
				break; /* cut at the sample's end */
			if (p[i + 1] < 0x40 || p[i + 1] == 0x7F || p[i + 1] > 0xFC)
				return -1;
			pairs++;
			i += 2;
		} else {
			return -1;
		}
	}
	return pairs;
}

static long fits_eucjp(const unsigned char *p, size_t n)
{
	long pairs = 0;
	size_t i = 0;

	while (i < n) {
		unsigned char b = p[i];

		if (b < 0x80) {
			i++;
			continue;
		}
		if (i + 1 >= n)
			break;
		if (b == 0x8E && p[i + 1] >= 0xA1 && p[i + 1] <= 0xDF) {
			i += 2;
		} else if (b == 0x8F && i + 2 < n && p[i + 1] >= 0xA1 && p[i + 2] >= 0xA1) {
			pairs++;
			i += 3;
		} else if (b >= 0xA1 && b <= 0xFE && p[i + 1] >= 0xA1 && p[i + 1] <= 0xFE) {
			pairs++;
			i += 2;
		} else {
			return -1;
		}
	}
	return pairs;
}

/*
 * uchardet was trained on general web text and sometimes names a single-byte
 * European charset for short Japanese pages, CP932-only characters (①, ㈱)
 * tipping it over. patrol crawls the Japanese web: when the bytes fit Shift_JIS
 * or EUC-JP as a whole and hold a few two-byte characters, that reading wins
 * over a single-byte guess.
 */
static const char *japanese_override(const char *name, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = len < DETECT_MAX ? len : DETECT_MAX;
	long kana = 0, sj, euc;

	if (!name || !(strncasecmp(name, "ISO-8859", 8) == 0 || strncasecmp(name, "WINDOWS-125", 11) == 0 ||
		       strncasecmp(name, "MAC", 3) == 0 || strncasecmp(name, "KOI8", 4) == 0 ||
		       strncasecmp(name, "IBM", 3) == 0 || strncasecmp(name, "TIS-620", 7) == 0))
		return name;
	sj = fits_sjis(p, n, &kana);
	euc = fits_eucjp(p, n);
	if (euc >= 4 && (sj < 0 || kana > sj))
		return "EUC-JP";
	if (sj >= 4)
		return "SHIFT_JIS";
	return name;
}

/* Asks uchardet about the first DETECT_MAX bytes. */
static int detect_charset(const char *s, size_t len, struct cs *c)
{
	uchardet_t ud = uchardet_new();
	const char *name;
	int found = 0;

	if (!ud)
		return 0;
	if (uchardet_handle_data(ud, s, len < DETECT_MAX ? len : DETECT_MAX) == 0) {
		uchardet_data_end(ud);
		name = uchardet_get_charset(ud);
		/* pure ASCII: UTF-8 reads it the same and is what a later edit most likely adds */
		if (name && !strcmp(name, "ASCII"))
			name = "UTF-8";
		name = japanese_override(name, s, len);
		if (name && *name)
			found = cs_lookup(name, strlen(name), c);
	}
	uchardet_delete(ud);
	return found;
}

/*
 * iconv descriptors are kept per thread (the last ICONV_KEEP charsets it
 * decoded) and reset to their initial state before each page instead of
 * being opened and closed for each: iconv_open looks the charset up in
 * glibc's module cache under a lock. They are closed when the thread ends.
 */
#define ICONV_KEEP 4

struct cd_kept {
	struct {
		char name[NAME_MAX_LEN + 1];
		iconv_t cd;
		int used;
	} slot[ICONV_KEEP];
	size_t next; /* the slot to reuse when all are taken */
};

static pthread_key_t cd_key;
static pthread_once_t cd_once = PTHREAD_ONCE_INIT;
static int cd_key_ok;

static void cd_kept_free(void *p)
{
	struct cd_kept *k = p;

	for (size_t i = 0; i < ICONV_KEEP; i++)
		if (k->slot[i].used)
			iconv_close(k->slot[i].cd);
	free(k);
}

static void cd_key_make(void)
{
	cd_key_ok = pthread_key_create(&cd_key, cd_kept_free) == 0;
}

/*
 * A descriptor from name to UTF-8 in its initial state, or (iconv_t)-1.
 * *kept says whether it belongs to the thread's cache (not to be closed).
 */
static iconv_t cd_get(const char *name, int *kept)
{
	struct cd_kept *k = NULL;
	iconv_t cd;
	size_t i;

	*kept = 0;
	pthread_once(&cd_once, cd_key_make);
	if (cd_key_ok && !(k = pthread_getspecific(cd_key))) {
		k = calloc(1, sizeof(*k));
		if (k && pthread_setspecific(cd_key, k) != 0) {
			free(k);
			k = NULL;
		}
	}
	if (k)
		for (i = 0; i < ICONV_KEEP; i++)
			if (k->slot[i].used && !strcmp(k->slot[i].name, name)) {
				/* back to the initial state, whatever the last page left */
				iconv(k->slot[i].cd, NULL, NULL, NULL, NULL);
				*kept = 1;
				return k->slot[i].cd;
			}
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1 || !k || strlen(name) > NAME_MAX_LEN)
		return cd;
	for (i = 0; i < ICONV_KEEP && k->slot[i].used; i++)
		;
	if (i == ICONV_KEEP) {
		i = k->next;
		k->next = (k->next + 1) % ICONV_KEEP;
		iconv_close(k->slot[i].cd);
	}
	snprintf(k->slot[i].name, sizeof(k->slot[i].name), "%s", name);
	k->slot[i].cd = cd;
	k->slot[i].used = 1;
	*kept = 1;
	return cd;
}

/* Doubles *buf up to max bytes. Returns 1 when grown, 0 when already at max, -1 without memory. */
static int grow(char **buf, size_t *cap, size_t max)
{
	size_t ncap = *cap > max / 2 ? max : *cap * 2;
	char *nb;

	if (*cap >= max)
		return 0;
	nb = realloc(*buf, ncap + 1);
	if (!nb)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 1;
}

/*
 * Decodes s with iconv into a malloc'd buffer of at most max bytes. On
 * EILSEQ one U+FFFD is written and one code unit skipped; a sequence cut off
 * by the end of the input is one U+FFFD. NUL characters become spaces.
 */
static enum prc iconv_decode(const char *name, const char *s, size_t len, size_t max, char **out,
			     size_t *out_len, int *truncated)
{
	size_t unit = !strncasecmp(name, "UTF-16", 6) || !strncasecmp(name, "UCS-2", 5) ? 2
		      : !strncasecmp(name, "UTF-32", 6) || !strncasecmp(name, "UCS-4", 5) ? 4 : 1;
	size_t cap = max, used = 0, inleft = len, outleft, r;
	char *in = (char *)s, *buf = NULL, *op, *nul;
	enum prc rc = PRC_OK;
	iconv_t cd;
	int flush, err, g, kept;

	cd = cd_get(name, &kept);
	if (cd == (iconv_t)-1)
		return PRC_INTERNAL;
	/* 3 bytes out for each byte in covers the multibyte charsets we map; grown if not */
	if (len < max / 3 && 3 * len + 16 < max)
		cap = 3 * len + 16;
	buf = malloc(cap + 1);
	if (!buf) {
		rc = PRC_NOMEM;
		goto out;
	}
	for (;;) {
		flush = (inleft == 0);
		op = buf + used;
		outleft = cap - used;
		/* with no input left, one more call returns a stateful charset to its initial state */
		r = flush ? iconv(cd, NULL, NULL, &op, &outleft) : iconv(cd, &in, &inleft, &op, &outleft);
		err = errno;
		used = (size_t)(op - buf);
		if (r != (size_t)-1) {
			if (flush)
				break;
			continue;
		}
		if (err == E2BIG || ((err == EILSEQ || err == EINVAL) && cap - used < 3)) {
			g = grow(&buf, &cap, max);
			if (g < 0) {
				rc = PRC_NOMEM;
				goto out;
			}
			if (g == 0) {
				*truncated = 1;
				break;
			}
			continue;
		}
		if (err != EILSEQ && err != EINVAL) {
			rc = PRC_INTERNAL;
			goto out;
		}
		memcpy(buf + used, REPL, 3);
		used += 3;
		if (err == EINVAL || inleft <= unit) {
			in += inleft;
			inleft = 0;
		} else {
			in += unit;
			inleft -= unit;
		}
	}
	for (nul = memchr(buf, '\0', used); nul;
	     nul = memchr(nul + 1, '\0', used - (size_t)(nul + 1 - buf)))
		*nul = ' ';
	buf[used] = '\0';
	*out = buf;
	*out_len = used;
	buf = NULL;
out:
	free(buf);
	if (!kept)
		iconv_close(cd);
	return rc;
}

/* Whether s[0, len) has a byte past ASCII; eight bytes a step. */
static int any_high(const char *s, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, s + i, 8);
		if (v & 0x8080808080808080ull)
			return 1;
	}
	for (; i < len; i++)
		if ((unsigned char)s[i] & 0x80)
			return 1;
	return 0;
}

/*
 * Picks the charset of body by the order in charset.h. Sets *bom to the
 * bytes of a BOM to skip, and *clean when body was found to be clean UTF-8
 * (utf8_clean) on the way.
 */
static void choose(const char *content_type, const char *body, size_t len, struct cs *c,
		   size_t *bom, int *clean)
{
	struct cs bc;
	size_t blen = 0, n, used;
	const char *v;

	*bom = 0;
	*clean = 0;
	if (content_type && (v = ct_charset(content_type, &n)) && cs_lookup(v, n, c))
		goto found;
	if (bom_charset((const unsigned char *)body, len, c, &blen))
		goto found;
	if (meta_charset(body, len, c))
		goto found;
	if (any_high(body, len) && ((*clean = utf8_clean(body, len)) || utf8_valid(body, len)) &&
	    cs_lookup("utf-8", 5, c))
		goto found;
	if (detect_charset(body, len, c))
		goto found;
	if (utf8_repair(NULL, body, len, SIZE_MAX, &used) == len)
		cs_lookup("utf-8", 5, c);
	else
		cs_lookup("cp932", 5, c);
found:
	/* a BOM for the charset chosen is not text, whoever chose it */
	if (bom_charset((const unsigned char *)body, len, &bc, &blen) && !strcmp(bc.canon, c->canon))
		*bom = blen;
}

enum prc charset_decode(struct arena *a, const char *content_type, const char *body, size_t len,
			size_t max_out, char **out, size_t *out_len, const char **charset,
			int *truncated, struct err *e)
{
	size_t max = max_out ? max_out : SIZE_MAX / 4, n = 0, used, bom;
	char *tmp = NULL, *d = NULL;
	const char *name;
	enum prc rc = PRC_OK;
	struct cs c;
	int clean;

	*out = NULL;
	*out_len = 0;
	*charset = NULL;
	*truncated = 0;
	choose(content_type, body, len, &c, &bom, &clean);
	body += bom;
	len -= bom;
	if (strcmp(c.canon, "utf-8") != 0) {
		rc = iconv_decode(c.iconv, body, len, max, &tmp, &n, truncated);
		if (rc == PRC_OK && utf8_clean(tmp, n)) {
			d = arena_strndup(a, tmp, n);
		} else if (rc == PRC_OK) {
			/* iconv passes on what the charset can name and Unicode cannot (UCS-4 past U+10FFFF) */
			size_t m = utf8_repair(NULL, tmp, n, max, &used);

			d = arena_alloc(a, m + 1);
			if (d) {
				utf8_repair(d, tmp, n, m, &used);
				d[m] = '\0';
			}
			n = m;
		} else if (rc == PRC_INTERNAL)
			cs_lookup("utf-8", 5, &c); /* iconv went away under us: repair as UTF-8 */
	}
	if (!strcmp(c.canon, "utf-8") && len <= max && (clean || utf8_clean(body, len))) {
		/* the common case: nothing to repair, one pass to check and one copy */
		rc = PRC_OK;
		n = len;
		*truncated = 0;
		d = arena_strndup(a, body, len);
	} else if (!strcmp(c.canon, "utf-8")) {
		rc = PRC_OK;
		n = utf8_repair(NULL, body, len, max, &used);
		*truncated = (used < len);
		d = arena_alloc(a, n + 1);
		if (d) {
			utf8_repair(d, body, len, n, &used);
			d[n] = '\0';
		}
	}
	name = arena_strdup(a, c.canon);
	if (rc == PRC_OK && (!d || !name))
		rc = PRC_NOMEM;
	if (rc != PRC_OK) {
		err_set(e, rc, "out of memory decoding a page as '%s'", c.canon);
		goto out;
	}
	*out = d;
	*out_len = n;
	*charset = name;
out:
	free(tmp);
	return rc;
}
