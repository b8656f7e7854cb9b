/* hcount.h - counters keyed by 64-bit hashes (open addressing), for per-host and per-path tallies. */
#ifndef PATROL_HCOUNT_H
#define PATROL_HCOUNT_H

#include <stddef.h>
#include <stdint.h>

/* Not thread-safe: owned by one thread. */
struct hcount;

/* Returns an empty map, or NULL without memory. */
struct hcount *hcount_new(void);

/* Frees m. NULL is fine. */
void hcount_free(struct hcount *m);

/* Adds one to key's counter and returns the new value, or 0 without memory. */
uint32_t hcount_incr(struct hcount *m, uint64_t key);

#endif
