/*
 * recheck.c - `patrol recheck`: is the content still there?
 *
 * DESIGN
 *
 * Rechecks go through the crawler's own fetch path (fetcher.c: libcurl
 * multi, the SSRF guard on every connect, the body cap) and read pages the
 * way the crawl did (page.c: the same limits, the same classifier input),
 * so "still there" means what "flagged" meant. Politeness is per origin, as
 * in the crawl: targets are grouped by origin, an origin has at most one
 * transfer in flight (redirect hops included), and the next request to it waits
 * delay_ms after the last one ended. Everything runs on the calling thread:
 * a recheck pass is small next to a crawl, and the classifier, the fetcher
 * and the database connection are all single-threaded objects.
 *
 * A page is gone on the server's word (404, 410, 451), when its host has
 * stopped resolving for long enough (consecutive DNS failures, counted from
 * the stored rechecks, over at least dns_days: a resolver hiccup is not a
 * removal), or when its content no longer classifies in any category it was
 * flagged as; a removal notice is named as the reason then. Content that
 * still classifies is present, whatever notice text it also carries: a
 * board that deleted one post but not the others has not removed the ad.
 * Anything else (5xx, 403, timeouts) is inconclusive and changes nothing.
 */
#include "pipeline/recheck.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "classifiers/classify.h"
#include "crawler/fetcher.h"
#include "crawler/url.h"
#include "pipeline/page.h"
#include "store/recheckstore.h"
#include "util/arena.h"
#include "util/hash.h"

/* Phrases sites put where removed content was (matched as substrings; ASCII case-insensitively). */
static const char *const notices[] = {
	"削除されました",
	"削除しました",
	"この投稿は削除",
	"このページは削除",
	"この記事は削除",
	"このコンテンツは削除",
	"この動画は削除",
	"このスレッドは削除",
	"ページが見つかりません",
	"ページは見つかりません",
	"ページが見つかりませんでした",
	"このページは存在しません",
	"お探しのページは",
	"アカウントは凍結",
	"アカウントが凍結",
	"公開を停止しました",
	"This content has been removed",
	"This page has been removed",
	"This post has been removed",
	"This post has been deleted",
	"This content is no longer available",
	"This account has been suspended",
	"Page not found",
	NULL,
};

void recheck_opts_init(struct recheck_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->concurrency = 8;
	o->delay_ms = 1000;
	o->max_body = PAGE_MAX_BODY_DEFAULT;
	o->max_redirects = 5;
	o->dns_failures = 3;
	o->dns_days = 2;
	o->watch_days = 30;
	o->user_agent = "patrol/0.1 (+https://patrol.invalid/bot)";
}

int recheck_is_notice(const char *text)
{
	size_t i;

	for (i = 0; text && notices[i]; i++)
		if (strcasestr(text, notices[i]))
			return 1;
	return 0;
}

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* An origin's queue of targets. */
struct origin {
	const char *name;
	size_t first, count, next; /* its targets are t[first .. first + count) */
	int busy;
	int64_t next_ms;
};

/* A transfer in flight: which target, after how many redirects. */
struct hop {
	size_t target;
	struct origin *origin;
	int hops;
};

struct pass {
	struct db *d;
	const struct recheck_opts *o;
	struct recheck_stats *st;
	struct recheck_target *t;
	size_t nt;
	struct classifier *cl;
	struct url_opts uopts;
	struct page_limits limits; /* the crawl's, with this pass's body cap */
	struct fetcher *f;
	int max_active;            /* transfers in flight at most */
	struct origin *origins;    /* one per origin of the targets */
	size_t norigins;
	struct hop *hops;          /* one per target */
	size_t active, done;       /* transfers in flight; targets done with */
};

/* Whether any category of list a (comma-separated) is in list b. */
static int shares_category(const char *a, const char *b)
{
	const char *s = a;

	while (s && *s) {
		const char *end = strchr(s, ',');
		size_t n = end ? (size_t)(end - s) : strlen(s);
		const char *q = b;

		while (q && *q) {
			const char *qe = strchr(q, ',');
			size_t m = qe ? (size_t)(qe - q) : strlen(q);

			if (m == n && !strncmp(s, q, n))
				return 1;
			q = qe ? qe + 1 : NULL;
		}
		s = end ? end + 1 : NULL;
	}
	return 0;
}

/* The categories of nv verdicts, each once, comma-separated, in a; NULL without memory. */
static const char *category_list(struct arena *a, const struct verdict *v, size_t nv)
{
	struct buf cats;
	const char *out;
	size_t i;

	buf_init(&cats, 1 << 16);
	for (i = 0; i < nv; i++) {
		if (!shares_category(v[i].category, buf_str(&cats))) {
			if (cats.len)
				buf_addch(&cats, ',');
			buf_addstr(&cats, v[i].category);
		}
	}
	out = arena_strdup(a, buf_str(&cats));
	buf_release(&cats);
	return out;
}

/* Reads and classifies a 2xx body along the one page path (page.c) into obs. */
static enum prc read_page(struct pass *ps, struct arena *a, struct fetch *x, const char *url,
			  struct recheck_obs *obs, int *notice, struct err *e)
{
	struct page_src src;
	struct page_view v;
	struct verdict *vd = NULL;
	struct store_hit *hits;
	size_t nv = 0;
	enum prc rc;

	*notice = 0;
	obs->categories = "";
	memset(&src, 0, sizeof(src));
	src.url = url;
	src.uopts = &ps->uopts;
	src.content_type = x->content_type;
	src.http_status = (int)x->status;
	src.body = buf_str(&x->body);
	src.len = x->body.len;
	if (!x->body.len)
		return PRC_OK;
	rc = page_read(&ps->limits, &src, a, &v, e);
	if (rc == PRC_DECLINED)
		return PRC_OK;
	if (rc != PRC_OK)
		return rc;
	obs->charset = v.charset;
	if (v.kind == PAGE_HTML)
		obs->title = v.doc.title;
	*notice = recheck_is_notice(v.in.title) || recheck_is_notice(v.text);
	rc = classifier_run(ps->cl, a, &v.in, &vd, &nv, NULL, NULL, e);
	if (rc != PRC_OK || !nv)
		return rc;
	if (page_hits(a, vd, nv, &hits) != PRC_OK)
		return err_set(e, PRC_NOMEM, "out of memory");
	obs->hits = hits;
	obs->nhits = nv;
	obs->categories = category_list(a, vd, nv);
	return obs->categories ? PRC_OK : err_set(e, PRC_NOMEM, "out of memory");
}

/* What the transfer itself says of the page (status, size, digest, ...), into obs. */
static void observe_transfer(struct arena *a, const struct fetch *x, const char *url,
			     struct recheck_obs *obs)
{
	char *hex;

	memset(obs, 0, sizeof(*obs));
	obs->fetched_at = x->started;
	obs->http_status = (int)x->status;
	obs->final_url = url;
	obs->content_type = x->content_type;
	obs->size = (int64_t)x->body.len;
	obs->server_ip = x->server_ip[0] ? x->server_ip : NULL;
	obs->duration_ms = (long)((x->ended - x->started) * 1000.0);
	obs->error = x->error[0] ? x->error : NULL;
	obs->categories = "";
	if (x->body.len || x->status == 200) {
		hex = arena_alloc(a, SHA256_HEX_LEN + 1);
		if (hex) {
			hash_sha256_hex(buf_str(&x->body), x->body.len, hex);
			obs->sha256 = hex;
		}
	}
}

/* Why an inconclusive transfer was: its status, or the cause as the crawl's summary names it. */
static void error_reason(const struct fetch *x, char *reason, size_t size)
{
	if (x->status)
		snprintf(reason, size, "http_%ld", x->status);
	else
		snprintf(reason, size, "%s",
			 x->refused ? "address_refused"
			 : fetch_failure_of(x) == FETCH_FAIL_CONNECT ? "connect_refused"
			 : fetch_failure_of(x) == FETCH_FAIL_TIMEOUT ? "timeout"
			 : fetch_failure_of(x) == FETCH_FAIL_TLS     ? "tls"
								     : "network");
}

/* Counts a stored recheck in the pass's figures and reports it to the caller. */
static void count_result(struct pass *ps, const struct recheck_target *t, const struct fetch *x,
			 const struct recheck_obs *obs, const struct recheck_effect *fx)
{
	struct recheck_stats *st = ps->st;
	struct recheck_result res;

	st->pages++;
	if (!strcmp(obs->outcome, "present"))
		st->present++;
	else if (!strcmp(obs->outcome, "gone"))
		st->gone++;
	else
		st->errors++;
	if (!strcmp(obs->outcome, "error")) {
		if (x->refused)
			st->refused++;
		else if (!x->status)
			st->net_failed++;
		if (!st->first_error[0])
			snprintf(st->first_error, sizeof(st->first_error), "%.200s: %.100s", t->url,
				 x->error[0] ? x->error : obs->reason);
	}
	st->removed += (size_t)fx->removed;
	st->reopened += (size_t)fx->reopened;
	if (!ps->o->on_result)
		return;
	memset(&res, 0, sizeof(res));
	res.page_id = t->url_id;
	res.url = t->url;
	res.http_status = obs->http_status;
	res.outcome = obs->outcome;
	res.reason = obs->reason;
	res.was = t->categories;
	res.now = obs->categories;
	res.error = obs->error;
	res.removed = fx->removed;
	res.reopened = fx->reopened;
	res.recheck_id = fx->recheck_id;
	ps->o->on_result(&res, ps->o->ud);
}

/* Decides, stores and reports one finished page. */
static enum prc page_done(struct pass *ps, struct recheck_target *t, struct fetch *x, const char *url,
			  struct err *e)
{
	struct arena *a = arena_new();
	struct recheck_obs obs;
	struct recheck_effect fx;
	char reason[32], first[64];
	enum prc rc = PRC_OK;
	int notice = 0;

	if (!a)
		return err_set(e, PRC_NOMEM, "out of memory");
	observe_transfer(a, x, url, &obs);
	if (x->status == 404 || x->status == 410 || x->status == 451) {
		snprintf(reason, sizeof(reason), "http_%ld", x->status);
		obs.outcome = "gone";
	} else if (x->status >= 200 && x->status < 300) {
		struct err pe;

		if (read_page(ps, a, x, url, &obs, &notice, &pe) != PRC_OK) {
			obs.outcome = "error";
			snprintf(reason, sizeof(reason), "unreadable");
			obs.error = arena_strdup(a, pe.msg);
		} else if (shares_category(t->categories, obs.categories)) {
			obs.outcome = "present";
			snprintf(reason, sizeof(reason), "flagged");
		} else {
			obs.outcome = "gone";
			snprintf(reason, sizeof(reason), "%s", notice ? "notice" : "unflagged");
		}
	} else if (x->status == 0 && x->result == CURLE_COULDNT_RESOLVE_HOST) {
		long run = 0;
		double age = 0;

		rc = recheckstore_dns_run(ps->d, t, &run, first, &age, e);
		if (rc != PRC_OK)
			goto out;
		snprintf(reason, sizeof(reason), "dns");
		run++; /* this one */
		if (run == 1)
			age = 0;
		if (run >= ps->o->dns_failures && age >= (double)ps->o->dns_days * 86400.0) {
			obs.outcome = "gone";
			obs.removed_at = first[0] ? first : NULL;
		} else {
			obs.outcome = "error";
		}
	} else {
		obs.outcome = "error";
		error_reason(x, reason, sizeof(reason));
	}
	obs.reason = reason;
	rc = recheckstore_record(ps->d, t, &obs, ps->o->actor, &fx, e);
	if (rc == PRC_OK)
		count_result(ps, t, x, &obs, &fx);
out:
	if (rc != PRC_OK)
		err_prefix(e, "cannot store the recheck of '%s': ", t->url);
	arena_free(a);
	return rc;
}

static int stopping(const struct recheck_opts *o)
{
	return o->stop && *o->stop;
}

/* Names the ids of o that are not among the targets t (PRC_NOTFOUND); PRC_OK when none. */
static enum prc missing_ids(const struct recheck_opts *o, const struct recheck_target *t, size_t nt,
			    struct err *e)
{
	char list[256] = "";
	size_t i, j, n = 0, len = 0;

	for (i = 0; i < o->nids; i++) {
		for (j = 0; j < nt && t[j].url_id != o->ids[i]; j++)
			;
		if (j < nt)
			continue;
		if (n++ < 8 && len < sizeof(list) - 24)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%lld", len ? ", " : "",
						(long long)o->ids[i]);
	}
	if (!n)
		return PRC_OK;
	return err_set(e, PRC_NOTFOUND, "no page %s%s%s (see 'patrol review list' for page ids)", list,
		       n > 8 ? " ..." : "", o->job ? " in this job" : "");
}

/*
 * Starts a transfer for every origin that is idle, has targets left and is
 * due (delay_ms after its last one), as many as max_active allows. *wait
 * gets the time until the next origin is due (at most its value).
 */
static enum prc start_due(struct pass *ps, int64_t *wait, struct err *e)
{
	int64_t t = now_ms();
	size_t i;

	for (i = 0; i < ps->norigins && !stopping(ps->o) && (int)ps->active < ps->max_active; i++) {
		struct origin *og = &ps->origins[i];
		struct hop *hp;
		struct fetch *x;

		if (og->busy || og->next >= og->first + og->count)
			continue;
		if (og->next_ms > t) {
			if (og->next_ms - t < *wait)
				*wait = og->next_ms - t;
			continue;
		}
		hp = &ps->hops[og->next];
		x = fetch_new(ps->t[og->next].url, hp);
		if (!x)
			return err_set(e, PRC_NOMEM, "out of memory");
		hp->target = og->next++;
		hp->origin = og;
		if (fetcher_start(ps->f, x, e) != PRC_OK) {
			fetch_free(x);
			return PRC_INTERNAL;
		}
		og->busy = 1;
		ps->active++;
	}
	return PRC_OK;
}

/* Follows the redirects of the transfers that ended and decides the rest (page_done). */
static enum prc finish_done(struct pass *ps, struct err *e)
{
	struct fetch *x;
	enum prc rc;

	while ((x = fetcher_done(ps->f))) {
		struct hop *hp = x->ud;
		char *next = NULL;
		struct err ue;

		if (x->status >= 300 && x->status < 400 && x->location && hp->hops < ps->o->max_redirects &&
		    url_resolve(x->url, x->location, &ps->uopts, &next, &ue) == PRC_OK) {
			struct fetch *y = fetch_new(next, hp);

			free(next);
			if (y && fetcher_start(ps->f, y, e) == PRC_OK) {
				hp->hops++;
				fetch_free(x);
				continue;
			}
			fetch_free(y);
		}
		rc = page_done(ps, &ps->t[hp->target], x, x->url, e);
		hp->origin->busy = 0;
		hp->origin->next_ms = now_ms() + ps->o->delay_ms;
		ps->active--;
		ps->done++;
		fetch_free(x);
		if (rc != PRC_OK)
			return rc;
	}
	return PRC_OK;
}

/* Targets come sorted by origin: one queue per run of equal origins. */
static void group_origins(struct pass *ps)
{
	size_t i;

	for (i = 0; i < ps->nt; i++) {
		if (!ps->norigins || strcmp(ps->origins[ps->norigins - 1].name, ps->t[i].origin)) {
			ps->origins[ps->norigins].name = ps->t[i].origin;
			ps->origins[ps->norigins].first = i;
			ps->origins[ps->norigins].next = i;
			ps->norigins++;
		}
		ps->origins[ps->norigins - 1].count++;
	}
}

enum prc recheck_run(struct db *d, const struct recheck_opts *o, struct recheck_stats *st,
		     struct err *e)
{
	struct pass ps;
	struct fetcher_opts fo;
	size_t i;
	enum prc rc;

	memset(st, 0, sizeof(*st));
	memset(&ps, 0, sizeof(ps));
	ps.d = d;
	ps.o = o;
	ps.st = st;
	ps.uopts.max_len = URL_MAX_LEN_DEFAULT;
	page_limits_init(&ps.limits, o->max_body, 0, 0);
	if (!o->rules)
		return err_set(e, PRC_INVALID, "a recheck needs the rules, to tell whether content is still there");
	rc = recheckstore_targets(d, o->job, o->all, o->ids, o->nids, o->watch_days, &ps.t, &ps.nt, e);
	if (rc != PRC_OK)
		return rc;
	if (o->nids && ps.nt < o->nids && (rc = missing_ids(o, ps.t, ps.nt, e)) != PRC_OK)
		goto out;
	if (ps.nt == 0)
		return rc;
	ps.cl = classifier_new(o->rules, e);
	if (!ps.cl) {
		rc = PRC_INTERNAL;
		goto out;
	}
	memset(&fo, 0, sizeof(fo));
	fo.user_agent = o->user_agent;
	fo.max_body = o->max_body;
	fo.allow_private = o->allow_private;
	fo.max_connections = ps.max_active = o->concurrency > 0 ? o->concurrency : 1;
	ps.f = fetcher_new(&fo, e);
	ps.origins = calloc(ps.nt, sizeof(*ps.origins));
	ps.hops = calloc(ps.nt, sizeof(*ps.hops));
	if (!ps.f || !ps.origins || !ps.hops) {
		rc = ps.f ? err_set(e, PRC_NOMEM, "out of memory") : PRC_INTERNAL;
		goto out;
	}
	group_origins(&ps);
	while (ps.done < ps.nt) {
		int64_t wait = 200;

		if ((rc = start_due(&ps, &wait, e)) != PRC_OK)
			goto out;
		if (stopping(o) && ps.active == 0)
			break;
		fetcher_run(ps.f, wait > 0 ? (long)wait : 1);
		if ((rc = finish_done(&ps, e)) != PRC_OK)
			goto out;
	}
	rc = PRC_OK;
out:
	fetcher_free(ps.f); /* transfers still running are aborted with their fetches */
	free(ps.origins);
	free(ps.hops);
	classifier_free(ps.cl);
	for (i = 0; i < ps.nt; i++)
		recheckstore_target_release(&ps.t[i]);
	free(ps.t);
	return rc;
}
