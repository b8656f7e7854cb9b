/*
 * traps.c - keeping a crawl finite on a web that is built to make it
 * infinite.
 *
 * DESIGN
 *
 * Traps come in two kinds. Some show in the URL alone: absurd length, a
 * path hundreds of segments deep, a relative link that appends itself
 * (/a/b/a/b/a/b/...). traps_check_url refuses those on sight, anywhere.
 * Others only show in numbers: a calendar has a next month forever, a shop
 * has every sort order of every filter. Each of their URLs looks fine; there
 * are just too many. traps_admit counts them, calendar-like URLs per host
 * and distinct query strings per host and path, and refuses past a budget,
 * so a trap costs a bounded number of fetches and the rest of the host is
 * still crawled. Session ids, the third classic, are stripped earlier, in
 * URL canonicalization, so they never make URLs distinct.
 *
 * The counts are per process: with several processes a trap may cost up to
 * that many budgets, still bounded.
 */
#include "crawler/traps.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/hash.h"
#include "util/hcount.h"

static const char *const refusal_names[REFUSE_COUNT] = {
	"none",       "robots",         "scope",       "depth",        "nofollow",
	"pattern",    "url-length",     "path-depth",  "repeated-segments", "calendar",
	"query-variants", "host-budget", "redirects",  "address",      "host-parked",
};

const char *refusal_name(enum refusal r)
{
	return r < REFUSE_COUNT ? refusal_names[r] : "unknown";
}

void trap_limits_init(struct trap_limits *l)
{
	l->max_url_length = 2048;
	l->max_path_depth = 16;
	l->max_repeated_segments = 3;
	l->max_calendar = 200;
	l->max_query_variants = 100;
}

/* Start of the path ("/...") of a canonical absolute URL, or NULL. */
static const char *url_path(const char *canon)
{
	const char *p = strstr(canon, "://");

	if (!p)
		return NULL;
	return strchr(p + 3, '/');
}

enum refusal traps_check_url(const struct trap_limits *l, const char *canon)
{
	const char *path = url_path(canon), *seg, *end;
	const char *segs[64];
	size_t lens[64];
	int depth = 0, i;

	if (l->max_url_length && strlen(canon) > l->max_url_length)
		return REFUSE_URL_LENGTH;
	if (!path)
		return REFUSE_NONE;
	end = path + strcspn(path, "?");
	for (seg = path + 1; seg < end;) {
		const char *next = memchr(seg, '/', (size_t)(end - seg));
		size_t len = next ? (size_t)(next - seg) : (size_t)(end - seg);
		int same = 1;

		if (len || next) {
			depth++;
			if (l->max_path_depth && depth > l->max_path_depth)
				return REFUSE_PATH_DEPTH;
			for (i = 0; i < depth - 1 && i < 64; i++)
				if (lens[i] == len && !memcmp(segs[i], seg, len))
					same++;
			if (l->max_repeated_segments && len && same > l->max_repeated_segments)
				return REFUSE_REPEATED;
			if (depth - 1 < 64) {
				segs[depth - 1] = seg;
				lens[depth - 1] = len;
			}
		}
		if (!next)
			break;
		seg = next + 1;
	}
	return REFUSE_NONE;
}

/* A year 1900..2099 at s followed by a month 01..12 (optionally after one of -/_.). */
static int year_month_at(const char *s)
{
	int y, m;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]))
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (y < 1900 || y > 2099)
		return 0;
	s += 4;
	if (*s == '-' || *s == '/' || *s == '_' || *s == '.')
		s++;
	if (!isdigit((unsigned char)s[0]))
		return 0;
	m = s[0] - '0';
	if (isdigit((unsigned char)s[1]))
		m = m * 10 + (s[1] - '0');
	else if (s[0] == '0')
		return 0;
	return m >= 1 && m <= 12;
}

int traps_calendar_like(const char *canon)
{
	static const char *const keys[] = { "year=", "month=", "date=", "day=", "ym=", "ymd=", "cal=" };
	const char *path = url_path(canon), *q, *p;
	size_t i;

	if (!path)
		return 0;
	for (p = path; *p && *p != '?'; p++) {
		/* a year starts a number: not preceded by a digit */
		if (p > path && isdigit((unsigned char)p[-1]))
			continue;
		if (year_month_at(p))
			return 1;
		/* a path segment that is a year alone: /archive/2026/ */
		if (p[-1] == '/' && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
		    (p[4] == '/' || p[4] == '\0' || p[4] == '?') && (p[0] == '1' || p[0] == '2') &&
		    ((p[0] == '1' && p[1] == '9') || (p[0] == '2' && p[1] == '0')))
			return 1;
	}
	for (; *p; p++) {
		if (isdigit((unsigned char)p[-1]))
			continue;
		if (year_month_at(p))
			return 1;
	}
	q = strchr(path, '?');
	for (; q && *q; q = strchr(q + 1, '&')) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncasecmp(q + 1, keys[i], strlen(keys[i])))
				return 1;
	}
	return 0;
}

struct traps {
	struct trap_limits l;
	struct hcount *counts;
};

struct traps *traps_new(const struct trap_limits *l)
{
	struct traps *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->l = *l;
	t->counts = hcount_new();
	if (!t->counts) {
		free(t);
		return NULL;
	}
	return t;
}

void traps_free(struct traps *t)
{
	if (!t)
		return;
	hcount_free(t->counts);
	free(t);
}

enum refusal traps_admit(struct traps *t, const char *canon)
{
	const char *path = url_path(canon), *q;
	uint64_t key;

	if (!path)
		return REFUSE_NONE;
	if (t->l.max_calendar && traps_calendar_like(canon)) {
		/* key: "calendar" + origin */
		key = hash64(canon, (size_t)(path - canon)) ^ 0x63616c656e646172ULL;
		if (hcount_incr(t->counts, key) > (uint32_t)t->l.max_calendar)
			return REFUSE_CALENDAR;
	}
	q = strchr(path, '?');
	if (t->l.max_query_variants && q) {
		key = hash64(canon, (size_t)(q - canon));
		if (hcount_incr(t->counts, key) > (uint32_t)t->l.max_query_variants)
			return REFUSE_QUERY_VARIANTS;
	}
	return REFUSE_NONE;
}
