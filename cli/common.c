/*
 * common.c - what the rule-author front ends (scan, rules) share: where the
 * rules live, loading them with every error printed, and reading a local
 * file the way the crawler would have read it off the web (pipeline/page.c,
 * with the crawl's limits).
 */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "pipeline/page.h"
#include "store/cluster.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/walk.h"

/* "<dir of the binary>/<sub>" into buf, or NULL when /proc/self/exe cannot be read. */
/*
 * "<dir of the binary>/<rel>" when it exists, else the same from up to two
 * directories higher (a binary under build/<variant>/ in a source tree),
 * into buf; NULL when none exists.
 */
static const char *beside_binary(const char *rel, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	char *slash;
	int up;

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	for (up = 0; up < 3; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
		snprintf(buf, len, "%s/%s", exe, rel);
		if (stat(buf, &st) == 0)
			return buf;
	}
	return NULL;
}

const char *cli_rules_dir(const char *opt)
{
	static char dir[PATH_MAX + 16];
	const char *env = getenv("PATROL_RULES");
	const char *d;

	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	d = beside_binary("lua/rules", dir, sizeof(dir));
	return d ? d : "lua/rules";
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *cli_lib_dir(const char *dir)
{
	static char lib[PATH_MAX + 16];

	/* the helper library beside the rules, else the one shipped with patrol */
	snprintf(lib, sizeof(lib), "%s/../lib", dir);
	if (is_dir(lib))
		return lib;
	if (beside_binary("lua/lib", lib, sizeof(lib)) && is_dir(lib))
		return lib;
	return NULL;
}

const char *cli_cache_dir(const char *opt)
{
	static char dir[PATH_MAX + 16];
	struct err e;
	char *home;

	if (opt)
		return *opt ? opt : NULL;
	home = cluster_home(NULL, &e);
	if (!home)
		return NULL;
	snprintf(dir, sizeof(dir), "%s/cache", home);
	free(home);
	return dir;
}

struct ruleset *cli_load_rules_cached(const char *dir, const char *cache_dir)
{
	struct ruleset_opts o;
	struct ruleset *rs = NULL;
	struct buf errors;
	enum prc rc;

	memset(&o, 0, sizeof(o));
	o.lib_dir = cli_lib_dir(dir);
	o.cache_dir = cache_dir;
	buf_init(&errors, 1u << 20);
	rc = ruleset_load(dir, &o, &rs, &errors);
	if (errors.len)
		fputs(buf_str(&errors), stderr);
	if (rc != PRC_OK) {
		size_t nerr = 0, nfiles = 0;
		const char *line = buf_str(&errors), *prev = NULL, *colon, *nl;

		/* one error per line, "file:line: reason"; files come in order */
		for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
			nl = strchr(line, '\n');
			colon = strchr(line, ':');
			nerr++;
			if (colon && (!nl || colon < nl) &&
			    (!prev || strncmp(prev, line, (size_t)(colon - line) + 1)))
				nfiles++;
			if (colon)
				prev = line;
		}
		if (nerr)
			cli_error("rules in '%s' refused: %zu error%s in %zu file%s, each listed above",
				  dir, nerr, nerr == 1 ? "" : "s", nfiles, nfiles == 1 ? "" : "s");
		else
			cli_error("cannot load rules from '%s' (%s)", dir, prc_str(rc));
		rs = NULL;
	}
	buf_release(&errors);
	return rs;
}

/* The limits cli_load_page reads with: the defaults, or what cli_page_option(..., NULL) set. */
static struct page_limits load_limits;
static int load_limits_set;

enum prc cli_load_page(struct arena *a, const char *path, const char *url, struct page_input *p,
		       struct err *e)
{
	return page_read_file(a, load_limits_set ? &load_limits : NULL, path, url, p, e);
}

int cli_page_option(int argc, char **argv, int *i, struct page_limits *l)
{
	const char *names[] = { "--max-body", "--max-text", "--max-links" };
	const char *arg = argv[*i], *val = NULL;
	size_t k, n;
	long v;

	if (!l) {
		if (!load_limits_set)
			page_limits_init(&load_limits, 0, 0, 0);
		load_limits_set = 1;
		l = &load_limits;
	}

	for (k = 0; k < 3; k++) {
		n = strlen(names[k]);
		if (strncmp(arg, names[k], n) != 0)
			continue;
		if (arg[n] == '=')
			val = arg + n + 1;
		else if (!arg[n] && *i + 1 < argc)
			val = argv[++*i];
		else if (!arg[n])
			break;
		else
			continue;
		v = cli_number(names[k], val);
		if (v < 0)
			return -1;
		page_limits_init(l, k == 0 ? (size_t)v : l->max_body, k == 1 ? (size_t)v : l->max_text,
				 k == 2 ? (size_t)v : l->max_links);
		return 1;
	}
	if (k < 3) {
		cli_error("%s wants a value", arg);
		return -1;
	}
	return 0;
}

int cli_walk(const char *path, walk_fn fn, void *ud)
{
	struct err e;
	int problems = 0;

	if (walk_files(path, fn, ud, &problems, &e) < 0) {
		cli_error("%s", e.msg);
		return -1;
	}
	if (problems) {
		if (problems > 1)
			cli_error("%s (and %d more unreadable under '%s')", e.msg, problems - 1, path);
		else
			cli_error("%s", e.msg);
		return -1;
	}
	return 0;
}
