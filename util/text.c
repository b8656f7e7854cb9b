/*
 * text.c - what patrol shows on a terminal comes from the web (titles,
 * evidence, URLs, WARC headers) or from people (names, comments). A
 * terminal acts on some of those bytes: ESC starts sequences that recolour,
 * retitle the window, move the cursor or rewrite what an earlier line
 * said; CR and the bidirectional overrides make a line read differently
 * from what it holds. text_inert shows such characters as escapes instead,
 * so what a reviewer reads is what is stored. Names of people acting are
 * kept to letters, digits and a few marks, so that an audit trail names
 * someone and cannot carry a sequence in the first place.
 */
#include "util/text.h"

#include <string.h>
#include <utf8proc.h>

/* Decodes the UTF-8 character at s[0..n): its length, or 0 when invalid; *cp gets it. */
static size_t decode(const unsigned char *s, size_t n, int32_t *cp)
{
	utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)n, cp);

	return k > 0 ? (size_t)k : 0;
}

/* Whether code point c does something to a terminal or to the order of the text. */
static int unsafe(int32_t c, unsigned flags)
{
	if (c == '\n' || c == '\t')
		return !(flags & TEXT_KEEP_LINES);
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
		return 1;
	return c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x2028 || c == 0x2029 || c == 0x061c;
}

struct sink {
	FILE *f;
	char *out;
	size_t size, len;
	int full;
};

static void put(struct sink *k, const char *p, size_t n)
{
	if (k->f) {
		fwrite(p, 1, n, k->f);
		return;
	}
	if (k->full || k->len + n >= k->size) {
		k->full = 1;
		return;
	}
	memcpy(k->out + k->len, p, n);
	k->len += n;
	k->out[k->len] = '\0';
}

static void inert(struct sink *k, const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	char esc[16];

	while (i < n) {
		int32_t c = -1;
		size_t len = decode(p + i, n - i, &c);

		if (!len) {
			if (flags & TEXT_ONE_WIDE)
				put(k, "\xef\xbf\xbd", 3);
			else
				put(k, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", p[i]));
			i++;
			continue;
		}
		if (c == '\r' && (flags & TEXT_KEEP_LINES) && i + 1 < n && p[i + 1] == '\n') {
			i++; /* a CRLF line end shows as a line end */
			continue;
		}
		if (!unsafe(c, flags)) {
			put(k, (const char *)p + i, len);
		} else if (flags & TEXT_ONE_WIDE) {
			if (c == '\n' || c == '\t' || c == '\r')
				put(k, " ", 1);
			else
				put(k, "\xef\xbf\xbd", 3);
		} else if (c < 0x80) {
			put(k, esc, (size_t)snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)c));
		} else {
			put(k, esc, (size_t)snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)c));
		}
		i += len;
	}
}

void text_inert(FILE *f, const char *s, size_t n, unsigned flags)
{
	struct sink k = { f, NULL, 0, 0, 0 };

	if (s)
		inert(&k, s, n, flags);
}

void text_inert_str(char *out, size_t size, const char *s)
{
	struct sink k = { NULL, out, size, 0, 0 };

	if (!size)
		return;
	out[0] = '\0';
	if (s)
		inert(&k, s, strlen(s), 0);
	if (k.full && size > 4)
		memcpy(out + (k.len < size - 4 ? k.len : size - 4), "...", 4);
}

const char *text_name_check(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0, i = 0, chars = 0;

	if (!n)
		return "is empty";
	while (i < n) {
		int32_t c;
		size_t len = decode(p + i, n - i, &c);
		utf8proc_category_t cat;

		if (!len)
			return "is not valid UTF-8";
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
			return "holds a control character or an escape sequence";
		if (++chars > TEXT_NAME_MAX)
			return "is longer than 64 characters";
		cat = utf8proc_category(c);
		if (!(c == '.' || c == '_' || c == '-' || c == '@' || cat == UTF8PROC_CATEGORY_LU ||
		      cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT ||
		      cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_LO ||
		      cat == UTF8PROC_CATEGORY_ND))
			return "holds a character other than letters, digits and . _ - @";
		i += len;
	}
	return NULL;
}
