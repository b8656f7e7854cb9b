/* t-traps.c - unit tests for crawler/traps: hard bounds on URL shape, URL families, trap verdicts. */
#include "crawler/traps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"

static void test_shape(void)
{
	struct trap_limits l;
	char url[4200];
	int i;

	trap_limits_init(&l);
	is_int(traps_check_url(&l, "http://a.example/bbs/read.cgi?bbs=news&key=1515"), REFUSE_NONE,
	       "an ordinary URL passes");
	is_int(traps_check_url(&l, "http://a.example/a/b/a/b/a/b/a/"), REFUSE_REPEATED,
	       "a segment four times is refused");
	is_int(traps_check_url(&l, "http://a.example/a/b/a/b/a/b/"), REFUSE_NONE, "three times is not");
	strcpy(url, "http://a.example");
	for (i = 0; i < 17; i++)
		sprintf(url + strlen(url), "/%d", i);
	is_int(traps_check_url(&l, url), REFUSE_PATH_DEPTH, "17 segments are refused");
	strcpy(url, "http://a.example/");
	memset(url + strlen(url), 'z', 2100);
	url[17 + 2100] = '\0';
	is_int(traps_check_url(&l, url), REFUSE_URL_LENGTH, "a URL over 2048 bytes is refused");
	is_str(refusal_name(REFUSE_TRAP), "trap", "the trap refusal's name");
	ok(!traps_calendar_like("http://a.example/news/list.html"), "not calendar-like");
	ok(traps_calendar_like("http://a.example/cal/2026/11/"), "calendar-like path");
}

/* traps_family(url) is want. */
static void family_is(const char *url, const char *want, const char *name)
{
	char k[512];

	traps_family(url, k, sizeof(k));
	is_str(k, want, "%s", name);
}

static void test_family(void)
{
	char k[512];

	family_is("http://a.example/bbs2/read.cgi?bbs=news&key=1515839920",
		  "http://a.example/bbsN/read.cgi?bbs&key", "a board thread: path and parameter names");
	family_is("http://a.example/bbs2/read.cgi?bbs=love&key=1",
		  "http://a.example/bbsN/read.cgi?bbs&key", "another thread of another board: same family");
	family_is("http://a.example/news/2019/04/100669.html", "http://a.example/news/N+/N.html",
		  "numbers abstracted, repeats folded");
	family_is("http://a.example/calendar/next/next/next/", "http://a.example/calendar/next+/",
		  "a chain one step further each time is one family");
	family_is("http://a.example/calendar/next/", "http://a.example/calendar/next/",
		  "the chain's first step");
	family_is("http://a.example/s/5f3a9c0b77e1/view", "http://a.example/s/I/view",
		  "an id segment");
	family_is("http://a.example/q?a=1&b=2&a=3", "http://a.example/q?a&b",
		  "each parameter name once");
	family_is("http://b.example/q?a=1", "http://b.example/q?a",
		  "the origin is part of the family");
	traps_family("http://a.example/bbs2/read.cgi?bbs=news&key=1515839920", k, 20);
	is_int((int)strlen(k), 19, "a key is cut to fit");
}

/* A page of text that is its own: n picks words. */
static void distinct_text(int n, char *out, size_t cap)
{
	static const char *const words[] = { "川", "山", "電車", "図書館", "天気", "料理", "公園",
					     "音楽", "祭り", "商店街", "学校", "野菜", "港", "自転車",
					     "映画", "温泉", "花火", "雪", "駅前", "書店" };
	unsigned x = (unsigned)n * 2654435761u + 12345u;
	size_t len = 0;
	int i;

	out[0] = '\0';
	/* the board's own navigation, on every thread */
	len += (size_t)snprintf(out, cap, "掲示板トップ 雑談 ニュース 趣味 地域 ログイン 利用規約 ");
	for (i = 0; i < 40 && len + 64 < cap; i++) {
		x = x * 1103515245u + 12345u;
		len += (size_t)snprintf(out + len, cap - len, "%sの%s。", words[(x >> 8) % 20],
					words[(x >> 16) % 20]);
	}
}

static void test_sketch(void)
{
	struct trap_sketch a, b;
	char t1[4096], t2[4096];

	traps_sketch("2026年11月 この月の予定はありません。", strlen("2026年11月 この月の予定はありません。"), &a);
	traps_sketch("2027年1月 この月の予定はありません。", strlen("2027年1月 この月の予定はありません。"), &b);
	ok(traps_similarity(&a, &b) > 0.99, "two months of an empty calendar read alike (%.2f)",
	   traps_similarity(&a, &b));
	distinct_text(1, t1, sizeof(t1));
	distinct_text(2, t2, sizeof(t2));
	traps_sketch(t1, strlen(t1), &a);
	traps_sketch(t2, strlen(t2), &b);
	ok(traps_similarity(&a, &b) < 0.75, "two threads of one board do not (%.2f)", traps_similarity(&a, &b));
	ok(traps_similarity(&a, &a) == 1.0, "a text is itself");
	traps_sketch("", 0, &a);
	traps_sketch("", 0, &b);
	ok(traps_similarity(&a, &b) == 1.0, "two empty texts are alike");
	ok(a.n == 0, "an empty text has an empty sketch");
	traps_sketch("あ", strlen("あ"), &a);
	is_int(a.n, 1, "one character is one shingle");
}

static void test_verdicts(void)
{
	struct trap_limits l;
	struct trap_sketch sk;
	struct trap_family *rep = NULL;
	struct traps *t;
	char url[256], text[4096];
	size_t n = 0, i;
	int k, cut = 0, cut_at = 0;

	trap_limits_init(&l);
	t = traps_new(&l);
	ok(t != NULL, "traps_new");

	/* a board: 500 distinct threads under one script */
	for (k = 0; k < 500; k++) {
		snprintf(url, sizeof(url), "http://a.example/bbs2/read.cgi?bbs=b%d&key=%d", k % 7, 1000 + k);
		is_int(traps_admit(t, url), REFUSE_NONE, "thread %d admitted", k);
		distinct_text(k, text, sizeof(text));
		traps_sketch(text, strlen(text), &sk);
		cut |= traps_observe(t, url, &sk);
	}
	ok(!cut, "a board of 500 distinct threads is not a trap");
	ok(!traps_is_trap(t, "http://a.example/bbs2/read.cgi?bbs=x&key=99999"), "its next thread is fetched");

	/* a calendar: every month a near copy */
	for (k = 0; k < 40 && !cut_at; k++) {
		snprintf(url, sizeof(url), "http://a.example/cal/%d/%02d/", 2026 + k / 12, k % 12 + 1);
		snprintf(text, sizeof(text), "%d年%d月 この月の予定はありません。 前の月 次の月 %d年", 2026 + k / 12,
			 k % 12 + 1, 2026 + k / 12);
		traps_sketch(text, strlen(text), &sk);
		if (traps_observe(t, url, &sk))
			cut_at = k + 1;
	}
	is_int(cut_at, 8, "an endless calendar is cut after 8 pages");
	ok(traps_is_trap(t, "http://a.example/cal/2031/05/"), "its later months are refused");
	is_int(traps_admit(t, "http://a.example/cal/2040/01/"), REFUSE_TRAP, "and not admitted");
	ok(!traps_is_trap(t, "http://a.example/cal/2031/"), "a year page is another family");

	/* one page under ever new query variants */
	cut_at = 0;
	for (k = 0; k < 40 && !cut_at; k++) {
		snprintf(url, sizeof(url), "http://a.example/search?page=%d&q=x&sort=%c", k, 'a' + k % 5);
		snprintf(text, sizeof(text), "検索: x (%d ページ目) 新しい順 古い順 価格順 人気順", k);
		traps_sketch(text, strlen(text), &sk);
		if (traps_observe(t, url, &sk))
			cut_at = k + 1;
	}
	ok(cut_at > 0 && cut_at <= 10, "a query explosion of one page is cut (after %d pages)", cut_at);

	/* a family that repeats now and then is not a trap */
	cut = 0;
	for (k = 0; k < 64; k++) {
		snprintf(url, sizeof(url), "http://a.example/item/%d.html", k);
		if (k % 3 == 0)
			snprintf(text, sizeof(text), "この商品は売り切れました。");
		else
			distinct_text(1000 + k, text, sizeof(text));
		traps_sketch(text, strlen(text), &sk);
		cut |= traps_observe(t, url, &sk);
	}
	ok(!cut, "a shop where one item in three is sold out stays open");

	ok(traps_report(t, &rep, &n) == PRC_OK, "traps_report");
	ok(n >= 4 && rep[0].trap && rep[1].trap, "traps first in the report (%zu families)", n);
	for (i = 0; i < n; i++)
		if (!strcmp(rep[i].family, "http://a.example/bbsN/read.cgi?bbs&key"))
			break;
	ok(i < n && !rep[i].trap && rep[i].fetched == 500, "the board is reported open with its 500 pages");
	ok(i < n && strstr(rep[i].reason, "of 500 pages new") != NULL, "and why: '%s'", i < n ? rep[i].reason : "");
	ok(strstr(rep[0].reason, "repeat") != NULL, "a trap's reason: '%s'", rep[0].reason);
	free(rep);

	traps_mark(t, "http://z.example/x?id", "judged before");
	ok(traps_is_trap(t, "http://z.example/x?id=5"), "a verdict kept from an earlier run applies");
	traps_free(t);

	/* sample 0: never judged; the optional budgets still count */
	l.family_sample = 0;
	l.max_query_variants = 2;
	t = traps_new(&l);
	for (k = 0; k < 20; k++) {
		snprintf(url, sizeof(url), "http://a.example/cal/%d/", 2000 + k);
		traps_sketch("same", 4, &sk);
		cut |= traps_observe(t, url, &sk);
	}
	ok(!cut, "family_sample 0 judges nothing");
	is_int(traps_admit(t, "http://a.example/p?x=1"), REFUSE_NONE, "query variant 1");
	is_int(traps_admit(t, "http://a.example/p?x=2"), REFUSE_NONE, "query variant 2");
	is_int(traps_admit(t, "http://a.example/p?x=3"), REFUSE_QUERY_VARIANTS, "--max-query-variants 2");
	traps_free(t);
	traps_free(NULL);
}

int main(void)
{
	test_shape();
	test_family();
	test_sketch();
	test_verdicts();
	return done_testing();
}
