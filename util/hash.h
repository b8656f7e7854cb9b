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

/* A fast 64-bit hash (FNV-1a with a final mix) of len bytes. Not for security. */
uint64_t hash64(const void *data, size_t len);

#endif
