/*
 * robots.c - robots.txt by RFC 9309, for one product token at a time.
 *
 * A site's robots.txt is fetched once per origin and then asked about every
 * URL the frontier wants to hand out for that origin, so the work is split:
 * robots_parse() reads the body once, keeps only the rules of the groups that
 * apply to our agent (or the "*" groups), normalizes their percent-encoding
 * and sorts them by priority; robots_allowed() is then a read-only walk over
 * that sorted array that stops at the first matching rule.
 *
 * Parsing follows RFC 9309 and tolerates what Google's parser tolerates: a
 * UTF-8 BOM, CR, LF and CRLF line ends, comments, whitespace around keys and
 * values, keys in any case and the frequent misspellings of "user-agent" and
 * "disallow". A line without a colon is skipped, as are values of allow and
 * disallow that start with neither '/' nor '*' (they can never match a path).
 * Only an allow or disallow line ends the user-agent list of a group (RFC
 * 9309 section 2.2.4: other records, sitemap included, MUST NOT end a group),
 * so "user-agent: a / sitemap: x / user-agent: b / disallow: /" is one group
 * for a and b. A Crawl-delay applies to the whole group it is in, whatever
 * user-agent lines come after it, so it is kept until the group ends.
 *
 * DESIGN - matching. The priority of a rule is the length in octets of its
 * normalized pattern; the rule with the highest priority that matches wins,
 * Allow before Disallow on a tie. Rules are sorted that way at parse time, so
 * the first match decides. A pattern is split at its '*' wildcards into
 * literal segments: the first segment must be a prefix of the path, every
 * further one is searched for, leftmost first, after the end of the previous
 * one, and with a '$' anchor the last segment must be a suffix at or after
 * that point. Taking the leftmost occurrence of each segment leaves the most
 * room for the rest, so this decides a '*'-only glob exactly without ever
 * backtracking; the search is Knuth-Morris-Pratt, so one rule costs
 * O(path + pattern) whatever the pattern ("*a*a*a*a...b" included). Patterns
 * are not capped: a rule is as long as its line in the parsed window (RFC
 * 9309 section 2.5), and a segment longer than the path is never searched.
 * A rule costs 16 bytes plus its pattern, all in the one allocation of
 * struct robots.
 *
 * Percent-encoding is normalized the same way on rules and paths: %XX of an
 * unreserved character is decoded, other %XX get uppercase hex, and bytes
 * outside printable ASCII are encoded. A literal '*' or '$' in a path is
 * encoded as %2A or %24 so that a rule can name it (RFC 9309 section 2.2.3)
 * while the bare characters in a rule stay special.
 */
#include "crawler/robots.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/hex.h"

/* A rule: a slice of the shared pattern bytes plus what it decides. */
struct robots_rule {
	uint32_t off;     /* offset of the pattern in robots.pat */
	uint32_t len;     /* pattern bytes: '*' kept (runs collapsed), '$' anchor dropped */
	uint32_t prio;    /* normalized length as written, the match priority */
	uint8_t allow;    /* 1 Allow, 0 Disallow */
	uint8_t anchored; /* pattern ended with '$' */
};

/* One allocation: the struct, then the rules, then the pattern bytes. */
struct robots {
	long delay_ms;
	size_t nrules;
	struct robots_rule *rules;
	char *pat;
};

/* Rules collected for one side while parsing: our agent, or "*". */
struct robots_set {
	struct buf rules; /* array of struct robots_rule */
	struct buf pat;
	long delay_ms;
};

struct robots_parser {
	const char *agent; /* our product token */
	size_t agent_len;
	int in_agents;     /* no allow or disallow line since the last user-agent line */
	int cur_specific;  /* the current group names our agent */
	int cur_global;    /* the current group names "*" */
	int seen_specific; /* some group names our agent */
	long cur_delay_ms; /* the current group's Crawl-delay, -1 when none */
	struct robots_set spec, glob;
};

enum robots_key { KEY_OTHER, KEY_AGENT, KEY_ALLOW, KEY_DISALLOW, KEY_DELAY };

static const char hexdig[] = "0123456789ABCDEF";

static int is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Normalizes the one unit at s[*i] (a %XX escape or a single byte) into out,
 * which has room for 3 bytes; returns the bytes written and advances *i.
 * '*' and '$' are encoded: callers that give them meaning handle them first.
 */
static size_t norm_unit(const unsigned char *s, size_t n, size_t *i, char *out)
{
	unsigned char c = s[*i];
	unsigned v;

	if (c == '%' && *i + 2 < n && hex_value(s[*i + 1]) >= 0 && hex_value(s[*i + 2]) >= 0) {
		v = (unsigned)(hex_value(s[*i + 1]) * 16 + hex_value(s[*i + 2]));
		*i += 3;
		if (is_unreserved((unsigned char)v)) {
			out[0] = (char)v;
			return 1;
		}
	} else if (c <= 0x20 || c >= 0x7f || c == '*' || c == '$') {
		v = c;
		*i += 1;
	} else {
		out[0] = (char)c;
		*i += 1;
		return 1;
	}
	out[0] = '%';
	out[1] = hexdig[v >> 4];
	out[2] = hexdig[v & 15];
	return 3;
}

static int slice_ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!lit[i] || lower((unsigned char)s[i]) != (unsigned char)lit[i])
			return 0;
	return lit[n] == '\0';
}

static enum robots_key key_kind(const char *k, size_t n)
{
	static const char *const agent[] = { "user-agent", "useragent", "user agent", NULL };
	static const char *const disallow[] = { "disallow", "dissallow", "dissalow", "disalow",
						 "diasllow", "disallaw", NULL };
	static const char *const delay[] = { "crawl-delay", "crawldelay", "crawl delay",
					     "crawl_delay", NULL };
	size_t i;

	for (i = 0; agent[i]; i++)
		if (slice_ieq(k, n, agent[i]))
			return KEY_AGENT;
	if (slice_ieq(k, n, "allow"))
		return KEY_ALLOW;
	for (i = 0; disallow[i]; i++)
		if (slice_ieq(k, n, disallow[i]))
			return KEY_DISALLOW;
	for (i = 0; delay[i]; i++)
		if (slice_ieq(k, n, delay[i]))
			return KEY_DELAY;
	return KEY_OTHER;
}

/*
 * The product token at the start of s: RFC 9309 allows letters, '-' and '_';
 * digits are accepted too so that a token such as "bot2" is not cut short.
 */
static size_t token_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			break;
	}
	return i;
}

static void set_init(struct robots_set *set)
{
	/* The parsed window bounds both: at most 3 pattern bytes per input byte. */
	buf_init(&set->rules, (size_t)ROBOTS_MAX_BYTES * sizeof(struct robots_rule));
	buf_init(&set->pat, (size_t)ROBOTS_MAX_BYTES * 3);
	set->delay_ms = -1;
}

static void set_release(struct robots_set *set)
{
	buf_release(&set->rules);
	buf_release(&set->pat);
}

/* Adds an allow or disallow value to set. PRC_NOMEM is the only failure. */
static enum prc set_add_rule(struct robots_set *set, const char *v, size_t n, int allow)
{
	struct robots_rule rule;
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0, start = set->pat.len, len, prio = 0, w;
	int anchored = 0, star = 0;
	char unit[3];
	enum prc rc;

	/*
	 * An empty value (RFC 9309: an empty Disallow allows everything) and
	 * values that cannot start a path match nothing and are not kept.
	 */
	if (n == 0 || (v[0] != '/' && v[0] != '*'))
		return PRC_OK;
	if (v[n - 1] == '$') {
		anchored = 1;
		n--;
	}
	while (i < n) {
		if (v[i] == '*') {
			i++;
			prio++;
			if (star)
				continue;
			unit[0] = '*';
			w = 1;
			star = 1;
		} else {
			w = norm_unit(s, n, &i, unit);
			prio += w;
			star = 0;
		}
		rc = buf_add(&set->pat, unit, w);
		if (rc != PRC_OK)
			return rc;
	}
	len = set->pat.len - start;
	/* Matching is by prefix, so a trailing '*' adds nothing but priority. */
	if (!anchored && star) {
		len--;
		set->pat.len--;
	}
	rule.off = (uint32_t)start;
	rule.len = (uint32_t)len;
	rule.prio = (uint32_t)(prio + (size_t)anchored);
	rule.allow = (uint8_t)allow;
	rule.anchored = (uint8_t)anchored;
	return buf_add(&set->rules, &rule, sizeof(rule));
}

/*
 * Parses a Crawl-delay value: seconds, optionally with a fraction
 * ("0.5"). Returns milliseconds, clamped to ROBOTS_MAX_CRAWL_DELAY_MS, or -1
 * when v is not such a number.
 */
static long parse_delay(const char *v, size_t n)
{
	long ms = 0, scale = 100;
	size_t i = 0;
	int digits = 0;

	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++)
		if (ms <= ROBOTS_MAX_CRAWL_DELAY_MS)
			ms = ms * 10 + (v[i] - '0') * 1000;
	if (i < n && v[i] == '.') {
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
			ms += (v[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (!digits || i != n)
		return -1;
	return ms > ROBOTS_MAX_CRAWL_DELAY_MS ? ROBOTS_MAX_CRAWL_DELAY_MS : ms;
}

/* The set the current group's records go to, or NULL when it is not ours. */
static struct robots_set *cur_set(struct robots_parser *p)
{
	/* Once a group names our agent, the "*" groups no longer matter. */
	if (p->cur_specific)
		return &p->spec;
	if (p->cur_global && !p->seen_specific)
		return &p->glob;
	return NULL;
}

/* Ends the current group: its Crawl-delay goes to the set it applies to. */
static void end_group(struct robots_parser *p)
{
	struct robots_set *set = cur_set(p);

	/* Several delays for us (merged groups): the politest wins. */
	if (set && p->cur_delay_ms > set->delay_ms)
		set->delay_ms = p->cur_delay_ms;
	p->cur_specific = p->cur_global = 0;
	p->cur_delay_ms = -1;
}

static void on_agent(struct robots_parser *p, const char *v, size_t n)
{
	size_t t;

	if (!p->in_agents) {
		end_group(p);
		p->in_agents = 1;
	}
	/* As in Google's parser, "* anything" still names every crawler. */
	if (n >= 1 && v[0] == '*' && (n == 1 || is_space((unsigned char)v[1]))) {
		p->cur_global = 1;
		return;
	}
	t = token_len(v, n);
	if (t && t == p->agent_len && !strncasecmp(v, p->agent, t))
		p->cur_specific = p->seen_specific = 1;
}

static void trim(const char **b, const char **e)
{
	while (*b < *e && is_space((unsigned char)**b))
		(*b)++;
	while (*e > *b && is_space((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Handles the line [b, e), without its line end. */
static enum prc parse_line(struct robots_parser *p, const char *b, const char *e)
{
	const char *hash = memchr(b, '#', (size_t)(e - b)), *colon, *kb, *ke, *vb, *ve;
	struct robots_set *set;
	enum robots_key kind;
	long d;

	if (hash)
		e = hash;
	/* "Disallow /x" is not a rule: without a colon the line is junk. */
	colon = memchr(b, ':', (size_t)(e - b));
	if (!colon)
		return PRC_OK;
	kb = b;
	ke = colon;
	trim(&kb, &ke);
	if (kb == ke)
		return PRC_OK;
	vb = colon + 1;
	ve = e;
	trim(&vb, &ve);
	kind = key_kind(kb, (size_t)(ke - kb));
	if (kind == KEY_AGENT) {
		on_agent(p, vb, (size_t)(ve - vb));
		return PRC_OK;
	}
	if (kind == KEY_OTHER)
		return PRC_OK;
	if (kind == KEY_DELAY) {
		d = parse_delay(vb, (size_t)(ve - vb));
		if (d > p->cur_delay_ms)
			p->cur_delay_ms = d;
		return PRC_OK;
	}
	/* A rule ends the user-agent list: the next user-agent line starts a group. */
	p->in_agents = 0;
	set = cur_set(p);
	if (!set)
		return PRC_OK;
	return set_add_rule(set, vb, (size_t)(ve - vb), kind == KEY_ALLOW);
}

static int rule_cmp(const void *a, const void *b)
{
	const struct robots_rule *x = a, *y = b;

	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	if (x->allow != y->allow)
		return x->allow ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

static struct robots *robots_build(const struct robots_rule *rules, size_t nrules,
				   const char *pat, size_t patlen, long delay_ms)
{
	size_t rsize = nrules * sizeof(*rules);
	struct robots *r = malloc(sizeof(*r) + rsize + patlen + 1);

	if (!r)
		return NULL;
	r->delay_ms = delay_ms;
	r->nrules = nrules;
	r->rules = (struct robots_rule *)(r + 1);
	r->pat = (char *)r->rules + rsize;
	if (rsize)
		memcpy(r->rules, rules, rsize);
	if (patlen)
		memcpy(r->pat, pat, patlen);
	r->pat[patlen] = '\0';
	if (nrules > 1)
		qsort(r->rules, nrules, sizeof(*rules), rule_cmp);
	return r;
}

struct robots *robots_parse(const char *body, size_t len, const char *agent)
{
	struct robots_parser p;
	struct robots_set *set;
	struct robots *r = NULL;
	const char *s, *end, *eol;
	size_t n = len;

	if (!body || !len)
		return robots_allow_all();
	memset(&p, 0, sizeof(p));
	p.cur_delay_ms = -1;
	set_init(&p.spec);
	set_init(&p.glob);
	if (!agent)
		agent = "";
	p.agent = agent;
	p.agent_len = token_len(agent, strlen(agent));
	if (n > ROBOTS_MAX_BYTES) {
		n = ROBOTS_MAX_BYTES;
		/* A line cut by the limit could mean something else: drop it. */
		if (body[n] != '\n' && body[n] != '\r')
			while (n && body[n - 1] != '\n' && body[n - 1] != '\r')
				n--;
	}
	s = body;
	end = body + n;
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	while (s < end) {
		for (eol = s; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
		if (parse_line(&p, s, eol) != PRC_OK)
			goto out;
		s = eol;
		if (s < end && *s == '\r')
			s++;
		if (s < end && *s == '\n')
			s++;
	}
	end_group(&p);
	set = p.seen_specific ? &p.spec : &p.glob;
	r = robots_build((const struct robots_rule *)(void *)set->rules.ptr,
			 set->rules.len / sizeof(struct robots_rule), set->pat.ptr, set->pat.len,
			 set->delay_ms);
out:
	set_release(&p.spec);
	set_release(&p.glob);
	return r;
}

struct robots *robots_allow_all(void)
{
	return robots_build(NULL, 0, NULL, 0, -1);
}

struct robots *robots_disallow_all(void)
{
	/* The empty pattern is a prefix of every path. */
	static const struct robots_rule all = { 0, 0, 1, 0, 0 };

	return robots_build(&all, 1, NULL, 0, -1);
}

void robots_free(struct robots *r)
{
	free(r);
}

/*
 * Offset of the first occurrence of needle in hay, -1 when there is none, -2
 * without memory: Knuth-Morris-Pratt, linear in both lengths. The failure
 * table of a long needle is on the heap; that happens only for a path longer
 * than the needle.
 */
static ptrdiff_t seg_find(const char *hay, size_t hn, const char *nd, size_t nn)
{
	uint32_t small[512], *fail = small;
	ptrdiff_t at = -1;
	const char *q;
	size_t i, k;

	if (nn == 0)
		return 0;
	if (nn > hn)
		return -1;
	if (nn == 1) {
		q = memchr(hay, nd[0], hn);
		return q ? q - hay : -1;
	}
	if (nn > sizeof(small) / sizeof(small[0])) {
		fail = malloc(nn * sizeof(*fail));
		if (!fail)
			return -2;
	}
	fail[0] = 0;
	for (i = 1, k = 0; i < nn; i++) {
		while (k && nd[i] != nd[k])
			k = fail[k - 1];
		if (nd[i] == nd[k])
			k++;
		fail[i] = (uint32_t)k;
	}
	for (i = 0, k = 0; i < hn; i++) {
		while (k && hay[i] != nd[k])
			k = fail[k - 1];
		if (hay[i] == nd[k])
			k++;
		if (k == nn) {
			at = (ptrdiff_t)(i + 1 - nn);
			break;
		}
	}
	if (fail != small)
		free(fail);
	return at;
}

/*
 * Does rule ru match the normalized path? 1 yes, 0 no, -1 without memory.
 * See DESIGN at the top.
 */
static int rule_match(const struct robots *r, const struct robots_rule *ru, const char *path,
		      size_t n)
{
	const char *p = r->pat + ru->off, *pe = p + ru->len, *star;
	size_t pos, seg;
	ptrdiff_t at;

	star = memchr(p, '*', ru->len);
	seg = (size_t)((star ? star : pe) - p);
	if (seg > n || memcmp(path, p, seg))
		return 0;
	pos = seg;
	if (!star)
		return !ru->anchored || pos == n;
	for (;;) {
		p = star + 1;
		star = memchr(p, '*', (size_t)(pe - p));
		seg = (size_t)((star ? star : pe) - p);
		if (!star && ru->anchored)
			return n - pos >= seg && !memcmp(path + n - seg, p, seg);
		at = seg_find(path + pos, n - pos, p, seg);
		if (at < 0)
			return at == -2 ? -1 : 0;
		if (!star)
			return 1;
		pos += (size_t)at + seg;
	}
}

static size_t normalize_path(const char *in, size_t n, char *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, len = 0;

	while (i < n)
		len += norm_unit(s, n, &i, out + len);
	return len;
}

int robots_allowed(const struct robots *r, const char *path_query)
{
	char small[4096], *path = small;
	size_t n, plen, i;
	int allowed = 1;

	/* Without rules there is nothing to go by; refusing is the polite side. */
	if (!r)
		return 0;
	if (!path_query || !*path_query)
		path_query = "/";
	n = strlen(path_query);
	if (n > (sizeof(small) - 1) / 3) {
		/* Out of memory we cannot decide, and refuse for now. */
		if (n > ((size_t)-1 - 1) / 3)
			return 0;
		path = malloc(n * 3 + 1);
		if (!path)
			return 0;
	}
	plen = normalize_path(path_query, n, path);
	if (plen >= 11 && !memcmp(path, "/robots.txt", 11) && (plen == 11 || path[11] == '?'))
		goto out;
	for (i = 0; i < r->nrules; i++) {
		int m = rule_match(r, &r->rules[i], path, plen);

		/* Out of memory we cannot decide, and refuse for now. */
		if (m < 0) {
			allowed = 0;
			break;
		}
		if (m) {
			allowed = r->rules[i].allow;
			break;
		}
	}
out:
	if (path != small)
		free(path);
	return allowed;
}

long robots_crawl_delay_ms(const struct robots *r)
{
	return r ? r->delay_ms : -1;
}

size_t robots_rule_count(const struct robots *r)
{
	return r ? r->nrules : 0;
}
