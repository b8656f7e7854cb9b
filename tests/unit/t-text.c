/*
 * t-text.c - unit tests for util/text.h: which names a person acting may
 * go by (--as), and text shown inert (every control character, ANSI
 * sequence, C1 control, bidirectional override and invalid byte written as
 * a visible escape or U+FFFD, everything else as it is).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "util/text.h"

/* text_inert into a string, through a memory stream */
static char *inert(const char *s, size_t n, unsigned flags)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	text_inert(f, s, n, flags);
	fclose(f);
	return out;
}

static void check_inert(const char *s, unsigned flags, const char *want, const char *what)
{
	char *got = inert(s, strlen(s), flags);

	is_str(got, want, "%s", what);
	free(got);
}

int main(void)
{
	char long_name[200], buf[32];
	char *got;

	ok(text_name_check("yamada") == NULL, "a plain name");
	ok(text_name_check("山田太郎") == NULL, "kanji");
	ok(text_name_check("やまだ_タロウ.2") == NULL, "hiragana, katakana, digits, _ and .");
	ok(text_name_check("taro@patrol-jp.example") == NULL, "@ - and .");
	ok(text_name_check("ﾔﾏﾀﾞ") == NULL, "half-width katakana");
	ok(text_name_check("Ｙａｍａｄａ１") == NULL, "full-width letters and digits");
	memset(long_name, 'n', 64);
	long_name[64] = '\0';
	ok(text_name_check(long_name) == NULL, "64 characters");
	long_name[64] = 'n';
	long_name[65] = '\0';
	ok(text_name_check(long_name) != NULL, "65 are too many: %s", text_name_check(long_name));
	strcpy(long_name, "");
	for (int i = 0; i < 64; i++)
		strcat(long_name, "山");
	ok(text_name_check(long_name) == NULL, "64 kanji (192 bytes) are 64 characters");
	ok(text_name_check("") != NULL, "empty is refused");
	ok(strstr(text_name_check("\x1b[31mroot") ? text_name_check("\x1b[31mroot") : "", "control") != NULL,
	   "ESC is refused as a control character");
	ok(text_name_check("a\xc2\x9b" "31m") != NULL, "C1 CSI is refused");
	ok(text_name_check("a\tb") != NULL, "a tab");
	ok(text_name_check("a b") != NULL, "a space");
	ok(text_name_check("a\nb") != NULL, "a line feed");
	ok(text_name_check("a;b") != NULL && text_name_check("a'b") != NULL && text_name_check("a/b") != NULL,
	   "; ' and / are refused");
	ok(text_name_check("a\xe2\x80\xae" "b") != NULL, "a right-to-left override is refused");
	ok(text_name_check("\xff\xfe") != NULL, "invalid UTF-8 is refused: %s", text_name_check("\xff\xfe"));
	ok(text_name_check("\xc0\xae") != NULL, "an overlong encoding is refused");

	check_inert("plain 日本語 text", 0, "plain 日本語 text", "plain text is left as it is");
	check_inert("\x1b[2J\x1b]0;t\x07x", 0, "\\x1b[2J\\x1b]0;t\\x07x", "ESC and BEL are written out");
	check_inert("a\xc2\x9b" "31mb", 0, "a\\u009b31mb", "a C1 CSI is written out");
	check_inert("a\xe2\x80\xae" "cba", 0, "a\\u202ecba", "a right-to-left override is written out");
	check_inert("a\xe2\x81\xa6" "b", 0, "a\\u2066b", "a bidi isolate is written out");
	check_inert("a\x7f" "b", 0, "a\\x7fb", "DEL is written out");
	check_inert("a\xff" "b", 0, "a\\xffb", "an invalid byte is written out");
	check_inert("a\rb\nc\td", 0, "a\\x0db\\x0ac\\x09d", "CR LF TAB are written out on one line");
	check_inert("a\r\nb\nc\td\re", TEXT_KEEP_LINES, "a\nb\nc\td\\x0de",
		    "TEXT_KEEP_LINES keeps LF and TAB, CRLF as LF, a lone CR written out");
	check_inert("a\x1b[1Ab\nc\xff", TEXT_ONE_WIDE, "a\xef\xbf\xbd[1Ab c\xef\xbf\xbd",
		    "TEXT_ONE_WIDE: one U+FFFD each, a line break one space");
	got = inert("a\0b", 3, 0);
	is_str(got, "a\\x00b", "a NUL inside the length is written out");
	free(got);

	text_inert_str(buf, sizeof(buf), "\x1b[31mred");
	is_str(buf, "\\x1b[31mred", "text_inert_str");
	text_inert_str(buf, 8, "\x1b\x1b\x1b\x1b");
	ok(strlen(buf) < 8 && !strchr(buf, 0x1b), "text_inert_str cuts and stays inert (%s)", buf);
	return done_testing();
}
