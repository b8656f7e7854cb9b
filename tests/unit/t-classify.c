/*
 * t-classify.c - unit tests for the classification engine: the shipped
 * rules against their text samples, evidence mapped back to what the page
 * wrote, rule files refused with file:line, and rules that loop, hog memory
 * or reach out of the sandbox stopped while the good rules keep working,
 * and rules that judge a page block by block: a guard in a sidebar no longer
 * clears a harmful post, a prevention article's own words still do.
 * Run from the repository root.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "crawler/charset.h"
#include "crawler/html.h"
#include "tests/fixture.h"
#include "tests/tap.h"
#include "util/log.h"

/* the rules of a test directory with the shipped helper library */
static const struct ruleset_opts with_lib = { .lib_dir = "lua/lib" };
static const struct ruleset_opts keep_good = { .lib_dir = "lua/lib", .flags = RULESET_KEEP_GOOD };
/* the shipped rules, with the run's pattern cache when make test gives one */
static struct ruleset_opts shipped;

static const char *const categories[] = {
	"drug_ad", "crime_recruitment", "child_solicitation", "bank_account_trade",
	"suicide_inducement", NULL
};

/* Runs c on p as a page fetched with status 200 and no redirect; returns the verdicts (in a). */
static size_t run_page(struct classifier *c, struct arena *a, struct page_input *p,
		       struct verdict **v)
{
	struct err e;
	size_t n = 0;

	p->final_url = "";
	p->http_status = 200;
	if (classifier_run(c, a, p, v, &n, NULL, NULL, &e) != PRC_OK) {
		diag("classifier_run: %s", e.msg);
		return 0;
	}
	return n;
}

/* Classifies text as a text/plain page; returns the verdicts (in a). */
static size_t run_text(struct classifier *c, struct arena *a, const char *title, const char *url,
		       const char *text, struct verdict **v)
{
	struct page_input p;

	memset(&p, 0, sizeof(p));
	p.url = url;
	p.title = title;
	p.text = text;
	p.text_len = strlen(text);
	p.content_type = "text/plain";
	return run_page(c, a, &p, v);
}

static int has_category(const struct verdict *v, size_t n, const char *cat)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].category, cat))
			return 1;
	return 0;
}

static const struct verdict *by_rule(const struct verdict *v, size_t n, const char *rule)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].rule, rule))
			return &v[i];
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every .txt sample of dir; expect is a category, or NULL for "nothing flagged". */
static void check_dir(struct classifier *c, const char *dir, const char *expect)
{
	char **names = NULL, path[512];
	struct dirent *de;
	struct verdict *v;
	size_t n, len, k = 0, cap = 0, i;
	DIR *d = opendir(dir);
	char *text;

	if (!ok(d != NULL, "samples directory %s exists", dir))
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l <= 4 || strcmp(de->d_name + l - 4, ".txt"))
			continue;
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[k++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, k, sizeof(names[0]), cmp_str);
	ok(k >= (size_t)(expect ? 4 : 20), "%s has text samples (%zu)", dir, k);
	for (i = 0; i < k; i++) {
		struct arena *a = arena_new();

		char *utf8 = NULL;
		const char *cs = NULL;
		size_t ulen = 0;
		int cut = 0;
		struct err ce;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		text = fixture_read(path, &len);
		/* samples come in Shift_JIS too: decode them as a crawl would */
		if (text && charset_decode(a, NULL, text, len, 0, &utf8, &ulen, &cs, &cut, &ce) != PRC_OK)
			utf8 = NULL;
		n = run_text(c, a, "", "", utf8 ? utf8 : "", &v);
		if (expect)
			ok(has_category(v, n, expect), "%s is flagged %s", path, expect);
		else if (!ok(n == 0, "%s is not flagged", path))
			diag("flagged %s by %s: %s", v[0].category, v[0].rule, v[0].evidence);
		free(text);
		free(names[i]);
		arena_free(a);
	}
	free(names);
}

static void test_shipped_rules(void)
{
	struct ruleset *rs = NULL;
	struct classifier *c;
	struct buf errs;
	struct err e;
	char dir[256];
	size_t i, r;
	int found;

	buf_init(&errs, 1 << 20);
	is_int(ruleset_load("lua/rules", &shipped, &rs, &errs), PRC_OK, "the shipped rules load");
	if (errs.len)
		diag("%s", buf_str(&errs));
	buf_release(&errs);
	if (!rs)
		return;
	ok(ruleset_rule_count(rs) >= 5 && ruleset_pattern_count(rs) > 100,
	   "%zu rules, %zu patterns", ruleset_rule_count(rs), ruleset_pattern_count(rs));
	for (i = 0; categories[i]; i++) {
		found = 0;
		for (r = 0; r < ruleset_rule_count(rs); r++)
			if (!strcmp(ruleset_rule_category(rs, r), categories[i]))
				found = 1;
		ok(found, "a rule covers %s", categories[i]);
	}
	c = classifier_new(rs, &e);
	ruleset_unref(rs); /* the classifier holds its own reference */
	if (!ok(c != NULL, "classifier for the shipped rules"))
		return;
	for (i = 0; categories[i]; i++) {
		snprintf(dir, sizeof(dir), "lua/samples/%s", categories[i]);
		check_dir(c, dir, categories[i]);
	}
	check_dir(c, "lua/samples/benign", NULL);
	is_int(classifier_rule_failures(c), 0, "no shipped rule failed on the samples");
	classifier_free(c);
}

static void test_evidence(void)
{
	struct ruleset *rs = NULL;
	struct classifier *c;
	const struct verdict *d;
	struct verdict *v;
	struct arena *a = arena_new();
	struct buf errs;
	struct err e;
	size_t n, len;
	char *text;

	buf_init(&errs, 1 << 20);
	ruleset_load("lua/rules", &shipped, &rs, &errs);
	buf_release(&errs);
	c = rs ? classifier_new(rs, &e) : NULL;
	ruleset_unref(rs);
	text = fixture_read("lua/samples/drug_ad/05-separators.txt", &len);
	if (!ok(c && text, "separator sample and classifier"))
		goto out;
	n = run_text(c, a, "", "", text, &v);
	d = by_rule(v, n, "drug_ad.slang_offer_contact");
	if (!ok(d != NULL, "大.麻 with a price and a channel is flagged drug_ad"))
		goto out;
	ok(strstr(d->evidence, "大.麻") != NULL, "evidence quotes the page as written: '%s'",
	   d->evidence);
	ok(d->ev_end > d->ev_start && d->ev_end <= len, "evidence offsets within the text");
	ok(d->ev_end - d->ev_start == strlen("大.麻") &&
	   !memcmp(text + d->ev_start, "大.麻", strlen("大.麻")),
	   "ev_start..ev_end is the original '大.麻' (%zu..%zu)", d->ev_start, d->ev_end);
	ok(d->score >= 0.7 && d->score <= 1, "score %.2f in range", d->score);
	is_str(d->rule_file, "lua/rules/drug_ad.lua", "verdict names its rule file");

	/* a full-width and half-width mix maps back too */
	n = run_text(c, a, "", "",
		     "ＭＤＭＡ 在庫あり　ﾃﾚｸﾞﾗﾑ ＠ｐａｒｔｙ＿ｓｕｐｐｌｙ　５０００円", &v);
	d = by_rule(v, n, "drug_ad.slang_offer_contact");
	ok(d && strstr(d->evidence, "ＭＤＭＡ"), "full-width evidence shown as written");

	/* ice cream is not ice */
	n = run_text(c, a, "", "",
		     "アイスクリーム専門店。新作アイス入荷、全国発送 1個450円。営業時間10時から", &v);
	ok(!has_category(v, n, "drug_ad"), "an ice-cream shop is not a drug ad");
out:
	free(text);
	classifier_free(c);
	arena_free(a);
}

static void test_broken(void)
{
	struct ruleset *rs = (struct ruleset *)1;
	struct classifier *c;
	const struct verdict *d;
	struct verdict *v;
	struct arena *a = arena_new();
	struct buf errs;
	struct err e;
	const char *s;
	size_t n;

	buf_init(&errs, 1 << 20);
	is_int(ruleset_load("tests/rules/broken", &with_lib, &rs, &errs), PRC_PARSE,
	       "a directory with broken rule files is refused");
	ok(rs == NULL, "no rule set comes back");
	s = buf_str(&errs);
	diag("errors:\n%s", s);
	ok(strstr(s, "tests/rules/broken/b_syntax.lua:6: ") != NULL, "syntax error at file:line");
	ok(strstr(s, "tests/rules/broken/c_category.lua:5: unknown category 'drugs'") != NULL,
	   "unknown category at file:line");
	ok(strstr(s, "tests/rules/broken/d_regex.lua:8: pattern '(': ") != NULL,
	   "refused regex at file:line with the pattern");
	ok(strstr(s, "tests/rules/broken/e_katakana.lua:7: pattern") != NULL &&
	   strstr(s, "てれぐらむ") != NULL, "katakana regex refused with the view's spelling");
	ok(strstr(s, "tests/rules/broken/f_toolarge.lua:9: pattern '(a|b|c)[a-z]{5000}x': ") != NULL,
	   "a pattern refused only by the database build at file:line");
	ok(strstr(s, "a_good.lua") == NULL && strstr(s, "g_after.lua") == NULL,
	   "the good files have no error");

	buf_reset(&errs);
	rs = NULL;
	is_int(ruleset_load("tests/rules/broken", &keep_good, &rs, &errs),
	       PRC_PARSE, "keep-good load still reports the errors");
	if (!ok(rs && ruleset_rule_count(rs) == 2, "the good rules are kept"))
		goto out;
	is_str(ruleset_rule_name(rs, 1), "test.after", "the rule after the refused file is kept");
	is_str(ruleset_rule_name(rs, 0), "test.good", "the kept rule is test.good");
	is_int(ruleset_rule_line(rs, 0), 3, "rule line is where its name is");
	c = classifier_new(rs, &e);
	if (ok(c != NULL, "classifier for the kept rules")) {
		n = run_text(c, a, "", "", "ここに大.麻の話", &v);
		d = by_rule(v, n, "test.good");
		ok(d && strstr(d->evidence, "大.麻"), "the kept rule still flags pages");
		n = run_text(c, a, "大麻の話", "http://example.jp/", "関係ない本文", &v);
		d = by_rule(v, n, "test.good");
		ok(d && !strcmp(d->evidence, "大麻の話") && d->ev_start == 0 && d->ev_end == 0,
		   "a title match is evidence without text offsets");
		n = run_text(c, a, "", "", "一 緒 に 死 の う 、練炭がある", &v);
		d = by_rule(v, n, "test.after");
		ok(d && !strcmp(d->category, "suicide_inducement") && strstr(d->evidence, "一 緒 に 死"),
		   "pattern ids line up after a file was dropped: '%s'", d ? d->evidence : "");
		ok(!by_rule(v, n, "test.good"), "and no other rule fires on it");
		n = run_text(c, a, "", "http://example.jp/%E5%A4%A7%E9%BA%BB/x", "本文", &v);
		d = by_rule(v, n, "test.good");
		ok(d && strstr(d->evidence, "大麻"), "percent-encoded URL is scanned decoded");
		classifier_free(c);
	}
	ruleset_unref(rs);

	buf_reset(&errs);
	rs = (struct ruleset *)1;
	is_int(ruleset_load("tests/rules/no-such-dir", &with_lib, &rs, &errs), PRC_IO,
	       "a missing directory is an I/O error");
	ok(rs == NULL && strstr(buf_str(&errs), "no-such-dir"), "and says which");
out:
	buf_release(&errs);
	arena_free(a);
}

static int nlogged;

static void count_log(enum log_level level, const char *msg, void *ud)
{
	(void)ud;
	if (level <= LOG_WARN && (strstr(msg, "failed") || strstr(msg, "were skipped"))) {
		nlogged++;
		if (nlogged <= 12)
			diag("log: %s", msg);
	}
}

static void test_runaway(void)
{
	struct ruleset *rs = NULL;
	struct classifier *c;
	struct verdict *v;
	struct arena *a;
	struct buf errs;
	struct err e;
	struct stat st;
	time_t t0;
	size_t n;
	int round;

	unlink("/tmp/patrol-sandbox-escaped");
	buf_init(&errs, 1 << 20);
	is_int(ruleset_load("tests/rules/runaway", &with_lib, &rs, &errs), PRC_OK,
	       "misbehaving rules still load (they misbehave at run time)");
	if (errs.len)
		diag("%s", buf_str(&errs));
	buf_release(&errs);
	if (!rs)
		return;
	is_int(ruleset_rule_count(rs), 14, "14 rules");
	c = classifier_new(rs, &e);
	ruleset_unref(rs);
	if (!ok(c != NULL, "classifier for the misbehaving rules"))
		return;
	log_set_sink(count_log, NULL);
	/*
	 * Each runaway rule is stopped by its own budget; the page deadline (a
	 * wall clock, tested below) must not cut the rounds short on a slow,
	 * busy machine (an ASan build beside other work).
	 */
	classifier_set_deadline(c, 600000);
	for (round = 1; round <= 2; round++) {
		a = arena_new();
		t0 = time(NULL);
		n = run_text(c, a, "", "", "大麻の売買について", &v);
		ok(time(NULL) - t0 < 60, "round %d: loops are cut short", round);
		is_int(n, 2, "round %d: the good rules' verdicts survive", round);
		ok(by_rule(v, n, "test.good") && by_rule(v, n, "test.after"),
		   "round %d: test.good and test.after flagged", round);
		is_int(classifier_rule_failures(c), 12 * round, "round %d: 12 failures counted",
		       round);
		arena_free(a);
	}
	is_int(nlogged, 12, "each failing rule logged once");

	/* a page deadline shorter than one runaway rule: the rules after it are skipped */
	classifier_set_deadline(c, 1);
	a = arena_new();
	n = run_text(c, a, "", "", "大麻の売買について", &v);
	ok(by_rule(v, n, "test.good") != NULL, "deadline: rules before it still give their verdicts");
	ok(by_rule(v, n, "test.after") == NULL, "deadline: the last rule is skipped");
	ok(classifier_rule_failures(c) > 24, "deadline: the skip is counted as a failure");
	is_int(nlogged, 13, "deadline: logged once");
	arena_free(a);
	a = arena_new();
	run_text(c, a, "", "", "大麻の売買について", &v);
	is_int(nlogged, 13, "deadline: not logged again");
	arena_free(a);
	log_set_sink(NULL, NULL);
	ok(stat("/tmp/patrol-sandbox-escaped", &st) != 0, "os.execute never ran");
	classifier_free(c);
}


/* Classifies html as the crawler reads it (blocks included); returns the verdicts (in a). */
static size_t run_html(struct classifier *c, struct arena *a, const char *html,
		       struct verdict **v)
{
	struct page_input p;
	struct html_doc d;
	struct err e;

	if (html_parse(a, html, strlen(html), "http://board.example.jp/t/1", NULL, 100, &d, &e) !=
	    PRC_OK) {
		diag("html_parse: %s", e.msg);
		return 0;
	}
	memset(&p, 0, sizeof(p));
	p.url = "http://board.example.jp/t/1";
	p.title = d.title;
	p.text = d.text;
	p.text_len = d.text_len;
	p.blocks = d.blocks;
	p.nblocks = d.nblocks;
	p.content_type = "text/html";
	return run_page(c, a, &p, v);
}

static struct classifier *load(const char *dir, const char *lib)
{
	struct ruleset *rs = NULL;
	struct classifier *c = NULL;
	struct buf errs;
	struct err e;

	buf_init(&errs, 1 << 20);
	if (ruleset_load(dir, &(struct ruleset_opts){ .lib_dir = lib, .cache_dir = shipped.cache_dir },
			 &rs, &errs) != PRC_OK)
		diag("%s: %s", dir, buf_str(&errs));
	buf_release(&errs);
	if (rs)
		c = classifier_new(rs, &e);
	ruleset_unref(rs);
	return c;
}

static void test_blocks(void)
{
	struct classifier *c = load("tests/rules/blocks", "lua/lib");
	struct arena *a = arena_new();
	const struct verdict *d;
	struct verdict *v;
	size_t n;

	/* the helpers, checked inside a rule */
	if (ok(c != NULL, "the helper test rule loads")) {
		n = run_html(c, a,
			     "<title>T</title><body><article><p>alpha beta</p></article>"
			     "<div class=posts><div class=p><p>alpha "
			     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx beta</p></div>"
			     "<div class=p><p>\xe3\x80\x8c" "alpha\xe3\x80\x8d gamma</p></div>"
			     "<div class=p><p>chatter</p></div></div>"
			     "<ul><li><a href=/1>alpha</a></li><li><a href=/2>x</a></li>"
			     "<li><a href=/3>y</a></li></ul>", &v);
		d = by_rule(v, n, "test.helpers");
		if (!ok(d != NULL, "near, within, same_block, per_block, quoted, by_block"))
			diag("the rule said: %s", n ? v[0].evidence : "(nothing)");
	}
	classifier_free(c);

	c = load("lua/rules", NULL);
	if (!ok(c != NULL, "the shipped rules load"))
		goto out;
	/* one harmful post among chatter, support links in the sidebar */
	n = run_html(c, a,
		     "<title>雑談スレ</title><body><aside><h2>相談先</h2><ul>"
		     "<li><a href=/h1>いのちの電話</a></li><li><a href=/h2>こころの健康相談</a></li>"
		     "<li><a href=/h3>映画の感想</a></li></ul></aside>"
		     "<dl><dt>1 名無し</dt><dd>今日は寒いね。映画でも見に行こうかな</dd>"
		     "<dt>2 名無し</dt><dd>一緒に死にませんか。練炭はこちらで用意します。"
		     "日時と場所はDMで決めましょう。</dd>"
		     "<dt>3 名無し</dt><dd>ゲームの新作やった？ 相談窓口の話はまた今度</dd></dl>", &v);
	ok(has_category(v, n, "suicide_inducement"),
	   "a guard in the sidebar or another post does not clear a harmful post");
	d = by_rule(v, n, "suicide_inducement.invitation");
	ok(d && strstr(d->evidence, "一緒に死にませんか") && !strstr(d->evidence, "ゲーム") &&
	   !strstr(d->evidence, "映画"), "the evidence is the post's own text: '%s'",
	   d ? d->evidence : "");
	/* a prevention article quoting the same words */
	n = run_html(c, a,
		     "<title>自殺予防の取り組み</title><body><article><h1>SNSの書き込みに注意</h1>"
		     "<p>「一緒に死にませんか」「練炭は用意します」といった書き込みで誘い出す"
		     "事件が起きています。悩んでいる人は、いのちの電話や相談窓口に相談して"
		     "ください。</p></article>", &v);
	ok(!has_category(v, n, "suicide_inducement"), "a prevention article's own text clears it");
	/* boilerplate alone never flags */
	n = run_html(c, a,
		     "<title>ブログ</title><body><nav><a href=/1>一緒に死にませんか</a> | "
		     "<a href=/2>練炭は用意します</a> | <a href=/3>DMで日時を決めましょう</a></nav>"
		     "<p>今日は庭の手入れをしました。</p>", &v);
	ok(n == 0, "words in a link list alone flag nothing");
	/* drug slang in a thread: the post with the offer, other posts with food */
	n = run_html(c, a,
		     "<title>雑談</title><body><dl><dt>1</dt><dd>野菜が高くなったね。レシピ教えて</dd>"
		     "<dt>2</dt><dd>手押しの野菜あります。1g 8000円、テレグラム @green_hand24 まで</dd>"
		     "<dt>3</dt><dd>アイスクリーム食べたい。店舗の営業時間は？</dd></dl>", &v);
	ok(has_category(v, n, "drug_ad"), "kitchen words in other posts do not clear a drug ad");
out:
	classifier_free(c);
	arena_free(a);
}

/* triggers: the rule runs only when each clause (one set, or any of a list) matched. */
static void test_triggers(void)
{
	struct classifier *c = load("tests/rules/triggers", "lua/lib");
	struct ruleset *rs = NULL;
	struct arena *a = arena_new();
	struct verdict *v;
	struct buf errs;
	const char *s;
	size_t n;

	if (ok(c != NULL && a != NULL, "a rule with triggers loads")) {
		n = run_text(c, a, "", "", "alpha and gamma", &v);
		ok(by_rule(v, n, "test.triggers") != NULL, "alpha and gamma: it runs");
		n = run_text(c, a, "", "", "beta then gamma", &v);
		ok(by_rule(v, n, "test.triggers") != NULL, "beta stands for alpha: it runs");
		n = run_text(c, a, "", "", "alpha beta delta", &v);
		ok(by_rule(v, n, "test.triggers") == NULL, "without gamma it does not");
		n = run_text(c, a, "", "", "gamma delta", &v);
		ok(by_rule(v, n, "test.triggers") == NULL, "gamma without alpha or beta: it does not");
	}
	classifier_free(c);
	arena_free(a);

	buf_init(&errs, 1 << 16);
	is_int(ruleset_load("tests/rules/triggers-bad", &with_lib, &rs, &errs), PRC_PARSE,
	       "triggers naming what is not there are refused");
	s = buf_str(&errs);
	if (!ok(strstr(s, "bad.lua:7: triggers names 'nope', which is not a pattern set of the rule") != NULL,
		"an unknown set at file:line"))
		diag("errors:\n%s", s);
	ok(strstr(s, "bad.lua:14: triggers clause 1 must be a set name or a list of set names") != NULL,
	   "a clause that is not a name or a list");
	ok(strstr(s, "bad.lua:21: triggers must be a list") != NULL, "an empty list");
	if (!ok(rs == NULL, "and nothing is loaded"))
		ruleset_unref(rs);
	buf_release(&errs);
}

int main(void)
{
	shipped.cache_dir = getenv("PATROL_TEST_CACHE");
	test_shipped_rules();
	test_evidence();
	test_broken();
	test_runaway();
	test_blocks();
	test_triggers();
	return done_testing();
}
