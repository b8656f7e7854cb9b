/* traps.h - crawler-trap defenses: URL families judged by what they serve, hard bounds on URL shape, refusal reasons. */
#ifndef PATROL_TRAPS_H
#define PATROL_TRAPS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Why a URL was not fetched. Counted by reason in the crawl summary; stored in urls.reason. */
enum refusal {
	REFUSE_NONE = 0,
	REFUSE_ROBOTS,
	REFUSE_SCOPE,
	REFUSE_DEPTH,
	REFUSE_NOFOLLOW,
	REFUSE_PATTERN,        /* --allow-url / --deny-url */
	REFUSE_URL_LENGTH,
	REFUSE_PATH_DEPTH,
	REFUSE_REPEATED,       /* a path segment repeated */
	REFUSE_CALENDAR,
	REFUSE_QUERY_VARIANTS,
	REFUSE_HOST_BUDGET,
	REFUSE_REDIRECTS,
	REFUSE_ADDRESS,        /* the SSRF guard */
	REFUSE_HOST_PARKED,
	REFUSE_TRAP,           /* a URL family judged a trap by what it served */
	REFUSE_COUNT
};

/* The reason's name as stored and printed ("robots", "calendar", ...). */
const char *refusal_name(enum refusal r);

struct trap_limits {
	size_t max_url_length;     /* bytes of the canonical URL; 0: none */
	int max_path_depth;        /* path segments; 0: none */
	int max_repeated_segments; /* times one segment may appear in a path; 0: none */
	long max_calendar;         /* calendar-like URLs per host; 0: none */
	long max_query_variants;   /* distinct queries per host and path; 0: none */
	int family_sample;         /* pages of a URL family fetched before it can be judged; 0: never */
};

/* Fills l with the defaults: 2048, 16, 3, no calendar or query-variant count, sample 8. */
void trap_limits_init(struct trap_limits *l);

/*
 * The shape checks that need no memory of other URLs: length, path depth,
 * repeated path segments (/a/b/a/b/a/b/a/...). REFUSE_NONE when canon passes.
 * Thread-safe.
 */
enum refusal traps_check_url(const struct trap_limits *l, const char *canon);

/*
 * Whether canon looks like a page of a calendar: a year and month in the
 * path or query (/2026/11/, 2026-11-22, 202611), or date-named query
 * parameters (year=, month=, date=, day=, ym=, ymd=). Thread-safe.
 */
int traps_calendar_like(const char *canon);

/*
 * The family of a canonical URL: its origin, its path with numbers and ids
 * abstracted ("/news/N/N/N.html", "/item/I") and runs of one segment folded
 * ("/calendar/next+/"), and its parameter names in order without values
 * ("?bbs&key"). Writes a NUL-terminated key of at most cap bytes into out
 * (cut if longer) and returns its length. Thread-safe.
 */
size_t traps_family(const char *canon, char *out, size_t cap);

/*
 * What a page says, in a form cheap to compare: the TRAP_SKETCH smallest
 * distinct hashes of its shingles (three characters, spaces ignored, every
 * run of digits read as one digit, so that "2026年11月" and "2027年1月" read
 * alike), a bottom-k sketch. Two sketches estimate how much text two pages
 * share (Jaccard similarity); for short texts the estimate is exact.
 */
#define TRAP_SKETCH 64
struct trap_sketch {
	uint64_t h[TRAP_SKETCH]; /* ascending */
	int n;
};

/* Sketches text (UTF-8, at most its first 256 KiB are read) into *s. Thread-safe. */
void traps_sketch(const char *text, size_t len, struct trap_sketch *s);

/* The estimated Jaccard similarity of two sketched texts, 0..1 (two empty texts: 1). */
double traps_similarity(const struct trap_sketch *a, const struct trap_sketch *b);

/*
 * The checks that need memory of a crawl: URL families and what their pages
 * served, and the optional per-host counts of calendar-like URLs and of
 * distinct queries per path. One struct traps serves a crawl process; every
 * function takes its lock, so the writer (which admits new URLs and observes
 * stored pages) and the fetch thread (which asks before each request) may
 * share it.
 */
struct traps;

struct traps *traps_new(const struct trap_limits *l); /* NULL without memory */
void traps_free(struct traps *t);                      /* NULL is fine */

/*
 * A URL not seen before: counts it against the optional calendar and query
 * limits and refuses it when its family is a trap.
 */
enum refusal traps_admit(struct traps *t, const char *canon);

/*
 * A page of canon was fetched (status 200) and says *sk. Returns 1 when this
 * page made its family a trap, 0 otherwise. A page repeats its family when
 * its text is for the most part (similarity >= 0.85) that of one of the
 * family's last pages; a family is a trap when three in four or more of its
 * last 16 pages (at least family_sample) repeated: fetching more of it
 * brings nothing new. A board of distinct threads under one script stays
 * open however large it grows.
 */
int traps_observe(struct traps *t, const char *canon, const struct trap_sketch *sk);

/* Whether canon's family is a trap now. */
int traps_is_trap(struct traps *t, const char *canon);

/* Marks a family (a traps_family key) a trap with reason (a verdict kept from an earlier run). */
void traps_mark(struct traps *t, const char *family, const char *reason);

/* A family's figures and verdict, for the summary and the database. */
struct trap_family {
	char family[512];
	long fetched;   /* pages observed */
	long repeats;   /* of which near-duplicates of earlier ones */
	int trap;
	char reason[160];
};

/*
 * The families worth reporting (traps, and open families of at least
 * family_sample pages), traps first, then by pages. *out is malloc'd (free
 * it); *n says how many. PRC_NOMEM without memory.
 */
enum prc traps_report(struct traps *t, struct trap_family **out, size_t *n);

#endif
