/* err.h - the project's one result-code enum and its error-message buffer. */
#ifndef PATROL_ERR_H
#define PATROL_ERR_H

#include <stddef.h>

/*
 * Every fallible function in patrol returns one of these. PRC_AGAIN ("try
 * later") and PRC_DECLINED ("not done, on purpose": refused by policy, queue
 * closed, nothing to do) are ordinary outcomes, not failures.
 */
enum prc {
	PRC_OK = 0,
	PRC_AGAIN,    /* not now; retry later */
	PRC_DECLINED, /* refused by policy, closed, or nothing to do */
	PRC_NOMEM,    /* allocation failed */
	PRC_INVALID,  /* bad argument or bad input */
	PRC_PARSE,    /* input could not be parsed */
	PRC_LIMIT,    /* a configured limit was reached */
	PRC_IO,       /* file or network I/O failed */
	PRC_DB,       /* the database failed */
	PRC_NOTFOUND, /* the thing asked for does not exist */
	PRC_INTERNAL  /* a bug or an unexpected library failure */
};

/* Returns a static lowercase name for rc ("ok", "again", ...). */
const char *prc_str(enum prc rc);

/*
 * One error message, set by the module that failed and read by cli/.
 * Messages are lowercase, problem first, subject quoted:
 * "cannot parse robots.txt for 'example.jp'".
 */
struct err {
	char msg[1024];
};

/*
 * Sets e's message (printf format) and returns rc, so that callers can write
 * `return err_set(e, PRC_IO, "cannot open '%s'", path);`. e may be NULL.
 */
enum prc err_set(struct err *e, enum prc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes e's current message with a formatted context ("file.lua:3: "). */
void err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
