/* patrol.c - the entry point: global set-up, then one front end per subcommand (git's builtin/ shape). */
#include <curl/curl.h>
#include <libxml/parser.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifiers/patset.h"
#include "cli/cli.h"

#define PATROL_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "db", cmd_db, "start|stop|status|migrate the local PostgreSQL cluster" },
	{ "crawl", cmd_crawl, "crawl from seeds, classify, store" },
	{ "export", cmd_export, "flagged pages as JSON lines, CSV or a table" },
	{ "scan", cmd_scan, "classify local HTML or text files (exit 1 when something is flagged)" },
	{ "rules", cmd_rules, "check|test|stats the rule pack" },
	{ "review", cmd_review, "list|show|confirm|dismiss flagged pages" },
	{ "takedown", cmd_takedown, "open|send|ack|refuse|close|note|list|show takedown requests" },
	{ "recheck", cmd_recheck, "re-fetch pages under takedown until they are gone" },
	{ "report", cmd_report, "takedown figures per category, host and provider" },
	{ "import", cmd_import, "hotline and public reports (CSV) into a crawl job" },
	{ "evidence", cmd_evidence, "print or extract the WARC record kept for a flagged page" },
	{ "serve", cmd_serve, "the web review console (see 'patrol user')" },
	{ "user", cmd_user, "add|list|disable the web console's users" },
	{ "train", cmd_train, "learn the n-gram model beside the rules from labelled text" },
};

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: patrol <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nDatabase: --db CONNINFO or PATROL_DB; otherwise a cluster under $PATROL_HOME (./var).\n");
	fprintf(f, "Times are shown in Japan time (Asia/Tokyo; PATROL_TZ to change it, --utc for UTC);\n"
		   "JSON and CSV give them in ISO 8601 with the offset.\n");
	return f == stdout ? 0 : 2;
}

/*
 * The time zone every command shows times in (and reads times without a
 * zone in): --utc anywhere before "--" (taken out of argv), else $PGTZ,
 * else $PATROL_TZ, else Japan. libpq sets the session's TimeZone from PGTZ.
 */
static int set_time_zone(int argc, char **argv)
{
	const char *tz = getenv("PATROL_TZ");
	int i, j, utc = 0;

	for (i = j = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "--utc"))
			utc = 1;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	if (utc)
		setenv("PGTZ", "UTC", 1);
	else if (!getenv("PGTZ"))
		setenv("PGTZ", tz && *tz ? tz : "Asia/Tokyo", 1);
	return j;
}

int main(int argc, char **argv)
{
	struct err e;
	size_t i;
	int rc;

	/* the pattern compiler patrol starts itself as (classifiers/patset.c): nothing else first */
	if (argc >= 2 && !strcmp(argv[1], PATSET_CHILD_ARG)) {
		patset_child_main(argc - 1, argv + 1, &e);
		cli_error("%s", e.msg);
		return 2;
	}
	/* compiles run in a fresh start of this executable, even once it is replaced on disk */
	patset_set_child_exe("/proc/self/exe");
	argc = set_time_zone(argc, argv);
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout);
	if (!strcmp(argv[1], "--version")) {
		printf("patrol %s\n", PATROL_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/*
		 * Page bodies and arenas are large and short-lived: keep them in
		 * mmap'd chunks given back when freed. A fixed threshold also stops
		 * glibc from raising it after the first big free, which would
		 * leave every later body in the heap for good.
		 */
		mallopt(M_MMAP_THRESHOLD, 256 * 1024);
		mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
		/* before any thread starts */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			cli_error("cannot initialize libcurl");
			return 2;
		}
		xmlInitParser();
		rc = commands[i].fn(argc - 1, argv + 1);
		xmlCleanupParser();
		curl_global_cleanup();
		return rc;
	}
	cli_error("'%s' is not a patrol command; see 'patrol --help'", argv[1]);
	return 2;
}
