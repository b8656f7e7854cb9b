/*
 * hset.c - linear-probing hash set of 64-bit keys. Used as the in-memory
 * seen-set in front of the frontier's unique URL key: 8 bytes a URL, so a
 * million URLs cost 16 MiB at the 50% load we keep.
 */
#include "util/hset.h"

#include <stdlib.h>

struct hset {
	uint64_t *slots;
	size_t cap; /* power of two */
	size_t count;
};

struct hset *hset_new(void)
{
	struct hset *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cap = 1024;
	s->slots = calloc(s->cap, sizeof(uint64_t));
	if (!s->slots) {
		free(s);
		return NULL;
	}
	return s;
}

void hset_free(struct hset *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s);
}

static uint64_t hset_fix(uint64_t key)
{
	return key ? key : 0x9e3779b97f4a7c15ULL; /* 0 marks an empty slot */
}

static int hset_insert(uint64_t *slots, size_t cap, uint64_t key)
{
	size_t i = (size_t)key & (cap - 1);

	while (slots[i]) {
		if (slots[i] == key)
			return 0;
		i = (i + 1) & (cap - 1);
	}
	slots[i] = key;
	return 1;
}

static int hset_grow(struct hset *s)
{
	size_t cap = s->cap * 2, i;
	uint64_t *slots = calloc(cap, sizeof(uint64_t));

	if (!slots)
		return -1;
	for (i = 0; i < s->cap; i++)
		if (s->slots[i])
			hset_insert(slots, cap, s->slots[i]);
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	return 0;
}

int hset_add(struct hset *s, uint64_t key)
{
	int added;

	key = hset_fix(key);
	if ((s->count + 1) * 2 > s->cap && hset_grow(s) < 0)
		return -1;
	added = hset_insert(s->slots, s->cap, key);
	s->count += (size_t)added;
	return added;
}

int hset_has(const struct hset *s, uint64_t key)
{
	size_t i;

	key = hset_fix(key);
	i = (size_t)key & (s->cap - 1);
	while (s->slots[i]) {
		if (s->slots[i] == key)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	return 0;
}

size_t hset_count(const struct hset *s)
{
	return s->count;
}
