/*
 * crawl-scope.c - which links a crawl follows.
 *
 * Every link a worker finds passes here before it reaches the writer: the
 * depth limit, the scope (the seeds' hosts, their registrable domains, or
 * anything), the operator's --allow-url / --deny-url patterns and the trap
 * shapes of traps.c. A link refused for its shape is kept as a refused row
 * (the refusal shows in the database); one out of scope or too deep is only
 * counted. The scope and the patterns are built before the workers start and
 * only read afterwards, so workers share them without a lock.
 */
#include <regex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/traps.h"
#include "crawler/url.h"
#include "pipeline/crawl-int.h"
#include "store/crawlstore.h"
#include "util/arena.h"

void crawl_scope_release(struct scope *s)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		free(s->keys[i]);
	free(s->keys);
	s->keys = NULL;
	s->nkeys = 0;
}

static char *scope_key(enum crawl_scope kind, const char *canon)
{
	char *host, *dom;

	if (kind == CRAWL_SCOPE_HOST)
		return url_origin(canon);
	host = url_host(canon);
	if (!host)
		return NULL;
	dom = url_registrable_domain(host);
	free(host);
	return dom;
}

static int scope_allows(const struct scope *s, const char *canon)
{
	char *key;
	size_t i;
	int ok = 0;

	if (s->kind == CRAWL_SCOPE_ANY)
		return 1;
	key = scope_key(s->kind, canon);
	if (!key)
		return 0;
	for (i = 0; i < s->nkeys && !ok; i++)
		ok = !strcmp(s->keys[i], key);
	free(key);
	return ok;
}

enum prc crawl_scope_build(struct crawl *c, char **origins, size_t n)
{
	size_t i, j;

	c->scope.keys = calloc(n + 1, sizeof(char *));
	if (!c->scope.keys)
		return err_set(c->e, PRC_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		char *key = c->scope.kind == CRAWL_SCOPE_HOST ? strdup(origins[i])
							      : scope_key(c->scope.kind, origins[i]);
		int dup = 0;

		if (!key)
			return err_set(c->e, PRC_NOMEM, "out of memory");
		for (j = 0; j < c->scope.nkeys && !dup; j++)
			dup = !strcmp(c->scope.keys[j], key);
		if (dup)
			free(key);
		else
			c->scope.keys[c->scope.nkeys++] = key;
	}
	return PRC_OK;
}

int crawl_url_matches(const regex_t *re, size_t n, const char *url)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (regexec(&re[i], url, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

/*
 * Adds one discovered URL to the page's record. Out of scope, too deep or
 * filtered URLs are only counted; URLs with a trap's shape are recorded as
 * refused (with reason) so the refusal shows in the database too.
 */
void crawl_add_link(struct crawl *c, struct crawl_page *p, const char *canon, int depth, int hops,
			  size_t *cap)
{
	enum refusal why = REFUSE_NONE;
	struct store_link *l;
	char *origin;

	if (c->o->max_depth >= 0 && depth > c->o->max_depth) {
		crawl_count_refusal(c, REFUSE_DEPTH);
		return;
	}
	if (!scope_allows(&c->scope, canon)) {
		crawl_count_refusal(c, REFUSE_SCOPE);
		return;
	}
	if ((c->nallow && !crawl_url_matches(c->allow, c->nallow, canon)) ||
	    crawl_url_matches(c->deny, c->ndeny, canon)) {
		crawl_count_refusal(c, REFUSE_PATTERN);
		return;
	}
	why = traps_check_url(&c->o->traps, canon);
	if (why == REFUSE_URL_LENGTH) {
		crawl_count_refusal(c, why); /* not worth a row: the URL itself is the problem */
		return;
	}
	if (hops > c->o->max_redirects)
		why = REFUSE_REDIRECTS;
	if (p->rec.nlinks == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct store_link *nl = arena_alloc(p->arena, ncap * sizeof(*nl));

		if (!nl)
			return;
		if (p->rec.nlinks)
			memcpy(nl, p->rec.links, p->rec.nlinks * sizeof(*nl));
		p->rec.links = nl;
		*cap = ncap;
	}
	origin = url_origin(canon);
	if (!origin)
		return;
	l = (struct store_link *)&p->rec.links[p->rec.nlinks];
	l->url = arena_strdup(p->arena, canon);
	l->origin = arena_strdup(p->arena, origin);
	free(origin);
	if (!l->url || !l->origin)
		return;
	if (c->nkeepq && !crawl_url_matches(c->keepq, c->nkeepq, l->url) &&
	    url_sort_query((char *)l->url) != PRC_OK)
		return;
	l->depth = depth;
	l->hops = hops;
	l->parent_id = p->url_id;
	l->reason = why != REFUSE_NONE ? refusal_name(why) : NULL;
	p->rec.nlinks++;
}

enum prc crawl_patterns_compile(struct crawl *c, const char *const *src, size_t n, regex_t **out,
				 size_t *nout)
{
	size_t i;
	int rc;

	*nout = 0;
	if (!n)
		return PRC_OK;
	*out = calloc(n, sizeof(regex_t));
	if (!*out)
		return err_set(c->e, PRC_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		rc = regcomp(&(*out)[i], src[i], REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[256];

			regerror(rc, &(*out)[i], msg, sizeof(msg));
			return err_set(c->e, PRC_INVALID, "bad URL pattern '%s': %s", src[i], msg);
		}
		(*nout)++;
	}
	return PRC_OK;
}

void crawl_patterns_free(regex_t *re, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		regfree(&re[i]);
	free(re);
}
