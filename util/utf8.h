/* utf8.h - checking UTF-8 and repairing it (invalid sequences become U+FFFD). */
#ifndef PATROL_UTF8_H
#define PATROL_UTF8_H

#include <stddef.h>

#include "util/arena.h"

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
