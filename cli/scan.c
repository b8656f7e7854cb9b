/*
 * scan.c - `patrol scan [--rules DIR] [--explain] [--json] PATH...`: runs
 * the rules over local HTML and text files, as a rule author does before a
 * crawl, and prints one line per verdict. A file is read as the crawl reads
 * a response (pipeline/page.c), with the crawl's limits (--max-body,
 * --max-text, --max-links change them as they do for the crawl), so a scan
 * of a saved body gives the crawl's verdicts and evidence. Exit status as grep: 0 nothing
 * flagged, 1 something flagged, 2 an error.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifiers/classify.h"
#include "cli/cli.h"
#include "pipeline/page.h"
#include "util/arena.h"
#include "util/json.h"

struct scan {
	struct classifier *c;
	struct page_limits limits; /* the crawl's, or as --max-body, --max-text, --max-links say */
	int explain, json;
	int flagged, errors;
	const char *file;
};

static void usage(void)
{
	fprintf(stderr, "usage: patrol scan [--rules DIR] [--cache-dir DIR | --no-cache] [--explain] [--json]\n"
			"                   [--max-body BYTES] [--max-text BYTES] [--max-links N] PATH...\n");
}

static void on_explain(const char *line, void *ud)
{
	struct scan *s = ud;

	if (s->json)
		fprintf(stderr, "%s: %s\n", s->file, line);
	else
		printf("# %s: %s\n", s->file, line);
}

static void print_verdict(const struct scan *s, const char *file, const struct verdict *v)
{
	if (s->json) {
		fputs("{\"file\":", stdout);
		json_write_str(stdout, file);
		fputs(",\"category\":", stdout);
		json_write_str(stdout, v->category);
		printf(",\"score\":%.3f,\"rule\":", v->score);
		json_write_str(stdout, v->rule);
		fputs(",\"rule_file\":", stdout);
		json_write_str(stdout, v->rule_file);
		fputs(",\"evidence\":", stdout);
		json_write_str(stdout, v->evidence);
		printf(",\"ev_start\":%zu,\"ev_end\":%zu}\n", v->ev_start, v->ev_end);
		return;
	}
	printf("%s\t%s\t%.2f\t%s\t%s\n", file, v->category, v->score, v->rule, v->evidence);
}

static void scan_file(const char *file, void *ud)
{
	struct scan *s = ud;
	struct arena *a = arena_new();
	struct page_input p;
	struct verdict *v;
	size_t n, i;
	struct err e;
	char url[PATH_MAX + 8], abs[PATH_MAX];

	if (!a) {
		cli_error("out of memory");
		s->errors++;
		return;
	}
	if (!realpath(file, abs))
		snprintf(abs, sizeof(abs), "%s", file);
	snprintf(url, sizeof(url), "file://%s", abs);
	s->file = file;
	if (page_read_file(a, &s->limits, file, url, &p, &e) != PRC_OK ||
	    classifier_run(s->c, a, &p, &v, &n, s->explain ? on_explain : NULL, s, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		s->errors++;
		arena_free(a);
		return;
	}
	for (i = 0; i < n; i++)
		print_verdict(s, file, &v[i]);
	if (n)
		s->flagged = 1;
	fflush(stdout);
	arena_free(a);
}

int cmd_scan(int argc, char **argv)
{
	const char *rules = NULL, *cache = NULL;
	struct ruleset *rs;
	struct scan s;
	struct err e;
	char **paths;
	int i, npaths = 0, only_paths = 0;

	memset(&s, 0, sizeof(s));
	page_limits_init(&s.limits, 0, 0, 0);
	paths = calloc((size_t)argc + 1, sizeof(*paths));
	if (!paths) {
		cli_error("out of memory");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int pr;

		if (only_paths || argv[i][0] != '-' || !argv[i][1]) {
			paths[npaths++] = argv[i];
		} else if ((pr = cli_page_option(argc, argv, &i, &s.limits)) != 0) {
			if (pr < 0) {
				free(paths);
				return 2;
			}
		} else if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			rules = argv[++i];
		} else if (!strncmp(argv[i], "--rules=", 8)) {
			rules = argv[i] + 8;
		} else if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc) {
			cache = argv[++i];
		} else if (!strncmp(argv[i], "--cache-dir=", 12)) {
			cache = argv[i] + 12;
		} else if (!strcmp(argv[i], "--no-cache")) {
			cache = "";
		} else if (!strcmp(argv[i], "--explain")) {
			s.explain = 1;
		} else if (!strcmp(argv[i], "--json")) {
			s.json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			free(paths);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			only_paths = 1;
		} else {
			cli_error("unknown option '%s'", argv[i]);
			usage();
			free(paths);
			return 2;
		}
	}
	if (!npaths) {
		usage();
		free(paths);
		return 2;
	}
	rs = cli_load_rules_cached(cli_rules_dir(rules), cli_cache_dir(cache));
	if (!rs) {
		free(paths);
		return 2;
	}
	s.c = classifier_new(rs, &e);
	ruleset_unref(rs);
	if (!s.c) {
		cli_error("%s", e.msg);
		free(paths);
		return 2;
	}
	for (i = 0; i < npaths; i++)
		if (cli_walk(paths[i], scan_file, &s) < 0)
			s.errors++;
	classifier_free(s.c);
	free(paths);
	if (s.errors)
		return 2;
	return s.flagged ? 1 : 0;
}
