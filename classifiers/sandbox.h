/* sandbox.h - a Lua 5.4 state for untrusted rules: allow-listed globals, memory and instruction limits. */
#ifndef PATROL_SANDBOX_H
#define PATROL_SANDBOX_H

#include <signal.h>
#include <stddef.h>

#include <lua.h>

#include "util/err.h"

/* Limits of one sandboxed call (sandbox_call) unless set otherwise. */
#define SANDBOX_MEM_BUDGET   (16u << 20) /* bytes a call may add to the state */
#define SANDBOX_INSN_BUDGET  10000000L   /* VM instructions per call */
#define SANDBOX_MEM_HARD_CAP (512u << 20)/* the state as a whole, page text included */
#define SANDBOX_CALL_MS      5000        /* wall clock per call, a backstop to the budget */

struct sandbox;

/*
 * Returns a new state with only string (no string.dump), table, math, utf8
 * and the allow-listed base functions, and an empty `lib` table that
 * sandbox_add_lib() fills. NULL without memory (e set). Not thread-safe:
 * one sandbox belongs to one thread.
 */
struct sandbox *sandbox_new(struct err *e);
void sandbox_free(struct sandbox *s); /* NULL is fine */

lua_State *sandbox_state(struct sandbox *s);

/* Sets the per-call budgets used by sandbox_call (0 keeps the current value). */
void sandbox_set_budget(struct sandbox *s, size_t mem_bytes, long instructions);

/*
 * Makes every later call end by ms milliseconds from now (the rules of one
 * page share one deadline), besides its own SANDBOX_CALL_MS; 0 clears it.
 */
void sandbox_set_deadline(struct sandbox *s, long ms);

/*
 * Names the process's stop flag (a signal handler sets it): once *flag is
 * non-zero, every running call ends within a few thousand instructions or
 * pattern steps and every new one at once, with PRC_AGAIN. Call before any
 * thread starts; NULL forgets it.
 */
void sandbox_set_stop(const volatile sig_atomic_t *flag);

/* 1 once the flag named by sandbox_set_stop is set (other slow work checks it too). */
int sandbox_stopping(void);

/* Bytes the state holds now. */
size_t sandbox_mem_used(const struct sandbox *s);

/*
 * Loads src as a text chunk (never bytecode) named "@chunkname", so that
 * every message reads "chunkname:line: ...", and leaves the function on the
 * stack. PRC_PARSE with Lua's message in e, PRC_LIMIT or PRC_NOMEM when the
 * state is out of memory.
 */
enum prc sandbox_load(struct sandbox *s, const char *chunkname, const char *src, size_t len,
		      struct err *e);

/*
 * Calls the function below nargs arguments like lua_pcall, with a fresh
 * instruction budget, the memory budget on top of what the state holds now,
 * and a message handler that adds a traceback. On PRC_OK nresults values are
 * on the stack. Otherwise nothing is left on the stack and e holds the
 * message (first line: "file:line: what"; the traceback follows on later
 * lines): PRC_LIMIT for an exceeded instruction (pattern steps included),
 * memory or time budget, PRC_AGAIN when the process is stopping
 * (sandbox_set_stop), PRC_INVALID for an error the code raised.
 */
enum prc sandbox_call(struct sandbox *s, int nargs, int nresults, struct err *e);

/*
 * Runs fn(L) in protected mode under the hard memory cap only, for C code
 * that builds tables and must not be thrown out of by a memory error. fn
 * gets the nargs values on top of the stack (which are consumed) as its
 * arguments 1..nargs, and ud as a light userdata after them. Same results
 * as sandbox_call; nothing is left on the stack.
 */
enum prc sandbox_cpcall(struct sandbox *s, lua_CFunction fn, void *ud, int nargs,
			struct err *e);

/*
 * Runs a helper-library chunk (already loaded by sandbox_load) and merges the
 * table it returns into `lib`. PRC_PARSE when it does not return a table or
 * redefines a name (e says which), else as sandbox_call.
 */
enum prc sandbox_add_lib(struct sandbox *s, const char *chunkname, struct err *e);

/*
 * Makes the shared tables read-only: the globals (assigning any global is an
 * error), string, table, math, utf8 and lib, deeply. Call
 * once, after the helper library and before any rule runs. PRC_LIMIT or
 * PRC_NOMEM without memory.
 */
enum prc sandbox_seal(struct sandbox *s, struct err *e);

/*
 * Pushes a read-only view of the table at idx (the same view each time for
 * one table; a view stays itself): reads, #, pairs, ipairs, next, rawget and
 * rawlen go through to it and give tables as read-only views, writes raise
 * an error, getmetatable gives false, and nothing hands out the table
 * itself. Only for a state made by sandbox_new. Raises a Lua error without
 * memory.
 */
void sandbox_push_readonly(lua_State *L, int idx);

/*
 * Writes the first line of a Lua message to out (size bytes, NUL-terminated),
 * with the chunk name Lua may have shortened ("...rules/x.lua:3: boom")
 * restored to file. A message that names no place is copied as it is.
 */
void sandbox_first_line(const char *msg, const char *file, char *out, size_t size);

#endif
