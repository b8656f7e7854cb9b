/* tap.h - a small Test Anything Protocol producer for C unit tests run by prove. */
#ifndef PATROL_TAP_H
#define PATROL_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_plan(int n)
{
	printf("1..%d\n", n);
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline int ok_at(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) ok_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                      \
	do {                                                                        \
		long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);    \
		if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                             \
			diag("  got: %lld\n#  want: %lld", tap_g_, tap_w_);         \
	} while (0)

#define is_str(got, want, ...)                                                      \
	do {                                                                        \
		const char *tap_g_ = (got), *tap_w_ = (want);                       \
		int tap_c_ = (tap_g_ && tap_w_) ? !strcmp(tap_g_, tap_w_)           \
						: (tap_g_ == tap_w_);               \
		if (!ok(tap_c_, __VA_ARGS__))                                       \
			diag("  got: '%s'\n#  want: '%s'", tap_g_ ? tap_g_ : "(null)", \
			     tap_w_ ? tap_w_ : "(null)");                           \
	} while (0)

/* Prints the plan (when none was given up front) and returns the exit status. */
static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
