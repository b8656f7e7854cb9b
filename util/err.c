/*
 * err.c - result codes and error messages.
 *
 * Modules never print: they return an enum prc and leave one message in a
 * caller-supplied struct err. Only cli/ turns these into output.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *prc_str(enum prc rc)
{
	switch (rc) {
	case PRC_OK: return "ok";
	case PRC_AGAIN: return "again";
	case PRC_DECLINED: return "declined";
	case PRC_NOMEM: return "out of memory";
	case PRC_INVALID: return "invalid";
	case PRC_PARSE: return "parse error";
	case PRC_LIMIT: return "limit reached";
	case PRC_IO: return "i/o error";
	case PRC_DB: return "database error";
	case PRC_NOTFOUND: return "not found";
	case PRC_INTERNAL: return "internal error";
	}
	return "unknown";
}

enum prc err_set(struct err *e, enum prc rc, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return rc;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return rc;
}

void err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[256];
	char old[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	size_t plen;

	memcpy(old, e->msg, sizeof(old));
	plen = strlen(prefix);
	if (plen >= sizeof(e->msg))
		plen = sizeof(e->msg) - 1;
	memcpy(e->msg, prefix, plen);
	memcpy(e->msg + plen, old, sizeof(e->msg) - plen - 1);
	e->msg[sizeof(e->msg) - 1] = '\0';
}

