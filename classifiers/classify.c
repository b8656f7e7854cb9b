/*
 * classify.c - a worker's classifier: scans one page with the rule set's
 * Hyperscan databases and hands each rule's matches to its Lua classify()
 * function, in the worker's own sandboxed Lua state, to turn into verdicts.
 *
 * Per page: the text, the title and the URL are normalized once into the
 * norm and squeezed views (classifiers/normalize.c); every view is scanned
 * with the one database of its kind; every match is mapped back to the bytes
 * the page wrote (nview_span), so evidence is always shown as written. A
 * span that both views found, or that two patterns of one set found, counts
 * once (the longest match of a set at one start is kept). Matches are capped per set (MAX_HITS_PER_SET) and per page
 * (MAX_HITS_PER_PAGE), which bounds the work a page full of "アイス" costs.
 *
 * Blocks: the page's text comes cut into blocks (title, main, each post,
 * boilerplate; util/textblock.h). Every match is given the block its start
 * stands in, and a match that would run from one block into another (a
 * squeezed view joins the end of one post to the start of the next) is
 * dropped: it is no word anyone wrote. Lua sees page.blocks and each
 * match's block, kind and character offsets; the helper library scopes a
 * rule's guards to the block where the harmful signal stands. The default
 * evidence is cut at the edges of its block.
 *
 * Only rules with matches run, and only when every set they list in
 * `requires` matched. A rule that errors, loops or allocates past its budget
 * is logged once per classifier (with its file:line) and counted; the page
 * keeps the other rules' verdicts.
 */
#include "classifiers/classify.h"
#include "classifiers/model.h"
#include "classifiers/normalize.h"
#include "classifiers/ruleset-int.h"
#include "util/log.h"
#include "util/hex.h"
#include "util/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>

#define MAX_HITS_PER_SET 1000
#define MAX_HITS_PER_PAGE 50000
#define EVIDENCE_CONTEXT 40 /* characters either side of the match */
#define EVIDENCE_MAX 1024   /* bytes */
#define EXPLAIN_VIEW 240    /* bytes of each view shown by --explain */

enum { WHERE_TEXT = 0, WHERE_TITLE, WHERE_URL, NWHERE };

static const char *const where_names[NWHERE] = { "text", "title", "url" };
static const char *const view_names[PATSET_NVIEWS] = { "norm", "squeezed" };

struct hit {
	uint32_t pat, set;
	uint32_t from, to;   /* bytes of the original */
	uint32_t vfrom, vto; /* bytes of the view */
	uint32_t block;      /* block id, 0 for none (the URL) */
	uint32_t cfrom, cto; /* norm characters before from and before to, once counted; cto == 0: not yet */
	uint8_t where, view;
	uint8_t kind;        /* enum textblock_kind of the block */
};

/* Characters are counted from checkpoints every CHAR_STEP bytes. */
#define CHAR_STEP 64

struct classifier {
	struct ruleset *rs;
	struct sandbox *sb;
	struct patset_scratch *sc;
	int *fn_ref;            /* per rule: its classify function in the registry */
	unsigned char *logged;  /* per rule: a failure was logged */
	size_t failures;
	uint32_t *set_hits;     /* per set: matches on this page */
	size_t *set_first;      /* per set: its first match in the sorted list */
	int mt_ref;             /* metatable of the m table */
	int keys_ref;           /* the strings of match_keys, interned once */
	long deadline_ms;       /* the rules of one page together get this long */
	int deadline_logged;
	size_t deadline_hits;   /* pages cut short by it */
	int model_off;          /* classifier_use_model(c, 0): page.model stays nil */
	unsigned long run;      /* classifier_run calls so far: page.model is of this one only */
};

/* The rules of one page together get this long (each call also has its instruction budget). */
#define CLASSIFY_PAGE_DEADLINE_MS 2000

/* What one classifier_run knows about its page. */
struct page_run {
	struct classifier *c;
	struct arena *a;
	const struct page_input *p;
	const char *url;            /* final URL, else the requested one */
	const char *src[NWHERE];    /* text, title, url percent-decoded */
	size_t srclen[NWHERE];
	struct nview view[NWHERE][PATSET_NVIEWS];
	struct hit *hits;
	size_t nhits, cap;
	int where, vi;
	int nomem;
	int page_ref;
	const struct textblock *seg; /* the text's blocks, clipped to the text */
	size_t nseg;
	struct textblock one;        /* the one main block of a page given none */
	uint32_t title_block;        /* id of the title's block, 0 for none */
	size_t title_site;           /* where the site's name begins in the title */
	uint32_t nblock_ids;
	uint32_t *chars[NWHERE];     /* norm view characters before each CHAR_STEP bytes, lazily */
};

/* ---- setting up a worker ---- */

/*
 * The field names of a match table and the strings of its where and view,
 * kept in one table (the registry's keys_ref) so that a match is built with
 * lua_rawset of strings Lua already holds, not by looking a C string up.
 */
enum {
	K_TEXT = 1, K_FROM, K_TO, K_WHERE, K_VIEW, K_NORM, K_PATTERN, K_SET, K_INDEX, K_WEIGHT,
	K_BLOCK, K_KIND, K_CHAR_FROM, K_CHAR_TO, K_ID, K_RANGES,
	K_WHERE0,                         /* where_names[0..NWHERE) */
	K_VIEW0 = K_WHERE0 + NWHERE,      /* view_names[0..PATSET_NVIEWS) */
	K_KIND0 = K_VIEW0 + PATSET_NVIEWS, /* textblock_kind_name(0..TEXTBLOCK_NKINDS) */
	NKEYS = K_KIND0 + TEXTBLOCK_NKINDS
	/* then each pattern's source (K_PAT0 + pattern), then each set's name (K_SET0) */
};

#define K_PAT0 ((lua_Integer)NKEYS)
#define K_SET0(rs) (K_PAT0 + (lua_Integer)(rs)->npats)

static const char *const match_keys[K_WHERE0] = {
	NULL, "text", "from", "to", "where", "view", "norm", "pattern", "set", "index", "weight",
	"block", "kind", "char_from", "char_to", "id", "ranges"
};

static int m_index(lua_State *L)
{
	return luaL_error(L, "no pattern set '%s' in this rule",
			  lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

struct setup_ctx {
	struct classifier *c;
	size_t file;
};

/* Arguments: what a rule file returned. Keeps the classify function of each of its rules. */
static int keep_functions(lua_State *L)
{
	struct setup_ctx *sc = lua_touserdata(L, 2);
	struct classifier *c = sc->c;
	struct ruleset *rs = c->rs;
	size_t r;

	for (r = 0; r < rs->nrules; r++) {
		if (rs->rules[r].file != sc->file)
			continue;
		if (rs->rules[r].list_index)
			lua_rawgeti(L, 1, rs->rules[r].list_index);
		else
			lua_pushvalue(L, 1);
		if (lua_type(L, -1) != LUA_TTABLE)
			return luaL_error(L, "%s: rule %s changed since it was loaded",
					  rs->files[sc->file].path, rs->rules[r].name);
		lua_pushliteral(L, "classify");
		lua_rawget(L, -2);
		if (lua_type(L, -1) != LUA_TFUNCTION)
			return luaL_error(L, "%s: rule %s changed since it was loaded",
					  rs->files[sc->file].path, rs->rules[r].name);
		c->fn_ref[r] = luaL_ref(L, LUA_REGISTRYINDEX);
		lua_pop(L, 1);
	}
	return 0;
}

static int make_mt(lua_State *L)
{
	struct classifier *c = lua_touserdata(L, 1);
	size_t k;
	int i;

	lua_createtable(L, 0, 2);
	lua_pushcfunction(L, m_index);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	c->mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_createtable(L, (int)(NKEYS + c->rs->npats + c->rs->nsets), 0);
	for (i = 1; i < NKEYS; i++) {
		lua_pushstring(L, i < K_WHERE0  ? match_keys[i]
				  : i < K_VIEW0 ? where_names[i - K_WHERE0]
				  : i < K_KIND0 ? view_names[i - K_VIEW0]
						: textblock_kind_name(i - K_KIND0));
		lua_rawseti(L, -2, i);
	}
	/* what every match of a pattern or set says the same: made once, not once a match */
	for (k = 0; k < c->rs->npats; k++) {
		lua_pushstring(L, c->rs->pats[k].source);
		lua_rawseti(L, -2, K_PAT0 + (lua_Integer)k);
	}
	for (k = 0; k < c->rs->nsets; k++) {
		lua_pushstring(L, c->rs->sets[k].name);
		lua_rawseti(L, -2, K_SET0(c->rs) + (lua_Integer)k);
	}
	c->keys_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

struct classifier *classifier_new(struct ruleset *rs, struct err *e)
{
	struct classifier *c = calloc(1, sizeof(*c));
	struct setup_ctx sc;
	size_t f, r, n;
	enum prc rc;

	if (!c) {
		err_set(e, PRC_NOMEM, "out of memory creating a classifier");
		return NULL;
	}
	c->rs = rs;
	n = rs->nrules ? rs->nrules : 1;
	c->fn_ref = malloc(n * sizeof(*c->fn_ref));
	c->logged = calloc(n, 1);
	c->set_hits = calloc(rs->nsets ? rs->nsets : 1, sizeof(*c->set_hits));
	c->set_first = calloc(rs->nsets ? rs->nsets : 1, sizeof(*c->set_first));
	if (!c->fn_ref || !c->logged || !c->set_hits || !c->set_first) {
		err_set(e, PRC_NOMEM, "out of memory creating a classifier");
		goto fail;
	}
	for (r = 0; r < n; r++)
		c->fn_ref[r] = LUA_NOREF;
	if (rs->ps && (patset_has_view(rs->ps, PATSET_NORM) ||
		       patset_has_view(rs->ps, PATSET_SQUEEZED))) {
		c->sc = patset_scratch_new(rs->ps, e);
		if (!c->sc)
			goto fail;
	}
	c->sb = ruleset_sandbox(rs->libs, rs->nlibs, e);
	if (!c->sb)
		goto fail;
	if (sandbox_cpcall(c->sb, make_mt, c, 0, e) != PRC_OK)
		goto fail;
	for (f = 0; f < rs->nfiles; f++) {
		for (r = 0; r < rs->nrules; r++)
			if (rs->rules[r].file == f)
				break;
		if (r == rs->nrules)
			continue;
		rc = ruleset_run_file(c->sb, &rs->files[f], e);
		if (rc != PRC_OK)
			goto fail;
		sc.c = c;
		sc.file = f;
		if (sandbox_cpcall(c->sb, keep_functions, &sc, 1, e) != PRC_OK)
			goto fail;
	}
	ruleset_ref(rs);
	c->deadline_ms = CLASSIFY_PAGE_DEADLINE_MS;
	return c;
fail:
	c->rs = NULL;
	classifier_free(c);
	return NULL;
}

void classifier_free(struct classifier *c)
{
	if (!c)
		return;
	sandbox_free(c->sb);
	patset_scratch_free(c->sc);
	free(c->fn_ref);
	free(c->logged);
	free(c->set_hits);
	free(c->set_first);
	ruleset_unref(c->rs);
	free(c);
}

struct ruleset *classifier_ruleset(const struct classifier *c)
{
	return c->rs;
}

size_t classifier_rule_failures(const struct classifier *c)
{
	return c->failures;
}

/* ---- blocks ---- */

/* Takes the page's blocks, or makes the whole text one main block; finds the title's block. */
static void setup_blocks(struct page_run *pr, const struct page_input *p)
{
	size_t len = pr->srclen[WHERE_TEXT], i;
	uint32_t maxid = 0;

	if (p->blocks && p->nblocks && len) {
		pr->seg = p->blocks;
		for (i = 0; i < p->nblocks && p->blocks[i].start < len; i++)
			if (p->blocks[i].id > maxid)
				maxid = p->blocks[i].id;
		pr->nseg = i;
	}
	if (!pr->nseg && len) {
		pr->one.start = 0;
		pr->one.end = (uint32_t)len;
		pr->one.id = 1;
		pr->one.kind = TEXTBLOCK_MAIN;
		pr->seg = &pr->one;
		pr->nseg = 1;
		maxid = 1;
	}
	for (i = 0; i < pr->nseg; i++)
		if (pr->seg[i].kind == TEXTBLOCK_TITLE) {
			pr->title_block = pr->seg[i].id;
			break;
		}
	if (!pr->title_block && pr->srclen[WHERE_TITLE])
		pr->title_block = ++maxid; /* a title with no line in the text */
	pr->nblock_ids = maxid;
}

/* How many characters start in s[0, n): the bytes that are no UTF-8 continuation, 8 at a time. */
static size_t count_starts(const unsigned char *s, size_t n)
{
	size_t c = 0, i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x, cont;

		memcpy(&x, s + i, 8);
		cont = (x & ~(x << 1) & 0x8080808080808080ULL) >> 7; /* 10xxxxxx: 1 in its byte */
		c += 8 - (size_t)((cont * 0x0101010101010101ULL) >> 56);
	}
	for (; i < n; i++)
		c += (s[i] & 0xC0) != 0x80;
	return c;
}

/*
 * How many characters of place w's norm view come from its text before byte
 * off: the character positions lib.near counts. They are the norm view's,
 * not the text's as written, so a word spaced out letter by letter (闇 バ イ
 * ト), a run of white space or an invisible character adds nothing to a
 * distance, and ｶﾞ is one character as が is.
 */
static size_t norm_chars_before(struct page_run *pr, int w, size_t off)
{
	const struct nview *v = &pr->view[w][PATSET_NORM];
	const unsigned char *s = (const unsigned char *)v->s;
	size_t len = v->len, lo, k;

	if (!len || !v->from)
		return off;
	lo = nview_at(v, off);
	if (!pr->chars[w]) {
		uint32_t *cp = arena_alloc(pr->a, (len / CHAR_STEP + 1) * sizeof(*cp));
		uint32_t c = 0;

		if (!cp) {
			pr->nomem = 1;
			return off;
		}
		for (k = 0; k * CHAR_STEP < len; k++) {
			cp[k] = c;
			c += (uint32_t)count_starts(s + k * CHAR_STEP,
						    len - k * CHAR_STEP < CHAR_STEP ? len - k * CHAR_STEP
										: CHAR_STEP);
		}
		if (len % CHAR_STEP == 0)
			cp[len / CHAR_STEP] = c;
		pr->chars[w] = cp;
	}
	return pr->chars[w][lo / CHAR_STEP] + count_starts(s + lo - lo % CHAR_STEP, lo % CHAR_STEP);
}

/* ---- scanning ---- */

static int on_hit(unsigned id, size_t from, size_t to, void *ud)
{
	struct page_run *pr = ud;
	struct classifier *c = pr->c;
	const struct nview *v = &pr->view[pr->where][pr->vi];
	uint32_t set = (uint32_t)c->rs->pats[id].set;
	struct hit *h, *nh;
	size_t of, ot;
	uint32_t blk = 0;
	int kind = TEXTBLOCK_MAIN;

	if (c->set_hits[set] >= MAX_HITS_PER_SET)
		return 0;
	if (pr->nhits >= MAX_HITS_PER_PAGE)
		return 1;
	if (pr->nhits == pr->cap) {
		size_t ncap = pr->cap ? pr->cap * 2 : 256;

		nh = arena_alloc(pr->a, ncap * sizeof(*nh));
		if (!nh) {
			pr->nomem = 1;
			return 1;
		}
		if (pr->nhits)
			memcpy(nh, pr->hits, pr->nhits * sizeof(*nh));
		pr->hits = nh;
		pr->cap = ncap;
	}
	if (to > v->len)
		to = v->len;
	if (from >= to)
		return 0;
	nview_span(v, from, to, &of, &ot);
	if (pr->where == WHERE_TEXT) {
		/*
		 * A regex's edges ((^|[^a-z])dm) may take one character of the
		 * text around: the block is judged without them.
		 */
		const char *t = pr->src[WHERE_TEXT];
		size_t a = of, b = ot, i, j;

		if (b - a > 2) {
			a++;
			while (a < b && ((unsigned char)t[a] & 0xC0) == 0x80)
				a++;
			b--;
			while (b > a && ((unsigned char)t[b] & 0xC0) == 0x80)
				b--;
			if (a >= b) {
				a = of;
				b = ot;
			}
		}
		i = textblock_find(pr->seg, pr->nseg, a);
		j = textblock_find(pr->seg, pr->nseg, b - 1);

		if (i < pr->nseg && j < pr->nseg && pr->seg[i].id != pr->seg[j].id)
			return 0; /* from one block into another */
		blk = i < pr->nseg ? pr->seg[i].id : 0;
		kind = i < pr->nseg ? pr->seg[i].kind : TEXTBLOCK_MAIN;
	} else if (pr->where == WHERE_TITLE) {
		blk = pr->title_block;
		kind = of >= pr->title_site ? TEXTBLOCK_BOILER : TEXTBLOCK_TITLE;
	}
	h = &pr->hits[pr->nhits++];
	h->block = blk;
	h->cfrom = h->cto = 0;
	h->kind = (uint8_t)kind;
	h->pat = id;
	h->set = set;
	h->from = (uint32_t)of;
	h->to = (uint32_t)ot;
	h->vfrom = (uint32_t)from;
	h->vto = (uint32_t)to;
	h->where = (uint8_t)pr->where;
	h->view = (uint8_t)pr->vi;
	c->set_hits[set]++;
	return 0;
}

/*
 * The order of the matches: by set, place (where), start, the longest
 * first, view and pattern, packed into two integers (a, then b; a rule
 * set holds far fewer than 2^30 sets and 2^31 patterns); matches equal in
 * both keep the order they were found in.
 */
struct hit_key {
	uint64_t a, b;
	uint32_t i; /* index in pr->hits */
};

static inline int key_before(const struct hit_key *x, const struct hit_key *y)
{
	return x->a < y->a || (x->a == y->a && x->b < y->b);
}

/* Sorts k[0, n) stably, with tmp (n entries) to merge in. */
static void sort_keys(struct hit_key *k, struct hit_key *tmp, size_t n)
{
	size_t i, j, h, l, r, o;

	if (n <= 16) {
		for (i = 1; i < n; i++) {
			struct hit_key v = k[i];

			for (j = i; j > 0 && key_before(&v, &k[j - 1]); j--)
				k[j] = k[j - 1];
			k[j] = v;
		}
		return;
	}
	h = n / 2;
	sort_keys(k, tmp, h);
	sort_keys(k + h, tmp, n - h);
	if (!key_before(&k[h], &k[h - 1]))
		return; /* already in order */
	memcpy(tmp, k, h * sizeof(*k));
	for (l = 0, r = h, o = 0; l < h && r < n;)
		k[o++] = key_before(&k[r], &tmp[l]) ? k[r++] : tmp[l++];
	while (l < h)
		k[o++] = tmp[l++];
}

/* Sorts pr->hits by their keys (0 without memory for the keys). */
static int sort_hits(struct page_run *pr)
{
	struct hit_key *k = arena_alloc(pr->a, 2 * pr->nhits * sizeof(*k));
	struct hit *sorted = arena_alloc(pr->a, pr->nhits * sizeof(*sorted));
	size_t i;

	if (!k || !sorted)
		return 0;
	for (i = 0; i < pr->nhits; i++) {
		const struct hit *h = &pr->hits[i];

		k[i].a = (uint64_t)h->set << 34 | (uint64_t)h->where << 32 | h->from;
		k[i].b = (uint64_t)(UINT32_MAX - h->to) << 32 | (uint64_t)h->view << 31 | h->pat;
		k[i].i = (uint32_t)i;
	}
	sort_keys(k, k + pr->nhits, pr->nhits);
	for (i = 0; i < pr->nhits; i++)
		sorted[i] = pr->hits[k[i].i];
	pr->hits = sorted;
	pr->cap = pr->nhits;
	return 1;
}

/*
 * Sorts the matches by set and place and keeps, of those of one set that
 * start at one place, the longest: a regex reports every end it can reach
 * (@abcd, @abcde, ...), and アイス and アイスクリーム in one set are one word.
 * Then indexes them by set.
 */
static void settle_hits(struct page_run *pr)
{
	struct classifier *c = pr->c;
	size_t i, n = 0;

	if (pr->nhits > 1 && !sort_hits(pr)) {
		pr->nomem = 1;
		return;
	}
	for (i = 0; i < pr->nhits; i++) {
		const struct hit *h = &pr->hits[i];

		if (n && pr->hits[n - 1].set == h->set && pr->hits[n - 1].where == h->where &&
		    pr->hits[n - 1].from == h->from)
			continue;
		pr->hits[n++] = *h;
	}
	pr->nhits = n;
	memset(c->set_hits, 0, c->rs->nsets * sizeof(*c->set_hits));
	for (i = n; i-- > 0;) {
		c->set_first[pr->hits[i].set] = i;
		c->set_hits[pr->hits[i].set]++;
	}
}

/* ---- evidence ---- */

/* Copies src[from, to) with ctx characters either side, line breaks and tabs as spaces. */
static char *make_evidence(struct arena *a, const char *src, size_t len, size_t from, size_t to,
			   int ctx)
{
	size_t s, e, i, n = 0;
	char *out;
	int k;

	if (from > len)
		from = len;
	if (to > len)
		to = len;
	s = from;
	e = to;
	for (k = 0; k < ctx && s > 0; k++) {
		s--;
		while (s > 0 && ((unsigned char)src[s] & 0xC0) == 0x80)
			s--;
	}
	for (k = 0; k < ctx && e < len; k++) {
		e++;
		while (e < len && ((unsigned char)src[e] & 0xC0) == 0x80)
			e++;
	}
	if (e - s > EVIDENCE_MAX) {
		/* keep the match; trim the context, on character boundaries */
		while (e > to && e - s > EVIDENCE_MAX) {
			e--;
			while (e > to && ((unsigned char)src[e] & 0xC0) == 0x80)
				e--;
		}
		while (s < from && e - s > EVIDENCE_MAX) {
			s++;
			while (s < from && ((unsigned char)src[s] & 0xC0) == 0x80)
				s++;
		}
	}
	out = arena_alloc(a, e - s + 1);
	if (!out)
		return NULL;
	for (i = s; i < e; i++) {
		char ch = src[i];

		if (ch == '\n' || ch == '\r' || ch == '\t' || ch == '\v' || ch == '\f')
			ch = ' ';
		if (ch == ' ' && n && out[n - 1] == ' ')
			continue;
		out[n++] = ch;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = 0;
	return out[0] == ' ' ? out + 1 : out;
}

/* A string a rule returned as its evidence, on one line and bounded. */
static char *clean_evidence(struct arena *a, const char *s, size_t len)
{
	size_t n = len;

	if (n > EVIDENCE_MAX) {
		n = EVIDENCE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return make_evidence(a, s, n, 0, n, 0);
}

/*
 * A string from a rule or the page as it may leave the worker: valid UTF-8
 * (a rule's page.text:sub(i, j) can cut a character, and one invalid byte
 * fails the whole database batch the page is written in). NULL without memory.
 */
static const char *clean_text(struct arena *a, const char *s)
{
	size_t n = strlen(s);

	return utf8_valid(s, n) ? s : utf8_sanitize(a, s, n, NULL);
}

/* ---- running one rule ---- */

struct rule_call {
	struct page_run *pr;
	size_t rule;
	enum prc rc;
	struct err e;
	double score;
	const char *ev;
	size_t ev_start, ev_end;
	int ev_where;
	int has_span;
	int nomem;
};

/* Sets field k (match_keys) of the table at -1 to what push leaves on the stack. */
#define MATCH_FIELD(k, push)                                                                       \
	do {                                                                                       \
		lua_rawgeti(L, kt, (k));                                                           \
		push;                                                                              \
		lua_rawset(L, -3);                                                                 \
	} while (0)

/*
 * Pushes page.blocks: one table per block id, { id, kind, from, to, ranges }
 * where from..to (1-based, inclusive) spans its first to its last segment
 * and ranges lists each segment as { from, to }. A title with no line in
 * the text gets a block with no ranges.
 */
static void push_blocks(lua_State *L, struct page_run *pr, int kt)
{
	size_t i;
	uint32_t id;

	lua_createtable(L, (int)pr->nblock_ids, 0);
	for (i = 0; i < pr->nseg; i++) {
		const struct textblock *b = &pr->seg[i];
		size_t end = b->end < pr->srclen[WHERE_TEXT] ? b->end : pr->srclen[WHERE_TEXT];
		lua_Integer nr;

		if (lua_rawgeti(L, -1, b->id) != LUA_TTABLE) {
			lua_pop(L, 1);
			lua_createtable(L, 0, 6);
			MATCH_FIELD(K_ID, lua_pushinteger(L, b->id));
			MATCH_FIELD(K_KIND, lua_pushstring(L, textblock_kind_name(b->kind)));
			MATCH_FIELD(K_FROM, lua_pushinteger(L, (lua_Integer)b->start + 1));
			MATCH_FIELD(K_RANGES, lua_createtable(L, 1, 0));
			lua_pushvalue(L, -1);
			lua_rawseti(L, -3, b->id);
		}
		MATCH_FIELD(K_TO, lua_pushinteger(L, (lua_Integer)end));
		lua_rawgeti(L, kt, K_RANGES);
		lua_rawget(L, -2);
		nr = (lua_Integer)lua_rawlen(L, -1);
		lua_createtable(L, 0, 2);
		MATCH_FIELD(K_FROM, lua_pushinteger(L, (lua_Integer)b->start + 1));
		MATCH_FIELD(K_TO, lua_pushinteger(L, (lua_Integer)end));
		lua_rawseti(L, -2, nr + 1);
		lua_pop(L, 2);
	}
	/* ids are dense, but a block cut off with the text leaves a hole: fill it */
	for (id = 1; id <= pr->nblock_ids; id++) {
		if (lua_rawgeti(L, -1, id) == LUA_TTABLE) {
			lua_pop(L, 1);
			continue;
		}
		lua_pop(L, 1);
		lua_createtable(L, 0, 4);
		MATCH_FIELD(K_ID, lua_pushinteger(L, id));
		MATCH_FIELD(K_KIND, lua_pushstring(L, id == pr->title_block ? "title" : "main"));
		MATCH_FIELD(K_RANGES, lua_createtable(L, 0, 0));
		lua_rawseti(L, -2, id);
	}
}

/* ---- the trained model's probabilities, computed when a rule first reads them ---- */

/* The model's view of one block (its segments; the title line for a title with none). */
static void block_model(struct page_run *pr, uint32_t id, struct model_acc *acc)
{
	const struct nview *text = &pr->view[WHERE_TEXT][PATSET_SQUEEZED];
	size_t len = pr->srclen[WHERE_TEXT], i;
	int found = 0;

	for (i = 0; i < pr->nseg && pr->seg[i].start < len; i++)
		if (pr->seg[i].id == id) {
			model_acc_add_range(acc, text, pr->seg[i].start,
					    pr->seg[i].end < len ? pr->seg[i].end : len);
			found = 1;
		}
	if (!found && id == pr->title_block)
		model_acc_add_range(acc, &pr->view[WHERE_TITLE][PATSET_SQUEEZED], 0, pr->title_site);
}

/* What the model says of the whole page, as training read the samples (model_acc_add_page). */
static void page_model(struct page_run *pr, struct model_acc *acc)
{
	model_acc_add_page(acc, &pr->view[WHERE_TITLE][PATSET_SQUEEZED], pr->title_site,
			   &pr->view[WHERE_TEXT][PATSET_SQUEEZED], pr->srclen[WHERE_TEXT], pr->seg,
			   pr->nseg);
}

/*
 * __index of the page table and of each block table behind their read-only
 * views: t.model is made on first read ({ category = probability }) and
 * kept in t. Upvalues: the classifier, the run the tables belong to and
 * its page_run; a table a rule kept from an earlier page answers nil (its
 * page_run is gone: it is only read while the run is the classifier's).
 */
static int lazy_model(lua_State *L)
{
	struct classifier *c = lua_touserdata(L, lua_upvalueindex(1));
	const struct model *m = c->rs->model;
	struct page_run *pr = lua_touserdata(L, lua_upvalueindex(3));
	double probs[MODEL_MAX_CATEGORIES];
	struct model_acc acc;
	size_t i;

	if (lua_type(L, 2) != LUA_TSTRING || strcmp(lua_tostring(L, 2), "model") || !m || !pr ||
	    (lua_Integer)c->run != lua_tointeger(L, lua_upvalueindex(2)))
		return 0;
	model_acc_init(&acc, m);
	lua_pushliteral(L, "id");
	if (lua_rawget(L, 1) == LUA_TNUMBER)
		block_model(pr, (uint32_t)lua_tointeger(L, -1), &acc);
	else
		page_model(pr, &acc);
	lua_pop(L, 1);
	model_acc_probs(&acc, probs);
	lua_createtable(L, 0, (int)model_category_count(m));
	for (i = 0; i < model_category_count(m); i++) {
		lua_pushnumber(L, probs[i]);
		lua_setfield(L, -2, model_category(m, i));
	}
	lua_pushliteral(L, "model");
	lua_pushvalue(L, -2);
	lua_rawset(L, 1);
	return 1;
}

/* Gives the page table (-1) and every block table in it the lazy model. */
static void add_lazy_model(lua_State *L, struct page_run *pr)
{
	struct classifier *c = pr->c;
	uint32_t id;

	lua_createtable(L, 0, 1);
	lua_pushlightuserdata(L, c);
	lua_pushinteger(L, (lua_Integer)c->run);
	lua_pushlightuserdata(L, pr);
	lua_pushcclosure(L, lazy_model, 3);
	lua_setfield(L, -2, "__index");
	lua_pushvalue(L, -1);
	lua_setmetatable(L, -3);
	lua_getfield(L, -2, "blocks_raw");
	for (id = 1; id <= pr->nblock_ids; id++) {
		if (lua_rawgeti(L, -1, id) == LUA_TTABLE) {
			lua_pushvalue(L, -3);
			lua_setmetatable(L, -2);
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 2);
}

static int build_page(lua_State *L)
{
	struct page_run *pr = lua_touserdata(L, 1);
	const struct page_input *p = pr->p;
	size_t i;

	lua_createtable(L, 0, 10);
	lua_pushlstring(L, pr->src[WHERE_TEXT], pr->srclen[WHERE_TEXT]);
	lua_setfield(L, -2, "text");
	lua_pushstring(L, pr->src[WHERE_TITLE]);
	lua_setfield(L, -2, "title");
	lua_pushstring(L, pr->url);
	lua_setfield(L, -2, "url");
	lua_pushlstring(L, pr->src[WHERE_URL], pr->srclen[WHERE_URL]);
	lua_setfield(L, -2, "url_text");
	lua_pushstring(L, p->url ? p->url : "");
	lua_setfield(L, -2, "requested_url");
	lua_pushstring(L, p->content_type ? p->content_type : "");
	lua_setfield(L, -2, "content_type");
	lua_pushinteger(L, p->http_status);
	lua_setfield(L, -2, "http_status");
	lua_createtable(L, (int)p->nlinks, 0);
	for (i = 0; i < p->nlinks; i++) {
		lua_pushstring(L, p->links[i] ? p->links[i] : "");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	sandbox_push_readonly(L, -1);
	lua_setfield(L, -3, "links");
	lua_pop(L, 1);
	lua_createtable(L, (int)p->nlinks, 0);
	for (i = 0; i < p->nlinks; i++) {
		lua_pushstring(L, p->link_texts && p->link_texts[i] ? p->link_texts[i] : "");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	sandbox_push_readonly(L, -1);
	lua_setfield(L, -3, "link_texts");
	lua_pop(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, pr->c->keys_ref);
	push_blocks(L, pr, lua_gettop(L));
	lua_remove(L, -2);
	sandbox_push_readonly(L, -1);
	lua_setfield(L, -3, "blocks");
	if (pr->c->rs->model && !pr->c->model_off) {
		/* the block tables get the model's __index, then the page table itself */
		lua_setfield(L, -2, "blocks_raw");
		add_lazy_model(L, pr);
		lua_pushnil(L);
		lua_setfield(L, -2, "blocks_raw");
	} else {
		lua_pop(L, 1);
	}
	lua_pushinteger(L, pr->title_block);
	lua_setfield(L, -2, "title_block");
	sandbox_push_readonly(L, -1);
	pr->page_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

/* Pushes the table of one match; kt: the stack index of the keys table. */
static void push_match(lua_State *L, struct page_run *pr, const struct hit *h, int kt)
{
	const struct ruleset *rs = pr->c->rs;
	const struct rs_pattern *pat = &rs->pats[h->pat];
	const struct rs_set *set = &rs->sets[h->set];
	const struct nview *v = &pr->view[h->where][h->view];

	lua_createtable(L, 0, 14);
	MATCH_FIELD(K_TEXT, lua_pushlstring(L, pr->src[h->where] + h->from, h->to - h->from));
	MATCH_FIELD(K_FROM, lua_pushinteger(L, (lua_Integer)h->from + 1));
	MATCH_FIELD(K_TO, lua_pushinteger(L, (lua_Integer)h->to));
	MATCH_FIELD(K_WHERE, lua_rawgeti(L, kt, K_WHERE0 + h->where));
	MATCH_FIELD(K_VIEW, lua_rawgeti(L, kt, K_VIEW0 + h->view));
	MATCH_FIELD(K_NORM, lua_pushlstring(L, v->s + h->vfrom, h->vto - h->vfrom));
	MATCH_FIELD(K_PATTERN, lua_rawgeti(L, kt, K_PAT0 + (lua_Integer)h->pat));
	MATCH_FIELD(K_SET, lua_rawgeti(L, kt, K_SET0(rs) + (lua_Integer)h->set));
	MATCH_FIELD(K_INDEX, lua_pushinteger(L, pat->index));
	MATCH_FIELD(K_WEIGHT, lua_pushnumber(L, set->weight));
	if (h->block)
		MATCH_FIELD(K_BLOCK, lua_pushinteger(L, h->block));
	if (h->where == WHERE_URL)
		MATCH_FIELD(K_KIND, lua_rawgeti(L, kt, K_WHERE0 + WHERE_URL));
	else
		MATCH_FIELD(K_KIND, lua_rawgeti(L, kt, K_KIND0 + h->kind));
	if (!h->cto) {
		struct hit *w = (struct hit *)h; /* the count is kept for the next rule */

		w->cfrom = (uint32_t)norm_chars_before(pr, h->where, h->from);
		w->cto = (uint32_t)norm_chars_before(pr, h->where, h->to);
		if (w->cto <= w->cfrom)
			w->cto = w->cfrom + 1;
	}
	MATCH_FIELD(K_CHAR_FROM, lua_pushinteger(L, (lua_Integer)h->cfrom + 1));
	MATCH_FIELD(K_CHAR_TO, lua_pushinteger(L, (lua_Integer)h->cto));
}

static int where_code(const char *w)
{
	int i;

	for (i = 0; i < NWHERE; i++)
		if (w && !strcmp(w, where_names[i]))
			return i;
	return -1;
}

/* Reads the evidence a rule returned (value at idx). */
static void read_evidence(lua_State *L, int idx, struct rule_call *rc)
{
	struct page_run *pr = rc->pr;
	lua_Integer from, to;
	size_t len;
	const char *s;
	int w = WHERE_TEXT;

	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TSTRING) {
		s = lua_tolstring(L, idx, &len);
		rc->ev = clean_evidence(pr->a, s, len);
		if (!rc->ev)
			rc->nomem = 1;
		return;
	}
	if (lua_type(L, idx) != LUA_TTABLE)
		return;
	lua_pushliteral(L, "where");
	if (lua_rawget(L, idx) == LUA_TSTRING)
		w = where_code(lua_tostring(L, -1));
	lua_pop(L, 1);
	lua_pushliteral(L, "from");
	lua_rawget(L, idx);
	lua_pushliteral(L, "to");
	lua_rawget(L, idx);
	if (w >= 0 && lua_isinteger(L, -2) && lua_isinteger(L, -1)) {
		from = lua_tointeger(L, -2);
		to = lua_tointeger(L, -1);
		if (from >= 1 && to >= from && (size_t)to <= pr->srclen[w]) {
			rc->has_span = 1;
			rc->ev_where = w;
			rc->ev_start = (size_t)from - 1;
			rc->ev_end = (size_t)to;
		}
	}
	lua_pop(L, 2);
	lua_pushliteral(L, "evidence");
	if (lua_rawget(L, idx) == LUA_TSTRING) {
		s = lua_tolstring(L, -1, &len);
		rc->ev = clean_evidence(pr->a, s, len);
		if (!rc->ev)
			rc->nomem = 1;
	}
	lua_pop(L, 1);
}

/* Protected: pushes classify, page and m, calls the rule, reads what it returned. */
static int call_rule(lua_State *L)
{
	struct rule_call *rc = lua_touserdata(L, 1);
	struct page_run *pr = rc->pr;
	struct classifier *c = pr->c;
	const struct ruleset *rs = c->rs;
	const struct rs_rule *r = &rs->rules[rc->rule];
	size_t s, i, k;
	int kt;

	lua_rawgeti(L, LUA_REGISTRYINDEX, c->keys_ref);
	kt = lua_gettop(L);
	lua_rawgeti(L, LUA_REGISTRYINDEX, c->fn_ref[rc->rule]);
	lua_rawgeti(L, LUA_REGISTRYINDEX, pr->page_ref);
	lua_createtable(L, 0, (int)r->nsets);
	for (s = r->first_set; s < r->first_set + r->nsets; s++) {
		const struct rs_set *set = &rs->sets[s];
		size_t n = c->set_hits[s];

		lua_createtable(L, (int)n, 2);
		MATCH_FIELD(K_SET, lua_rawgeti(L, kt, K_SET0(rs) + (lua_Integer)s));
		MATCH_FIELD(K_WEIGHT, lua_pushnumber(L, set->weight));
		if (set->required) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, "required");
		}
		for (i = 0, k = c->set_first[s]; i < n; i++, k++) {
			push_match(L, pr, &pr->hits[k], kt);
			lua_rawseti(L, -2, (lua_Integer)i + 1);
		}
		lua_setfield(L, -2, set->name);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, c->mt_ref);
	lua_setmetatable(L, -2);

	rc->rc = sandbox_call(c->sb, 2, 2, &rc->e);
	if (rc->rc != PRC_OK)
		return 0;
	if (lua_type(L, -2) == LUA_TNUMBER)
		rc->score = lua_tonumber(L, -2);
	else if (lua_type(L, -2) == LUA_TBOOLEAN)
		rc->score = lua_toboolean(L, -2) ? 1.0 : 0.0;
	else if (lua_type(L, -2) != LUA_TNIL) {
		rc->rc = err_set(&rc->e, PRC_INVALID,
				 "%s:%d: classify returned a %s, not a score", rs->files[r->file].path,
				 r->line, luaL_typename(L, -2));
		return 0;
	}
	if (isnan(rc->score) || rc->score < 0)
		rc->score = 0;
	if (rc->score > 1)
		rc->score = 1;
	read_evidence(L, -1, rc);
	lua_pop(L, 2);
	return 0;
}

/* The default evidence: the earliest match of a set with weight, text before title and URL. */
static const struct hit *default_hit(const struct page_run *pr, size_t rule)
{
	const struct classifier *c = pr->c;
	const struct rs_rule *r = &c->rs->rules[rule];
	const struct hit *best = NULL, *h;
	size_t s;

	for (s = r->first_set; s < r->first_set + r->nsets; s++) {
		if (!c->set_hits[s] || c->rs->sets[s].weight <= 0)
			continue;
		h = &pr->hits[c->set_first[s]];
		if (!best || h->where < best->where ||
		    (h->where == best->where && h->from < best->from))
			best = h;
	}
	return best;
}

/* Appends s[0, len) cut to at most max bytes on a character boundary, quoted, one line. */
static void add_quoted(struct buf *b, const char *s, size_t len, size_t max)
{
	size_t n = len, i;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	buf_addch(b, '\'');
	for (i = 0; i < n; i++)
		buf_addch(b, s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i]);
	buf_addch(b, '\'');
	if (n < len)
		buf_addf(b, "... (%zu bytes)", len);
}

/* --explain, before the rules run: what the page looked like to the patterns. */
static void explain_page(struct page_run *pr, classify_explain_fn explain, void *ud)
{
	size_t count[NWHERE][PATSET_NVIEWS], i;
	struct buf b;
	int w, v;

	memset(count, 0, sizeof(count));
	for (i = 0; i < pr->nhits; i++)
		count[pr->hits[i].where][pr->hits[i].view]++;
	buf_init(&b, 1u << 16);
	for (w = 0; w < NWHERE; w++) {
		if (!pr->srclen[w])
			continue;
		for (v = 0; v < PATSET_NVIEWS; v++) {
			buf_reset(&b);
			buf_addf(&b, "%s %s view, %zu match%s kept: ", where_names[w], view_names[v],
				 count[w][v], count[w][v] == 1 ? "" : "es");
			add_quoted(&b, pr->view[w][v].s, pr->view[w][v].len, EXPLAIN_VIEW);
			explain(buf_str(&b), ud);
		}
	}
	for (i = 0; i < pr->nseg; i++) {
		const struct textblock *s = &pr->seg[i];
		size_t end = s->end < pr->srclen[WHERE_TEXT] ? s->end : pr->srclen[WHERE_TEXT];
		size_t nm = 0, k;

		for (k = 0; k < pr->nhits; k++)
			if (pr->hits[k].where == WHERE_TEXT && pr->hits[k].from >= s->start &&
			    pr->hits[k].from < end)
				nm++;
		buf_reset(&b);
		buf_addf(&b, "block %u %s %zu..%zu, %zu match%s: ", s->id, textblock_kind_name(s->kind),
			 (size_t)s->start + 1, end, nm, nm == 1 ? "" : "es");
		add_quoted(&b, pr->src[WHERE_TEXT] + s->start, end - s->start, 80);
		explain(buf_str(&b), ud);
	}
	if (pr->c->rs->model && !pr->c->model_off) {
		const struct model *m = pr->c->rs->model;
		double probs[MODEL_MAX_CATEGORIES];
		struct model_acc acc;
		size_t k, j, best[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX };

		model_acc_init(&acc, m);
		page_model(pr, &acc);
		model_acc_probs(&acc, probs);
		buf_reset(&b);
		buf_addf(&b, "model (%zu n-grams known):", acc.n);
		for (j = 0; j < 3 && j < model_category_count(m); j++) {
			for (k = 0; k < model_category_count(m); k++) {
				int taken = 0;
				size_t q;

				for (q = 0; q < j; q++)
					taken |= best[q] == k;
				if (!taken && (best[j] == SIZE_MAX || probs[k] > probs[best[j]]))
					best[j] = k;
			}
			buf_addf(&b, " %s %.2f", model_category(m, best[j]), probs[best[j]]);
		}
		explain(buf_str(&b), ud);
	}
	buf_release(&b);
}

static void explain_rule(struct page_run *pr, size_t rule, const struct rule_call *rc,
			 classify_explain_fn explain, void *ud)
{
	const struct classifier *c = pr->c;
	const struct ruleset *rs = c->rs;
	const struct rs_rule *r = &rs->rules[rule];
	struct buf b;
	size_t s, i;

	buf_init(&b, 1u << 16);
	buf_addf(&b, "rule %s (%s:%d):", r->name, rs->files[r->file].path, r->line);
	for (s = r->first_set; s < r->first_set + r->nsets; s++)
		buf_addf(&b, " %s=%u%s%s", rs->sets[s].name, c->set_hits[s],
			 rs->sets[s].required ? "(required)" : "", rs->sets[s].trig ? "(trigger)" : "");
	if (!rc)
		buf_addstr(&b, " -> not run (a required set or a trigger did not match)");
	else if (rc->rc != PRC_OK)
		buf_addf(&b, " -> failed: %.*s", (int)strcspn(rc->e.msg, "\n"), rc->e.msg);
	else
		buf_addf(&b, " -> %.2f %s %.2f%s", rc->score, rc->score >= r->threshold ? ">=" : "<",
			 r->threshold, rc->score >= r->threshold ? " flagged" : "");
	explain(buf_str(&b), ud);
	/* what classify() saw: every match of every set, in m.<set> order */
	for (s = r->first_set; s < r->first_set + r->nsets; s++) {
		for (i = 0; i < c->set_hits[s]; i++) {
			const struct hit *h = &pr->hits[c->set_first[s] + i];
			const struct nview *v = &pr->view[h->where][h->view];

			buf_reset(&b);
			buf_addf(&b, "  m.%s[%zu] ", rs->sets[s].name, i + 1);
			add_quoted(&b, pr->src[h->where] + h->from, h->to - h->from, 200);
			if (h->vto - h->vfrom != h->to - h->from ||
			    memcmp(v->s + h->vfrom, pr->src[h->where] + h->from, h->to - h->from)) {
				buf_addstr(&b, " norm ");
				add_quoted(&b, v->s + h->vfrom, h->vto - h->vfrom, 200);
			}
			buf_addf(&b, " %s %u..%u, %s view, pattern %d '%s'%s", where_names[h->where],
				 h->from + 1, h->to, view_names[h->view], rs->pats[h->pat].index,
				 rs->pats[h->pat].source, rs->pats[h->pat].is_regex ? " (regex)" : "");
			explain(buf_str(&b), ud);
		}
	}
	/* and what it returned besides the score */
	if (rc && rc->rc == PRC_OK && (rc->ev || rc->has_span)) {
		buf_reset(&b);
		buf_addstr(&b, "  returned evidence");
		if (rc->has_span)
			buf_addf(&b, " %s %zu..%zu", where_names[rc->ev_where], rc->ev_start + 1,
				 rc->ev_end);
		if (rc->ev) {
			buf_addch(&b, ' ');
			add_quoted(&b, rc->ev, strlen(rc->ev), 400);
		}
		explain(buf_str(&b), ud);
	} else if (rc && rc->rc == PRC_OK && rc->score >= r->threshold) {
		explain("  returned no evidence: the earliest match of a set with weight is used", ud);
	}
	buf_release(&b);
}

static void rule_failed(struct classifier *c, size_t rule, const struct rule_call *rc)
{
	const struct ruleset *rs = c->rs;
	const struct rs_rule *r = &rs->rules[rule];
	char first[1024];

	c->failures++;
	if (c->logged[rule])
		return;
	c->logged[rule] = 1;
	sandbox_first_line(rc->e.msg, rs->files[r->file].path, first, sizeof(first));
	log_msg(LOG_WARN, "rule '%s' (%s:%d) failed and is skipped for this page: %s", r->name,
		rs->files[r->file].path, r->line, first);
	if (strchr(rc->e.msg, '\n'))
		log_msg(LOG_DEBUG, "rule '%s': %s", r->name, rc->e.msg);
}

static int unref_page(lua_State *L)
{
	struct page_run *pr = lua_touserdata(L, 1);

	luaL_unref(L, LUA_REGISTRYINDEX, pr->page_ref);
	pr->page_ref = LUA_NOREF;
	return 0;
}

/* Percent-decodes a URL for scanning, so /%E5%A4%A7%E9%BA%BB reads 大麻. */
static char *decode_url(struct arena *a, const char *u, size_t *len)
{
	size_t n = strlen(u), i, j = 0;
	char *out = arena_alloc(a, n + 1);
	int hi, lo;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (u[i] == '%' && i + 2 < n + 0 && (hi = hex_value(u[i + 1])) >= 0 &&
		    (lo = hex_value(u[i + 2])) >= 0 && (hi || lo)) {
			out[j++] = (char)(hi * 16 + lo);
			i += 2;
			continue;
		}
		out[j++] = u[i];
	}
	out[j] = 0;
	*len = j;
	return out;
}

enum prc classifier_run(struct classifier *c, struct arena *a, const struct page_input *p,
			struct verdict **out, size_t *n, classify_explain_fn explain, void *ud,
			struct err *e)
{
	struct ruleset *rs = c->rs;
	struct page_run pr;
	struct verdict *v = NULL;
	struct rule_call rc;
	struct timespec t0;
	size_t r, s, nv = 0;
	enum prc ret = PRC_OK;
	int w, vi, any, req_ok, squeeze;
	uint32_t trig;

	*out = NULL;
	*n = 0;
	memset(&pr, 0, sizeof(pr));
	pr.c = c;
	pr.a = a;
	pr.p = p;
	pr.page_ref = LUA_NOREF;
	pr.src[WHERE_TEXT] = p->text ? p->text : "";
	pr.srclen[WHERE_TEXT] = p->text ? p->text_len : 0;
	pr.src[WHERE_TITLE] = p->title ? p->title : "";
	pr.srclen[WHERE_TITLE] = strlen(pr.src[WHERE_TITLE]);
	pr.url = p->final_url && *p->final_url ? p->final_url : p->url ? p->url : "";
	pr.src[WHERE_URL] = decode_url(a, pr.url, &pr.srclen[WHERE_URL]);
	if (!pr.src[WHERE_URL])
		return err_set(e, PRC_NOMEM, "out of memory classifying a page");
	setup_blocks(&pr, p);
	pr.title_site = textblock_title_site(pr.src[WHERE_TITLE], pr.srclen[WHERE_TITLE]);
	c->run++;

	/* the squeezed view is built only for what reads it: its patterns, the model, --explain */
	squeeze = (rs->ps && patset_has_view(rs->ps, PATSET_SQUEEZED)) ||
		  (rs->model && !c->model_off) || explain;
	memset(c->set_hits, 0, rs->nsets * sizeof(*c->set_hits));
	for (w = 0; w < NWHERE; w++) {
		ret = normalize_views(a, pr.src[w], pr.srclen[w], &pr.view[w][PATSET_NORM],
				      squeeze ? &pr.view[w][PATSET_SQUEEZED] : NULL);
		if (ret != PRC_OK)
			return err_set(e, ret, "cannot normalize the page %s", where_names[w]);
		if (w != WHERE_URL) /* digits of a URL in the text are no money or id */
			normalize_mask_urls(&pr.view[w][PATSET_NORM],
					    squeeze ? &pr.view[w][PATSET_SQUEEZED] : NULL);
		for (vi = 0; vi < PATSET_NVIEWS; vi++) {
			pr.where = w;
			pr.vi = vi;
			if (!c->sc || (vi == PATSET_SQUEEZED && !squeeze))
				continue;
			ret = patset_scan(rs->ps, vi, c->sc, pr.view[w][vi].s, pr.view[w][vi].len,
					  on_hit, &pr, e);
			if (ret != PRC_OK)
				return ret;
			if (pr.nomem)
				return err_set(e, PRC_NOMEM, "out of memory classifying a page");
		}
	}
	settle_hits(&pr);
	if (pr.nomem)
		return err_set(e, PRC_NOMEM, "out of memory classifying a page");
	if (explain)
		explain_page(&pr, explain, ud);

	v = arena_calloc(a, rs->nrules ? rs->nrules : 1, sizeof(*v));
	if (!v)
		return err_set(e, PRC_NOMEM, "out of memory classifying a page");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	sandbox_set_deadline(c->sb, c->deadline_ms);
	for (r = 0; r < rs->nrules; r++) {
		const struct rs_rule *rule = &rs->rules[r];
		struct timespec t1;

		/*
		 * Each call has its own instruction budget; the page deadline bounds
		 * their sum, so many slow rules cannot hold a worker either.
		 */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (c->deadline_ms > 0 &&
		    (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000L >=
			    c->deadline_ms * 1000L) {
			c->deadline_hits++;
			c->failures++;
			if (!c->deadline_logged) {
				c->deadline_logged = 1;
				log_msg(LOG_WARN, "the rules took over %ld ms on '%s'; the rest were skipped "
					"(logged once)", c->deadline_ms, pr.url ? pr.url : "?");
			}
			break;
		}
		any = 0;
		req_ok = 1;
		trig = 0;
		for (s = rule->first_set; s < rule->first_set + rule->nsets; s++) {
			if (c->set_hits[s]) {
				any = 1;
				trig |= rs->sets[s].trig;
			} else if (rs->sets[s].required) {
				req_ok = 0;
			}
		}
		if (!any)
			continue;
		if (!req_ok || trig != rule->trig_all) {
			if (explain)
				explain_rule(&pr, r, NULL, explain, ud);
			continue;
		}
		if (pr.page_ref == LUA_NOREF &&
		    sandbox_cpcall(c->sb, build_page, &pr, 0, e) != PRC_OK)
			return err_set(e, PRC_NOMEM, "page too large for the rules' lua state");

		memset(&rc, 0, sizeof(rc));
		rc.pr = &pr;
		rc.rule = r;
		if (sandbox_cpcall(c->sb, call_rule, &rc, 0, &rc.e) != PRC_OK)
			rc.rc = PRC_LIMIT;
		if (rc.nomem || pr.nomem) {
			ret = err_set(e, PRC_NOMEM, "out of memory classifying a page");
			break;
		}
		if (rc.rc == PRC_AGAIN) {
			ret = err_set(e, PRC_AGAIN, "the rules were interrupted: the process is stopping");
			break;
		}
		if (explain)
			explain_rule(&pr, r, &rc, explain, ud);
		if (rc.rc != PRC_OK) {
			rule_failed(c, r, &rc);
			continue;
		}
		if (rc.score < rule->threshold)
			continue;

		v[nv].category = rule->category;
		v[nv].rule = clean_text(a, rule->name);
		v[nv].rule_file = clean_text(a, rs->files[rule->file].path);
		v[nv].score = rc.score;
		if (!rc.has_span) {
			const struct hit *h = default_hit(&pr, r);

			if (h) {
				rc.has_span = 1;
				rc.ev_where = h->where;
				rc.ev_start = h->from;
				rc.ev_end = h->to;
			}
		}
		if (rc.has_span && rc.ev_where == WHERE_TEXT) {
			v[nv].ev_start = rc.ev_start;
			v[nv].ev_end = rc.ev_end;
		}
		if (!rc.ev && rc.has_span) {
			/* the context stays inside the block of the match */
			size_t lo = 0, hi = pr.srclen[rc.ev_where], k;

			if (rc.ev_where == WHERE_TEXT &&
			    (k = textblock_find(pr.seg, pr.nseg, rc.ev_start)) < pr.nseg) {
				lo = pr.seg[k].start;
				hi = pr.seg[k].end < hi ? pr.seg[k].end : hi;
				if (rc.ev_end > hi)
					hi = rc.ev_end;
			}
			rc.ev = make_evidence(a, pr.src[rc.ev_where] + lo, hi - lo, rc.ev_start - lo,
					      rc.ev_end - lo, EVIDENCE_CONTEXT);
		}
		v[nv].evidence = clean_text(a, rc.ev ? rc.ev : "");
		if (!v[nv].rule || !v[nv].rule_file || !v[nv].evidence) {
			ret = err_set(e, PRC_NOMEM, "out of memory classifying a page");
			break;
		}
		nv++;
	}
	if (pr.page_ref != LUA_NOREF) {
		struct err ue;

		/* the collector's own steps take the page's tables; one more step per page costs more */
		sandbox_cpcall(c->sb, unref_page, &pr, 0, &ue);
	}
	if (ret != PRC_OK)
		return ret;
	*out = v;
	*n = nv;
	return PRC_OK;
}

void classifier_use_model(struct classifier *c, int on)
{
	c->model_off = !on;
}

void classifier_set_deadline(struct classifier *c, long ms)
{
	c->deadline_ms = ms;
}
