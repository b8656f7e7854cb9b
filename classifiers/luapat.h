/* luapat.h - Lua's string pattern functions (find, match, gmatch, gsub) with a bounded cost. */
#ifndef PATROL_LUAPAT_H
#define PATROL_LUAPAT_H

#include <lua.h>

/*
 * Called by the matcher with the steps it took since the last call (a step
 * is one pattern item tried at one place, or one byte a loop went over).
 * It returns when the caller may go on and raises a Lua error (it does not
 * return) when the budget is spent.
 */
typedef void (*luapat_charge_fn)(lua_State *L, long steps);

/* Steps the matcher takes between two calls of the charge function. */
#define LUAPAT_CHARGE_EVERY 4096

/*
 * Replaces find, match, gmatch and gsub in the table at idx (Lua's string
 * table) with functions of the same syntax and results whose every loop
 * calls charge. Raises a Lua error without memory.
 */
void luapat_install(lua_State *L, int idx, luapat_charge_fn charge);

#endif
