/* hash.h - SHA-256 digests (OpenSSL) and a 64-bit string hash for in-memory sets. */
#ifndef PATROL_HASH_H
#define PATROL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

/* Writes the SHA-256 of data as 64 lowercase hex digits and a NUL into hex[65]. Thread-safe. */
void hash_sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

/* Writes the raw 32-byte SHA-256 of data into out. Thread-safe. */
void hash_sha256(const void *data, size_t len, unsigned char out[32]);

/*
 * An incremental SHA-256, for digests of several pieces (a rule set's cache
 * key). hash_sha256_new returns NULL without memory; update and final accept
 * a NULL context (final then writes zeros); final frees the context. One
 * context belongs to one thread.
 */
struct hash_sha256_ctx;
struct hash_sha256_ctx *hash_sha256_new(void);
void hash_sha256_update(struct hash_sha256_ctx *c, const void *data, size_t len);
void hash_sha256_final(struct hash_sha256_ctx *c, unsigned char out[32]);

/* Writes len bytes as lowercase hex digits and a NUL into hex[2 * len + 1]. */
void hash_hex(const unsigned char *bytes, size_t len, char *hex);

/* A fast 64-bit hash (FNV-1a with a final mix) of len bytes. Not for security. */
uint64_t hash64(const void *data, size_t len);

#endif
