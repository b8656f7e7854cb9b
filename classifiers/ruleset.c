/*
 * ruleset.c - loads a directory of Lua rule files into a rule set: runs each
 * file in a sandbox, checks every rule's metadata, category and pattern
 * sets, normalizes literals for their view, and compiles every pattern of
 * every file into one Hyperscan database per view (classifiers/patset.c).
 *
 * A rule author gets every problem of every file in one pass, each as
 * "file:line: message". Lua keeps no line numbers for table fields, so the
 * line of a refused field or pattern comes from classifiers/srcmap.c, which
 * finds the token that wrote it. A file with any problem is refused as a
 * whole; by default the set is then refused too (the crawl keeps its last
 * good set), and with RULESET_KEEP_GOOD the other files still load.
 *
 * The set keeps the source of every file, so workers build their Lua states
 * from exactly what was checked here, whatever happens on disk later.
 *
 * DESIGN: the pattern cache
 *
 * Loading has three phases: run and check every file in the sandbox (Lua,
 * metadata, literals normalized into per-view expressions: tens of
 * milliseconds for thousands of patterns), check every expression with
 * Hyperscan (hs_expression_info: about 0.1 ms each), and compile the
 * databases (seconds). With a cache directory, the key is taken between the
 * first and second phases: a SHA-256 of the cache format, patset_build_id()
 * (Hyperscan version, platform, mode, flags), every lib and rule file's name
 * and bytes, and every expression with its id, flags and view. The
 * expressions are in the key because they, not the files, decide the
 * databases: a change to normalization in a new patrol gives new
 * expressions from the same files. An entry is written only for a set whose
 * every expression compiled, so a hit means every expression of this key
 * passed both later phases once: both are skipped, and the databases come
 * from disk (classifiers/hscache.c). A missing, stale or corrupt entry is
 * a miss: compile and store. A cache that cannot be written costs a warning
 * in the log, never the load.
 *
 * Errors are collected per file and printed in file order, so a file's
 * expression errors (found in the second phase) sit with its other errors.
 */
#include "classifiers/classify.h"
#include "classifiers/hscache.h"
#include "classifiers/normalize.h"
#include "classifiers/ruleset-int.h"
#include "classifiers/srcmap.h"
#include "classifiers/taxonomy.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "util/bytes.h"
#include "util/hash.h"
#include "util/log.h"

/* One error line and where it sorts: 0 before any file, k for file k - 1. */
struct lline {
	size_t key, seq;
	char *text;
};

struct loader {
	struct ruleset *rs;
	struct buf *errors;
	struct lline *lines;
	size_t nlines, cap_lines;
	size_t key;                    /* of the errors being added */
	size_t nerr;
	struct sandbox *sb;
	size_t cap_rules, cap_sets, cap_pats;
	/* the file being checked */
	const char *path;
	size_t file;
	struct srcmap map;
	size_t file_err;
	long prev_anchor;
	int nomem;
};

static void lerr(struct loader *ld, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Keeps one error line (taking text) under the current key. */
static void add_line(struct loader *ld, char *text)
{
	struct lline *nl;

	ld->nerr++;
	ld->file_err++;
	if (!text) {
		ld->nomem = 1;
		return;
	}
	if (ld->nlines == ld->cap_lines) {
		size_t nc = ld->cap_lines ? ld->cap_lines * 2 : 16;

		nl = realloc(ld->lines, nc * sizeof(*nl));
		if (!nl) {
			free(text);
			ld->nomem = 1;
			return;
		}
		ld->lines = nl;
		ld->cap_lines = nc;
	}
	ld->lines[ld->nlines].key = ld->key;
	ld->lines[ld->nlines].seq = ld->nlines;
	ld->lines[ld->nlines].text = text;
	ld->nlines++;
}

static void lerr(struct loader *ld, const char *file, int line, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b, 1u << 16);
	if (line > 0)
		buf_addf(&b, "%s:%d: ", file, line);
	else
		buf_addf(&b, "%s: ", file);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	add_line(ld, buf_detach(&b, NULL));
}

/* Adds the first line of a Lua message, which already reads "file:line: ...". */
static void lerr_lua(struct loader *ld, const char *file, const char *msg)
{
	char line[1024];
	struct buf b;

	sandbox_first_line(msg, file, line, sizeof(line));
	buf_init(&b, 1u << 16);
	if (strncmp(line, file, strlen(file)) || line[strlen(file)] != ':')
		buf_addf(&b, "%s:1: ", file);
	buf_addstr(&b, line);
	add_line(ld, buf_detach(&b, NULL));
}

static int cmp_lline(const void *a, const void *b)
{
	const struct lline *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Appends every error line to the caller's buffer, file by file, and frees them. */
static void flush_lines(struct loader *ld)
{
	size_t i;

	if (ld->nlines > 1)
		qsort(ld->lines, ld->nlines, sizeof(*ld->lines), cmp_lline);
	for (i = 0; i < ld->nlines; i++) {
		buf_addstr(ld->errors, ld->lines[i].text);
		buf_addch(ld->errors, '\n');
		free(ld->lines[i].text);
	}
	free(ld->lines);
	ld->lines = NULL;
	ld->nlines = ld->cap_lines = 0;
}

static void push_raw(lua_State *L, int idx, const char *k)
{
	idx = lua_absindex(L, idx);
	lua_pushstring(L, k);
	lua_rawget(L, idx);
}

/* lua_getfield without metamethods: rule tables are data, not code */
static int rawfield(lua_State *L, int idx, const char *k)
{
	push_raw(L, idx, k);
	return lua_type(L, -1);
}

static int read_file(const char *path, char **out, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char *b;
	size_t n;

	if (!f)
		return err_set(e, PRC_IO, "cannot open: %s", strerror(errno));
	b = malloc(RULE_FILE_MAX + 1);
	if (!b) {
		fclose(f);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	n = fread(b, 1, RULE_FILE_MAX + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(b);
		return err_set(e, PRC_IO, "cannot read: %s", strerror(errno));
	}
	fclose(f);
	if (n > RULE_FILE_MAX) {
		free(b);
		return err_set(e, PRC_LIMIT, "file is larger than %u bytes", RULE_FILE_MAX);
	}
	b[n] = 0;
	*out = b;
	*len = n;
	return PRC_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.lua files of dir, sorted, as malloc'd "dir/name" paths. */
static enum prc list_lua(const char *dir, char ***out, size_t *n, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cap = 0, cnt = 0, l;
	enum prc rc = PRC_OK;

	*out = NULL;
	*n = 0;
	if (!d)
		return err_set(e, PRC_IO, "cannot open directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".lua"))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = err_set(e, PRC_NOMEM, "out of memory");
				break;
			}
			v = nv;
		}
		if (asprintf(&v[cnt], "%s/%s", dir, de->d_name) < 0) {
			rc = err_set(e, PRC_NOMEM, "out of memory");
			break;
		}
		cnt++;
	}
	closedir(d);
	if (rc != PRC_OK) {
		while (cnt)
			free(v[--cnt]);
		free(v);
		return rc;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*out = v;
	*n = cnt;
	return PRC_OK;
}

static void free_list(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

static void free_pattern(struct rs_pattern *p)
{
	int v;

	free(p->source);
	for (v = 0; v < PATSET_NVIEWS; v++)
		free(p->expr[v]);
}

static void free_files(struct rs_file *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].src);
	}
	free(f);
}

static void ruleset_destroy(struct ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nrules; i++) {
		free(rs->rules[i].name);
		free(rs->rules[i].category);
	}
	for (i = 0; i < rs->nsets; i++)
		free(rs->sets[i].name);
	for (i = 0; i < rs->npats; i++)
		free_pattern(&rs->pats[i]);
	free(rs->rules);
	free(rs->sets);
	free(rs->pats);
	free_files(rs->files, rs->nfiles);
	free_files(rs->libs, rs->nlibs);
	patset_free(rs->ps);
	model_free(rs->model);
	free(rs);
}

struct ruleset *ruleset_ref(struct ruleset *rs)
{
	if (rs)
		atomic_fetch_add(&rs->refs, 1);
	return rs;
}

void ruleset_unref(struct ruleset *rs)
{
	if (rs && atomic_fetch_sub(&rs->refs, 1) == 1)
		ruleset_destroy(rs);
}

size_t ruleset_rule_count(const struct ruleset *rs)
{
	return rs ? rs->nrules : 0;
}

size_t ruleset_pattern_count(const struct ruleset *rs)
{
	return rs ? rs->npats : 0;
}

const char *ruleset_rule_name(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i].name : NULL;
}

const char *ruleset_rule_category(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i].category : NULL;
}

const char *ruleset_rule_file(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->files[rs->rules[i].file].path : NULL;
}

int ruleset_rule_line(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i].line : 0;
}

long long ruleset_rule_version(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i].version : 0;
}

double ruleset_rule_threshold(const struct ruleset *rs, size_t i)
{
	return i < rs->nrules ? rs->rules[i].threshold : 0;
}

size_t ruleset_rule_pattern_count(const struct ruleset *rs, size_t i)
{
	size_t s, n = 0;

	if (i >= rs->nrules)
		return 0;
	for (s = 0; s < rs->rules[i].nsets; s++)
		n += rs->sets[rs->rules[i].first_set + s].n;
	return n;
}

struct sandbox *ruleset_sandbox(const struct rs_file *libs, size_t nlibs, struct err *e)
{
	struct sandbox *s = sandbox_new(e);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < nlibs; i++) {
		if (sandbox_load(s, libs[i].path, libs[i].src, libs[i].len, e) != PRC_OK ||
		    sandbox_add_lib(s, libs[i].path, e) != PRC_OK)
			goto fail;
	}
	if (sandbox_seal(s, e) != PRC_OK)
		goto fail;
	return s;
fail:
	sandbox_free(s);
	return NULL;
}

enum prc ruleset_run_file(struct sandbox *s, const struct rs_file *f, struct err *e)
{
	enum prc rc = sandbox_load(s, f->path, f->src, f->len, e);

	if (rc != PRC_OK)
		return rc;
	return sandbox_call(s, 0, 1, e);
}

/* ---- checking one rule table (runs inside a protected call) ---- */

#define MAX_SETS_PER_RULE 64
#define MAX_PATS_PER_SET 4096

static const char *const rule_fields[] = {
	"name", "category", "author", "description", "references", "version", "threshold",
	"patterns", "classify", "requires", "triggers", NULL
};

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	void *nv;
	size_t nc;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 32;
	while (nc < need)
		nc *= 2;
	nv = realloc(*v, nc * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

static int is_ident(const char *s)
{
	const char *p;

	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

static int view_mask(const char *v)
{
	if (!strcmp(v, "norm"))
		return 1 << PATSET_NORM;
	if (!strcmp(v, "squeezed"))
		return 1 << PATSET_SQUEEZED;
	if (!strcmp(v, "both"))
		return (1 << PATSET_NORM) | (1 << PATSET_SQUEEZED);
	return 0;
}

static const char *view_name(int v)
{
	return v == PATSET_SQUEEZED ? "squeezed" : "norm";
}

struct rule_ctx {
	struct loader *ld;
	long anchor;       /* token of the rule's name, or -1 */
	int line;          /* the rule's line */
	size_t rule;       /* index of the rule being built */
};

static int key_line(struct rule_ctx *rc, const char *key)
{
	struct loader *ld = rc->ld;
	size_t lo = ld->prev_anchor >= 0 ? (size_t)ld->prev_anchor + 1 : 0;
	long t = srcmap_find_key(&ld->map, key, lo, ld->map.n,
				 rc->anchor >= 0 ? (size_t)rc->anchor : lo);

	return srcmap_line(&ld->map, t, rc->line);
}

/* Checks that a regex names no character the view never contains (katakana, full-width). */
static char *regex_view_problem(const char *re)
{
	const unsigned char *p = (const unsigned char *)re, *st;
	char *run, *norm, *msg = NULL;

	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		st = p;
		while (*p >= 0x80)
			p++;
		run = strndup((const char *)st, (size_t)(p - st));
		if (!run)
			return NULL;
		norm = normalize_literal(run, 0);
		if (norm && strcmp(norm, run) &&
		    asprintf(&msg, "regular expressions run on the normalized view: write '%s' for '%s'",
			     norm, run) < 0)
			msg = NULL;
		free(run);
		free(norm);
		if (msg)
			return msg;
	}
	return NULL;
}

/* Adds one pattern (value at stack top: a string or a table) of set s. */
static void add_pattern(struct rule_ctx *rc, size_t s, int index, int set_views,
			unsigned set_flags, int set_tok, const char *setname)
{
	struct loader *ld = rc->ld;
	struct ruleset *rs = ld->rs;
	lua_State *L = sandbox_state(ld->sb);
	struct rs_pattern *p;
	const char *src = NULL, *opt;
	int is_regex = 0, views = set_views, v, line;
	unsigned flags = set_flags;
	long t;
	size_t lo, srclen = 0;

	line = srcmap_line(&ld->map, set_tok, rc->line);
	if (lua_type(L, -1) == LUA_TSTRING) {
		src = lua_tolstring(L, -1, &srclen);
	} else if (lua_type(L, -1) == LUA_TTABLE) {
		rawfield(L, -1, "re");
		if (lua_type(L, -1) == LUA_TSTRING) {
			is_regex = 1;
			src = lua_tolstring(L, -1, &srclen);
		}
		lua_pop(L, 1);
		if (!src) {
			lua_rawgeti(L, -1, 1);
			if (lua_type(L, -1) == LUA_TSTRING)
				src = lua_tolstring(L, -1, &srclen);
			lua_pop(L, 1);
		}
		if (rawfield(L, -1, "view") == LUA_TSTRING) {
			opt = lua_tostring(L, -1);
			views = view_mask(opt);
			if (!views) {
				lerr(ld, ld->path, line,
				     "pattern %d of set '%s': unknown view '%s' (norm, squeezed, both)",
				     index, setname, opt);
				views = set_views;
			}
		}
		lua_pop(L, 1);
		if (rawfield(L, -1, "caseless") == LUA_TBOOLEAN)
			flags = lua_toboolean(L, -1) ? PATSET_CASELESS : 0;
		lua_pop(L, 1);
	}
	if (!src) {
		lerr(ld, ld->path, line,
		     "pattern %d of set '%s' is neither a string nor { re = \"...\" }", index,
		     setname);
		return;
	}

	/* the pattern's own token, else the set's key, else the rule */
	lo = set_tok >= 0 ? (size_t)set_tok + 1 : 0;
	t = srcmap_find_string(&ld->map, src, srclen, lo, ld->map.n, lo);
	if (t < 0)
		t = srcmap_find_string(&ld->map, src, srclen, 0, ld->map.n,
				       rc->anchor >= 0 ? (size_t)rc->anchor : 0);
	line = srcmap_line(&ld->map, t, line);

	if (strlen(src) != srclen) {
		/* Hyperscan and every C string would cut it there, silently */
		lerr(ld, ld->path, line, "pattern %d of set '%s' holds a NUL byte",
		     index, setname);
		return;
	}
	if (!*src) {
		lerr(ld, ld->path, line, "pattern %d of set '%s' is empty", index, setname);
		return;
	}
	if (grow((void **)&rs->pats, &ld->cap_pats, rs->npats + 1, sizeof(*rs->pats))) {
		ld->nomem = 1;
		return;
	}
	p = &rs->pats[rs->npats];
	memset(p, 0, sizeof(*p));
	p->set = s;
	p->index = index;
	p->is_regex = is_regex;
	p->views = views;
	p->flags = flags;
	p->line = line;
	p->source = strdup(src);
	rs->npats++;
	if (!p->source) {
		ld->nomem = 1;
		return;
	}
	if (is_regex) {
		char *why = regex_view_problem(src);

		if (why) {
			lerr(ld, ld->path, line, "pattern '%s': %s", src, why);
			free(why);
			return;
		}
	}
	for (v = 0; v < PATSET_NVIEWS; v++) {
		char *norm;

		if (!(views & (1 << v)))
			continue;
		if (is_regex) {
			p->expr[v] = strdup(src);
		} else {
			norm = normalize_literal(src, v == PATSET_SQUEEZED);
			if (!norm) {
				ld->nomem = 1;
				return;
			}
			if (!*norm) {
				lerr(ld, ld->path, line, "pattern '%s': nothing is left of it in the %s view",
				     src, view_name(v));
				free(norm);
				return;
			}
			p->expr[v] = patset_escape_literal(norm);
			free(norm);
		}
		if (!p->expr[v]) {
			ld->nomem = 1;
			return;
		}
		/* Hyperscan checks the expression later (check_patterns), unless the cache has it */
	}
}

/* Adds pattern set `name` (value at stack top) of the rule being built. */
/* Marks set name of rule r as part of trigger clause bit; 0, or -1 when r has no such set. */
static int trigger_set(struct ruleset *rs, struct rs_rule *r, const char *name, uint32_t bit)
{
	size_t j;

	for (j = 0; name && j < r->nsets; j++)
		if (!strcmp(rs->sets[r->first_set + j].name, name)) {
			rs->sets[r->first_set + j].trig |= bit;
			return 0;
		}
	return -1;
}

/*
 * The rule's `triggers` (on the table at the top of the stack): a list of
 * clauses, each a set name (that set must match) or a list of names (one
 * of them must). classify runs only when every clause holds on the page.
 */
static void check_triggers(struct loader *ld, struct rule_ctx *rc, struct rs_rule *r)
{
	lua_State *L = sandbox_state(ld->sb);
	struct ruleset *rs = ld->rs;
	int line = key_line(rc, "triggers");
	size_t n, i, k, m;
	int t = rawfield(L, -1, "triggers");

	r->trig_all = 0;
	if (t == LUA_TNIL) {
		lua_pop(L, 1);
		return;
	}
	if (t != LUA_TTABLE || (n = lua_rawlen(L, -1)) == 0) {
		lerr(ld, ld->path, line, "triggers must be a list of set names or lists of set names");
		lua_pop(L, 1);
		return;
	}
	if (n > RULE_MAX_TRIGGERS) {
		lerr(ld, ld->path, line, "triggers has more than %d clauses", RULE_MAX_TRIGGERS);
		lua_pop(L, 1);
		return;
	}
	for (i = 1; i <= n; i++) {
		uint32_t bit = (uint32_t)1 << (i - 1);

		t = lua_rawgeti(L, -1, (lua_Integer)i);
		if (t == LUA_TSTRING) {
			if (trigger_set(rs, r, lua_tostring(L, -1), bit) < 0)
				lerr(ld, ld->path, line,
				     "triggers names '%s', which is not a pattern set of the rule",
				     lua_tostring(L, -1));
		} else if (t == LUA_TTABLE && (m = lua_rawlen(L, -1)) > 0) {
			for (k = 1; k <= m; k++) {
				if (lua_rawgeti(L, -1, (lua_Integer)k) != LUA_TSTRING)
					lerr(ld, ld->path, line,
					     "triggers clause %zu must list set names", i);
				else if (trigger_set(rs, r, lua_tostring(L, -1), bit) < 0)
					lerr(ld, ld->path, line,
					     "triggers names '%s', which is not a pattern set of the rule",
					     lua_tostring(L, -1));
				lua_pop(L, 1);
			}
		} else {
			lerr(ld, ld->path, line,
			     "triggers clause %zu must be a set name or a list of set names", i);
		}
		lua_pop(L, 1);
		r->trig_all |= bit;
	}
	lua_pop(L, 1);
}

static void add_set(struct rule_ctx *rc, const char *name)
{
	struct loader *ld = rc->ld;
	struct ruleset *rs = ld->rs;
	lua_State *L = sandbox_state(ld->sb);
	size_t s = rs->nsets, lo, n, i;
	int views = 1 << PATSET_NORM, line;
	unsigned flags = PATSET_CASELESS;
	double weight = 1.0;
	long tok;
	const char *k;

	lo = ld->prev_anchor >= 0 ? (size_t)ld->prev_anchor + 1 : 0;
	tok = srcmap_find_key(&ld->map, name, lo, ld->map.n,
			      rc->anchor >= 0 ? (size_t)rc->anchor : lo);
	line = srcmap_line(&ld->map, tok, rc->line);
	if (!is_ident(name)) {
		lerr(ld, ld->path, line, "pattern set name '%s' is not an identifier", name);
		return;
	}
	if (lua_type(L, -1) != LUA_TTABLE) {
		lerr(ld, ld->path, line, "pattern set '%s' is not a table", name);
		return;
	}
	/* options are the string keys */
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		if (lua_type(L, -2) == LUA_TSTRING) {
			k = lua_tostring(L, -2);
			if (!strcmp(k, "view")) {
				if (lua_type(L, -1) != LUA_TSTRING ||
				    !(views = view_mask(lua_tostring(L, -1)))) {
					lerr(ld, ld->path, line,
					     "set '%s': view must be \"norm\", \"squeezed\" or \"both\"",
					     name);
					views = 1 << PATSET_NORM;
				}
			} else if (!strcmp(k, "weight")) {
				if (lua_type(L, -1) != LUA_TNUMBER || lua_tonumber(L, -1) < 0 ||
				    lua_tonumber(L, -1) > 1000) {
					lerr(ld, ld->path, line,
					     "set '%s': weight must be a number >= 0", name);
				} else {
					weight = lua_tonumber(L, -1);
				}
			} else if (!strcmp(k, "caseless")) {
				if (lua_type(L, -1) != LUA_TBOOLEAN)
					lerr(ld, ld->path, line, "set '%s': caseless must be a boolean",
					     name);
				else
					flags = lua_toboolean(L, -1) ? PATSET_CASELESS : 0;
			} else {
				lerr(ld, ld->path, line,
				     "set '%s': unknown option '%s' (view, weight, caseless)", name, k);
			}
		}
		lua_pop(L, 1);
	}
	n = lua_rawlen(L, -1);
	if (n == 0) {
		lerr(ld, ld->path, line, "pattern set '%s' has no patterns", name);
		return;
	}
	if (n > MAX_PATS_PER_SET) {
		lerr(ld, ld->path, line, "pattern set '%s' has more than %d patterns", name,
		     MAX_PATS_PER_SET);
		return;
	}
	if (grow((void **)&rs->sets, &ld->cap_sets, rs->nsets + 1, sizeof(*rs->sets))) {
		ld->nomem = 1;
		return;
	}
	rs->sets[s].name = strdup(name);
	rs->sets[s].rule = rc->rule;
	rs->sets[s].weight = weight;
	rs->sets[s].required = 0;
	rs->sets[s].trig = 0;
	rs->sets[s].first = rs->npats;
	rs->sets[s].n = 0;
	rs->nsets++;
	if (!rs->sets[s].name) {
		ld->nomem = 1;
		return;
	}
	for (i = 1; i <= n && !ld->nomem; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		add_pattern(rc, s, (int)i, views, flags, (int)tok, name);
		lua_pop(L, 1);
	}
	rs->sets[s].n = rs->npats - rs->sets[s].first;
}

struct set_name {
	char *name;
};

static int cmp_setname(const void *a, const void *b)
{
	return strcmp(((const struct set_name *)a)->name, ((const struct set_name *)b)->name);
}

/* Checks the rule table at stack top and appends it (list_index: 0 or its place in the list). */
static void add_rule(struct loader *ld, int list_index)
{
	struct ruleset *rs = ld->rs;
	lua_State *L = sandbox_state(ld->sb);
	struct rule_ctx rc = { ld, -1, 1, rs->nrules };
	struct rs_rule *r;
	struct set_name names[MAX_SETS_PER_RULE];
	const char *name = NULL, *cat = NULL, *k, *const *f;
	size_t nnames = 0, i, j, lo;
	lua_Debug ar;
	int t, known;

	lo = ld->prev_anchor >= 0 ? (size_t)ld->prev_anchor + 1 : 0;
	if (rawfield(L, -1, "classify") == LUA_TFUNCTION) {
		lua_getinfo(L, ">S", &ar);
		rc.line = ar.linedefined > 0 ? ar.linedefined : 1;
	} else {
		lua_pop(L, 1);
	}
	if (rawfield(L, -1, "name") == LUA_TSTRING) {
		name = lua_tostring(L, -1);
		rc.anchor = srcmap_find_string(&ld->map, name, strlen(name), lo, ld->map.n, lo);
		rc.line = srcmap_line(&ld->map, rc.anchor, rc.line);
	}
	lua_pop(L, 1);
	if (rc.anchor < 0 && ld->prev_anchor < 0 && list_index <= 1) {
		long ret = srcmap_find_key(&ld->map, "name", 0, ld->map.n, 0);

		rc.line = srcmap_line(&ld->map, ret, rc.line);
	}

	if (!name || !*name) {
		lerr(ld, ld->path, rc.line, "rule has no name (name = \"category.what\")");
		name = NULL;
	} else {
		for (i = 0; i < rs->nrules; i++)
			if (!strcmp(rs->rules[i].name, name)) {
				lerr(ld, ld->path, rc.line, "rule '%s' is defined twice (also in %s:%d)",
				     name, rs->files[rs->rules[i].file].path, rs->rules[i].line);
				break;
			}
	}

	/* unknown fields are typos more often than not */
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			lerr(ld, ld->path, rc.line, "rule fields must have string names");
			continue;
		}
		k = lua_tostring(L, -1);
		for (known = 0, f = rule_fields; *f; f++)
			if (!strcmp(*f, k))
				known = 1;
		if (!known)
			lerr(ld, ld->path, key_line(&rc, k), "unknown rule field '%s'", k);
	}

	if (grow((void **)&rs->rules, &ld->cap_rules, rs->nrules + 1, sizeof(*rs->rules))) {
		ld->nomem = 1;
		return;
	}
	r = &rs->rules[rs->nrules];
	memset(r, 0, sizeof(*r));
	r->file = ld->file;
	r->line = rc.line;
	r->list_index = list_index;
	r->threshold = 0.5;
	r->first_set = rs->nsets;
	r->name = strdup(name ? name : "");
	rs->nrules++;
	if (!r->name) {
		ld->nomem = 1;
		return;
	}

	t = rawfield(L, -1, "category");
	if (t == LUA_TSTRING)
		cat = lua_tostring(L, -1);
	if (!cat)
		lerr(ld, ld->path, key_line(&rc, "category"), "rule '%s' has no category", r->name);
	else if (!taxonomy_find(cat))
		lerr(ld, ld->path, key_line(&rc, "category"),
		     "unknown category '%s' (see TAXONOMY.md)", cat);
	r->category = strdup(cat ? cat : "");
	lua_pop(L, 1);
	if (!r->category) {
		ld->nomem = 1;
		return;
	}

	t = rawfield(L, -1, "threshold");
	if (t == LUA_TNUMBER && lua_tonumber(L, -1) > 0 && lua_tonumber(L, -1) <= 1)
		r->threshold = lua_tonumber(L, -1);
	else if (t != LUA_TNIL)
		lerr(ld, ld->path, key_line(&rc, "threshold"),
		     "threshold must be a number in (0, 1]");
	lua_pop(L, 1);

	t = rawfield(L, -1, "version");
	if (t != LUA_TNIL && !lua_isinteger(L, -1))
		lerr(ld, ld->path, key_line(&rc, "version"), "version must be an integer");
	else if (t != LUA_TNIL)
		r->version = (long long)lua_tointeger(L, -1);
	lua_pop(L, 1);
	t = rawfield(L, -1, "author");
	if (t != LUA_TNIL && t != LUA_TSTRING)
		lerr(ld, ld->path, key_line(&rc, "author"), "author must be a string");
	lua_pop(L, 1);
	t = rawfield(L, -1, "description");
	if (t != LUA_TNIL && t != LUA_TSTRING)
		lerr(ld, ld->path, key_line(&rc, "description"), "description must be a string");
	lua_pop(L, 1);
	t = rawfield(L, -1, "references");
	if (t != LUA_TNIL && t != LUA_TTABLE)
		lerr(ld, ld->path, key_line(&rc, "references"),
		     "references must be a list of strings");
	lua_pop(L, 1);

	if (rawfield(L, -1, "classify") != LUA_TFUNCTION)
		lerr(ld, ld->path, key_line(&rc, "classify"),
		     "rule '%s' has no classify function", r->name);
	lua_pop(L, 1);

	/* pattern sets, in name order so that ids do not depend on hashing */
	t = rawfield(L, -1, "patterns");
	if (t != LUA_TTABLE) {
		lerr(ld, ld->path, key_line(&rc, "patterns"), "rule '%s' has no patterns table",
		     r->name);
		lua_pop(L, 1);
		return;
	}
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			lerr(ld, ld->path, key_line(&rc, "patterns"),
			     "pattern sets must have string names");
			continue;
		}
		if (nnames == MAX_SETS_PER_RULE) {
			lerr(ld, ld->path, key_line(&rc, "patterns"),
			     "rule '%s' has more than %d pattern sets", r->name, MAX_SETS_PER_RULE);
			break;
		}
		names[nnames].name = strdup(lua_tostring(L, -1));
		if (!names[nnames].name) {
			ld->nomem = 1;
			break;
		}
		nnames++;
	}
	if (!ld->nomem && nnames == 0)
		lerr(ld, ld->path, key_line(&rc, "patterns"), "rule '%s' has no pattern sets",
		     r->name);
	if (nnames)
		qsort(names, nnames, sizeof(names[0]), cmp_setname);
	for (i = 0; i < nnames && !ld->nomem; i++) {
		rawfield(L, -1, names[i].name);
		add_set(&rc, names[i].name);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	/* rules and sets may have been reallocated */
	r = &rs->rules[rc.rule];
	r->nsets = rs->nsets - r->first_set;

	if (rawfield(L, -1, "requires") == LUA_TTABLE) {
		size_t n = lua_rawlen(L, -1);

		for (i = 1; i <= n; i++) {
			const char *want;
			int found = 0;

			lua_rawgeti(L, -1, (lua_Integer)i);
			want = lua_tostring(L, -1);
			for (j = 0; want && j < r->nsets; j++)
				if (!strcmp(rs->sets[r->first_set + j].name, want)) {
					rs->sets[r->first_set + j].required = 1;
					found = 1;
				}
			if (!found)
				lerr(ld, ld->path, key_line(&rc, "requires"),
				     "requires names '%s', which is not a pattern set of the rule",
				     want ? want : "?");
			lua_pop(L, 1);
		}
	} else if (lua_type(L, -1) != LUA_TNIL) {
		lerr(ld, ld->path, key_line(&rc, "requires"),
		     "requires must be a list of pattern set names");
	}
	lua_pop(L, 1);
	check_triggers(ld, &rc, r);
	for (i = 0; i < nnames; i++)
		free(names[i].name);
	if (rc.anchor >= 0)
		ld->prev_anchor = rc.anchor;
}

/* Protected: checks what the file returned (argument 1) and appends its rules. */
static int check_file_result(lua_State *L)
{
	struct loader *ld = lua_touserdata(L, 2);
	lua_Integer i, n;

	lua_settop(L, 1);
	if (lua_type(L, 1) != LUA_TTABLE) {
		long t = -1;
		size_t k;

		for (k = 0; k < ld->map.n; k++)
			if (ld->map.tok[k].kind == SRCMAP_NAME && !strcmp(ld->map.tok[k].val, "return"))
				t = (long)k;
		lerr(ld, ld->path, srcmap_line(&ld->map, t, 1),
		     "a rule file must return a rule table or a list of rule tables");
		return 0;
	}
	rawfield(L, 1, "name");
	rawfield(L, 1, "classify");
	if (!lua_isnil(L, -1) || !lua_isnil(L, -2)) {
		lua_settop(L, 1);
		add_rule(ld, 0);
		return 0;
	}
	lua_settop(L, 1);
	n = (lua_Integer)lua_rawlen(L, 1);
	if (n == 0) {
		lerr(ld, ld->path, 1, "a rule file must return a rule table or a list of rule tables");
		return 0;
	}
	for (i = 1; i <= n && !ld->nomem; i++) {
		lua_rawgeti(L, 1, i);
		if (lua_type(L, -1) != LUA_TTABLE)
			lerr(ld, ld->path, 1, "item %lld of the returned list is not a rule table",
			     (long long)i);
		else
			add_rule(ld, (int)i);
		lua_pop(L, 1);
	}
	return 0;
}

/* Forgets every rule, set and pattern from rule index r0 on. */
static void truncate_rules(struct ruleset *rs, size_t r0)
{
	size_t s0 = r0 < rs->nrules ? rs->rules[r0].first_set : rs->nsets;
	size_t p0 = s0 < rs->nsets ? rs->sets[s0].first : rs->npats;
	size_t i;

	for (i = r0; i < rs->nrules; i++) {
		free(rs->rules[i].name);
		free(rs->rules[i].category);
	}
	for (i = s0; i < rs->nsets; i++)
		free(rs->sets[i].name);
	for (i = p0; i < rs->npats; i++)
		free_pattern(&rs->pats[i]);
	rs->nrules = r0;
	rs->nsets = s0;
	rs->npats = p0;
}

static enum prc load_rule_file(struct loader *ld, const char *path)
{
	struct ruleset *rs = ld->rs;
	lua_State *L = sandbox_state(ld->sb);
	struct rs_file *nf, *f;
	size_t r0 = rs->nrules;
	struct err e;
	enum prc rc;

	nf = realloc(rs->files, (rs->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return PRC_NOMEM;
	rs->files = nf;
	f = &rs->files[rs->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return PRC_NOMEM;
	rs->nfiles++;
	ld->path = f->path;
	ld->file = rs->nfiles - 1;
	ld->key = rs->nfiles;
	ld->file_err = 0;
	ld->prev_anchor = -1;

	rc = read_file(path, &f->src, &f->len, &e);
	if (rc == PRC_NOMEM)
		return rc;
	if (rc != PRC_OK) {
		lerr(ld, path, -1, "%s", e.msg);
		return PRC_OK;
	}
	if (srcmap_init(&ld->map, f->src, f->len) != PRC_OK)
		return PRC_NOMEM;
	rc = ruleset_run_file(ld->sb, f, &e);
	if (rc != PRC_OK) {
		lerr_lua(ld, path, e.msg);
		goto out;
	}
	if (sandbox_cpcall(ld->sb, check_file_result, ld, 1, &e) != PRC_OK)
		lerr(ld, path, 1, "cannot check rules: %s", e.msg);
	lua_gc(L, LUA_GCCOLLECT);
out:
	srcmap_release(&ld->map);
	if (ld->nomem)
		return PRC_NOMEM;
	if (ld->file_err)
		truncate_rules(rs, r0);
	return PRC_OK;
}

static enum prc load_libs(struct loader *ld, const char *lib_dir)
{
	struct ruleset *rs = ld->rs;
	char **names = NULL;
	size_t n = 0, i;
	struct err e;
	enum prc rc;

	rc = list_lua(lib_dir, &names, &n, &e);
	if (rc != PRC_OK) {
		lerr(ld, lib_dir, -1, "%s", e.msg);
		return rc;
	}
	rs->libs = calloc(n ? n : 1, sizeof(*rs->libs));
	if (!rs->libs) {
		free_list(names, n);
		return PRC_NOMEM;
	}
	for (i = 0; i < n; i++) {
		struct rs_file *f = &rs->libs[rs->nlibs];

		f->path = names[i];
		names[i] = NULL;
		rs->nlibs++;
		rc = read_file(f->path, &f->src, &f->len, &e);
		if (rc != PRC_OK) {
			lerr(ld, f->path, -1, "%s", e.msg);
			free_list(names, n);
			return rc;
		}
	}
	free_list(names, n);
	return PRC_OK;
}

/* Drops the rules of file fi after they compiled alone but not together. */
static void drop_file(struct ruleset *rs, size_t fi)
{
	size_t *rulemap = calloc(rs->nrules + 1, sizeof(size_t));
	size_t *setmap = calloc(rs->nsets + 1, sizeof(size_t));
	size_t r, s, p, nr = 0, ns = 0, np = 0, c;

	if (!rulemap || !setmap) {
		/* cannot compact: drop every rule, the caller reports the error anyway */
		truncate_rules(rs, 0);
		goto out;
	}
	for (r = 0; r < rs->nrules; r++) {
		if (rs->rules[r].file == fi) {
			free(rs->rules[r].name);
			free(rs->rules[r].category);
			rulemap[r] = (size_t)-1;
			continue;
		}
		rulemap[r] = nr;
		rs->rules[nr++] = rs->rules[r];
	}
	for (s = 0; s < rs->nsets; s++) {
		if (rulemap[rs->sets[s].rule] == (size_t)-1) {
			free(rs->sets[s].name);
			setmap[s] = (size_t)-1;
			continue;
		}
		setmap[s] = ns;
		rs->sets[ns] = rs->sets[s];
		rs->sets[ns].rule = rulemap[rs->sets[s].rule];
		ns++;
	}
	for (p = 0; p < rs->npats; p++) {
		if (setmap[rs->pats[p].set] == (size_t)-1) {
			free_pattern(&rs->pats[p]);
			continue;
		}
		rs->pats[np] = rs->pats[p];
		rs->pats[np].set = setmap[rs->pats[p].set];
		np++;
	}
	rs->nrules = nr;
	rs->nsets = ns;
	rs->npats = np;
	/* order is kept, so each rule's sets and each set's patterns stay contiguous */
	for (s = 0, c = 0; s < ns; s++) {
		rs->sets[s].first = c;
		c += rs->sets[s].n;
	}
	for (r = 0, c = 0; r < nr; r++) {
		rs->rules[r].first_set = c;
		c += rs->rules[r].nsets;
	}
out:
	free(rulemap);
	free(setmap);
}

static void build_exprs(struct ruleset *rs, struct patset_expr *ex[PATSET_NVIEWS],
			size_t n[PATSET_NVIEWS])
{
	size_t i;
	int v;

	for (v = 0; v < PATSET_NVIEWS; v++)
		n[v] = 0;
	for (i = 0; i < rs->npats; i++)
		for (v = 0; v < PATSET_NVIEWS; v++)
			if (rs->pats[i].expr[v]) {
				ex[v][n[v]].expr = rs->pats[i].expr[v];
				/*
				 * A literal is case-folded as the views are (normalize_literal),
				 * so matching it exactly finds what a caseless match would; and
				 * caseless, Hyperscan reads k and s as classes (K, U+212A; S,
				 * U+017F), which takes them out of its literal matcher.
				 */
				ex[v][n[v]].flags = rs->pats[i].is_regex ? rs->pats[i].flags : 0;
				ex[v][n[v]].id = (unsigned)i;
				n[v]++;
			}
}

static void hash_u64(struct hash_sha256_ctx *h, uint64_t v)
{
	unsigned char b[8];

	bytes_put_u64(b, v);
	hash_sha256_update(h, b, sizeof(b));
}

static void hash_str(struct hash_sha256_ctx *h, const char *s, size_t n)
{
	hash_u64(h, n);
	hash_sha256_update(h, s, n);
}

static void hash_files(struct hash_sha256_ctx *h, const char *kind, const struct rs_file *f,
		       size_t n)
{
	const char *base;
	size_t i;

	hash_str(h, kind, strlen(kind));
	hash_u64(h, n);
	for (i = 0; i < n; i++) {
		/* the name without its directory: a copied rule tree keeps its cache */
		base = strrchr(f[i].path, '/');
		base = base ? base + 1 : f[i].path;
		hash_str(h, base, strlen(base));
		hash_str(h, f[i].src ? f[i].src : "", f[i].src ? f[i].len : 0);
	}
}

/* The cache key of the set as loaded so far (see DESIGN). -1 without memory. */
static int cache_key(const struct ruleset *rs, struct patset_expr *const ex[PATSET_NVIEWS],
		     const size_t n[PATSET_NVIEWS], unsigned char key[32])
{
	struct hash_sha256_ctx *h = hash_sha256_new();
	char id[512];
	size_t i;
	int v;

	if (!h)
		return -1;
	patset_build_id(id, sizeof(id));
	hash_str(h, "patrol rule cache 1", 19);
	hash_str(h, id, strlen(id));
	hash_files(h, "lib", rs->libs, rs->nlibs);
	hash_files(h, "rules", rs->files, rs->nfiles);
	for (v = 0; v < PATSET_NVIEWS; v++) {
		hash_u64(h, n[v]);
		for (i = 0; i < n[v]; i++) {
			hash_u64(h, ex[v][i].id);
			hash_u64(h, ex[v][i].flags);
			hash_str(h, ex[v][i].expr, strlen(ex[v][i].expr));
		}
	}
	hash_sha256_final(h, key);
	return 0;
}

/* Checks every expression with Hyperscan alone; refuses (drops) the files of bad ones. */
static void check_patterns(struct loader *ld)
{
	struct ruleset *rs = ld->rs;
	unsigned char *bad = calloc(rs->nfiles + 1, 1);
	size_t i, f;
	struct err e;
	int v;

	if (!bad) {
		ld->nomem = 1;
		return;
	}
	for (i = 0; i < rs->npats; i++) {
		const struct rs_pattern *p = &rs->pats[i];
		const struct rs_rule *r = &rs->rules[rs->sets[p->set].rule];

		for (v = 0; v < PATSET_NVIEWS; v++) {
			if (!p->expr[v] || patset_check(p->expr[v], p->flags, &e) == PRC_OK)
				continue;
			ld->key = r->file + 1;
			lerr(ld, rs->files[r->file].path, p->line, "pattern '%s': %s", p->source,
			     e.msg);
			bad[r->file] = 1;
			break;
		}
	}
	for (f = 0; f < rs->nfiles; f++)
		if (bad[f])
			drop_file(rs, f);
	free(bad);
}

static enum prc alloc_exprs(const struct ruleset *rs, struct patset_expr *ex[PATSET_NVIEWS])
{
	int v;

	for (v = 0; v < PATSET_NVIEWS; v++) {
		free(ex[v]);
		ex[v] = malloc((rs->npats + 1) * sizeof(*ex[v]));
		if (!ex[v])
			return PRC_NOMEM;
	}
	return PRC_OK;
}

/*
 * The databases of the set: from the cache when cache_dir has them, else
 * checked, compiled, and stored in the cache when every expression passed.
 */
static enum prc compile_all(struct loader *ld, const char *cache_dir)
{
	struct ruleset *rs = ld->rs;
	struct patset_expr *ex[PATSET_NVIEWS] = { NULL, NULL };
	size_t n[PATSET_NVIEWS], bad_index, nerr0 = ld->nerr;
	enum prc rc = PRC_OK;
	int v, bad_view, have_key = 0;
	struct err e;

	if (cache_dir) {
		rc = alloc_exprs(rs, ex);
		if (rc != PRC_OK)
			goto out;
		build_exprs(rs, ex, n);
		have_key = cache_key(rs, ex, n, rs->key) == 0;
		if (have_key) {
			rc = hscache_load(cache_dir, rs->key, &rs->ps, &e);
			if (rc == PRC_OK) {
				rs->from_cache = 1;
				goto out;
			}
			if (rc == PRC_NOMEM)
				goto out;
			if (rc != PRC_NOTFOUND)
				log_msg(LOG_WARN, "pattern cache entry ignored, compiling: %s", e.msg);
			rc = PRC_OK;
		}
	}
	check_patterns(ld);
	if (ld->nomem) {
		rc = PRC_NOMEM;
		goto out;
	}
	for (;;) {
		rc = alloc_exprs(rs, ex);
		if (rc != PRC_OK)
			goto out;
		build_exprs(rs, ex, n);
		rc = patset_compile((const struct patset_expr *const *)ex, n, &rs->ps, &bad_view,
				    &bad_index, &e);
		if (rc != PRC_PARSE)
			break;
		{
			const struct rs_pattern *p = &rs->pats[ex[bad_view][bad_index].id];
			const struct rs_rule *r = &rs->rules[rs->sets[p->set].rule];

			ld->key = r->file + 1;
			lerr(ld, rs->files[r->file].path, p->line, "pattern '%s': %s", p->source,
			     e.msg);
			drop_file(rs, r->file);
		}
	}
	if (rc != PRC_OK) {
		ld->key = SIZE_MAX;
		lerr(ld, "patterns", -1, "%s", e.msg);
		goto out;
	}
	/* store only what compiled as keyed: nothing was dropped since the key was taken */
	if (have_key && ld->nerr == nerr0 && hscache_store(cache_dir, rs->key, rs->ps, &e) != PRC_OK)
		log_msg(LOG_WARN, "cannot store the pattern cache: %s", e.msg);
out:
	for (v = 0; v < PATSET_NVIEWS; v++)
		free(ex[v]);
	return rc;
}

static int dir_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Loads the trained model beside the rules (path NULL: <rules_dir>/../model/
 * patrol.model when it exists; "": none). A model that cannot be read is an
 * error of the set, so a reload keeps the running rules and their model.
 */
static enum prc load_model(struct loader *ld, const char *rules_dir, const char *path)
{
	char *deflt = NULL;
	struct err e;
	enum prc rc;

	if (path && !*path)
		return PRC_OK;
	if (!path) {
		if (asprintf(&deflt, "%s/../model/patrol.model", rules_dir) < 0)
			return PRC_NOMEM;
		path = deflt;
	}
	rc = model_load(path, &ld->rs->model, &e);
	if (rc == PRC_NOTFOUND && deflt)
		rc = PRC_OK;
	else if (rc == PRC_NOMEM)
		;
	else if (rc != PRC_OK) {
		/* "path: is truncated ...", not "path: 'path' is truncated ..." */
		const char *msg = e.msg;
		size_t n = strlen(path);

		if (msg[0] == '\'' && !strncmp(msg + 1, path, n) && msg[n + 1] == '\'' &&
		    msg[n + 2] == ' ')
			msg += n + 3;
		lerr(ld, path, -1, "model %s", msg);
		rc = PRC_PARSE;
	}
	free(deflt);
	return rc;
}

enum prc ruleset_load(const char *rules_dir, const struct ruleset_opts *o, struct ruleset **out,
		      struct buf *errors)
{
	static const struct ruleset_opts none;
	const char *lib_dir;
	struct loader ld;
	char **names = NULL, *deflib = NULL;
	size_t n = 0, i;
	struct err e;
	enum prc rc, mrc;

	if (!o)
		o = &none;
	lib_dir = o->lib_dir;
	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.errors = errors;
	ld.rs = calloc(1, sizeof(*ld.rs));
	if (!ld.rs)
		return PRC_NOMEM;
	atomic_init(&ld.rs->refs, 1);

	rc = list_lua(rules_dir, &names, &n, &e);
	if (rc != PRC_OK) {
		lerr(&ld, rules_dir, -1, "%s", e.msg);
		goto out;
	}
	if (!lib_dir) {
		if (asprintf(&deflib, "%s/../lib", rules_dir) < 0) {
			rc = PRC_NOMEM;
			goto out;
		}
		if (dir_exists(deflib))
			lib_dir = deflib;
	}
	if (lib_dir) {
		rc = load_libs(&ld, lib_dir);
		if (rc != PRC_OK)
			goto out;
	}
	ld.sb = ruleset_sandbox(ld.rs->libs, ld.rs->nlibs, &e);
	if (!ld.sb) {
		lerr_lua(&ld, lib_dir ? lib_dir : rules_dir, e.msg);
		rc = PRC_PARSE;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rc = load_rule_file(&ld, names[i]);
		if (rc != PRC_OK)
			goto out;
	}
	/* a set that is refused anyway is still compiled, for its Hyperscan errors, but not cached */
	rc = compile_all(&ld, ld.nerr && !(o->flags & RULESET_KEEP_GOOD) ? NULL : o->cache_dir);
	if (rc == PRC_OK && ld.nomem)
		rc = PRC_NOMEM;
	if (rc != PRC_OK)
		goto out;
	if (ld.nerr) {
		rc = PRC_PARSE;
		if (!(o->flags & RULESET_KEEP_GOOD))
			goto out;
	}
	mrc = load_model(&ld, rules_dir, o->model);
	if (mrc != PRC_OK) {
		if (mrc == PRC_NOMEM || !(o->flags & RULESET_KEEP_GOOD)) {
			rc = mrc;
			goto out;
		}
		rc = PRC_PARSE; /* the rules go on without a model */
	}
	*out = ld.rs;
	ld.rs = NULL;
out:
	flush_lines(&ld);
	if (rc == PRC_NOMEM)
		buf_addstr(errors, "patrol: out of memory loading rules\n");
	sandbox_free(ld.sb);
	ruleset_destroy(ld.rs);
	free_list(names, n);
	free(deflib);
	return rc;
}

const struct model *ruleset_model(const struct ruleset *rs)
{
	return rs ? rs->model : NULL;
}

int ruleset_from_cache(const struct ruleset *rs)
{
	return rs && rs->from_cache;
}
