/* patset.h - the Hyperscan side of the rules: one database per text view, compiled from every pattern. */
#ifndef PATROL_PATSET_H
#define PATROL_PATSET_H

#include <stddef.h>

#include "util/err.h"

/* The views of the page text a pattern runs on (classifiers/normalize.h). */
enum { PATSET_NORM = 0, PATSET_SQUEEZED = 1, PATSET_NVIEWS = 2 };

#define PATSET_CASELESS 1u

/* One expression for one view; id is what matches report. */
struct patset_expr {
	const char *expr; /* Hyperscan syntax, UTF-8 */
	unsigned flags;   /* PATSET_CASELESS */
	unsigned id;
};

/* The compiled databases of a rule set. Immutable: shared by every worker. */
struct patset;

/*
 * Returns s (a literal) as a Hyperscan expression matching exactly s:
 * every ASCII character that is not a letter or digit is escaped. malloc'd,
 * NULL without memory.
 */
char *patset_escape_literal(const char *s);

/*
 * Checks one expression on its own (syntax, supported constructs, that it
 * cannot match the empty string, and, when its matches vary in length, that
 * PCRE2 can find where they start) without building a database. PRC_PARSE
 * with Hyperscan's or PCRE2's reason in e. Thread-safe.
 */
enum prc patset_check(const char *expr, unsigned flags, struct err *e);

/* Bounds of one patset_compile unless set otherwise. */
#define PATSET_COMPILE_MS  120000L       /* CPU time of the compile (wall clock: 4 times) */
#define PATSET_COMPILE_MEM (4096ull << 20)/* bytes on top of what the process holds */

/*
 * Sets the bounds of later compiles, process-wide (0 and 0: compile in this
 * process, unbounded). Thread-safe.
 */
void patset_set_compile_limits(long ms, size_t mem_bytes);

/* argv[1] of the compile child: patrol starts itself with it (patset_child_main). */
#define PATSET_CHILD_ARG "__patset-child"

/*
 * Opens the process's own executable (path "/proc/self/exe"): later
 * compiles run in it, started afresh as "patrol __patset-child
 * compile|probe" right after the fork, instead of in a bare fork of this
 * process (whose other threads may hold locks the fork copies held). The
 * descriptor stays open, so the child is this very binary even once an
 * upgrade replaced the file, and under valgrind (which gives the client's
 * binary for /proc/self/exe). NULL, a path that does not open, or never
 * called: a bare fork (unit tests that compile with no other thread
 * running; t-rulehub starts itself like patrol). Call before any thread
 * starts.
 */
void patset_set_child_exe(const char *path);

/*
 * The compile child's side, for main() to call first when argv[1] is
 * PATSET_CHILD_ARG (argv[0] is then PATSET_CHILD_ARG, argv[1] "compile" or
 * "probe"). Reads the request patset_compile writes on stdin (a socket,
 * also its stdout), bounds its own memory, compiles, answers on stdout and
 * exits. Returns only when it will not run: argv is not that, stdin and
 * stdout are not the socket, or the request is not a whole one; PRC_INVALID
 * or PRC_PARSE with the reason in e (main prints it and exits 2).
 */
enum prc patset_child_main(int argc, char **argv, struct err *e);

/*
 * The request the compile child reads: the memory bound, the platform to
 * compile for and every expression of every view. "PSRQ", a format number
 * and the length of the rest (little-endian 32 and 64 bits), then the bound
 * (64 bits), the platform (whether there is one and Hyperscan's tune, 32
 * bits each, its CPU features and two reserved fields, 64 bits each), and
 * per view a count (32 bits) and per expression its flags, id and length
 * (32 bits each) and its bytes followed by a NUL.
 */
struct patset_request {
	unsigned long long mem; /* bytes the compile may add to the child (0: no bound) */
	/* Hyperscan's hs_platform_info_t of the process that scans (has_platform 0: the child's own) */
	int has_platform;
	unsigned tune;
	unsigned long long cpu_features, reserved1, reserved2;
	struct patset_expr *ex[PATSET_NVIEWS]; /* each expr points into the decoded bytes */
	size_t n[PATSET_NVIEWS];
};

/*
 * Writes the request for ex, n and mem, and the platform this process runs
 * on (hs_populate_platform: the child compiles for it even where it sees
 * another, as under valgrind), into *out (malloc'd, *len bytes).
 * PRC_NOMEM, PRC_INVALID.
 */
enum prc patset_request_encode(const struct patset_expr *const ex[PATSET_NVIEWS],
			       const size_t n[PATSET_NVIEWS], unsigned long long mem, char **out,
			       size_t *len, struct err *e);

/*
 * Reads the whole request in p (len bytes) into rq, whose expressions then
 * point into p. Nothing is trusted: a request cut short, with bytes past its
 * end, or with a length, count or expression that does not add up is
 * refused with PRC_PARSE and the reason, and rq is left empty (never half
 * read). PRC_NOMEM.
 */
enum prc patset_request_decode(const char *p, size_t len, struct patset_request *rq,
			       struct err *e);
void patset_request_release(struct patset_request *rq); /* frees what decode allocated */

/*
 * Compiles ex[v] (n[v] expressions) into the database of view v, each with
 * UTF-8 and UCP, in a child process within the compile bounds; matches
 * still report their leftmost start (found after the scan, see patset.c). On PRC_OK *out is set (views without expressions have no
 * database). On PRC_PARSE *bad_view and *bad_index name the expression
 * Hyperscan refused, or the one whose compile alone ran out of time or
 * memory, and e holds the reason; the caller drops it and tries again.
 * PRC_LIMIT when only the expressions together are too costly; PRC_AGAIN
 * when the process is stopping (sandbox_set_stop) and the child was ended;
 * PRC_NOMEM, PRC_INTERNAL otherwise. Thread-safe.
 */
enum prc patset_compile(const struct patset_expr *const ex[PATSET_NVIEWS],
			const size_t n[PATSET_NVIEWS], struct patset **out, int *bad_view,
			size_t *bad_index, struct err *e);
void patset_free(struct patset *ps); /* NULL is fine */

/*
 * Writes into buf (NUL-terminated, cut at size) what decides the compiled
 * databases besides the expressions: the Hyperscan version, the platform
 * it compiles for on this machine, the mode and the flags patrol adds to
 * every expression. Part of a rule set's cache key. Thread-safe.
 */
void patset_build_id(char *buf, size_t size);

/*
 * Serializes every database of ps into one malloc'd blob (*out, *len; the
 * caller frees it). PRC_NOMEM, PRC_INTERNAL when Hyperscan fails.
 */
enum prc patset_serialize(const struct patset *ps, char **out, size_t *len, struct err *e);

/*
 * Rebuilds a patset from what patset_serialize wrote. Nothing in buf is
 * trusted: lengths are checked against len, each database must be a block
 * mode database that Hyperscan itself accepts for this version and
 * platform (hs_serialized_database_info, hs_deserialize_database), and its
 * size is bounded. PRC_PARSE with the reason when buf is not usable.
 */
enum prc patset_deserialize(const void *buf, size_t len, struct patset **out, struct err *e);

/* Whether view v has a database (any pattern at all runs on it). */
int patset_has_view(const struct patset *ps, int v);

/* Per-thread scan space for every database of ps. */
struct patset_scratch;
struct patset_scratch *patset_scratch_new(const struct patset *ps, struct err *e);
void patset_scratch_free(struct patset_scratch *sc); /* NULL is fine */

/*
 * How many matches scanned with sc had a start PCRE2 could not find within
 * its limits (reported as the end minus the shortest match). 0 normally.
 */
size_t patset_scratch_misses(const struct patset_scratch *sc);

/*
 * Called for every match [from, to) of expression id in the scanned view:
 * one call per end, with the leftmost start of a match ending there (what
 * Hyperscan's HS_FLAG_SOM_LEFTMOST reports). Return 0 to go on, non-zero
 * to stop this scan.
 */
typedef int (*patset_match_fn)(unsigned id, size_t from, size_t to, void *ud);

/*
 * Scans s (len bytes of valid UTF-8) with view v's database. PRC_OK also
 * when fn stopped the scan; PRC_OK at once when v has no database.
 * PRC_INTERNAL when Hyperscan fails. Thread-safe with one scratch per thread.
 */
enum prc patset_scan(const struct patset *ps, int v, struct patset_scratch *sc, const char *s,
		     size_t len, patset_match_fn fn, void *ud, struct err *e);

#endif
