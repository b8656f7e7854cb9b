/* hset.h - a set of 64-bit keys (open addressing), for seen-URL sets. */
#ifndef PATROL_HSET_H
#define PATROL_HSET_H

#include <stddef.h>
#include <stdint.h>

/* Not thread-safe: owned by one thread. Key 0 is remapped internally, so any key works. */
struct hset;

/* Returns an empty set, or NULL without memory. */
struct hset *hset_new(void);

/* Frees s. NULL is fine. */
void hset_free(struct hset *s);

/* Adds key. Returns 1 if it was new, 0 if already there, -1 without memory. */
int hset_add(struct hset *s, uint64_t key);

/* Returns 1 if key is in s, else 0. */
int hset_has(const struct hset *s, uint64_t key);

/* Number of keys. */
size_t hset_count(const struct hset *s);

#endif
