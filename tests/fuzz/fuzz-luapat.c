/*
 * fuzz-luapat.c - libFuzzer target: the sandbox's bounded pattern functions
 * (string.find, match, gmatch, gsub). The input's first line is a pattern,
 * the rest the subject; every call must end (the budget is small) without
 * a crash, whatever the pattern.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "classifiers/sandbox.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sandbox *sb;
static int fn_ref;

static const char code[] =
	"return function(p, s)\n"
	"  pcall(string.find, s, p)\n"
	"  pcall(string.find, s, p, 2, true)\n"
	"  pcall(string.match, s, p, -3)\n"
	"  pcall(string.gsub, s, p, '%0%0', 5)\n"
	"  pcall(string.gsub, s, p, function(a) return a end)\n"
	"  pcall(function() for a, b in string.gmatch(s, p) do end end)\n"
	"end\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err e;

	(void)argc;
	(void)argv;
	sb = sandbox_new(&e);
	if (!sb || sandbox_seal(sb, &e) != PRC_OK ||
	    sandbox_load(sb, "fuzz.lua", code, strlen(code), &e) != PRC_OK ||
	    sandbox_call(sb, 0, 1, &e) != PRC_OK)
		abort();
	fn_ref = luaL_ref(sandbox_state(sb), LUA_REGISTRYINDEX);
	sandbox_set_budget(sb, 1u << 20, 200000);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lua_State *L = sandbox_state(sb);
	const uint8_t *nl = memchr(data, '\n', size);
	size_t pl = nl ? (size_t)(nl - data) : size;
	struct err e;

	lua_rawgeti(L, LUA_REGISTRYINDEX, fn_ref);
	lua_pushlstring(L, (const char *)data, pl);
	lua_pushlstring(L, nl ? (const char *)nl + 1 : "", nl ? size - pl - 1 : 0);
	sandbox_call(sb, 2, 0, &e);
	lua_settop(L, 0);
	return 0;
}
