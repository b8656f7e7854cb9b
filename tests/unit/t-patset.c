/*
 * t-patset.c - unit tests for the pattern sets' start of match. Hyperscan
 * compiles every expression without start-of-match tracking, and patset.c
 * finds each match's start after the scan; this test holds that to
 * Hyperscan's own HS_FLAG_SOM_LEFTMOST: for every expression that compiles
 * with it, over the conformance texts and thousands of generated ones, the
 * (id, from, to) of every match must be the same. Then: each of the
 * ordinary Japanese regexes of tests/conformance/ja-regexes.txt compiles
 * (those that SOM refuses with "Pattern is too large" included) and
 * matches its samples and not its counter-samples; a serialized set finds
 * the same; a rule with such a pattern loads through the compile child (a
 * bare fork here: this binary names no executable) and its evidence is
 * exact; the request an exec'd compile child reads round-trips and is
 * refused whole when cut or wrong. Run from the repository root.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hs/hs.h>

#include "classifiers/classify.h"
#include "classifiers/normalize.h"
#include "classifiers/patset.h"
#include "tests/tap.h"
#include "tests/xorshift.h"
#include "util/arena.h"

/* the rules of a test directory with the shipped helper library */
static const struct ruleset_opts with_lib = { .lib_dir = "lua/lib" };

#define CONFORMANCE "tests/conformance/ja-regexes.txt"
#define MAXPAT 400
#define NGEN 3000

struct pat {
	char *expr;
	unsigned flags;
	char **yes, **no; /* samples */
	size_t nyes, nno;
	hs_database_t *som; /* compiled alone with SOM_LEFTMOST, NULL when refused */
};

static struct pat pats[MAXPAT];
static size_t npats, nconf;

struct m {
	unsigned id;
	size_t from, to;
};

struct mlist {
	struct m *v;
	size_t n, cap;
};

static void add(struct mlist *l, unsigned id, size_t from, size_t to)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n].id = id;
	l->v[l->n].from = from;
	l->v[l->n].to = to;
	l->n++;
}

static int collect(unsigned id, size_t from, size_t to, void *ud)
{
	add(ud, id, from, to);
	return 0;
}

struct hsud {
	struct mlist *l;
	unsigned id;
};

static int hs_collect(unsigned int id, unsigned long long from, unsigned long long to,
		      unsigned int flags, void *ud)
{
	struct hsud *h = ud;

	(void)id;
	(void)flags;
	add(h->l, h->id, (size_t)from, (size_t)to);
	return 0;
}

static int cmp_m(const void *pa, const void *pb)
{
	const struct m *a = pa, *b = pb;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	return 0;
}

static char **push(char **v, size_t *n, const char *s)
{
	v = realloc(v, (*n + 1) * sizeof(*v));
	if (!v || !(v[*n] = strdup(s)))
		abort();
	(*n)++;
	return v;
}

static void add_pat(const char *expr, unsigned flags)
{
	if (npats == MAXPAT)
		abort();
	memset(&pats[npats], 0, sizeof(pats[npats]));
	pats[npats].expr = strdup(expr);
	pats[npats].flags = flags;
	npats++;
}

static int load_conformance(void)
{
	FILE *f = fopen(CONFORMANCE, "r");
	char line[4096];
	size_t l;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		l = strcspn(line, "\r\n");
		line[l] = 0;
		if (!strncmp(line, "re ", 3)) {
			add_pat(line + 3, PATSET_CASELESS);
		} else if (npats && !strncmp(line, "+ ", 2)) {
			pats[npats - 1].yes = push(pats[npats - 1].yes, &pats[npats - 1].nyes, line + 2);
		} else if (npats && !strncmp(line, "- ", 2)) {
			pats[npats - 1].no = push(pats[npats - 1].no, &pats[npats - 1].nno, line + 2);
		}
	}
	fclose(f);
	nconf = npats;
	return 0;
}

/* The norm view of s, malloc'd. */
static char *norm(const char *s, size_t *len)
{
	struct arena *a = arena_new();
	struct nview n, q;
	char *out = NULL;

	if (a && normalize_views(a, s, strlen(s), &n, &q) == PRC_OK) {
		out = malloc(n.len + 1);
		if (out) {
			memcpy(out, n.s, n.len + 1);
			*len = n.len;
		}
	}
	arena_free(a);
	return out;
}

static struct patset *compile(struct err *e)
{
	struct patset_expr *ex = calloc(npats, sizeof(*ex));
	const struct patset_expr *exs[PATSET_NVIEWS] = { NULL, NULL };
	size_t n[PATSET_NVIEWS] = { 0, 0 }, bi = 0, i;
	struct patset *ps = NULL;
	int bv = 0;

	for (i = 0; i < npats; i++) {
		ex[i].expr = pats[i].expr;
		ex[i].flags = pats[i].flags;
		ex[i].id = (unsigned)i;
	}
	exs[PATSET_NORM] = ex;
	n[PATSET_NORM] = npats;
	if (patset_compile(exs, n, &ps, &bv, &bi, e) != PRC_OK)
		diag("compile: %s (view %d, expression %zu)", e->msg, bv, bi);
	free(ex);
	return ps;
}

/* The SOM reference and patset's answer for one text; returns the matches compared. */
static size_t compare(const struct patset *ps, struct patset_scratch *sc, hs_scratch_t *hsc,
		      const char *s, size_t len, int *same, char *first_diff, size_t fdsize)
{
	struct mlist ref = { NULL, 0, 0 }, got = { NULL, 0, 0 }, kept = { NULL, 0, 0 };
	struct hsud h;
	size_t i, k;

	for (i = 0; i < npats; i++) {
		if (!pats[i].som)
			continue;
		h.l = &ref;
		h.id = (unsigned)i;
		hs_scan(pats[i].som, s, (unsigned)len, 0, hsc, hs_collect, &h);
	}
	patset_scan(ps, PATSET_NORM, sc, s, len, collect, &got, NULL);
	for (i = 0; i < got.n; i++)
		if (pats[got.v[i].id].som)
			add(&kept, got.v[i].id, got.v[i].from, got.v[i].to);
	if (ref.n > 1)
		qsort(ref.v, ref.n, sizeof(*ref.v), cmp_m);
	if (kept.n > 1)
		qsort(kept.v, kept.n, sizeof(*kept.v), cmp_m);
	for (k = 0; k < ref.n && k < kept.n && !cmp_m(&ref.v[k], &kept.v[k]); k++)
		;
	if (ref.n != kept.n || k < ref.n) {
		if (*same) {
			const struct m *r = k < ref.n ? &ref.v[k] : NULL, *g = k < kept.n ? &kept.v[k] : NULL;
			size_t lo = r && g ? (r->from < g->from ? r->from : g->from) : r ? r->from : g->from;
			size_t hi = r ? r->to : g->to;

			snprintf(first_diff, fdsize,
				 "pattern %u '%s': SOM [%zu,%zu) patset [%zu,%zu) in '%.*s' (%zu vs %zu matches)",
				 r ? r->id : g->id, pats[r ? r->id : g->id].expr, r ? r->from : 0,
				 r ? r->to : 0, g ? g->from : 0, g ? g->to : 0, (int)(hi - lo), s + lo,
				 ref.n, kept.n);
		}
		*same = 0;
	}
	i = ref.n;
	free(ref.v);
	free(got.v);
	free(kept.v);
	return i;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	return xorshift64(&rng);
}

/* Pieces generated texts are made of: the samples' characters, and what bends widths. */
static const char *const extra[] = {
	" ", " ", "\n", "-", ",", ".", ":", "@", "_", "/", "0", "1", "2", "3", "4", "5", "6",
	"7", "8", "9", "000", "1234567", "a", "b", "c", "k", "K", "s", "x", "y", "z", "ab",
	"abc", "key", "sim", "SIM", "\xc5\xbf" "im", "\xe2\x84\xaa" "ey", "line", "id", "dm",
	"kakao", "\xc3\x9f", "ss", "g", "円", "万", "銀行", "支店", "普通", "当座", "様",
	"振込先", "お振込先", "\xe2\x84\xaa", "\xc5\xbf", "é", "E\xcc\x81",
	/* where scripts and case folding disagree between engines */
	"ー", "ｰ", "々", "〆", "ヶ", "・", "ゝ", "ゞ", "ヽ", "゛", "\xe3\x82\x99", "カ", "ｶ", "Σ",
	"σ", "ς", "\xe1\xba\x9e", "ǅ", "ǆ", "Ǆ", "ﬀ", "İ", "ı",
};

static char *generate(char **pieces, size_t npieces)
{
	size_t n = 10 + next() % 60, i, len = 0;
	char *s = malloc(4096);

	if (!s)
		abort();
	for (i = 0; i < n; i++) {
		const char *p;
		size_t l;

		if (next() % 4 == 0)
			p = extra[next() % (sizeof(extra) / sizeof(extra[0]))];
		else
			p = pieces[next() % npieces];
		l = strlen(p);
		if (len + l >= 4096)
			break;
		memcpy(s + len, p, l);
		len += l;
	}
	s[len] = 0;
	return s;
}

/* Every character and every 2..6-character run of the samples, as pieces. */
static char **sample_pieces(size_t *np)
{
	char **v = NULL;
	size_t n = 0, i, k;

	for (i = 0; i < nconf; i++) {
		for (k = 0; k < pats[i].nyes + pats[i].nno; k++) {
			const char *s = k < pats[i].nyes ? pats[i].yes[k] : pats[i].no[k - pats[i].nyes];
			size_t len = 0, l;
			char *t = norm(s, &len);
			const char *p = t;

			if (!t)
				continue;
			v = push(v, &n, t); /* the whole sample too */
			while (*p) {
				size_t take = 1 + next() % 6, c = 0;

				for (l = 0; p[l] && c < take; c++) {
					l++;
					while (((unsigned char)p[l] & 0xC0) == 0x80)
						l++;
				}
				{
					char buf[64];

					if (l < sizeof(buf)) {
						memcpy(buf, p, l);
						buf[l] = 0;
						v = push(v, &n, buf);
					}
				}
				p += l;
			}
			free(t);
		}
	}
	*np = n;
	return v;
}

static void test_som(void)
{
	static const char *const more[][2] = {
		/* assertions at both ends, anchors, widths bent by caseless folding */
		{ "(^|[^a-z])key($|[^a-z])", "i" }, { "^abc", "" }, { "key$", "i" }, { "xyz$", "" }, { "k[a-z]{1,3}", "i" },
		{ "(a|bc|def)+g", "" }, { "[0-9]+円", "" }, { "sim", "i" }, { "kakao", "i" },
		{ "ss", "i" }, { "\\xdf", "i" }, { ".{2,5}x", "" }, { "a.*b", "" },
		{ "\\d{2,4}-\\d{2,4}", "" }, { "(ab|a)(bc|c)", "" }, { "x(a|ab)(c|bcd)y", "" },
		{ "\\w+@\\w+", "" }, { "[^ ]{3,8}円", "" }, { "(?i)line ?id", "" },
		{ "id:? ?[a-z0-9_]{3,}$", "i" }, { "\\s[0-9]{3}\\s", "" }, { "^[a-z]{2}", "" },
		{ "(銀行|支店).{0,4}", "" }, { "振込先.{0,10}\\d", "" }, { "[k]+ey", "i" },
		{ "(?:k|\\x{212a})ey", "" }, { "e\\x{301}?", "" }, { "c{2,}|ab", "" },
		{ "\\p{Katakana}{2,}", "" }, { "[\\p{Han}々]{2,4}", "" }, { "\\p{Hiragana}+ー", "" },
		{ "\\P{Han}{1,3}様", "" }, { "[^\\p{Hiragana}]{2}ちゃん", "" }, { "σ{1,3}x?", "i" },
		{ "\\xdf|ss", "i" }, { "ǆ+", "i" }, { "\\p{L}{2,3}\\d", "" }, { "i+", "i" },
	};
	struct patset *ps, *ps2 = NULL;
	struct patset_scratch *sc = NULL, *sc2 = NULL;
	hs_scratch_t *hsc = NULL;
	hs_compile_error_t *ce;
	struct err e;
	char diff[1024] = "", **pieces, *blob = NULL;
	size_t i, k, np, compared = 0, texts = 0, refused = 0, bloblen = 0;
	int same = 1, same2 = 1;

	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		add_pat(more[i][0], *more[i][1] ? PATSET_CASELESS : 0);
	/* the conformance regexes again, case-sensitive */
	for (i = 0; i < nconf; i++)
		add_pat(pats[i].expr, 0);
	/* literals as the loader writes them */
	{
		static const char *const lits[] = { "sim", "kakao", "line", "大麻", "sk", "Kk",
						    "ss", "お振込先", "dm", "ｱｲｽ", "k-1" };

		for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
			size_t l = 0;
			char *n = norm(lits[i], &l), *x = patset_escape_literal(n);

			add_pat(x, PATSET_CASELESS);
			add_pat(x, 0);
			free(n);
			free(x);
		}
	}
	for (i = 0; i < npats; i++) {
		unsigned fl = HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SOM_LEFTMOST |
			      (pats[i].flags & PATSET_CASELESS ? HS_FLAG_CASELESS : 0);

		if (hs_compile(pats[i].expr, fl, HS_MODE_BLOCK, NULL, &pats[i].som, &ce) !=
		    HS_SUCCESS) {
			pats[i].som = NULL;
			refused++;
			if (i < nconf)
				diag("SOM refuses '%s': %s", pats[i].expr, ce->message);
			hs_free_compile_error(ce);
			continue;
		}
		if (hs_alloc_scratch(pats[i].som, &hsc) != HS_SUCCESS)
			abort();
	}
	ok(refused >= 8, "Hyperscan's SOM refuses %zu of the %zu expressions", refused, npats);
	ps = compile(&e);
	if (!ok(ps != NULL, "all %zu expressions compile into one set", npats))
		return;
	sc = patset_scratch_new(ps, &e);
	i = patset_serialize(ps, &blob, &bloblen, &e) == PRC_OK &&
	    patset_deserialize(blob, bloblen, &ps2, &e) == PRC_OK;
	ok(i, "the set serializes and loads again (%zu bytes)", bloblen);
	if (ps2)
		sc2 = patset_scratch_new(ps2, &e);
	/* the samples, as written and normalized */
	for (i = 0; i < nconf; i++) {
		for (k = 0; k < pats[i].nyes + pats[i].nno; k++) {
			const char *s = k < pats[i].nyes ? pats[i].yes[k] : pats[i].no[k - pats[i].nyes];
			size_t l = 0;
			char *t = norm(s, &l);

			compared += compare(ps, sc, hsc, s, strlen(s), &same, diff, sizeof(diff));
			compared += compare(ps, sc, hsc, t, l, &same, diff, sizeof(diff));
			texts += 2;
			free(t);
		}
	}
	pieces = sample_pieces(&np);
	for (i = 0; i < NGEN; i++) {
		char *g = generate(pieces, np);

		compared += compare(ps, sc, hsc, g, strlen(g), &same, diff, sizeof(diff));
		if (sc2 && i % 10 == 0)
			compare(ps2, sc2, hsc, g, strlen(g), &same2, diff, sizeof(diff));
		texts++;
		free(g);
	}
	if (!ok(same, "every start equals Hyperscan's SOM_LEFTMOST: %zu matches over %zu texts",
		compared, texts))
		diag("first difference: %s", diff);
	ok(compared > 20000, "the comparison is not empty (%zu matches)", compared);
	ok(same2 && sc2, "the serialized set finds the same");
	is_int(patset_scratch_misses(sc), 0, "PCRE2 found every start within its limits");
	for (i = 0; i < np; i++)
		free(pieces[i]);
	free(pieces);
	free(blob);
	patset_scratch_free(sc);
	patset_scratch_free(sc2);
	patset_free(ps);
	patset_free(ps2);
	hs_free_scratch(hsc);
}

/* Every conformance regex alone passes the check, and matches its samples. */
static void test_conformance(void)
{
	struct patset *ps;
	struct patset_scratch *sc;
	struct err e;
	size_t i, k, bad_check = 0, bad_yes = 0, bad_no = 0, nyes = 0, nno = 0, saved = npats;

	npats = nconf;
	ok(nconf >= 100, "%zu regexes in %s", nconf, CONFORMANCE);
	for (i = 0; i < nconf; i++) {
		if (patset_check(pats[i].expr, pats[i].flags, &e) != PRC_OK) {
			diag("refused '%s': %s", pats[i].expr, e.msg);
			bad_check++;
		}
		if (!pats[i].nyes) {
			diag("'%s' has no sample", pats[i].expr);
			bad_yes++;
		}
	}
	is_int(bad_check, 0, "every regex passes the check");
	ps = compile(&e);
	if (!ok(ps != NULL, "every regex compiles (through the compile child)")) {
		npats = saved;
		return;
	}
	sc = patset_scratch_new(ps, &e);
	for (i = 0; i < nconf; i++) {
		for (k = 0; k < pats[i].nyes + pats[i].nno; k++) {
			int yes = k < pats[i].nyes;
			const char *s = yes ? pats[i].yes[k] : pats[i].no[k - pats[i].nyes];
			struct mlist got = { NULL, 0, 0 };
			size_t l = 0, j, hit = 0;
			char *t = norm(s, &l);

			patset_scan(ps, PATSET_NORM, sc, t, l, collect, &got, NULL);
			for (j = 0; j < got.n; j++) {
				if (got.v[j].id != i)
					continue;
				hit = 1;
				if (got.v[j].from >= got.v[j].to || got.v[j].to > l)
					bad_yes++;
			}
			if (yes && !hit) {
				diag("'%s' does not match '%s' (normalized '%s')", pats[i].expr, s, t);
				bad_yes++;
			}
			if (!yes && hit) {
				diag("'%s' matches '%s' (normalized '%s')", pats[i].expr, s, t);
				bad_no++;
			}
			nyes += yes;
			nno += !yes;
			free(got.v);
			free(t);
		}
	}
	is_int(bad_yes, 0, "each regex matches its %zu samples", nyes);
	is_int(bad_no, 0, "and none of its %zu counter-samples", nno);
	patset_scratch_free(sc);
	patset_free(ps);
	npats = saved;
}

/*
 * Makes the directory dir (a mkdtemp template) holding one rule file, name,
 * with lua in it; its path into path. Aborts when it cannot.
 */
static void rule_file(char *dir, char *path, size_t size, const char *name, const char *lua)
{
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(lua, f);
	fclose(f);
}

/*
 * Runs c on text as the page at url: *v and *n get its verdicts (*n stays 0
 * when c or a is missing, and is 0 when the run fails).
 */
static void run_page(struct classifier *c, struct arena *a, const char *url, const char *text,
		     struct verdict **v, size_t *n)
{
	struct page_input p;

	if (!c || !a)
		return;
	memset(&p, 0, sizeof(p));
	p.url = p.final_url = url;
	p.title = p.content_type = "";
	p.text = text;
	p.text_len = strlen(text);
	if (classifier_run(c, a, &p, v, n, NULL, NULL, NULL) != PRC_OK)
		*n = 0;
}

/* A rule with bounded gaps that SOM refuses loads, flags, and quotes exactly. */
static void test_rule(void)
{
	char dir[] = "/tmp/t-patset-XXXXXX", path[256];
	const char *text = "ご入金はこちらへ。お振込先：みずほ銀行 渋谷支店 普通 1234567 まで。";
	const char *want = "お振込先：みずほ銀行 渋谷支店 普通 1234567";
	struct ruleset *rs = NULL;
	struct classifier *c = NULL;
	struct arena *a = arena_new();
	struct verdict *v = NULL;
	struct buf errs;
	size_t n = 0;

	buf_init(&errs, 1u << 20);
	rule_file(dir, path, sizeof(path), "bank.lua",
		  "return {\n"
		  "  name = \"test.bank\", category = \"bank_account_trade\",\n"
		  "  patterns = { acct = {\n"
		  "    { re = [[(振込先|お振込先).{0,60}(普通|当座).{0,20}[0-9]{7}]] },\n"
		  "    { re = [[(楽天|paypay|住信sbi)銀行.{0,40}[0-9]{7}]] },\n"
		  "  } },\n"
		  "  classify = function(page, m) return #m.acct > 0 and 1 or 0 end,\n"
		  "}\n");
	if (!ok(ruleset_load(dir, &with_lib, &rs, &errs) == PRC_OK,
		"a rule whose patterns SOM refuses loads"))
		diag("%s", buf_str(&errs));
	if (rs)
		c = classifier_new(rs, NULL);
	run_page(c, a, "http://example.jp/", text, &v, &n);
	if (ok(n == 1, "it flags the page")) {
		ok(v[0].ev_end - v[0].ev_start == strlen(want) &&
			   !memcmp(text + v[0].ev_start, want, strlen(want)),
		   "the evidence span is the match as written: '%.*s'",
		   (int)(v[0].ev_end - v[0].ev_start), text + v[0].ev_start);
	}
	classifier_free(c);
	ruleset_unref(rs);
	arena_free(a);
	buf_release(&errs);
	unlink(path);
	rmdir(dir);
}

/* Reference: every match of expr alone, with Hyperscan's own SOM_LEFTMOST, as id. */
static void som_reference(const char *expr, unsigned flags, unsigned id, const char *s,
			  struct mlist *out)
{
	hs_compile_error_t *ce = NULL;
	hs_database_t *db = NULL;
	hs_scratch_t *hsc = NULL;
	struct hsud h = { out, id };
	unsigned f = HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SOM_LEFTMOST |
		     ((flags & PATSET_CASELESS) ? HS_FLAG_CASELESS : 0);

	if (hs_compile(expr, f, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
		hs_free_compile_error(ce);
		return;
	}
	hs_alloc_scratch(db, &hsc);
	hs_scan(db, s, (unsigned)strlen(s), 0, hsc, hs_collect, &h);
	hs_free_scratch(hsc);
	hs_free_database(db);
}

/* Unbounded expressions get their start from a database of their own, shared by equal ones. */
static void test_som_groups(void)
{
	static const struct patset_expr ex[] = {
		{ "\\d[\\d,]{3,}\\s*円", 0, 10 },
		{ "\\d[\\d,]{3,}\\s*円", 0, 11 },             /* the same: one group */
		{ "@[a-z0-9_]{4,}", PATSET_CASELESS, 12 },
		{ "円", 0, 13 },
		{ "\\d[\\d,]{3,}\\s*円", PATSET_CASELESS, 14 }, /* other flags: its own group */
		{ "(^|[^0-9])[1-9]\\d{4,}($|[^0-9])", 0, 15 },
	};
	const char *text = "価格 1,000円 と 23,456 円、連絡は @Abcdef まで 9999円 や 1234567 口座 "
			   "また 12,345,678円 @xy";
	const struct patset_expr *exs[PATSET_NVIEWS] = { ex, NULL };
	size_t n[PATSET_NVIEWS] = { sizeof(ex) / sizeof(ex[0]), 0 }, bi = 0, i, k, len = strlen(text);
	struct mlist got = { NULL, 0, 0 }, got2 = { NULL, 0, 0 }, ref = { NULL, 0, 0 };
	struct patset_scratch *sc = NULL, *sc2 = NULL;
	struct patset *ps = NULL, *ps2 = NULL;
	char *blob = NULL;
	size_t bloblen = 0, refused = 0, tried = 0;
	int bv = 0, ordered = 1, same;
	struct err e;

	if (patset_compile(exs, n, &ps, &bv, &bi, &e) == PRC_OK)
		sc = patset_scratch_new(ps, &e);
	if (!ok(sc != NULL, "a set with three groups of unbounded expressions compiles"))
		goto out;
	patset_scan(ps, PATSET_NORM, sc, text, len, collect, &got, NULL);
	for (i = 1; i < got.n; i++)
		if (got.v[i].to < got.v[i - 1].to)
			ordered = 0;
	ok(ordered, "matches come in the order of their ends");
	for (i = 0; i < n[PATSET_NORM]; i++)
		if (ex[i].id != 13)
			som_reference(ex[i].expr, ex[i].flags, ex[i].id, text, &ref);
	som_reference("円", 0, 13, text, &ref);
	qsort(ref.v, ref.n, sizeof(*ref.v), cmp_m);
	qsort(got.v, got.n, sizeof(*got.v), cmp_m);
	same = ref.n == got.n;
	for (k = 0; same && k < ref.n; k++)
		same = !cmp_m(&ref.v[k], &got.v[k]);
	ok(same && ref.n >= 12, "every start is Hyperscan's SOM_LEFTMOST (%zu matches, %zu expected)",
	   got.n, ref.n);
	is_int(patset_scratch_misses(sc), 0, "no start was guessed");

	/* the groups survive the cache */
	same = patset_serialize(ps, &blob, &bloblen, &e) == PRC_OK &&
	       patset_deserialize(blob, bloblen, &ps2, &e) == PRC_OK &&
	       (sc2 = patset_scratch_new(ps2, &e)) != NULL;
	if (ok(same, "the set serializes and loads again (%zu bytes)", bloblen)) {
		patset_scan(ps2, PATSET_NORM, sc2, text, len, collect, &got2, NULL);
		qsort(got2.v, got2.n, sizeof(*got2.v), cmp_m);
		same = got2.n == got.n;
		for (k = 0; same && k < got.n; k++)
			same = !cmp_m(&got.v[k], &got2.v[k]);
		ok(same, "the loaded set finds the same matches and starts");
	}
	/* a cut anywhere is refused, never half loaded */
	for (i = 0; blob && i < bloblen; i += (bloblen - i > 64 ? 97 : 1)) {
		struct patset *bad = NULL;

		tried++;
		if (patset_deserialize(blob, i, &bad, &e) == PRC_PARSE && !bad)
			refused++;
		patset_free(bad);
	}
	is_int(refused, tried, "every one of %zu truncated blobs is refused", tried);
out:
	free(blob);
	free(got.v);
	free(got2.v);
	free(ref.v);
	patset_scratch_free(sc);
	patset_scratch_free(sc2);
	patset_free(ps);
	patset_free(ps2);
}

/* A page made of matches: the searches stop at their budget, every match is still reported. */
static void test_budget(void)
{
	struct patset_expr ex = { "a.{0,60}b", PATSET_CASELESS, 5 };
	const struct patset_expr *exs[PATSET_NVIEWS] = { &ex, NULL };
	size_t n[PATSET_NVIEWS] = { 1, 0 }, bi = 0, len = 400000, i, bad = 0;
	struct mlist got = { NULL, 0, 0 };
	struct patset_scratch *sc = NULL;
	struct patset *ps = NULL;
	char *s = malloc(len + 1);
	struct err e;
	int bv = 0;

	for (i = 0; i < len; i++)
		s[i] = i % 2 ? 'b' : 'a';
	s[len] = 0;
	if (patset_compile(exs, n, &ps, &bv, &bi, &e) == PRC_OK)
		sc = patset_scratch_new(ps, &e);
	if (ok(sc != NULL, "a set of one bounded gap"))
		patset_scan(ps, PATSET_NORM, sc, s, len, collect, &got, NULL);
	for (i = 0; i < got.n; i++)
		if (got.v[i].from >= got.v[i].to || got.v[i].to > len || got.v[i].id != 5)
			bad++;
	is_int(got.n, len / 2, "every end of 'ab' x %zu is reported", len / 2);
	is_int(bad, 0, "each with a start before its end");
	ok(patset_scratch_misses(sc) > 0 && patset_scratch_misses(sc) < got.n,
	   "searches stopped at the budget: %zu of %zu starts not searched",
	   patset_scratch_misses(sc), got.n);
	free(got.v);
	free(s);
	patset_scratch_free(sc);
	patset_free(ps);
}

/* Runs the rules of dir on text; the names of the rules that flag it, space-separated. */
static void flagged(const char *dir, const char *text, char *out, size_t size, char *ev,
		    size_t evsize)
{
	struct ruleset *rs = NULL;
	struct classifier *c = NULL;
	struct arena *a = arena_new();
	struct verdict *v = NULL;
	struct buf errs;
	size_t n = 0, i, o = 0;

	*out = 0;
	*ev = 0;
	buf_init(&errs, 1u << 20);
	if (ruleset_load(dir, &with_lib, &rs, &errs) != PRC_OK)
		diag("%s", buf_str(&errs));
	if (rs)
		c = classifier_new(rs, NULL);
	run_page(c, a, "http://example.jp/page/20240101", text, &v, &n);
	for (i = 0; i < n && o + 1 < size; i++) {
		o += (size_t)snprintf(out + o, size - o, "%s%s", o ? " " : "", v[i].rule);
		if (!strcmp(v[i].rule, "t.link") && v[i].ev_end > v[i].ev_start)
			snprintf(ev, evsize, "%.*s", (int)(v[i].ev_end - v[i].ev_start),
				 text + v[i].ev_start);
	}
	classifier_free(c);
	ruleset_unref(rs);
	arena_free(a);
	buf_release(&errs);
}

/* Digits of a URL in the text are no money and no id, in either view. */
static void test_url_digits(void)
{
	static const char *const cases[][2] = {
		{ "詳しくは http://example.jp/c4/12345 円", "" },
		{ "詳しくは http://example.jp/c4/12345円です", "" },
		{ "ＨＴＴＰ：／／ｅｘ．ｊｐ／１２３４５ 円", "" },
		{ "口座 https://bank.example/acct/1234567 を確認", "" },
		{ "振込は www.example.jp/p?id=7654321&x=1 から", "" },
		{ "h t t p : / / example.jp/c4/12345円", "t.money" }, /* not a URL any more */
		{ "報酬は 12,345 円", "t.money" },
		{ "報酬は１２３４５円", "t.money" },
		{ "口座 1234567", "t.acct" },
		{ "http://example.jp/1 のあと 口座 7654321", "t.acct" },
	};
	char dir[] = "/tmp/t-patset-url-XXXXXX", path[256], got[256], ev[256];
	size_t i;

	rule_file(dir, path, sizeof(path), "url.lua",
		  "return {\n"
		  "  { name = \"t.money\", category = \"drug_ad\",\n"
		  "    patterns = { money = { { re = [[\\d[\\d,]{3,}\\s*円]] }, view = \"both\" } },\n"
		  "    classify = function(page, m) return #m.money > 0 and 1 or 0 end },\n"
		  "  { name = \"t.acct\", category = \"bank_account_trade\",\n"
		  "    patterns = { acct = { { re = [[(^|[^0-9])[0-9]{7}($|[^0-9])]] }, view = \"both\" } },\n"
		  "    classify = function(page, m) return #m.acct > 0 and 1 or 0 end },\n"
		  "  { name = \"t.link\", category = \"drug_ad\",\n"
		  "    patterns = { link = { { re = [[(^|[^a-z])t\\.me/[a-z0-9_]{5,32}]] } } },\n"
		  "    classify = function(page, m) return #m.link > 0 and 1 or 0 end },\n"
		  "}\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		flagged(dir, cases[i][0], got, sizeof(got), ev, sizeof(ev));
		is_str(got, cases[i][1], "'%s' flags '%s'", cases[i][0], cases[i][1]);
	}
	flagged(dir, "連絡は https://t.me/ab12345 まで", got, sizeof(got), ev, sizeof(ev));
	is_str(ev, "/t.me/ab12345", "a URL pattern still spans the URL's digits, quoted as written");
	unlink(path);
	rmdir(dir);
}

/* rq holds nothing: what a refused request must leave */
static int request_empty(const struct patset_request *rq)
{
	int v;

	for (v = 0; v < PATSET_NVIEWS; v++)
		if (rq->ex[v] || rq->n[v])
			return 0;
	return rq->mem == 0;
}

/* Rewrites the 32-bit little-endian field at off. */
static void put32(char *p, size_t off, uint32_t v)
{
	p[off] = (char)(v & 0xff);
	p[off + 1] = (char)((v >> 8) & 0xff);
	p[off + 2] = (char)((v >> 16) & 0xff);
	p[off + 3] = (char)(v >> 24);
}

/*
 * The request the compile child reads (patset_request_*): a round trip
 * gives back every expression, flag and id; a request cut anywhere, with a
 * byte too many, or with a field that does not add up is refused with its
 * reason and leaves nothing behind.
 */
static void test_request(void)
{
	static const struct patset_expr norm[] = {
		{ "大麻|覚醒剤", PATSET_CASELESS, 7 },
		{ "[0-9]{3}-[0-9]{4}", 0, 0 },
		{ "x", 0, 4294967295u },
	};
	static const struct patset_expr squeezed[] = { { "\\p{Han}{2}", PATSET_CASELESS, 12 } };
	const struct patset_expr *ex[PATSET_NVIEWS] = { norm, squeezed };
	const struct patset_expr *none[PATSET_NVIEWS] = { NULL, NULL };
	size_t n[PATSET_NVIEWS] = { 3, 1 }, zero[PATSET_NVIEWS] = { 0, 0 };
	struct patset_request rq;
	hs_platform_info_t plat;
	char *req = NULL, *bad;
	size_t len = 0, i, cut_ok = 0, first;
	struct err e;
	int v, same = 1;

	if (!ok(patset_request_encode(ex, n, 123456789012ull, &req, &len, &e) == PRC_OK,
		"a request encodes"))
		return;
	is_int(patset_request_decode(req, len, &rq, &e), PRC_OK, "and decodes");
	is_int(rq.mem, 123456789012ll, "the memory bound comes back");
	memset(&plat, 0, sizeof(plat));
	ok(hs_populate_platform(&plat) == HS_SUCCESS && rq.has_platform && rq.tune == plat.tune &&
	   rq.cpu_features == plat.cpu_features && rq.reserved1 == plat.reserved1 &&
	   rq.reserved2 == plat.reserved2, "so does the platform of the process that wrote it");
	for (v = 0; v < PATSET_NVIEWS; v++) {
		if (rq.n[v] != n[v]) {
			same = 0;
			continue;
		}
		for (i = 0; i < n[v]; i++)
			same &= !strcmp(rq.ex[v][i].expr, ex[v][i].expr) &&
				rq.ex[v][i].flags == ex[v][i].flags && rq.ex[v][i].id == ex[v][i].id &&
				rq.ex[v][i].expr > req && rq.ex[v][i].expr < req + len;
	}
	ok(same, "every expression, flag and id of both views comes back, pointing into the request");
	patset_request_release(&rq);
	ok(request_empty(&rq), "release empties the request");

	/* cut anywhere: refused as cut short, nothing half read */
	for (i = 0; i < len; i++) {
		memset(&rq, 0xa5, sizeof(rq));
		if (patset_request_decode(req, i, &rq, &e) == PRC_PARSE && request_empty(&rq) &&
		    strstr(e.msg, "the compile request is cut short"))
			cut_ok++;
		else if (cut_ok == i)
			diag("cut at %zu: %s", i, e.msg);
	}
	is_int(cut_ok, len, "a request cut at any of its %zu bytes is refused and leaves nothing", len);
	patset_request_decode(req, len - 3, &rq, &e);
	is_str(e.msg, "the compile request is cut short (157 of 160 bytes)", "saying how short");

	bad = malloc(len + 1);
	if (!ok(bad != NULL, "memory for the bad requests")) {
		free(req);
		return;
	}
	memcpy(bad, req, len);
	bad[len] = 'x';
	is_int(patset_request_decode(bad, len + 1, &rq, &e), PRC_PARSE, "a byte too many is refused");
	is_str(e.msg, "the compile request has 1 bytes past its end", "saying so");
	ok(request_empty(&rq), "and leaves nothing");

	memcpy(bad, "PSRX", 4);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "another magic is refused");
	ok(strstr(e.msg, "not a compile request") != NULL, "as not a request: %s", e.msg);
	memcpy(bad, req, len);
	put32(bad, 4, 2);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "another format is refused");
	is_str(e.msg, "the compile request has format 2, not 1", "naming it");

	memcpy(bad, req, len);
	put32(bad, 16 + 8, 2);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "a platform neither there nor not is refused");
	is_str(e.msg, "the compile request's platform is neither there nor absent (2)", "saying so");

	/* view 0 claims 4 expressions: the 4th would be where view 1's count is */
	memcpy(bad, req, len);
	first = 16 + 8 + 32; /* the head, the bound, the platform: view 0's count */
	put32(bad, first, 4);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "a count that does not add up is refused");
	ok(request_empty(&rq), "and leaves nothing behind (view 0 was read already): %s", e.msg);
	memcpy(bad, req, len);
	put32(bad, first, 1000000);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "a count past the request is refused");
	ok(strstr(e.msg, "more than its") != NULL, "before any allocation: %s", e.msg);
	/* the first expression's length, one more than it is */
	memcpy(bad, req, len);
	put32(bad, first + 4 + 8, (uint32_t)strlen(norm[0].expr) + 1);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "a wrong expression length is refused");
	ok(strstr(e.msg, "view 0 expression 0 is not") != NULL, "naming the expression: %s", e.msg);
	memcpy(bad, req, len);
	put32(bad, first + 4 + 8, 100000);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "a length past the end is refused");
	ok(strstr(e.msg, "runs past its end") != NULL, "saying so: %s", e.msg);
	memcpy(bad, req, len);
	put32(bad, first + 4, 2);
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "unknown flags are refused");
	ok(request_empty(&rq) && strstr(e.msg, "unknown flags 0x2") != NULL, "%s", e.msg);
	/* a NUL inside an expression (its 3rd byte) */
	memcpy(bad, req, len);
	bad[first + 4 + 12 + 2] = 0;
	is_int(patset_request_decode(bad, len, &rq, &e), PRC_PARSE, "a NUL inside an expression is refused");
	free(bad);
	free(req);

	req = NULL;
	same = patset_request_encode(none, zero, 0, &req, &len, &e) == PRC_OK &&
	       patset_request_decode(req, len, &rq, &e) == PRC_OK && request_empty(&rq);
	ok(same && len == 64, "a request of no expressions round-trips (%zu bytes)", len);
	patset_request_release(&rq);
	free(req);
}

int main(void)
{
	size_t i, k;

	test_request();
	if (!ok(load_conformance() == 0, "read %s", CONFORMANCE))
		return done_testing();
	test_conformance();
	/* the big comparison compiles in this process: the child is tested above */
	patset_set_compile_limits(0, 0);
	test_som();
	test_budget();
	test_som_groups();
	patset_set_compile_limits(PATSET_COMPILE_MS, PATSET_COMPILE_MEM);
	test_rule();
	test_url_digits();
	for (i = 0; i < npats; i++) {
		for (k = 0; k < pats[i].nyes; k++)
			free(pats[i].yes[k]);
		for (k = 0; k < pats[i].nno; k++)
			free(pats[i].no[k]);
		free(pats[i].yes);
		free(pats[i].no);
		free(pats[i].expr);
		hs_free_database(pats[i].som);
	}
	return done_testing();
}
