/*
 * recheck.c - `patrol recheck`: one pass over the pages under takedown
 * (pipeline/recheck.h), or with --every a pass every DURATION until SIGINT
 * or SIGTERM. One line per page (a JSON line with --json) and a summary.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/sandbox.h"
#include "cli/cli.h"
#include "cli/workflow.h"
#include "pipeline/recheck.h"
#include "store/db.h"
#include "util/json.h"

static volatile sig_atomic_t recheck_stop;

static void on_signal(int sig)
{
	(void)sig;
	recheck_stop = 1;
}

struct printer {
	int json, quiet;
};

static void on_result(const struct recheck_result *r, void *ud)
{
	struct printer *p = ud;

	if (p->json) {
		printf("{\"page_id\":%" PRId64 ",\"url\":", r->page_id);
		json_write_str(stdout, r->url);
		printf(",\"http_status\":%d,\"outcome\":", r->http_status);
		json_write_str(stdout, r->outcome);
		fputs(",\"reason\":", stdout);
		json_write_str(stdout, r->reason);
		fputs(",\"was\":", stdout);
		json_write_str(stdout, r->was);
		fputs(",\"now\":", stdout);
		json_write_str(stdout, r->now);
		fputs(",\"error\":", stdout);
		json_write_str(stdout, r->error);
		printf(",\"removed\":%d,\"reopened\":%d,\"recheck_id\":%" PRId64 "}\n", r->removed, r->reopened,
		       r->recheck_id);
	} else if (!p->quiet) {
		printf("page %" PRId64 " %s: %s (%s)", r->page_id, r->url, r->outcome, r->reason);
		if (r->removed)
			printf(", %d request%s removed", r->removed, r->removed == 1 ? "" : "s");
		if (r->reopened)
			printf(", %d request%s reopened", r->reopened, r->reopened == 1 ? "" : "s");
		putchar('\n');
	}
	fflush(stdout);
}

static int recheck_usage(FILE *f)
{
	fprintf(f,
		"usage: patrol recheck [--job NAME] [--all] [PAGE_ID...] [options]\n"
		"Re-fetches every page with a takedown request sent, acknowledged or reopened (and,\n"
		"to see it come back, removed within --watch-days); --all adds every confirmed page;\n"
		"page ids recheck exactly those pages.\n"
		"  --every DURATION     run a pass every DURATION (90s, 15m, 6h, 1d) until SIGINT/SIGTERM\n"
		"  --delay-ms N         least time between requests to one host (default 1000)\n"
		"  --concurrency N      hosts fetched at once (default 8; one request per host at a time)\n"
		"  --dns-failures N     consecutive DNS failures that make a host gone (default 3) ...\n"
		"  --dns-days N         ... over at least N days (default 2)\n"
		"  --watch-days N       keep rechecking removed pages this long (default 30)\n"
		"  --rules DIR          rule directory (default lua/rules next to the binary)\n"
		"  --cache-dir DIR      compiled patterns cached here (default $PATROL_HOME/cache)\n"
		"  --no-cache           compile the patterns every time\n"
		"  --allow-private      allow loopback and private addresses\n"
		"  --user-agent S       User-Agent header\n"
		"  --as NAME            who the changes are recorded as (default: the login name)\n"
		"  --json               one JSON line per page and one per pass\n"
		"  --quiet              only the summary\n"
		"  --db CONNINFO        database\n");
	return f == stdout ? 0 : 2;
}

/* Sleeps secs seconds, or until a signal stops the loop. */
static void nap(long secs)
{
	struct timespec ts = { 1, 0 };
	long i;

	for (i = 0; i < secs && !recheck_stop; i++)
		nanosleep(&ts, NULL);
}

int cmd_recheck(int argc, char **argv)
{
	enum {
		O_JOB = 256, O_ALL, O_EVERY, O_DELAY, O_CONC, O_DNSF, O_DNSD, O_WATCH, O_RULES, O_PRIVATE, O_UA,
		O_CACHE, O_NOCACHE, O_AS, O_JSON, O_QUIET, O_DB, O_HELP
	};
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, O_JOB },
		{ "all", no_argument, NULL, O_ALL },
		{ "every", required_argument, NULL, O_EVERY },
		{ "delay-ms", required_argument, NULL, O_DELAY },
		{ "concurrency", required_argument, NULL, O_CONC },
		{ "dns-failures", required_argument, NULL, O_DNSF },
		{ "dns-days", required_argument, NULL, O_DNSD },
		{ "watch-days", required_argument, NULL, O_WATCH },
		{ "rules", required_argument, NULL, O_RULES },
		{ "cache-dir", required_argument, NULL, O_CACHE },
		{ "no-cache", no_argument, NULL, O_NOCACHE },
		{ "allow-private", no_argument, NULL, O_PRIVATE },
		{ "user-agent", required_argument, NULL, O_UA },
		{ "as", required_argument, NULL, O_AS },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "db", required_argument, NULL, O_DB },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct recheck_opts o;
	struct recheck_stats st;
	struct printer pr = { 0, 0 };
	struct sigaction sa;
	const char *dbopt = NULL, *rules_opt = NULL, *cache_opt = NULL, *as = NULL;
	int64_t *ids = NULL;
	long every = 0, v;
	int c, i, status = 0, pass = 0;
	struct err e = { "" };
	struct db *d;

	recheck_opts_init(&o);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_JOB: o.job = optarg; break;
		case O_ALL: o.all = 1; break;
		case O_EVERY:
			every = cli_duration(optarg);
			if (every <= 0) {
				cli_error("--every wants a duration (90s, 15m, 6h, 1d), not '%s'", optarg);
				return 2;
			}
			break;
		case O_DELAY:
		case O_CONC:
		case O_DNSF:
		case O_DNSD:
		case O_WATCH:
			v = cli_number(longopts[c - O_JOB].name, optarg);
			if (v < 0)
				return 2;
			if (c == O_DELAY) o.delay_ms = v;
			else if (c == O_CONC) o.concurrency = v > 0 ? (int)v : 1;
			else if (c == O_DNSF) o.dns_failures = v > 0 ? v : 1;
			else if (c == O_DNSD) o.dns_days = v;
			else o.watch_days = v;
			break;
		case O_RULES: rules_opt = optarg; break;
		case O_CACHE: cache_opt = optarg; break;
		case O_NOCACHE: cache_opt = ""; break;
		case O_PRIVATE: o.allow_private = 1; break;
		case O_UA: o.user_agent = optarg; break;
		case O_AS: if (cli_name_option("--as", optarg) < 0) return 2; as = optarg; break;
		case O_JSON: pr.json = 1; break;
		case O_QUIET: pr.quiet = 1; break;
		case O_DB: dbopt = optarg; break;
		case O_HELP: return recheck_usage(stdout);
		default: return recheck_usage(stderr);
		}
	}
	if (optind < argc) {
		o.nids = (size_t)(argc - optind);
		ids = calloc(o.nids, sizeof(*ids));
		if (!ids) {
			cli_error("out of memory");
			return 1;
		}
		for (i = optind; i < argc; i++) {
			ids[i - optind] = cli_id("page", argv[i]);
			if (ids[i - optind] < 0) {
				free(ids);
				return 2;
			}
		}
		o.ids = ids;
	}
	o.actor = cli_actor(as);
	o.rules = cli_load_rules_cached(cli_rules_dir(rules_opt), cli_cache_dir(cache_opt));
	if (!o.rules) {
		free(ids);
		return 2;
	}
	d = cli_db_open(dbopt);
	if (!d) {
		ruleset_unref(o.rules);
		free(ids);
		return 1;
	}
	o.stop = &recheck_stop;
	sandbox_set_stop(&recheck_stop); /* a stop ends even a rule stuck in a pattern */
	o.on_result = on_result;
	o.ud = &pr;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (;;) {
		enum prc rc = db_ensure(d, &e);

		pass++;
		if (rc == PRC_OK)
			rc = recheck_run(d, &o, &st, &e);
		if (rc != PRC_OK) {
			cli_error("recheck: %s", e.msg);
			status = 1;
			if (rc == PRC_NOTFOUND && !every)
				break;
		} else if (pr.json) {
			printf("{\"pass\":%d,\"pages\":%zu,\"present\":%zu,\"gone\":%zu,\"inconclusive\":%zu,"
			       "\"removed\":%zu,\"reopened\":%zu,\"stopped\":%s}\n",
			       pass, st.pages, st.present, st.gone, st.errors, st.removed, st.reopened,
			       recheck_stop ? "true" : "false");
		} else {
			fprintf(stderr,
				"recheck%s: %zu page%s, %zu present, %zu gone, %zu inconclusive; %zu request%s removed, "
				"%zu reopened\n",
				recheck_stop ? " (stopped)" : "", st.pages, st.pages == 1 ? "" : "s", st.present,
				st.gone, st.errors, st.removed, st.removed == 1 ? "" : "s", st.reopened);
		}
		fflush(stdout);
		if (rc == PRC_OK && st.pages && !st.present && !st.gone) {
			/* every page inconclusive: the pass decided nothing, say why */
			cli_error("recheck decided nothing: all %zu page%s inconclusive (first: %s)",
				  st.pages, st.pages == 1 ? "" : "s", st.first_error);
			if (st.refused)
				cli_error("%zu page%s on loopback or private addresses, which are refused; "
					  "add --allow-private to recheck them",
					  st.refused, st.refused == 1 ? " is" : "s are");
			status = 1;
		}
		if (!every || recheck_stop)
			break;
		status = 0; /* a daemon reports failures and carries on */
		nap(every);
		if (recheck_stop)
			break;
	}
	db_free(d);
	ruleset_unref(o.rules);
	free(ids);
	return status;
}
