/*
 * log.c - the one place background threads report what the user should know
 * (a rule that failed, a host parked). Modules call log_msg(); the sink is
 * set by cli/, so library code never writes to a terminal itself.
 */
#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static log_sink_fn log_sink;
static void *log_ud;
static enum log_level log_max = LOG_WARN;

static const char *log_names[] = { "error", "warning", "info", "debug" };

void log_set_sink(log_sink_fn fn, void *ud)
{
	log_sink = fn;
	log_ud = ud;
}

void log_set_level(enum log_level level)
{
	log_max = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (level > log_max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_lock);
	if (log_sink)
		log_sink(level, msg, log_ud);
	else
		fprintf(stderr, "patrol: %s: %s\n", log_names[level], msg);
	pthread_mutex_unlock(&log_lock);
}
