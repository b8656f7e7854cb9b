/*
 * scan.c - `patrol scan [--rules DIR] [--explain] [--json] PATH...`: runs
 * the rules over local HTML and text files, as a rule author does before a
 * crawl, and prints one line per verdict. A file is read as the crawl reads
 * a response (pipeline/page.c), with the crawl's limits (--max-body,
 * --max-text, --max-links change them as they do for the crawl), so a scan
 * of a saved body gives the crawl's verdicts and evidence. Exit status as grep: 0 nothing
 * flagged, 1 something flagged, 2 an error.
 *
 * Files are classified by --jobs worker threads (default: one per CPU),
 * each with its own classifier; a file's output is kept until every file
 * before it has been printed, so the output is the same, in the same order,
 * whatever the number of workers.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "classifiers/classify.h"
#include "cli/cli.h"
#include "pipeline/page.h"
#include "util/arena.h"
#include "util/json.h"

#define SCAN_MAX_JOBS 64
#define SCAN_AHEAD 64 /* files a worker may finish ahead of the printer, per worker */

/* One file's result, kept until it is printed. */
struct scan_out {
	char *out, *expl;   /* stdout, and the --explain lines (stderr with --json) */
	size_t nout, nexpl;
	char *error;        /* what went wrong, or NULL */
	int flagged;
	int done;
};

struct scan {
	struct ruleset *rs;
	struct page_limits limits; /* the crawl's, or as --max-body, --max-text, --max-links say */
	int explain, json;
	char **files;
	unsigned char *plain;      /* per file: its folder listed it as a regular file */
	size_t nfiles;
	struct scan_out *res;
	pthread_mutex_t mu;
	pthread_cond_t room_cv;    /* files were printed: workers may take more */
	size_t next;               /* the next file a worker takes */
	size_t printed;            /* files printed so far */
	size_t ahead;              /* how far past printed a worker may take a file */
	int workers_wait;          /* workers asleep on room_cv */
	int status;                /* 2 after an error, else 1 when something was flagged */
};

/* What one worker writes while it classifies one file. */
struct scan_job {
	const struct scan *s;
	const char *file;
	FILE *expl;
};

/*
 * A worker's last directory and its real path, so that the files of one
 * directory cost one realpath() in all instead of a readlink() per
 * component each.
 */
struct dir_cache {
	char dir[PATH_MAX];
	char real[PATH_MAX];
	int ok;
};

static void usage(void)
{
	fprintf(stderr, "usage: patrol scan [--rules DIR] [--cache-dir DIR | --no-cache] [--explain] [--json]\n"
			"                   [--max-body BYTES] [--max-text BYTES] [--max-links N]\n"
			"                   [--jobs N] PATH...\n");
}

static void on_explain(const char *line, void *ud)
{
	struct scan_job *j = ud;

	if (j->s->json)
		fprintf(j->expl, "%s: %s\n", j->file, line);
	else
		fprintf(j->expl, "# %s: %s\n", j->file, line);
}

static void print_verdict(FILE *o, int json, const char *file, const struct verdict *v)
{
	if (json) {
		fputs("{\"file\":", o);
		json_write_str(o, file);
		fputs(",\"category\":", o);
		json_write_str(o, v->category);
		fprintf(o, ",\"score\":%.3f,\"rule\":", v->score);
		json_write_str(o, v->rule);
		fputs(",\"rule_file\":", o);
		json_write_str(o, v->rule_file);
		fputs(",\"evidence\":", o);
		json_write_str(o, v->evidence);
		fprintf(o, ",\"ev_start\":%zu,\"ev_end\":%zu}\n", v->ev_start, v->ev_end);
		return;
	}
	fprintf(o, "%s\t%s\t%.2f\t%s\t%s\n", file, v->category, v->score, v->rule, v->evidence);
}

/*
 * The absolute path of file with every symbolic link resolved, as
 * realpath() gives it, or file itself when that fails. A file that is no
 * link itself (plain: its folder said so; else lstat() says), named by a
 * directory and a plain name, is the directory's real path and the name.
 */
static void real_path(struct dir_cache *dc, const char *file, int plain, char abs[PATH_MAX])
{
	const char *slash = strrchr(file, '/'), *base = slash ? slash + 1 : file;
	size_t dlen = slash ? (size_t)(slash - file) : 0;
	struct stat st;

	if (slash && dlen > 0 && dlen < sizeof(dc->dir) && *base && strcmp(base, ".") &&
	    strcmp(base, "..") && (plain || (lstat(file, &st) == 0 && !S_ISLNK(st.st_mode)))) {
		if (!dc->ok || strlen(dc->dir) != dlen || memcmp(dc->dir, file, dlen)) {
			memcpy(dc->dir, file, dlen);
			dc->dir[dlen] = '\0';
			dc->ok = realpath(dc->dir, dc->real) != NULL;
			if (!dc->ok)
				dc->dir[0] = '\0';
		}
		if (dc->ok && (size_t)snprintf(abs, PATH_MAX, "%s%s%s", dc->real,
					       strcmp(dc->real, "/") ? "/" : "", base) < PATH_MAX)
			return;
	}
	if (!realpath(file, abs))
		snprintf(abs, PATH_MAX, "%s", file);
}

/* Classifies one file with c into r: its verdict lines, its explain lines or its error. */
static void scan_one(const struct scan *s, struct classifier *c, struct dir_cache *dc,
		     const char *file, int plain, struct scan_out *r)
{
	struct arena *a = arena_new();
	struct scan_job j = { s, file, NULL };
	struct page_input p;
	struct verdict *v;
	FILE *o = NULL;
	size_t n, i;
	struct err e;
	char url[PATH_MAX + 8], abs[PATH_MAX];

	if (s->explain)
		j.expl = open_memstream(&r->expl, &r->nexpl);
	o = open_memstream(&r->out, &r->nout);
	if (!a || !o || (s->explain && !j.expl)) {
		r->error = strdup("out of memory");
		goto out;
	}
	real_path(dc, file, plain, abs);
	snprintf(url, sizeof(url), "file://%s", abs);
	if (page_read_file(a, &s->limits, file, url, &p, &e) != PRC_OK ||
	    classifier_run(c, a, &p, &v, &n, s->explain ? on_explain : NULL, &j, &e) != PRC_OK) {
		r->error = strdup(e.msg);
		if (!r->error)
			r->error = strdup("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		print_verdict(o, s->json, file, &v[i]);
	r->flagged = n > 0;
out:
	if (o)
		fclose(o);
	if (j.expl)
		fclose(j.expl);
	arena_free(a);
}

/*
 * Prints the results of the files from s->printed on that are done, in
 * order, and moves printed past them. Called with s->mu held by the worker
 * that finished file s->printed; the lock is let go while writing. No
 * other worker gets here meanwhile: file s->printed is done already, and
 * printed moves only under the lock, after which the loop looks again.
 */
static void print_done(struct scan *s)
{
	size_t k = s->printed, upto;

	while (k < s->nfiles && s->res[k].done) {
		for (upto = k + 1; upto < s->nfiles && s->res[upto].done; upto++)
			;
		pthread_mutex_unlock(&s->mu);
		for (; k < upto; k++) {
			struct scan_out *r = &s->res[k];

			if (r->nexpl)
				fwrite(r->expl, 1, r->nexpl, s->json ? stderr : stdout);
			if (r->error) {
				fflush(stdout);
				cli_error("%s", r->error);
				s->status = 2;
			} else if (r->nout) {
				fwrite(r->out, 1, r->nout, stdout);
			}
			if (r->flagged && s->status == 0)
				s->status = 1;
			free(r->out);
			free(r->expl);
			free(r->error);
			r->out = r->expl = r->error = NULL;
		}
		fflush(stdout);
		pthread_mutex_lock(&s->mu);
		s->printed = k;
		if (s->workers_wait)
			pthread_cond_broadcast(&s->room_cv);
	}
}

/*
 * A worker takes the next file, at most s->ahead past the last one printed,
 * and classifies it; the worker that finishes the file next in line prints
 * it and whatever is done after it. Nobody waits for a file to be printed
 * but a worker that ran that far ahead.
 */
static void *scan_worker(void *arg)
{
	struct scan *s = arg;
	struct classifier *c;
	struct dir_cache *dc = calloc(1, sizeof(*dc));
	struct err e;
	size_t k;

	c = dc ? classifier_new(s->rs, &e) : NULL;
	if (!dc)
		err_set(&e, PRC_NOMEM, "out of memory");
	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->next < s->nfiles && s->next >= s->printed + s->ahead) {
			s->workers_wait++;
			pthread_cond_wait(&s->room_cv, &s->mu);
			s->workers_wait--;
		}
		if (s->next >= s->nfiles)
			break;
		k = s->next++;
		pthread_mutex_unlock(&s->mu);
		if (c)
			scan_one(s, c, dc, s->files[k], s->plain[k], &s->res[k]);
		else
			s->res[k].error = strdup(e.msg);
		pthread_mutex_lock(&s->mu);
		s->res[k].done = 1;
		if (k == s->printed)
			print_done(s);
	}
	pthread_mutex_unlock(&s->mu);
	classifier_free(c);
	free(dc);
	return NULL;
}

struct file_list {
	char **v;
	unsigned char *plain;
	size_t n, cap;
	int nomem;
};

static void add_file(const char *file, int plain, void *ud)
{
	struct file_list *l = ud;
	unsigned char *np;
	char **nv;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;

		nv = realloc(l->v, cap * sizeof(*nv));
		if (nv)
			l->v = nv;
		np = nv ? realloc(l->plain, cap) : NULL;
		if (np)
			l->plain = np;
		if (!nv || !np) {
			l->nomem = 1;
			return;
		}
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(file))) {
		l->nomem = 1;
		return;
	}
	l->plain[l->n++] = (unsigned char)plain;
}

/* Runs jobs workers over s->files, which print as they go; the exit status. */
static int scan_run(struct scan *s, int jobs)
{
	pthread_t tid[SCAN_MAX_JOBS];
	int started = 0, i, status;

	s->res = calloc(s->nfiles ? s->nfiles : 1, sizeof(*s->res));
	if (!s->res) {
		cli_error("out of memory");
		return 2;
	}
	if ((size_t)jobs > s->nfiles)
		jobs = s->nfiles ? (int)s->nfiles : 1;
	s->ahead = (size_t)jobs * SCAN_AHEAD;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->room_cv, NULL);
	for (i = 0; i < jobs; i++)
		if (pthread_create(&tid[started], NULL, scan_worker, s) == 0)
			started++;
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	status = s->status;
	if (!started) {
		cli_error("cannot start a scan thread");
		status = 2;
	}
	pthread_cond_destroy(&s->room_cv);
	pthread_mutex_destroy(&s->mu);
	free(s->res);
	return status;
}

int cmd_scan(int argc, char **argv)
{
	const char *rules = NULL, *cache = NULL;
	struct file_list files = { NULL, NULL, 0, 0, 0 };
	struct scan s;
	char **paths;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int i, npaths = 0, only_paths = 0, errors = 0, status;
	size_t k;

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
		} else if (!strcmp(argv[i], "--jobs") || !strncmp(argv[i], "--jobs=", 7)) {
			const char *v = argv[i][6] == '=' ? argv[i] + 7 : i + 1 < argc ? argv[++i] : NULL;

			jobs = v ? cli_number("--jobs", v) : -1;
			if (jobs < 1 || jobs > SCAN_MAX_JOBS) {
				if (jobs == 0 || jobs > SCAN_MAX_JOBS || !v)
					cli_error("--jobs wants a number from 1 to %d", SCAN_MAX_JOBS);
				free(paths);
				return 2;
			}
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
	if (jobs < 1)
		jobs = 1;
	if (jobs > SCAN_MAX_JOBS)
		jobs = SCAN_MAX_JOBS;
	s.rs = cli_load_rules_cached(cli_rules_dir(rules), cli_cache_dir(cache));
	if (!s.rs) {
		free(paths);
		return 2;
	}
	for (i = 0; i < npaths; i++)
		if (cli_walk(paths[i], add_file, &files) < 0)
			errors++;
	free(paths);
	if (files.nomem) {
		cli_error("out of memory");
		errors++;
	}
	s.files = files.v;
	s.plain = files.plain;
	s.nfiles = files.n;
	status = scan_run(&s, (int)jobs);
	for (k = 0; k < files.n; k++)
		free(files.v[k]);
	free(files.v);
	free(files.plain);
	ruleset_unref(s.rs);
	return errors ? 2 : status;
}
