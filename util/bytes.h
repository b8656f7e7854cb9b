/*
 * bytes.h - little-endian byte packing, the one home for the fixed-width
 * integers of patrol's on-disk formats (the compiled-pattern cache, the
 * serialized pattern sets, the trained model) and of the hashes that key
 * them. Inline: a handful of shifts each.
 */
#ifndef PATROL_BYTES_H
#define PATROL_BYTES_H

#include <stdint.h>

static inline void bytes_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static inline uint32_t bytes_get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void bytes_put_u64(unsigned char *p, uint64_t v)
{
	bytes_put_u32(p, (uint32_t)v);
	bytes_put_u32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t bytes_get_u64(const unsigned char *p)
{
	return (uint64_t)bytes_get_u32(p) | (uint64_t)bytes_get_u32(p + 4) << 32;
}

#endif
