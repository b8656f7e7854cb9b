/* robots.h - robots.txt parsing and matching by RFC 9309. */
#ifndef PATROL_ROBOTS_H
#define PATROL_ROBOTS_H

#include <stddef.h>

#define ROBOTS_MAX_BYTES (512 * 1024) /* parse at least 500 KiB, as RFC 9309 asks */
#define ROBOTS_MAX_CRAWL_DELAY_MS (86400L * 1000) /* larger Crawl-delay values are clamped */

/*
 * The rules of one robots.txt that apply to one product token. Immutable
 * once built: safe to share between threads read-only.
 */
struct robots;

/*
 * Parses a robots.txt body (any bytes; only the first ROBOTS_MAX_BYTES are
 * read; a BOM, CR/LF/CRLF, comments and junk lines are handled) for the
 * product token agent (e.g. "patrol"; matched case-insensitively against
 * user-agent lines, which may carry a version "patrol/1.0"). The groups
 * naming the agent are merged; without one, the "*" groups apply; without
 * either, everything is allowed. Returns NULL only without memory.
 */
struct robots *robots_parse(const char *body, size_t len, const char *agent);

/* A robots that allows everything (4xx robots.txt) or nothing (5xx, unreachable). NULL without memory. */
struct robots *robots_allow_all(void);
struct robots *robots_disallow_all(void);

/* Frees r. NULL is fine. */
void robots_free(struct robots *r);

/*
 * Returns 1 when path_query ("/a/b?x=1", percent-encoded as in the URL) may
 * be fetched, else 0: the longest matching rule wins ('*' wildcards, '$' end
 * anchor, percent-encoding compared normalized), Allow wins a tie, and
 * "/robots.txt" is always allowed.
 */
int robots_allowed(const struct robots *r, const char *path_query);

/* The Crawl-delay for this agent in milliseconds, or -1 when none was given. */
long robots_crawl_delay_ms(const struct robots *r);

/* Number of rules kept (for tests and statistics). */
size_t robots_rule_count(const struct robots *r);

#endif
