/* buf.h - growable byte buffers with a hard maximum, for anything fed by the network. */
#ifndef PATROL_BUF_H
#define PATROL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/err.h"

/*
 * A buffer that grows up to max bytes (plus a terminating NUL that is always
 * kept after the data). A failed append (over max, or out of memory) frees
 * the buffer, so a half-read body never lingers; the buffer can be reused
 * after buf_reset(). Not thread-safe; owned by one thread at a time.
 */
struct buf {
	char *ptr;   /* NUL-terminated data, NULL while empty */
	size_t len;  /* bytes of data, not counting the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard limit on len */
};

/* Initializes b, empty, with a limit of max bytes. */
void buf_init(struct buf *b, size_t max);

/* Appends len bytes. PRC_LIMIT or PRC_NOMEM frees the buffer. */
enum prc buf_add(struct buf *b, const void *mem, size_t len);

/* Appends a NUL-terminated string. */
enum prc buf_addstr(struct buf *b, const char *s);

/* Appends one byte. */
enum prc buf_addch(struct buf *b, char c);

/* Appends printf-formatted text. */
enum prc buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum prc buf_vaddf(struct buf *b, const char *fmt, va_list ap);

/* Empties b, keeping its memory and limit. */
void buf_reset(struct buf *b);

/* Frees b's memory; b is left empty and reusable with the same limit. */
void buf_release(struct buf *b);

/*
 * Hands the data to the caller (who frees it with free()) and leaves b empty.
 * Returns a valid empty string's copy when b is empty, or NULL without memory.
 * *len, if not NULL, receives the length.
 */
char *buf_detach(struct buf *b, size_t *len);

/* Returns the data as a string ("" when empty). Valid until the next change. */
const char *buf_str(const struct buf *b);

#endif
