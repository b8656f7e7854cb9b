/*
 * sandbox.c - the Lua state rule files and their classify() functions run
 * in. Rules come from rule authors, and the pages they read come from a
 * hostile web, so neither a mistake nor a trick in a rule may stop a worker,
 * leak a file or take the machine's memory.
 *
 * DESIGN
 *
 * The state is built by lua_newstate() with an allocator that counts every
 * byte the state holds. It refuses any growth past a limit, which Lua turns
 * into a memory error the caller's lua_pcall catches. The limit is the hard
 * cap of the whole state while patrol's own C code builds page and match
 * tables, and "what the state holds now + the per-call budget" while a rule
 * runs, so a rule is charged for what it allocates, not for the page text.
 *
 * An instruction-count hook fires every SBX_HOOK_EVERY VM instructions and
 * takes them off the call's budget. When the budget is gone it raises an
 * error; because a rule may wrap its loop in pcall(), it also re-arms itself
 * to fire on every instruction and keeps raising, so the error climbs out of
 * any pcall the rule set up within a few instructions. The hook is removed
 * between calls.
 *
 * Lua's pattern functions (string.find, match, gmatch, gsub) run in C,
 * where the hook never fires, and backtrack: one call can take hours. They
 * are replaced by the bounded matcher of classifiers/luapat.c, which hands
 * its steps to sbx_charge every few thousand steps; the steps come off the
 * same instruction budget, so a call's budget covers Lua and pattern work
 * together. The other C functions a rule can reach are linear in their
 * input, and their input is bounded by the memory budget.
 *
 * Besides the budget, every check (the hook every SBX_HOOK_EVERY
 * instructions, sbx_charge every LUAPAT_CHARGE_EVERY steps) looks at a
 * deadline (the page's, set by the classifier, or SANDBOX_CALL_MS from the
 * call's start) and at the process's stop flag (sandbox_set_stop), so a
 * stopping crawl gets its workers back within milliseconds whatever a rule
 * does: such a call ends with PRC_AGAIN. Whichever ends a call, the state
 * is marked killed and the hook re-armed to fire on every instruction, so a
 * rule cannot catch the error with pcall and go on.
 *
 * The globals are an allow-list (as Redis' script_lua.c): only the base
 * functions that cannot reach files, the environment, bytecode or the
 * collector survive, plus string (without dump), table, math, utf8 and the
 * helper library `lib`. setmetatable refuses __gc, so no rule code runs
 * outside a budgeted call. After sealing, the shared library tables are
 * read-only proxies, and the globals table is empty: it reads the shared
 * globals through __index and refuses every assignment, so one rule cannot
 * change what the next one sees. A proxy never hands out the table behind
 * it: pairs() returns the proxy as its state, next, rawget and rawlen are
 * replaced by versions that see through proxies, and every table read
 * through a proxy comes out as a proxy itself (see "Read-only proxies"). Every call goes through lua_pcall
 * with a message handler that appends a traceback.
 */
#include "classifiers/sandbox.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/mman.h>

#include <lauxlib.h>
#include <lualib.h>

#include "classifiers/luapat.h"

#define SBX_HOOK_EVERY 1000

/*
 * Small blocks (tables, short strings, closures: most of what a page and
 * its rules allocate, and freed as fast) come from a pool of the state's
 * own: one reserved region cut into size classes of SBX_POOL_STEP bytes up
 * to SBX_POOL_MAX, each with a free list, so a block costs a pointer pop
 * instead of a trip through malloc. What the region cannot hold, and every
 * larger block, goes to malloc. The byte count and the limits are those of
 * the sizes Lua asks for, pool or not. Under AddressSanitizer every block
 * goes to malloc, so it sees each one.
 */
#define SBX_POOL_STEP 16
#define SBX_POOL_MAX 256
#define SBX_POOL_CLASSES (SBX_POOL_MAX / SBX_POOL_STEP)
#define SBX_POOL_BYTES ((size_t)32 << 20)
#if defined(__SANITIZE_ADDRESS__)
#define SBX_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SBX_POOL 0
#endif
#endif
#ifndef SBX_POOL
#define SBX_POOL 1
#endif

/* Why a call was ended. */
enum { SBX_RUNNING = 0, SBX_BUDGET, SBX_DEADLINE, SBX_STOPPED };

struct sandbox {
	lua_State *L;
	size_t used;       /* bytes the state holds */
	size_t limit;      /* growth past this is refused */
	size_t hard;       /* limit outside rule calls */
	size_t mem_budget; /* per call, on top of used */
	long insn_budget;  /* per call */
	long insn_left;
	int killed;        /* SBX_*: why the current call was ended */
	int in_call;       /* a budgeted call runs */
	long call_ms;      /* wall-clock limit of one call */
	long long deadline;/* CLOCK_MONOTONIC us set by sandbox_set_deadline, 0: none */
	long long call_end;/* the current call's deadline (us) */
	char *pool;        /* SBX_POOL_BYTES reserved, NULL: none */
	size_t pool_top;   /* bytes of it handed out so far */
	void *pool_free[SBX_POOL_CLASSES + 1]; /* per size class, blocks given back */
};

/* The process's stop request: set once before threads start, read by every check. */
static _Atomic(const volatile sig_atomic_t *) sbx_stop;

static const char *const sbx_allowed[] = {
	"string", "table", "math", "utf8", "pairs", "ipairs", "next", "select", "type",
	"tostring", "tonumber", "pcall", "error", "assert", "rawequal", "rawlen", "rawget",
	"setmetatable", "getmetatable", "lib", NULL
};

static const char *const sbx_readonly[] = { "string", "table", "math", "utf8", "lib", NULL };

static int sbx_in_pool(const struct sandbox *s, const void *p)
{
	return s->pool && (const char *)p >= s->pool && (const char *)p < s->pool + SBX_POOL_BYTES;
}

/* The size class of a block of n bytes (1..SBX_POOL_CLASSES), 0 for none. */
static size_t sbx_class(size_t n)
{
	return n <= SBX_POOL_MAX ? (n + SBX_POOL_STEP - 1) / SBX_POOL_STEP : 0;
}

/* A block of class c from the pool, NULL when the pool has none left. */
static void *sbx_pool_get(struct sandbox *s, size_t c)
{
	void *p = s->pool_free[c];

	if (p) {
		memcpy(&s->pool_free[c], p, sizeof(void *));
		return p;
	}
	if (!s->pool || s->pool_top + c * SBX_POOL_STEP > SBX_POOL_BYTES)
		return NULL;
	p = s->pool + s->pool_top;
	s->pool_top += c * SBX_POOL_STEP;
	return p;
}

static void sbx_release(struct sandbox *s, void *p, size_t size)
{
	size_t c;

	if (!sbx_in_pool(s, p)) {
		free(p);
		return;
	}
	c = sbx_class(size);
	memcpy(p, &s->pool_free[c], sizeof(void *));
	s->pool_free[c] = p;
}

static void *sbx_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct sandbox *s = ud;
	size_t old = ptr ? osize : 0, c;
	void *p;

	if (nsize == 0) {
		if (ptr)
			sbx_release(s, ptr, old);
		s->used -= old;
		return NULL;
	}
	if (nsize > old && s->used - old + nsize > s->limit)
		return NULL;
	c = sbx_class(nsize);
	if (ptr && sbx_in_pool(s, ptr) && c == sbx_class(old)) {
		p = ptr; /* the same class holds it */
	} else if (ptr && !sbx_in_pool(s, ptr) && !c) {
		p = realloc(ptr, nsize);
		if (!p)
			return NULL;
	} else {
		p = c ? sbx_pool_get(s, c) : NULL;
		if (!p)
			p = malloc(nsize);
		if (!p)
			return NULL;
		if (ptr) {
			memcpy(p, ptr, old < nsize ? old : nsize);
			sbx_release(s, ptr, old);
		}
	}
	s->used = s->used - old + nsize;
	return p;
}

static struct sandbox *sbx_of(lua_State *L)
{
	void *ud = NULL;

	lua_getallocf(L, &ud);
	return ud;
}

static long long sbx_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int sbx_stopping(void)
{
	const volatile sig_atomic_t *f = atomic_load(&sbx_stop);

	return f && *f;
}

int sandbox_stopping(void)
{
	return sbx_stopping();
}

/* SBX_RUNNING while the call may go on, else why not. */
static int sbx_check(struct sandbox *s)
{
	if (s->killed)
		return s->killed;
	if (s->insn_left <= 0)
		return SBX_BUDGET;
	if (sbx_stopping())
		return SBX_STOPPED;
	if (s->call_end && sbx_now_us() >= s->call_end)
		return SBX_DEADLINE;
	return SBX_RUNNING;
}

static void sbx_hook(lua_State *L, lua_Debug *ar);

/*
 * Ends the current call: marks the state, makes the hook fire on every
 * instruction (so a pcall in the rule cannot swallow it) and raises the
 * error at level (1: the Lua function that called a C function, 0: the
 * function the hook interrupted).
 */
static int sbx_kill(lua_State *L, struct sandbox *s, int why, int level)
{
	lua_Debug d;

	if (!s->killed) {
		s->killed = why;
		lua_sethook(L, sbx_hook, LUA_MASKCOUNT, 1);
	}
	if (lua_getstack(L, level, &d) && lua_getinfo(L, "Sl", &d) && d.currentline > 0)
		lua_pushfstring(L, "%s:%d: ", d.short_src, d.currentline);
	else
		lua_pushliteral(L, "");
	switch (s->killed) {
	case SBX_STOPPED:
		lua_pushliteral(L, "interrupted: the process is stopping");
		break;
	case SBX_DEADLINE:
		lua_pushliteral(L, "time budget exceeded");
		break;
	default:
		lua_pushfstring(L, "instruction budget exceeded (%I instructions, pattern matching "
			        "included)", (lua_Integer)s->insn_budget);
		break;
	}
	lua_concat(L, 2);
	return lua_error(L);
}

static void sbx_hook(lua_State *L, lua_Debug *ar)
{
	struct sandbox *s = sbx_of(L);
	int why;

	(void)ar;
	s->insn_left -= SBX_HOOK_EVERY;
	why = sbx_check(s);
	if (why != SBX_RUNNING)
		sbx_kill(L, s, why, 0);
}

/* The bounded pattern functions' steps (classifiers/luapat.c). */
static void sbx_charge(lua_State *L, long steps)
{
	struct sandbox *s = sbx_of(L);
	int why;

	if (!s->in_call)
		return;
	s->insn_left -= steps;
	why = sbx_check(s);
	if (why != SBX_RUNNING)
		sbx_kill(L, s, why, 1);
}

void sandbox_set_stop(const volatile sig_atomic_t *flag)
{
	atomic_store(&sbx_stop, flag);
}

void sandbox_set_deadline(struct sandbox *s, long ms)
{
	s->deadline = ms > 0 ? sbx_now_us() + ms * 1000LL : 0;
}

static int sbx_msgh(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg)
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

static int sbx_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_pushliteral(L, "__gc");
		if (lua_rawget(L, 2) != LUA_TNIL)
			return luaL_error(L, "__gc metamethods are not allowed in rules");
		lua_pop(L, 1);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static int sbx_global_newindex(lua_State *L)
{
	/* the metatable's __index is the table of the shared globals */
	if (lua_getmetatable(L, 1) && lua_getfield(L, -1, "__index") == LUA_TTABLE) {
		lua_pushvalue(L, 2);
		if (lua_rawget(L, -2) != LUA_TNIL)
			return luaL_error(L, "assignment to global '%s': the shared globals are "
					  "read-only (rules must use local)",
					  lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
	}
	return luaL_error(L, "assignment to undeclared global '%s' (rules must use local)",
			  lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
}

/*
 * Read-only proxies. A proxy is an empty table with the one shared metatable
 * below; the table it stands for is found in the registry (proxy -> raw, weak
 * keys), never in an upvalue or a field a rule could reach. Every way a
 * table hands out its contents (__index, __pairs, next, rawget, rawlen)
 * goes through the proxy and hands out tables as proxies too (raw -> proxy
 * cached, weak keys), so no value reachable from a shared table is writable
 * and getmetatable() answers false.
 */
static const char sbx_raw_key = 'r';   /* registry: proxy -> raw */
static const char sbx_proxy_key = 'p'; /* registry: raw -> proxy */
static const char sbx_mt_key = 'm';    /* registry: the proxies' metatable */

/* Pushes the table proxy stands for, or nothing and returns 0 if it is not a proxy. */
static int ro_raw(lua_State *L, int proxy)
{
	proxy = lua_absindex(L, proxy);
	if (lua_type(L, proxy) != LUA_TTABLE)
		return 0;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &sbx_raw_key);
	lua_pushvalue(L, proxy);
	if (lua_rawget(L, -2) != LUA_TTABLE) {
		lua_pop(L, 2);
		return 0;
	}
	lua_remove(L, -2);
	return 1;
}

/* Replaces a table on top of the stack by its proxy. */
static void ro_wrap_top(lua_State *L)
{
	if (lua_type(L, -1) == LUA_TTABLE)
		sandbox_push_readonly(L, -1), lua_remove(L, -2);
}

static int ro_index(lua_State *L)
{
	if (!ro_raw(L, 1))
		return 0;
	lua_pushvalue(L, 2);
	lua_gettable(L, -2);
	ro_wrap_top(L);
	return 1;
}

static int ro_newindex(lua_State *L)
{
	return luaL_error(L, "attempt to modify a read-only table");
}

static int ro_len(lua_State *L)
{
	lua_pushinteger(L, ro_raw(L, 1) ? (lua_Integer)lua_rawlen(L, -1) : 0);
	return 1;
}

/* next(proxy, k) with the value as a proxy when it is a table. */
static int ro_next(lua_State *L)
{
	lua_settop(L, 2);
	if (!ro_raw(L, 1))
		return luaL_error(L, "bad argument #1 to 'next' (not a shared table)");
	lua_pushvalue(L, 2);
	if (!lua_next(L, -2)) {
		lua_pushnil(L);
		return 1;
	}
	ro_wrap_top(L);
	return 2;
}

static int ro_pairs(lua_State *L)
{
	lua_pushcfunction(L, ro_next);
	lua_pushvalue(L, 1); /* the proxy, never the table behind it */
	lua_pushnil(L);
	return 3;
}

/* The global next: proxies iterate what they stand for. Upvalue 1: Lua's next. */
static int sbx_next(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	if (lua_getmetatable(L, 1)) {
		lua_rawgetp(L, LUA_REGISTRYINDEX, &sbx_mt_key);
		if (lua_rawequal(L, -1, -2)) {
			lua_pop(L, 2);
			return ro_next(L);
		}
		lua_pop(L, 2);
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_settop(L, 3);
	lua_call(L, 2, LUA_MULTRET);
	return lua_gettop(L);
}

/* rawget on a proxy reads what it stands for (as a proxy); elsewhere as Lua's. */
static int sbx_rawget(lua_State *L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	luaL_checkany(L, 2);
	lua_settop(L, 2);
	if (ro_raw(L, 1)) {
		lua_pushvalue(L, 2);
		lua_rawget(L, -2);
		ro_wrap_top(L);
		return 1;
	}
	lua_rawget(L, 1);
	return 1;
}

static int sbx_rawlen(lua_State *L)
{
	int t = lua_type(L, 1);

	luaL_argexpected(L, t == LUA_TTABLE || t == LUA_TSTRING, 1, "table or string");
	if (t == LUA_TTABLE && ro_raw(L, 1)) {
		lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
		return 1;
	}
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, 1));
	return 1;
}

/* Creates the registry tables and the proxies' metatable (in sbx_open). */
static void ro_setup(lua_State *L)
{
	int i;

	for (i = 0; i < 2; i++) {
		lua_newtable(L);
		lua_createtable(L, 0, 1);
		lua_pushliteral(L, "k");
		lua_setfield(L, -2, "__mode");
		lua_setmetatable(L, -2);
		lua_rawsetp(L, LUA_REGISTRYINDEX, i ? &sbx_proxy_key : &sbx_raw_key);
	}
	lua_createtable(L, 0, 6);
	lua_pushcfunction(L, ro_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, ro_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, ro_len);
	lua_setfield(L, -2, "__len");
	lua_pushcfunction(L, ro_pairs);
	lua_setfield(L, -2, "__pairs");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_rawsetp(L, LUA_REGISTRYINDEX, &sbx_mt_key);
}

void sandbox_push_readonly(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	luaL_checkstack(L, 4, "read-only view");
	/* a proxy stays itself */
	if (ro_raw(L, idx)) {
		lua_pop(L, 1);
		lua_pushvalue(L, idx);
		return;
	}
	lua_rawgetp(L, LUA_REGISTRYINDEX, &sbx_proxy_key);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, -2) == LUA_TTABLE) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);
	lua_newtable(L); /* the proxy */
	lua_rawgetp(L, LUA_REGISTRYINDEX, &sbx_mt_key);
	lua_setmetatable(L, -2);
	lua_pushvalue(L, idx);
	lua_pushvalue(L, -2);
	lua_rawset(L, -4); /* raw -> proxy */
	lua_remove(L, -2);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &sbx_raw_key);
	lua_pushvalue(L, -2);
	lua_pushvalue(L, idx);
	lua_rawset(L, -3); /* proxy -> raw */
	lua_pop(L, 1);
}

static int sbx_open(lua_State *L)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },     { LUA_STRLIBNAME, luaopen_string },
		{ LUA_TABLIBNAME, luaopen_table }, { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 }, { NULL, NULL }
	};
	const luaL_Reg *r;
	const char *const *a;
	int keep;

	for (r = libs; r->name; r++) {
		luaL_requiref(L, r->name, r->func, 1);
		lua_pop(L, 1);
	}

	/* bytecode is the one way around "t"-mode loading */
	lua_getglobal(L, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	/* the string metatable's __index is this table, so s:find() is bounded too */
	luapat_install(L, -1, sbx_charge);
	lua_pop(L, 1);

	/* strings share one metatable: hide it so no rule can change it */
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "__metatable");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);

	lua_getglobal(L, "setmetatable");
	lua_pushcclosure(L, sbx_setmetatable, 1);
	lua_setglobal(L, "setmetatable");

	ro_setup(L);
	lua_getglobal(L, "next");
	lua_pushcclosure(L, sbx_next, 1);
	lua_setglobal(L, "next");
	lua_pushcfunction(L, sbx_rawget);
	lua_setglobal(L, "rawget");
	lua_pushcfunction(L, sbx_rawlen);
	lua_setglobal(L, "rawlen");

	lua_newtable(L);
	lua_setglobal(L, "lib");

	/* clearing existing fields during lua_next is allowed */
	lua_pushglobaltable(L);
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		keep = 0;
		if (lua_type(L, -1) == LUA_TSTRING)
			for (a = sbx_allowed; *a; a++)
				if (!strcmp(*a, lua_tostring(L, -1)))
					keep = 1;
		if (!keep) {
			lua_pushvalue(L, -1);
			lua_pushnil(L);
			lua_rawset(L, -4);
		}
	}
	lua_pop(L, 1);
	return 0;
}

struct sandbox *sandbox_new(struct err *e)
{
	struct sandbox *s = calloc(1, sizeof(*s));

	if (!s) {
		err_set(e, PRC_NOMEM, "out of memory creating a lua state");
		return NULL;
	}
	s->hard = SANDBOX_MEM_HARD_CAP;
	s->limit = s->hard;
	s->mem_budget = SANDBOX_MEM_BUDGET;
	s->insn_budget = SANDBOX_INSN_BUDGET;
	s->call_ms = SANDBOX_CALL_MS;
	if (SBX_POOL) {
		s->pool = mmap(NULL, SBX_POOL_BYTES, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (s->pool == MAP_FAILED)
			s->pool = NULL; /* malloc serves every block */
	}
	s->L = lua_newstate(sbx_alloc, s);
	if (!s->L) {
		if (s->pool)
			munmap(s->pool, SBX_POOL_BYTES);
		free(s);
		err_set(e, PRC_NOMEM, "out of memory creating a lua state");
		return NULL;
	}
	lua_setwarnf(s->L, NULL, NULL);
	if (sandbox_cpcall(s, sbx_open, NULL, 0, e) != PRC_OK) {
		sandbox_free(s);
		return NULL;
	}
	return s;
}

void sandbox_free(struct sandbox *s)
{
	if (!s)
		return;
	if (s->L)
		lua_close(s->L);
	if (s->pool)
		munmap(s->pool, SBX_POOL_BYTES);
	free(s);
}

lua_State *sandbox_state(struct sandbox *s)
{
	return s->L;
}

void sandbox_set_budget(struct sandbox *s, size_t mem_bytes, long instructions)
{
	if (mem_bytes)
		s->mem_budget = mem_bytes;
	if (instructions > 0)
		s->insn_budget = instructions;
}

size_t sandbox_mem_used(const struct sandbox *s)
{
	return s->used;
}

enum prc sandbox_load(struct sandbox *s, const char *chunkname, const char *src, size_t len,
		      struct err *e)
{
	lua_State *L = s->L;
	char name[512];
	int rc;

	snprintf(name, sizeof(name), "@%s", chunkname);
	rc = luaL_loadbufferx(L, src, len, name, "t");
	if (rc == LUA_OK)
		return PRC_OK;
	err_set(e, rc == LUA_ERRMEM ? PRC_LIMIT : PRC_PARSE, "%s",
		lua_tostring(L, -1) ? lua_tostring(L, -1) : "cannot load chunk");
	lua_pop(L, 1);
	return rc == LUA_ERRMEM ? PRC_LIMIT : PRC_PARSE;
}

/* Turns a failed lua_pcall (message on top) into a result code and e's message. */
static enum prc sbx_failed(struct sandbox *s, int rc, int killed, struct err *e)
{
	lua_State *L = s->L;
	const char *msg = lua_tostring(L, -1);
	enum prc r;

	if (rc == LUA_ERRMEM) {
		r = PRC_LIMIT;
		err_set(e, r, "memory budget exceeded (%zu KiB per call)", s->mem_budget >> 10);
	} else {
		r = killed == SBX_STOPPED ? PRC_AGAIN : killed ? PRC_LIMIT : PRC_INVALID;
		err_set(e, r, "%s", msg ? msg : "error with a non-string error object");
	}
	lua_pop(L, 1);
	lua_gc(L, LUA_GCCOLLECT);
	return r;
}

enum prc sandbox_call(struct sandbox *s, int nargs, int nresults, struct err *e)
{
	lua_State *L = s->L;
	int base = lua_gettop(L) - nargs;
	size_t saved = s->limit;
	long long now;
	int rc, killed;

	if (sbx_stopping()) {
		lua_pop(L, nargs + 1);
		return err_set(e, PRC_AGAIN, "interrupted: the process is stopping");
	}
	if (!lua_checkstack(L, 4)) {
		lua_pop(L, nargs + 1);
		return err_set(e, PRC_LIMIT, "lua stack overflow");
	}
	lua_pushcfunction(L, sbx_msgh);
	lua_insert(L, base);
	s->limit = s->used + s->mem_budget < s->hard ? s->used + s->mem_budget : s->hard;
	s->insn_left = s->insn_budget;
	s->killed = SBX_RUNNING;
	now = sbx_now_us();
	s->call_end = s->call_ms > 0 ? now + s->call_ms * 1000LL : 0;
	if (s->deadline && (!s->call_end || s->deadline < s->call_end))
		s->call_end = s->deadline > now ? s->deadline : now;
	s->in_call = 1;
	lua_sethook(L, sbx_hook, LUA_MASKCOUNT, SBX_HOOK_EVERY);
	rc = lua_pcall(L, nargs, nresults, base);
	lua_sethook(L, NULL, 0, 0);
	s->in_call = 0;
	s->limit = saved;
	killed = s->killed;
	s->killed = SBX_RUNNING;
	lua_remove(L, base);
	if (rc == LUA_OK)
		return PRC_OK;
	return sbx_failed(s, rc, killed, e);
}

enum prc sandbox_cpcall(struct sandbox *s, lua_CFunction fn, void *ud, int nargs, struct err *e)
{
	lua_State *L = s->L;
	size_t saved = s->limit;
	int rc;

	if (!lua_checkstack(L, 4)) {
		lua_pop(L, nargs);
		return err_set(e, PRC_LIMIT, "lua stack overflow");
	}
	s->limit = s->hard;
	lua_pushcfunction(L, fn);
	lua_insert(L, -1 - nargs);
	lua_pushlightuserdata(L, ud);
	rc = lua_pcall(L, nargs + 1, 0, 0);
	s->limit = saved;
	if (rc == LUA_OK)
		return PRC_OK;
	return sbx_failed(s, rc, 0, e);
}

struct lib_merge {
	char dup[128];
};

/* arguments: the table a lib chunk returned, the struct lib_merge */
static int sbx_merge_lib(lua_State *L)
{
	struct lib_merge *m = lua_touserdata(L, 2);

	lua_getglobal(L, "lib");
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		lua_pushvalue(L, -2);
		if (lua_rawget(L, 3) != LUA_TNIL) {
			snprintf(m->dup, sizeof(m->dup), "%s",
				 lua_type(L, -3) == LUA_TSTRING ? lua_tostring(L, -3) : "?");
			return 0;
		}
		lua_pop(L, 1);
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, 3);
	}
	return 0;
}

enum prc sandbox_add_lib(struct sandbox *s, const char *chunkname, struct err *e)
{
	lua_State *L = s->L;
	struct lib_merge m = { "" };
	enum prc rc;

	rc = sandbox_call(s, 0, 1, e);
	if (rc != PRC_OK)
		return rc;
	if (lua_type(L, -1) != LUA_TTABLE) {
		lua_pop(L, 1);
		return err_set(e, PRC_PARSE, "%s:1: a helper library file must return a table",
			       chunkname);
	}
	rc = sandbox_cpcall(s, sbx_merge_lib, &m, 1, e);
	if (rc != PRC_OK)
		return rc;
	if (m.dup[0])
		return err_set(e, PRC_PARSE, "%s:1: lib.%s is defined twice", chunkname, m.dup);
	return PRC_OK;
}

/*
 * Moves every global into a hidden table the globals table only reads
 * through (so `lib = {}` or `pairs = f` in one rule cannot change what the
 * next rule sees: the names are absent from the globals table itself, and
 * adding a name is refused), with the library tables as read-only proxies.
 */
static int sbx_seal(lua_State *L)
{
	const char *const *n;
	int g, hidden;

	lua_pushglobaltable(L);
	g = lua_gettop(L);
	for (n = sbx_readonly; *n; n++) {
		lua_getfield(L, g, *n);
		sandbox_push_readonly(L, -1);
		lua_setfield(L, g, *n);
		lua_pop(L, 1);
	}
	lua_newtable(L);
	hidden = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, g)) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, hidden);
	}
	lua_pushnil(L);
	while (lua_next(L, hidden)) {
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_pushnil(L);
		lua_rawset(L, g);
	}
	lua_createtable(L, 0, 3);
	lua_pushvalue(L, hidden);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, sbx_global_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, g);
	lua_settop(L, 0);
	return 0;
}

enum prc sandbox_seal(struct sandbox *s, struct err *e)
{
	return sandbox_cpcall(s, sbx_seal, NULL, 0, e);
}

void sandbox_first_line(const char *msg, const char *file, char *out, size_t size)
{
	size_t n = strcspn(msg, "\n"), i, j, fl = strlen(file);
	const char *tail;

	/* "<chunk>:<digits>:" where <chunk> is file or a shortened end of it */
	for (i = 0; i < n; i++) {
		if (msg[i] != ':')
			continue;
		for (j = i + 1; j < n && msg[j] >= '0' && msg[j] <= '9'; j++)
			;
		if (j == i + 1 || j >= n || msg[j] != ':')
			continue;
		tail = msg;
		if (i >= 3 && !strncmp(msg, "...", 3))
			tail = msg + 3;
		if ((size_t)(msg + i - tail) <= fl &&
		    !strncmp(file + fl - (size_t)(msg + i - tail), tail, (size_t)(msg + i - tail))) {
			snprintf(out, size, "%s%.*s", file, (int)(n - i), msg + i);
			return;
		}
		break;
	}
	snprintf(out, size, "%.*s", (int)n, msg);
}
