/*
 * common.c - what the rule-author front ends (scan, rules) share: where the
 * rules live, loading them with every error printed, and reading a local
 * file the way the crawler would have read it off the web.
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
#include "crawler/charset.h"
#include "crawler/html.h"
#include "store/cluster.h"
#include "util/arena.h"
#include "util/buf.h"

#define PAGE_FILE_MAX (16u << 20)
#define PAGE_MAX_LINKS 5000

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
	rc = ruleset_load_opts(dir, &o, &rs, &errors);
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

struct ruleset *cli_load_rules(const char *dir)
{
	return cli_load_rules_cached(dir, NULL);
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcasecmp(s + a - b, suf);
}

static int looks_like_html(const char *path, const char *body, size_t len)
{
	size_t n = len < 1024 ? len : 1024;

	if (ends_with(path, ".html") || ends_with(path, ".htm") || ends_with(path, ".xhtml"))
		return 1;
	if (ends_with(path, ".txt"))
		return 0;
	return memmem(body, n, "<html", 5) || memmem(body, n, "<HTML", 5) ||
	       memmem(body, n, "<!DOCTYPE", 9) || memmem(body, n, "<!doctype", 9) ||
	       memmem(body, n, "<body", 5) || memmem(body, n, "<meta", 5);
}

enum prc cli_load_page(struct arena *a, const char *path, const char *url, struct page_input *p,
		       struct err *e)
{
	FILE *f = fopen(path, "rb");
	struct html_doc doc;
	const char *charset, **links, **texts;
	char *body, *text, *base = NULL, abs[PATH_MAX];
	size_t len, tlen, i, cap = PAGE_FILE_MAX;
	int truncated = 0;
	struct stat st;
	enum prc rc;

	memset(p, 0, sizeof(*p));
	if (!f)
		return err_set(e, PRC_IO, "cannot open '%s': %s", path, strerror(errno));
	/* a regular file gets a buffer of its size, not of the cap (an mmap per page) */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (unsigned long long)st.st_size < PAGE_FILE_MAX)
		cap = (size_t)st.st_size + 1;
	body = arena_alloc(a, cap + 1);
	if (!body) {
		fclose(f);
		return err_set(e, PRC_NOMEM, "out of memory reading '%s'", path);
	}
	len = fread(body, 1, cap, f);
	if (ferror(f)) {
		fclose(f);
		return err_set(e, PRC_IO, "cannot read '%s': %s", path, strerror(errno));
	}
	fclose(f);
	body[len] = 0;
	rc = charset_decode(a, NULL, body, len, PAGE_FILE_MAX, &text, &tlen, &charset, &truncated, e);
	if (rc != PRC_OK)
		return rc;
	p->url = url ? url : "";
	p->final_url = "";
	p->title = "";
	p->http_status = 200;
	if (!looks_like_html(path, body, len)) {
		p->content_type = "text/plain";
		p->text = text;
		p->text_len = tlen;
		return PRC_OK;
	}
	p->content_type = "text/html";
	if (!realpath(path, abs))
		snprintf(abs, sizeof(abs), "/%s", path);
	if (asprintf(&base, "http://localhost%s", abs) < 0)
		return err_set(e, PRC_NOMEM, "out of memory reading '%s'", path);
	rc = html_parse(a, text, tlen, base, NULL, PAGE_MAX_LINKS, &doc, e);
	free(base);
	if (rc != PRC_OK)
		return rc;
	p->title = doc.title ? doc.title : "";
	p->text = doc.text ? doc.text : "";
	p->text_len = doc.text ? doc.text_len : 0;
	p->blocks = doc.blocks;
	p->nblocks = doc.nblocks;
	links = arena_calloc(a, doc.nlinks + 1, sizeof(*links));
	texts = arena_calloc(a, doc.nlinks + 1, sizeof(*texts));
	if (!links || !texts)
		return err_set(e, PRC_NOMEM, "out of memory reading '%s'", path);
	for (i = 0; i < doc.nlinks; i++) {
		links[i] = doc.links[i].url;
		texts[i] = doc.links[i].text;
	}
	p->links = links;
	p->link_texts = texts;
	p->nlinks = doc.nlinks;
	return PRC_OK;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_walk(const char *path, void (*fn)(const char *file, void *ud), void *ud)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, **nn, *sub;
	size_t n = 0, cap = 0, i;
	int rc = 0;
	DIR *d;

	if (stat(path, &st) < 0) {
		cli_error("cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fn(path, ud);
		return 0;
	}
	d = opendir(path);
	if (!d) {
		cli_error("cannot open directory '%s': %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				break;
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		if (asprintf(&sub, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
			     names[i]) < 0) {
			rc = -1;
		} else {
			if (cli_walk(sub, fn, ud) < 0)
				rc = -1;
			free(sub);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}
