/* xorshift.h - the pseudo-random numbers C unit tests draw: the same sequence for a seed on every run. */
#ifndef PATROL_XORSHIFT_H
#define PATROL_XORSHIFT_H

#include <stdint.h>

/* Marsaglia's xorshift64 (13, 7, 17): advances *state (never 0) and returns it. */
static inline uint64_t xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
