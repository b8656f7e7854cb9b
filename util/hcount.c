/*
 * hcount.c - a linear-probing map from 64-bit keys to counters. The writer
 * keeps trap tallies in it (calendar-like URLs per host, query variants per
 * path), which grow with the number of hosts and paths, never with pages.
 */
#include "util/hcount.h"

#include <stdlib.h>

struct slot {
	uint64_t key; /* 0: empty */
	uint32_t count;
};

struct hcount {
	struct slot *slots;
	size_t cap; /* power of two */
	size_t used;
};

struct hcount *hcount_new(void)
{
	struct hcount *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 256;
	m->slots = calloc(m->cap, sizeof(struct slot));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void hcount_free(struct hcount *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m);
}

static uint64_t fix(uint64_t key)
{
	return key ? key : 0x9e3779b97f4a7c15ULL;
}

static struct slot *find(struct slot *slots, size_t cap, uint64_t key)
{
	size_t i = (size_t)key & (cap - 1);

	while (slots[i].key && slots[i].key != key)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int grow(struct hcount *m)
{
	size_t cap = m->cap * 2, i;
	struct slot *slots = calloc(cap, sizeof(struct slot));

	if (!slots)
		return -1;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*find(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

uint32_t hcount_incr(struct hcount *m, uint64_t key)
{
	struct slot *s;

	key = fix(key);
	if ((m->used + 1) * 2 > m->cap && grow(m) < 0)
		return 0;
	s = find(m->slots, m->cap, key);
	if (!s->key) {
		s->key = key;
		m->used++;
	}
	if (s->count < UINT32_MAX)
		s->count++;
	return s->count;
}

