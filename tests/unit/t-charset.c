/* t-charset.c - unit tests for crawler/charset: choosing a charset, decoding, repairing UTF-8. */
#include "crawler/charset.h"

#include <pthread.h>

#include "tests/tap.h"
#include "util/utf8.h"

/* 大麻 */
#define DAIMA_UTF8 "\xe5\xa4\xa7\xe9\xba\xbb"
#define DAIMA_SJIS "\x91\xe5\x96\x83"
#define DAIMA_EUC "\xc2\xe7\xcb\xe3"
#define FFFD "\xef\xbf\xbd"

/* こんにちは、世界。大麻の販売は違法です。日本語のテキストを自動判定できるように少し長めの文章を書いておきます。 */
#define LONG_UTF8                                                                                  \
	"\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf\xe3\x80\x81\xe4\xb8\x96"     \
	"\xe7\x95\x8c\xe3\x80\x82\xe5\xa4\xa7\xe9\xba\xbb\xe3\x81\xae\xe8\xb2\xa9\xe5\xa3\xb2"     \
	"\xe3\x81\xaf\xe9\x81\x95\xe6\xb3\x95\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82\xe6\x97\xa5"     \
	"\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88"     \
	"\xe3\x82\x92\xe8\x87\xaa\xe5\x8b\x95\xe5\x88\xa4\xe5\xae\x9a\xe3\x81\xa7\xe3\x81\x8d"     \
	"\xe3\x82\x8b\xe3\x82\x88\xe3\x81\x86\xe3\x81\xab\xe5\xb0\x91\xe3\x81\x97\xe9\x95\xb7"     \
	"\xe3\x82\x81\xe3\x81\xae\xe6\x96\x87\xe7\xab\xa0\xe3\x82\x92\xe6\x9b\xb8\xe3\x81\x84"     \
	"\xe3\x81\xa6\xe3\x81\x8a\xe3\x81\x8d\xe3\x81\xbe\xe3\x81\x99\xe3\x80\x82"
#define LONG_SJIS                                                                                  \
	"\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\x81\x41\x90\xa2\x8a\x45\x81\x42\x91\xe5\x96\x83" \
	"\x82\xcc\x94\xcc\x94\x84\x82\xcd\x88\xe1\x96\x40\x82\xc5\x82\xb7\x81\x42\x93\xfa\x96\x7b" \
	"\x8c\xea\x82\xcc\x83\x65\x83\x4c\x83\x58\x83\x67\x82\xf0\x8e\xa9\x93\xae\x94\xbb\x92\xe8" \
	"\x82\xc5\x82\xab\x82\xe9\x82\xe6\x82\xa4\x82\xc9\x8f\xad\x82\xb5\x92\xb7\x82\xdf\x82\xcc" \
	"\x95\xb6\x8f\xcd\x82\xf0\x8f\x91\x82\xa2\x82\xc4\x82\xa8\x82\xab\x82\xdc\x82\xb7\x81\x42"
#define LONG_EUC                                                                                   \
	"\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf\xa1\xa2\xc0\xa4\xb3\xa6\xa1\xa3\xc2\xe7\xcb\xe3" \
	"\xa4\xce\xc8\xce\xc7\xe4\xa4\xcf\xb0\xe3\xcb\xa1\xa4\xc7\xa4\xb9\xa1\xa3\xc6\xfc\xcb\xdc" \
	"\xb8\xec\xa4\xce\xa5\xc6\xa5\xad\xa5\xb9\xa5\xc8\xa4\xf2\xbc\xab\xc6\xb0\xc8\xbd\xc4\xea" \
	"\xa4\xc7\xa4\xad\xa4\xeb\xa4\xe8\xa4\xa6\xa4\xcb\xbe\xaf\xa4\xb7\xc4\xb9\xa4\xe1\xa4\xce" \
	"\xca\xb8\xbe\xcf\xa4\xf2\xbd\xf1\xa4\xa4\xa4\xc6\xa4\xaa\xa4\xad\xa4\xde\xa4\xb9\xa1\xa3"

/* an evasive post: emoji (four-byte UTF-8) between the letters, then plain Japanese */
#define EMOJI_UTF8 \
	"\xe8\xa3\x8f\xe2\x9d\x84\xef\xb8\x8f\xe3\x83\x90\xf0\x9f\xa5\xac\xe3\x82\xa4\xf0\x9f" \
	"\x92\xb4\xe3\x83\x88\x20\xe7\xb4\xb9\xe4\xbb\x8b\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x99" \
	"\xe3\x80\x82\xe9\x87\x8e\xf0\x9f\x92\xa3\xe8\x8f\x9c\xf0\x9f\x86\x97\xe3\x81\x82\xe3" \
	"\x82\x8a\xe3\x81\xbe\xe3\x81\x99\xe3\x80\x81\xe9\x80\xa3\xe7\xb5\xa1\xe3\x81\xaf\xf0" \
	"\x9f\xa5\xac\x44\x4d\xe3\x81\xa7\xe3\x80\x82" LONG_UTF8

/* ①㈱Ⅰ纊髙﨑～ : NEC special, NEC-selected IBM and IBM extension rows, MS wave dash */
#define CP932_ONLY_UTF8                                                                            \
	"\xe2\x91\xa0\xe3\x88\xb1\xe2\x85\xa0\xe7\xba\x8a\xe9\xab\x99\xef\xa8\x91\xef\xbd\x9e"
#define CP932_ONLY_SJIS "\x87\x40\x87\x8a\x87\x54\xfa\x5c\xfb\xfc\xfa\xb1\x81\x60"
#define CP932_ONLY_EUCMS "\xad\xa1\xad\xea\xad\xb5\x8f\xd4\xe3\x8f\xf4\xfb\x8f\xf4\xbd\xa1\xc1"

static struct arena *A;

struct dec {
	enum prc rc;
	char *out;
	size_t len;
	const char *cs;
	int trunc;
};

static struct dec decode(const char *ct, const char *body, size_t len, size_t max)
{
	struct dec d = { PRC_OK, NULL, 0, NULL, 0 };
	struct err e = { "" };

	d.rc = charset_decode(A, ct, body, len, max, &d.out, &d.len, &d.cs, &d.trunc, &e);
	return d;
}

#define DECODE(ct, lit, max) decode(ct, lit, sizeof(lit) - 1, max)

static void check(struct dec d, const char *want_cs, const char *want, const char *name)
{
	int good = d.rc == PRC_OK && d.cs && !strcmp(d.cs, want_cs) && d.out &&
		   d.len == strlen(want) && !memcmp(d.out, want, d.len) && d.out[d.len] == '\0' &&
		   !d.trunc;

	if (!ok(good, "%s", name))
		diag("rc %s, charset '%s', truncated %d, out '%s' (%zu bytes)", prc_str(d.rc),
		     d.cs ? d.cs : "(null)", d.trunc, d.out ? d.out : "(null)", d.len);
}

static void test_content_type(void)
{
	is_str(charset_from_content_type(A, "text/html; charset=Shift_JIS"), "cp932", "Shift_JIS");
	is_str(charset_from_content_type(A, "text/html;charset=\"x-sjis\""), "cp932", "quoted x-sjis");
	is_str(charset_from_content_type(A, "text/html; CHARSET = 'Windows-31J'"), "cp932",
	       "spaces, case and single quotes");
	is_str(charset_from_content_type(A, "text/html; charset=MS_Kanji"), "cp932", "MS_Kanji");
	is_str(charset_from_content_type(A, "text/html; charset=sjis"), "cp932", "sjis");
	is_str(charset_from_content_type(A, "text/html; charset=CP932"), "cp932", "cp932");
	is_str(charset_from_content_type(A, "text/html; charset=EUC-JP"), "euc-jp-ms", "EUC-JP");
	is_str(charset_from_content_type(A, "text/html; charset=x-euc-jp"), "euc-jp-ms", "x-euc-jp");
	is_str(charset_from_content_type(A, "text/html; charset=eucjp"), "euc-jp-ms", "eucjp");
	is_str(charset_from_content_type(A, "text/html; charset=ISO-2022-JP"), "iso-2022-jp",
	       "ISO-2022-JP");
	is_str(charset_from_content_type(A, "text/html; charset=utf8"), "utf-8", "utf8");
	is_str(charset_from_content_type(A, "text/html; charset=UTF-8; foo=bar"), "utf-8",
	       "parameters after charset");
	is_str(charset_from_content_type(A, "text/html; format=x; charset=utf-8"), "utf-8",
	       "parameters before charset");
	is_str(charset_from_content_type(A, "text/html; charset=ISO-8859-1"), "windows-1252",
	       "latin-1 means windows-1252");
	is_str(charset_from_content_type(A, "text/html; charset=KOI8-R"), "koi8-r",
	       "other charsets iconv knows pass through lowercased");
	is_str(charset_from_content_type(A, "text/html; charset=bogus-xyz"), NULL, "unknown charset");
	is_str(charset_from_content_type(A, "text/html; charset=utf-8//TRANSLIT"), NULL,
	       "iconv suffixes are refused");
	is_str(charset_from_content_type(A, "text/html; charset="), NULL, "empty charset");
	is_str(charset_from_content_type(A, "text/html"), NULL, "no charset");
	is_str(charset_from_content_type(A, "text/html; xcharset=utf-8"), NULL, "not the charset param");
	is_str(charset_from_content_type(A, NULL), NULL, "no header");
}

static void test_choice(void)
{
	char big[6000];
	struct dec d;

	check(DECODE(NULL, "plain ascii", 0), "utf-8", "plain ascii", "ASCII reads as utf-8");
	check(DECODE(NULL, LONG_UTF8, 0), "utf-8", LONG_UTF8, "unlabelled UTF-8");
	check(DECODE("text/html; charset=UTF-8", DAIMA_UTF8, 0), "utf-8", DAIMA_UTF8,
	      "UTF-8 by header");
	check(DECODE("text/html; charset=Shift_JIS", DAIMA_SJIS, 0), "cp932", DAIMA_UTF8,
	      "Shift_JIS by header");
	check(DECODE("text/html; charset=EUC-JP", DAIMA_EUC, 0), "euc-jp-ms", DAIMA_UTF8,
	      "EUC-JP by header");
	check(DECODE("text/html; charset=iso-2022-jp", "\x1b$BBgKc$G$9\x1b(B", 0), "iso-2022-jp",
	      DAIMA_UTF8 "\xe3\x81\xa7\xe3\x81\x99", "ISO-2022-JP by header");
	check(DECODE("text/html; charset=KOI8-R", "\xf0\xd2\xc9\xd7\xc5\xd4", 0), "koi8-r",
	      "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "KOI8-R by header");
	check(DECODE("text/html; charset=iso-8859-1", "caf\xe9 \x80", 0), "windows-1252",
	      "caf\xc3\xa9 \xe2\x82\xac", "latin-1 label decoded as windows-1252");

	check(DECODE(NULL, "<html><head><meta charset=\"shift_jis\"><title>" DAIMA_SJIS "</title>", 0),
	      "cp932", "<html><head><meta charset=\"shift_jis\"><title>" DAIMA_UTF8 "</title>",
	      "<meta charset>");
	check(DECODE(NULL,
		     "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\">" DAIMA_EUC,
		     0),
	      "euc-jp-ms", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=EUC-JP\">" DAIMA_UTF8,
	      "<meta http-equiv content>");
	check(DECODE(NULL, "<META HTTP-EQUIV=content-type CONTENT='text/html;charset=x-sjis'>" DAIMA_SJIS, 0),
	      "cp932", "<META HTTP-EQUIV=content-type CONTENT='text/html;charset=x-sjis'>" DAIMA_UTF8,
	      "meta: upper case, unquoted and single-quoted");
	check(DECODE(NULL, "<meta content=\"text/html; charset = Shift_JIS\" http-equiv=\"Content-Type\" />"
			   DAIMA_SJIS, 0),
	      "cp932", "<meta content=\"text/html; charset = Shift_JIS\" http-equiv=\"Content-Type\" />"
		       DAIMA_UTF8,
	      "meta: content before http-equiv, spaces around '='");
	check(DECODE(NULL, "<!-- <meta charset=\"euc-jp\"> --><meta charset=shift_jis>" DAIMA_SJIS, 0),
	      "cp932", "<!-- <meta charset=\"euc-jp\"> --><meta charset=shift_jis>" DAIMA_UTF8,
	      "meta in a comment is ignored");
	check(DECODE(NULL, "<meta charset=\"bogus\"><meta charset=\"sjis\">" DAIMA_SJIS, 0), "cp932",
	      "<meta charset=\"bogus\"><meta charset=\"sjis\">" DAIMA_UTF8,
	      "an unusable meta is passed over");
	check(DECODE(NULL, "<meta name=\"description\" content=\"charset=euc-jp\" http-equiv=\"refresh\">"
			   "<meta charset=\"sjis\">" DAIMA_SJIS, 0),
	      "cp932", "<meta name=\"description\" content=\"charset=euc-jp\" http-equiv=\"refresh\">"
		       "<meta charset=\"sjis\">" DAIMA_UTF8,
	      "content charset only counts with http-equiv content-type");
	check(DECODE("text/html; charset=EUC-JP", "<meta charset=\"shift_jis\">" DAIMA_EUC, 0),
	      "euc-jp-ms", "<meta charset=\"shift_jis\">" DAIMA_UTF8, "header beats meta");
	check(DECODE("text/html; charset=nonsense", "<meta charset=\"shift_jis\">" DAIMA_SJIS, 0),
	      "cp932", "<meta charset=\"shift_jis\">" DAIMA_UTF8, "an unusable header falls to meta");
	check(DECODE(NULL, "<meta charset=\"utf-16\">abc", 0), "utf-8", "<meta charset=\"utf-16\">abc",
	      "meta saying utf-16 means utf-8");

	/* a meta starting after the first 4 KiB is not looked at */
	memset(big, ' ', sizeof(big));
	memcpy(big + 5000, "<meta charset=\"euc-jp\">", 23);
	d = decode(NULL, big, sizeof(big), 0);
	is_str(d.cs, "utf-8", "meta after 4 KiB ignored");
	memcpy(big + 4000, "<meta charset=\"euc-jp\">", 23);
	d = decode(NULL, big, sizeof(big), 0);
	is_str(d.cs, "euc-jp-ms", "meta inside 4 KiB found");

	check(DECODE(NULL, LONG_SJIS, 0), "cp932", LONG_UTF8, "unlabelled Shift_JIS (uchardet)");
	check(DECODE(NULL, LONG_EUC, 0), "euc-jp-ms", LONG_UTF8, "unlabelled EUC-JP (uchardet)");
	check(DECODE(NULL, "\x1b$BBgKc$G$9\x1b(B", 0), "iso-2022-jp",
	      DAIMA_UTF8 "\xe3\x81\xa7\xe3\x81\x99", "unlabelled ISO-2022-JP (uchardet)");
	/*
	 * UTF-8 with characters past the BMP (emoji between the letters, as
	 * evasive posts write them): uchardet's UTF-8 reading gives up on them
	 * and it names windows-1252, which turned every character into mojibake.
	 */
	check(DECODE(NULL, EMOJI_UTF8, 0), "utf-8", EMOJI_UTF8, "unlabelled UTF-8 with emoji");
	check(DECODE(NULL, "caf\xc3\xa9", 0), "utf-8", "caf\xc3\xa9",
	      "one UTF-8 character past ASCII reads as UTF-8");
	check(DECODE(NULL, "caf\xc3\xa9\0x", 0), "utf-8", "caf\xc3\xa9 x",
	      "valid UTF-8 with a NUL reads as UTF-8, the NUL a space");
	check(DECODE(NULL, "caf\xe9 cr\xe8" "me br\xfb" "l\xe9" "e", 0), "windows-1252",
	      "caf\xc3\xa9 cr\xc3\xa8" "me br\xc3\xbb" "l\xc3\xa9" "e", "not UTF-8: uchardet still decides");
	check(DECODE(NULL, "", 0), "utf-8", "", "empty body");
	check(DECODE("text/html; charset=Shift_JIS", "", 0), "cp932", "", "empty body with header");
}

static void test_japanese(void)
{
	check(DECODE("text/html; charset=Shift_JIS", CP932_ONLY_SJIS, 0), "cp932", CP932_ONLY_UTF8,
	      "CP932 extensions (NEC special, IBM ext) under a Shift_JIS label");
	check(DECODE("text/html; charset=Shift_JIS", "\xed\x40", 0), "cp932", "\xe7\xba\x8a",
	      "NEC-selected IBM extension row");
	check(DECODE("text/html; charset=EUC-JP", CP932_ONLY_EUCMS, 0), "euc-jp-ms", CP932_ONLY_UTF8,
	      "the same characters in EUC-JP-MS");
	check(DECODE("text/html; charset=Shift_JIS", "a\\b~c\xb1\xb2", 0), "cp932",
	      "a\\b~c\xef\xbd\xb1\xef\xbd\xb2", "ASCII stays ASCII, half-width katakana");
}

static void test_bad_bytes(void)
{
	check(DECODE("text/html; charset=Shift_JIS", "\x91\xe5\xff\x96\x83", 0), "cp932",
	      "\xe5\xa4\xa7" FFFD "\xe9\xba\xbb", "invalid Shift_JIS byte: U+FFFD and go on");
	check(DECODE("text/html; charset=Shift_JIS", "\x91 x\x80y", 0), "cp932", FFFD " x" FFFD "y",
	      "a lead byte without its trail byte keeps the next character");
	check(DECODE("text/html; charset=Shift_JIS", "ab\x91", 0), "cp932", "ab" FFFD,
	      "a cut-off character at the end");
	check(DECODE("text/html; charset=EUC-JP", "\xc2\xe7\xa1\xff\xcb\xe3", 0), "euc-jp-ms",
	      "\xe5\xa4\xa7" FFFD FFFD "\xe9\xba\xbb", "invalid EUC-JP");
	check(DECODE("text/html; charset=utf-8", "a\xff" "b", 0), "utf-8", "a" FFFD "b",
	      "invalid byte in UTF-8");
	check(DECODE("text/html; charset=utf-8", "\xc0\xaf", 0), "utf-8", FFFD FFFD, "overlong '/'");
	check(DECODE("text/html; charset=utf-8", "\xed\xa0\x80", 0), "utf-8", FFFD FFFD FFFD,
	      "surrogate");
	check(DECODE("text/html; charset=utf-8", "\xf4\x90\x80\x80", 0), "utf-8",
	      FFFD FFFD FFFD FFFD, "past U+10FFFF");
	check(DECODE("text/html; charset=utf-8", "\xe5\xa4x\xe5\xa4", 0), "utf-8", FFFD "x" FFFD,
	      "truncated sequences are one U+FFFD each");
	check(DECODE("text/html; charset=utf-8", "\xf0\x9f\x98\x80", 0), "utf-8", "\xf0\x9f\x98\x80",
	      "4-byte characters kept");
	check(DECODE("text/html; charset=utf-8", "a\0b", 0), "utf-8", "a b", "NUL in UTF-8 is a space");
	check(DECODE("text/html; charset=Shift_JIS", "a\0" DAIMA_SJIS, 0), "cp932", "a " DAIMA_UTF8,
	      "NUL in Shift_JIS is a space");
	check(DECODE("text/html; charset=utf-16le", "a\0\0\0b\0", 0), "utf-16le", "a b",
	      "NUL in UTF-16 is a space");
	check(DECODE(NULL, "\xe5\xa4\xa7\xe9\xba\xbb\xff\xfe\x80" LONG_UTF8, 0), "utf-8",
	      DAIMA_UTF8 FFFD FFFD FFFD LONG_UTF8, "mostly UTF-8 with junk (uchardet)");
}

static void test_bom(void)
{
	check(DECODE(NULL, "\xef\xbb\xbf" DAIMA_UTF8, 0), "utf-8", DAIMA_UTF8, "UTF-8 BOM, stripped");
	check(DECODE("text/html; charset=utf-8", "\xef\xbb\xbf" "a", 0), "utf-8", "a",
	      "UTF-8 BOM stripped under a UTF-8 header");
	check(DECODE(NULL, "\xff\xfe" "A\0\x27\x59\xbb\x9e" "a\0", 0), "utf-16le",
	      "A" DAIMA_UTF8 "a", "UTF-16LE BOM");
	check(DECODE(NULL, "\xfe\xff\0A\x59\x27\x9e\xbb", 0), "utf-16be", "A" DAIMA_UTF8,
	      "UTF-16BE BOM");
	check(DECODE(NULL, "\xff\xfe" "A\0B", 0), "utf-16le", "A" FFFD, "odd byte at the end of UTF-16");
	check(DECODE(NULL, "\xff\xfe\x00\xd8" "A\0", 0), "utf-16le", FFFD "A", "lone surrogate in UTF-16");
	check(DECODE("text/html; charset=Shift_JIS", "\xef\xbb\xbf" "a", 0), "cp932",
	      FFFD "\xef\xbd\xbb\xef\xbd\xbf" "a",
	      "the header beats a BOM (bytes read as Shift_JIS: EF BB is no character)");
}

static void test_truncation(void)
{
	struct dec d;

	d = DECODE(NULL, DAIMA_UTF8 DAIMA_UTF8, 7);
	ok(d.rc == PRC_OK && d.trunc && d.len == 6 && !strcmp(d.out, DAIMA_UTF8),
	   "UTF-8 cut on a character boundary");
	d = DECODE(NULL, DAIMA_UTF8 DAIMA_UTF8, 12);
	ok(d.rc == PRC_OK && !d.trunc && d.len == 12, "exactly max_out is not truncated");
	d = DECODE("text/html; charset=Shift_JIS", DAIMA_SJIS, 4);
	ok(d.rc == PRC_OK && d.trunc && d.len == 3 && !strcmp(d.out, "\xe5\xa4\xa7"),
	   "Shift_JIS cut on a character boundary");
	d = DECODE("text/html; charset=Shift_JIS", DAIMA_SJIS, 6);
	ok(d.rc == PRC_OK && !d.trunc && d.len == 6, "Shift_JIS exactly max_out");
	d = DECODE("text/html; charset=Shift_JIS", "ab\xff", 4);
	ok(d.rc == PRC_OK && d.trunc && d.len == 2 && !strcmp(d.out, "ab"),
	   "no room for U+FFFD is truncation");
	d = DECODE("text/html; charset=utf-8", "ab\xff", 4);
	ok(d.rc == PRC_OK && d.trunc && d.len == 2, "same for UTF-8");
	d = DECODE("text/html; charset=Shift_JIS", LONG_SJIS LONG_SJIS LONG_SJIS, 100);
	ok(d.rc == PRC_OK && d.trunc && d.len <= 100 && d.len > 96 && utf8_valid(d.out, d.len),
	   "longer Shift_JIS stops within max_out, valid");
	d = DECODE("text/html; charset=iso-2022-jp", "\x1b$BBgKc$G$9\x1b(B", 6);
	ok(d.rc == PRC_OK && d.trunc && !strcmp(d.out, DAIMA_UTF8), "ISO-2022-JP truncation");
}

/* What a charset can name and Unicode cannot is repaired like any bad byte (found by fuzz-charset). */
static void test_beyond_unicode(void)
{
	struct dec d;

	d = DECODE("text/html; charset=UCS-4", "\x7f\xff\xff\xff\x00\x00\x00A", 0);
	ok(d.rc == PRC_OK && utf8_valid(d.out, d.len) && strlen(d.out) == d.len &&
	   !strncmp(d.out, "\xef\xbf\xbd", 3),
	   "UCS-4 past U+10FFFF becomes U+FFFD, valid UTF-8: '%s' (%zu bytes)", d.out ? d.out : "",
	   d.len);
	d = DECODE("", "<meta charset=\nUCS-4\"\recf\n\" =Mt\xe3", 34);
	ok(d.rc == PRC_OK && utf8_valid(d.out, d.len) && strlen(d.out) == d.len && d.len <= 34,
	   "a page that declares UCS-4 in a broken meta decodes to valid UTF-8 within max_out");
	d = DECODE("text/html; charset=UTF-16LE", "A\0\0\0B\0", 0);
	ok(d.rc == PRC_OK && strlen(d.out) == d.len, "a NUL character does not cut the text");
}

static void test_sanitize(void)
{
	size_t n = 99;
	char *s;

	s = utf8_sanitize(A, "ok \xe5\xa4\xa7", 6, &n);
	ok(!strcmp(s, "ok \xe5\xa4\xa7") && n == 6, "valid UTF-8 unchanged");
	s = utf8_sanitize(A, "\x80\xbf" "a\0b\xe5", 6, &n);
	ok(!strcmp(s, FFFD FFFD "a b" FFFD) && n == 12, "continuation bytes, NUL, cut tail");
	s = utf8_sanitize(A, "", 0, NULL);
	ok(s && !*s, "empty input, NULL out_len");
	ok(utf8_valid("a\xe5\xa4\xa7\xf0\x9f\x98\x80", 8), "valid");
	ok(!utf8_valid("\xe0\x80\x80", 3), "overlong 3-byte invalid");
	ok(!utf8_valid("\xe5\xa4", 2), "cut sequence invalid");
	ok(!utf8_valid("\xf5\x80\x80\x80", 4), "F5 invalid");
	ok(utf8_valid("a\0b", 3), "NUL is valid UTF-8");
}

/* utf8_clean is utf8_valid without NULs, eight ASCII bytes a step: both sides of each check. */
static void test_clean(void)
{
	static const char *const good[] = { "", "a", "abcdefgh", "abcdefghijklmnopq",
					    "abcdefg\xe5\xa4\xa7", "\xe5\xa4\xa7" "abcdefghij\xe9\xba\xbb",
					    "\xc2\xa0\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf",
					    "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", LONG_UTF8 };
	static const char *const bad[] = { "\xe0\x80\x80", "\xed\xa0\x80", "\xf0\x80\x80\x80",
					   "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xc1\xbf",
					   "\x80", "abcdefgh\xe5\xa4", "abcdefghijklmno\xff",
					   "\xe5\xa4\xa7\xe5\x41\xa7", "\xef\xbf", "\xf0\x90\x80" };
	unsigned seed = 777;
	char body[40];
	size_t i, j;
	int same = 1;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(utf8_clean(good[i], strlen(good[i])), "clean: valid text %zu", i);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!utf8_clean(bad[i], strlen(bad[i])), "not clean: invalid text %zu", i);
	ok(!utf8_clean("abcdefghij\0klmnop", 17), "a NUL among eight ASCII bytes is not clean");
	ok(!utf8_clean("a\0", 2), "a NUL at the end is not clean");
	ok(utf8_clean("abc\0", 3), "only len bytes are read");
	/* random bytes, mostly ASCII with some UTF-8 lead and continuation bytes */
	for (i = 0; i < 200000 && same; i++) {
		size_t len = i % sizeof(body);

		for (j = 0; j < len; j++) {
			static const unsigned char pick[] = { 0x00, 0x41, 0x80, 0xbf, 0xc2, 0xe0,
							      0xe5, 0xed, 0xf0, 0xf4, 0xa0, 0x9f };

			seed = seed * 1103515245u + 12345u;
			body[j] = (seed >> 16) % 3 ? (char)pick[(seed >> 20) % sizeof(pick)] : 'x';
		}
		same = utf8_clean(body, len) == (utf8_valid(body, len) && !memchr(body, 0, len));
	}
	ok(same, "utf8_clean agrees with utf8_valid and memchr on 200000 random strings");
}

/*
 * The thread's kept iconv descriptors: reset between pages (a page cut
 * inside ISO-2022-JP's JIS X 0208 mode must not leave the next page in it),
 * right after an invalid sequence, and when more charsets pass than are kept.
 */
static void test_iconv_kept(void)
{
	static const char *const cts[] = { "text/html; charset=Shift_JIS", "text/html; charset=EUC-JP",
					   "text/html; charset=ISO-2022-JP", "text/html; charset=koi8-r",
					   "text/html; charset=windows-1252", "text/html; charset=gb18030" };
	struct dec d;
	int round, i, good = 1;

	d = DECODE("text/html; charset=iso-2022-jp", "\x1b$BBgKc$G$9\x1b(B", 6);
	ok(d.rc == PRC_OK && d.trunc && !strcmp(d.out, DAIMA_UTF8), "a page cut in JIS X 0208 mode");
	check(DECODE("text/html; charset=iso-2022-jp", "BgKc", 0), "iso-2022-jp", "BgKc",
	      "the next ISO-2022-JP page starts in ASCII");
	d = DECODE("text/html; charset=iso-2022-jp", "\x1b$BBg\x1b(\x7f", 0);
	ok(d.rc == PRC_OK && !d.trunc && !strncmp(d.out, "\xe5\xa4\xa7", 3) && strstr(d.out, FFFD),
	   "an invalid escape in ISO-2022-JP");
	check(DECODE("text/html; charset=iso-2022-jp", "BgKc", 0), "iso-2022-jp", "BgKc",
	      "the next page starts in ASCII too");
	d = DECODE("text/html; charset=iso-2022-jp", "\x1b$BBgKc$G$9\x1b(B", 9);
	check(DECODE("text/html; charset=iso-2022-jp", "x\x1b$BBgKc\x1b(By", 0), "iso-2022-jp",
	      "x" DAIMA_UTF8 "y", "and a whole page after another cut one");
	check(DECODE("text/html; charset=Shift_JIS", "\x91\xe5\x96", 0), "cp932", "\xe5\xa4\xa7" FFFD,
	      "Shift_JIS cut inside a character");
	check(DECODE("text/html; charset=Shift_JIS", DAIMA_SJIS, 0), "cp932", DAIMA_UTF8,
	      "the next Shift_JIS page decodes whole");
	for (round = 0; round < 3; round++)
		for (i = 0; i < 6; i++) {
			d = decode(cts[i], "ab\xe0\xa1", 4, 0);
			if (d.rc != PRC_OK || !d.out || strncmp(d.out, "ab", 2) || !utf8_valid(d.out, d.len)) {
				good = 0;
				diag("round %d, '%s' gave '%s'", round, cts[i], d.out ? d.out : "(null)");
			}
		}
	check(DECODE("text/html; charset=EUC-JP", DAIMA_EUC, 0), "euc-jp-ms", DAIMA_UTF8,
	      "EUC-JP after its descriptor was put out by others");
	ok(good, "six charsets in turn, three times, with four kept");
}

static void *decode_in_thread(void *arg)
{
	struct arena *a = arena_new();
	struct err e = { "" };
	char *out = NULL;
	const char *cs = NULL;
	size_t n = 0;
	int trunc = 0, *good = arg;

	*good = a && charset_decode(a, "text/html; charset=Shift_JIS", DAIMA_SJIS, 4, 0, &out, &n,
				    &cs, &trunc, &e) == PRC_OK &&
		!strcmp(out, DAIMA_UTF8) &&
		charset_decode(a, "text/html; charset=ISO-2022-JP", "\x1b$BBgKc\x1b(B", 10, 0, &out,
			       &n, &cs, &trunc, &e) == PRC_OK &&
		!strcmp(out, DAIMA_UTF8);
	arena_free(a);
	return NULL;
}

/* Each thread has its own descriptors, closed when it ends (ASan checks the leak). */
static void test_iconv_threads(void)
{
	pthread_t t[2];
	int good[2] = { 0, 0 }, i, started = 1;

	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, decode_in_thread, &good[i]) != 0)
			started = 0;
	for (i = 0; i < 2 && started; i++)
		pthread_join(t[i], NULL);
	ok(started && good[0] && good[1], "two threads decode with their own descriptors");
}

/* Random bytes under every label: output must always be valid UTF-8 without NULs. */
static void test_random(void)
{
	static const char *const cts[] = { NULL, "text/html; charset=Shift_JIS",
					   "text/html; charset=EUC-JP", "text/html; charset=ISO-2022-JP",
					   "text/html; charset=UTF-8", "text/html; charset=UTF-16LE",
					   "text/html; charset=windows-1252", "text/html; charset=gb18030" };
	unsigned seed = 12345;
	char body[300];
	int i, good = 1;
	size_t j;

	for (i = 0; i < 4000; i++) {
		size_t len = (size_t)(i % 300);
		struct dec d;

		for (j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			body[j] = (char)(seed >> 16);
		}
		d = decode(cts[i % 8], body, len, (size_t)(i % 5 == 0 ? 50 : 0));
		if (d.rc != PRC_OK || !utf8_valid(d.out, d.len) || strlen(d.out) != d.len ||
		    (i % 5 == 0 && d.len > 50)) {
			good = 0;
			diag("random case %d under '%s' failed", i, cts[i % 8] ? cts[i % 8] : "(none)");
			break;
		}
		if (i % 500 == 499) {
			arena_free(A);
			A = arena_new();
		}
	}
	ok(good, "4000 random bodies decode to valid UTF-8 under every label");
}

int main(void)
{
	A = arena_new();
	test_content_type();
	test_choice();
	test_japanese();
	test_bad_bytes();
	test_bom();
	test_truncation();
	test_beyond_unicode();
	test_sanitize();
	test_clean();
	test_iconv_kept();
	test_iconv_threads();
	test_random();
	arena_free(A);
	return done_testing();
}
