/* console.h - patrol serve: the web review console's server, started by cli/serve.c. */
#ifndef PATROL_CONSOLE_H
#define PATROL_CONSOLE_H

#include "util/err.h"

struct console_opts {
	const char *listen;   /* "127.0.0.1:8700", "[::1]:8700" */
	const char *conninfo; /* the database; each server thread opens its own connection */
	const char *lang;     /* "ja" (default) or "en" */
	long idle_seconds;    /* a session unused this long is over (default 1800) */
	int max_failures;     /* failed logins in a row before a lockout (default 5) */
	long lock_seconds;    /* how long a lockout lasts (default 900) */
	int threads;          /* server threads, each with its own connection (default 4) */
	int allow_private;    /* crawls started here may fetch private addresses (--allow-private) */
	const char *home;     /* $PATROL_HOME: where the log of crawls started here goes */
	const char *warc_dir; /* where the WARC files are (default: $PATROL_HOME/warc) */
	const char *chromium; /* the browser that renders snapshots (default /usr/bin/chromium) */
	int snapshot_timeout; /* seconds one rendering may take (default 30) */
	int snapshot_workers; /* renderings at once (default 1) */
	const char *rules_dir;/* the rule set shown on the rules page (NULL: none) */
	const char *lib_dir;  /* its helper library (NULL: beside the rules) */
	const char *cache_dir;/* its compiled-pattern cache (NULL: none) */
	const char *stats_dir;/* where crawls started here write their figures (--stats-file) */
};

/* Sets o to the defaults (listen on 127.0.0.1:8700, Japanese). */
void console_opts_init(struct console_opts *o);

/*
 * Serves the console until *stop becomes non-zero (checked a few times a
 * second; a signal handler may set it). ready (may be NULL) is called once
 * listening, with the address. PRC_INVALID for a bad listen address, PRC_IO
 * when it cannot listen, PRC_DB when the database cannot be reached.
 */
enum prc console_serve(const struct console_opts *o, const volatile int *stop,
		       void (*ready)(const char *addr), struct err *e);

#endif
