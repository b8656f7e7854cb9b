/*
 * snapper.c - snapshots are taken off the HTTP server's threads. A
 * rendering takes a browser a second or two and may take up to its
 * timeout; a server thread only queues the page (never waiting) and
 * answers at once, and the detail page says the snapshot is on its way
 * until it is there.
 *
 * DESIGN
 *
 * One bounded queue (util/queue.h) feeds a fixed number of workers (one by
 * default), so at most that many browsers run whatever the number of
 * reviewers, and a full queue is refused rather than waited for. Each
 * worker owns its database connection. The set of pages queued or being
 * rendered (busy) is kept under one mutex so that a page is never queued
 * twice. Stopping closes the queue and raises a flag the rendering polls:
 * the browser under way is killed, what is still queued is dropped.
 */
#include "console/snapper.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/capture.h"
#include "console/snapshot.h"
#include "store/consolestore.h"
#include "store/webstore.h"
#include "util/fdio.h"
#include "util/hash.h"
#include "util/queue.h"

#define SNAPPER_MAX_WORKERS 8

struct snap_job {
	int64_t page_id;
	char actor[65];
};

struct snapper {
	struct snapper_opts o;
	char *conninfo, *warc_dir, *chromium;
	struct queue *q;
	pthread_t threads[SNAPPER_MAX_WORKERS];
	int nthreads;
	volatile int stop;
	pthread_mutex_t lock;
	int64_t *busy;
	size_t nbusy, capbusy;
};

static int busy_find(struct snapper *s, int64_t id)
{
	size_t i;

	for (i = 0; i < s->nbusy; i++)
		if (s->busy[i] == id)
			return (int)i;
	return -1;
}

static void busy_remove(struct snapper *s, int64_t id)
{
	int i;

	pthread_mutex_lock(&s->lock);
	i = busy_find(s, id);
	if (i >= 0)
		s->busy[i] = s->busy[--s->nbusy];
	pthread_mutex_unlock(&s->lock);
}

int snapper_busy(struct snapper *s, int64_t page_id)
{
	int found;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	found = busy_find(s, page_id) >= 0;
	pthread_mutex_unlock(&s->lock);
	return found;
}

int snapper_available(const struct snapper *s)
{
	return s && snapshot_available(s->chromium);
}

const char *snapper_chromium(const struct snapper *s)
{
	return s ? s->chromium : "";
}

enum prc snapper_request(struct snapper *s, int64_t page_id, const char *actor, struct err *e)
{
	struct snap_job *j;
	enum prc rc;

	if (!snapper_available(s))
		return err_set(e, PRC_NOTFOUND, "no browser at '%s'", s ? s->chromium : "");
	pthread_mutex_lock(&s->lock);
	if (busy_find(s, page_id) >= 0) {
		pthread_mutex_unlock(&s->lock);
		return err_set(e, PRC_DECLINED, "a snapshot of page %" PRId64 " is under way", page_id);
	}
	if (s->nbusy == s->capbusy) {
		pthread_mutex_unlock(&s->lock);
		return err_set(e, PRC_AGAIN, "too many snapshots waiting; try again later");
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		pthread_mutex_unlock(&s->lock);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	j->page_id = page_id;
	snprintf(j->actor, sizeof(j->actor), "%s", actor ? actor : "");
	rc = queue_trypush(s->q, j);
	if (rc == PRC_OK)
		s->busy[s->nbusy++] = page_id;
	pthread_mutex_unlock(&s->lock);
	if (rc != PRC_OK) {
		free(j);
		return err_set(e, PRC_AGAIN, "too many snapshots waiting; try again later");
	}
	return PRC_OK;
}

/* Writes png beside the WARC file; *rel (malloc'd) gets its name relative as warc_file is. */
static enum prc write_png(struct snapper *s, const char *warc_file, const char *fetch_id,
			  const char *sha, const char *png, size_t len, char **rel, struct err *e)
{
	char *full = NULL, *tmp = NULL;
	enum prc rc = PRC_OK;
	int fd = -1;

	*rel = NULL;
	if (asprintf(rel, "%s.%s.%.16s.png", warc_file, fetch_id, sha) < 0) {
		*rel = NULL;
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	if (asprintf(&full, "%s%s%s", warc_file[0] == '/' ? "" : s->warc_dir, warc_file[0] == '/' ? "" : "/",
		     *rel) < 0) {
		full = NULL;
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	if (asprintf(&tmp, "%s.tmp%ld", full, (long)getpid()) < 0) {
		tmp = NULL;
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 || fd_write_all(fd, png, len) != 0 || fsync(fd) != 0) {
		rc = err_set(e, PRC_IO, "cannot write the snapshot '%s'", full);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, full) != 0) {
		fd = -1;
		rc = err_set(e, PRC_IO, "cannot write the snapshot '%s'", full);
		goto out;
	}
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (rc != PRC_OK) {
		if (tmp)
			unlink(tmp);
		free(*rel);
		*rel = NULL;
	}
	free(full);
	free(tmp);
	return rc;
}

/* Renders one page and records the outcome; a page without a record is left alone. */
static void take(struct snapper *s, struct db *d, const struct snap_job *j)
{
	struct snapshot_opts so;
	struct consolestore_snapshot row;
	struct rows *cap = NULL;
	struct capture c;
	struct err e = { "" };
	char *png = NULL, *rel = NULL, sha[65], msg[sizeof(e.msg) + 64];
	size_t len = 0;
	enum prc rc;

	memset(&c, 0, sizeof(c));
	rc = consolestore_capture(d, j->page_id, &cap, &e);
	if (rc == PRC_DB && webstore_ensure(d, &e) == PRC_OK)
		rc = consolestore_capture(d, j->page_id, &cap, &e);
	if (rc != PRC_OK)
		return;
	memset(&row, 0, sizeof(row));
	row.host_id = strtoll(rows_str(cap, 0, "host_id"), NULL, 10);
	row.fetch_id = strtoll(rows_str(cap, 0, "fetch_id"), NULL, 10);
	row.url_id = strtoll(rows_str(cap, 0, "url_id"), NULL, 10);
	row.taken_by = j->actor;
	row.warc_digest = rows_get(cap, 0, "warc_digest");
	rc = capture_load(s->warc_dir, rows_str(cap, 0, "warc_file"),
			  strtoull(rows_str(cap, 0, "warc_offset"), NULL, 10), rows_str(cap, 0, "url"), CAPTURE_BODY,
			  &c, &e);
	if (rc == PRC_OK && !c.verified)
		rc = err_set(&e, PRC_PARSE, "the WARC record does not match its digests (%s)", c.verify);
	if (rc == PRC_OK) {
		snapshot_opts_init(&so);
		so.chromium = s->chromium;
		if (s->o.timeout_s > 0)
			so.timeout_s = s->o.timeout_s;
		so.stop = &s->stop;
		rc = snapshot_render(&so, c.body ? c.body : "", c.body_len, c.plain, &png, &len, &e);
	}
	if (rc == PRC_AGAIN && s->stop)
		goto out; /* stopping: nothing to record */
	if (rc == PRC_OK) {
		hash_sha256_hex(png, len, sha);
		rc = write_png(s, rows_str(cap, 0, "warc_file"), rows_str(cap, 0, "fetch_id"), sha, png, len, &rel,
			       &e);
	}
	if (rc == PRC_OK) {
		row.png_file = rel;
		row.png_sha256 = sha;
		row.png_size = (long long)len;
	} else {
		snprintf(msg, sizeof(msg), "%s", e.msg);
		row.error = msg;
	}
	if (consolestore_snapshot_add(d, &row, NULL, &e) == PRC_DB && webstore_ensure(d, &e) == PRC_OK)
		consolestore_snapshot_add(d, &row, NULL, &e);
out:
	free(png);
	free(rel);
	capture_release(&c);
	rows_free(cap);
}

static void *worker(void *arg)
{
	struct snapper *s = arg;
	struct db *d = NULL;
	struct err e = { "" };
	void *item;

	while (queue_pop(s->q, &item) == PRC_OK) {
		struct snap_job *j = item;

		if (!s->stop && (d || webstore_connect(s->conninfo, &d, &e) == PRC_OK))
			take(s, d, j);
		busy_remove(s, j->page_id);
		free(j);
	}
	webstore_close(d);
	return NULL;
}

static void snapper_free(struct snapper *s)
{
	if (!s)
		return;
	queue_free(s->q);
	pthread_mutex_destroy(&s->lock);
	free(s->busy);
	free(s->conninfo);
	free(s->warc_dir);
	free(s->chromium);
	free(s);
}

struct snapper *snapper_start(const struct snapper_opts *o, struct err *e)
{
	struct snapper *s = calloc(1, sizeof(*s));
	int i, n = o->workers > 0 ? o->workers : 1, qn = o->queue > 0 ? o->queue : 64;

	if (n > SNAPPER_MAX_WORKERS)
		n = SNAPPER_MAX_WORKERS;
	if (!s) {
		err_set(e, PRC_NOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->o = *o;
	s->conninfo = strdup(o->conninfo ? o->conninfo : "");
	s->warc_dir = strdup(o->warc_dir ? o->warc_dir : "var/warc");
	s->chromium = strdup(o->chromium ? o->chromium : "/usr/bin/chromium");
	s->capbusy = (size_t)qn;
	s->busy = calloc(s->capbusy, sizeof(*s->busy));
	s->q = queue_new((size_t)qn);
	if (!s->conninfo || !s->warc_dir || !s->chromium || !s->busy || !s->q) {
		snapper_free(s);
		err_set(e, PRC_NOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (pthread_create(&s->threads[i], NULL, worker, s) != 0) {
			snapper_stop(s);
			err_set(e, PRC_INTERNAL, "cannot start a snapshot thread");
			return NULL;
		}
		s->nthreads++;
	}
	return s;
}

void snapper_stop(struct snapper *s)
{
	int i;

	if (!s)
		return;
	s->stop = 1;
	queue_close(s->q);
	for (i = 0; i < s->nthreads; i++)
		pthread_join(s->threads[i], NULL);
	snapper_free(s);
}
