/*
 * serve.c - `patrol serve`: the web review console (console/). Parses
 * the options, finds the database, and runs the server until SIGINT or
 * SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "console/console.h"
#include "store/db.h"

static volatile int serve_stop;

static void on_signal(int sig)
{
	(void)sig;
	serve_stop = 1;
}

static void on_ready(const char *addr)
{
	fprintf(stderr, "patrol: console listening on http://%s/\n", addr);
}

static int serve_usage(FILE *f)
{
	fprintf(f, "usage: patrol serve [--listen 127.0.0.1:8700] [--db CONNINFO] [--lang ja|en]\n"
		   "                    [--idle-timeout 30m] [--max-failures 5] [--lockout 15m] [--threads 4]\n"
		   "                    [--allow-private-crawls] [--warc-dir DIR] [--rules DIR]\n"
		   "                    [--chromium PATH] [--snapshot-timeout 30s] [--snapshot-workers 1]\n"
		   "Users: patrol user add NAME --role patrol|rule_author|coordinator|admin.\n");
	return f == stdout ? 0 : 2;
}

int cmd_serve(int argc, char **argv)
{
	enum { O_LISTEN = 256, O_DB, O_LANG, O_IDLE, O_FAIL, O_LOCK, O_THREADS, O_PRIVATE, O_WARC, O_RULES,
	       O_CHROMIUM, O_SNAPTIME, O_SNAPWORKERS, O_HELP };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "db", required_argument, NULL, O_DB },
		{ "lang", required_argument, NULL, O_LANG },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "max-failures", required_argument, NULL, O_FAIL },
		{ "lockout", required_argument, NULL, O_LOCK },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "allow-private-crawls", no_argument, NULL, O_PRIVATE },
		{ "warc-dir", required_argument, NULL, O_WARC },
		{ "rules", required_argument, NULL, O_RULES },
		{ "chromium", required_argument, NULL, O_CHROMIUM },
		{ "snapshot-timeout", required_argument, NULL, O_SNAPTIME },
		{ "snapshot-workers", required_argument, NULL, O_SNAPWORKERS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct console_opts o;
	struct err e = { "" };
	const char *dbopt = NULL, *lang = getenv("PATROL_LANG");
	const char *rules_opt = NULL;
	char *conninfo = NULL, warcdir[4096], statsdir[4096], rulesdir[4096], libdir[4096];
	struct sigaction sa;
	struct db *d;
	long n;
	int c;

	console_opts_init(&o);
	if (lang && *lang)
		o.lang = lang;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN: o.listen = optarg; break;
		case O_DB: dbopt = optarg; break;
		case O_LANG: o.lang = optarg; break;
		case O_IDLE:
		case O_LOCK:
			n = cli_duration(optarg);
			if (n <= 0) {
				cli_error("--%s '%s' is not a duration (90s, 30m, 12h)",
					  c == O_IDLE ? "idle-timeout" : "lockout", optarg);
				return 2;
			}
			if (c == O_IDLE)
				o.idle_seconds = n;
			else
				o.lock_seconds = n;
			break;
		case O_FAIL:
		case O_THREADS:
			n = cli_number(c == O_FAIL ? "--max-failures" : "--threads", optarg);
			if (n < 1 || n > 64)
				return n < 0 ? 2 : (cli_error("%s must be 1 to 64", c == O_FAIL ? "--max-failures" : "--threads"), 2);
			if (c == O_FAIL)
				o.max_failures = (int)n;
			else
				o.threads = (int)n;
			break;
		case O_PRIVATE: o.allow_private = 1; break;
		case O_WARC: o.warc_dir = optarg; break;
		case O_RULES: rules_opt = optarg; break;
		case O_CHROMIUM:
			if (!*optarg) {
				cli_error("--chromium wants the path of the browser");
				return 2;
			}
			o.chromium = optarg;
			break;
		case O_SNAPTIME:
			n = cli_duration(optarg);
			if (n <= 0 || n > 600) {
				cli_error("--snapshot-timeout '%s' must be a duration of 1s to 10m", optarg);
				return 2;
			}
			o.snapshot_timeout = (int)n;
			break;
		case O_SNAPWORKERS:
			n = cli_number("--snapshot-workers", optarg);
			if (n < 1 || n > 8)
				return n < 0 ? 2 : (cli_error("--snapshot-workers must be 1 to 8"), 2);
			o.snapshot_workers = (int)n;
			break;
		case O_HELP: return serve_usage(stdout);
		default: return serve_usage(stderr);
		}
	}
	if (optind != argc)
		return serve_usage(stderr);
	if (strcmp(o.lang, "ja") && strcmp(o.lang, "en")) {
		cli_error("--lang must be ja or en, not '%s'", o.lang);
		return 2;
	}
	/* migrate once here, so the server's threads find the tables */
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	db_free(d);
	conninfo = cli_db_conninfo(dbopt);
	if (!conninfo)
		return 1;
	o.conninfo = conninfo;
	o.home = getenv("PATROL_HOME");
	if (!o.warc_dir) {
		snprintf(warcdir, sizeof(warcdir), "%s/warc", o.home && *o.home ? o.home : "./var");
		o.warc_dir = warcdir;
	}
	snprintf(statsdir, sizeof(statsdir), "%s/stats", o.home && *o.home ? o.home : "./var");
	o.stats_dir = statsdir;
	snprintf(rulesdir, sizeof(rulesdir), "%s", cli_rules_dir(rules_opt));
	o.rules_dir = rulesdir;
	if (cli_lib_dir(rulesdir)) {
		snprintf(libdir, sizeof(libdir), "%s", cli_lib_dir(rulesdir));
		o.lib_dir = libdir;
	}
	o.cache_dir = cli_cache_dir(NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (console_serve(&o, &serve_stop, on_ready, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		free(conninfo);
		return 1;
	}
	free(conninfo);
	return 0;
}
