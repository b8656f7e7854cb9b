/*
 * buf.c - bounded growable buffers (curl's dynbuf idea).
 *
 * Every buffer that the network can fill is created with a maximum; going
 * over it is an ordinary PRC_LIMIT, and the buffer is freed on that path so
 * no caller can forget to.
 */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static enum prc buf_grow(struct buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (need <= b->cap)
		return PRC_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need) {
		if (cap > ((size_t)-1) / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->ptr, cap);
	if (!p) {
		buf_release(b);
		return PRC_NOMEM;
	}
	b->ptr = p;
	b->cap = cap;
	return PRC_OK;
}

enum prc buf_add(struct buf *b, const void *mem, size_t len)
{
	enum prc rc;

	if (len > b->max || b->len > b->max - len) {
		buf_release(b);
		return PRC_LIMIT;
	}
	rc = buf_grow(b, b->len + len + 1);
	if (rc != PRC_OK)
		return rc;
	if (len)
		memcpy(b->ptr + b->len, mem, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return PRC_OK;
}

enum prc buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum prc buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

enum prc buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	enum prc rc;
	char *big;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0)
		return PRC_INVALID;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	big = malloc((size_t)n + 1);
	if (!big) {
		buf_release(b);
		return PRC_NOMEM;
	}
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	rc = buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

enum prc buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	enum prc rc;

	va_start(ap, fmt);
	rc = buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->ptr;

	if (len)
		*len = b->len;
	if (!p)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}

const char *buf_str(const struct buf *b)
{
	return b->ptr ? b->ptr : "";
}
