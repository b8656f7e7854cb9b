/* text.h - text from the web or from people made safe to keep and to show: names checked, terminal output made inert. */
#ifndef PATROL_TEXT_H
#define PATROL_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Longest name (in characters) text_name_check accepts: who did a review or takedown action. */
#define TEXT_NAME_MAX 64

/*
 * Whether s may stand as the name of a person acting (--as, a console
 * user): 1 to TEXT_NAME_MAX characters of valid UTF-8, each a letter or a
 * digit of any script (Japanese included) or one of . _ - @. Returns NULL
 * when it may, else a static message saying why not ("holds a control
 * character or an escape sequence", ...). Thread-safe.
 */
const char *text_name_check(const char *s);

/* Flags of text_inert. */
enum {
	TEXT_KEEP_LINES = 1,  /* keep LF and TAB as they are, CR LF as LF (a body, headers) */
	TEXT_ONE_WIDE = 2     /* each unsafe character becomes one U+FFFD, CR LF TAB one space (a table cell) */
};

/*
 * Writes s[0..n) to f so that a terminal shows it and does nothing else:
 * C0 and C1 control characters (ESC of every ANSI sequence among them), DEL,
 * the bidirectional overrides and isolates, line and paragraph separators
 * and invalid UTF-8 bytes are written as visible escapes (\x1b, \u202e),
 * or as U+FFFD with TEXT_ONE_WIDE; everything else as it is.
 */
void text_inert(FILE *f, const char *s, size_t n, unsigned flags);

/* text_inert into out (at most size - 1 bytes, NUL-terminated, cut whole). */
void text_inert_str(char *out, size_t size, const char *s);

#endif
