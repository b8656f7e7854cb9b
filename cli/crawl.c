/* crawl.c - `patrol crawl [options] SEED...`: options in, crawl_run, progress and summary out. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "cli/cli.h"
#include "crawler/crawl.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/log.h"

static volatile sig_atomic_t crawl_stop;

static void on_signal(int sig)
{
	(void)sig;
	crawl_stop = 1;
}

static int crawl_usage(FILE *f)
{
	fprintf(f,
		"usage: patrol crawl [options] SEED...\n"
		"  --job NAME          job to create or join (default: crawl-YYYYmmdd-HHMMSS)\n"
		"  --resume            continue an existing job; seeds optional\n"
		"  --max-pages N       stop after N pages in the job (all processes)\n"
		"  --max-depth N       follow links at most N levels from the seeds\n"
		"  --scope host|domain|any   what links to follow (default host: the seeds' hosts)\n"
		"  --concurrency N     transfers in flight (default 16)\n"
		"  --per-host N        transfers in flight per host (default 1)\n"
		"  --delay-ms N        least time between requests to one host (default 0)\n"
		"  --workers N         parse/classify threads (default: CPUs)\n"
		"  --rules DIR         rule directory (default lua/rules next to the binary)\n"
		"  --no-rules          store pages without classifying them\n"
		"  --allow-private     allow loopback and private addresses\n"
		"  --user-agent S      User-Agent header\n"
		"  --max-body BYTES    body size cap (default 10 MiB)\n"
		"  --db CONNINFO       database (default $PATROL_DB or the cluster in $PATROL_HOME)\n"
		"  --quiet             no progress line\n");
	return f == stdout ? 0 : 2;
}

struct progress_state {
	int tty;
	time_t last_line;
};

static void progress(const struct crawl_stats *s, void *ud)
{
	struct progress_state *ps = ud;
	double rate = s->elapsed_s > 0 ? (double)s->fetched / s->elapsed_s : 0;

	if (ps->tty) {
		fprintf(stderr, "\rfetched %llu  stored %llu  queued %llu  hits %llu  errors %llu  %.1f pages/s  ",
			(unsigned long long)s->fetched, (unsigned long long)s->stored,
			(unsigned long long)s->queued, (unsigned long long)s->hits,
			(unsigned long long)s->errors, rate);
		return;
	}
	if (time(NULL) - ps->last_line < 10)
		return;
	ps->last_line = time(NULL);
	fprintf(stderr, "patrol: fetched %llu, stored %llu, hits %llu, errors %llu, %.1f pages/s\n",
		(unsigned long long)s->fetched, (unsigned long long)s->stored,
		(unsigned long long)s->hits, (unsigned long long)s->errors, rate);
}

int cmd_crawl(int argc, char **argv)
{
	enum {
		O_JOB = 256, O_RESUME, O_MAXPAGES, O_MAXDEPTH, O_SCOPE, O_CONC, O_PERHOST, O_DELAY,
		O_WORKERS, O_RULES, O_NORULES, O_PRIVATE, O_UA, O_MAXBODY, O_DB, O_QUIET, O_HELP
	};
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, O_JOB },
		{ "resume", no_argument, NULL, O_RESUME },
		{ "max-pages", required_argument, NULL, O_MAXPAGES },
		{ "max-depth", required_argument, NULL, O_MAXDEPTH },
		{ "scope", required_argument, NULL, O_SCOPE },
		{ "concurrency", required_argument, NULL, O_CONC },
		{ "per-host", required_argument, NULL, O_PERHOST },
		{ "delay-ms", required_argument, NULL, O_DELAY },
		{ "workers", required_argument, NULL, O_WORKERS },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-rules", no_argument, NULL, O_NORULES },
		{ "allow-private", no_argument, NULL, O_PRIVATE },
		{ "user-agent", required_argument, NULL, O_UA },
		{ "max-body", required_argument, NULL, O_MAXBODY },
		{ "db", required_argument, NULL, O_DB },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct crawl_opts o;
	struct crawl_stats s;
	struct progress_state ps = { 0, 0 };
	struct ruleset *rules = NULL;
	const char *rules_opt = NULL, *dbopt = NULL;
	char jobname[64], *conninfo = NULL;
	struct err e = { "" };
	struct sigaction sa;
	int c, norules = 0, quiet = 0, status = 1;
	long v;
	enum prc rc;

	crawl_opts_init(&o);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		v = 0;
		switch (c) {
		case O_JOB: o.job = optarg; break;
		case O_RESUME: o.resume = 1; break;
		case O_MAXPAGES:
		case O_MAXDEPTH:
		case O_CONC:
		case O_PERHOST:
		case O_DELAY:
		case O_WORKERS:
		case O_MAXBODY:
			v = cli_number(argv[optind - 1], optarg);
			if (v < 0)
				return 2;
			if (c == O_MAXPAGES) o.max_pages = v;
			else if (c == O_MAXDEPTH) o.max_depth = (int)v;
			else if (c == O_CONC) o.concurrency = v > 0 ? (int)v : 1;
			else if (c == O_PERHOST) o.per_host = v > 0 ? (int)v : 1;
			else if (c == O_DELAY) o.delay_ms = v;
			else if (c == O_WORKERS) o.workers = (int)v;
			else o.max_body = (size_t)v;
			break;
		case O_SCOPE:
			if (!strcmp(optarg, "host")) o.scope = CRAWL_SCOPE_HOST;
			else if (!strcmp(optarg, "domain")) o.scope = CRAWL_SCOPE_DOMAIN;
			else if (!strcmp(optarg, "any")) o.scope = CRAWL_SCOPE_ANY;
			else {
				cli_error("--scope wants host, domain or any, not '%s'", optarg);
				return 2;
			}
			break;
		case O_RULES: rules_opt = optarg; break;
		case O_NORULES: norules = 1; break;
		case O_PRIVATE: o.allow_private = 1; break;
		case O_UA: o.user_agent = optarg; break;
		case O_DB: dbopt = optarg; break;
		case O_QUIET: quiet = 1; break;
		case O_HELP: return crawl_usage(stdout);
		default: return crawl_usage(stderr);
		}
	}
	o.seeds = (const char *const *)argv + optind;
	o.nseeds = (size_t)(argc - optind);
	if (!o.nseeds && !o.resume) {
		cli_error("no seed URL given (or --resume --job NAME to continue a job)");
		return 2;
	}
	if (o.resume && !o.job) {
		cli_error("--resume needs --job NAME");
		return 2;
	}
	if (!o.job) {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(jobname, sizeof(jobname), "crawl-%Y%m%d-%H%M%S", &tm);
		o.job = jobname;
	}

	if (!norules) {
		struct buf errors;

		buf_init(&errors, 1 << 20);
		rc = ruleset_load(cli_rules_dir(rules_opt), NULL, &rules, &errors);
		if (rc != PRC_OK) {
			fprintf(stderr, "%s", buf_str(&errors));
			cli_error("rules in '%s' refused; nothing crawled", cli_rules_dir(rules_opt));
			buf_release(&errors);
			return 2;
		}
		buf_release(&errors);
	}
	if (db_locate(dbopt, NULL, &conninfo, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		ruleset_unref(rules);
		return 1;
	}
	o.conninfo = conninfo;
	o.rules = rules;
	o.stop = &crawl_stop;
	if (!quiet) {
		ps.tty = isatty(2);
		o.progress = progress;
		o.progress_ud = &ps;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = crawl_run(&o, &s, &e);
	if (ps.tty)
		fputc('\n', stderr);
	if (rc != PRC_OK) {
		cli_error("crawl '%s': %s", o.job, e.msg);
	} else {
		status = 0;
	}
	fprintf(stderr,
		"crawl '%s'%s: %llu fetched, %llu stored, %llu refused by robots.txt, %llu hits, "
		"%llu errors, %.1f s, %.1f pages/s\n",
		o.job, crawl_stop ? " (stopped)" : "", (unsigned long long)s.fetched,
		(unsigned long long)s.stored, (unsigned long long)s.robots_refused,
		(unsigned long long)s.hits, (unsigned long long)s.errors, s.elapsed_s,
		s.elapsed_s > 0 ? (double)s.fetched / s.elapsed_s : 0.0);
	free(conninfo);
	ruleset_unref(rules);
	return status;
}
