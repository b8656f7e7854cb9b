/* crawl.c - `patrol crawl [options] SEED...`: options in, crawl_run, progress and summary out. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "classifiers/sandbox.h"
#include "classifiers/imagehash.h"
#include "classifiers/rulehub.h"
#include "cli/cli.h"
#include "pipeline/crawl.h"
#include "pipeline/samples.h"
#include "store/cluster.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/log.h"

static volatile sig_atomic_t crawl_stop, crawl_reload;

/*
 * Names the transfers that got no response, by cause, and returns the exit
 * status: 1 when nothing was fetched because every attempt failed, with the
 * reason and, for refused addresses, the flag that allows them.
 */
static int crawl_verdict(const struct crawl_stats *s, int status)
{
	uint64_t failed = 0, responses = s->fetched - s->errors;
	int i, any = 0;

	for (i = 1; i < FETCH_FAIL_COUNT; i++) {
		if (!s->net_failed[i])
			continue;
		fprintf(stderr, "%s %s=%llu", any ? "," : "network failures:",
			fetch_failure_name((enum fetch_failure)i), (unsigned long long)s->net_failed[i]);
		failed += s->net_failed[i];
		any = 1;
	}
	if (any)
		fprintf(stderr, " (first: %s)\n", s->first_failure);
	for (i = 0; i < (int)s->nfailing; i++) {
		int k, n = 0;

		fprintf(stderr, "  %s:", s->failing[i].origin);
		for (k = 1; k < FETCH_FAIL_COUNT; k++)
			if (s->failing[i].failed[k])
				fprintf(stderr, "%s %s=%llu", n++ ? "," : "",
					fetch_failure_name((enum fetch_failure)k),
					(unsigned long long)s->failing[i].failed[k]);
		fputc('\n', stderr);
	}
	if (responses > 0 || status != 0 || (!failed && !s->refused[REFUSE_ADDRESS]))
		return status;
	if (failed)
		cli_error("nothing fetched: no server answered (%s)", s->first_failure);
	if (s->refused[REFUSE_ADDRESS])
		cli_error("nothing fetched: the seeds resolve to loopback or private addresses, "
			  "which are refused; add --allow-private to crawl them");
	return 1;
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		crawl_reload = 1;
	else
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
		"  --max-text BYTES    bytes of a page's text classified (default 1 MiB)\n"
		"  --db CONNINFO       database (default $PATROL_DB or the cluster in $PATROL_HOME)\n"
		"  --quiet             no progress line\n"
		"  --lease-s N         a host lease lasts N seconds past the last heartbeat: how\n"
		"                      soon a dead process's hosts go to others (default 60, >= 3)\n"
		"politeness and retries:\n"
		"  --delay-factor X    wait at least X times the last response time (default 1)\n"
		"  --max-crawl-delay-ms N   longer waits give the host back meanwhile (default 30000)\n"
		"  --retries N         more attempts after 429, 503, network errors (default 2)\n"
		"  --max-host-errors N park a host after N failures in a row (default 8)\n"
		"limits against traps and hostile servers:\n"
		"  --max-pages-per-host N   (default 100000)\n"
		"  --max-url-length N  (default 2048)     --max-path-depth N (default 16)\n"
		"  --max-repeated-segments N (default 3)  --max-redirects N (default 5)\n"
		"  --max-calendar N    calendar-like URLs per host (default: no limit)\n"
		"  --max-query-variants N   distinct queries per path (default: no limit)\n"
		"                      (URL families that only serve what was seen are cut anyway)\n"
		"  --max-links N       links kept per page (default 1000)\n"
		"  --timeout-ms N      whole transfer (default 60000); --connect-timeout-ms N (10000)\n"
		"  --allow-url RE      follow only URLs matching one of these (repeatable)\n"
		"  --deny-url RE       never follow URLs matching (repeatable)\n"
		"  --follow-nofollow   follow rel=nofollow links and nofollow pages\n"
		"  --keep-query-order RE  keep the parameter order of URLs matching RE (repeatable);\n"
		"                      other URLs get their parameters sorted by name\n"
		"recrawl and observability:\n"
		"  --recrawl-after D   re-fetch pages older than D (30m, 12h, 7d), conditionally\n"
		"  --stats-file PATH   Prometheus text figures, rewritten every second\n"
		"rules:\n"
		"  --cache-dir DIR     compiled patterns cached here (default $PATROL_HOME/cache)\n"
		"  --no-cache          compile the patterns every time\n"
		"  --watch-rules       recompile and swap in the rules when their files change\n"
		"                      (SIGHUP does the same); a broken set is refused, the old one stays\n"
		"  --hash-list FILE    SHA-256/MD5 list of known illegal images: linked images are\n"
		"                      fetched (size-capped) and matched; only hashes are kept\n"
		"evidence:\n"
		"  --warc-dir DIR      WARC files of flagged pages (default $PATROL_HOME/warc)\n"
		"  --no-evidence       keep no WARC records\n");
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
		O_WORKERS, O_RULES, O_NORULES, O_PRIVATE, O_UA, O_MAXBODY, O_DB, O_QUIET, O_HELP,
		O_DFACTOR, O_MAXCD, O_RETRIES, O_HOSTERR, O_PERHOSTMAX, O_URLLEN, O_PATHDEPTH, O_REPEAT,
		O_CAL, O_QVAR, O_LINKS, O_TIMEOUT, O_CTIMEOUT, O_ALLOW, O_DENY, O_FOLLOWNF, O_SORTQ, O_KEEPQ,
		O_RECRAWL, O_STATS, O_REDIRECTS, O_WARCDIR, O_NOEVIDENCE, O_CACHE, O_NOCACHE, O_WATCH,
		O_HASHLIST, O_LEASE, O_MAXTEXT
	};
	static const struct option longopts[] = {
		{ "job", required_argument, NULL, O_JOB },
		{ "resume", no_argument, NULL, O_RESUME },
		{ "max-pages", required_argument, NULL, O_MAXPAGES },
		{ "max-depth", required_argument, NULL, O_MAXDEPTH },
		{ "scope", required_argument, NULL, O_SCOPE },
		{ "concurrency", required_argument, NULL, O_CONC },
		{ "per-host", required_argument, NULL, O_PERHOST },
		{ "lease-s", required_argument, NULL, O_LEASE },
		{ "delay-ms", required_argument, NULL, O_DELAY },
		{ "workers", required_argument, NULL, O_WORKERS },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-rules", no_argument, NULL, O_NORULES },
		{ "allow-private", no_argument, NULL, O_PRIVATE },
		{ "user-agent", required_argument, NULL, O_UA },
		{ "max-body", required_argument, NULL, O_MAXBODY },
		{ "max-text", required_argument, NULL, O_MAXTEXT },
		{ "db", required_argument, NULL, O_DB },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, O_HELP },
		{ "delay-factor", required_argument, NULL, O_DFACTOR },
		{ "max-crawl-delay-ms", required_argument, NULL, O_MAXCD },
		{ "retries", required_argument, NULL, O_RETRIES },
		{ "max-host-errors", required_argument, NULL, O_HOSTERR },
		{ "max-pages-per-host", required_argument, NULL, O_PERHOSTMAX },
		{ "max-url-length", required_argument, NULL, O_URLLEN },
		{ "max-path-depth", required_argument, NULL, O_PATHDEPTH },
		{ "max-repeated-segments", required_argument, NULL, O_REPEAT },
		{ "max-calendar", required_argument, NULL, O_CAL },
		{ "max-query-variants", required_argument, NULL, O_QVAR },
		{ "max-links", required_argument, NULL, O_LINKS },
		{ "max-redirects", required_argument, NULL, O_REDIRECTS },
		{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
		{ "connect-timeout-ms", required_argument, NULL, O_CTIMEOUT },
		{ "allow-url", required_argument, NULL, O_ALLOW },
		{ "deny-url", required_argument, NULL, O_DENY },
		{ "follow-nofollow", no_argument, NULL, O_FOLLOWNF },
		{ "sort-query", no_argument, NULL, O_SORTQ },
		{ "keep-query-order", required_argument, NULL, O_KEEPQ },
		{ "recrawl-after", required_argument, NULL, O_RECRAWL },
		{ "stats-file", required_argument, NULL, O_STATS },
		{ "warc-dir", required_argument, NULL, O_WARCDIR },
		{ "no-evidence", no_argument, NULL, O_NOEVIDENCE },
		{ "cache-dir", required_argument, NULL, O_CACHE },
		{ "no-cache", no_argument, NULL, O_NOCACHE },
		{ "watch-rules", no_argument, NULL, O_WATCH },
		{ "hash-list", required_argument, NULL, O_HASHLIST },
		{ NULL, 0, NULL, 0 }
	};
	const char *allow[64], *deny[64], *keepq[64];
	size_t nallow = 0, ndeny = 0, nkeepq = 0;
	const char *warc_opt = NULL;
	char *home = NULL, warcdir[4200];
	int noevidence = 0;
	struct crawl_opts o;
	struct crawl_stats s;
	struct progress_state ps = { 0, 0 };
	struct rulehub *rules = NULL;
	char *samples = NULL;
	struct imagehash *hashes = NULL;
	const char *rules_opt = NULL, *dbopt = NULL, *cache_opt = NULL, *hashlist = NULL;
	int watch = 0;
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
			o.scope_given = 1;
			if (!strcmp(optarg, "host")) o.scope = CRAWL_SCOPE_HOST;
			else if (!strcmp(optarg, "domain")) o.scope = CRAWL_SCOPE_DOMAIN;
			else if (!strcmp(optarg, "any")) o.scope = CRAWL_SCOPE_ANY;
			else {
				cli_error("--scope wants host, domain or any, not '%s'", optarg);
				return 2;
			}
			break;
		case O_RETRIES:
		case O_HOSTERR:
		case O_PERHOSTMAX:
		case O_URLLEN:
		case O_PATHDEPTH:
		case O_REPEAT:
		case O_CAL:
		case O_QVAR:
		case O_LINKS:
		case O_MAXTEXT:
		case O_TIMEOUT:
		case O_CTIMEOUT:
		case O_MAXCD:
		case O_REDIRECTS:
		case O_LEASE:
			v = cli_number(argv[optind - 1], optarg);
			if (v < 0)
				return 2;
			if (c == O_LEASE && (v < 3 || v > 86400)) {
				cli_error("option '--lease-s' wants 3 to 86400 seconds, not '%s'", optarg);
				return 2;
			}
			if (c == O_RETRIES) o.retries = (int)v;
			else if (c == O_HOSTERR) o.max_host_errors = (int)v;
			else if (c == O_PERHOSTMAX) o.max_pages_per_host = v;
			else if (c == O_URLLEN) o.traps.max_url_length = (size_t)v;
			else if (c == O_PATHDEPTH) o.traps.max_path_depth = (int)v;
			else if (c == O_REPEAT) o.traps.max_repeated_segments = (int)v;
			else if (c == O_CAL) o.traps.max_calendar = v;
			else if (c == O_QVAR) o.traps.max_query_variants = v;
			else if (c == O_LINKS) o.max_links = (size_t)v;
			else if (c == O_MAXTEXT) o.max_text = (size_t)v;
			else if (c == O_TIMEOUT) o.timeout_ms = v;
			else if (c == O_CTIMEOUT) o.connect_timeout_ms = v;
			else if (c == O_MAXCD) o.max_crawl_delay_ms = v;
			else if (c == O_LEASE) o.lease_s = (int)v;
			else o.max_redirects = (int)v;
			break;
		case O_DFACTOR: {
			char *end;

			o.delay_factor = strtod(optarg, &end);
			if (*end || o.delay_factor < 0) {
				cli_error("--delay-factor wants a non-negative number, not '%s'", optarg);
				return 2;
			}
			break;
		}
		case O_ALLOW:
		case O_DENY:
			if ((c == O_ALLOW ? nallow : ndeny) == 64) {
				cli_error("at most 64 --allow-url and 64 --deny-url patterns");
				return 2;
			}
			if (c == O_ALLOW)
				allow[nallow++] = optarg;
			else
				deny[ndeny++] = optarg;
			break;
		case O_FOLLOWNF: o.follow_nofollow = 1; break;
		case O_SORTQ: break; /* the default */
		case O_KEEPQ:
			if (nkeepq == 64) {
				cli_error("at most 64 --keep-query-order patterns");
				return 2;
			}
			keepq[nkeepq++] = optarg;
			break;
		case O_RECRAWL:
			o.recrawl_after_s = cli_duration(optarg);
			if (o.recrawl_after_s <= 0) {
				cli_error("--recrawl-after wants a duration such as 30m, 12h or 7d, not '%s'", optarg);
				return 2;
			}
			break;
		case O_STATS: o.stats_file = optarg; break;
		case O_WARCDIR: warc_opt = optarg; break;
		case O_NOEVIDENCE: noevidence = 1; break;
		case O_CACHE: cache_opt = optarg; break;
		case O_NOCACHE: cache_opt = ""; break;
		case O_WATCH: watch = 1; break;
		case O_HASHLIST: hashlist = optarg; break;
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
	o.allow_url = allow;
	o.nallow = nallow;
	o.deny_url = deny;
	o.ndeny = ndeny;
	o.keep_query_order = keepq;
	o.nkeep_query_order = nkeepq;
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
		const char *dir = cli_rules_dir(rules_opt);
		struct buf errors;

		buf_init(&errors, 1 << 20);
		rc = rulehub_new(dir, cli_lib_dir(dir), cli_cache_dir(cache_opt), &rules, &errors);
		if (rc != PRC_OK) {
			fprintf(stderr, "%s", buf_str(&errors));
			cli_error("rules in '%s' refused; nothing crawled", dir);
			buf_release(&errors);
			return 2;
		}
		buf_release(&errors);
		/* a reload must not get wrong a sample of the pack the running rules get right */
		if (asprintf(&samples, "%s/../samples", dir) < 0)
			samples = NULL;
		rulehub_set_vet(rules, samples_vet, samples);
		if (watch && rulehub_watch(rules, 0, &e) != PRC_OK) {
			cli_error("cannot watch '%s': %s", dir, e.msg);
			rulehub_free(rules);
			free(samples);
			return 2;
		}
	}
	if (hashlist) {
		struct buf errors;

		buf_init(&errors, 1 << 20);
		rc = imagehash_load(hashlist, &hashes, &errors);
		if (rc != PRC_OK) {
			fprintf(stderr, "%s", buf_str(&errors));
			cli_error("hash list '%s' refused; nothing crawled", hashlist);
			buf_release(&errors);
			rulehub_free(rules);
			free(samples);
			return 2;
		}
		buf_release(&errors);
	}
	if (!(conninfo = cli_db_conninfo(dbopt))) {
		rulehub_free(rules);
		free(samples);
		imagehash_free(hashes);
		return 1;
	}
	if (!noevidence) {
		if (!warc_opt) {
			home = cluster_home(NULL, &e);
			if (!home) {
				cli_error("%s", e.msg);
				free(conninfo);
				rulehub_free(rules);
				free(samples);
				imagehash_free(hashes);
				return 1;
			}
			snprintf(warcdir, sizeof(warcdir), "%s/warc", home);
			warc_opt = warcdir;
		}
		o.warc_dir = warc_opt;
	}
	o.conninfo = conninfo;
	o.rules = rules;
	o.imagehash = hashes;
	o.reload = &crawl_reload;
	o.stop = &crawl_stop;
	sandbox_set_stop(&crawl_stop); /* a stop ends even a rule stuck in a pattern */
	if (!quiet) {
		ps.tty = isatty(2);
		o.progress = progress;
		o.progress_ud = &ps;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
	{
		int i, any = 0;

		for (i = 1; i < REFUSE_COUNT; i++) {
			if (!s.refused[i])
				continue;
			fprintf(stderr, "%s %s=%llu", any ? "," : "refused:", refusal_name((enum refusal)i),
				(unsigned long long)s.refused[i]);
			any = 1;
		}
		if (s.retries || s.unchanged || s.hosts_parked)
			fprintf(stderr, "%sretries=%llu unchanged=%llu hosts-parked=%llu", any ? "; " : "",
				(unsigned long long)s.retries, (unsigned long long)s.unchanged,
				(unsigned long long)s.hosts_parked);
		if (any || s.retries || s.unchanged || s.hosts_parked)
			fputc('\n', stderr);
		if (s.aliases || s.trap_families)
			fprintf(stderr, "aliases=%llu (pages stored once under another URL); trap families=%llu\n",
				(unsigned long long)s.aliases, (unsigned long long)s.trap_families);
		if (s.fetched) {
			fprintf(stderr, "cpu s:");
			for (i = 0; i < STAGE_COUNT; i++)
				fprintf(stderr, " %s=%.2f", crawl_stage_name((enum crawl_stage)i), s.stage_cpu_s[i]);
			fputc('\n', stderr);
		}
		if (s.quarantined)
			fprintf(stderr, "quarantined=%llu (pages the database refused; see the quarantine table)\n",
				(unsigned long long)s.quarantined);
		for (i = 0; i < (int)s.nfamilies && s.families[i].trap; i++) {
			if (i == 20) {
				fprintf(stderr, "  ... and more: patrol's url_families table has them all\n");
				break;
			}
			fprintf(stderr, "  trap family '%s': %s\n", s.families[i].family, s.families[i].reason);
		}
	}
	status = crawl_verdict(&s, rc == PRC_OK ? status : 1);
	crawl_stats_release(&s);
	free(conninfo);
	free(home);
	rulehub_free(rules);
	free(samples);
	imagehash_free(hashes);
	return status;
}
