/*
 * traps.c - keeping a crawl finite on a web that is built to make it
 * infinite, without throwing away the parts of it that are just large.
 *
 * DESIGN
 *
 * Some traps show in the URL alone: absurd length, a path hundreds of
 * segments deep, a relative link that appends itself (/a/b/a/b/a/b/...).
 * traps_check_url refuses those on sight; with the per-host budget (counted
 * in the database, across processes) they are the hard backstop.
 *
 * The others (an endless calendar, every sort order of every search, one
 * page under ever new session or query variants) cannot be told from a
 * large board by the shape of their URLs: /bbs/read.cgi?bbs=X&key=N is a
 * thousand distinct threads on one site and a thousand copies of one empty
 * month on another. So they are judged by what they serve. URLs fall into
 * families (traps_family: origin, path with numbers and ids abstracted,
 * parameter names). The writer reports every stored page to its family with
 * a simhash of its text; a family whose recent pages are mostly
 * near-duplicates of pages it already served stops bringing anything new
 * and is cut: its new links are refused, and so are URLs of it already
 * queued, when their turn comes (the fetch thread asks traps_is_trap before
 * each request). A family stays open as long as it keeps serving new text,
 * whatever its size. The cost of a trap is about family_sample fetches per
 * family, plus what was in flight when the verdict fell.
 *
 * Calendar-like URLs and distinct queries per path can still be counted
 * against a budget (--max-calendar, --max-query-variants), off by default:
 * dated archives and boards are where real content is.
 *
 * Verdicts are per process and kept in the database by the crawl, so that
 * --resume and other processes of the job start from them.
 */
#include "crawler/traps.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/hash.h"
#include "util/hcount.h"

static const char *const refusal_names[REFUSE_COUNT] = {
	"none",       "robots",         "scope",       "depth",        "nofollow",
	"pattern",    "url-length",     "path-depth",  "repeated-segments", "calendar",
	"query-variants", "host-budget", "redirects",  "address",      "host-parked",
	"trap",
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
	l->max_calendar = 0;
	l->max_query_variants = 0;
	l->family_sample = 8;
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

/* ---- families ------------------------------------------------------- */

/* Appends c to out (cap bytes, NUL kept) at *n. */
static void key_put(char *out, size_t cap, size_t *n, char c)
{
	if (*n + 1 < cap)
		out[(*n)++] = c;
}

/*
 * One path segment, abstracted: digit runs become N, a segment that is an
 * id (8 or more letters and digits, digits among them) becomes I.
 */
static void key_segment(const char *seg, size_t len, char *out, size_t cap, size_t *n)
{
	size_t i, digits = 0, alnum = 0;

	for (i = 0; i < len; i++) {
		if (isdigit((unsigned char)seg[i]))
			digits++;
		if (isalnum((unsigned char)seg[i]))
			alnum++;
	}
	if (len >= 8 && digits >= 2 && digits < len && alnum == len) {
		key_put(out, cap, n, 'I');
		return;
	}
	for (i = 0; i < len; i++) {
		if (isdigit((unsigned char)seg[i])) {
			while (i + 1 < len && isdigit((unsigned char)seg[i + 1]))
				i++;
			key_put(out, cap, n, 'N');
		} else {
			key_put(out, cap, n, seg[i]);
		}
	}
}

size_t traps_family(const char *canon, char *out, size_t cap)
{
	const char *path = url_path(canon), *end, *seg, *q;
	size_t n = 0, prev_start = 0, prev_len = 0, names[64], nnames = 0, i, j;

	if (!cap)
		return 0;
	if (!path) {
		for (; *canon && n + 1 < cap; canon++)
			out[n++] = *canon;
		out[n] = '\0';
		return n;
	}
	for (; canon < path && n + 1 < cap; canon++)
		out[n++] = *canon;
	end = path + strcspn(path, "?");
	for (seg = path + 1;; ) {
		const char *next = memchr(seg, '/', (size_t)(end - seg));
		size_t len = next ? (size_t)(next - seg) : (size_t)(end - seg);
		size_t start;

		key_put(out, cap, &n, '/');
		start = n;
		key_segment(seg, len, out, cap, &n);
		/* /next/next/next/ and /next/ are one family: fold a segment that repeats the one before */
		if (prev_len && n - start == prev_len && out[start - 1] == '/' &&
		    !memcmp(out + start, out + prev_start, prev_len)) {
			n = start - 1;
			if (out[n - 1] != '+')
				key_put(out, cap, &n, '+');
		} else {
			prev_start = start;
			prev_len = n - start;
		}
		if (!next)
			break;
		seg = next + 1;
	}
	q = *end == '?' ? end + 1 : NULL;
	/* parameter names, in order, each once */
	while (q && *q && nnames < 64) {
		names[nnames++] = (size_t)(q - path);
		q = strchr(q, '&');
		if (q)
			q++;
	}
	for (i = 0; i < nnames; i++) {
		const char *a = path + names[i];
		size_t alen = strcspn(a, "=&");
		int dup = 0;

		for (j = 0; j < i && !dup; j++) {
			const char *b = path + names[j];

			dup = strcspn(b, "=&") == alen && !memcmp(a, b, alen);
		}
		if (dup)
			continue;
		key_put(out, cap, &n, i ? '&' : '?');
		for (j = 0; j < alen; j++)
			key_put(out, cap, &n, a[j]);
	}
	out[n] = '\0';
	return n;
}

/* The length of the UTF-8 character starting with byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Keeps h in s if it is among the TRAP_SKETCH smallest distinct hashes so far. */
static void sketch_add(struct trap_sketch *s, uint64_t h)
{
	int i, j;

	if (s->n == TRAP_SKETCH && h >= s->h[TRAP_SKETCH - 1])
		return;
	for (i = 0; i < s->n && s->h[i] < h; i++)
		;
	if (i < s->n && s->h[i] == h)
		return;
	j = s->n < TRAP_SKETCH ? s->n++ : TRAP_SKETCH - 1;
	for (; j > i; j--)
		s->h[j] = s->h[j - 1];
	s->h[i] = h;
}

void traps_sketch(const char *text, size_t len, struct trap_sketch *sk)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t lens[3] = { 0, 0, 0 }, i = 0, have = 0;
	unsigned char ch[3][4];

	sk->n = 0;
	if (len > 256 * 1024)
		len = 256 * 1024;
	while (i < len) {
		size_t cl = utf8_len(s[i]), k, m = 0;
		unsigned char sh[12];

		if (i + cl > len)
			break;
		/* separators are not content: spaces, tabs, newlines, the ideographic space */
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
		    (cl == 3 && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)) {
			i += cl;
			continue;
		}
		if (isdigit(s[i])) {
			/* a number is a number: dates, counters and ids do not make a page new */
			while (i + 1 < len && isdigit(s[i + 1]))
				i++;
		}
		memmove(ch[0], ch[1], sizeof(ch[0]) * 2);
		memmove(lens, lens + 1, sizeof(lens[0]) * 2);
		memcpy(ch[2], isdigit(s[i]) ? (const unsigned char *)"0" : s + i, isdigit(s[i]) ? 1 : cl);
		lens[2] = isdigit(s[i]) ? 1 : cl;
		i += isdigit(s[i]) ? 1 : cl;
		if (++have < 3)
			continue;
		for (k = 0; k < 3; k++) {
			memcpy(sh + m, ch[k], lens[k]);
			m += lens[k];
		}
		sketch_add(sk, hash64(sh, m));
	}
	if (have > 0 && have < 3) {
		/* a text of one or two characters is one shingle */
		unsigned char sh[12];
		size_t k, m = 0;

		for (k = 3 - have; k < 3; k++) {
			memcpy(sh + m, ch[k], lens[k]);
			m += lens[k];
		}
		sketch_add(sk, hash64(sh, m));
	}
}

double traps_similarity(const struct trap_sketch *a, const struct trap_sketch *b)
{
	int i = 0, j = 0, taken = 0, both = 0;

	if (!a->n && !b->n)
		return 1.0;
	/* the smallest TRAP_SKETCH hashes of the union; those in both sketches are shared text */
	while (taken < TRAP_SKETCH && (i < a->n || j < b->n)) {
		if (j >= b->n || (i < a->n && a->h[i] < b->h[j])) {
			i++;
		} else if (i >= a->n || b->h[j] < a->h[i]) {
			j++;
		} else {
			both++;
			i++;
			j++;
		}
		taken++;
	}
	return taken ? (double)both / taken : 0.0;
}

#define FAM_WINDOW 16          /* the recent pages a verdict looks at */
#define FAM_KEEP 8             /* the last pages kept to compare a new one with */
#define FAM_SAME 0.85          /* similarity past which a page repeats another */
#define FAM_MAX (1u << 17)     /* families tracked per process; past it, new ones go unjudged */

struct family {
	uint64_t hash;
	char *key;
	long fetched, repeats;
	uint32_t window;           /* the last pages, newest in bit 0: 1 = a repeat */
	int nwindow;
	struct trap_sketch *kept;  /* the last pages that brought something new (up to FAM_KEEP) */
	int nkept, capkept, keptpos;
	int trap;
	char reason[160];
	struct family *next;
};

struct traps {
	pthread_mutex_t lock;
	struct trap_limits l;
	struct hcount *counts;
	struct family **buckets;
	size_t nbuckets, nfamilies;
};

struct traps *traps_new(const struct trap_limits *l)
{
	struct traps *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->l = *l;
	t->counts = hcount_new();
	t->nbuckets = 1024;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->counts || !t->buckets || pthread_mutex_init(&t->lock, NULL) != 0) {
		hcount_free(t->counts);
		free(t->buckets);
		free(t);
		return NULL;
	}
	return t;
}

void traps_free(struct traps *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		struct family *f = t->buckets[i], *next;

		for (; f; f = next) {
			next = f->next;
			free(f->kept);
			free(f->key);
			free(f);
		}
	}
	free(t->buckets);
	hcount_free(t->counts);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void grow(struct traps *t)
{
	size_t n = t->nbuckets * 2, i;
	struct family **b = calloc(n, sizeof(*b));

	if (!b)
		return; /* longer chains, still correct */
	for (i = 0; i < t->nbuckets; i++) {
		struct family *f = t->buckets[i], *next;

		for (; f; f = next) {
			next = f->next;
			f->next = b[f->hash & (n - 1)];
			b[f->hash & (n - 1)] = f;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

/* The family of key, created when create is set. Under the lock. */
static struct family *family_get(struct traps *t, const char *key, int create)
{
	uint64_t h = hash64(key, strlen(key));
	struct family *f;

	for (f = t->buckets[h & (t->nbuckets - 1)]; f; f = f->next)
		if (f->hash == h && !strcmp(f->key, key))
			return f;
	if (!create || t->nfamilies >= FAM_MAX)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = strdup(key);
	if (!f->key) {
		free(f);
		return NULL;
	}
	f->hash = h;
	f->next = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = f;
	if (++t->nfamilies > t->nbuckets)
		grow(t);
	return f;
}

enum refusal traps_admit(struct traps *t, const char *canon)
{
	const char *path = url_path(canon), *q;
	enum refusal why = REFUSE_NONE;
	char key[512];
	struct family *f;
	uint64_t h;

	if (!path)
		return REFUSE_NONE;
	traps_family(canon, key, sizeof(key));
	pthread_mutex_lock(&t->lock);
	f = family_get(t, key, 0);
	if (f && f->trap)
		why = REFUSE_TRAP;
	if (!why && t->l.max_calendar && traps_calendar_like(canon)) {
		/* key: "calendar" + origin */
		h = hash64(canon, (size_t)(path - canon)) ^ 0x63616c656e646172ULL;
		if (hcount_incr(t->counts, h) > (uint32_t)t->l.max_calendar)
			why = REFUSE_CALENDAR;
	}
	q = strchr(path, '?');
	if (!why && t->l.max_query_variants && q) {
		h = hash64(canon, (size_t)(q - canon));
		if (hcount_incr(t->counts, h) > (uint32_t)t->l.max_query_variants)
			why = REFUSE_QUERY_VARIANTS;
	}
	pthread_mutex_unlock(&t->lock);
	return why;
}

int traps_observe(struct traps *t, const char *canon, const struct trap_sketch *sk)
{
	char key[512];
	struct family *f;
	int i, repeat = 0, became = 0, recent, nrecent;

	traps_family(canon, key, sizeof(key));
	pthread_mutex_lock(&t->lock);
	f = family_get(t, key, 1);
	if (!f || f->trap)
		goto out;
	if (f->nkept == f->capkept && f->capkept < FAM_KEEP) {
		/* most families are one page: memory grows with the family */
		int ncap = f->capkept ? f->capkept * 2 : 1;
		struct trap_sketch *k = realloc(f->kept, (size_t)ncap * sizeof(*k));

		if (!k)
			goto out;
		f->kept = k;
		f->capkept = ncap;
		f->keptpos = f->nkept; /* the next page goes after the ones kept */
	}
	for (i = 0; i < f->nkept && !repeat; i++)
		repeat = traps_similarity(&f->kept[i], sk) >= FAM_SAME;
	f->fetched++;
	f->window = (f->window << 1) | (uint32_t)repeat;
	if (f->nwindow < FAM_WINDOW)
		f->nwindow++;
	if (repeat) {
		f->repeats++;
	} else {
		f->kept[f->keptpos] = *sk;
		f->keptpos = (f->keptpos + 1) % f->capkept;
		if (f->nkept < FAM_KEEP)
			f->nkept++;
	}
	nrecent = f->nwindow;
	recent = __builtin_popcount(f->window & ((1u << FAM_WINDOW) - 1));
	if (t->l.family_sample > 0 && f->fetched >= t->l.family_sample && recent * 4 >= nrecent * 3) {
		f->trap = became = 1;
		snprintf(f->reason, sizeof(f->reason),
			 "%d of its last %d pages repeat what it served before (%ld of %ld in all)", recent,
			 nrecent, f->repeats, f->fetched);
		/* a trap needs no memory of its pages any more */
		free(f->kept);
		f->kept = NULL;
		f->nkept = f->capkept = f->keptpos = 0;
	}
out:
	pthread_mutex_unlock(&t->lock);
	return became;
}

int traps_is_trap(struct traps *t, const char *canon)
{
	char key[512];
	struct family *f;
	int trap;

	traps_family(canon, key, sizeof(key));
	pthread_mutex_lock(&t->lock);
	f = family_get(t, key, 0);
	trap = f && f->trap;
	pthread_mutex_unlock(&t->lock);
	return trap;
}

void traps_mark(struct traps *t, const char *family, const char *reason)
{
	struct family *f;

	pthread_mutex_lock(&t->lock);
	f = family_get(t, family, 1);
	if (f) {
		f->trap = 1;
		snprintf(f->reason, sizeof(f->reason), "%s", reason ? reason : "judged a trap before");
	}
	pthread_mutex_unlock(&t->lock);
}

static int family_cmp(const void *va, const void *vb)
{
	const struct trap_family *a = va, *b = vb;

	if (a->trap != b->trap)
		return b->trap - a->trap;
	if (a->fetched != b->fetched)
		return a->fetched < b->fetched ? 1 : -1;
	return strcmp(a->family, b->family);
}

enum prc traps_report(struct traps *t, struct trap_family **out, size_t *n)
{
	struct trap_family *r = NULL;
	size_t i, k = 0, cap = 0;
	enum prc rc = PRC_OK;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nbuckets && rc == PRC_OK; i++) {
		struct family *f;

		for (f = t->buckets[i]; f; f = f->next) {
			if (!f->trap && (t->l.family_sample <= 0 || f->fetched < t->l.family_sample))
				continue;
			if (k == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct trap_family *nr = realloc(r, ncap * sizeof(*nr));

				if (!nr) {
					rc = PRC_NOMEM;
					break;
				}
				r = nr;
				cap = ncap;
			}
			snprintf(r[k].family, sizeof(r[k].family), "%s", f->key);
			r[k].fetched = f->fetched;
			r[k].repeats = f->repeats;
			r[k].trap = f->trap;
			if (f->trap)
				snprintf(r[k].reason, sizeof(r[k].reason), "%s", f->reason);
			else
				snprintf(r[k].reason, sizeof(r[k].reason), "%ld of %ld pages new", f->fetched - f->repeats,
					 f->fetched);
			k++;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (rc != PRC_OK) {
		free(r);
		return rc;
	}
	if (k)
		qsort(r, k, sizeof(*r), family_cmp);
	*out = r;
	*n = k;
	return PRC_OK;
}
