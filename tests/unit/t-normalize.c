/* t-normalize.c - unit tests for classifiers/normalize: the evasions it undoes and its maps. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

#include "classifiers/normalize.h"
#include "tests/tap.h"
#include "util/arena.h"
#include "util/utf8.h"

enum { NORM = 0, SQUEEZED = 1 };

/* The view of text (length given, so NUL bytes can be tested), in arena a. */
static const char *view_n(struct arena *a, const char *text, size_t len, int which,
			  struct nview *out)
{
	struct nview n, s;

	if (normalize_views(a, text, len, &n, &s) != PRC_OK)
		return NULL;
	*out = which == SQUEEZED ? s : n;
	return out->s;
}

static const char *view(struct arena *a, const char *text, int which)
{
	struct nview v;

	return view_n(a, text, strlen(text), which, &v);
}

struct vcase {
	const char *in;
	int which;
	const char *want;
	const char *why;
};

static const struct vcase view_cases[] = {
	/* full-width and half-width forms, case */
	{ "ﾃﾚｸﾞﾗﾑ", NORM, "てれぐらむ", "half-width katakana with dakuten" },
	{ "ＴＥＬＥＧＲＡＭ", NORM, "telegram", "full-width Latin capitals" },
	{ "ＬＩＮＥ", NORM, "line", "full-width LINE" },
	{ "ＰａｐａＫａｔｓｕ", NORM, "papakatsu", "full-width mixed case folded" },
	{ "PapaKatsu", NORM, "papakatsu", "ASCII case folded" },
	{ "ﾊﾟﾊﾟ活", NORM, "ぱぱ活", "half-width handakuten composes" },
	{ "ﾗｰﾒﾝ", NORM, "らーめん", "half-width prolonged sound mark becomes ー" },
	{ "ｳﾞｨｯｸﾞ", NORM, "ゔぃっぐ", "half-width ｳﾞ becomes ゔ" },
	{ "ＳＩＭ買取", NORM, "sim買取", "full-width SIM" },
	/* kana */
	{ "ヤミバイト", NORM, "やみばいと", "katakana folded to hiragana" },
	{ "ヴ", NORM, "ゔ", "ヴ folds to ゔ" },
	{ "ヷ", NORM, "わ\xe3\x82\x99", "ヷ folds to わ + combining dakuten" },
	{ "ヽヾ", NORM, "ゝゞ", "katakana iteration marks fold" },
	{ "か\xe3\x82\x99", NORM, "が", "combining dakuten composes" },
	{ "は\xe3\x82\x9a", NORM, "ぱ", "combining handakuten composes" },
	{ "カ゛", NORM, "が", "spacing dakuten composes" },
	{ "か\xe2\x80\x8b\xe3\x82\x99", NORM, "が", "dakuten composes across a zero-width space" },
	{ "ｶ\xef\xbe\x9e", NORM, "が", "half-width ｶ + ﾞ compose" },
	{ "e\xcc\x81", NORM, "\xc3\xa9", "Latin base + acute composes" },
	/* digits */
	{ "①②", NORM, "12", "circled digits" },
	{ "１２３", NORM, "123", "full-width digits" },
	{ "三万円", NORM, "30000円", "三万円" },
	{ "五千", NORM, "5000", "五千" },
	{ "五千円", NORM, "5000円", "五千円" },
	{ "二十歳", NORM, "20歳", "二十歳" },
	{ "十五", NORM, "15", "十五" },
	{ "1万", NORM, "10000", "ASCII digit with 万" },
	{ "１万円", NORM, "10000円", "full-width digit with 万" },
	{ "20万", NORM, "200000", "20万" },
	{ "三万五千", NORM, "35000", "三万五千" },
	{ "一億二千万", NORM, "120000000", "一億二千万" },
	{ "二千二十四年", NORM, "2024年", "二千二十四年" },
	{ "二〇二四年", NORM, "2024年", "positional kanji digits" },
	{ "百五十", NORM, "150", "百五十" },
	{ "千円", NORM, "1000円", "lone multiplier before a counter" },
	{ "十代", NORM, "10代", "十代" },
	{ "三ヶ月", NORM, "3ゖ月", "counter ヶ" },
	{ "一人", NORM, "1人", "一人 reads as 1人 (documented)" },
	{ "一緒に", NORM, "一緒に", "一緒 stays a word" },
	{ "一部", NORM, "一部", "一部 stays a word" },
	{ "万引き", NORM, "万引き", "万引き stays a word" },
	{ "万一", NORM, "万一", "万一 stays a word" },
	{ "億万長者", NORM, "億万長者", "億万長者 stays a word" },
	{ "十字架", NORM, "十字架", "lone 十 not before a counter stays" },
	{ "十十", NORM, "十十", "ill-formed run stays" },
	{ "2024年", NORM, "2024年", "ASCII-only numbers untouched" },
	{ "3.5万円", NORM, "3.5万円", "decimal with 万 left as written" },
	{ "3.5万円", SQUEEZED, "35万円", "decimal with 万 not read when squeezed" },
	{ "1,000万", NORM, "1,000万", "grouped digits with 万 left as written" },
	/* the formal digits of deeds and receipts */
	{ "弐万円", NORM, "20000円", "弐万円" },
	{ "参万五千円", NORM, "35000円", "参万五千円" },
	{ "壱百万", NORM, "1000000", "壱百万" },
	{ "弐拾八万六千円", NORM, "286000円", "拾 as ten" },
	{ "參萬圓", NORM, "30000圓", "old forms 參 and 萬" },
	{ "参千九百八十円", NORM, "3980円", "参千九百八十円" },
	{ "弐萬伍千", NORM, "25000", "伍 as five" },
	{ "落伍", NORM, "落伍", "落伍 stays a word" },
	{ "\\15,000", NORM, "\xc2\xa5" "15,000", "Shift_JIS's yen sign, decoded as a backslash, reads as ¥" },
	{ "参加", NORM, "参加", "参加 stays a word" },
	{ "参考", NORM, "参考", "参考 stays a word" },
	{ "拾う", NORM, "拾う", "拾う stays a word" },
	/* kanji that look like katakana, written inside a katakana word */
	{ "在留カ一ド", NORM, "在留かーど", "一 between katakana reads as ー" },
	{ "パスポ一ト", NORM, "ぱすぽーと", "パスポ一ト" },
	{ "ｶ一ﾄﾞ", NORM, "かーど", "between half-width katakana" },
	{ "マイナンバ一カ一ド", SQUEEZED, "まいなんばーかーど", "twice, squeezed" },
	{ "たった一つ", NORM, "たった一つ", "between hiragana 一 stays" },
	{ "トップ一覧", NORM, "とっぷ一覧", "before a kanji 一 stays" },
	{ "スーパー一番", NORM, "すーぱー1番", "after ー, before a counter: a number" },
	{ "アウ卜レット", NORM, "あうとれっと", "卜 between katakana reads as ト" },
	{ "ア口マ", NORM, "あろま", "口 between katakana reads as ロ" },
	{ "ワ夕シ", NORM, "わたし", "夕 between katakana reads as タ" },
	{ "口座", NORM, "口座", "口 before a kanji stays" },
	{ "テレビ二台", NORM, "てれび2台", "二 before a counter stays a number" },
	{ "力一卜リッジ", NORM, "かーとりっじ", "a run of lookalikes leading a katakana word" },
	{ "ページ一二三", NORM, "ぺーじ123", "numerals alone beside katakana stay numbers" },
	/* words spaced out letter by letter read closed; words keep their spaces */
	{ "大 麻", NORM, "大麻", "space inside a word" },
	{ "大・麻", NORM, "大麻", "middle dot inside a word" },
	{ "口＊座", NORM, "口座", "full-width asterisk inside a word" },
	{ "闇 バ イ ト 募集", NORM, "闇ばいと 募集", "a word spaced out, then the next word" },
	{ "口座名義 リ シンエン", NORM, "口座名義 り しんえん", "a one-letter name beside a longer one keeps its space" },
	{ "使 っ て な い 口 座", NORM, "使ってない口座", "a sentence spaced out" },
	{ "大\xe3\x80\x80・\xe3\x80\x80麻", NORM, "大麻", "three marks between two letters" },
	{ "在 留 カ 一 ド", NORM, "在留かーど", "spaced, with a lookalike inside" },
	{ "三 万 円", NORM, "30000円", "a spaced-out numeral reads as a number" },
	{ "氏名 住所", NORM, "氏名 住所", "words of two letters keep their space" },
	{ "東京・大阪", NORM, "東京・大阪", "two words keep their middle dot" },
	{ "大 \n 麻", NORM, "大\n麻", "a line break is not closed" },
	{ "ページ 1 2 3", NORM, "ぺーじ 1 2 3", "digits stay apart" },
	{ "l i n e", NORM, "l i n e", "Latin letters stay apart" },
	/* Cyrillic and Greek letters that look like Latin ones */
	{ "J\xd0\xa1", NORM, "jc", "Cyrillic Es after a J" },
	{ "\xd0\xa2\xd0\xb5l\xd0\xb5gr\xd0\xb0m", NORM, "telegram", "Cyrillic Te, ie and a" },
	{ "\xce\x91\xce\x92\xce\x9f", NORM, "abo", "Greek capitals" },
	{ "5\xc2\xb5g", NORM, "5\xce\xbcg", "the micro sign stays mu" },
	/* white space and invisible characters */
	{ "a \t\xe3\x80\x80 b", NORM, "a b", "spaces, tab, ideographic space collapse" },
	{ "a \n \n b", NORM, "a\nb", "line breaks with spaces collapse to one" },
	{ "a\r\nb", NORM, "a\nb", "CRLF is one break" },
	{ "a\xc2\xa0" "b", NORM, "a b", "no-break space is a space" },
	{ "大\xe2\x80\x8b麻", NORM, "大麻", "zero-width space dropped" },
	{ "大\xc2\xad麻", NORM, "大麻", "soft hyphen dropped" },
	{ "\xef\xbb\xbf大麻", NORM, "大麻", "BOM dropped" },
	{ "大\xef\xb8\x8f麻", NORM, "大麻", "variation selector dropped" },
	{ "大\xe2\x81\xa0麻", NORM, "大麻", "word joiner dropped" },
	{ "a\x01\x1b\x7f" "b", NORM, "ab", "C0 controls and DEL dropped" },
	{ "a\xc2\x85" "b", NORM, "a\nb", "NEL is a break" },
	{ "a\xc2\x9b" "b", NORM, "ab", "C1 control dropped" },
	/* separators: squeezed */
	{ "大.麻", SQUEEZED, "大麻", "dot between" },
	{ "大・麻", SQUEEZED, "大麻", "middle dot between" },
	{ "大･麻", SQUEEZED, "大麻", "half-width middle dot between" },
	{ "大※麻", SQUEEZED, "大麻", "reference mark between" },
	{ "大 麻", SQUEEZED, "大麻", "space between" },
	{ "大\n麻", SQUEEZED, "大麻", "line break between" },
	{ "大\xe2\x80\x8b麻", SQUEEZED, "大麻", "zero-width space between" },
	{ "大😀麻", SQUEEZED, "大麻", "emoji between" },
	{ "大👍🏽麻", SQUEEZED, "大麻", "emoji with skin tone between" },
	{ "大★☆麻", SQUEEZED, "大麻", "stars between" },
	{ "闇 バ イ ト", SQUEEZED, "闇ばいと", "spaced 闇バイト" },
	{ "ヤ・ミ・バ・イ・ト", SQUEEZED, "やみばいと", "dotted katakana" },
	{ "T.E.L.E.G.R.A.M", SQUEEZED, "telegram", "dotted Latin" },
	{ "ﾃﾚ・ｸﾞﾗﾑ", SQUEEZED, "てれぐらむ", "half-width with middle dot" },
	{ "ｐａｐａ☆活", SQUEEZED, "papa活", "full-width with star" },
	{ "ラ〜メ〜ン", SQUEEZED, "らめん", "wave dash dropped, ー would stay" },
	{ "ラーメン", SQUEEZED, "らーめん", "ー kept in squeezed" },
	{ "人々", SQUEEZED, "人々", "々 kept in squeezed" },
	{ "二 十 歳", SQUEEZED, "20歳", "numerals read after squeezing" },
	{ "【三万円】", SQUEEZED, "30000円", "brackets dropped, number read" },
	{ "ヷ", SQUEEZED, "わ", "leftover combining mark dropped in squeezed" },
	{ "", NORM, "", "empty input, norm" },
	{ "", SQUEEZED, "", "empty input, squeezed" },
};

static void test_views(void)
{
	struct arena *a = arena_new();
	size_t i;

	for (i = 0; i < sizeof(view_cases) / sizeof(view_cases[0]); i++) {
		const struct vcase *c = &view_cases[i];
		is_str(view(a, c->in, c->which), c->want, "%s: %s", c->which ? "squeezed" : "norm",
		       c->why);
	}
	arena_free(a);
}

static void test_invalid(void)
{
	struct arena *a = arena_new();
	struct nview v;
	size_t f, t;

	is_str(view(a, "a\xff" "b", NORM), "a\xef\xbf\xbd" "b", "bad byte reads as U+FFFD");
	is_str(view(a, "a\xff" "b", SQUEEZED), "ab", "U+FFFD is not kept when squeezing");
	is_str(view(a, "\xe3\x81", NORM), "\xef\xbf\xbd\xef\xbf\xbd",
	       "truncated sequence: one U+FFFD per byte");
	is_str(view(a, "\xed\xa0\x80", NORM), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	       "encoded surrogate: one U+FFFD per byte");
	is_str(view(a, "\xc0\xaf", NORM), "\xef\xbf\xbd\xef\xbf\xbd", "overlong '/' rejected");
	ok(view_n(a, "a\0b", 3, NORM, &v) && v.len == 2 && !strcmp(v.s, "ab"),
	   "NUL byte dropped, view stays a C string");
	view_n(a, "x\xff\xfe大麻", 9, NORM, &v);
	nview_span(&v, v.len - 6, v.len, &f, &t);
	ok(f == 3 && t == 9, "span after bad bytes points at the right bytes");
	{
		/* 一 read as ー keeps the page's bytes: the span of かーど is カ一ド as written */
		static const char in[] = "在留カ一ド";
		const char *ko = strstr(in, "\xe4\xb8\x80");

		view_n(a, in, sizeof(in) - 1, NORM, &v);
		ok(!strcmp(v.s, "在留かーど"), "一 between katakana is ー in the view");
		nview_span(&v, 6, v.len, &f, &t);
		ok(f == 6 && t == sizeof(in) - 1 && !memcmp(in + f, "カ一ド", t - f),
		   "and its span is the text as written");
		ok(ko && !strcmp(in + (ko - in), "一ド"), "the caller's text is not changed");
	}
	is_int(normalize_views(a, "", (size_t)UINT32_MAX + 1, &v, &v), PRC_LIMIT,
	       "text over 4 GiB refused");
	arena_free(a);
}

/* normalize_literal(in, squeeze) is want. */
static void literal_is(const char *in, int squeeze, const char *want, const char *name)
{
	char *x = normalize_literal(in, squeeze);

	is_str(x, want, "%s", name);
	free(x);
}

/* normalize_literal gives a and b one literal. */
static void literals_equal(const char *a, const char *b, int squeeze, const char *name)
{
	char *x = normalize_literal(a, squeeze);
	char *y = normalize_literal(b, squeeze);

	is_str(x, y, "%s", name);
	free(x);
	free(y);
}

static void test_literal(void)
{
	literal_is("ﾃﾚｸﾞﾗﾑ", 0, "てれぐらむ", "literal normalized like page text");
	literals_equal("テレグラム", "ﾃﾚｸﾞﾗﾑ", 0, "ﾃﾚｸﾞﾗﾑ and テレグラム give one literal");
	literals_equal("ヤミバイト", "やみばいと", 1, "ヤミバイト and やみばいと fold equal");
	literal_is("大 麻", 1, "大麻", "squeezed literal loses its space");
	literal_is("大麻 栽培", 0, "大麻 栽培", "norm literal keeps the space between words");
	literal_is("大 麻", 0, "大麻", "norm literal closes a spaced-out word, as the text's view does");
	literals_equal("二十歳", "20歳", 1, "二十歳 and 20歳 give one literal");
	literal_is("", 0, "", "empty literal");
}

struct mcase {
	const char *in;
	int which;
	const char *needle; /* written any way; normalized like a literal */
	const char *orig;   /* what the match must map back to */
};

static const struct mcase map_cases[] = {
	{ "本物の大.麻あります", SQUEEZED, "大麻", "大.麻" },
	{ "本物の大・麻あります", SQUEEZED, "大麻", "大・麻" },
	{ "今すぐ闇 バ イ ト 募集", SQUEEZED, "闇バイト", "闇 バ イ ト" },
	{ "大\xe2\x80\x8b麻", SQUEEZED, "大麻", "大\xe2\x80\x8b麻" },
	{ "連絡はﾃﾚｸﾞﾗﾑで", NORM, "テレグラム", "ﾃﾚｸﾞﾗﾑ" },
	{ "連絡はﾃﾚｸﾞﾗﾑで", SQUEEZED, "ぐら", "ｸﾞﾗ" },
	{ "ＬＩＮＥ交換しよ", NORM, "line", "ＬＩＮＥ" },
	{ "報酬三万円です", NORM, "30000円", "三万円" },
	{ "報酬三万円です", NORM, "円", "円" },
	{ "即日５万", NORM, "50000", "５万" },
	{ "か\xe3\x82\x99くせい", NORM, "が", "か\xe3\x82\x99" },
	{ "ＰａｐａＫａｔｓｕ募集", NORM, "papakatsu", "ＰａｐａＫａｔｓｕ" },
	{ "a  \n  b", NORM, "a\nb", "a  \n  b" },
	{ "①②③", NORM, "2", "②" },
	{ "ホ別２万", SQUEEZED, "ほ別20000", "ホ別２万" },
};

/* s with line breaks and tabs escaped, for a one-line TAP description. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 3 < size; s++) {
		if (*s == '\n' || *s == '\t') {
			buf[n++] = '\\';
			buf[n++] = *s == '\n' ? 'n' : 't';
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void test_maps(void)
{
	struct arena *a = arena_new();
	size_t i;

	for (i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		const struct mcase *c = &map_cases[i];
		char *needle = normalize_literal(c->needle, c->which);
		struct nview v;
		const char *hit;
		size_t at, f = 0, t = 0;
		char b1[128], b2[128], b3[128];

		view_n(a, c->in, strlen(c->in), c->which, &v);
		hit = needle ? memmem(v.s, v.len, needle, strlen(needle)) : NULL;
		if (!hit) {
			ok(0, "'%s' found in '%s'", c->needle, c->in);
			free(needle);
			continue;
		}
		at = (size_t)(hit - v.s);
		nview_span(&v, at, at + strlen(needle), &f, &t);
		ok(t - f == strlen(c->orig) && !memcmp(c->in + f, c->orig, t - f),
		   "'%s' in %s view of '%s' maps back to '%s'", shown(c->needle, b1, sizeof(b1)),
		   c->which ? "squeezed" : "norm", shown(c->in, b2, sizeof(b2)),
		   shown(c->orig, b3, sizeof(b3)));
		free(needle);
	}
	arena_free(a);
}

/* Views are valid UTF-8 C strings with sane, non-decreasing maps. */
static int views_sound(const char *text, size_t len, const struct nview *v)
{
	size_t i;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;

	if (strlen(v->s) != v->len)
		return 0;
	for (i = 0; i < v->len; i += (size_t)n) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)v->s + i,
				     (utf8proc_ssize_t)(v->len - i), &cp);
		if (n <= 0)
			return 0;
	}
	for (i = 0; i < v->len; i++) {
		if (v->from[i] >= v->to[i] || v->to[i] > len)
			return 0;
		if (i && (v->from[i] < v->from[i - 1] || v->to[i] < v->to[i - 1]))
			return 0;
	}
	return 1;
}

static void test_fuzz(void)
{
	static const char *const pieces[] = {
		"大", "麻", "ｶ", "ﾞ", "\xe3\x82\x99", "\xcc\x81", "\xcc\xa3", "一", "十", "万",
		"円", "3", " ", "\n", "\t", ".", "・", "\xe2\x80\x8b", "😀", "\xff", "\xe3",
		"Ａ", "B", "①", "ヷ", "ヴ", "ー", "\x01", "\xc2\xa0", "人", "億", "〇", "ﾟ",
		"\xef\xb8\x8f", "ㇰ", "가", "\xe1\x86\xa8", "ﷺ",
	};
	struct arena *a = arena_new();
	char text[512];
	unsigned seed = 12345;
	int round, good = 1;

	for (round = 0; round < 2000 && good; round++) {
		struct nview n, s;
		size_t len = 0;

		while (len < sizeof(text) - 64) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 40 == 0)
				break;
			p = pieces[(seed >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		if (normalize_views(a, text, len, &n, &s) != PRC_OK ||
		    !views_sound(text, len, &n) || !views_sound(text, len, &s)) {
			good = 0;
			diag("unsound views for round %d", round);
		}
	}
	ok(good, "2000 random texts give valid UTF-8 views with non-decreasing maps");
	arena_free(a);
}

static void test_big(void)
{
	static const char line[] = "本物の大.麻あります、ﾃﾚｸﾞﾗﾑで三万円。\n";
	size_t ll = sizeof(line) - 1, reps = (1u << 20) / ll + 1, i, count = 0;
	char *text = malloc(reps * ll);
	struct arena *a = arena_new();
	struct nview n, s;
	const char *p;

	for (i = 0; i < reps; i++)
		memcpy(text + i * ll, line, ll);
	is_int(normalize_views(a, text, reps * ll, &n, &s), PRC_OK, "1 MiB of text normalizes");
	ok(s.len < n.len && n.len < reps * ll, "squeezed shorter than norm, norm than the input");
	for (p = s.s; (p = strstr(p, "大麻ありますてれぐらむで30000円")) != NULL; p++)
		count++;
	is_int(count, reps, "every line's evasions undone in the squeezed view");
	ok(views_sound(text, reps * ll, &n) && views_sound(text, reps * ll, &s),
	   "1 MiB views sound");
	arena_free(a);
	free(text);
}

struct thr {
	const char *text;
	char *got;
};

static void *thr_run(void *arg)
{
	struct thr *t = arg;
	int i;

	for (i = 0; i < 200; i++) {
		free(t->got);
		t->got = normalize_literal(t->text, i & 1);
	}
	return NULL;
}

static void test_threads(void)
{
	struct thr th[4];
	pthread_t id[4];
	char *want = normalize_literal("ﾃﾚｸﾞﾗﾑで大.麻、三万円", 1);
	int i, same = 1;

	for (i = 0; i < 4; i++) {
		th[i].text = "ﾃﾚｸﾞﾗﾑで大.麻、三万円";
		th[i].got = NULL;
		pthread_create(&id[i], NULL, thr_run, &th[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(id[i], NULL);
		if (!th[i].got || strcmp(th[i].got, want))
			same = 0;
		free(th[i].got);
	}
	ok(same, "threads normalizing at once agree");
	free(want);
}

/* ---- the fast path against the reference (normalize_views_reference) ---- */

static int view_eq(const struct nview *x, const struct nview *y)
{
	return x->len == y->len && !memcmp(x->s, y->s, x->len + 1) &&
	       !memcmp(x->from, y->from, x->len * sizeof(uint32_t)) &&
	       !memcmp(x->to, y->to, x->len * sizeof(uint32_t));
}

/* normalize_views gives text the views and maps the reference does; 1 when so. */
static int same_as_reference(struct arena *a, const char *text, size_t len)
{
	struct nview n1, s1, n2, s2;
	enum prc r1 = normalize_views(a, text, len, &n1, &s1);
	enum prc r2 = normalize_views_reference(a, text, len, &n2, &s2);

	if (r1 != r2)
		return 0;
	return r1 != PRC_OK || (view_eq(&n1, &n2) && view_eq(&s1, &s2));
}

/* UTF-8 of cp into p, surrogates too (as the three bytes no decoder accepts); the length. */
static size_t enc(char *p, uint32_t cp)
{
	unsigned char u[4];
	size_t n = utf8_encode(u, cp);

	memcpy(p, u, n);
	return n;
}

/*
 * The contexts every codepoint X is tried in: "%" stands for X. Alone, twice,
 * before combining marks (also across a zero-width space and a soft hyphen),
 * after a starter and a half-width kana it might compose with, among kanji
 * numerals, ASCII digits and decimal notation, and among white space.
 */
static const char *const contexts[] = {
	"%",
	"%%",
	"%\xe3\x82\x99",
	"%\xcc\x81",
	"%\xcc\x81\xe3\x82\x99\xcc\xa3",
	"%\xe2\x80\x8b\xe3\x82\x99",
	"%\xc2\xad\xcc\x81",
	"%\xe1\x85\xa1\xe1\x86\xa8",
	"か%",
	"ｶ%ﾞ",
	"e%\xcc\x81",
	"\xe1\x84\x80%",
	"三%万円",
	"二%十歳",
	"%十五",
	"一%",
	"1%5万",
	"3.%5万",
	"3%.5万円",
	"a % \n%b",
	"%　%\t",
};

/* text for context c with x (n bytes) in place of each %; its length. */
static size_t in_context(char *text, const char *c, const char *x, size_t n)
{
	size_t len = 0;

	for (; *c; c++) {
		if (*c == '%') {
			memcpy(text + len, x, n);
			len += n;
		} else {
			text[len++] = *c;
		}
	}
	return len;
}

/* Every codepoint of the range (step apart), in every context; 1 when all agree. */
static int range_agrees(uint32_t lo, uint32_t hi, uint32_t step, uint32_t *bad)
{
	char x[4], text[128];
	uint32_t cp;
	size_t i, n;

	for (cp = lo; cp <= hi; cp += step) {
		struct arena *a = arena_new();
		int same = a != NULL;

		n = enc(x, cp);
		for (i = 0; same && i < sizeof(contexts) / sizeof(contexts[0]); i++)
			same = same_as_reference(a, text, in_context(text, contexts[i], x, n));
		arena_free(a);
		if (!same) {
			*bad = cp;
			diag("U+%04X differs in context \"%s\"", (unsigned)cp, contexts[i - 1]);
			return 0;
		}
	}
	return 1;
}

/* Sequences good and bad: b0 b1 b2 then "a", for every b0 >= 0x80, every b1 and some b2. */
static int bytes_agree(void)
{
	static const unsigned char third[] = { 0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xE3 };
	unsigned b0, b1, i;

	for (b0 = 0x80; b0 <= 0xFF; b0++) {
		struct arena *a = arena_new();
		int same = a != NULL;

		for (b1 = 0; same && b1 <= 0xFF; b1++) {
			for (i = 0; same && i < sizeof(third); i++) {
				char t[4] = { (char)b0, (char)b1, (char)third[i], 'a' };

				same = same_as_reference(a, t, 4) && same_as_reference(a, t, 2) &&
				       same_as_reference(a, t, 3);
			}
		}
		arena_free(a);
		if (!same) {
			diag("differs after lead byte %02X", b0);
			return 0;
		}
	}
	return 1;
}

static void test_fast_path(void)
{
	static const uint32_t astral[][2] = {
		{ 0x1D400, 0x1D7FF }, /* mathematical letters and digits: NFKC to ASCII */
		{ 0x1F100, 0x1F1FF }, /* enclosed alphanumerics */
		{ 0x1F300, 0x1FAFF }, /* emoji */
		{ 0x2F800, 0x2FA1F }, /* CJK compatibility ideographs: to BMP kanji */
		{ 0xE0000, 0xE01EF }, /* tags, variation selectors supplement */
	};
	struct arena *a = arena_new();
	struct nview n, s;
	uint32_t bad = 0;
	size_t i;
	int good;

	/* the comparison can fail: two different texts do not compare equal */
	ok(normalize_views(a, "大麻", 6, &n, &s) == PRC_OK &&
	   normalize_views_reference(a, "大麻.草木", 13, &n, &s) == PRC_OK && !view_eq(&n, &s) &&
	   normalize_views_reference(a, "大麻.草木", 13, &s, &n) == PRC_OK, "view_eq tells views apart");
	arena_free(a);

	ok(range_agrees(0, 0xFFFF, 1, &bad),
	   "every BMP codepoint (surrogates as bad bytes), in %zu contexts, as the reference",
	   sizeof(contexts) / sizeof(contexts[0]));
	good = 1;
	for (i = 0; good && i < sizeof(astral) / sizeof(astral[0]); i++)
		good = range_agrees(astral[i][0], astral[i][1], 1, &bad);
	good = good && range_agrees(0x10000, 0x10FFFF, 97, &bad);
	ok(good, "astral codepoints (blocks and every 97th) as the reference");
	ok(bytes_agree(), "every lead byte with every second byte and telling third bytes, "
			  "as the reference");
}

/* Random texts from pieces that meet in every way: views, maps and literals as the reference. */
static void test_fast_random(void)
{
	static const char *const pieces[] = {
		"a", "Z", "0", "7", "9", " ", "\n", "\t", "\r", ".", ",", "%", "g", "h", "w",
		"http://", "www.", "\x01", "\x7f", "\xc2\x85", "\xc2\x9b", "\xc2\xa0",
		"\xc2\xad", "\xc3\xa9", "e\xcc\x81", "\xcc\x81", "\xcc\xa3", "\xcd\x85",
		"\xe2\x80\x8b", "\xe2\x80\xa8", "\xe2\x80\xa6", "\xe2\x81\xa0", "\xef\xbb\xbf",
		"\xef\xb8\x8f", "\xe3\x80\x80", "か", "が", "は", "ぱ", "カ", "ガ", "ヴ", "ヷ",
		"ヺ", "ヽ", "ヾ", "ー", "々", "・", "※", "ｶ", "ﾊ", "ﾞ", "ﾟ", "ｰ", "･", "゛", "゜",
		"\xe3\x82\x99", "\xe3\x82\x9a", "〇", "零", "一", "二", "三", "十", "百", "千",
		"万", "萬", "億", "兆", "円", "人", "歳", "ヶ", "ヵ", "ゖ", "大", "麻", "闇", "Ａ", "ｂ",
		"１", "①", "㈱", "㍿", "ﷺ", "가", "\xe1\x84\x80", "\xe1\x85\xa1", "\xe1\x86\xa8",
		"😀", "👍🏽", "𝐀", "\xf3\xa0\x84\x80", "\xff", "\xfe", "\xc0\xaf", "\xe3",
		"\xe3\x81", "\xed\xa0\x80", "\xe0\x80\x80", "\xf0\x9f", "\xf4\x90\x80\x80",
		"\x80", "\xbf", "\xef\xbf\xbe", "\xef\xbf\xbd", "\xd7\xbf",
	};
	static const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	char text[1024];
	unsigned seed = 20261207;
	int round, views = 1, lits = 1;

	for (round = 0; round < 20000 && views && lits; round++) {
		struct arena *a = arena_new();
		struct nview n, s;
		size_t len = 0, pl;
		int mode = round % 4;

		while (len < sizeof(text) - 64) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 60 == 0)
				break;
			if (mode == 3) { /* raw bytes, mostly high */
				seed = seed * 1103515245u + 12345u;
				text[len++] = (char)(((seed >> 16) & 0xFF) | ((seed >> 8) & 1 ? 0x80 : 0));
				continue;
			}
			/* mode 1: long runs of one piece (numeral runs, mark piles over the limits) */
			pl = (size_t)(seed >> 8) % npieces;
			do {
				size_t m = strlen(pieces[pl]);

				if (len + m >= sizeof(text) - 64)
					break;
				memcpy(text + len, pieces[pl], m);
				len += m;
				seed = seed * 1103515245u + 12345u;
			} while (mode == 1 && (seed >> 16) % 50);
		}
		if (!same_as_reference(a, text, len)) {
			views = 0;
			diag("round %d differs", round);
		} else if (!memchr(text, '\0', len)) {
			char *l0, *l1;

			text[len] = '\0';
			normalize_views_reference(a, text, len, &n, &s);
			l0 = normalize_literal(text, 0);
			l1 = normalize_literal(text, 1);
			if (!l0 || !l1 || strcmp(l0, n.s) || strcmp(l1, s.s)) {
				lits = 0;
				diag("round %d: literal differs", round);
			}
			free(l0);
			free(l1);
		}
		arena_free(a);
	}
	ok(views, "20000 random texts: views and maps as the reference");
	ok(lits, "20000 random texts: literals as the reference views");
}

/* normalize_mask_urls as first written, one byte at a time: the reference for the memchr scan. */
static int ref_url_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}", c);
}

static size_t ref_url_at(const char *s, size_t len, size_t i)
{
	size_t n = len - i;

	if (i > 0 && ((s[i - 1] >= '0' && s[i - 1] <= '9') || (s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
		      (s[i - 1] >= 'A' && s[i - 1] <= 'Z')))
		return 0;
	if (n > 7 && !memcmp(s + i, "http://", 7))
		return 7;
	if (n > 8 && !memcmp(s + i, "https://", 8))
		return 8;
	if (n > 4 && !memcmp(s + i, "www.", 4))
		return 4;
	return 0;
}

static void ref_mask_urls(struct nview *norm, struct nview *squeezed)
{
	char *s = (char *)norm->s, *q = (char *)squeezed->s;
	size_t i = 0, j, k = 0, lo, hi;

	while (i < norm->len) {
		if ((s[i] != 'h' && s[i] != 'w') || !(j = ref_url_at(s, norm->len, i))) {
			i++;
			continue;
		}
		for (j += i; j < norm->len && ref_url_char((unsigned char)s[j]); j++)
			;
		lo = norm->from[i];
		hi = norm->to[j - 1];
		for (; i < j; i++)
			if (s[i] >= '0' && s[i] <= '9')
				s[i] = '_';
		while (k < squeezed->len && squeezed->from[k] < lo)
			k++;
		for (; k < squeezed->len && squeezed->from[k] < hi; k++)
			if (q[k] >= '0' && q[k] <= '9')
				q[k] = '_';
	}
}

static void test_mask_urls(void)
{
	static const char *const pieces[] = {
		"http://", "https://", "www.", "h", "w", "ttp://", "ww.", "http:/", "a", "0", "12",
		"345", "/", ".", ":", " ", "\n", "\"", "<", "|", "大", "麻", "円", "三万", "ｈｔｔｐ://",
		"ｗｗｗ．", "１２", "・", "?q=1&r=2", "%20", "x", "H", "W",
	};
	char text[600];
	unsigned seed = 4242;
	int round, same = 1, masked = 0;

	for (round = 0; round < 5000 && same; round++) {
		struct arena *a = arena_new();
		struct nview n1, s1, n2, s2;
		size_t len = 0;

		while (len < sizeof(text) - 32) {
			const char *p;

			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 50 == 0)
				break;
			p = pieces[(seed >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		if (!a || normalize_views(a, text, len, &n1, &s1) != PRC_OK ||
		    normalize_views(a, text, len, &n2, &s2) != PRC_OK) {
			same = 0;
		} else {
			normalize_mask_urls(&n1, &s1);
			ref_mask_urls(&n2, &s2);
			same = !strcmp(n1.s, n2.s) && !strcmp(s1.s, s2.s);
			masked += strchr(n1.s, '_') != NULL;
			if (!same)
				diag("round %d: '%s' / '%s' masks as '%s' / '%s'", round, n1.s, s1.s,
				     n2.s, s2.s);
		}
		arena_free(a);
	}
	ok(same && masked > 100, "5000 random texts: URLs masked as one byte at a time (%d masked)",
	   masked);
}

struct fthr {
	const char *text;
	size_t len;
	const struct nview *norm, *squeezed; /* the reference */
	int same;
};

static void *fthr_run(void *arg)
{
	struct fthr *t = arg;
	struct arena *a = arena_new();
	struct nview n, s;

	t->same = a && normalize_views(a, t->text, t->len, &n, &s) == PRC_OK &&
		  view_eq(&n, t->norm) && view_eq(&s, t->squeezed);
	arena_free(a);
	return NULL;
}

/*
 * Threads meeting the fast path's table before any block of it is built:
 * whoever builds a block, the others read it only when it is done.
 * Runs first, while the table is empty.
 */
static void test_fast_threads(void)
{
	struct arena *a = arena_new();
	struct fthr th[4];
	pthread_t id[4];
	struct nview n, s;
	size_t len = 0;
	char *text = malloc(0x10000 * 3 * 2);
	uint32_t cp;
	int i, started = 0, same;

	for (cp = 1; text && cp < 0x10000; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		len += enc(text + len, cp);
		if (cp % 3 == 0)
			len += enc(text + len, cp % 2 ? 0x3099 : 0x4E07);
	}
	same = text && normalize_views_reference(a, text, len, &n, &s) == PRC_OK;
	for (i = 0; same && i < 4; i++) {
		th[i] = (struct fthr){ text, len, &n, &s, 0 };
		if (pthread_create(&id[i], NULL, fthr_run, &th[i]) == 0)
			started++;
	}
	for (i = 0; i < started; i++) {
		pthread_join(id[i], NULL);
		same = same && th[i].same;
	}
	same = same && started == 4;
	ok(same, "4 threads building the table at once each get the reference views");
	arena_free(a);
	free(text);
}

int main(void)
{
	test_fast_threads();
	test_views();
	test_invalid();
	test_literal();
	test_maps();
	test_fuzz();
	test_big();
	test_threads();
	test_fast_path();
	test_fast_random();
	test_mask_urls();
	return done_testing();
}
