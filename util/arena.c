/*
 * arena.c - region allocation for one page's life (nginx pools, Rspamd's
 * task pool). Allocations bump a pointer in 16 KiB blocks; large requests get
 * a block of their own. Nothing is freed until the whole arena goes.
 */
#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	/* data follows, aligned */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_hook {
	struct arena_hook *next;
	arena_cleanup_fn fn;
	void *data;
};

struct arena {
	struct arena_block *blocks;
	struct arena_hook *hooks;
};

struct arena *arena_new(void)
{
	return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
	struct arena_block *b, *nb;
	struct arena_hook *h, *nh;

	if (!a)
		return;
	for (h = a->hooks; h; h = nh) {
		nh = h->next;
		h->fn(h->data);
	}
	for (b = a->blocks; b; b = nb) {
		nb = b->next;
		free(b);
	}
	free(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->blocks;
	size_t size;
	void *p;

	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	if (!b || b->size - b->used < n) {
		size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		if (size > SIZE_MAX - sizeof(*b))
			return NULL;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		if (size == n && a->blocks) {
			/* a big one-off: keep the current block first for small ones */
			b->next = a->blocks->next;
			a->blocks->next = b;
		} else {
			b->next = a->blocks;
			a->blocks = b;
		}
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

void *arena_calloc(struct arena *a, size_t nmemb, size_t size)
{
	void *p;

	if (size && nmemb > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, nmemb * size);
	if (p)
		memset(p, 0, nmemb * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

int arena_on_free(struct arena *a, arena_cleanup_fn fn, void *data)
{
	struct arena_hook *h = arena_alloc(a, sizeof(*h));

	if (!h) {
		fn(data);
		return -1;
	}
	h->fn = fn;
	h->data = data;
	h->next = a->hooks;
	a->hooks = h;
	return 0;
}

