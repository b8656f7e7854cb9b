/* t-console.c - unit tests for the console's escaping and its cryptography. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/auth.h"
#include "console/web.h"
#include "tests/tap.h"

/* What f wrote, through an in-memory stream. */
static char *esc(void (*fn)(FILE *, const char *), const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fn(f, s);
	fclose(f);
	return out;
}

static void test_html(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "\"><img src=x onerror=alert(2)>", "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" },
		{ "</textarea>", "&lt;/textarea&gt;" },
		{ "a'b`c&d", "a&#39;b&#96;c&amp;d" },
		{ "野菜・手押し", "野菜・手押し" },
		{ "nul\x01" "bel\x07", "nul\xEF\xBF\xBD" "bel\xEF\xBF\xBD" },
		{ "", "" },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = esc(html_esc, cases[i].in);
		is_str(got, cases[i].want, "html_esc case %zu", i);
		free(got);
	}
	got = esc(html_esc, NULL);
	is_str(got, "", "html_esc(NULL) writes nothing");
	free(got);
	got = esc(url_esc, "a b&c=d/é");
	is_str(got, "a%20b%26c%3Dd%2F%C3%A9", "url_esc escapes everything but unreserved characters");
	free(got);
}

static void test_auth(void)
{
	struct err e = { "" };
	char hash[256], t1[65], t2[65], h1[65], h2[65];

	is_int(auth_init(&e), PRC_OK, "libsodium initializes");
	is_int(auth_hash("correct horse", hash, sizeof(hash), &e), PRC_OK, "a password hashes");
	ok(!strncmp(hash, "$argon2id$", 10), "with Argon2id");
	ok(auth_verify(hash, "correct horse"), "the password verifies");
	ok(!auth_verify(hash, "correct horsE"), "another does not");
	ok(!auth_verify("", "x") && !auth_verify("garbage", "x"), "nor against no hash or a broken one");
	auth_token(t1);
	auth_token(t2);
	ok(strlen(t1) == 64 && strspn(t1, "0123456789abcdef") == 64, "a token is 64 hex digits");
	ok(strcmp(t1, t2), "two tokens differ");
	auth_sha256_hex("abc", h1);
	is_str(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 of 'abc'");
	auth_bind(t1, h1);
	auth_bind(t1, h2);
	is_str(h1, h2, "a bound token is the same for the same cookie");
	auth_bind(t2, h2);
	ok(strcmp(h1, h2), "and differs for another");
	ok(auth_equal(t1, t1) && !auth_equal(t1, t2), "auth_equal compares");
	ok(!auth_equal(NULL, t1) && !auth_equal("", "") && !auth_equal("ab", "abc"),
	   "and refuses NULL, empty and different lengths");
}

int main(void)
{
	test_html();
	test_auth();
	return done_testing();
}
