/*
 * rulehub.c - the rule set of a running crawl, and its hot reload. Rule
 * authors fix a false positive or add a rule while a week-long crawl runs;
 * SIGHUP (or a change of the files, with --watch-rules) must bring the new
 * rules in between pages, and a broken file must never take the running
 * rules away.
 *
 * DESIGN
 *
 * The hub holds one reference to the current struct ruleset and its
 * generation. A worker takes a reference (rulehub_current), builds its
 * classifier from it, and between pages compares rulehub_generation() (one
 * atomic load, no lock) with the generation it built from; when they differ
 * it takes the new set and rebuilds. A set is immutable and refcounted, so
 * the swap is a pointer change under the hub's mutex: a worker in the
 * middle of a page finishes it with the old set, whose last unref frees it.
 * The mutex is held only to swap or to take a reference, never while
 * compiling.
 *
 * One reload thread per hub does the loading. rulehub_reload_async() sets
 * `want` and signals it; requests made while a load runs collapse into one
 * more load after it, so a burst of SIGHUPs costs at most two loads and
 * none is lost. A loaded set passes the vet (rulehub_set_vet: the pack's
 * own samples) before it is swapped in. A load uses the pattern cache: a reload that changed only a
 * classify() body still has new bytes, so it compiles; a reload back to a
 * set seen before (the cache keeps sixteen) does not. A refused load logs
 * every error line and leaves the current set and generation alone.
 *
 * The watch thread waits in poll() on an inotify descriptor for both
 * directories and on a pipe that rulehub_free writes to stop it. Editors
 * save in several steps (write a temporary file, rename it, chmod it) and
 * deploys copy whole trees, so events only arm a timer: the reload is asked
 * for once the directories have been quiet for the debounce interval, or
 * five seconds after the first event at the latest. A watched directory
 * that is deleted or renamed (a deploy that swaps directories) is watched
 * again under its name as soon as it is back; until then the poll wakes
 * every second to try.
 */
#include "classifiers/rulehub.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classifiers/classify.h"
#include "util/deadline.h"
#include "util/log.h"

#define DEBOUNCE_DEFAULT_MS 300
#define DEBOUNCE_MAX_MS 5000 /* a reload comes at the latest this long after the first event */
#define REWATCH_MS 1000
#define WATCH_MASK                                                                          \
	(IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
	 IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

enum { W_RULES = 0, W_LIB, W_MODEL, NWATCH };

struct rulehub {
	char *rules_dir, *lib_dir, *cache_dir;
	pthread_mutex_t mu;   /* guards everything below except gen */
	pthread_cond_t cond;  /* want/running/stopping changed */
	struct ruleset *cur;
	unsigned long cur_gen;
	atomic_ulong gen;     /* cur_gen, readable without the lock */
	int want, running, stopping;
	unsigned long reloads, refused;
	rulehub_vet_fn vet;   /* set before reloads start */
	void *vet_ud;
	pthread_t reloader;
	int reloader_started;

	/* the watch thread */
	pthread_t watcher;
	int watching;
	int ifd, stop_pipe[2];
	unsigned debounce_ms;
	char *wdir[NWATCH];   /* directories watched (NULL: none) */
	int wd[NWATCH];       /* their watch descriptors, -1 while gone */
};

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static enum prc load(struct rulehub *hub, struct ruleset **out, struct buf *errors)
{
	struct ruleset_opts o;

	memset(&o, 0, sizeof(o));
	o.lib_dir = hub->lib_dir;
	o.cache_dir = hub->cache_dir;
	return ruleset_load(hub->rules_dir, &o, out, errors);
}

/* Loads the files as they are now and swaps the set in; the caller has set running. */
static enum prc do_reload(struct rulehub *hub, struct buf *caller_errors)
{
	struct ruleset *rs = NULL, *old;
	struct buf errors;
	unsigned long gen;
	const char *p, *nl;
	long t0 = now_ms();
	enum prc rc;
	int nerr = 0;

	buf_init(&errors, 1u << 20);
	rc = load(hub, &rs, &errors);
	if (rc == PRC_OK && hub->vet) {
		/* the running set is only read: a reference keeps it alive meanwhile */
		struct ruleset *cur = rulehub_current(hub);

		rc = hub->vet(cur, rs, &errors, hub->vet_ud);
		ruleset_unref(cur);
		if (rc != PRC_OK) {
			ruleset_unref(rs);
			rs = NULL;
		}
	}
	if (rc == PRC_OK) {
		pthread_mutex_lock(&hub->mu);
		old = hub->cur;
		hub->cur = rs;
		gen = ++hub->cur_gen;
		atomic_store(&hub->gen, gen);
		hub->reloads++;
		pthread_mutex_unlock(&hub->mu);
		ruleset_unref(old);
		log_msg(LOG_INFO, "rules reloaded from '%s': generation %lu, %zu rules, %zu patterns (%s, %ld ms)",
			hub->rules_dir, gen, ruleset_rule_count(rs), ruleset_pattern_count(rs),
			ruleset_from_cache(rs) ? "cached patterns" : "compiled", now_ms() - t0);
	} else {
		pthread_mutex_lock(&hub->mu);
		hub->reloads++;
		hub->refused++;
		pthread_mutex_unlock(&hub->mu);
		for (p = buf_str(&errors); *p; p = *nl ? nl + 1 : nl) {
			nl = strchr(p, '\n');
			if (!nl)
				nl = p + strlen(p);
			if (nl > p) {
				log_msg(LOG_ERROR, "%.*s", (int)(nl - p), p);
				nerr++;
			}
		}
		log_msg(LOG_ERROR, "rules in '%s' refused (%s, %d error%s); the running rules stay",
			hub->rules_dir, prc_str(rc), nerr, nerr == 1 ? "" : "s");
	}
	if (caller_errors && errors.len)
		buf_add(caller_errors, errors.ptr, errors.len);
	buf_release(&errors);
	return rc;
}

void rulehub_set_vet(struct rulehub *hub, rulehub_vet_fn fn, void *ud)
{
	pthread_mutex_lock(&hub->mu);
	hub->vet = fn;
	hub->vet_ud = ud;
	pthread_mutex_unlock(&hub->mu);
}

static void *reload_main(void *arg)
{
	struct rulehub *hub = arg;

	pthread_mutex_lock(&hub->mu);
	for (;;) {
		while (!hub->stopping && (!hub->want || hub->running))
			pthread_cond_wait(&hub->cond, &hub->mu);
		if (hub->stopping)
			break;
		hub->want = 0;
		hub->running = 1;
		pthread_mutex_unlock(&hub->mu);
		do_reload(hub, NULL);
		pthread_mutex_lock(&hub->mu);
		hub->running = 0;
		pthread_cond_broadcast(&hub->cond);
	}
	pthread_mutex_unlock(&hub->mu);
	return NULL;
}

static int dir_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

enum prc rulehub_new(const char *rules_dir, const char *lib_dir, const char *cache_dir,
		     struct rulehub **out, struct buf *errors)
{
	struct rulehub *hub = calloc(1, sizeof(*hub));
	enum prc rc;
	int i;

	*out = NULL;
	if (!hub)
		return PRC_NOMEM;
	pthread_mutex_init(&hub->mu, NULL);
	pthread_cond_init(&hub->cond, NULL);
	hub->ifd = hub->stop_pipe[0] = hub->stop_pipe[1] = -1;
	for (i = 0; i < NWATCH; i++)
		hub->wd[i] = -1;
	hub->rules_dir = strdup(rules_dir);
	hub->lib_dir = lib_dir ? strdup(lib_dir) : NULL;
	hub->cache_dir = cache_dir ? strdup(cache_dir) : NULL;
	if (!hub->rules_dir || (lib_dir && !hub->lib_dir) || (cache_dir && !hub->cache_dir)) {
		rc = PRC_NOMEM;
		goto fail;
	}
	rc = load(hub, &hub->cur, errors);
	if (rc != PRC_OK)
		goto fail;
	hub->cur_gen = 1;
	atomic_init(&hub->gen, 1);
	if (pthread_create(&hub->reloader, NULL, reload_main, hub) != 0) {
		buf_addstr(errors, "patrol: cannot start the rule reload thread\n");
		rc = PRC_INTERNAL;
		goto fail;
	}
	hub->reloader_started = 1;
	*out = hub;
	return PRC_OK;
fail:
	rulehub_free(hub);
	return rc;
}

void rulehub_free(struct rulehub *hub)
{
	int i;

	if (!hub)
		return;
	if (hub->watching) {
		ssize_t w;

		do
			w = write(hub->stop_pipe[1], "x", 1);
		while (w < 0 && errno == EINTR);
		pthread_join(hub->watcher, NULL);
	}
	if (hub->reloader_started) {
		pthread_mutex_lock(&hub->mu);
		hub->stopping = 1;
		pthread_cond_broadcast(&hub->cond);
		pthread_mutex_unlock(&hub->mu);
		pthread_join(hub->reloader, NULL);
	}
	if (hub->ifd >= 0)
		close(hub->ifd);
	for (i = 0; i < 2; i++)
		if (hub->stop_pipe[i] >= 0)
			close(hub->stop_pipe[i]);
	for (i = 0; i < NWATCH; i++)
		free(hub->wdir[i]);
	ruleset_unref(hub->cur);
	pthread_cond_destroy(&hub->cond);
	pthread_mutex_destroy(&hub->mu);
	free(hub->rules_dir);
	free(hub->lib_dir);
	free(hub->cache_dir);
	free(hub);
}

struct ruleset *rulehub_current_gen(struct rulehub *hub, unsigned long *gen)
{
	struct ruleset *rs;

	pthread_mutex_lock(&hub->mu);
	rs = ruleset_ref(hub->cur);
	if (gen)
		*gen = hub->cur_gen;
	pthread_mutex_unlock(&hub->mu);
	return rs;
}

struct ruleset *rulehub_current(struct rulehub *hub)
{
	return rulehub_current_gen(hub, NULL);
}

unsigned long rulehub_generation(const struct rulehub *hub)
{
	return atomic_load(&((struct rulehub *)hub)->gen);
}

void rulehub_reload_async(struct rulehub *hub)
{
	pthread_mutex_lock(&hub->mu);
	hub->want = 1;
	pthread_cond_broadcast(&hub->cond);
	pthread_mutex_unlock(&hub->mu);
}

enum prc rulehub_reload(struct rulehub *hub, struct buf *errors)
{
	enum prc rc;

	pthread_mutex_lock(&hub->mu);
	while (hub->running)
		pthread_cond_wait(&hub->cond, &hub->mu);
	hub->running = 1;
	pthread_mutex_unlock(&hub->mu);
	rc = do_reload(hub, errors);
	pthread_mutex_lock(&hub->mu);
	hub->running = 0;
	pthread_cond_broadcast(&hub->cond);
	pthread_mutex_unlock(&hub->mu);
	return rc;
}

void rulehub_status(struct rulehub *hub, struct rulehub_status *out)
{
	pthread_mutex_lock(&hub->mu);
	out->generation = hub->cur_gen;
	out->reloads = hub->reloads;
	out->refused = hub->refused;
	out->busy = hub->want || hub->running;
	out->watching = hub->watching;
	pthread_mutex_unlock(&hub->mu);
}

enum prc rulehub_wait_idle(struct rulehub *hub, long timeout_ms)
{
	struct timespec dl;
	enum prc rc = PRC_OK;

	dl = deadline_after(timeout_ms < 0 ? 0 : timeout_ms);
	pthread_mutex_lock(&hub->mu);
	while (hub->want || hub->running) {
		if (timeout_ms < 0) {
			pthread_cond_wait(&hub->cond, &hub->mu);
		} else if (pthread_cond_timedwait(&hub->cond, &hub->mu, &dl) == ETIMEDOUT) {
			rc = (hub->want || hub->running) ? PRC_AGAIN : PRC_OK;
			break;
		}
	}
	pthread_mutex_unlock(&hub->mu);
	return rc;
}

/* ---- watching ---- */

/* Whether a change to name in a watched directory can change the rules. */
static int relevant(const char *name, size_t len)
{
	size_t n = strnlen(name, len);

	return name[0] != '.' && ((n > 4 && !strcmp(name + n - 4, ".lua")) ||
				  (n > 6 && !strcmp(name + n - 6, ".model")));
}

static void add_watches(struct rulehub *hub)
{
	int i;

	for (i = 0; i < NWATCH; i++)
		if (hub->wdir[i] && hub->wd[i] < 0)
			hub->wd[i] = inotify_add_watch(hub->ifd, hub->wdir[i], WATCH_MASK);
}

/* Reads what inotify has; returns whether anything can change the rules. */
static int drain(struct rulehub *hub)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;
	int hit = 0, i, back;

	for (;;) {
		n = read(hub->ifd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				hit = 1;
				continue;
			}
			if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
				/* the directory went away: watch its name again when it is back */
				for (i = 0; i < NWATCH; i++)
					if (hub->wd[i] == ev->wd) {
						if (!(ev->mask & IN_IGNORED))
							inotify_rm_watch(hub->ifd, ev->wd);
						hub->wd[i] = -1;
					}
				hit = 1;
				continue;
			}
			if (ev->len && relevant(ev->name, ev->len))
				hit = 1;
		}
	}
	/* a directory swapped back in counts as a change */
	for (i = 0, back = 0; i < NWATCH; i++)
		if (hub->wdir[i] && hub->wd[i] < 0) {
			add_watches(hub);
			if (hub->wd[i] >= 0)
				back = 1;
		}
	return hit || back;
}

static void *watch_main(void *arg)
{
	struct rulehub *hub = arg;
	struct pollfd pf[2];
	long first = 0, last = 0, now, timeout, due;
	int armed = 0, i, missing, r;

	pf[0].fd = hub->ifd;
	pf[0].events = POLLIN;
	pf[1].fd = hub->stop_pipe[0];
	pf[1].events = POLLIN;
	for (;;) {
		for (i = 0, missing = 0; i < NWATCH; i++)
			if (hub->wdir[i] && hub->wd[i] < 0)
				missing = 1;
		timeout = -1;
		if (armed) {
			now = now_ms();
			due = last + hub->debounce_ms;
			if (due > first + DEBOUNCE_MAX_MS)
				due = first + DEBOUNCE_MAX_MS;
			timeout = due > now ? due - now : 0;
		}
		if (missing && (timeout < 0 || timeout > REWATCH_MS))
			timeout = REWATCH_MS;
		r = poll(pf, 2, (int)timeout);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0 && pf[1].revents)
			break;
		now = now_ms();
		if ((r > 0 && (pf[0].revents & POLLIN)) || missing) {
			if (drain(hub)) {
				if (!armed)
					first = now;
				armed = 1;
				last = now;
			}
		}
		if (armed && (now >= last + hub->debounce_ms || now >= first + DEBOUNCE_MAX_MS)) {
			armed = 0;
			log_msg(LOG_INFO, "rule files changed in '%s': reloading", hub->rules_dir);
			rulehub_reload_async(hub);
		}
	}
	return NULL;
}

enum prc rulehub_watch(struct rulehub *hub, unsigned debounce_ms, struct err *e)
{
	char *deflib = NULL;
	enum prc rc;
	int i;

	if (hub->watching)
		return err_set(e, PRC_DECLINED, "already watching '%s'", hub->rules_dir);
	hub->debounce_ms = debounce_ms ? debounce_ms : DEBOUNCE_DEFAULT_MS;
	hub->wdir[W_RULES] = strdup(hub->rules_dir);
	if (hub->lib_dir) {
		hub->wdir[W_LIB] = strdup(hub->lib_dir);
	} else if (asprintf(&deflib, "%s/../lib", hub->rules_dir) >= 0) {
		if (dir_exists(deflib))
			hub->wdir[W_LIB] = deflib;
		else
			free(deflib);
	}
	/* the trained model beside the rules (ruleset_load reads it from there) */
	if (asprintf(&deflib, "%s/../model", hub->rules_dir) >= 0) {
		if (dir_exists(deflib))
			hub->wdir[W_MODEL] = deflib;
		else
			free(deflib);
	}
	if (!hub->wdir[W_RULES]) {
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto fail;
	}
	hub->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (hub->ifd < 0) {
		rc = err_set(e, PRC_IO, "cannot watch rules: %s", strerror(errno));
		goto fail;
	}
	for (i = 0; i < NWATCH; i++) {
		if (!hub->wdir[i])
			continue;
		hub->wd[i] = inotify_add_watch(hub->ifd, hub->wdir[i], WATCH_MASK);
		if (hub->wd[i] < 0) {
			rc = err_set(e, PRC_IO, "cannot watch '%s': %s", hub->wdir[i],
				     strerror(errno));
			goto fail;
		}
	}
	if (pipe2(hub->stop_pipe, O_CLOEXEC) < 0) {
		rc = err_set(e, PRC_IO, "cannot watch rules: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&hub->watcher, NULL, watch_main, hub) != 0) {
		rc = err_set(e, PRC_INTERNAL, "cannot start the rule watch thread");
		goto fail;
	}
	pthread_mutex_lock(&hub->mu);
	hub->watching = 1;
	pthread_mutex_unlock(&hub->mu);
	return PRC_OK;
fail:
	if (hub->ifd >= 0)
		close(hub->ifd);
	hub->ifd = -1;
	for (i = 0; i < 2; i++) {
		if (hub->stop_pipe[i] >= 0)
			close(hub->stop_pipe[i]);
		hub->stop_pipe[i] = -1;
	}
	for (i = 0; i < NWATCH; i++) {
		free(hub->wdir[i]);
		hub->wdir[i] = NULL;
		hub->wd[i] = -1;
	}
	return rc;
}
