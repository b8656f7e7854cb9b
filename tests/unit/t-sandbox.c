/*
 * t-sandbox.c - unit tests for the rule sandbox's bounds: the pattern
 * functions give what Lua's give (checked against a plain Lua state), a
 * backtracking pattern on a large page ends within the call's budget even
 * under a rule's own pcall, the deadline and the stop flag end a call, and
 * the same holds at a rule file's top level and in a classifier.
 * Run from the repository root.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#include "classifiers/classify.h"
#include "classifiers/patset.h"
#include "classifiers/ruleset-int.h"
#include "classifiers/sandbox.h"
#include "tests/tap.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"

/* the rules of a test directory with the shipped helper library */
static const struct ruleset_opts with_lib = { .lib_dir = "lua/lib" };
static const struct ruleset_opts keep_good = { .lib_dir = "lua/lib", .flags = RULESET_KEEP_GOOD };

static const char ser_fn[] =
	"local function ser(...)\n"
	"  local t = table.pack(...)\n"
	"  local o = {}\n"
	"  for i = 1, t.n do o[#o + 1] = type(t[i]) .. ':' .. tostring(t[i]) end\n"
	"  return table.concat(o, ',')\n"
	"end\n"
	"local function gm(s, p, i)\n"
	"  local o = {}\n"
	"  for a, b in string.gmatch(s, p, i) do o[#o + 1] = tostring(a) .. '/' .. tostring(b) end\n"
	"  return table.concat(o, ';')\n"
	"end\n"
	"return ser(pcall(function() return ";

/* Lua's own results, from a plain state. */
static char *plain_eval(const char *code)
{
	lua_State *L = luaL_newstate();
	char *r = NULL;
	struct buf b;

	luaL_openlibs(L);
	buf_init(&b, 1 << 20);
	buf_addstr(&b, ser_fn);
	buf_addstr(&b, code);
	buf_addstr(&b, " end))\n");
	if (luaL_loadbufferx(L, buf_str(&b), b.len, "@t.lua", "t") == LUA_OK &&
	    lua_pcall(L, 0, 1, 0) == LUA_OK)
		r = strdup(lua_tostring(L, -1));
	else
		r = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
	buf_release(&b);
	lua_close(L);
	return r;
}

static struct sandbox *sealed(void)
{
	struct err e;
	struct sandbox *s = sandbox_new(&e);

	if (s && sandbox_seal(s, &e) != PRC_OK) {
		sandbox_free(s);
		return NULL;
	}
	return s;
}

static char *sbx_eval(struct sandbox *s, const char *code, enum prc *rc, struct err *e)
{
	lua_State *L = sandbox_state(s);
	char *r = NULL;
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_addstr(&b, ser_fn);
	buf_addstr(&b, code);
	buf_addstr(&b, " end))\n");
	*rc = sandbox_load(s, "t.lua", buf_str(&b), b.len, e);
	if (*rc == PRC_OK)
		*rc = sandbox_call(s, 0, 1, e);
	if (*rc == PRC_OK) {
		r = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
		lua_pop(L, 1);
	}
	buf_release(&b);
	return r;
}

static void test_same_as_lua(void)
{
	static const char *const cases[] = {
		"string.find('hello world', 'o w')",
		"string.find('hello world', 'o', 6)",
		"string.find('hello world', 'l+')",
		"string.find('hello', '')",
		"string.find('hello', '', 10)",
		"string.find('hello', '', 6)",
		"string.find('hello', 'l', -2)",
		"string.find('hello', 'l', -100)",
		"string.find('a.b', '.', 1, true)",
		"string.find('a+b', '+', 1, true)",
		"string.find('abc', '^b')",
		"string.find('abc', '^a')",
		"string.find('abc', 'c$')",
		"string.find('abc$', 'c$')",
		"string.find('a$c', '$c')",
		"string.find('  key = value ', '(%w+)%s*=%s*(%w+)')",
		"string.find('abc', '()b()')",
		"string.match('2024-05-06', '(%d+)-(%d+)-(%d+)')",
		"string.match('hello', '.-l')",
		"string.match('hello', '.*l')",
		"string.match('hello', 'x?h')",
		"string.match('f(a(b)c)d', '%b()')",
		"string.match('THE (quick) fox', '%f[%a]%a+')",
		"string.match('THE (quick) fox', '%f[%l]%a+')",
		"string.match('abab', '(ab)%1')",
		"string.match('[]x', '[]]')",
		"string.match('a-z', '[a%-]+')",
		"string.match('x^y', '[%^x]+')",
		"string.match('abc123', '[^%d]+')",
		"string.match('abc123', '[%D]+()')",
		"string.match('A1 b2', '%u%d')",
		"string.match('tab\\there', '%c')",
		"string.match('~!x', '%p+')",
		"string.match('0x1F', '%x+', 3)",
		"string.match('ab', 'a-b')",
		"string.match('', '^$')",
		"string.match('1000円 振込', '円.-振込')",
		"gm('one two  three', '%a+')",
		"gm('k=v, a=b', '(%w+)=(%w+)')",
		"gm('abc', '')",
		"gm('abc', 'x*')",
		"gm('hello world', '%a+', 4)",
		"gm('aaa', '^a')",
		"string.gsub('hello world', 'o', '0')",
		"string.gsub('hello world', 'o', '0', 1)",
		"string.gsub('hello', '', '-')",
		"string.gsub('abc', '%w', '%0%0')",
		"string.gsub('hello world', '(%w+)', '<%1>')",
		"string.gsub('hello world', '(%w+) (%w+)', '%2 %1')",
		"string.gsub('$name is $age', '%$(%w+)', {name = 'x', age = 3})",
		"string.gsub('abc', '%w', function(c) if c == 'b' then return nil end return c:upper() end)",
		"string.gsub('abc', '^a', 'z')",
		"string.gsub('x = 1', '()=()', '%1%2')",
		"string.gsub('100%', '%%', '%%%%')",
		"('abc'):find('b')",
		"('abc'):gsub('b', 'x')",
		"string.find('a', '%')",
		"string.find('a', '[a')",
		"string.find('a', '(a')",
		"string.find('a', 'a)')",
		"string.find('a', '%1')",
		"string.find('a', '%f')",
		"string.find('a', '%b')",
		"string.gsub('a', 'a', '%2')",
		"string.gsub('a', 'a', '%x')",
		"string.gsub('a', 'a', {a = true})",
		"string.gsub('a', 'a', true)",
		"string.rep('x', 3):gsub('x', 'yy')",
		NULL
	};
	struct sandbox *s = sealed();
	const char *const *c;
	struct err e;
	enum prc rc;
	char *want, *got;

	if (!ok(s != NULL, "a sealed sandbox"))
		return;
	for (c = cases; *c; c++) {
		want = plain_eval(*c);
		got = sbx_eval(s, *c, &rc, &e);
		if (rc != PRC_OK)
			diag("%s", e.msg);
		is_str(got, want, "%s", *c);
		free(want);
		free(got);
	}
	sandbox_free(s);
}

static void test_backtracking(void)
{
	static const char *const slow[] = {
		"page:find('円.-円.-円.-振込')",
		"page:match('円.-円.-円.-振込')",
		"gm(page, '円.-円.-円.-振込')",
		"page:gsub('円.-円.-円.-振込', '')",
		"page:find('(.*)(.*)(.*)x')",
		/* a rule's own pcall does not keep it alive */
		"pcall(string.find, page, '円.-円.-円.-振込'), (function() while true do end end)()",
		NULL
	};
	struct sandbox *s = sealed();
	lua_State *L;
	const char *const *c;
	struct buf b;
	struct err e;
	enum prc rc;
	char code[512];
	int i;

	if (!ok(s != NULL, "a sealed sandbox"))
		return;
	L = sandbox_state(s);
	buf_init(&b, 1 << 20);
	for (i = 0; i < 3000; i++)
		buf_addstr(&b, "1000円 ");
	for (c = slow; *c; c++) {
		snprintf(code, sizeof(code),
			 "local page = ...\nlocal function gm(s, p)\n"
			 "for x in s:gmatch(p) do end end\nreturn %s\n", *c);
		rc = sandbox_load(s, "bt.lua", code, strlen(code), &e);
		if (rc == PRC_OK) {
			lua_pushlstring(L, buf_str(&b), b.len);
			rc = sandbox_call(s, 1, 1, &e);
		}
		if (rc == PRC_OK)
			lua_pop(L, 1);
		is_int(rc, PRC_LIMIT, "ended by the budget: %s", *c);
		ok(!strncmp(e.msg, "bt.lua:", 7) && strstr(e.msg, "budget exceeded"),
		   "and says where: %.*s", (int)strcspn(e.msg, "\n"), e.msg);
	}

	/* the same string with patterns that are fine */
	snprintf(code, sizeof(code),
		 "local page = ...\n"
		 "local a, b = page:find('振込', 1, true)\n"
		 "local n = select(2, page:gsub('円', 'yen'))\n"
		 "local k = 0 for w in page:gmatch('%%d+円') do k = k + 1 end\n"
		 "return tostring(a) .. ',' .. n .. ',' .. k .. ',' .. tostring(page:match('^1000円'))\n");
	if (sandbox_load(s, "ok.lua", code, strlen(code), &e) == PRC_OK) {
		lua_pushlstring(L, buf_str(&b), b.len);
		rc = sandbox_call(s, 1, 1, &e);
	} else {
		rc = PRC_INTERNAL;
	}
	if (!ok(rc == PRC_OK, "linear patterns on the same page are fine"))
		diag("%s", e.msg);
	else {
		is_str(lua_tostring(L, -1), "nil,3000,3000,1000円", "with Lua's results");
		lua_pop(L, 1);
	}
	buf_release(&b);
	sandbox_free(s);
}

static volatile sig_atomic_t stop_flag;

static void *set_stop_later(void *arg)
{
	(void)arg;
	usleep(200 * 1000);
	stop_flag = 1;
	return NULL;
}

static enum prc run_code(struct sandbox *s, const char *code, struct err *e)
{
	enum prc rc = sandbox_load(s, "x.lua", code, strlen(code), e);

	if (rc == PRC_OK)
		rc = sandbox_call(s, 0, 0, e);
	return rc;
}

static void test_deadline_and_stop(void)
{
	struct sandbox *s = sealed();
	const char *spin = "local s = string.rep('1000円 ', 3000)\n"
			   "while true do pcall(string.find, s, '円.-円.-円.-振込') end\n";
	pthread_t t;
	struct err e;

	if (!ok(s != NULL, "a sealed sandbox"))
		return;
	/* an instruction budget far beyond what the test waits for */
	sandbox_set_budget(s, 0, 1L << 60);
	sandbox_set_deadline(s, 100);
	is_int(run_code(s, spin, &e), PRC_LIMIT, "the deadline ends a call stuck in a pattern");
	ok(strstr(e.msg, "x.lua:2: time budget exceeded") != NULL, "and says so: %.*s",
	   (int)strcspn(e.msg, "\n"), e.msg);
	sandbox_set_deadline(s, 0);

	sandbox_set_stop(&stop_flag);
	is_int(run_code(s, "return 1", &e), PRC_OK, "calls run while the flag is clear");
	pthread_create(&t, NULL, set_stop_later, NULL);
	is_int(run_code(s, spin, &e), PRC_AGAIN, "the stop flag ends a call stuck in a pattern");
	pthread_join(t, NULL);
	ok(strstr(e.msg, "interrupted") != NULL, "as interrupted: %.*s", (int)strcspn(e.msg, "\n"),
	   e.msg);
	is_int(run_code(s, "return 1", &e), PRC_AGAIN, "no new call starts once it is set");
	stop_flag = 0;
	is_int(run_code(s, "return 1", &e), PRC_OK, "and calls run again once it is cleared");
	sandbox_set_stop(NULL);
	sandbox_free(s);
}

static int nlogged;

static void count_log(enum log_level level, const char *msg, void *ud)
{
	(void)ud;
	if (level <= LOG_WARN && strstr(msg, "budget exceeded")) {
		nlogged++;
		diag("log: %s", msg);
	}
}

static void test_rules(void)
{
	struct ruleset *rs = NULL;
	struct classifier *c;
	struct page_input p;
	struct verdict *v = NULL;
	struct arena *a;
	struct buf errs, page;
	struct err e;
	size_t n = 0, i;
	int round, good;

	buf_init(&errs, 1 << 20);
	is_int(ruleset_load("tests/rules/backtrack-top", &with_lib, &rs, &errs), PRC_PARSE,
	       "a rule file whose top level backtracks forever is refused");
	ok(strstr(buf_str(&errs), "tests/rules/backtrack-top/a_top.lua:4: ") &&
	   strstr(buf_str(&errs), "budget exceeded"), "at file:line: %s", buf_str(&errs));
	buf_reset(&errs);
	rs = NULL;
	is_int(ruleset_load("tests/rules/backtrack", &with_lib, &rs, &errs), PRC_OK,
	       "rules that backtrack at run time load");
	buf_release(&errs);
	if (!rs)
		return;
	c = classifier_new(rs, &e);
	ruleset_unref(rs);
	if (!ok(c != NULL, "classifier"))
		return;
	buf_init(&page, 1 << 20);
	buf_addstr(&page, "大麻 ");
	for (i = 0; i < 3000; i++)
		buf_addstr(&page, "1000円 ");
	log_set_sink(count_log, NULL);
	for (round = 1; round <= 2; round++) {
		a = arena_new();
		memset(&p, 0, sizeof(p));
		p.url = "http://example.jp/";
		p.title = "";
		p.text = buf_str(&page);
		p.text_len = page.len;
		is_int(classifier_run(c, a, &p, &v, &n, NULL, NULL, &e), PRC_OK,
		       "round %d: the page is classified", round);
		for (good = 0, i = 0; i < n; i++)
			if (!strcmp(v[i].rule, "test.good") || !strcmp(v[i].rule, "test.after"))
				good++;
		is_int(good, 2, "round %d: the rules either side still give their verdicts", round);
		is_int(classifier_rule_failures(c), round, "round %d: the overrun is counted", round);
		arena_free(a);
	}
	is_int(nlogged, 1, "logged once");
	log_set_sink(NULL, NULL);
	buf_release(&page);
	classifier_free(c);
}

static void test_proxies(void)
{
	static const struct {
		const char *code, *want;
	} cases[] = {
		{ "select(2, pairs(lib)) == lib", "boolean:true,boolean:true" },
		{ "(function() select(2, pairs(lib)).count = nil end)()",
		  "boolean:false,string:t.lua:12: attempt to modify a read-only table" },
		{ "type(next(lib)), type(select(2, next(lib)))", "boolean:true,string:string,string:function" },
		{ "type(rawget(lib, 'count')), rawlen(lib)", "boolean:true,string:function,number:0" },
		{ "getmetatable(lib), getmetatable(string), getmetatable('')",
		  "boolean:true,boolean:false,boolean:false,boolean:false" },
		{ "(function() lib = {} end)()",
		  "boolean:false,string:t.lua:12: assignment to global 'lib': the shared globals are "
		  "read-only (rules must use local)" },
		{ "(function() pairs = nil end)()",
		  "boolean:false,string:t.lua:12: assignment to global 'pairs': the shared globals are "
		  "read-only (rules must use local)" },
		{ "(function() string.find = nil end)()",
		  "boolean:false,string:t.lua:12: attempt to modify a read-only table" },
		{ "type(rawget(string, 'find')), string.find('ab', 'b')",
		  "boolean:true,string:function,number:2,number:2" },
		{ "(function() local n = 0 for k, v in pairs(string) do n = n + 1 end return n > 10 end)()",
		  "boolean:true,boolean:true" },
		{ "(function() x = 1 end)()",
		  "boolean:false,string:t.lua:12: assignment to undeclared global 'x' (rules must use local)" },
		{ "next({}), next({ 5 })", "boolean:true,nil:nil,number:1,number:5" },
		{ "rawget({ a = 1 }, 'a'), rawlen({ 1, 2 }), rawlen('abc')",
		  "boolean:true,number:1,number:2,number:3" },
		{ NULL, NULL }
	};
	struct ruleset *rs = NULL;
	struct sandbox *s;
	struct buf errs;
	struct err e;
	enum prc rc;
	char *got;
	int i;

	buf_init(&errs, 1 << 20);
	is_int(ruleset_load("tests/rules/escape", &with_lib, &rs, &errs), PRC_PARSE,
	       "rule files that write through the shared tables are refused");
	ok(strstr(buf_str(&errs), "tests/rules/escape/a_stub.lua:4: ") != NULL,
	   "the pairs() unwrap at file:line");
	ok(strstr(buf_str(&errs), "tests/rules/escape/b_global.lua:2: ") != NULL,
	   "the global replacement at file:line");
	ok(strstr(buf_str(&errs), "c_good.lua") == NULL, "the good file has no error");
	diag("%s", buf_str(&errs));
	buf_release(&errs);

	{
		struct rs_file lib;
		size_t len = 0;
		FILE *f = fopen("lua/lib/patrol.lua", "rb");
		static char src[1 << 20];

		if (f) {
			len = fread(src, 1, sizeof(src), f);
			fclose(f);
		}
		memset(&lib, 0, sizeof(lib));
		lib.path = "lua/lib/patrol.lua";
		lib.src = src;
		lib.len = len;
		s = ruleset_sandbox(&lib, 1, &e);
	}
	if (!ok(s != NULL, "a sandbox with the helper library"))
		return;
	for (i = 0; cases[i].code; i++) {
		got = sbx_eval(s, cases[i].code, &rc, &e);
		if (rc != PRC_OK)
			diag("%s", e.msg);
		is_str(got, cases[i].want, "%s", cases[i].code);
		free(got);
	}
	sandbox_free(s);
}

/* A classifier of rs (NULL when there is none or it cannot be made), which drops the caller's reference to rs. */
static struct classifier *classifier_of(struct ruleset *rs, struct err *e)
{
	struct classifier *c = rs ? classifier_new(rs, e) : NULL;

	ruleset_unref(rs);
	return c;
}

/* The page the run-time tests classify: one line on the cannabis trade. */
static void drug_page(struct page_input *p)
{
	memset(p, 0, sizeof(*p));
	p->url = "http://example.jp/";
	p->title = "";
	p->text = "大麻の売買について";
	p->text_len = strlen(p->text);
}

static void test_tamper_at_run_time(void)
{
	struct ruleset *rs = NULL;
	struct classifier *c;
	struct page_input p;
	struct verdict *v = NULL;
	struct arena *a = arena_new();
	static const char *links[] = { "http://example.jp/a" }, *texts[] = { "a" };
	struct buf errs;
	struct err e;
	size_t n = 0, i;
	int after = 0;

	buf_init(&errs, 1 << 20);
	is_int(ruleset_load("tests/rules/escape-run", &with_lib, &rs, &errs), PRC_OK,
	       "a rule that tampers only at run time loads");
	buf_release(&errs);
	c = classifier_of(rs, &e);
	if (!ok(c != NULL, "classifier"))
		goto out;
	drug_page(&p);
	p.links = links;
	p.link_texts = texts;
	p.nlinks = 1;
	is_int(classifier_run(c, a, &p, &v, &n, NULL, NULL, &e), PRC_OK, "classified");
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].rule, "test.after"))
			after = 1;
	ok(after, "the rule after it sees page, links and lib unchanged");
	classifier_free(c);
out:
	arena_free(a);
}

static void test_cut_evidence(void)
{
	struct ruleset *rs = NULL;
	struct classifier *c;
	struct page_input p;
	struct verdict *v = NULL;
	struct arena *a = arena_new();
	struct buf errs;
	struct err e;
	size_t n = 0, i;

	buf_init(&errs, 1 << 20);
	ruleset_load("tests/rules/cut", &with_lib, &rs, &errs);
	if (errs.len)
		diag("%s", buf_str(&errs));
	buf_release(&errs);
	c = classifier_of(rs, &e);
	if (!ok(c != NULL, "classifier for rules that cut characters"))
		goto out;
	drug_page(&p);
	is_int(classifier_run(c, a, &p, &v, &n, NULL, NULL, &e), PRC_OK, "classified");
	is_int(n, 3, "three verdicts");
	for (i = 0; i < n; i++) {
		ok(utf8_valid(v[i].evidence, strlen(v[i].evidence)),
		   "evidence of %zu is valid UTF-8", i);
		ok(utf8_valid(v[i].rule, strlen(v[i].rule)), "rule name of %zu is valid UTF-8",
		   i);
	}
	classifier_free(c);
out:
	arena_free(a);
}

static void test_nul_pattern(void)
{
	struct ruleset *rs = NULL;
	struct buf errs;
	const char *s;

	buf_init(&errs, 1 << 20);
	ruleset_load("tests/rules/broken", &with_lib, &rs, &errs);
	s = buf_str(&errs);
	ok(strstr(s, "tests/rules/broken/h_nul.lua:8: pattern 1 of set 'b' holds a NUL byte") != NULL,
	   "a regex with a NUL is refused at file:line");
	ok(strstr(s, "tests/rules/broken/h_nul.lua:9: pattern 2 of set 'b' holds a NUL byte") != NULL,
	   "a literal with a NUL is refused at file:line");
	if (!strstr(s, "h_nul.lua:9"))
		diag("%s", s);
	ruleset_unref(rs);
	buf_release(&errs);
}

static void test_compile_bound(void)
{
	struct ruleset *rs = NULL;
	struct buf errs;
	const char *s;

	patset_set_compile_limits(3000, 0);
	buf_init(&errs, 1 << 20);
	is_int(ruleset_load("tests/rules/hsbound", &keep_good, &rs, &errs),
	       PRC_PARSE, "a pattern whose compile does not end in time is refused");
	s = buf_str(&errs);
	ok(strstr(s, "tests/rules/hsbound/b_han.lua:8: pattern '\\p{Han}{1,2000}': compiling it took "
		     "over 3 s of CPU time") != NULL,
	   "and named at file:line: %s", s);
	ok(rs && ruleset_rule_count(rs) == 1 && !strcmp(ruleset_rule_name(rs, 0), "test.good"),
	   "the other file is kept");
	ruleset_unref(rs);
	buf_release(&errs);
	patset_set_compile_limits(PATSET_COMPILE_MS, PATSET_COMPILE_MEM);
}

/*
 * Small blocks come from the state's own pool (32 MiB) and, past it, from
 * malloc: either way the bytes are counted, given back, and limited alike.
 */
static void test_small_blocks(void)
{
	struct sandbox *s = sealed();
	const char *keep = "local t = {}\n"
			   "for i = 1, 700000 do t[i] = { i, tostring(i) } end\n"
			   "for i = 1, #t, 7 do t[i] = nil end\n"
			   "for i = 1, #t, 7 do t[i] = { i } end\n"
			   "for i = 1, #t do assert(t[i][1] == i) end\n";
	const char *bomb = "local t = {}\nwhile true do t[#t + 1] = { #t } end\n";
	size_t before;
	struct err e;

	if (!ok(s != NULL, "a sealed sandbox"))
		return;
	sandbox_set_budget(s, 256u << 20, 1L << 40);
	e.msg[0] = 0;
	is_int(run_code(s, keep, &e), PRC_OK, "1.4 million small blocks, past the pool, are all kept: %s",
	       e.msg);
	lua_gc(sandbox_state(s), LUA_GCCOLLECT);
	before = sandbox_mem_used(s); /* Lua's string table shrinks over later cycles */
	is_int(run_code(s, keep, &e), PRC_OK, "twice");
	lua_gc(sandbox_state(s), LUA_GCCOLLECT);
	ok(sandbox_mem_used(s) <= before, "and all given back: %zu bytes, %zu after the first",
	   sandbox_mem_used(s), before);
	sandbox_set_budget(s, 1u << 20, 0);
	is_int(run_code(s, bomb, &e), PRC_LIMIT, "small blocks are held to the memory budget");
	ok(strstr(e.msg, "memory budget exceeded") != NULL, "and say so: %s", e.msg);
	sandbox_set_budget(s, 256u << 20, 0);
	e.msg[0] = 0;
	is_int(run_code(s, keep, &e), PRC_OK, "and the pool serves the next call: %s", e.msg);
	sandbox_free(s);
}

int main(void)
{
	test_same_as_lua();
	test_backtracking();
	test_deadline_and_stop();
	test_rules();
	test_proxies();
	test_tamper_at_run_time();
	test_cut_evidence();
	test_nul_pattern();
	test_compile_bound();
	test_small_blocks();
	return done_testing();
}
