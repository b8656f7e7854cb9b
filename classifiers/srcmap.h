/* srcmap.h - finds the source line of a value in a Lua rule file, for file:line error messages. */
#ifndef PATROL_SRCMAP_H
#define PATROL_SRCMAP_H

#include <stddef.h>

#include "util/err.h"

enum srcmap_kind { SRCMAP_STRING = 1, SRCMAP_NAME, SRCMAP_OP };

struct srcmap_tok {
	enum srcmap_kind kind;
	char *val;  /* decoded string value, name, or the operator character */
	size_t len;
	int line;
};

/* The tokens of one Lua source that matter for locating values: strings, names, operators. */
struct srcmap {
	struct srcmap_tok *tok;
	size_t n;
};

/*
 * Tokenizes src (Lua 5.4 lexical rules: comments, short strings with their
 * escapes decoded, long strings, names; numbers and operators are kept as
 * SRCMAP_OP). Malformed input is tokenized as far as it goes: the loader
 * reports syntax errors through Lua itself. PRC_NOMEM without memory.
 */
enum prc srcmap_init(struct srcmap *m, const char *src, size_t len);
void srcmap_release(struct srcmap *m);

/*
 * Token index of the string token equal to s (len bytes) nearest to token
 * near within [lo, hi), or -1. Pass near = lo for "the first one".
 */
long srcmap_find_string(const struct srcmap *m, const char *s, size_t len, size_t lo, size_t hi,
			size_t near);

/*
 * Token index of a table key `name =` or `["name"] =` nearest to token near
 * within [lo, hi), or -1 (the index is that of the name or string token).
 */
long srcmap_find_key(const struct srcmap *m, const char *name, size_t lo, size_t hi, size_t near);

/* Line of token i, or fallback when i < 0. */
int srcmap_line(const struct srcmap *m, long i, int fallback);

#endif
