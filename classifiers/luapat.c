/*
 * luapat.c - string.find, string.match, string.gmatch and string.gsub for
 * the rule sandbox, with Lua 5.4's pattern syntax and results, and a cost
 * that the sandbox can bound.
 *
 * Lua's own pattern functions run in C, where the instruction-count hook
 * never fires: a backtracking pattern such as "円.-円.-円.-振込" on a page
 * of "1000円 " x 3000 takes time cubic in the page and holds its worker
 * for hours. Patterns are part of the language rule authors know, so they
 * stay; what changes is who runs them.
 *
 * DESIGN
 *
 * A backtracking matcher of the same shape as Lua's (the manual's section
 * 6.4.1 is the specification: classes, sets, the four repetitions,
 * captures, position captures, back references, %b and %f), with one
 * difference: every pattern item tried at a place, every byte a repetition
 * or %b walks over and every byte gsub copies is a step, and every
 * LUAPAT_CHARGE_EVERY steps the matcher hands them to the charge function
 * the sandbox installed. The sandbox takes them off the call's instruction
 * budget and checks the call's deadline and the process's stop request; when
 * any is spent it raises a Lua error, which unwinds the matcher (it holds no
 * resource of its own: captures live in its struct on the C stack, results
 * on the Lua stack). So the cost of a call is bounded by the budget whatever
 * the pattern, and one check every few thousand steps costs nothing
 * measurable. Recursion is bounded as in Lua (MAXDEPTH, "pattern too
 * complex"). Plain find uses memmem, which is linear in glibc.
 */
#include "classifiers/luapat.h"

#include <ctype.h>
#include <string.h>

#include <lauxlib.h>

#define MAXCAPTURES 32
#define MAXDEPTH 200
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)
#define SPECIALS "^$*+?.([%-"

struct charger {
	luapat_charge_fn fn;
};

struct mstate {
	const char *src, *src_end, *pat, *pat_end;
	lua_State *L;
	const struct charger *ch;
	long steps;
	int depth;
	int level;
	struct {
		const char *init;
		ptrdiff_t len;
	} cap[MAXCAPTURES];
};

static void tick(struct mstate *ms, long n)
{
	ms->steps += n;
	if (ms->steps >= LUAPAT_CHARGE_EVERY) {
		long s = ms->steps;

		ms->steps = 0;
		ms->ch->fn(ms->L, s);
	}
}

/* Hands the steps not yet charged to the charge function (at the end of a call). */
static void settle(struct mstate *ms)
{
	long s = ms->steps;

	ms->steps = 0;
	if (s)
		ms->ch->fn(ms->L, s);
}

static const char *do_match(struct mstate *ms, const char *s, const char *p);

/* The end of the single-character class at p. */
static const char *class_end(struct mstate *ms, const char *p)
{
	char c = *p++;

	if (c == '%') {
		if (p >= ms->pat_end)
			luaL_error(ms->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (c == '[') {
		if (*p == '^')
			p++;
		/* the first character of a set may be ']' itself */
		do {
			if (p >= ms->pat_end)
				luaL_error(ms->L, "malformed pattern (missing ']')");
			c = *p++;
			if (c == '%' && p < ms->pat_end)
				p++;
		} while (p >= ms->pat_end || *p != ']');
		return p + 1;
	}
	return p;
}

static int class_matches(int c, int cl)
{
	int r;

	switch (tolower(cl)) {
	case 'a': r = isalpha(c); break;
	case 'c': r = iscntrl(c); break;
	case 'd': r = isdigit(c); break;
	case 'g': r = isgraph(c); break;
	case 'l': r = islower(c); break;
	case 'p': r = ispunct(c); break;
	case 's': r = isspace(c); break;
	case 'u': r = isupper(c); break;
	case 'w': r = isalnum(c); break;
	case 'x': r = isxdigit(c); break;
	default: return cl == c;
	}
	r = r != 0;
	return isupper(cl) ? !r : r;
}

/* p is at '[', ec at the set's closing ']'. */
static int set_matches(int c, const char *p, const char *ec)
{
	int sig = 1;

	p++;
	if (*p == '^') {
		sig = 0;
		p++;
	}
	while (p < ec) {
		if (*p == '%') {
			p++;
			if (class_matches(c, (unsigned char)*p))
				return sig;
			p++;
		} else if (p[1] == '-' && p + 2 < ec) {
			if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2])
				return sig;
			p += 3;
		} else {
			if ((unsigned char)*p == c)
				return sig;
			p++;
		}
	}
	return !sig;
}

static int single_matches(struct mstate *ms, const char *s, const char *p, const char *ep)
{
	int c;

	if (s >= ms->src_end)
		return 0;
	c = (unsigned char)*s;
	switch (*p) {
	case '.':
		return 1;
	case '%':
		return class_matches(c, (unsigned char)p[1]);
	case '[':
		return set_matches(c, p, ep - 1);
	default:
		return (unsigned char)*p == c;
	}
}

static const char *match_balance(struct mstate *ms, const char *s, const char *p)
{
	int cont = 1;
	char b, e;

	if (p + 1 >= ms->pat_end)
		luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
	if (s >= ms->src_end || *s != *p)
		return NULL;
	b = p[0];
	e = p[1];
	while (++s < ms->src_end) {
		tick(ms, 1);
		if (*s == e) {
			if (--cont == 0)
				return s + 1;
		} else if (*s == b) {
			cont++;
		}
	}
	return NULL;
}

static const char *max_expand(struct mstate *ms, const char *s, const char *p, const char *ep)
{
	ptrdiff_t i = 0;
	const char *r;

	while (single_matches(ms, s + i, p, ep)) {
		i++;
		tick(ms, 1);
	}
	for (; i >= 0; i--) {
		r = do_match(ms, s + i, ep + 1);
		if (r)
			return r;
	}
	return NULL;
}

static const char *min_expand(struct mstate *ms, const char *s, const char *p, const char *ep)
{
	const char *r;

	for (;;) {
		r = do_match(ms, s, ep + 1);
		if (r)
			return r;
		if (!single_matches(ms, s, p, ep))
			return NULL;
		s++;
	}
}

static const char *start_capture(struct mstate *ms, const char *s, const char *p, ptrdiff_t what)
{
	const char *r;

	if (ms->level >= MAXCAPTURES)
		luaL_error(ms->L, "too many captures");
	ms->cap[ms->level].init = s;
	ms->cap[ms->level].len = what;
	ms->level++;
	r = do_match(ms, s, p);
	if (!r)
		ms->level--;
	return r;
}

static const char *end_capture(struct mstate *ms, const char *s, const char *p)
{
	const char *r;
	int l;

	for (l = ms->level - 1; l >= 0; l--)
		if (ms->cap[l].len == CAP_UNFINISHED)
			break;
	if (l < 0)
		luaL_error(ms->L, "invalid pattern capture");
	ms->cap[l].len = s - ms->cap[l].init;
	r = do_match(ms, s, p);
	if (!r)
		ms->cap[l].len = CAP_UNFINISHED;
	return r;
}

static int capture_index(struct mstate *ms, int c)
{
	int l = c - '1';

	if (l < 0 || l >= ms->level || ms->cap[l].len == CAP_UNFINISHED)
		return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
	return l;
}

static const char *match_capture(struct mstate *ms, const char *s, int c)
{
	int l = capture_index(ms, c);
	size_t len = ms->cap[l].len == CAP_POSITION ? 0 : (size_t)ms->cap[l].len;

	tick(ms, (long)(len / 16));
	if ((size_t)(ms->src_end - s) >= len && !memcmp(ms->cap[l].init, s, len))
		return s + len;
	return NULL;
}

static const char *do_match(struct mstate *ms, const char *s, const char *p)
{
	const char *ep;

	if (ms->depth-- == 0)
		luaL_error(ms->L, "pattern too complex");
	for (;;) {
		tick(ms, 1);
		if (p >= ms->pat_end)
			break;
		if (*p == '(') {
			if (p + 1 < ms->pat_end && p[1] == ')')
				s = start_capture(ms, s, p + 2, CAP_POSITION);
			else
				s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
			break;
		}
		if (*p == ')') {
			s = end_capture(ms, s, p + 1);
			break;
		}
		if (*p == '$' && p + 1 == ms->pat_end) {
			s = s == ms->src_end ? s : NULL;
			break;
		}
		if (*p == '%' && p + 1 < ms->pat_end) {
			if (p[1] == 'b') {
				s = match_balance(ms, s, p + 2);
				if (!s)
					break;
				p += 4;
				continue;
			}
			if (p[1] == 'f') {
				int prev, cur;

				p += 2;
				if (*p != '[')
					luaL_error(ms->L, "missing '[' after '%%f' in pattern");
				ep = class_end(ms, p);
				prev = s == ms->src ? 0 : (unsigned char)s[-1];
				cur = s < ms->src_end ? (unsigned char)*s : 0;
				if (!set_matches(prev, p, ep - 1) && set_matches(cur, p, ep - 1)) {
					p = ep;
					continue;
				}
				s = NULL;
				break;
			}
			if (p[1] >= '0' && p[1] <= '9') {
				s = match_capture(ms, s, (unsigned char)p[1]);
				if (!s)
					break;
				p += 2;
				continue;
			}
		}
		/* a single-character class, maybe repeated */
		ep = class_end(ms, p);
		if (!single_matches(ms, s, p, ep)) {
			if (*ep == '*' || *ep == '?' || *ep == '-') {
				p = ep + 1;
				continue;
			}
			s = NULL;
			break;
		}
		if (*ep == '?') {
			const char *r = do_match(ms, s + 1, ep + 1);

			if (r) {
				s = r;
				break;
			}
			p = ep + 1;
			continue;
		}
		if (*ep == '+') {
			s = max_expand(ms, s + 1, p, ep);
			break;
		}
		if (*ep == '*') {
			s = max_expand(ms, s, p, ep);
			break;
		}
		if (*ep == '-') {
			s = min_expand(ms, s, p, ep);
			break;
		}
		s++;
		p = ep;
	}
	ms->depth++;
	return s;
}

static void push_one(struct mstate *ms, int i, const char *s, const char *e)
{
	if (i >= ms->level) {
		if (i != 0)
			luaL_error(ms->L, "invalid capture index %%%d", i + 1);
		lua_pushlstring(ms->L, s, (size_t)(e - s));
		return;
	}
	if (ms->cap[i].len == CAP_UNFINISHED)
		luaL_error(ms->L, "unfinished capture");
	if (ms->cap[i].len == CAP_POSITION)
		lua_pushinteger(ms->L, (ms->cap[i].init - ms->src) + 1);
	else
		lua_pushlstring(ms->L, ms->cap[i].init, (size_t)ms->cap[i].len);
}

/* Pushes the captures (the whole match when there are none and s is given). */
static int push_captures(struct mstate *ms, const char *s, const char *e)
{
	int n = ms->level == 0 && s ? 1 : ms->level, i;

	luaL_checkstack(ms->L, n, "too many captures");
	for (i = 0; i < n; i++)
		push_one(ms, i, s, e);
	return n;
}

static void prep(struct mstate *ms, lua_State *L, const char *s, size_t ls, const char *p,
		 size_t lp)
{
	ms->L = L;
	ms->ch = lua_touserdata(L, lua_upvalueindex(1));
	ms->steps = 0;
	ms->src = s;
	ms->src_end = s + ls;
	ms->pat = p;
	ms->pat_end = p + lp;
}

static void reprep(struct mstate *ms)
{
	ms->level = 0;
	ms->depth = MAXDEPTH;
}

static size_t start_at(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t)pos;
	if (pos == 0 || pos < -(lua_Integer)len)
		return 1;
	return len + (size_t)pos + 1;
}

static int has_specials(const char *p, size_t lp)
{
	size_t i;

	for (i = 0; i < lp; i++)
		if (!p[i] || strchr(SPECIALS, p[i]))
			return 1;
	return 0;
}

static int find_aux(lua_State *L, int find)
{
	size_t ls, lp, init;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	const char *s1, *e;
	struct mstate ms;
	int anchor, n;

	init = start_at(luaL_optinteger(L, 3, 1), ls);
	if (init > ls + 1) {
		lua_pushnil(L);
		return 1;
	}
	prep(&ms, L, s, ls, p, lp);
	if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
		const char *f = lp ? memmem(s + init - 1, ls - (init - 1), p, lp) : s + init - 1;

		tick(&ms, (long)((ls - (init - 1)) / 16));
		settle(&ms);
		if (!f) {
			lua_pushnil(L);
			return 1;
		}
		lua_pushinteger(L, (lua_Integer)(f - s) + 1);
		lua_pushinteger(L, (lua_Integer)(f - s) + (lua_Integer)lp);
		return 2;
	}
	anchor = lp && *p == '^';
	if (anchor) {
		ms.pat++;
	}
	s1 = s + init - 1;
	do {
		reprep(&ms);
		e = do_match(&ms, s1, ms.pat);
		if (e) {
			settle(&ms);
			if (find) {
				lua_pushinteger(L, (lua_Integer)(s1 - s) + 1);
				lua_pushinteger(L, (lua_Integer)(e - s));
				n = push_captures(&ms, NULL, NULL);
				return n + 2;
			}
			return push_captures(&ms, s1, e);
		}
	} while (s1++ < ms.src_end && !anchor);
	settle(&ms);
	lua_pushnil(L);
	return 1;
}

static int lp_find(lua_State *L)
{
	return find_aux(L, 1);
}

static int lp_match(lua_State *L)
{
	return find_aux(L, 0);
}

/* gmatch's state: where the next search starts, where the last match ended. */
struct gm {
	size_t pos;
	size_t last; /* (size_t)-1: none */
};

/* Upvalues: the charger, the string, the pattern, the struct gm. */
static int gmatch_next(lua_State *L)
{
	size_t ls, lp;
	const char *s = lua_tolstring(L, lua_upvalueindex(2), &ls);
	const char *p = lua_tolstring(L, lua_upvalueindex(3), &lp);
	struct gm *g = lua_touserdata(L, lua_upvalueindex(4));
	const char *s1, *e;
	struct mstate ms;

	prep(&ms, L, s, ls, p, lp);
	for (s1 = s + g->pos; s1 <= ms.src_end; s1++) {
		reprep(&ms);
		e = do_match(&ms, s1, p);
		if (e && (size_t)(e - s) != g->last) {
			g->pos = g->last = (size_t)(e - s);
			settle(&ms);
			return push_captures(&ms, s1, e);
		}
	}
	g->pos = ls + 1;
	settle(&ms);
	return 0;
}

static int lp_gmatch(lua_State *L)
{
	size_t ls, init;
	struct gm *g;

	luaL_checklstring(L, 1, &ls);
	luaL_checkstring(L, 2);
	init = start_at(luaL_optinteger(L, 3, 1), ls);
	lua_settop(L, 2);
	g = lua_newuserdatauv(L, sizeof(*g), 0);
	g->pos = init > ls + 1 ? ls + 1 : init - 1;
	g->last = (size_t)-1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_pushcclosure(L, gmatch_next, 4);
	return 1;
}

/* Appends the replacement string (argument 3) for the match s..e. */
static void add_string(struct mstate *ms, luaL_Buffer *b, const char *s, const char *e)
{
	lua_State *L = ms->L;
	size_t l, i;
	const char *news = lua_tolstring(L, 3, &l);

	for (i = 0; i < l; i++) {
		tick(ms, 1);
		if (news[i] != '%') {
			luaL_addchar(b, news[i]);
			continue;
		}
		i++;
		if (i < l && news[i] == '%') {
			luaL_addchar(b, '%');
		} else if (i < l && news[i] == '0') {
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if (i < l && news[i] >= '1' && news[i] <= '9') {
			push_one(ms, news[i] - '1', s, e);
			luaL_tolstring(L, -1, NULL);
			lua_remove(L, -2);
			luaL_addvalue(b);
		} else {
			luaL_error(L, "invalid use of '%%' in replacement string");
		}
	}
}

static void add_value(struct mstate *ms, luaL_Buffer *b, const char *s, const char *e, int tr)
{
	lua_State *L = ms->L;

	if (tr == LUA_TFUNCTION) {
		int n;

		lua_pushvalue(L, 3);
		n = push_captures(ms, s, e);
		lua_call(L, n, 1);
	} else if (tr == LUA_TTABLE) {
		push_one(ms, 0, s, e);
		lua_gettable(L, 3);
	} else {
		add_string(ms, b, s, e);
		return;
	}
	if (!lua_toboolean(L, -1)) {
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));
		return;
	}
	if (!lua_isstring(L, -1))
		luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
}

static int lp_gsub(lua_State *L)
{
	size_t ls, lp;
	const char *src = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	const char *lastmatch = NULL, *e;
	int tr = lua_type(L, 3);
	lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)ls + 1), n = 0;
	struct mstate ms;
	luaL_Buffer b;
	int anchor;

	luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
			     tr == LUA_TTABLE,
			 3, "string/function/table");
	prep(&ms, L, src, ls, p, lp);
	anchor = lp && *p == '^';
	if (anchor)
		ms.pat++;
	luaL_buffinit(L, &b);
	while (n < max_s) {
		reprep(&ms);
		e = do_match(&ms, src, ms.pat);
		if (e && e != lastmatch) {
			n++;
			tick(&ms, (long)(e - src));
			add_value(&ms, &b, src, e, tr);
			src = lastmatch = e;
		} else if (src < ms.src_end) {
			luaL_addchar(&b, *src++);
		} else {
			break;
		}
		if (anchor)
			break;
	}
	tick(&ms, (long)(ms.src_end - src));
	settle(&ms);
	luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
	luaL_pushresult(&b);
	lua_pushinteger(L, n);
	return 2;
}

void luapat_install(lua_State *L, int idx, luapat_charge_fn charge)
{
	static const luaL_Reg fns[] = {
		{ "find", lp_find }, { "match", lp_match }, { "gmatch", lp_gmatch },
		{ "gsub", lp_gsub }, { NULL, NULL }
	};
	struct charger *ch;

	lua_pushvalue(L, idx);
	ch = lua_newuserdatauv(L, sizeof(*ch), 0);
	ch->fn = charge;
	luaL_setfuncs(L, fns, 1);
	lua_pop(L, 1);
}
