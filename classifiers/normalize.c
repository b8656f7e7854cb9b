/*
 * normalize.c - the normalized views of a page's text that the pattern sets
 * scan, each byte mapped back to the original characters.
 *
 * Posts that want to get past filters write ﾃﾚｸﾞﾗﾑ, ＬＩＮＥ, 大.麻, 闇 バ イ ト,
 * 三万円. Rules are written once, in plain form; this module rewrites page text
 * (and, through normalize_literal(), the rules' literals) into two views in
 * which those spellings coincide, and keeps for every output byte the span
 * of the original it came from, so that evidence is always quoted as the page
 * wrote it.
 *
 * DESIGN
 *
 * One pass over the input feeds both views. Decoding is codepoint by
 * codepoint (a bad byte reads as U+FFFD and consumes one byte). Each source
 * codepoint is expanded with utf8proc_decompose_char (compatibility
 * decomposition, case folding, default-ignorables dropped) into a small stack
 * buffer, the "segment": a starter plus every following codepoint whose
 * expansion begins with a combining mark (or a Hangul vowel/trailing jamo).
 * When the next starter arrives the segment is put in canonical order and
 * composed (utf8proc_normalize_utf32), which is NFKC with case folding
 * applied segment by segment. Composition across source characters is what
 * turns half-width ｶﾞ (U+FF76 U+FF9E) and か + U+3099 into が. The spacing
 * sound marks ゛゜ (U+309B, U+309C), which NFKC would turn into a space plus
 * a mark, are read as the combining marks so that カ゛ composes too.
 *
 * Maps. Every codepoint a segment composes to records the span of the whole
 * segment, from its first source character to the end of its last; one source
 * character (the usual case) maps to exactly that character. Dropped
 * characters record nothing, so a match that spans them still maps back to
 * an original span that contains them. Later stages that merge codepoints
 * (white space runs, kanji numbers) give the merged output the union of the
 * spans. Spans never decrease along a view, so nview_span() is just
 * [from[a], to[b-1]).
 *
 * Before decoding, two passes over a same-length copy of the text (made
 * only when one of them changes something, so every offset still points
 * into the page as written): a word spaced out letter by letter (闇 バ イ ト,
 * 大・麻) has its gaps overwritten with a control byte that expands to
 * nothing (spaced_letters), and kanji that look like katakana inside a
 * katakana word are read as the katakana (kana_homoglyphs).
 *
 * Cyrillic and Greek letters that look like Latin ones (ЈС, Теlеgrаm) are
 * read as those Latin letters, as part of the expansion.
 *
 * After composition every codepoint goes through, in order:
 *  1. katakana to hiragana (U+30A1..U+30F6 minus 0x60, so ヴ is ゔ and ヶ is
 *     ゖ; ヷヸヹヺ become わゐゑを + U+3099, their canonical shape; ヽヾ become
 *     ゝゞ; ー stays);
 *  2. control and invisible characters dropped (C0/C1 controls, U+200B..F,
 *     U+2060..4, U+FEFF, soft hyphen, variation selectors and other default
 *     ignorables); tab, CR, VT, FF and every Zs become ' '; LF, NEL, U+2028
 *     and U+2029 become '\n';
 *  3. the fork: the norm view takes every codepoint; the squeezed view only
 *     letters and digits (general category L* or N*, which includes kana,
 *     kanji, ー and 々), so spaces, line breaks, punctuation (including the
 *     middle dot ・), symbols, emoji and leftover combining marks vanish;
 *  4. each view runs its own kanji numeral stage (below), then the norm view
 *     collapses white space: a run of ' ' and '\n' becomes one '\n' if it
 *     held a line break, else one ' ', mapped to the whole run.
 * The squeezed view is thus the norm view without separators, except that
 * its numeral stage sees the text after the separators are gone: 二 十 歳
 * squeezes to 20歳, as the squeezed literal 二十歳 does.
 *
 * The numeral rule. A run is a maximal sequence of numeral characters: ASCII
 * digits, 〇 零 一..九, the multipliers 十 百 千 and the units 万 萬 億 兆,
 * and the formal digits of deeds and receipts (壱 壹 弐 貳 参 參 伍, 拾 阡).
 * A run with no kanji is left alone. A run with kanji is rewritten as ASCII
 * digits when it reads as a number and one of these holds:
 *   - it has at least two kanji (二十, 三万, 五千, 二〇二四), or
 *   - it has an ASCII digit (1万, 3千, 20万), or
 *   - the character right after it is a counter or unit (円 人 歳 才 時 分 秒
 *     日 月 年 週 代 枚 個 本 回 件 名 度 倍 割 台 冊 杯 階 番 点 錠 ヶ(ゖ) ヵ(ゕ)
 *     g %).
 * "Reads as a number": digits only (二〇二四 → 2024, read digit by digit), or
 * the usual grammar with multipliers decreasing inside each 万 group, units
 * decreasing, at most one digit before a multiplier, and a unit never
 * without a value in front of it (万一, 億万長者 and 万引き stay words).
 * Otherwise the run stays as written. So 一緒, 一部, 十字 stay; 一人 becomes
 * 1人 (人 is a counter: 一人で and 1人で then read the same, and literals go
 * through the same rule, so a rule for 一人 still matches); 十分 becomes 10分
 * whether it means ten minutes or enough. The whole number maps to the whole
 * run. Decimal and grouped notation (3.5万, 1,000万) is not read: a run with
 * a digit right after "<digit>." or "<digit>," stays as written, in both
 * views (the squeezed view decides on the text before the '.' is removed,
 * so it does not turn 3.5万 into 350000; it still reads 35万, as a squeezed
 * literal 3.5万 does).
 *
 * The fast path. Nearly every codepoint of Japanese text (kana, kanji,
 * ASCII, full- and half-width forms, and kana with voicing marks, which
 * expand to two codepoints and compose back to one) is a starter whose
 * expansion composes on its own to one codepoint. For such a codepoint,
 * when the next one is a starter too, all of the above comes down to one
 * codepoint for the views with three facts: dropped or not, kept by
 * squeezing or not, numeral character or not. A table of the BMP holds
 * those (and the UTF-8 bytes), computed from utf8proc by the same functions
 * the general path runs, 256 codepoints at a time when first met; the UTF-8
 * of the BMP is decoded inline. The codepoint waits as the open segment; if
 * a mark or anything else the table does not cover follows, it is expanded
 * into the segment and the general path takes over, so composition across
 * source characters, ignorables inside a segment, bad bytes, astral
 * codepoints and Hangul behave exactly as without the table.
 * normalize_views_reference() builds the views without the table, and the
 * tests hold the two equal for every BMP codepoint in many contexts.
 *
 * Memory. Each view is built directly in the arena, sized up front at the
 * input length plus a sixteenth (NFKC rarely grows Japanese text) and grown
 * by doubling when a page expands more than that. Per-character work uses
 * stack buffers only. The one static state is the fast path's table: each
 * block of it is written once, by the thread that claims it, and read by
 * others only once it is published (an atomic state per block); utf8proc's
 * tables are read-only. So the functions are thread-safe.
 */
#include "classifiers/normalize.h"
#include "util/utf8.h"

#include <ctype.h>

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/*
 * What spaced_letters() writes over a closed gap: a control character that
 * expands to nothing, like a default-ignorable, so a sound mark after the
 * gap (ｸ ﾞ) still composes with the letter before it.
 */
#define GAP_BYTE 0x01

/* Longest expansion of one codepoint (U+FDFA gives 18) with room to spare. */
#define EXPAND_MAX 32
/* A segment longer than this (a pile of combining marks) is composed in parts. */
#define SEG_MAX 64
/* Numeral runs longer than this pass through as written. */
#define RUN_MAX 40

#define DECOMPOSE_OPTS \
	(UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

/* One view under construction: bytes and maps in the arena. */
struct vout {
	struct arena *a;
	char *s;
	uint32_t *from, *to;
	size_t len, cap;
	int nomem; /* sticky: once set, nothing more is written */
};

enum numkind { NUM_NONE, NUM_ADIGIT, NUM_KDIGIT, NUM_MULT, NUM_UNIT };

/* A pending numeral run, held until the character after it is known. */
struct numrun {
	uint32_t cp[RUN_MAX], f[RUN_MAX], t[RUN_MAX];
	int n;
	int kanji;
	int ascii;
	int decimal;     /* digits around a '.' or ',' (3.5万, 1,000万): not read */
	int passthrough; /* the run overflowed RUN_MAX: members go straight out */
};

struct vbuild {
	struct vout out;
	struct numrun run;
	int collapse;   /* norm view: merge white space runs */
	int ws;         /* pending white space: 0 none, 1 space, 2 line break */
	uint32_t ws_f, ws_t;
};

/* A view's bytes (cap) and maps (cap entries each): 0 on success. */
static int vout_alloc(struct vout *o, size_t cap)
{
	char *s = arena_alloc(o->a, cap);
	uint32_t *from = arena_alloc(o->a, cap * sizeof(uint32_t));
	uint32_t *to = arena_alloc(o->a, cap * sizeof(uint32_t));

	if (!s || !from || !to)
		return -1;
	o->s = s;
	o->from = from;
	o->to = to;
	return 0;
}

static enum prc vout_init(struct vout *o, struct arena *a, size_t cap)
{
	o->a = a;
	o->len = 0;
	o->cap = cap;
	o->nomem = 0;
	if (vout_alloc(o, cap)) {
		o->nomem = 1;
		o->cap = 0; /* so vout_put's room check always fails over to vout_reserve */
		return PRC_NOMEM;
	}
	return PRC_OK;
}

/* Makes room for n more bytes plus the final NUL; 0 on success. */
static int vout_reserve(struct vout *o, size_t n)
{
	struct vout old = *o;
	size_t cap;

	if (o->nomem)
		return -1;
	if (o->len + n + 1 <= o->cap)
		return 0;
	cap = o->cap;
	while (cap < o->len + n + 1) {
		if (cap > SIZE_MAX / 2 / sizeof(uint32_t))
			goto fail;
		cap *= 2;
	}
	if (vout_alloc(o, cap))
		goto fail;
	memcpy(o->s, old.s, o->len);
	memcpy(o->from, old.from, o->len * sizeof(uint32_t));
	memcpy(o->to, old.to, o->len * sizeof(uint32_t));
	o->cap = cap;
	return 0;
fail:
	o->nomem = 1;
	o->cap = 0;
	return -1;
}

/*
 * Appends the n bytes of one codepoint, u (four bytes readable), every byte
 * mapped to [f, t), where there is room for four bytes (vout_room): four
 * bytes and four map entries are always written (the ones past the
 * codepoint are overwritten by the next, or lie beyond the view's end), so
 * the stores need no branches.
 */
static inline void vout_store_utf8(struct vout *o, const unsigned char *u, size_t n, uint32_t f,
				   uint32_t t)
{
	size_t len = o->len;
	uint32_t *mf = o->from + len, *mt = o->to + len;

	o->len = len + n;
	mf[0] = mf[1] = mf[2] = mf[3] = f;
	mt[0] = mt[1] = mt[2] = mt[3] = t;
	memcpy(o->s + len, u, 4);
}

static inline void vout_store(struct vout *o, uint32_t cp, uint32_t f, uint32_t t)
{
	unsigned char u[4];
	size_t n = utf8_encode(u, cp);

	vout_store_utf8(o, u, n, f, t);
}

/* Whether vout_store has room: 4 bytes and the final NUL. Never once nomem is set (cap is 0). */
static inline int vout_room(const struct vout *o)
{
	return o->len + 5 <= o->cap;
}

static inline void vout_put(struct vout *o, uint32_t cp, uint32_t f, uint32_t t)
{
	if (vout_room(o) || !vout_reserve(o, 4))
		vout_store(o, cp, f, t);
}

static void vout_finish(struct vout *o, struct nview *v)
{
	if (vout_reserve(o, 0))
		return;
	o->s[o->len] = '\0';
	v->s = o->s;
	v->len = o->len;
	v->from = o->from;
	v->to = o->to;
}

/* ---- white space stage (norm view only) ---- */

static void ws_flush(struct vbuild *b)
{
	if (!b->ws)
		return;
	vout_put(&b->out, b->ws == 2 ? '\n' : ' ', b->ws_f, b->ws_t);
	b->ws = 0;
}

/* White space cp (' ' or '\n') joins the pending run: one ' ', or '\n' when it holds a break. */
static inline void ws_pend(struct vbuild *b, uint32_t cp, uint32_t f, uint32_t t)
{
	if (!b->ws) {
		b->ws = 1;
		b->ws_f = f;
	}
	if (cp == '\n')
		b->ws = 2;
	b->ws_t = t;
}

static inline void vb_emit(struct vbuild *b, uint32_t cp, uint32_t f, uint32_t t)
{
	if (b->collapse) {
		if (cp == ' ' || cp == '\n') {
			ws_pend(b, cp, f, t);
			return;
		}
		ws_flush(b);
	}
	vout_put(&b->out, cp, f, t);
}

/* ---- kanji numeral stage ---- */

static enum numkind num_kind(uint32_t cp, uint64_t *val)
{
	if (cp >= '0' && cp <= '9') {
		*val = cp - '0';
		return NUM_ADIGIT;
	}
	if (cp < 0x3007)
		return NUM_NONE;
	switch (cp) {
	case 0x3007: /* 〇 */
	case 0x96F6: /* 零 */
		*val = 0;
		return NUM_KDIGIT;
	case 0x4E00: *val = 1; return NUM_KDIGIT; /* 一 */
	case 0x4E8C: *val = 2; return NUM_KDIGIT; /* 二 */
	case 0x4E09: *val = 3; return NUM_KDIGIT; /* 三 */
	case 0x56DB: *val = 4; return NUM_KDIGIT; /* 四 */
	case 0x4E94: *val = 5; return NUM_KDIGIT; /* 五 */
	case 0x516D: *val = 6; return NUM_KDIGIT; /* 六 */
	case 0x4E03: *val = 7; return NUM_KDIGIT; /* 七 */
	case 0x516B: *val = 8; return NUM_KDIGIT; /* 八 */
	case 0x4E5D: *val = 9; return NUM_KDIGIT; /* 九 */
	/* the forms of deeds and receipts, written where digits could be altered */
	case 0x58F1: /* 壱 */
	case 0x58F9: /* 壹 */
		*val = 1;
		return NUM_KDIGIT;
	case 0x5F10: /* 弐 */
	case 0x8CB3: /* 貳 */
		*val = 2;
		return NUM_KDIGIT;
	case 0x53C2: /* 参 */
	case 0x53C3: /* 參 */
		*val = 3;
		return NUM_KDIGIT;
	case 0x4F0D: /* 伍 */
		*val = 5;
		return NUM_KDIGIT;
	case 0x5341: *val = 10; return NUM_MULT;  /* 十 */
	case 0x62FE: *val = 10; return NUM_MULT;  /* 拾 */
	case 0x767E: *val = 100; return NUM_MULT; /* 百 */
	case 0x5343: *val = 1000; return NUM_MULT; /* 千 */
	case 0x9621: *val = 1000; return NUM_MULT; /* 阡 */
	case 0x4E07: /* 万 */
	case 0x842C: /* 萬 */
		*val = 10000;
		return NUM_UNIT;
	case 0x5104: *val = 100000000ULL; return NUM_UNIT; /* 億 */
	case 0x5146: *val = 1000000000000ULL; return NUM_UNIT; /* 兆 */
	default:
		return NUM_NONE;
	}
}

/* Characters that, right after a lone kanji numeral, make it a number. */
static int is_counter(uint32_t cp)
{
	switch (cp) {
	case 0x5186: /* 円 */
	case 0x4EBA: /* 人 */
	case 0x6B73: /* 歳 */
	case 0x624D: /* 才 */
	case 0x6642: /* 時 */
	case 0x5206: /* 分 */
	case 0x79D2: /* 秒 */
	case 0x65E5: /* 日 */
	case 0x6708: /* 月 */
	case 0x5E74: /* 年 */
	case 0x9031: /* 週 */
	case 0x4EE3: /* 代 */
	case 0x679A: /* 枚 */
	case 0x500B: /* 個 */
	case 0x672C: /* 本 */
	case 0x56DE: /* 回 */
	case 0x4EF6: /* 件 */
	case 0x540D: /* 名 */
	case 0x5EA6: /* 度 */
	case 0x500D: /* 倍 */
	case 0x5272: /* 割 */
	case 0x53F0: /* 台 */
	case 0x518A: /* 冊 */
	case 0x676F: /* 杯 */
	case 0x968E: /* 階 */
	case 0x756A: /* 番 */
	case 0x70B9: /* 点 */
	case 0x9320: /* 錠 */
	case 0x3096: /* ゖ, folded ヶ (三ヶ月) */
	case 0x3095: /* ゕ, folded ヵ */
	case 'g':
	case '%':
		return 1;
	default:
		return 0;
	}
}

#define NUM_CAP 1000000000000000000ULL /* 10^18: larger readings are left alone */

/*
 * Reads run r as a number with multipliers and units. Returns 0 and the
 * value, or -1 when the run does not read as one.
 */
static int run_value(const struct numrun *r, uint64_t *value)
{
	uint64_t total = 0, section = 0, cur = 0, v, group;
	uint64_t last_mult = 10000, last_unit = 0;
	int ncur = 0, i;

	for (i = 0; i < r->n; i++) {
		switch (num_kind(r->cp[i], &v)) {
		case NUM_ADIGIT:
		case NUM_KDIGIT:
			if (cur > (NUM_CAP - v) / 10)
				return -1;
			cur = cur * 10 + v;
			ncur++;
			break;
		case NUM_MULT:
			if (v >= last_mult || ncur > 1 || (ncur == 1 && cur == 0))
				return -1;
			section += (ncur ? cur : 1) * v;
			last_mult = v;
			cur = 0;
			ncur = 0;
			break;
		case NUM_UNIT:
			if (last_unit && v >= last_unit)
				return -1;
			if (ncur && last_mult < 10000 && cur >= last_mult)
				return -1;
			group = section + cur;
			if (group == 0 || group > NUM_CAP / v || total > NUM_CAP - group * v)
				return -1;
			total += group * v;
			last_unit = v;
			last_mult = 10000;
			section = 0;
			cur = 0;
			ncur = 0;
			break;
		case NUM_NONE:
			return -1;
		}
	}
	if (ncur) {
		uint64_t limit = last_mult < 10000 ? last_mult : last_unit;
		if (limit && cur >= limit)
			return -1;
	}
	if (total + section > NUM_CAP - cur)
		return -1;
	*value = total + section + cur;
	return 0;
}

static void run_pass(struct vbuild *b)
{
	struct numrun *r = &b->run;
	int i;

	/* numerals are no white space: what is pending goes out first, then the run as it is */
	if (r->n && b->collapse)
		ws_flush(b);
	for (i = 0; i < r->n; i++)
		vout_put(&b->out, r->cp[i], r->f[i], r->t[i]);
}

/* Ends the pending run; follower is the codepoint after it (0 at the end). */
static void run_end(struct vbuild *b, uint32_t follower)
{
	struct numrun *r = &b->run;
	uint32_t f, t;
	uint64_t v, value;
	char digits[24];
	int i, n = 0, plain = 1;

	if (r->n == 0)
		return;
	if (r->kanji == 0 || r->decimal ||
	    !(r->kanji >= 2 || r->ascii > 0 || is_counter(follower)))
		goto pass;
	for (i = 0; i < r->n; i++) {
		enum numkind k = num_kind(r->cp[i], &v);
		if (k == NUM_MULT || k == NUM_UNIT)
			plain = 0;
	}
	f = r->f[0];
	t = r->t[r->n - 1];
	if (plain) {
		/* digits only: read one by one, leading zeros kept (二〇二四, 〇一) */
		for (i = 0; i < r->n; i++) {
			num_kind(r->cp[i], &v);
			vb_emit(b, (uint32_t)('0' + v), f, t);
		}
		goto out;
	}
	if (run_value(r, &value))
		goto pass;
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	while (n > 0)
		vb_emit(b, (uint32_t)digits[--n], f, t);
	goto out;
pass:
	run_pass(b);
out:
	r->n = 0;
	r->kanji = 0;
	r->ascii = 0;
	r->decimal = 0;
}

/* decimal: cp is a digit written after "<digit>." or "<digit>," in the unfiltered text. */
static void vb_push(struct vbuild *b, uint32_t cp, uint32_t f, uint32_t t, int decimal)
{
	struct numrun *r = &b->run;
	enum numkind k;
	uint64_t v;

	k = num_kind(cp, &v);
	if (k == NUM_NONE) {
		run_end(b, cp);
		r->passthrough = 0;
		vb_emit(b, cp, f, t);
		return;
	}
	if (r->passthrough) {
		vb_emit(b, cp, f, t);
		return;
	}
	if (r->n == RUN_MAX) {
		run_pass(b);
		r->n = 0;
		r->kanji = 0;
		r->ascii = 0;
		r->decimal = 0;
		r->passthrough = 1;
		vb_emit(b, cp, f, t);
		return;
	}
	r->cp[r->n] = cp;
	r->f[r->n] = f;
	r->t[r->n] = t;
	r->n++;
	if (decimal)
		r->decimal = 1;
	if (k == NUM_ADIGIT)
		r->ascii++;
	else
		r->kanji++;
}

/* vb_push for a codepoint known not to be a numeral character (num_kind NUM_NONE). */
static void vb_push_none(struct vbuild *b, uint32_t cp, uint32_t f, uint32_t t)
{
	if (b->run.n)
		run_end(b, cp);
	b->run.passthrough = 0;
	vb_emit(b, cp, f, t);
}

/*
 * The same, inline for the usual case: no numeral run, room in the view for
 * the pending white space and the codepoint. cp is no white space; u holds
 * its n bytes.
 */
static inline void vb_push_plain(struct vbuild *b, uint32_t cp, const unsigned char *u, size_t n,
				 uint32_t f, uint32_t t)
{
	if (b->run.n || b->out.len + 9 > b->out.cap) {
		vb_push_none(b, cp, f, t);
		return;
	}
	b->run.passthrough = 0;
	if (b->ws) {
		vout_store(&b->out, b->ws == 2 ? '\n' : ' ', b->ws_f, b->ws_t);
		b->ws = 0;
	}
	vout_store_utf8(&b->out, u, n, f, t);
}

/* vb_push for white space (' ' or '\n', no numeral character), inline. */
static inline void vb_push_ws(struct vbuild *b, uint32_t cp, uint32_t f, uint32_t t)
{
	if (b->run.n)
		run_end(b, cp);
	b->run.passthrough = 0;
	if (!b->collapse) {
		vout_put(&b->out, cp, f, t);
		return;
	}
	ws_pend(b, cp, f, t);
}

static void vb_finish(struct vbuild *b, struct nview *v)
{
	run_end(b, 0);
	ws_flush(b);
	vout_finish(&b->out, v);
}

/* ---- per-codepoint classification after composition ---- */

static int is_invisible(uint32_t cp)
{
	return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x2064) ||
	       cp == 0xFEFF || cp == 0x00AD || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	       (cp >= 0xE0100 && cp <= 0xE01EF);
}

/* Letters and digits survive squeezing; everything else is a separator. */
static int squeeze_keeps(uint32_t cp, utf8proc_category_t cat)
{
	if (cp == 0x30FC || cp == 0x3005) /* ー 々 */
		return 1;
	switch (cat) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

struct views {
	struct vbuild *norm;     /* NULL when not wanted */
	struct vbuild *squeezed; /* NULL when not wanted */
	uint32_t prev, prev2;    /* the last two codepoints fed, before squeezing */
};

static int is_digit(uint32_t cp)
{
	return cp >= '0' && cp <= '9';
}

/*
 * Stage 2 for one composed, kana-folded codepoint: 0 when it is dropped,
 * else 1 with *out the codepoint the views get (' ' and '\n' for white
 * space) and *keep whether squeezing keeps it.
 */
static int classify(uint32_t cp, uint32_t *out, int *keep)
{
	if (cp < 0x80) {
		if (cp == '\n') {
			*keep = 0;
		} else if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\v' || cp == '\f') {
			cp = ' ';
			*keep = 0;
		} else if (cp < 0x20 || cp == 0x7F) {
			return 0;
		} else {
			*keep = (cp >= 'a' && cp <= 'z') || is_digit(cp); /* already folded */
		}
	} else if (cp < 0xA0) {
		if (cp != 0x85)
			return 0;
		cp = '\n';
		*keep = 0;
	} else {
		utf8proc_category_t cat;

		if (is_invisible(cp))
			return 0;
		cat = utf8proc_category((utf8proc_int32_t)cp);
		if (cat == UTF8PROC_CATEGORY_ZS) {
			cp = ' ';
			*keep = 0;
		} else if (cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP) {
			cp = '\n';
			*keep = 0;
		} else {
			*keep = squeeze_keeps(cp, cat);
		}
	}
	*out = cp;
	return 1;
}

/* Stages 3 and 4: cp, classified, to both views. */
static void feed_views(struct views *vs, uint32_t cp, int keep, uint32_t f, uint32_t t)
{
	int decimal;

	/*
	 * Both views judge decimal notation on the text before squeezing, which
	 * removes the '.' that shows 3.5万 is not 35万.
	 */
	decimal = is_digit(cp) && (vs->prev == '.' || vs->prev == ',') && is_digit(vs->prev2);
	vs->prev2 = vs->prev;
	vs->prev = cp;
	if (vs->norm)
		vb_push(vs->norm, cp, f, t, decimal);
	if (keep && vs->squeezed)
		vb_push(vs->squeezed, cp, f, t, decimal);
}

/* Feeds one composed codepoint, already kana-folded, to both views. */
static void feed_one(struct views *vs, uint32_t cp, uint32_t f, uint32_t t)
{
	int keep;

	if (classify(cp, &cp, &keep))
		feed_views(vs, cp, keep, f, t);
}

/*
 * Stage 1, katakana to hiragana. Returns the folded codepoint; *mark is
 * U+3099 when a second codepoint follows it (ヷヸヹヺ), else 0.
 */
static uint32_t kana_fold(uint32_t cp, uint32_t *mark)
{
	*mark = 0;
	if (cp >= 0x30A1 && cp <= 0x30FE) {
		if (cp <= 0x30F6) {
			cp -= 0x60;
		} else if (cp <= 0x30FA) {
			/* ヷヸヹヺ: no hiragana precomposed form; keep the voicing mark */
			*mark = 0x3099;
			cp = cp - 0x30F7 + 0x308F;
		} else if (cp == 0x30FD || cp == 0x30FE) {
			cp -= 0x60; /* ヽヾ → ゝゞ */
		}
	}
	return cp;
}

/* Katakana to hiragana, then on to the views. */
static void feed(struct views *vs, uint32_t cp, uint32_t f, uint32_t t)
{
	uint32_t mark;

	cp = kana_fold(cp, &mark);
	feed_one(vs, cp, f, t);
	if (mark)
		feed_one(vs, mark, f, t);
}

/* ---- segments: NFKC with composition across source characters ---- */

struct segment {
	utf8proc_int32_t cp[SEG_MAX];
	int n;
	uint32_t f, t;
};

static int ccc(utf8proc_int32_t cp)
{
	return cp < 0x300 ? 0 : utf8proc_get_property(cp)->combining_class;
}

/* Hangul medial vowels and final consonants compose onto the syllable before them. */
static int is_jamo_vt(utf8proc_int32_t cp)
{
	return (cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2);
}

/* Puts the n codepoints of a segment in canonical order and composes them; the new count. */
static utf8proc_ssize_t seg_compose(utf8proc_int32_t *cp, utf8proc_ssize_t n)
{
	utf8proc_ssize_t i, j, m;

	if (n < 2)
		return n;
	/* canonical ordering: stable sort of each run of marks by class */
	for (i = 1; i < n; i++) {
		utf8proc_int32_t c = cp[i];
		int cc = ccc(c);

		if (cc == 0)
			continue;
		for (j = i; j > 0 && ccc(cp[j - 1]) > cc; j--)
			cp[j] = cp[j - 1];
		cp[j] = c;
	}
	m = utf8proc_normalize_utf32(cp, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	if (m < 0)
		m = n; /* cannot happen with valid codepoints; keep them as they are */
	return m;
}

static void seg_flush(struct views *vs, struct segment *sg)
{
	utf8proc_ssize_t n, i;

	if (sg->n == 0)
		return;
	n = seg_compose(sg->cp, sg->n);
	for (i = 0; i < n; i++)
		feed(vs, (uint32_t)sg->cp[i], sg->f, sg->t);
	sg->n = 0;
}

/*
 * Cyrillic and Greek letters that look like Latin ones, as case folding
 * leaves them, read as those letters: ЈС, Теlеgrаm and ВАNK, written with
 * them to slip past filters, read jc, telegram and bank. μ stays (µg is
 * not mg).
 */
static utf8proc_int32_t latin_lookalike(utf8proc_int32_t cp)
{
	static const struct {
		uint16_t from;
		char to;
	} map[] = {
		{ 0x03B1, 'a' }, { 0x03B2, 'b' }, { 0x03B5, 'e' }, { 0x03B6, 'z' }, { 0x03B7, 'h' },
		{ 0x03B9, 'i' }, { 0x03BA, 'k' }, { 0x03BD, 'v' }, { 0x03BF, 'o' }, { 0x03C1, 'p' },
		{ 0x03C4, 't' }, { 0x03C5, 'u' }, { 0x03C7, 'x' }, { 0x0430, 'a' }, { 0x0432, 'b' },
		{ 0x0435, 'e' }, { 0x043A, 'k' }, { 0x043C, 'm' }, { 0x043D, 'h' }, { 0x043E, 'o' },
		{ 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0442, 't' }, { 0x0443, 'y' }, { 0x0445, 'x' },
		{ 0x0455, 's' }, { 0x0456, 'i' }, { 0x0458, 'j' }, { 0x04BB, 'h' }, { 0x04CF, 'l' },
		{ 0x0501, 'd' }, { 0x051B, 'q' }, { 0x051D, 'w' },
	};
	size_t lo = 0, hi = sizeof(map) / sizeof(map[0]);

	if (cp < 0x03B1 || cp > 0x051D)
		return cp;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (map[mid].from == cp)
			return (utf8proc_int32_t)map[mid].to;
		if (map[mid].from < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return cp;
}

/*
 * The expansion of source codepoint cp into ex: the segment's raw material.
 * ASCII only lowercases, and its backslash reads as the yen sign (Japanese
 * text means ¥ by it); ゛゜ read as the combining marks, so カ゛ composes.
 * Returns the count, 0 for a default-ignorable (gone).
 */
static utf8proc_ssize_t expand(utf8proc_int32_t cp, utf8proc_int32_t ex[EXPAND_MAX])
{
	utf8proc_ssize_t k, i;

	if (cp == GAP_BYTE)
		return 0;
	if (cp < 0x80) {
		/* Shift_JIS's 0x5C is the yen sign that decoders give as a backslash (\\15,000) */
		ex[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp == '\\' ? 0xA5 : cp;
		return 1;
	}
	if (cp == 0x309B)
		cp = 0x3099;
	else if (cp == 0x309C)
		cp = 0x309A;
	k = utf8proc_decompose_char(cp, ex, EXPAND_MAX, DECOMPOSE_OPTS, NULL);
	if (k < 0 || k > EXPAND_MAX) {
		ex[0] = 0xFFFD;
		k = 1;
	}
	for (i = 0; i < k; i++)
		ex[i] = latin_lookalike(ex[i]);
	return k;
}

/* ---- the fast path: what the stages above do with one BMP codepoint, looked up ---- */

/*
 * An entry of the BMP table, for source codepoint c:
 *   FT_FAST    c expands to a starter, and its expansion, composed on its
 *              own, is one codepoint x that kana-folds to one codepoint
 *              (most kana with voicing marks expand to two and compose
 *              back to one). So, when the next source codepoint is a
 *              starter too and closes the segment, all the stages do is
 *              feed_one(fold(x)); the rest of the entry says what that does:
 *   FT_DROP    classify() drops it;
 *   FT_KEEP    squeezing keeps it;
 *   FT_PLAIN   it is no numeral character (num_kind NUM_NONE) and no
 *              white space;
 *   FT_CP      the codepoint the views get, FT_LEN its UTF-8 length, its
 *              bytes in the entry's upper 32 bits (FT_UTF8_SHIFT).
 *   FT_IGNORE  c expands to nothing: skipped, the segment left open.
 * Anything else (FT_SLOW, neither FT_FAST nor FT_IGNORE) takes the general
 * path: marks, ゛゜, Hangul vowels and finals, expansions that stay several
 * codepoints (…), ヷヸヹヺ, surrogates. An entry is 0 until its block is built.
 */
#define FT_CP 0x001FFFFFu
#define FT_FAST (1u << 24)
#define FT_IGNORE (1u << 25)
#define FT_DROP (1u << 26)
#define FT_KEEP (1u << 27)
#define FT_PLAIN (1u << 28)
#define FT_LEN_SHIFT 29
#define FT_LEN(e) (((e) >> FT_LEN_SHIFT) & 3u)
#define FT_SLOW (1u << 31)
#define FT_UTF8_SHIFT 32 /* the UTF-8 bytes, as memcpy'd into a uint32_t */

enum { FT_EMPTY, FT_CLAIMED };

/*
 * Built from utf8proc at first use, 256 codepoints at a time, and never
 * changed afterwards. A block is written only by the thread that moved its
 * state from FT_EMPTY to FT_CLAIMED, which it keeps: readers look at the
 * entries, never at the state. An entry is one 64-bit word holding all a
 * reader needs, so one relaxed load reads it whole: 0 (not built yet: the
 * general path, meanwhile) or its final value.
 */
static _Atomic uint64_t ft_tab[0x10000];
static atomic_uchar ft_state[0x100];

static uint32_t ft_compute(uint32_t c, unsigned char u[4])
{
	utf8proc_int32_t ex[EXPAND_MAX];
	utf8proc_ssize_t k;
	uint32_t x, mark, out, e;
	uint64_t v;
	int keep;

	if ((c >= 0xD800 && c <= 0xDFFF) || c == 0x309B || c == 0x309C)
		return 0;
	k = expand((utf8proc_int32_t)c, ex);
	if (k == 0)
		return FT_IGNORE;
	if (ccc(ex[0]) != 0 || is_jamo_vt(ex[0]))
		return 0;
	if (seg_compose(ex, k) != 1 || ex[0] < 0)
		return 0;
	x = kana_fold((uint32_t)ex[0], &mark);
	if (mark)
		return 0;
	if (!classify(x, &out, &keep))
		return FT_FAST | FT_DROP;
	e = FT_FAST | out;
	if (keep)
		e |= FT_KEEP;
	if (num_kind(out, &v) == NUM_NONE && out != ' ' && out != '\n' && out < 0x10000)
		e |= FT_PLAIN | (uint32_t)utf8_encode(u, out) << FT_LEN_SHIFT;
	return e;
}

static uint64_t ft_build(uint32_t c)
{
	unsigned char st = FT_EMPTY;
	uint32_t base = c & ~0xFFu, i, e;

	if (!atomic_compare_exchange_strong_explicit(&ft_state[c >> 8], &st, FT_CLAIMED,
						     memory_order_relaxed, memory_order_relaxed))
		return atomic_load_explicit(&ft_tab[c], memory_order_relaxed);
	for (i = 0; i < 0x100; i++) {
		unsigned char u[4] = { 0, 0, 0, 0 };
		uint32_t w;

		e = ft_compute(base + i, u);
		memcpy(&w, u, 4);
		atomic_store_explicit(&ft_tab[base + i],
				      (uint64_t)(e ? e : FT_SLOW) | (uint64_t)w << FT_UTF8_SHIFT,
				      memory_order_relaxed);
	}
	return atomic_load_explicit(&ft_tab[c], memory_order_relaxed);
}

/*
 * The entry for BMP codepoint c, with its UTF-8 bytes; one without FT_FAST
 * and FT_IGNORE (the general path) while its block is being built.
 */
static inline uint64_t ft_get(uint32_t c)
{
	uint64_t x = atomic_load_explicit(&ft_tab[c], memory_order_relaxed);

	return x ? x : ft_build(c);
}

/* What feed(x) does for a source codepoint whose FT_FAST entry is x. */
static inline void feed_fast(struct views *vs, uint64_t x, uint32_t f, uint32_t t)
{
	uint32_t e = (uint32_t)x, cp = e & FT_CP, w = (uint32_t)(x >> FT_UTF8_SHIFT);
	unsigned char u[4];

	if (e & FT_DROP)
		return;
	if (!(e & FT_PLAIN)) {
		if ((cp == ' ' || cp == '\n') && !(e & FT_KEEP)) {
			/* feed_views for white space: no decimal, and squeezing drops it */
			vs->prev2 = vs->prev;
			vs->prev = cp;
			if (vs->norm)
				vb_push_ws(vs->norm, cp, f, t);
			return;
		}
		feed_views(vs, cp, (e & FT_KEEP) != 0, f, t);
		return;
	}
	/* not a digit: feed_views without the decimal test */
	memcpy(u, &w, 4);
	vs->prev2 = vs->prev;
	vs->prev = cp;
	if (vs->norm)
		vb_push_plain(vs->norm, cp, u, FT_LEN(e), f, t);
	if ((e & FT_KEEP) && vs->squeezed)
		vb_push_plain(vs->squeezed, cp, u, FT_LEN(e), f, t);
}

#define UTF8_CONT(b) (((b) & 0xC0) == 0x80)

/*
 * Decodes a well-formed sequence of at most three bytes at p[0..n) into *c;
 * returns its length, or 0 for anything else (four-byte sequences and bad
 * bytes), which utf8proc_iterate then reads.
 */
static inline size_t utf8_bmp(const unsigned char *p, size_t n, uint32_t *c)
{
	uint32_t b0 = p[0];

	if (b0 < 0x80) {
		*c = b0;
		return 1;
	}
	if (b0 < 0xC2)
		return 0;
	if (b0 < 0xE0) {
		if (n < 2 || !UTF8_CONT(p[1]))
			return 0;
		*c = ((b0 & 0x1F) << 6) | (p[1] & 0x3Fu);
		return 2;
	}
	if (b0 < 0xF0) {
		if (n < 3 || ((p[1] ^ 0x80u) | (p[2] ^ 0x80u)) > 0x3F) /* both 10xxxxxx */
			return 0;
		if ((b0 == 0xE0 && p[1] < 0xA0) || (b0 == 0xED && p[1] > 0x9F))
			return 0; /* overlong, surrogate */
		*c = ((b0 & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
		return 3;
	}
	return 0;
}

/*
 * The general path takes over the pending fast codepoint c at [f, t): the
 * (empty) segment becomes its expansion.
 */
static void pend_open(struct segment *sg, uint32_t c, uint32_t f, uint32_t t,
		      utf8proc_int32_t ex[EXPAND_MAX])
{
	sg->n = (int)expand((utf8proc_int32_t)c, ex);
	memcpy(sg->cp, ex, (size_t)sg->n * sizeof(ex[0]));
	sg->f = f;
	sg->t = t;
}

static int views_nomem(const struct views *vs)
{
	return (vs->norm && vs->norm->out.nomem) || (vs->squeezed && vs->squeezed->out.nomem);
}

static void vbuild_init(struct vbuild *b, int collapse)
{
	memset(&b->run, 0, sizeof(b->run));
	b->collapse = collapse;
	b->ws = 0;
	b->ws_f = b->ws_t = 0;
}

/* Whether the UTF-8 sequence at p (n bytes left) is a katakana letter, full or half width. */
static int katakana_at(const unsigned char *p, size_t n)
{
	if (n < 3)
		return 0;
	if (p[0] == 0xE3) /* U+30A1..U+30FA, and ー U+30FC */
		return (p[1] == 0x82 && p[2] >= 0xA1) || (p[1] == 0x83 && (p[2] <= 0xBA || p[2] == 0xBC));
	if (p[0] == 0xEF) /* U+FF66..U+FF9D */
		return (p[1] == 0xBD && p[2] >= 0xA6) || (p[1] == 0xBE && p[2] <= 0x9D);
	return 0;
}

/*
 * Kanji that look like katakana, written inside a katakana word to slip past
 * filters: 一 for ー (在留カ一ド), 卜 for ト (アウ卜レット), 口 for ロ, 力 for カ, 工 for
 * エ, 夕 for タ, 二 for ニ, 八 for ハ. Between two katakana they are read as the
 * katakana; elsewhere they stay kanji (一つ, 口座, 力, 二人). Each pair is three
 * bytes in UTF-8, so the copy keeps every offset and the maps point into the
 * page's text as written.
 */
static const struct {
	unsigned char kanji[3], kana[3];
} kana_lookalikes[] = {
	{ { 0xE4, 0xB8, 0x80 }, { 0xE3, 0x83, 0xBC } }, /* 一 ー */
	{ { 0xE5, 0x8D, 0x9C }, { 0xE3, 0x83, 0x88 } }, /* 卜 ト */
	{ { 0xE5, 0x8F, 0xA3 }, { 0xE3, 0x83, 0xAD } }, /* 口 ロ */
	{ { 0xE5, 0x8A, 0x9B }, { 0xE3, 0x82, 0xAB } }, /* 力 カ */
	{ { 0xE5, 0xB7, 0xA5 }, { 0xE3, 0x82, 0xA8 } }, /* 工 エ */
	{ { 0xE5, 0xA4, 0x95 }, { 0xE3, 0x82, 0xBF } }, /* 夕 タ */
	{ { 0xE4, 0xBA, 0x8C }, { 0xE3, 0x83, 0x8B } }, /* 二 ニ */
	{ { 0xE5, 0x85, 0xAB }, { 0xE3, 0x83, 0x8F } }, /* 八 ハ */
};

/* Whether the three bytes at p are ー (U+30FC). */
static int chouon_at(const unsigned char *p)
{
	return p[0] == 0xE3 && p[1] == 0x83 && p[2] == 0xBC;
}

/* Which lookalike the three bytes at p are, or -1. */
static int lookalike_at(const unsigned char *p)
{
	size_t k;

	if (p[0] != 0xE4 && p[0] != 0xE5)
		return -1;
	for (k = 0; k < sizeof(kana_lookalikes) / sizeof(kana_lookalikes[0]); k++)
		if (!memcmp(p, kana_lookalikes[k].kanji, 3))
			return (int)k;
	return -1;
}

/*
 * text with those kanji read as katakana: a run of them with katakana on both
 * sides (アウ卜レット), or a run of two or more, not all numerals, beside a
 * katakana (力一卜リッジ). A gap spaced_letters() closed (カ 一 ド) is no
 * boundary: its placeholder bytes are stepped over.
 * Writes into *copy, made from text when still NULL; 0, or -1 without memory.
 */
static int kana_homoglyphs(struct arena *a, const char *text, size_t len, char **copy)
{
	const unsigned char *t = (const unsigned char *)(*copy ? *copy : text);
	size_t i = 0, end, j, b, r;

	while (i + 3 <= len) {
		int left, right, n, k, letters;

		if (lookalike_at(t + i) < 0) {
			i++;
			continue;
		}
		/* numerals alone (一二, 八) beside a katakana are numbers, not a word's letters */
		for (end = i, n = 0, letters = 0;;) {
			for (r = end; r < len && t[r] == GAP_BYTE; r++)
				;
			if (r + 3 > len || (k = lookalike_at(t + r)) < 0)
				break;
			end = r + 3;
			n++;
			letters += k != 0 && k != 6 && k != 7; /* 一 二 八 */
		}
		for (b = i; b > 0 && t[b - 1] == GAP_BYTE; b--)
			;
		for (r = end; r < len && t[r] == GAP_BYTE; r++)
			;
		/* (ー一, and a run before ー, are no word's letters) */
		left = b >= 3 && katakana_at(t + b - 3, 3) &&
		       !(chouon_at(t + b - 3) && n == 1 && lookalike_at(t + i) == 0);
		/* ー after one (キャッシュ力ード) is the word going on, unless the one is 一 */
		right = katakana_at(t + r, len - r) &&
			(!chouon_at(t + r) || (left && n == 1 && lookalike_at(t + i) != 0));
		if ((left && right) || (n >= 2 && letters && (left || right))) {
			if (!*copy) {
				if (!(*copy = arena_strndup(a, text, len)))
					return -1;
				t = (const unsigned char *)*copy;
			}
			for (j = i; j < end; j++)
				if (t[j] != GAP_BYTE) {
					memcpy(*copy + j, kana_lookalikes[lookalike_at(t + j)].kana, 3);
					j += 2;
				}
		}
		i = end;
	}
	return 0;
}

/*
 * A letter of Japanese words, for spacing: kana (not ・), ー, 々 〆 〇,
 * kanji, half-width katakana and their sound marks.
 */
static int spaced_letter(uint32_t c)
{
	return (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FF && c != 0x30FB) ||
	       (c >= 0x3005 && c <= 0x3007) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF66 && c <= 0xFF9F);
}

/* What may stand between the letters of a spaced-out word (闇 バ イ ト, 大・麻, 口＊座). */
static int spacing_mark(uint32_t c)
{
	switch (c) {
	case ' ': case '\t': case '.': case '*': case '_': case '/': case '-': case '|': case '~':
	case 0xB7: case 0x2010: case 0x2022: case 0x2024: case 0x2027: case 0x2219: case 0x22C5:
	case 0x2605: case 0x2606: case 0x2661: case 0x2665: case 0x266A:
	case 0x3000: case 0x30A0: case 0x30FB: case 0xFF0A: case 0xFF0E: case 0xFF0F:
	case 0xFF3F: case 0xFF5C: case 0xFF5E: case 0xFF65:
		return 1;
	default:
		return 0;
	}
}

/* How many letters run back from byte e (exclusive) and forward from byte s. */
static size_t letters_back(const unsigned char *t, size_t e)
{
	size_t n = 0, b;
	uint32_t c = 0;

	while (e > 0) {
		for (b = e - 1; b > 0 && UTF8_CONT(t[b]); b--)
			;
		if (utf8_bmp(t + b, e - b, &c) != e - b || !spaced_letter(c))
			break;
		n++;
		e = b;
		if (n > 1)
			break; /* one or more than one is all the caller asks */
	}
	return n;
}

static size_t letters_fwd(const unsigned char *t, size_t len, size_t s)
{
	size_t n = 0, k;
	uint32_t c = 0;

	while (s < len && (k = utf8_bmp(t + s, len - s, &c)) && spaced_letter(c)) {
		s += k;
		if (++n > 1)
			break;
	}
	return n;
}

/*
 * Words spaced out letter by letter to slip past filters (闇 バ イ ト, 大・麻,
 * 口＊座, 使 っ て な い 口 座): a gap of at most three spacing marks, on one
 * line, between two single letters, is closed; a word of two letters and
 * more keeps the space beside it (氏名 住所, 東京 大阪, a name written
 * リ シンエン). The gap's bytes become GAP_BYTE, a control character every
 * view drops, so the copy keeps every offset and a match across the gap
 * still quotes the page as written. Digits and Latin letters
 * are left spaced (page numbers 1 2 3 stay apart); the squeezed view joins
 * those. Writes into *copy, made from text when still NULL; 0, or -1
 * without memory.
 */
static int spaced_letters(struct arena *a, const char *text, size_t len, char **copy)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = 0, k, g, marks;
	uint32_t c;

	while (i < len) {
		unsigned char b = t[i];

		/*
		 * most bytes lead no spacing mark, and are stepped over undecoded:
		 * kanji, and the lead byte 0xE3 (kana) but for U+3000..U+303F (the
		 * ideographic space among them), ゠ (U+30A0) and ・ (U+30FB)
		 */
		if ((b >= 0xE4 && b <= 0xE9) ||
		    (b == 0xE3 && i + 2 < len && t[i + 1] != 0x80 &&
		     !(t[i + 1] == 0x82 && t[i + 2] == 0xA0) && !(t[i + 1] == 0x83 && t[i + 2] == 0xBB))) {
			i += 3;
			continue;
		}
		if (!(k = utf8_bmp(t + i, len - i, &c)) || !spacing_mark(c) || i == 0) {
			i += k ? k : 1;
			continue;
		}
		/* a gap from i: up to three marks, then a letter */
		for (g = i, marks = 0; g < len && marks < 4; marks++) {
			if (!(k = utf8_bmp(t + g, len - g, &c)) || !spacing_mark(c))
				break;
			g += k;
		}
		if (marks <= 3 && g < len && letters_fwd(t, len, g) == 1 && letters_back(t, i) == 1) {
			if (!*copy && !(*copy = arena_strndup(a, text, len)))
				return -1;
			memset(*copy + i, GAP_BYTE, g - i);
		}
		i = g;
	}
	return 0;
}

/*
 * Builds the views asked for (either may be NULL). fast: look up BMP
 * codepoints in the table; without it every codepoint takes the general
 * path, which the table only summarizes (the tests compare the two).
 */
static enum prc build(struct arena *a, const char *text, size_t len, struct nview *norm,
		      struct nview *squeezed, int fast)
{
	const unsigned char *p;
	struct vbuild nb, sb;
	struct views vs = { NULL, NULL, 0, 0 };
	struct segment sg;
	utf8proc_int32_t ex[EXPAND_MAX];
	size_t pos = 0, cap;
	/* a fast codepoint pc at [pf, pt), its entry pend: the open segment while sg is empty */
	uint64_t pend = 0;
	uint32_t pc = 0, pf = 0, pt = 0;

	if (len > UINT32_MAX)
		return PRC_LIMIT;
	if (len && !text)
		return PRC_INVALID;
	/*
	 * every view, the reference's and a literal's alike, reads spaced-out
	 * words closed and the lookalikes as katakana
	 */
	if (len) {
		char *copy = NULL;

		if (spaced_letters(a, text, len, &copy) || kana_homoglyphs(a, text, len, &copy))
			return PRC_NOMEM;
		if (copy)
			text = copy;
	}
	p = (const unsigned char *)text;
	cap = len + len / 16 + 64;
	if (norm) {
		vbuild_init(&nb, 1);
		if (vout_init(&nb.out, a, cap))
			return PRC_NOMEM;
		vs.norm = &nb;
	}
	if (squeezed) {
		vbuild_init(&sb, 0);
		if (vout_init(&sb.out, a, cap))
			return PRC_NOMEM;
		vs.squeezed = &sb;
	}
	sg.n = 0;
	sg.f = sg.t = 0;
	while (pos < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k, step;
		int starter, i;

		if (fast) {
			uint32_t c;
			uint64_t x;
			size_t n = utf8_bmp(p + pos, len - pos, &c);

			if (n && ((x = ft_get(c)) & (FT_FAST | FT_IGNORE))) {
				if (x & FT_IGNORE) {
					pos += n;
					continue;
				}
				/* a starter: what came before is complete */
				if (pend)
					feed_fast(&vs, pend, pf, pt);
				else if (sg.n)
					seg_flush(&vs, &sg);
				pend = x;
				pc = c;
				pf = (uint32_t)pos;
				pos += n;
				pt = (uint32_t)pos;
				continue;
			}
		}
		if (pend) {
			pend_open(&sg, pc, pf, pt, ex);
			pend = 0;
		}
		step = utf8proc_iterate(p + pos, (utf8proc_ssize_t)(len - pos), &cp);
		if (step < 0) {
			cp = 0xFFFD;
			step = 1;
		}
		k = expand(cp, ex);
		if (k == 0) { /* default-ignorable: gone */
			pos += (size_t)step;
			continue;
		}
		starter = ccc(ex[0]) == 0 && !is_jamo_vt(ex[0]);
		if (starter || sg.n + k > SEG_MAX) {
			seg_flush(&vs, &sg);
			if (views_nomem(&vs))
				return PRC_NOMEM;
		}
		if (sg.n == 0)
			sg.f = (uint32_t)pos;
		for (i = 0; i < k; i++)
			sg.cp[sg.n++] = ex[i];
		pos += (size_t)step;
		sg.t = (uint32_t)pos;
	}
	if (pend) /* the same as feed_fast here, which stays inline in the loop */
		pend_open(&sg, pc, pf, pt, ex);
	seg_flush(&vs, &sg);
	if (norm)
		vb_finish(&nb, norm);
	if (squeezed)
		vb_finish(&sb, squeezed);
	if (views_nomem(&vs))
		return PRC_NOMEM;
	return PRC_OK;
}

enum prc normalize_views(struct arena *a, const char *text, size_t len, struct nview *norm,
			 struct nview *squeezed)
{
	assert(a && norm);
	return build(a, text, len, norm, squeezed, 1);
}

enum prc normalize_views_reference(struct arena *a, const char *text, size_t len,
				   struct nview *norm, struct nview *squeezed)
{
	assert(a && norm && squeezed);
	return build(a, text, len, norm, squeezed, 0);
}

/* Characters a URL written in text goes on with (RFC 3986's, and %). */
static int url_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}", c);
}

/* Whether a URL starts at s[i] (the norm view is case-folded and NFKC: http, not ＨＴＴＰ). */
static size_t url_at(const char *s, size_t len, size_t i)
{
	size_t n = len - i;

	if (i > 0 && isalnum((unsigned char)s[i - 1]))
		return 0;
	if (n > 7 && !memcmp(s + i, "http://", 7))
		return 7;
	if (n > 8 && !memcmp(s + i, "https://", 8))
		return 8;
	if (n > 4 && !memcmp(s + i, "www.", 4))
		return 4;
	return 0;
}

/* Where the next c at or after s[i] is, or len. */
static size_t next_of(const char *s, size_t len, size_t i, char c)
{
	const char *p = i < len ? memchr(s + i, c, len - i) : NULL;

	return p ? (size_t)(p - s) : len;
}

void normalize_mask_urls(struct nview *norm, struct nview *squeezed)
{
	char *s = (char *)norm->s, *q = squeezed ? (char *)squeezed->s : NULL;
	size_t i = 0, j, k = 0, lo, hi, len = norm->len;
	size_t nh = next_of(s, len, 0, 'h'), nw = next_of(s, len, 0, 'w');

	while (i < len) {
		/* a URL starts at an 'h' or a 'w'; masking changes only digits */
		if (nh < i)
			nh = next_of(s, len, i, 'h');
		if (nw < i)
			nw = next_of(s, len, i, 'w');
		i = nh < nw ? nh : nw;
		if (i >= len)
			break;
		if (!(j = url_at(s, len, i))) {
			i++;
			continue;
		}
		for (j += i; j < norm->len && url_char((unsigned char)s[j]); j++)
			;
		lo = norm->from[i];
		hi = norm->to[j - 1];
		for (; i < j; i++)
			if (s[i] >= '0' && s[i] <= '9')
				s[i] = '_';
		if (!q)
			continue;
		while (k < squeezed->len && squeezed->from[k] < lo)
			k++;
		for (; k < squeezed->len && squeezed->from[k] < hi; k++)
			if (q[k] >= '0' && q[k] <= '9')
				q[k] = '_';
	}
}

char *normalize_literal(const char *s, int squeezed)
{
	struct arena *a;
	struct nview v;
	char *r = NULL;

	assert(s);
	a = arena_new();
	if (!a)
		return NULL;
	if (build(a, s, strlen(s), squeezed ? NULL : &v, squeezed ? &v : NULL, 1) == PRC_OK) {
		r = malloc(v.len + 1);
		if (r)
			memcpy(r, v.s, v.len + 1);
	}
	arena_free(a);
	return r;
}

void nview_span(const struct nview *v, size_t a, size_t b, size_t *ofrom, size_t *oto)
{
	assert(b > a && b <= v->len);
	*ofrom = v->from[a];
	*oto = v->to[b - 1];
}

size_t nview_at(const struct nview *v, size_t off)
{
	size_t lo = 0, hi = v->len;

	while (lo < hi) { /* from never decreases along a view */
		size_t mid = lo + (hi - lo) / 2;

		if (v->from[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
