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
 * share one database. Every expression gets HS_FLAG_SOM_LEFTMOST: evidence
 * needs where a match starts, not only where it ends.
 *
 * hs_compile_multi() names only the first expression it refuses, so the
 * loader first checks each expression alone with hs_expression_info() (cheap,
 * catches syntax), then calls patset_compile() in a loop, dropping the rule
 * file of whatever expression the whole compile still refuses. Databases are
 * immutable after compile and shared by all workers; each worker allocates
 * its own scratch, sized for every database of the set.
 *
 * Compiling is the slow part of loading rules (seconds for thousands of
 * patterns), so the databases can be serialized for the on-disk cache
 * (classifiers/hscache.c). A serialized set is, per view, a presence byte
 * and a little-endian 64-bit length before Hyperscan's own bytes.
 */
#include "classifiers/patset.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

struct patset {
	hs_database_t *db[PATSET_NVIEWS];
};

struct patset_scratch {
	hs_scratch_t *s;
};

#define BASE_FLAGS (HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SOM_LEFTMOST)

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

enum prc patset_check(const char *expr, unsigned flags, struct err *e)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *ce = NULL;
	enum prc rc = PRC_OK;

	if (hs_expression_info(expr, hs_flags(flags), &info, &ce) != HS_SUCCESS) {
		rc = err_set(e, PRC_PARSE, "%s", ce && ce->message ? ce->message : "refused");
		hs_free_compile_error(ce);
		return rc;
	}
	if (info->min_width == 0)
		rc = err_set(e, PRC_PARSE, "matches the empty string");
	free(info);
	return rc;
}

enum prc patset_compile(const struct patset_expr *const ex[PATSET_NVIEWS],
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
	for (v = 0; v < PATSET_NVIEWS; v++) {
		if (!n[v])
			continue;
		exprs = malloc(n[v] * sizeof(*exprs));
		flags = malloc(n[v] * sizeof(*flags));
		ids = malloc(n[v] * sizeof(*ids));
		if (!exprs || !flags || !ids) {
			rc = err_set(e, PRC_NOMEM, "out of memory compiling patterns");
			goto out;
		}
		for (i = 0; i < n[v]; i++) {
			exprs[i] = ex[v][i].expr;
			flags[i] = hs_flags(ex[v][i].flags);
			ids[i] = ex[v][i].id;
		}
		if (hs_compile_multi(exprs, flags, ids, (unsigned)n[v], HS_MODE_BLOCK, NULL,
				     &ps->db[v], &ce) != HS_SUCCESS) {
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

void patset_free(struct patset *ps)
{
	int v;

	if (!ps)
		return;
	for (v = 0; v < PATSET_NVIEWS; v++)
		hs_free_database(ps->db[v]);
	free(ps);
}

int patset_has_view(const struct patset *ps, int v)
{
	return ps && v >= 0 && v < PATSET_NVIEWS && ps->db[v];
}

struct patset_scratch *patset_scratch_new(const struct patset *ps, struct err *e)
{
	struct patset_scratch *sc = calloc(1, sizeof(*sc));
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
	}
	return sc;
}

void patset_scratch_free(struct patset_scratch *sc)
{
	if (!sc)
		return;
	hs_free_scratch(sc->s);
	free(sc);
}

struct scan_ctx {
	patset_match_fn fn;
	void *ud;
};

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
		    unsigned int flags, void *ctx)
{
	struct scan_ctx *c = ctx;

	(void)flags;
	return c->fn(id, (size_t)from, (size_t)to, c->ud);
}

enum prc patset_scan(const struct patset *ps, int v, struct patset_scratch *sc, const char *s,
		     size_t len, patset_match_fn fn, void *ud, struct err *e)
{
	struct scan_ctx c = { fn, ud };
	hs_error_t r;

	if (!patset_has_view(ps, v) || len == 0)
		return PRC_OK;
	if (len > 0xffffffffu)
		return err_set(e, PRC_LIMIT, "text too long to scan");
	r = hs_scan(ps->db[v], s, (unsigned)len, 0, sc->s, on_match, &c);
	if (r != HS_SUCCESS && r != HS_SCAN_TERMINATED)
		return err_set(e, PRC_INTERNAL, "hyperscan scan failed (%d)", (int)r);
	return PRC_OK;
}

#define SERIAL_DB_MAX ((uint64_t)1 << 31) /* bytes of one database, serialized or not */

void patset_build_id(char *buf, size_t size)
{
	hs_platform_info_t p;

	memset(&p, 0, sizeof(p));
	if (hs_populate_platform(&p) != HS_SUCCESS)
		memset(&p, 0, sizeof(p));
	snprintf(buf, size, "hyperscan %s; tune %u; features %llx; block; flags %x; caseless %x",
		 hs_version(), p.tune, (unsigned long long)p.cpu_features, (unsigned)BASE_FLAGS,
		 (unsigned)HS_FLAG_CASELESS);
}

static void put_u64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

enum prc patset_serialize(const struct patset *ps, char **out, size_t *len, struct err *e)
{
	char *blob[PATSET_NVIEWS] = { NULL, NULL }, *buf = NULL;
	size_t n[PATSET_NVIEWS] = { 0, 0 }, total = 0, off = 0;
	enum prc rc = PRC_OK;
	int v;

	*out = NULL;
	*len = 0;
	for (v = 0; v < PATSET_NVIEWS; v++) {
		total += 9;
		if (!ps->db[v])
			continue;
		if (hs_serialize_database(ps->db[v], &blob[v], &n[v]) != HS_SUCCESS) {
			rc = err_set(e, PRC_INTERNAL, "cannot serialize the %s database",
				     v ? "squeezed" : "norm");
			goto out;
		}
		total += n[v];
	}
	buf = malloc(total ? total : 1);
	if (!buf) {
		rc = err_set(e, PRC_NOMEM, "out of memory serializing patterns");
		goto out;
	}
	for (v = 0; v < PATSET_NVIEWS; v++) {
		buf[off] = ps->db[v] ? 1 : 0;
		put_u64((unsigned char *)buf + off + 1, n[v]);
		off += 9;
		if (n[v])
			memcpy(buf + off, blob[v], n[v]);
		off += n[v];
	}
	*out = buf;
	*len = total;
out:
	for (v = 0; v < PATSET_NVIEWS; v++)
		free(blob[v]); /* hs_serialize_database allocates with the misc allocator: malloc */
	return rc;
}

enum prc patset_deserialize(const void *data, size_t len, struct patset **out, struct err *e)
{
	const unsigned char *p = data;
	struct patset *ps = calloc(1, sizeof(*ps));
	size_t off = 0, dbsize;
	enum prc rc = PRC_OK;
	char *info = NULL, want[64];
	uint64_t n;
	hs_error_t r;
	int v;

	*out = NULL;
	if (!ps)
		return err_set(e, PRC_NOMEM, "out of memory loading cached patterns");
	for (v = 0; v < PATSET_NVIEWS; v++) {
		if (len - off < 9 || p[off] > 1) {
			rc = err_set(e, PRC_PARSE, "truncated or malformed");
			goto out;
		}
		n = get_u64(p + off + 1);
		off += 9;
		if (!p[off - 9]) {
			if (n) {
				rc = err_set(e, PRC_PARSE, "malformed: an absent database has a length");
				goto out;
			}
			continue;
		}
		if (n == 0 || n > SERIAL_DB_MAX || n > len - off) {
			rc = err_set(e, PRC_PARSE, "database length %llu out of range",
				     (unsigned long long)n);
			goto out;
		}
		if (hs_serialized_database_info((const char *)p + off, (size_t)n, &info) !=
		    HS_SUCCESS) {
			rc = err_set(e, PRC_PARSE, "not a hyperscan database");
			goto out;
		}
		/* "Version: 5.4.0 Features: AVX2 Mode: BLOCK"; hs_version() is "5.4.0 2021-01-26" */
		snprintf(want, sizeof(want), "Version: %.*s ", (int)strcspn(hs_version(), " "),
			 hs_version());
		if (!strstr(info, "Mode: BLOCK") || strncmp(info, want, strlen(want))) {
			rc = err_set(e, PRC_PARSE, "database is for another version or mode (%s)",
				     info);
			goto out;
		}
		free(info);
		info = NULL;
		if (hs_serialized_database_size((const char *)p + off, (size_t)n, &dbsize) !=
			    HS_SUCCESS ||
		    dbsize == 0 || dbsize > SERIAL_DB_MAX) {
			rc = err_set(e, PRC_PARSE, "database size out of range");
			goto out;
		}
		r = hs_deserialize_database((const char *)p + off, (size_t)n, &ps->db[v]);
		if (r != HS_SUCCESS) {
			ps->db[v] = NULL;
			rc = err_set(e, r == HS_NOMEM ? PRC_NOMEM : PRC_PARSE,
				     "hyperscan refused the database (%d)", (int)r);
			goto out;
		}
		off += (size_t)n;
	}
	if (off != len) {
		rc = err_set(e, PRC_PARSE, "%zu bytes of trailing data", len - off);
		goto out;
	}
	*out = ps;
	ps = NULL;
out:
	free(info);
	patset_free(ps);
	return rc;
}
