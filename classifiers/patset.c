/*
 * patset.c - compiles the patterns of every rule into Hyperscan databases
 * and scans page views with them, so that one pass over a page finds every
 * pattern of every rule at once (Rspamd's multipattern, without the
 * fallback engines).
 *
 * DESIGN
 *
 * A rule set has one block-mode database per view (norm, squeezed); each
 * pattern is compiled into the database of each view it asks for, with its
 * expression normalized for that view. Ids are indexes into the rule set's
 * pattern table, so a match leads back to (rule, set, pattern) in O(1).
 * Literals become escaped regular expressions so that literals and regexes
 * share one database.
 *
 * Where a match starts. Evidence needs the start of a match, not only its
 * end, but Hyperscan's start-of-match tracking (HS_FLAG_SOM_LEFTMOST) costs:
 * it halves the scan rate, and ordinary bounded gaps such as
 * "(振込先|お振込先).{0,60}(普通|当座).{0,20}[0-9]{7}" are refused with
 * "Pattern is too large". So an expression is compiled with it only when
 * nothing cheaper can do (below), and otherwise the start Hyperscan would
 * have reported (the leftmost start of a match ending
 * there) is found after the fact, per expression, in the cheapest exact way:
 *   - fixed width in bytes (hs_expression_info's min_width == max_width):
 *     the end minus the width;
 *   - a literal (letters, digits, \xHH, UTF-8: what patset_escape_literal
 *     writes) whose width varies only through caseless Unicode folding
 *     (k matches U+212A): as many characters back as it has, since a
 *     character only ever folds to one character;
 *   - a match that may be longer than RECOVER_WINDOW (an unbounded
 *     repeat: \d[\d,]{3,}円): Hyperscan's own SOM after all, since proving
 *     that no earlier start exists would mean searching far back for every
 *     end of every digit run; when Hyperscan refuses its SOM, the search
 *     below, within RECOVER_WINDOW (a start at most that far back). Such an
 *     expression is not compiled with SOM into the view's database: a few
 *     dozen of them made the whole database three times slower, since SOM
 *     engines run over every byte. The view's database has it without SOM
 *     and reports its ends like any other; the expression also has a
 *     database of its own with SOM (one per distinct expression and flags,
 *     a "SOM group"), which a scan runs over the view only when the view's
 *     database first reports one of the group's ends, from inside that
 *     callback with a second scratch. Its (end, start) pairs come in end
 *     order, as do the main scan's ends, so each end finds its start by a
 *     forward cursor. Matches are still reported in the order Hyperscan
 *     finds their ends;
 *   - anything else: PCRE2 (JIT where it can) runs "(?:expr)(?C1)" from the
 *     earliest byte a match could start (the end minus max_width, at most
 *     RECOVER_WINDOW back) over the whole view, and the callout refuses any
 *     match that does not end where Hyperscan's did, so backtracking goes on
 *     until one does. PCRE2 tries starts from left to right: the first match
 *     it returns starts leftmost, exactly what SOM_LEFTMOST reports. Text
 *     after the end stays visible to $. Auto-possessification and the .*
 *     anchoring optimization are off, since both assume a match may end
 *     anywhere. A script name is given to PCRE2 as \p{sc:Name}: the Script
 *     property, which Hyperscan uses (PCRE2 reads \p{Hiragana} as
 *     Script_Extensions, where ー is Hiragana too).
 * tests/unit/t-patset.c compares these starts with Hyperscan's own SOM on
 * every expression that compiles with it. The searches of one scan cover at
 * most RECOVER_BUDGET bytes of windows together, so a page made of matches
 * costs a bounded multiple of its length; past that, or when PCRE2 gives up
 * (its match limit), the start is the end minus min_width, and the scratch
 * counts it.
 *
 * hs_compile_multi() names only the first expression it refuses, so the
 * loader first checks each expression alone with hs_expression_info() (cheap,
 * catches syntax), then calls patset_compile() in a loop, dropping the rule
 * file of whatever expression the whole compile still refuses. Databases are
 * immutable after compile and shared by all workers; each worker allocates
 * its own scratch, sized for every database of the set.
 *
 * Hyperscan's compile time and memory are not bounded by anything in its
 * API, and some short expressions cost minutes and gigabytes
 * ("\\p{Han}{1,2000}" takes over a minute to be refused). So the compile
 * runs in a child process with RLIMIT_CPU at the time bound and RLIMIT_DATA
 * at what the child holds plus the memory bound: what an expression costs
 * is CPU time, and a wall clock would refuse the shipped rules on a machine
 * busy with other work (several crawls compiling at once, a test suite).
 * The parent still kills the child (SIGKILL) at WALL_FACTOR times the bound
 * of wall time, for a child that cannot get the CPU at all, and when the
 * process is stopping. The child sends the serialized databases back, or
 * Hyperscan's refusal. When the child runs out of time or memory, a second
 * child compiles the expressions one by one, telling the parent which one
 * it starts, so that the one that does not finish is named like any
 * refused pattern (and its rule file dropped by the loader). Bounds of 0
 * compile in this process, as before.
 *
 * The child is a fresh process. The process compiling may have other
 * threads (a crawl reloading its rules on SIGHUP), and a bare fork copies
 * every lock one of them held at that moment, held for good: the child's
 * first malloc under ASan (whose allocator has no fork handlers) or any
 * library call then waits forever. So once patrol has opened its executable
 * (patset_set_child_exe("/proc/self/exe"): the descriptor is the running
 * binary even after an upgrade replaced the file), the child only makes
 * async-signal-safe calls between fork and fexecve: PR_SET_PDEATHSIG (kept
 * across exec, so the child never outlives the thread waiting for it) and a
 * check that the parent is still there, default dispositions and an empty
 * mask for the signals that end it, RLIMIT_CPU (CPU time carries over exec),
 * the socket on stdin and stdout, no other descriptors; then it runs
 * "patrol __patset-child compile|probe" (patset_child_main). That reads the
 * request (patset.h: "PSRQ", the memory bound, every expression with its
 * flags and id, length-prefixed, refused whole unless all of it adds up),
 * sets RLIMIT_DATA to what it holds then plus the bound (its own size after
 * exec, not the parent's), and runs the same code and answers the same
 * messages as a forked child would. The parent writes the request while it
 * reads the answer, polling both ways of the one socket and sending only
 * what fits (MSG_DONTWAIT; MSG_NOSIGNAL: a child that died early costs no
 * SIGPIPE), so neither side can wait on the other. When the exec fails
 * the compile falls back to the bare fork, which is also all there is when
 * no executable was opened (no /proc; unit tests with no other thread): the child then
 * calls fn directly, with RLIMIT_DATA at what the parent holds plus the
 * bound.
 *
 * Compiling is the slow part of loading rules (seconds for thousands of
 * patterns), so the databases can be serialized for the on-disk cache
 * (classifiers/hscache.c). A serialized set is "PSET", a format number,
 * then per view a presence byte, a little-endian 64-bit length before
 * Hyperscan's own bytes, the SOM groups' databases (a count, then a length
 * and Hyperscan's bytes each), and the expression table (caller's id, how
 * its start is found, widths (a START_SOM expression's group in place of
 * its width), flags, and the expression when PCRE2 finds its start; the
 * PCRE2 code is compiled again when the set is loaded).
 */
#include "classifiers/patset.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hs/hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "classifiers/sandbox.h"
#include "util/buf.h"
#include "util/bytes.h"
#include "util/fdio.h"

/* How the start of an expression's match is found (see DESIGN). */
enum { START_FIXED = 0, START_CHARS = 1, START_SEARCH = 2, START_SOM = 3 };

#define RECOVER_WINDOW 4096          /* bytes searched back from the end, at most */
#define RECOVER_MATCH_LIMIT 1000000u /* PCRE2's match limit for one search */
/* bytes of windows one scan may search: 16 times the text, and a megabyte */
#define RECOVER_BUDGET(len) ((len) * 16 + ((size_t)1 << 20))
#define UNBOUNDED UINT32_MAX

/* One expression of a view's database; Hyperscan reports its index. */
struct pexpr {
	uint32_t id;           /* the caller's id */
	uint32_t how;          /* START_* */
	uint32_t width;        /* START_FIXED: bytes; START_CHARS: characters; START_SOM: its group */
	uint32_t min_w, max_w; /* bytes any match takes; max_w UNBOUNDED */
	uint32_t flags;        /* PATSET_CASELESS */
	char *expr;            /* START_SEARCH: the expression (START_SOM too, before the build) */
	pcre2_code *re;        /* START_SEARCH: "(?:expr)(?C1)" */
};

struct patset {
	hs_database_t *db[PATSET_NVIEWS];
	struct pexpr *ex[PATSET_NVIEWS];
	size_t n[PATSET_NVIEWS];
	hs_database_t **som[PATSET_NVIEWS]; /* per SOM group: its expression alone, with SOM */
	size_t nsom[PATSET_NVIEWS];
};

/* One SOM group's matches in the view being scanned, found when first needed. */
struct som_match {
	uint32_t end, start;
};

struct som_run {
	struct som_match *m;   /* in end order, one per end */
	size_t n, cap;
	unsigned long scan;    /* the scan they belong to (patset_scratch.scans) */
	int failed;            /* no memory for them: starts fall back to the shortest */
};

struct patset_scratch {
	hs_scratch_t *s;
	hs_scratch_t *s2;       /* for the SOM groups' scans, inside the main scan's callback */
	struct som_run *som;    /* per SOM group of the view being scanned */
	size_t nsom;            /* the most groups of any view */
	unsigned long scans;    /* patset_scan calls so far */
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
	size_t target;  /* the end the search looks for */
	size_t budget;  /* bytes of windows this scan may still search */
	size_t misses;  /* starts not searched or not found */
};

#define BASE_FLAGS (HS_FLAG_UTF8 | HS_FLAG_UCP)

static unsigned hs_flags(unsigned f)
{
	return BASE_FLAGS | ((f & PATSET_CASELESS) ? HS_FLAG_CASELESS : 0);
}

char *patset_escape_literal(const char *s)
{
	size_t n = strlen(s), i, j = 0;
	char *out = malloc(n * 4 + 1);
	unsigned char c;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z')) {
			out[j++] = (char)c;
		} else {
			/* \xHH also covers white space and NUL-free control bytes */
			static const char hex[] = "0123456789abcdef";

			out[j++] = '\\';
			out[j++] = 'x';
			out[j++] = hex[c >> 4];
			out[j++] = hex[c & 15];
		}
	}
	out[j] = 0;
	return out;
}

/*
 * The number of characters expr matches when it is a plain literal (ASCII
 * letters and digits, \xHH below 0x80, UTF-8 characters), else 0.
 */
static uint32_t literal_chars(const char *expr)
{
	const unsigned char *p = (const unsigned char *)expr;
	uint32_t n = 0;

	while (*p) {
		if (*p >= 0x80) {
			if ((*p & 0xC0) != 0x80)
				n++;
			p++;
		} else if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
			   (*p >= 'A' && *p <= 'Z')) {
			n++;
			p++;
		} else if (p[0] == '\\' && p[1] == 'x' && p[2] >= '0' && p[2] <= '7' &&
			   isxdigit(p[3])) {
			n++;
			p += 4;
		} else {
			return 0;
		}
	}
	return n;
}

/*
 * Fills x's start method and widths from Hyperscan's analysis of expr.
 * PRC_PARSE with Hyperscan's reason when it refuses expr.
 */
static enum prc describe(const char *expr, unsigned flags, struct pexpr *x, struct err *e)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *ce = NULL;
	enum prc rc = PRC_OK;

	memset(x, 0, sizeof(*x));
	if (hs_expression_info(expr, hs_flags(flags), &info, &ce) != HS_SUCCESS) {
		rc = err_set(e, PRC_PARSE, "%s", ce && ce->message ? ce->message : "refused");
		hs_free_compile_error(ce);
		return rc;
	}
	x->flags = flags & PATSET_CASELESS;
	x->min_w = info->min_width;
	x->max_w = info->max_width == UINT_MAX ? UNBOUNDED : info->max_width;
	if (info->min_width == 0)
		rc = err_set(e, PRC_PARSE, "matches the empty string");
	else if (x->max_w == x->min_w)
		x->how = START_FIXED, x->width = x->min_w;
	else if ((x->width = literal_chars(expr)) > 0)
		x->how = START_CHARS;
	else if (x->max_w > RECOVER_WINDOW)
		x->how = START_SOM, x->width = 0;
	else
		x->how = START_SEARCH, x->width = 0;
	free(info);
	return rc;
}

/* Whether PCRE2 knows name as a script (it accepts \p{sc:name}). */
static int is_script(const char *name, size_t len)
{
	char pat[80];
	pcre2_code *re;
	size_t eo;
	int code;

	if (len == 0 || len > 60 || name[0] == '^')
		return 0;
	snprintf(pat, sizeof(pat), "\\p{sc:%.*s}", (int)len, name);
	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &code,
			   &eo, NULL);
	pcre2_code_free(re);
	return re != NULL;
}

/*
 * Writes expr to out (room for 4 * strlen(expr) + 1) with each \p{Script}
 * and \P{Script} spelled \p{sc:Script}: Hyperscan reads a script name as
 * the Script property, PCRE2 (10.40 on) as Script_Extensions, under which ー
 * is Hiragana and Katakana too. Escapes and \Q..\E are copied as they are.
 */
static void spell_scripts(const char *expr, char *out)
{
	const char *p = expr, *end;
	char *o = out;
	int quoted = 0;

	while (*p) {
		if (quoted) {
			if (p[0] == '\\' && p[1] == 'E') {
				quoted = 0;
				*o++ = *p++;
			}
			*o++ = *p++;
			continue;
		}
		if (p[0] != '\\' || !p[1]) {
			*o++ = *p++;
			continue;
		}
		if (p[1] == 'Q') {
			quoted = 1;
		} else if ((p[1] == 'p' || p[1] == 'P') && p[2] == '{' && (end = strchr(p + 3, '}')) &&
			   is_script(p + 3, (size_t)(end - p - 3))) {
			memcpy(o, p, 3);
			o += 3;
			memcpy(o, "sc:", 3);
			o += 3;
			memcpy(o, p + 3, (size_t)(end - p - 3) + 1);
			o += end - p - 3 + 1;
			p = end + 1;
			continue;
		}
		*o++ = *p++;
		*o++ = *p++;
	}
	*o = 0;
}

/*
 * Compiles the PCRE2 program that finds where expr's matches start:
 * "(?:expr)(?C1)", with any leading (*VERB) items kept in front. NULL with
 * PCRE2's reason in e (PRC_PARSE) or PRC_NOMEM.
 */
static enum prc search_compile(const char *expr, unsigned flags, pcre2_code **out,
			       struct err *e)
{
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	size_t n = strlen(expr), lead = 0, off = 0;
	pcre2_code *re = NULL;
	enum prc rc = PRC_OK;
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_NO_AUTO_POSSESS | PCRE2_NO_DOTSTAR_ANCHOR;
	char *pat = malloc(4 * n + 16), *sp = malloc(4 * n + 1);
	const char *c;
	int code;

	*out = NULL;
	if (!cc || !pat || !sp) {
		rc = err_set(e, PRC_NOMEM, "out of memory compiling patterns");
		goto out;
	}
	spell_scripts(expr, sp);
	expr = sp;
	n = strlen(sp);
	while (expr[lead] == '(' && expr[lead + 1] == '*' && (c = strchr(expr + lead, ')')))
		lead = (size_t)(c - expr) + 1;
	memcpy(pat, expr, lead);
	off = lead;
	memcpy(pat + off, "(?:", 3);
	off += 3;
	memcpy(pat + off, expr + lead, n - lead);
	off += n - lead;
	memcpy(pat + off, ")(?C1)", 6);
	off += 6;
	if (flags & PATSET_CASELESS)
		opts |= PCRE2_CASELESS;
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	re = pcre2_compile((PCRE2_SPTR)pat, off, opts, &code, &n, cc);
	if (!re) {
		PCRE2_UCHAR why[256];

		if (code == PCRE2_ERROR_NOMEMORY) {
			rc = err_set(e, PRC_NOMEM, "out of memory compiling patterns");
		} else {
			pcre2_get_error_message(code, why, sizeof(why));
			rc = err_set(e, PRC_PARSE, "cannot find where its matches start: %s",
				     (char *)why);
		}
		goto out;
	}
	/* without JIT (no executable memory) the interpreter does the same */
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	*out = re;
out:
	pcre2_compile_context_free(cc);
	free(pat);
	free(sp);
	return rc;
}

enum prc patset_check(const char *expr, unsigned flags, struct err *e)
{
	struct pexpr x;
	pcre2_code *re;
	enum prc rc;

	rc = describe(expr, flags, &x, e);
	/* a START_SOM expression falls back to the search when Hyperscan refuses its SOM */
	if (rc != PRC_OK || (x.how != START_SEARCH && x.how != START_SOM))
		return rc;
	rc = search_compile(expr, flags, &re, e);
	pcre2_code_free(re);
	return rc;
}

/* Frees the expression tables of ps (databases stay). */
static void free_tables(struct patset *ps)
{
	size_t i;
	int v;

	for (v = 0; v < PATSET_NVIEWS; v++) {
		for (i = 0; ps->ex[v] && i < ps->n[v]; i++) {
			free(ps->ex[v][i].expr);
			pcre2_code_free(ps->ex[v][i].re);
		}
		free(ps->ex[v]);
		ps->ex[v] = NULL;
		ps->n[v] = 0;
	}
}

/*
 * Compiles the PCRE2 programs of ps's START_SEARCH expressions. PRC_PARSE
 * with *bad_view and *bad_index set when PCRE2 refuses one.
 */
static enum prc prepare_search(struct patset *ps, int *bad_view, size_t *bad_index,
			       struct err *e)
{
	enum prc rc;
	size_t i;
	int v;

	for (v = 0; v < PATSET_NVIEWS; v++) {
		for (i = 0; i < ps->n[v]; i++) {
			struct pexpr *x = &ps->ex[v][i];

			if (x->how != START_SEARCH || x->re)
				continue;
			rc = search_compile(x->expr, x->flags, &x->re, e);
			if (rc != PRC_OK) {
				*bad_view = v;
				*bad_index = i;
				return rc;
			}
		}
	}
	return PRC_OK;
}

/*
 * The platform compiles are for: NULL, this machine; in an exec'd compile
 * child, the one its parent scans on (patset_child_main sets it before it
 * compiles, in a process of one thread).
 */
static const hs_platform_info_t *target;

/*
 * Where Hyperscan's databases live. A database of a large rule set is
 * megabytes that Hyperscan zeroes and fills at once when it compiles or
 * deserializes one; from malloc, those are fresh pages, each faulted in on
 * first touch (thousands of faults, a good part of what `patrol scan` or a
 * crawl pays to start). A large database is mapped populated instead: its
 * pages come in one system call. Small ones come from malloc. The header
 * before each block says which, and how long.
 */
#define DB_MAP_MIN ((size_t)256 << 10)

struct db_block {
	size_t size;   /* the mapping's length, or 0 from malloc */
	size_t pad;    /* keeps the database 16-byte aligned */
};

static void *db_alloc(size_t n)
{
	struct db_block *b;
	size_t len;

	if (n > SIZE_MAX - sizeof(*b) - 4096)
		return NULL;
	if (n < DB_MAP_MIN) {
		b = malloc(sizeof(*b) + n);
		if (!b)
			return NULL;
		b->size = 0;
		return b + 1;
	}
	len = sizeof(*b) + n;
	b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		 -1, 0);
	if (b == MAP_FAILED)
		return NULL;
	b->size = len;
	return b + 1;
}

static void db_free(void *p)
{
	struct db_block *b;

	if (!p)
		return;
	b = (struct db_block *)p - 1;
	if (b->size)
		munmap(b, b->size);
	else
		free(b);
}

static pthread_once_t db_memory_once = PTHREAD_ONCE_INIT;

static void db_memory_init(void)
{
	hs_set_database_allocator(db_alloc, db_free);
}

/*
 * Before Hyperscan makes or frees any database: called where databases are
 * made (compile_here, child_probe, deserialize), which every free follows.
 */
static void db_memory(void)
{
	pthread_once(&db_memory_once, db_memory_init);
}

/*
 * Gives every START_SOM expression of view v its SOM group: a database of
 * the expression alone with SOM, shared by the expressions of the view with
 * the same text and flags. One whose SOM Hyperscan refuses is searched for
 * instead (START_SEARCH, within RECOVER_WINDOW).
 */
static enum prc som_groups(struct patset *ps, int v, struct err *e)
{
	struct pexpr *x = ps->ex[v];
	size_t i, j;

	for (i = 0; i < ps->n[v]; i++) {
		hs_compile_error_t *ce = NULL;
		hs_database_t *db = NULL, **grown;

		if (x[i].how != START_SOM)
			continue;
		for (j = 0; j < i; j++)
			if (x[j].how == START_SOM && x[j].flags == x[i].flags &&
			    !strcmp(x[j].expr, x[i].expr))
				break;
		if (j < i) {
			x[i].width = x[j].width;
			continue;
		}
		if (hs_compile(x[i].expr, hs_flags(x[i].flags) | HS_FLAG_SOM_LEFTMOST, HS_MODE_BLOCK,
			       target, &db, &ce) != HS_SUCCESS) {
			hs_free_compile_error(ce);
			x[i].how = START_SEARCH; /* keeps its expression for the search */
			continue;
		}
		grown = realloc(ps->som[v], (ps->nsom[v] + 1) * sizeof(*grown));
		if (!grown) {
			hs_free_database(db);
			return err_set(e, PRC_NOMEM, "out of memory compiling patterns");
		}
		ps->som[v] = grown;
		grown[ps->nsom[v]] = db;
		x[i].width = (uint32_t)ps->nsom[v]++;
	}
	return PRC_OK;
}

/* hs_compile_multi in this process, view by view; no PCRE2 programs yet. */
static enum prc compile_here(const struct patset_expr *const ex[PATSET_NVIEWS],
			     const size_t n[PATSET_NVIEWS], struct patset **out, int *bad_view,
			     size_t *bad_index, struct err *e)
{
	struct patset *ps = calloc(1, sizeof(*ps));
	const char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	hs_compile_error_t *ce = NULL;
	enum prc rc = PRC_OK;
	size_t i;
	int v;

	*out = NULL;
	if (!ps)
		return err_set(e, PRC_NOMEM, "out of memory compiling patterns");
	db_memory();
	for (v = 0; v < PATSET_NVIEWS; v++) {
		if (!n[v])
			continue;
		exprs = malloc(n[v] * sizeof(*exprs));
		flags = malloc(n[v] * sizeof(*flags));
		ids = malloc(n[v] * sizeof(*ids));
		ps->ex[v] = calloc(n[v], sizeof(*ps->ex[v]));
		if (!exprs || !flags || !ids || !ps->ex[v]) {
			rc = err_set(e, PRC_NOMEM, "out of memory compiling patterns");
			goto out;
		}
		ps->n[v] = n[v];
		for (i = 0; i < n[v]; i++) {
			struct pexpr *x = &ps->ex[v][i];

			rc = describe(ex[v][i].expr, ex[v][i].flags, x, e);
			if (rc != PRC_OK) {
				*bad_view = v;
				*bad_index = i;
				goto out;
			}
			x->id = ex[v][i].id;
			if ((x->how == START_SEARCH || x->how == START_SOM) &&
			    !(x->expr = strdup(ex[v][i].expr))) {
				rc = err_set(e, PRC_NOMEM, "out of memory compiling patterns");
				goto out;
			}
			exprs[i] = ex[v][i].expr;
			flags[i] = hs_flags(ex[v][i].flags); /* SOM only in the groups */
			ids[i] = (unsigned)i; /* the table maps it to the caller's id */
		}
		rc = som_groups(ps, v, e);
		if (rc != PRC_OK) {
			*bad_view = v;
			*bad_index = (size_t)-1;
			goto out;
		}
		if (hs_compile_multi(exprs, flags, ids, (unsigned)n[v], HS_MODE_BLOCK, target,
				     &ps->db[v], &ce) != HS_SUCCESS) {
			ps->db[v] = NULL;
			*bad_view = v;
			/* a negative index means the database as a whole failed */
			if (ce && ce->expression >= 0) {
				*bad_index = (size_t)ce->expression;
				rc = err_set(e, PRC_PARSE, "%s", ce->message);
			} else {
				*bad_index = (size_t)-1;
				rc = err_set(e, PRC_INTERNAL, "cannot compile patterns: %s",
					     ce && ce->message ? ce->message : "unknown error");
			}
			hs_free_compile_error(ce);
			goto out;
		}
		for (i = 0; i < n[v]; i++) {
			if (ps->ex[v][i].how == START_SOM) {
				free(ps->ex[v][i].expr);
				ps->ex[v][i].expr = NULL;
			}
		}
		free(exprs);
		free(flags);
		free(ids);
		exprs = NULL;
		flags = NULL;
		ids = NULL;
	}
	*out = ps;
	ps = NULL;
out:
	free(exprs);
	free(flags);
	free(ids);
	patset_free(ps);
	return rc;
}

static atomic_long compile_ms = PATSET_COMPILE_MS;
static atomic_llong compile_mem = (long long)PATSET_COMPILE_MEM;

void patset_set_compile_limits(long ms, size_t mem_bytes)
{
	atomic_store(&compile_ms, ms);
	atomic_store(&compile_mem, (long long)mem_bytes);
}

/* The wall-clock backstop, as a multiple of the CPU-time bound. */
#define WALL_FACTOR 4

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* What the process's data segment holds now (VmData), the base of the memory bound. */
static unsigned long long vm_data_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long kb = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmData: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* In the child: RLIMIT_DATA at base plus mem (never above the hard limit it has). */
static void bound_data(unsigned long long base, unsigned long long mem)
{
	struct rlimit rl, now;

	if (!mem)
		return;
	rl.rlim_cur = rl.rlim_max = (rlim_t)(base + mem);
	if (getrlimit(RLIMIT_DATA, &now) == 0 && now.rlim_max != RLIM_INFINITY &&
	    now.rlim_max < rl.rlim_max)
		rl.rlim_cur = rl.rlim_max = now.rlim_max;
	setrlimit(RLIMIT_DATA, &rl);
}

/* Child messages: a tag byte, then the fields below in host order. */
enum { MSG_DB = 'D', MSG_REFUSED = 'R', MSG_FAILED = 'F', MSG_START = 'S', MSG_DONE = 'E' };

struct msg_refused {
	int32_t view, rc;
	int64_t index;
	uint32_t len;
};

/* In the child: compile everything and send the result. */
static void child_compile(int fd, const struct patset_expr *const ex[PATSET_NVIEWS],
			  const size_t n[PATSET_NVIEWS])
{
	struct patset *ps = NULL;
	struct msg_refused m;
	struct err e = { "" };
	char *blob = NULL, tag;
	size_t len = 0, bi = 0;
	uint64_t l64;
	int bv = 0;
	enum prc rc;

	rc = compile_here(ex, n, &ps, &bv, &bi, &e);
	if (rc == PRC_OK)
		rc = patset_serialize(ps, &blob, &len, &e);
	if (rc == PRC_OK) {
		tag = MSG_DB;
		l64 = len;
		if (fd_write_all(fd, &tag, 1) || fd_write_all(fd, &l64, sizeof(l64)) ||
		    fd_write_all(fd, blob, len))
			_exit(1);
		_exit(0);
	}
	tag = rc == PRC_PARSE ? MSG_REFUSED : MSG_FAILED;
	m.view = bv;
	m.rc = (int32_t)rc;
	m.index = rc == PRC_PARSE ? (int64_t)bi : -1;
	m.len = (uint32_t)strlen(e.msg);
	if (fd_write_all(fd, &tag, 1) || fd_write_all(fd, &m, sizeof(m)) || fd_write_all(fd, e.msg, m.len))
		_exit(1);
	_exit(0);
}

/* In the child: compile each expression alone, saying which before it starts. */
static void child_probe(int fd, const struct patset_expr *const ex[PATSET_NVIEWS],
			const size_t n[PATSET_NVIEWS])
{
	hs_compile_error_t *ce = NULL;
	hs_database_t *db = NULL;
	char tag = MSG_START;
	struct pexpr x;
	unsigned fl;
	int32_t at[2];
	size_t i;
	int v;

	db_memory();
	for (v = 0; v < PATSET_NVIEWS; v++) {
		for (i = 0; i < n[v]; i++) {
			at[0] = v;
			at[1] = (int32_t)i;
			if (fd_write_all(fd, &tag, 1) || fd_write_all(fd, at, sizeof(at)))
				_exit(1);
			fl = hs_flags(ex[v][i].flags);
			if (describe(ex[v][i].expr, ex[v][i].flags, &x, NULL) == PRC_OK &&
			    x.how == START_SOM)
				fl |= HS_FLAG_SOM_LEFTMOST;
			if (hs_compile(ex[v][i].expr, fl, HS_MODE_BLOCK, target, &db, &ce) != HS_SUCCESS &&
			    (fl & HS_FLAG_SOM_LEFTMOST)) {
				hs_free_compile_error(ce);
				ce = NULL;
				hs_compile(ex[v][i].expr, fl & ~(unsigned)HS_FLAG_SOM_LEFTMOST,
					   HS_MODE_BLOCK, target, &db, &ce);
			}
			hs_free_database(db);
			hs_free_compile_error(ce);
			db = NULL;
			ce = NULL;
		}
	}
	tag = MSG_DONE;
	fd_write_all(fd, &tag, 1);
	_exit(0);
}

typedef void (*child_fn)(int, const struct patset_expr *const *, const size_t *);

/* The request (see patset.h): head, then the bound, the platform and the views. */
#define REQ_MAGIC  "PSRQ"
#define REQ_FORMAT 1u
#define REQ_HEAD   16                  /* magic, format, length of the rest */
#define REQ_PLAT   32                  /* whether, tune, CPU features, reserved 1 and 2 */
#define REQ_EXPR   13                  /* flags, id, length, NUL: the least an expression takes */
#define REQ_MAX    ((size_t)1 << 30)   /* the most a child reads */

enum prc patset_request_encode(const struct patset_expr *const ex[PATSET_NVIEWS],
			       const size_t n[PATSET_NVIEWS], unsigned long long mem, char **out,
			       size_t *len, struct err *e)
{
	size_t total = REQ_HEAD + 8 + REQ_PLAT + 4 * PATSET_NVIEWS, i, l;
	hs_platform_info_t plat;
	unsigned char *p, *q;
	int have, v;

	*out = NULL;
	*len = 0;
	for (v = 0; v < PATSET_NVIEWS; v++) {
		for (i = 0; i < n[v]; i++) {
			l = strlen(ex[v][i].expr);
			if (l > REQ_MAX || total + REQ_EXPR + l > REQ_MAX)
				return err_set(e, PRC_INVALID, "the patterns are too long to compile "
					       "together (over %zu MiB)", REQ_MAX >> 20);
			total += REQ_EXPR + l;
		}
	}
	p = malloc(total);
	if (!p)
		return err_set(e, PRC_NOMEM, "out of memory compiling patterns");
	memcpy(p, REQ_MAGIC, 4);
	bytes_put_u32(p + 4, REQ_FORMAT);
	bytes_put_u64(p + 8, total - REQ_HEAD);
	q = p + REQ_HEAD;
	bytes_put_u64(q, mem);
	q += 8;
	memset(&plat, 0, sizeof(plat));
	have = hs_populate_platform(&plat) == HS_SUCCESS;
	bytes_put_u32(q, (uint32_t)have);
	bytes_put_u32(q + 4, have ? plat.tune : 0);
	bytes_put_u64(q + 8, have ? plat.cpu_features : 0);
	bytes_put_u64(q + 16, have ? plat.reserved1 : 0);
	bytes_put_u64(q + 24, have ? plat.reserved2 : 0);
	q += REQ_PLAT;
	for (v = 0; v < PATSET_NVIEWS; v++) {
		bytes_put_u32(q, (uint32_t)n[v]);
		q += 4;
		for (i = 0; i < n[v]; i++) {
			l = strlen(ex[v][i].expr);
			bytes_put_u32(q, ex[v][i].flags);
			bytes_put_u32(q + 4, ex[v][i].id);
			bytes_put_u32(q + 8, (uint32_t)l);
			memcpy(q + 12, ex[v][i].expr, l + 1);
			q += REQ_EXPR + l;
		}
	}
	*out = (char *)p;
	*len = total;
	return PRC_OK;
}

/* Checks the head of a request (len >= REQ_HEAD bytes) and gives the length of the rest. */
static enum prc request_head(const unsigned char *p, uint64_t *rest, struct err *e)
{
	if (memcmp(p, REQ_MAGIC, 4))
		return err_set(e, PRC_PARSE, "not a compile request (it does not start with %s)",
			       REQ_MAGIC);
	if (bytes_get_u32(p + 4) != REQ_FORMAT)
		return err_set(e, PRC_PARSE, "the compile request has format %u, not %u",
			       (unsigned)bytes_get_u32(p + 4), REQ_FORMAT);
	*rest = bytes_get_u64(p + 8);
	if (*rest < 8 + REQ_PLAT + 4 * PATSET_NVIEWS || *rest > REQ_MAX - REQ_HEAD)
		return err_set(e, PRC_PARSE, "the compile request says it has %llu bytes, out of "
			       "bounds", (unsigned long long)*rest);
	return PRC_OK;
}

void patset_request_release(struct patset_request *rq)
{
	int v;

	if (!rq)
		return;
	for (v = 0; v < PATSET_NVIEWS; v++)
		free(rq->ex[v]);
	memset(rq, 0, sizeof(*rq));
}

enum prc patset_request_decode(const char *buf, size_t len, struct patset_request *rq,
			       struct err *e)
{
	const unsigned char *p = (const unsigned char *)buf;
	uint32_t count, l, flags;
	uint64_t rest = 0;
	size_t off, i;
	enum prc rc;
	int v;

	memset(rq, 0, sizeof(*rq));
	if (len < REQ_HEAD)
		return err_set(e, PRC_PARSE, "the compile request is cut short (%zu of at least %d "
			       "bytes)", len, REQ_HEAD);
	if ((rc = request_head(p, &rest, e)) != PRC_OK)
		return rc;
	if (len - REQ_HEAD < rest)
		return err_set(e, PRC_PARSE, "the compile request is cut short (%zu of %llu bytes)",
			       len, (unsigned long long)(rest + REQ_HEAD));
	if (len - REQ_HEAD > rest)
		return err_set(e, PRC_PARSE, "the compile request has %zu bytes past its end",
			       (size_t)(len - REQ_HEAD - rest));
	off = REQ_HEAD;
	rq->mem = bytes_get_u64(p + off);
	off += 8;
	if (bytes_get_u32(p + off) > 1) {
		rc = err_set(e, PRC_PARSE, "the compile request's platform is neither there nor absent "
			     "(%u)", (unsigned)bytes_get_u32(p + off));
		goto out;
	}
	rq->has_platform = (int)bytes_get_u32(p + off);
	rq->tune = bytes_get_u32(p + off + 4);
	rq->cpu_features = bytes_get_u64(p + off + 8);
	rq->reserved1 = bytes_get_u64(p + off + 16);
	rq->reserved2 = bytes_get_u64(p + off + 24);
	off += REQ_PLAT;
	for (v = 0; v < PATSET_NVIEWS; v++) {
		if (len - off < 4) {
			rc = err_set(e, PRC_PARSE, "the compile request ends before view %d", v);
			goto out;
		}
		count = bytes_get_u32(p + off);
		off += 4;
		if (count > (len - off) / REQ_EXPR) {
			rc = err_set(e, PRC_PARSE, "the compile request's view %d has %u expressions, "
				     "more than its %zu bytes hold", v, (unsigned)count, len - off);
			goto out;
		}
		if (count && !(rq->ex[v] = calloc(count, sizeof(*rq->ex[v])))) {
			rc = err_set(e, PRC_NOMEM, "out of memory reading the compile request");
			goto out;
		}
		for (i = 0; i < count; i++) {
			if (len - off < REQ_EXPR) {
				rc = err_set(e, PRC_PARSE, "the compile request ends inside view %d's "
					     "expression %zu", v, i);
				goto out;
			}
			flags = bytes_get_u32(p + off);
			l = bytes_get_u32(p + off + 8);
			if (l > len - off - REQ_EXPR) {
				rc = err_set(e, PRC_PARSE, "the compile request's view %d expression %zu "
					     "runs past its end (%u bytes)", v, i, (unsigned)l);
				goto out;
			}
			if (flags & ~PATSET_CASELESS) {
				rc = err_set(e, PRC_PARSE, "the compile request's view %d expression %zu "
					     "has unknown flags 0x%x", v, i, (unsigned)flags);
				goto out;
			}
			if (p[off + 12 + l] != 0 || memchr(p + off + 12, 0, l)) {
				rc = err_set(e, PRC_PARSE, "the compile request's view %d expression %zu "
					     "is not %u bytes and a NUL", v, i, (unsigned)l);
				goto out;
			}
			rq->ex[v][i].flags = flags;
			rq->ex[v][i].id = bytes_get_u32(p + off + 4);
			rq->ex[v][i].expr = (const char *)p + off + 12;
			off += REQ_EXPR + l;
		}
		rq->n[v] = count;
	}
	if (off != len)
		rc = err_set(e, PRC_PARSE, "the compile request has %zu bytes past its last "
			     "expression", len - off);
out:
	if (rc != PRC_OK)
		patset_request_release(rq);
	return rc;
}

enum prc patset_child_main(int argc, char **argv, struct err *e)
{
	struct patset_request rq;
	unsigned char head[REQ_HEAD];
	struct stat s0, s1;
	socklen_t tl = sizeof(int);
	uint64_t rest = 0;
	char *req = NULL;
	ssize_t r;
	int type = 0, sig = 0;
	child_fn fn;
	enum prc rc;

	if (argc != 2 || (strcmp(argv[1], "compile") && strcmp(argv[1], "probe")))
		return err_set(e, PRC_INVALID, "'%s' is patrol's own pattern compiler, not a command "
			       "(see 'patrol --help')", PATSET_CHILD_ARG);
	fn = !strcmp(argv[1], "compile") ? child_compile : child_probe;
	/* started by run_child: a stream socket on stdin and stdout, and killed with its parent */
	if (fstat(0, &s0) || fstat(1, &s1) || !S_ISSOCK(s0.st_mode) || s0.st_dev != s1.st_dev ||
	    s0.st_ino != s1.st_ino || getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &tl) ||
	    type != SOCK_STREAM || prctl(PR_GET_PDEATHSIG, &sig) || sig != SIGKILL)
		return err_set(e, PRC_INVALID, "'%s %s' is started by patrol itself to compile "
			       "patterns, with its request on standard input; it is not a command "
			       "(see 'patrol --help')", PATSET_CHILD_ARG, argv[1]);
	r = fd_read_full(0, head, sizeof(head));
	if (r < 0)
		return err_set(e, PRC_INVALID, "cannot read the compile request: %s", strerror(errno));
	if ((size_t)r < sizeof(head))
		return err_set(e, PRC_PARSE, "the compile request is cut short (%zd of at least %d "
			       "bytes)", r, REQ_HEAD);
	if ((rc = request_head(head, &rest, e)) != PRC_OK)
		return rc;
	req = malloc(REQ_HEAD + (size_t)rest);
	if (!req)
		return err_set(e, PRC_NOMEM, "out of memory reading the compile request");
	memcpy(req, head, REQ_HEAD);
	r = fd_read_full(0, req + REQ_HEAD, (size_t)rest);
	if (r < 0) {
		rc = err_set(e, PRC_INVALID, "cannot read the compile request: %s", strerror(errno));
		goto out;
	}
	rc = patset_request_decode(req, REQ_HEAD + (size_t)r, &rq, e);
	if (rc != PRC_OK)
		goto out;
	if (rq.has_platform) {
		static hs_platform_info_t plat;

		plat.tune = rq.tune;
		plat.cpu_features = rq.cpu_features;
		plat.reserved1 = rq.reserved1;
		plat.reserved2 = rq.reserved2;
		target = &plat;
	}
	/* what this fresh process holds now, request included, is the base of the bound */
	bound_data(vm_data_bytes(), rq.mem);
	fn(1, (const struct patset_expr *const *)rq.ex, rq.n);
	_exit(1);
out:
	free(req);
	return rc;
}

/* patset_set_child_exe: the executable, open (close-on-exec); -1: a bare fork */
static int child_exe = -1;

void patset_set_child_exe(const char *path)
{
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;

	/* above stdin, stdout and stderr, which the child's dup2 would replace */
	if (fd >= 0 && fd <= 2) {
		int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);

		close(fd);
		fd = hi;
	}
	if (child_exe >= 0)
		close(child_exe);
	child_exe = fd;
}

/* Exit statuses of a child started from child_exe, before it answers anything. */
#define CHILD_REFUSED 2   /* patset_child_main returned: not the request it wanted */
#define CHILD_NO_EXEC 127 /* fexecve failed */

extern char **environ;

/*
 * In the child, between fork and exec or fn: only async-signal-safe calls
 * (another thread of the parent may have held any lock at the fork).
 */
static void child_setup(pid_t parent, long ms)
{
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGXCPU };
	struct sigaction sa;
	struct rlimit rl;
	sigset_t none;
	size_t i;

	/* never outlive the thread waiting for it (a killed rules check, a stopped crawl) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* SIGXCPU at the bound (whole seconds, at least one), SIGKILL a second later */
	rl.rlim_cur = (rlim_t)((ms + 999) / 1000);
	rl.rlim_max = rl.rlim_cur + 1;
	setrlimit(RLIMIT_CPU, &rl);
}

/*
 * Runs the child once: from the executable open at exe (a fresh process
 * that reads the request from the socket) or, exe -1, fn in a bare fork.
 * See run_child; -2 when exe could not run at all (the caller forks
 * instead).
 */
static int spawn_child(const char *mode, child_fn fn,
		       const struct patset_expr *const ex[PATSET_NVIEWS],
		       const size_t n[PATSET_NVIEWS], long ms, long long mem, int exe,
		       char **data, size_t *len)
{
	char *argv[] = { "patrol", PATSET_CHILD_ARG, (char *)mode, NULL };
	unsigned long long base = 0;
	long long deadline;
	char *req = NULL;
	size_t cap = 0, rlen = 0, sent = 0;
	int sv[2], status = 0, timed_out = 0;
	struct rusage ru;
	pid_t pid, parent = getpid();

	*data = NULL;
	*len = 0;
	if (exe >= 0 && patset_request_encode(ex, n, mem > 0 ? (unsigned long long)mem : 0, &req, &rlen,
					 NULL) != PRC_OK)
		return -2;
	if (exe < 0)
		base = vm_data_bytes();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(req);
		return -1;
	}
	deadline = mono_ms() + (long long)ms * WALL_FACTOR;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		free(req);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		child_setup(parent, ms);
		if (exe < 0) {
			if (mem > 0)
				bound_data(base, (unsigned long long)mem);
			fn(sv[1], ex, n);
			_exit(1);
		}
		/* the socket becomes stdin and stdout (dup2 clears close-on-exec) */
		if ((sv[1] != 0 && dup2(sv[1], 0) < 0) || (sv[1] != 1 && dup2(sv[1], 1) < 0))
			_exit(CHILD_NO_EXEC);
		fcntl(0, F_SETFD, 0);
		fcntl(1, F_SETFD, 0);
		if (sv[1] == 2) { /* stderr was closed: keep the answer off it */
			close(2);
			open("/dev/null", O_WRONLY);
		}
		if (exe > 3)
			close_range(3, (unsigned)exe - 1, 0);
		close_range((unsigned)exe + 1, ~0u, 0);
		fexecve(exe, argv, environ);
		_exit(CHILD_NO_EXEC);
	}
	close(sv[1]);
	for (;;) {
		struct pollfd pf = { sv[0], POLLIN, 0 };
		long long left = deadline - mono_ms();
		ssize_t r;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (sandbox_stopping()) {
			timed_out = 3;
			break;
		}
		/* the request goes out while the answer comes in: neither side waits on the other */
		if (sent < rlen)
			pf.events |= POLLOUT;
		if (poll(&pf, 1, left > 200 ? 200 : (int)left) <= 0)
			continue;
		if (sent < rlen && (pf.revents & (POLLOUT | POLLERR | POLLHUP))) {
			r = send(sv[0], req + sent, rlen - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (r > 0)
				sent += (size_t)r;
			else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				sent = rlen; /* the child is gone: its status tells why */
			if (sent == rlen)
				shutdown(sv[0], SHUT_WR);
		}
		if (!(pf.revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		if (*len == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *nd = realloc(*data, nc);

			if (!nd) {
				timed_out = 2;
				break;
			}
			*data = nd;
			cap = nc;
		}
		r = read(sv[0], *data + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	close(sv[0]);
	free(req);
	if (timed_out)
		kill(pid, SIGKILL);
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	if (timed_out == 1 || timed_out == 3)
		return timed_out;
	/* SIGXCPU, or the hard limit's SIGKILL once the CPU time was spent */
	if (WIFSIGNALED(status) &&
	    (WTERMSIG(status) == SIGXCPU ||
	     (WTERMSIG(status) == SIGKILL && ru.ru_utime.tv_sec + ru.ru_stime.tv_sec >= (ms + 999) / 1000)))
		return 1;
	if (exe >= 0 && !timed_out && *len == 0 && WIFEXITED(status) &&
	    (WEXITSTATUS(status) == CHILD_NO_EXEC || WEXITSTATUS(status) == CHILD_REFUSED)) {
		free(*data);
		*data = NULL;
		return WEXITSTATUS(status) == CHILD_NO_EXEC ? -2 : 4;
	}
	if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 2;
	return 0;
}

/*
 * Runs the child with the bounds (a fresh process from child_exe when
 * set, else fn in a bare fork) and reads everything it writes into *data
 * (malloc'd). Returns 0 when the child ended by itself, 1 when it was out
 * of time, 2 when it died otherwise (memory), 3 when the process is
 * stopping (sandbox_set_stop), 4 when the fresh child refused its request,
 * -1 when no child could run.
 */
static int run_child(const char *mode, child_fn fn,
		     const struct patset_expr *const ex[PATSET_NVIEWS], const size_t n[PATSET_NVIEWS],
		     long ms, long long mem, char **data, size_t *len)
{
	int how = -2;

	if (child_exe >= 0)
		how = spawn_child(mode, fn, ex, n, ms, mem, child_exe, data, len);
	if (how == -2)
		how = spawn_child(mode, fn, ex, n, ms, mem, -1, data, len);
	return how;
}

static enum prc deserialize(const void *data, size_t len, struct patset **out, int *bad_view,
			    size_t *bad_index, struct err *e);

/* compile_here, then the PCRE2 programs. */
static enum prc compile_in_process(const struct patset_expr *const ex[PATSET_NVIEWS],
				   const size_t n[PATSET_NVIEWS], struct patset **out,
				   int *bad_view, size_t *bad_index, struct err *e)
{
	enum prc rc = compile_here(ex, n, out, bad_view, bad_index, e);

	if (rc == PRC_OK && (rc = prepare_search(*out, bad_view, bad_index, e)) != PRC_OK) {
		patset_free(*out);
		*out = NULL;
	}
	return rc;
}

enum prc patset_compile(const struct patset_expr *const ex[PATSET_NVIEWS],
			const size_t n[PATSET_NVIEWS], struct patset **out, int *bad_view,
			size_t *bad_index, struct err *e)
{
	long ms = atomic_load(&compile_ms);
	long long mem = atomic_load(&compile_mem);
	struct msg_refused m;
	char *data = NULL;
	size_t len = 0, i, total = 0;
	int32_t at[2] = { -1, -1 };
	uint64_t l64;
	enum prc rc;
	int how, first;

	*out = NULL;
	if (ms <= 0 && mem <= 0)
		return compile_in_process(ex, n, out, bad_view, bad_index, e);
	if (ms <= 0)
		ms = 24L * 3600 * 1000;
	how = run_child("compile", child_compile, ex, n, ms, mem, &data, &len);
	if (how < 0)
		return compile_in_process(ex, n, out, bad_view, bad_index, e);
	if (how == 4)
		goto refused;
	if (how == 3) {
		free(data);
		return err_set(e, PRC_AGAIN, "compiling the patterns was interrupted: the process is "
			       "stopping");
	}
	if (how == 0 && len >= 1 + sizeof(l64) && data[0] == MSG_DB) {
		memcpy(&l64, data + 1, sizeof(l64));
		*bad_index = (size_t)-1;
		rc = l64 == len - 1 - sizeof(l64)
			     ? deserialize(data + 1 + sizeof(l64), (size_t)l64, out, bad_view,
					   bad_index, e)
			     : err_set(e, PRC_INTERNAL, "cannot compile patterns: a short answer");
		free(data);
		/* only PCRE2's refusal names an expression; anything else is ours */
		if (rc == PRC_PARSE && *bad_index == (size_t)-1)
			rc = err_set(e, PRC_INTERNAL, "cannot compile patterns: %s", e ? e->msg : "");
		return rc;
	}
	if (how == 0 && len >= 1 + sizeof(m) && (data[0] == MSG_REFUSED || data[0] == MSG_FAILED)) {
		memcpy(&m, data + 1, sizeof(m));
		if (m.len > len - 1 - sizeof(m))
			m.len = (uint32_t)(len - 1 - sizeof(m));
		rc = (enum prc)m.rc;
		err_set(e, rc, "%.*s", (int)m.len, data + 1 + sizeof(m));
		if (data[0] == MSG_REFUSED && m.view >= 0 && m.view < PATSET_NVIEWS && m.index >= 0 &&
		    (size_t)m.index < n[m.view]) {
			*bad_view = m.view;
			*bad_index = (size_t)m.index;
			rc = PRC_PARSE;
		} else if (rc == PRC_PARSE || rc == PRC_OK) {
			rc = err_set(e, PRC_INTERNAL, "cannot compile patterns: %s", e->msg);
		}
		free(data);
		return rc;
	}
	free(data);
	first = how;
	/* name the expression: one by one, the last one started is the one that did not end */
	how = run_child("probe", child_probe, ex, n, ms, mem, &data, &len);
	if (how == 4)
		goto refused;
	if (how == 3) {
		free(data);
		return err_set(e, PRC_AGAIN, "compiling the patterns was interrupted: the process is "
			       "stopping");
	}
	for (i = 0; how >= 0 && i < len;) {
		if (data[i] == MSG_START && i + 1 + sizeof(at) <= len) {
			memcpy(at, data + i + 1, sizeof(at));
			i += 1 + sizeof(at);
		} else {
			break;
		}
	}
	for (i = 0; i < PATSET_NVIEWS; i++)
		total += n[i];
	free(data);
	if (how > 0 && at[0] >= 0 && at[0] < PATSET_NVIEWS && at[1] >= 0 && (size_t)at[1] < n[at[0]]) {
		*bad_view = at[0];
		*bad_index = (size_t)at[1];
		if (how == 1)
			return err_set(e, PRC_PARSE, "compiling it took over %ld s of CPU time", ms / 1000);
		return err_set(e, PRC_PARSE, "compiling it needed more than %lld MiB", mem >> 20);
	}
	*bad_index = (size_t)-1;
	if (how == 1 || (how <= 0 && first == 1))
		return err_set(e, PRC_LIMIT, "compiling the %zu patterns together took over %ld s of CPU time",
			       total, ms / 1000);
	return err_set(e, PRC_LIMIT, "compiling the %zu patterns together needed more than %lld MiB",
		       total, mem >> 20);
refused:
	free(data);
	return err_set(e, PRC_INTERNAL, "cannot compile patterns: the compiling process refused "
		       "its request");
}

void patset_free(struct patset *ps)
{
	size_t i;
	int v;

	if (!ps)
		return;
	for (v = 0; v < PATSET_NVIEWS; v++) {
		hs_free_database(ps->db[v]);
		for (i = 0; i < ps->nsom[v]; i++)
			hs_free_database(ps->som[v][i]);
		free(ps->som[v]);
	}
	free_tables(ps);
	free(ps);
}

int patset_has_view(const struct patset *ps, int v)
{
	return ps && v >= 0 && v < PATSET_NVIEWS && ps->db[v];
}

/* PCRE2's callout at the end of the expression: go on only where Hyperscan's match ended. */
static int at_target(pcre2_callout_block *cb, void *ud)
{
	const struct patset_scratch *sc = ud;

	return cb->current_position == sc->target ? 0 : 1;
}

struct patset_scratch *patset_scratch_new(const struct patset *ps, struct err *e)
{
	struct patset_scratch *sc = calloc(1, sizeof(*sc));
	size_t i;
	int v;

	if (!sc) {
		err_set(e, PRC_NOMEM, "out of memory allocating scan space");
		return NULL;
	}
	for (v = 0; v < PATSET_NVIEWS; v++) {
		if (!ps->db[v])
			continue;
		if (hs_alloc_scratch(ps->db[v], &sc->s) != HS_SUCCESS) {
			err_set(e, PRC_NOMEM, "cannot allocate hyperscan scratch");
			patset_scratch_free(sc);
			return NULL;
		}
		for (i = 0; i < ps->nsom[v]; i++) {
			if (hs_alloc_scratch(ps->som[v][i], &sc->s2) != HS_SUCCESS) {
				err_set(e, PRC_NOMEM, "cannot allocate hyperscan scratch");
				patset_scratch_free(sc);
				return NULL;
			}
		}
		if (ps->nsom[v] > sc->nsom)
			sc->nsom = ps->nsom[v];
	}
	if (sc->nsom && !(sc->som = calloc(sc->nsom, sizeof(*sc->som)))) {
		err_set(e, PRC_NOMEM, "out of memory allocating scan space");
		patset_scratch_free(sc);
		return NULL;
	}
	sc->md = pcre2_match_data_create(1, NULL);
	sc->mc = pcre2_match_context_create(NULL);
	sc->js = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (!sc->md || !sc->mc || !sc->js) {
		err_set(e, PRC_NOMEM, "out of memory allocating scan space");
		patset_scratch_free(sc);
		return NULL;
	}
	pcre2_jit_stack_assign(sc->mc, NULL, sc->js);
	pcre2_set_match_limit(sc->mc, RECOVER_MATCH_LIMIT);
	pcre2_set_callout(sc->mc, at_target, sc);
	return sc;
}

void patset_scratch_free(struct patset_scratch *sc)
{
	size_t i;

	if (!sc)
		return;
	hs_free_scratch(sc->s);
	hs_free_scratch(sc->s2);
	for (i = 0; sc->som && i < sc->nsom; i++)
		free(sc->som[i].m);
	free(sc->som);
	pcre2_match_data_free(sc->md);
	pcre2_match_context_free(sc->mc);
	pcre2_jit_stack_free(sc->js);
	free(sc);
}

size_t patset_scratch_misses(const struct patset_scratch *sc)
{
	return sc ? sc->misses : 0;
}

/* Steps back from byte i of s to the first byte of the character it is in. */
static size_t char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* Where the match of x that ends at to starts, leftmost (see DESIGN). */
static size_t find_start(const struct pexpr *x, struct patset_scratch *sc, const char *s,
			 size_t len, size_t to)
{
	PCRE2_SIZE *ov;
	size_t from, lo, win;
	uint32_t k;

	if (x->how == START_FIXED)
		return to >= x->width ? to - x->width : 0;
	if (x->how == START_CHARS) {
		for (from = to, k = 0; k < x->width && from > 0; k++)
			from = char_start(s, from - 1);
		return from;
	}
	win = x->max_w > RECOVER_WINDOW ? RECOVER_WINDOW : x->max_w;
	lo = to > win ? to - win : 0;
	while (lo < to && ((unsigned char)s[lo] & 0xC0) == 0x80)
		lo++; /* no match starts inside a character */
	sc->target = to;
	if (to - lo > sc->budget) {
		sc->misses++; /* a page made of matches: the shortest start, at no cost */
		return char_start(s, to >= x->min_w ? to - x->min_w : 0);
	}
	sc->budget -= to - lo;
	/* 0: matched, with more groups than the one pair of offsets kept */
	if (x->re && pcre2_match(x->re, (PCRE2_SPTR)s, len, lo, PCRE2_NO_UTF_CHECK, sc->md,
				 sc->mc) >= 0) {
		ov = pcre2_get_ovector_pointer(sc->md);
		if (ov[1] == to && ov[0] <= to)
			return ov[0];
	}
	sc->misses++;
	return char_start(s, to >= x->min_w ? to - x->min_w : 0);
}

struct scan_ctx {
	const struct patset *ps;
	int v;
	const struct pexpr *ex;
	size_t n;
	struct patset_scratch *sc;
	const char *s;
	size_t len;
	patset_match_fn fn;
	void *ud;
};

/* Collects a SOM group's matches: Hyperscan reports them in end order. */
static int on_som(unsigned int id, unsigned long long from, unsigned long long to,
		  unsigned int flags, void *ctx)
{
	struct som_run *r = ctx;

	(void)id;
	(void)flags;
	if (r->n == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct som_match *m = realloc(r->m, ncap * sizeof(*m));

		if (!m) {
			r->failed = 1;
			return 1;
		}
		r->m = m;
		r->cap = ncap;
	}
	r->m[r->n].end = (uint32_t)to;
	r->m[r->n].start = (uint32_t)from;
	r->n++;
	return 0;
}

/*
 * Where the match of START_SOM expression x that ends at to starts: its
 * group's database, run over the whole view the first time the view's scan
 * reports one of its ends, says so.
 */
static size_t som_start(struct scan_ctx *c, const struct pexpr *x, size_t to)
{
	struct patset_scratch *sc = c->sc;
	struct som_run *r = &sc->som[x->width];
	size_t lo = 0, hi, mid;

	if (r->scan != sc->scans) {
		r->scan = sc->scans;
		r->n = 0;
		r->failed = 0;
		if (hs_scan(c->ps->som[c->v][x->width], c->s, (unsigned)c->len, 0, sc->s2, on_som,
			    r) != HS_SUCCESS)
			r->failed = 1;
	}
	hi = r->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->m[mid].end < to)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!r->failed && lo < r->n && r->m[lo].end == to)
		return r->m[lo].start;
	sc->misses++;
	return char_start(c->s, to >= x->min_w ? to - x->min_w : 0);
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	struct scan_ctx *c = ctx;
	const struct pexpr *x;

	(void)flags;
	if (id >= c->n || to > c->len || from > to)
		return 0;
	x = &c->ex[id];
	if (x->how == START_SOM)
		return c->fn(x->id, som_start(c, x, (size_t)to), (size_t)to, c->ud);
	return c->fn(x->id, find_start(x, c->sc, c->s, c->len, (size_t)to), (size_t)to, c->ud);
}

enum prc patset_scan(const struct patset *ps, int v, struct patset_scratch *sc, const char *s,
		     size_t len, patset_match_fn fn, void *ud, struct err *e)
{
	struct scan_ctx c;
	hs_error_t r;

	if (!patset_has_view(ps, v) || len == 0)
		return PRC_OK;
	if (len > 0xffffffffu)
		return err_set(e, PRC_LIMIT, "text too long to scan");
	c.ps = ps;
	c.v = v;
	c.ex = ps->ex[v];
	c.n = ps->n[v];
	sc->scans++;
	c.sc = sc;
	c.s = s;
	c.len = len;
	c.fn = fn;
	c.ud = ud;
	sc->budget = RECOVER_BUDGET(len);
	r = hs_scan(ps->db[v], s, (unsigned)len, 0, sc->s, on_match, &c);
	if (r != HS_SUCCESS && r != HS_SCAN_TERMINATED)
		return err_set(e, PRC_INTERNAL, "hyperscan scan failed (%d)", (int)r);
	return PRC_OK;
}

#define SERIAL_DB_MAX ((uint64_t)1 << 31) /* bytes of one database, serialized or not */
#define SERIAL_MAGIC "PSET"
#define SERIAL_FORMAT 3u
#define SERIAL_EXPR_FIXED 25u             /* bytes of an expression's entry before its text */
#define SERIAL_EXPR_MAX (64u << 10)       /* bytes of one expression's text */

void patset_build_id(char *buf, size_t size)
{
	hs_platform_info_t p;

	memset(&p, 0, sizeof(p));
	if (hs_populate_platform(&p) != HS_SUCCESS)
		memset(&p, 0, sizeof(p));
	snprintf(buf, size,
		 "hyperscan %s; tune %u; features %llx; block; flags %x; caseless %x; "
		 "starts found after the scan, format %u",
		 hs_version(), p.tune, (unsigned long long)p.cpu_features, (unsigned)BASE_FLAGS,
		 (unsigned)HS_FLAG_CASELESS, (unsigned)SERIAL_FORMAT);
}

/* Appends a little-endian 64-bit length and db's serialized bytes to b. */
static enum prc put_db(struct buf *b, const hs_database_t *db, struct err *e)
{
	unsigned char lenb[8];
	char *blob = NULL;
	size_t n = 0;
	enum prc rc;

	if (hs_serialize_database(db, &blob, &n) != HS_SUCCESS)
		return err_set(e, PRC_INTERNAL, "cannot serialize a pattern database");
	bytes_put_u64(lenb, n);
	rc = buf_add(b, lenb, sizeof(lenb));
	if (rc == PRC_OK)
		rc = buf_add(b, blob, n);
	free(blob); /* hs_serialize_database allocates with the misc allocator: malloc */
	if (rc != PRC_OK)
		return err_set(e, rc, "out of memory serializing patterns");
	return PRC_OK;
}

enum prc patset_serialize(const struct patset *ps, char **out, size_t *len, struct err *e)
{
	unsigned char q[SERIAL_EXPR_FIXED];
	struct buf b;
	enum prc rc = PRC_OK;
	size_t i, l;
	int v;

	*out = NULL;
	*len = 0;
	buf_init(&b, SIZE_MAX - 1);
	memcpy(q, SERIAL_MAGIC, 4);
	bytes_put_u32(q + 4, SERIAL_FORMAT);
	rc = buf_add(&b, q, 8);
	for (v = 0; rc == PRC_OK && v < PATSET_NVIEWS; v++) {
		q[0] = ps->db[v] ? 1 : 0;
		rc = buf_add(&b, q, 1);
		if (rc != PRC_OK)
			break;
		if (!ps->db[v]) {
			memset(q, 0, 16); /* no length, no groups, no expressions */
			rc = buf_add(&b, q, 16);
			continue;
		}
		rc = put_db(&b, ps->db[v], e);
		if (rc != PRC_OK)
			goto out;
		bytes_put_u32(q, (uint32_t)ps->nsom[v]);
		rc = buf_add(&b, q, 4);
		for (i = 0; rc == PRC_OK && i < ps->nsom[v]; i++) {
			rc = put_db(&b, ps->som[v][i], e);
			if (rc != PRC_OK)
				goto out;
		}
		bytes_put_u32(q, (uint32_t)ps->n[v]);
		if (rc == PRC_OK)
			rc = buf_add(&b, q, 4);
		for (i = 0; rc == PRC_OK && i < ps->n[v]; i++) {
			const struct pexpr *x = &ps->ex[v][i];

			l = x->expr ? strlen(x->expr) : 0;
			bytes_put_u32(q, x->id);
			q[4] = (unsigned char)x->how;
			bytes_put_u32(q + 5, x->width);
			bytes_put_u32(q + 9, x->min_w);
			bytes_put_u32(q + 13, x->max_w);
			bytes_put_u32(q + 17, x->flags);
			bytes_put_u32(q + 21, (uint32_t)l);
			rc = buf_add(&b, q, SERIAL_EXPR_FIXED);
			if (rc == PRC_OK && l)
				rc = buf_add(&b, x->expr, l);
		}
	}
	if (rc != PRC_OK) {
		rc = err_set(e, rc, "out of memory serializing patterns");
		goto out;
	}
	*out = buf_detach(&b, len);
	if (!*out)
		rc = err_set(e, PRC_NOMEM, "out of memory serializing patterns");
out:
	buf_release(&b);
	return rc;
}

/* Reads view v's expression table at p[*off..len) into ps. PRC_PARSE when malformed. */
static enum prc read_table(struct patset *ps, int v, const unsigned char *p, size_t len,
			   size_t *off, struct err *e)
{
	size_t n, i, l;
	struct pexpr *x;

	if (len - *off < 4)
		return err_set(e, PRC_PARSE, "truncated expression table");
	n = bytes_get_u32(p + *off);
	*off += 4;
	if (!ps->db[v] ? n != 0 : (n == 0 || n > (len - *off) / SERIAL_EXPR_FIXED))
		return err_set(e, PRC_PARSE, "expression count %zu out of range", n);
	if (!n)
		return PRC_OK;
	ps->ex[v] = calloc(n, sizeof(*ps->ex[v]));
	if (!ps->ex[v])
		return err_set(e, PRC_NOMEM, "out of memory loading cached patterns");
	ps->n[v] = n;
	for (i = 0; i < n; i++) {
		x = &ps->ex[v][i];
		if (len - *off < SERIAL_EXPR_FIXED)
			return err_set(e, PRC_PARSE, "truncated expression table");
		x->id = bytes_get_u32(p + *off);
		x->how = p[*off + 4];
		x->width = bytes_get_u32(p + *off + 5);
		x->min_w = bytes_get_u32(p + *off + 9);
		x->max_w = bytes_get_u32(p + *off + 13);
		x->flags = bytes_get_u32(p + *off + 17);
		l = bytes_get_u32(p + *off + 21);
		*off += SERIAL_EXPR_FIXED;
		if (x->how > START_SOM || x->min_w == 0 || x->max_w < x->min_w ||
		    (x->flags & ~PATSET_CASELESS) || (x->how == START_FIXED && x->width != x->min_w) ||
		    (x->how == START_CHARS && (x->width == 0 || x->width > x->max_w)) ||
		    (x->how == START_SOM && x->width >= ps->nsom[v]) ||
		    (x->how == START_SEARCH) != (l > 0) || l > SERIAL_EXPR_MAX || l > len - *off ||
		    memchr(p + *off, 0, l))
			return err_set(e, PRC_PARSE, "malformed expression %zu of the %s table", i,
				       v ? "squeezed" : "norm");
		if (l) {
			x->expr = malloc(l + 1);
			if (!x->expr)
				return err_set(e, PRC_NOMEM, "out of memory loading cached patterns");
			memcpy(x->expr, p + *off, l);
			x->expr[l] = 0;
			*off += l;
		}
	}
	return PRC_OK;
}

/*
 * Reads a length and a database at p[*off..len) into *db. Nothing is
 * trusted: the length is bounded, and Hyperscan must say the bytes are a
 * block mode database of this version before they are loaded.
 */
static enum prc get_db(const unsigned char *p, size_t len, size_t *off, hs_database_t **db,
		       struct err *e)
{
	char *info = NULL, want[64];
	size_t dbsize;
	uint64_t n;
	hs_error_t r;
	enum prc rc = PRC_OK;

	*db = NULL;
	if (len - *off < 8)
		return err_set(e, PRC_PARSE, "truncated or malformed");
	n = bytes_get_u64(p + *off);
	*off += 8;
	if (n == 0 || n > SERIAL_DB_MAX || n > len - *off)
		return err_set(e, PRC_PARSE, "database length %llu out of range", (unsigned long long)n);
	if (hs_serialized_database_info((const char *)p + *off, (size_t)n, &info) != HS_SUCCESS)
		return err_set(e, PRC_PARSE, "not a hyperscan database");
	/* "Version: 5.4.0 Features: AVX2 Mode: BLOCK"; hs_version() is "5.4.0 2021-01-26" */
	snprintf(want, sizeof(want), "Version: %.*s ", (int)strcspn(hs_version(), " "), hs_version());
	if (!strstr(info, "Mode: BLOCK") || strncmp(info, want, strlen(want))) {
		rc = err_set(e, PRC_PARSE, "database is for another version or mode (%s)", info);
		goto out;
	}
	if (hs_serialized_database_size((const char *)p + *off, (size_t)n, &dbsize) != HS_SUCCESS ||
	    dbsize == 0 || dbsize > SERIAL_DB_MAX) {
		rc = err_set(e, PRC_PARSE, "database size out of range");
		goto out;
	}
	r = hs_deserialize_database((const char *)p + *off, (size_t)n, db);
	if (r != HS_SUCCESS) {
		*db = NULL;
		rc = err_set(e, r == HS_NOMEM ? PRC_NOMEM : PRC_PARSE,
			     "hyperscan refused the database (%d)", (int)r);
		goto out;
	}
	*off += (size_t)n;
out:
	free(info);
	return rc;
}

/* Reads view v's SOM groups at p[*off..len) into ps. */
static enum prc read_groups(struct patset *ps, int v, const unsigned char *p, size_t len,
			    size_t *off, struct err *e)
{
	size_t n, i;
	enum prc rc;

	if (len - *off < 4)
		return err_set(e, PRC_PARSE, "truncated SOM groups");
	n = bytes_get_u32(p + *off);
	*off += 4;
	if (!n)
		return PRC_OK;
	if (!ps->db[v] || n > (len - *off) / 9)
		return err_set(e, PRC_PARSE, "SOM group count %zu out of range", n);
	ps->som[v] = calloc(n, sizeof(*ps->som[v]));
	if (!ps->som[v])
		return err_set(e, PRC_NOMEM, "out of memory loading cached patterns");
	for (i = 0; i < n; i++) {
		rc = get_db(p, len, off, &ps->som[v][i], e);
		if (rc != PRC_OK)
			return rc;
		ps->nsom[v] = i + 1;
	}
	return PRC_OK;
}

static enum prc deserialize(const void *data, size_t len, struct patset **out, int *bad_view,
			    size_t *bad_index, struct err *e)
{
	const unsigned char *p = data;
	struct patset *ps = calloc(1, sizeof(*ps));
	size_t off = 8;
	enum prc rc = PRC_OK;
	int v;

	*out = NULL;
	if (!ps)
		return err_set(e, PRC_NOMEM, "out of memory loading cached patterns");
	db_memory();
	if (len < 8 || memcmp(p, SERIAL_MAGIC, 4) || bytes_get_u32(p + 4) != SERIAL_FORMAT) {
		rc = err_set(e, PRC_PARSE, "not a pattern set of format %u", SERIAL_FORMAT);
		goto out;
	}
	for (v = 0; v < PATSET_NVIEWS; v++) {
		if (len - off < 9 || p[off] > 1) {
			rc = err_set(e, PRC_PARSE, "truncated or malformed");
			goto out;
		}
		if (!p[off]) {
			if (bytes_get_u64(p + off + 1)) {
				rc = err_set(e, PRC_PARSE, "malformed: an absent database has a length");
				goto out;
			}
			off += 9;
		} else {
			off += 1;
			rc = get_db(p, len, &off, &ps->db[v], e);
			if (rc != PRC_OK)
				goto out;
		}
		rc = read_groups(ps, v, p, len, &off, e);
		if (rc == PRC_OK)
			rc = read_table(ps, v, p, len, &off, e);
		if (rc != PRC_OK)
			goto out;
	}
	if (off != len) {
		rc = err_set(e, PRC_PARSE, "%zu bytes of trailing data", len - off);
		goto out;
	}
	rc = prepare_search(ps, bad_view, bad_index, e);
	if (rc != PRC_OK)
		goto out;
	*out = ps;
	ps = NULL;
out:
	patset_free(ps);
	return rc;
}

enum prc patset_deserialize(const void *data, size_t len, struct patset **out, struct err *e)
{
	size_t bi = 0;
	int bv = 0;

	return deserialize(data, len, out, &bv, &bi, e);
}
