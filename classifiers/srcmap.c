/*
 * srcmap.c - a small Lua tokenizer that lets the rule loader tell a rule
 * author on which line a refused value was written. Lua keeps no line
 * numbers for table fields, so the loader finds the value's token instead:
 * the rule's name string, then a set's key, then the pattern string after
 * it. Strings are decoded as Lua decodes them, so a pattern written with
 * escapes is still found.
 */
#include "classifiers/srcmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/hex.h"
#include "util/utf8.h"

struct lexer {
	const char *s;
	size_t len, i;
	int line;
	struct srcmap *m;
	size_t cap;
	char *sb; /* decoded string being built */
	size_t sblen, sbcap;
};

static int sb_add(struct lexer *x, const char *p, size_t n)
{
	char *nb;
	size_t nc;

	if (x->sblen + n + 1 > x->sbcap) {
		nc = x->sbcap ? x->sbcap * 2 : 64;
		while (nc < x->sblen + n + 1)
			nc *= 2;
		nb = realloc(x->sb, nc);
		if (!nb)
			return -1;
		x->sb = nb;
		x->sbcap = nc;
	}
	memcpy(x->sb + x->sblen, p, n);
	x->sblen += n;
	x->sb[x->sblen] = 0;
	return 0;
}

static int sb_utf8(struct lexer *x, unsigned long c)
{
	unsigned char u[4];
	size_t n = utf8_encode(u, (uint32_t)c);

	return sb_add(x, (const char *)u, n);
}

static int push_tok(struct lexer *x, enum srcmap_kind k, const char *v, size_t n, int line)
{
	struct srcmap *m = x->m;
	struct srcmap_tok *nt;

	if (m->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		nt = realloc(m->tok, x->cap * sizeof(*nt));
		if (!nt)
			return -1;
		m->tok = nt;
	}
	nt = &m->tok[m->n];
	nt->val = malloc(n + 1);
	if (!nt->val)
		return -1;
	memcpy(nt->val, v, n);
	nt->val[n] = 0;
	nt->len = n;
	nt->kind = k;
	nt->line = line;
	m->n++;
	return 0;
}

/* At '[': returns the level of a long bracket ("[==[" is 2), or -1. */
static int long_level(struct lexer *x)
{
	size_t j = x->i + 1;
	int lvl = 0;

	while (j < x->len && x->s[j] == '=') {
		lvl++;
		j++;
	}
	return j < x->len && x->s[j] == '[' ? lvl : -1;
}

/* Reads a long bracket at x->i into the string buffer. */
static int read_long(struct lexer *x, int lvl)
{
	size_t j;
	int k;

	x->sblen = 0;
	if (sb_add(x, "", 0))
		return -1;
	x->i += (size_t)lvl + 2;
	if (x->i < x->len && x->s[x->i] == '\r')
		x->i++;
	if (x->i < x->len && x->s[x->i] == '\n') {
		x->line++;
		x->i++;
	}
	while (x->i < x->len) {
		if (x->s[x->i] == ']') {
			j = x->i + 1;
			for (k = 0; k < lvl && j < x->len && x->s[j] == '='; k++)
				j++;
			if (k == lvl && j < x->len && x->s[j] == ']') {
				x->i = j + 1;
				return 0;
			}
		}
		if (x->s[x->i] == '\n')
			x->line++;
		if (sb_add(x, &x->s[x->i], 1))
			return -1;
		x->i++;
	}
	return 0;
}

static int read_short(struct lexer *x)
{
	char q = x->s[x->i++], c;
	unsigned long v;
	int d, k;

	x->sblen = 0;
	if (sb_add(x, "", 0))
		return -1;
	while (x->i < x->len && x->s[x->i] != q && x->s[x->i] != '\n') {
		c = x->s[x->i++];
		if (c != '\\' || x->i >= x->len) {
			if (sb_add(x, &c, 1))
				return -1;
			continue;
		}
		c = x->s[x->i++];
		switch (c) {
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'v': c = '\v'; break;
		case '\n': x->line++; break;
		case 'z':
			while (x->i < x->len && strchr(" \t\r\n\f\v", x->s[x->i])) {
				if (x->s[x->i] == '\n')
					x->line++;
				x->i++;
			}
			continue;
		case 'x':
			v = 0;
			for (k = 0; k < 2 && x->i < x->len && (d = hex_value(x->s[x->i])) >= 0; k++, x->i++)
				v = v * 16 + (unsigned long)d;
			c = (char)v;
			break;
		case 'u':
			v = 0;
			if (x->i < x->len && x->s[x->i] == '{')
				x->i++;
			while (x->i < x->len && (d = hex_value(x->s[x->i])) >= 0) {
				v = v * 16 + (unsigned long)d;
				x->i++;
			}
			if (x->i < x->len && x->s[x->i] == '}')
				x->i++;
			if (sb_utf8(x, v))
				return -1;
			continue;
		default:
			if (c >= '0' && c <= '9') {
				v = (unsigned long)(c - '0');
				for (k = 1; k < 3 && x->i < x->len && x->s[x->i] >= '0' && x->s[x->i] <= '9';
				     k++)
					v = v * 10 + (unsigned long)(x->s[x->i++] - '0');
				c = (char)v;
			}
			break;
		}
		if (sb_add(x, &c, 1))
			return -1;
	}
	if (x->i < x->len && x->s[x->i] == q)
		x->i++;
	return 0;
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

enum prc srcmap_init(struct srcmap *m, const char *src, size_t len)
{
	struct lexer x = { src, len, 0, 1, m, 0, NULL, 0, 0 };
	size_t st;
	int lvl, line;
	char c;

	m->tok = NULL;
	m->n = 0;
	while (x.i < len) {
		c = src[x.i];
		if (c == '\n') {
			x.line++;
			x.i++;
		} else if (c == '-' && x.i + 1 < len && src[x.i + 1] == '-') {
			x.i += 2;
			if (x.i < len && src[x.i] == '[' && (lvl = long_level(&x)) >= 0) {
				if (read_long(&x, lvl))
					goto nomem;
			} else {
				while (x.i < len && src[x.i] != '\n')
					x.i++;
			}
		} else if (c == '"' || c == '\'') {
			line = x.line;
			if (read_short(&x) || push_tok(&x, SRCMAP_STRING, x.sb, x.sblen, line))
				goto nomem;
		} else if (c == '[' && (lvl = long_level(&x)) >= 0) {
			line = x.line;
			if (read_long(&x, lvl) || push_tok(&x, SRCMAP_STRING, x.sb, x.sblen, line))
				goto nomem;
		} else if (is_name_start(c)) {
			st = x.i;
			while (x.i < len && (is_name_start(src[x.i]) ||
					     (src[x.i] >= '0' && src[x.i] <= '9')))
				x.i++;
			if (push_tok(&x, SRCMAP_NAME, src + st, x.i - st, x.line))
				goto nomem;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			x.i++;
		} else {
			if (push_tok(&x, SRCMAP_OP, &src[x.i], 1, x.line))
				goto nomem;
			x.i++;
		}
	}
	free(x.sb);
	return PRC_OK;
nomem:
	free(x.sb);
	srcmap_release(m);
	return PRC_NOMEM;
}

void srcmap_release(struct srcmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->tok[i].val);
	free(m->tok);
	m->tok = NULL;
	m->n = 0;
}

static size_t dist(size_t a, size_t b)
{
	return a > b ? a - b : b - a;
}

long srcmap_find_string(const struct srcmap *m, const char *s, size_t len, size_t lo, size_t hi,
			size_t near)
{
	long best = -1;
	size_t i;

	if (hi > m->n)
		hi = m->n;
	for (i = lo; i < hi; i++) {
		const struct srcmap_tok *t = &m->tok[i];

		if (t->kind != SRCMAP_STRING || t->len != len || memcmp(t->val, s, len))
			continue;
		if (best < 0 || dist(i, near) < dist((size_t)best, near))
			best = (long)i;
	}
	return best;
}

static int is_op(const struct srcmap *m, size_t i, char c)
{
	return i < m->n && m->tok[i].kind == SRCMAP_OP && m->tok[i].val[0] == c;
}

long srcmap_find_key(const struct srcmap *m, const char *name, size_t lo, size_t hi, size_t near)
{
	long best = -1;
	size_t i;
	int hit;

	if (hi > m->n)
		hi = m->n;
	for (i = lo; i < hi; i++) {
		const struct srcmap_tok *t = &m->tok[i];

		if (strcmp(t->val, name))
			continue;
		hit = 0;
		if (t->kind == SRCMAP_NAME && is_op(m, i + 1, '=') && !is_op(m, i + 2, '='))
			hit = 1;
		else if (t->kind == SRCMAP_STRING && i > 0 && is_op(m, i - 1, '[') &&
			 is_op(m, i + 1, ']') && is_op(m, i + 2, '='))
			hit = 1;
		if (hit && (best < 0 || dist(i, near) < dist((size_t)best, near)))
			best = (long)i;
	}
	return best;
}

int srcmap_line(const struct srcmap *m, long i, int fallback)
{
	return i >= 0 && (size_t)i < m->n ? m->tok[i].line : fallback;
}
