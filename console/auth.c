/*
 * auth.c - the cryptography of the console, all of it libsodium's:
 * Argon2id password hashes (crypto_pwhash_str, interactive limits, so a
 * login costs a reviewer a fraction of a second and a guesser that much per
 * try), session tokens from randombytes, digests of tokens for the database,
 * and HMACs that bind the login form's CSRF token to its cookie.
 */
#include "console/auth.h"

#include <sodium.h>
#include <string.h>

static unsigned char bind_key[crypto_auth_hmacsha256_KEYBYTES];

enum prc auth_init(struct err *e)
{
	if (sodium_init() < 0)
		return err_set(e, PRC_INTERNAL, "cannot initialize libsodium");
	randombytes_buf(bind_key, sizeof(bind_key));
	return PRC_OK;
}

enum prc auth_hash(const char *password, char *out, size_t outlen, struct err *e)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return err_set(e, PRC_INTERNAL, "password hash buffer too small");
	if (crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return err_set(e, PRC_NOMEM, "cannot hash the password (out of memory)");
	return PRC_OK;
}

int auth_verify(const char *hash, const char *password)
{
	if (!hash || !*hash || !password)
		return 0;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_token(char out[65])
{
	unsigned char b[32];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, 65, b, sizeof(b));
}

void auth_sha256_hex(const char *s, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void auth_bind(const char *s, char out[65])
{
	unsigned char h[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(h, (const unsigned char *)s, strlen(s), bind_key);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int auth_equal(const char *a, const char *b)
{
	size_t n;

	if (!a || !b)
		return 0;
	n = strlen(a);
	if (n != strlen(b) || n == 0)
		return 0;
	return sodium_memcmp(a, b, n) == 0;
}
