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
 * Hyperscan's compile time and memory are not bounded by anything in its
 * API, and some short expressions cost minutes and gigabytes
 * ("\\p{Han}{1,2000}" takes over a minute to be refused). So the compile
 * runs in a child process (fork: it needs nothing but the expressions, and
 * touches nothing shared), with RLIMIT_DATA at what the process holds plus
 * the memory bound and a wall-clock bound enforced by the parent with
 * SIGKILL; the child sends the serialized databases back through a pipe,
 * or Hyperscan's refusal. When the child runs out of time or memory, a
 * second child compiles the expressions one by one, telling the parent
 * which one it starts, so that the one that does not finish is named like
 * any refused pattern (and its rule file dropped by the loader). Bounds of
 * 0 compile in this process, as before.
 *
 * Compiling is the slow part of loading rules (seconds for thousands of
 * patterns), so the databases can be serialized for the on-disk cache
 * (classifiers/hscache.c). A serialized set is, per view, a presence byte
 * and a little-endian 64-bit length before Hyperscan's own bytes.
 */
#include "classifiers/patset.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hs/hs.h>

#include "classifiers/sandbox.h"
#include "util/fdio.h"

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

/* hs_compile_multi in this process, view by view. */
static enum prc compile_here(const struct patset_expr *const ex[PATSET_NVIEWS],
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

static atomic_long compile_ms = PATSET_COMPILE_MS;
static atomic_llong compile_mem = (long long)PATSET_COMPILE_MEM;

void patset_set_compile_limits(long ms, size_t mem_bytes)
{
	atomic_store(&compile_ms, ms);
	atomic_store(&compile_mem, (long long)mem_bytes);
}

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* What the process's data segment holds now (VmData), for the child's limit. */
static unsigned long long vm_data_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long kb = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmData: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* Child messages: a tag byte, then the fields below in host order. */
enum { MSG_DB = 'D', MSG_REFUSED = 'R', MSG_FAILED = 'F', MSG_START = 'S', MSG_DONE = 'E' };

struct msg_refused {
	int32_t view, rc;
	int64_t index;
	uint32_t len;
};

/* In the child: compile everything and send the result. */
static void child_compile(int fd, const struct patset_expr *const ex[PATSET_NVIEWS],
			  const size_t n[PATSET_NVIEWS])
{
	struct patset *ps = NULL;
	struct msg_refused m;
	struct err e = { "" };
	char *blob = NULL, tag;
	size_t len = 0, bi = 0;
	uint64_t l64;
	int bv = 0;
	enum prc rc;

	rc = compile_here(ex, n, &ps, &bv, &bi, &e);
	if (rc == PRC_OK)
		rc = patset_serialize(ps, &blob, &len, &e);
	if (rc == PRC_OK) {
		tag = MSG_DB;
		l64 = len;
		if (fd_write_all(fd, &tag, 1) || fd_write_all(fd, &l64, sizeof(l64)) ||
		    fd_write_all(fd, blob, len))
			_exit(1);
		_exit(0);
	}
	tag = rc == PRC_PARSE ? MSG_REFUSED : MSG_FAILED;
	m.view = bv;
	m.rc = (int32_t)rc;
	m.index = rc == PRC_PARSE ? (int64_t)bi : -1;
	m.len = (uint32_t)strlen(e.msg);
	if (fd_write_all(fd, &tag, 1) || fd_write_all(fd, &m, sizeof(m)) || fd_write_all(fd, e.msg, m.len))
		_exit(1);
	_exit(0);
}

/* In the child: compile each expression alone, saying which before it starts. */
static void child_probe(int fd, const struct patset_expr *const ex[PATSET_NVIEWS],
			const size_t n[PATSET_NVIEWS])
{
	hs_compile_error_t *ce = NULL;
	hs_database_t *db = NULL;
	char tag = MSG_START;
	int32_t at[2];
	size_t i;
	int v;

	for (v = 0; v < PATSET_NVIEWS; v++) {
		for (i = 0; i < n[v]; i++) {
			at[0] = v;
			at[1] = (int32_t)i;
			if (fd_write_all(fd, &tag, 1) || fd_write_all(fd, at, sizeof(at)))
				_exit(1);
			if (hs_compile(ex[v][i].expr, hs_flags(ex[v][i].flags), HS_MODE_BLOCK, NULL, &db,
				       &ce) == HS_SUCCESS)
				hs_free_database(db);
			else
				hs_free_compile_error(ce);
			db = NULL;
			ce = NULL;
		}
	}
	tag = MSG_DONE;
	fd_write_all(fd, &tag, 1);
	_exit(0);
}

/*
 * Runs fn in a child with the bounds and reads everything it writes into
 * *data (malloc'd). Returns 0 when the child ended by itself, 1 when it was
 * out of time, 2 when it died otherwise (memory), 3 when the process is
 * stopping (sandbox_set_stop), -1 when no child could run.
 */
static int run_child(void (*fn)(int, const struct patset_expr *const *, const size_t *),
		     const struct patset_expr *const ex[PATSET_NVIEWS], const size_t n[PATSET_NVIEWS],
		     long ms, long long mem, char **data, size_t *len)
{
	unsigned long long base = vm_data_bytes();
	long long deadline = mono_ms() + ms;
	size_t cap = 0;
	int fds[2], status = 0, timed_out = 0;
	pid_t pid;

	*data = NULL;
	*len = 0;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		struct rlimit rl;

		close(fds[0]);
		/* never outlive the thread waiting for it (a killed rules check, a stopped crawl) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (mem > 0) {
			rl.rlim_cur = rl.rlim_max = (rlim_t)(base + (unsigned long long)mem);
			setrlimit(RLIMIT_DATA, &rl);
		}
		fn(fds[1], ex, n);
		_exit(1);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd pf = { fds[0], POLLIN, 0 };
		long long left = deadline - mono_ms();
		ssize_t r;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (sandbox_stopping()) {
			timed_out = 3;
			break;
		}
		if (poll(&pf, 1, left > 200 ? 200 : (int)left) <= 0)
			continue;
		if (*len == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *nd = realloc(*data, nc);

			if (!nd) {
				timed_out = 2;
				break;
			}
			*data = nd;
			cap = nc;
		}
		r = read(fds[0], *data + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*len += (size_t)r;
	}
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out == 1 || timed_out == 3)
		return timed_out;
	if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 2;
	return 0;
}

enum prc patset_compile(const struct patset_expr *const ex[PATSET_NVIEWS],
			const size_t n[PATSET_NVIEWS], struct patset **out, int *bad_view,
			size_t *bad_index, struct err *e)
{
	long ms = atomic_load(&compile_ms);
	long long mem = atomic_load(&compile_mem);
	struct msg_refused m;
	char *data = NULL;
	size_t len = 0, i, total = 0;
	int32_t at[2] = { -1, -1 };
	uint64_t l64;
	enum prc rc;
	int how, first;

	*out = NULL;
	if (ms <= 0 && mem <= 0)
		return compile_here(ex, n, out, bad_view, bad_index, e);
	if (ms <= 0)
		ms = 24L * 3600 * 1000;
	how = run_child(child_compile, ex, n, ms, mem, &data, &len);
	if (how < 0)
		return compile_here(ex, n, out, bad_view, bad_index, e);
	if (how == 3) {
		free(data);
		return err_set(e, PRC_AGAIN, "compiling the patterns was interrupted: the process is "
			       "stopping");
	}
	if (how == 0 && len >= 1 + sizeof(l64) && data[0] == MSG_DB) {
		memcpy(&l64, data + 1, sizeof(l64));
		rc = l64 == len - 1 - sizeof(l64)
			     ? patset_deserialize(data + 1 + sizeof(l64), (size_t)l64, out, e)
			     : err_set(e, PRC_INTERNAL, "cannot compile patterns: a short answer");
		free(data);
		return rc;
	}
	if (how == 0 && len >= 1 + sizeof(m) && (data[0] == MSG_REFUSED || data[0] == MSG_FAILED)) {
		memcpy(&m, data + 1, sizeof(m));
		if (m.len > len - 1 - sizeof(m))
			m.len = (uint32_t)(len - 1 - sizeof(m));
		rc = (enum prc)m.rc;
		err_set(e, rc, "%.*s", (int)m.len, data + 1 + sizeof(m));
		if (data[0] == MSG_REFUSED && m.view >= 0 && m.view < PATSET_NVIEWS && m.index >= 0 &&
		    (size_t)m.index < n[m.view]) {
			*bad_view = m.view;
			*bad_index = (size_t)m.index;
			rc = PRC_PARSE;
		} else if (rc == PRC_PARSE || rc == PRC_OK) {
			rc = err_set(e, PRC_INTERNAL, "cannot compile patterns: %s", e->msg);
		}
		free(data);
		return rc;
	}
	free(data);
	first = how;
	/* name the expression: one by one, the last one started is the one that did not end */
	how = run_child(child_probe, ex, n, ms, mem, &data, &len);
	if (how == 3) {
		free(data);
		return err_set(e, PRC_AGAIN, "compiling the patterns was interrupted: the process is "
			       "stopping");
	}
	for (i = 0; how >= 0 && i < len;) {
		if (data[i] == MSG_START && i + 1 + sizeof(at) <= len) {
			memcpy(at, data + i + 1, sizeof(at));
			i += 1 + sizeof(at);
		} else {
			break;
		}
	}
	for (i = 0; i < PATSET_NVIEWS; i++)
		total += n[i];
	free(data);
	if (how > 0 && at[0] >= 0 && at[0] < PATSET_NVIEWS && at[1] >= 0 && (size_t)at[1] < n[at[0]]) {
		*bad_view = at[0];
		*bad_index = (size_t)at[1];
		if (how == 1)
			return err_set(e, PRC_PARSE, "compiling it took longer than %ld s", ms / 1000);
		return err_set(e, PRC_PARSE, "compiling it needed more than %lld MiB", mem >> 20);
	}
	*bad_index = (size_t)-1;
	if (how == 1 || (how <= 0 && first == 1))
		return err_set(e, PRC_LIMIT, "compiling the %zu patterns together took longer than %ld s",
			       total, ms / 1000);
	return err_set(e, PRC_LIMIT, "compiling the %zu patterns together needed more than %lld MiB",
		       total, mem >> 20);
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
