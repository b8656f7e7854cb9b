/* traps.h - crawler-trap defenses: limits on URL shape, calendars and query explosions, and refusal reasons. */
#ifndef PATROL_TRAPS_H
#define PATROL_TRAPS_H

#include <stddef.h>

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
};

/* Fills l with the defaults: 2048, 16, 3, 200, 100. */
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
 * The checks that count: calendar-like URLs per host and distinct queries
 * per host and path. Not thread-safe: one owner (the crawl's writer, which
 * sees every new URL once, after de-duplication).
 */
struct traps;

struct traps *traps_new(const struct trap_limits *l); /* NULL without memory */
void traps_free(struct traps *t);                      /* NULL is fine */

/* Counts canon (a URL not seen before) and says whether it is still within the limits. */
enum refusal traps_admit(struct traps *t, const char *canon);

#endif
