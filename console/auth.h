/* auth.h - passwords (Argon2id), random tokens and their digests for the web console. */
#ifndef PATROL_AUTH_H
#define PATROL_AUTH_H

#include <stddef.h>

#include "util/err.h"

/* Initializes libsodium; call once before any other function here. PRC_INTERNAL on failure. */
enum prc auth_init(struct err *e);

/* Hashes password with Argon2id (libsodium's crypto_pwhash_str) into out (at least 128 bytes). */
enum prc auth_hash(const char *password, char *out, size_t outlen, struct err *e);

/* 1 when password matches hash. Thread-safe. */
int auth_verify(const char *hash, const char *password);

/* A fresh random token: 32 bytes from the system's CSPRNG, as 64 hex digits in out (65 bytes). */
void auth_token(char out[65]);

/* SHA-256 of s in hex (65 bytes). */
void auth_sha256_hex(const char *s, char out[65]);

/* HMAC-SHA-256 of s under a process-wide random key, in hex (65 bytes): a token bound to s. */
void auth_bind(const char *s, char out[65]);

/* Compares two strings in constant time for their length; 1 when equal. */
int auth_equal(const char *a, const char *b);

#endif
