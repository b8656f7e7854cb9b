/*
 * utf8.c - checking and repairing UTF-8.
 *
 * Everything after the decode works on valid UTF-8 only: the charset
 * decoder repairs what it converts, and text that reaches a classifier or
 * the database by another way (a URL, a CSV cell, an anchor text) is
 * checked and repaired here. Each maximal invalid subpart becomes one
 * U+FFFD, as the WHATWG decoder does; NUL bytes become spaces so the result
 * is one C string and valid PostgreSQL text.
 */
#include "util/utf8.h"

#include <stdint.h>
#include <string.h>

static const char REPL[3] = { (char)0xEF, (char)0xBF, (char)0xBD }; /* U+FFFD */

size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4) {
		*bad = 1;
		return 0;
	}
	if (c < 0xE0) {
		need = 1;
	} else if (c < 0xF0) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; /* nothing past U+10FFFF */
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need + 1;
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, bad, k;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, len - i, &bad);
		if (!k)
			return 0;
		i += k;
	}
	return 1;
}

int utf8_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char c = *p;

		if (c < 0x80) {
			if (end - p >= 8) {
				uint64_t v;

				memcpy(&v, p, 8);
				/* no byte with its top bit set, and no zero byte */
				if (!((v | ((v - 0x0101010101010101ull) & ~v)) & 0x8080808080808080ull)) {
					p += 8;
					continue;
				}
			}
			if (!c)
				return 0;
			p++;
		} else if (c >= 0xE1 && c != 0xED && c <= 0xEF) {
			/* three bytes, no special range: most of CJK text */
			if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
				return 0;
			p += 3;
		} else if (c < 0xC2 || c > 0xF4) {
			return 0;
		} else if (c < 0xE0) {
			if (end - p < 2 || (p[1] & 0xC0) != 0x80)
				return 0;
			p += 2;
		} else if (c < 0xF0) {
			/* E0 (no overlongs) and ED (no surrogates) */
			if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
			    (c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
				return 0;
			p += 3;
		} else {
			if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
			    (p[3] & 0xC0) != 0x80 || (c == 0xF0 && p[1] < 0x90) ||
			    (c == 0xF4 && p[1] > 0x8F))
				return 0;
			p += 4;
		}
	}
	return 1;
}

size_t utf8_repair(char *dst, const char *s, size_t len, size_t max, size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, k, bad;

	while (i < len) {
		const char *src = s + i;

		k = utf8_seq(p + i, len - i, &bad);
		if (k) {
			if (max - o < k)
				break;
			if (dst) {
				memcpy(dst + o, src, k);
				if (k == 1 && *src == '\0')
					dst[o] = ' ';
			}
			o += k;
			i += k;
		} else {
			if (max - o < 3)
				break;
			if (dst)
				memcpy(dst + o, REPL, 3);
			o += 3;
			i += bad;
		}
	}
	*used = i;
	return o;
}

char *utf8_sanitize(struct arena *a, const char *s, size_t len, size_t *out_len)
{
	size_t n, used;
	char *d;

	n = utf8_repair(NULL, s, len, SIZE_MAX, &used);
	d = arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	utf8_repair(d, s, len, n, &used);
	d[n] = '\0';
	if (out_len)
		*out_len = n;
	return d;
}
