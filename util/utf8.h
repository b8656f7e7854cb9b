/* utf8.h - checking UTF-8 and repairing it (invalid sequences become U+FFFD). */
#ifndef PATROL_UTF8_H
#define PATROL_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/*
 * Writes the UTF-8 of cp into u, padded with zeros to four bytes, and
 * returns its length. Past U+FFFF only the low 21 bits count; surrogates
 * are written as their three bytes (callers that build test input want
 * them). Inline: the normalizer calls it per character.
 */
static inline size_t utf8_encode(unsigned char u[4], uint32_t cp)
{
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		u[1] = u[2] = u[3] = 0;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		u[2] = u[3] = 0;
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		u[3] = 0;
		return 3;
	}
	u[0] = (unsigned char)(0xF0 | ((cp >> 18) & 0x07));
	u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	u[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes, n >= 1): 1 to 4, or 0
 * when it is invalid, with *bad the length of its maximal subpart (Unicode
 * 3.9, D93b): the bytes that one U+FFFD replaces.
 */
size_t utf8_seq(const unsigned char *s, size_t n, size_t *bad);

/* Returns 1 when s (len bytes) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF), else 0. */
int utf8_valid(const char *s, size_t len);

/*
 * Returns 1 when s (len bytes) is valid UTF-8 and holds no NUL byte: text
 * utf8_repair and utf8_sanitize would copy unchanged. Eight ASCII bytes a step.
 */
int utf8_clean(const char *s, size_t len);

/*
 * Repairs UTF-8 s (len bytes) into dst, or only measures when dst is NULL,
 * writing at most max bytes and never a partial character: invalid
 * sequences become U+FFFD, NUL bytes spaces. Returns the bytes written
 * (no NUL added); *used gets the input bytes consumed.
 */
size_t utf8_repair(char *dst, const char *s, size_t len, size_t max, size_t *used);

/*
 * Makes s (len bytes) valid UTF-8 in place-copy: invalid sequences become U+FFFD. Result in a.
 * NUL bytes become spaces, so the result is one C string (and valid PostgreSQL text).
 * NULL without memory; out_len may be NULL.
 */
char *utf8_sanitize(struct arena *a, const char *s, size_t len, size_t *out_len);

#endif
