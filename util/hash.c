/*
 * hash.c - digests. SHA-256 comes from OpenSSL (evidence must use a
 * standard, audited implementation); hash64 is for in-memory seen-sets only.
 */
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct hash_sha256_ctx {
	EVP_MD_CTX *md;
};

struct hash_sha256_ctx *hash_sha256_new(void)
{
	struct hash_sha256_ctx *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	c->md = EVP_MD_CTX_new();
	if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c->md);
		free(c);
		return NULL;
	}
	return c;
}

void hash_sha256_update(struct hash_sha256_ctx *c, const void *data, size_t len)
{
	if (c && len)
		EVP_DigestUpdate(c->md, data, len);
}

void hash_sha256_final(struct hash_sha256_ctx *c, unsigned char out[32])
{
	unsigned int n = 32;

	memset(out, 0, 32);
	if (!c)
		return;
	EVP_DigestFinal_ex(c->md, out, &n);
	EVP_MD_CTX_free(c->md);
	free(c);
}

void hash_hex(const unsigned char *bytes, size_t len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * len] = '\0';
}

void hash_sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;

	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

void hash_sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[32];
	int i;

	hash_sha256(data, len, md);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

uint64_t hash64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	/* splitmix64 finalizer: FNV's low bits are weak for table indexing */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}
