/* normalize.h - the views of a page's text that patterns run on, with maps back to the original. */
#ifndef PATROL_NORMALIZE_H
#define PATROL_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/err.h"

/*
 * A view of some original UTF-8 text. Byte i of s was produced by the
 * original character occupying bytes [from[i], to[i]) of the original, so
 * any match [a, b) in the view maps back to [from[a], to[b-1]) there, and
 * evidence is always shown as the page wrote it. from and to never decrease
 * along a view; where several original characters become one output (ｶﾞ,
 * 三万, a run of spaces) every byte of that output maps to all of them.
 */
struct nview {
	const char *s;       /* NUL-terminated UTF-8 */
	size_t len;
	const uint32_t *from;/* len entries */
	const uint32_t *to;  /* len entries */
};

/*
 * The "norm" view: NFKC and case folding (utf8proc), so full-width and
 * half-width forms, circled digits and the like read as plain characters;
 * katakana folded to hiragana; kanji numerals (一..九, 十, 百, 千, 万 in
 * number context, 〇, 零, and the formal 壱 弐 参 伍 拾 阡) readable as ASCII
 * digits; kanji that look like katakana read as the katakana inside a
 * katakana word (在留カ一ド, アウ卜レット); a word spaced out letter by
 * letter closed (闇 バ イ ト, 大・麻, 使 っ て な い 口 座: a gap of spaces or
 * dots between two single Japanese letters; 氏名 住所 and リ シンエン keep
 * their space); Cyrillic and Greek letters that look
 * like Latin ones read as those (Теlеgrаm); a backslash as the yen sign
 * (Shift_JIS's 0x5C, decoded as '\\'); control characters and
 * zero-width characters dropped; every run of white space one ' ', '\n' kept
 * as a break.
 *
 * The "squeezed" view: the norm view without the separators evasion puts
 * between characters: spaces, line breaks, punctuation (.,・※…), symbols,
 * emoji and zero-width characters; letters, digits and CJK remain.
 *
 * squeezed may be NULL: only the norm view is built, the same as with it.
 * Both views and their maps live in arena a. Input that is not valid UTF-8
 * is read as U+FFFD per bad byte. PRC_NOMEM without memory, PRC_LIMIT when
 * text is over 4 GiB. Thread-safe.
 */
enum prc normalize_views(struct arena *a, const char *text, size_t len, struct nview *norm,
			 struct nview *squeezed);

/*
 * For tests only: normalize_views() without its fast path, every codepoint
 * through utf8proc one at a time. Its views and maps are the reference the
 * fast path must equal byte for byte.
 */
enum prc normalize_views_reference(struct arena *a, const char *text, size_t len,
				   struct nview *norm, struct nview *squeezed);

/*
 * Normalizes a pattern literal the way the view named by squeezed (0: norm,
 * 1: squeezed) normalizes page text, so a rule author's "ﾃﾚｸﾞﾗﾑ" or
 * "テレグラム" matches either form. Returns a malloc'd string or NULL without
 * memory. Thread-safe. The literal is read as text on its own: kanji numerals
 * are judged by what follows inside the literal (三万 → 30000, a lone 一 stays).
 */
char *normalize_literal(const char *s, int squeezed);

/*
 * In the views of page text (not of a page's own URL), the digits of each
 * URL written in the text (http://, https://, www. up to the first character
 * no URL has) read as '_', in both views: they never count as money, a phone
 * number or an account number, while a URL pattern's [a-z0-9_] still spans
 * them and evidence still quotes them as written. squeezed may be NULL.
 */
void normalize_mask_urls(struct nview *norm, struct nview *squeezed);

/* Maps a match [a, b) in v back to the original text's bytes [*ofrom, *oto). b > a, b <= v->len. */
void nview_span(const struct nview *v, size_t a, size_t b, size_t *ofrom, size_t *oto);

/* The other way: the first byte of v at or after the original's byte off (v->len when none). */
size_t nview_at(const struct nview *v, size_t off);

#endif
