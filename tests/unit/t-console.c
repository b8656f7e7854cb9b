/* t-console.c - unit tests for the console's escaping, its cryptography, its date check and the snapshot's failures. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/auth.h"
#include "console/snapshot.h"
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

static void test_dates(void)
{
	ok(web_date_ok(NULL), "no date is fine");
	ok(web_date_ok("2026-12-07"), "YYYY-MM-DD");
	ok(web_date_ok("2026-12-07T03:17:12+09:00") && web_date_ok("2026-12-07 03:17:12.5Z"), "with a time");
	ok(!web_date_ok("") && !web_date_ok("not-a-date") && !web_date_ok("2026/12/07") &&
	   !web_date_ok("2026-12-7"), "refuses what is not one");
	ok(!web_date_ok("2026-12-07'; DROP TABLE x") && !web_date_ok("2026-12-07T1 OR 1"),
	   "and anything after the date but a time");
}

/* Entries of dir whose name starts with prefix. */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	if (d)
		closedir(d);
	return n;
}

static void test_snapshot_failures(void)
{
	struct snapshot_opts o;
	struct err e = { "" };
	char tmp[] = "/tmp/t-console.XXXXXX", *png = (char *)"x";
	size_t len = 1;

	if (!mkdtemp(tmp)) {
		ok(0, "a temporary directory");
		return;
	}
	snapshot_opts_init(&o);
	o.tmp_dir = tmp;
	o.chromium = "/nonexistent/chromium";
	ok(!snapshot_available(o.chromium), "a browser that is not there is not available");
	is_int(snapshot_render(&o, "<p>x</p>", 8, 0, &png, &len, &e), PRC_NOTFOUND, "rendering without it: PRC_NOTFOUND");
	ok(png == NULL && len == 0, "and no PNG");
	ok(strstr(e.msg, "no browser at '/nonexistent/chromium'") != NULL, "saying where it looked");
	o.chromium = "/bin/false";
	o.netns = 0;
	is_int(snapshot_render(&o, "<p>x</p>", 8, 0, &png, &len, &e), PRC_IO, "a browser that writes nothing: PRC_IO");
	ok(strstr(e.msg, "the browser wrote no PNG") != NULL, "saying so: %s", e.msg);
	is_int(count_entries(tmp, "patrol-snap."), 0, "its work directory is removed");
	o.chromium = "/bin/sleep"; /* "sleep --headless ..." fails at once: still no PNG */
	is_int(snapshot_render(&o, "x", 1, 1, &png, &len, &e), PRC_IO, "nor from plain text");
	is_int(count_entries(tmp, "patrol-snap."), 0, "and nothing is left behind");
	rmdir(tmp);
}

int main(void)
{
	test_html();
	test_auth();
	test_dates();
	test_snapshot_failures();
	return done_testing();
}
