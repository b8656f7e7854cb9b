/*
 * heartbeat.c - lease renewal off the crawl's hot path.
 *
 * DESIGN
 *
 * A host lease (store/crawlstore.c) is judged by its expiry alone: whoever
 * leases hosts takes those whose lease_until has passed, on any machine. So
 * a live process must renew before the expiry whatever it is doing, and a
 * dead one must stop renewing. The fetch thread renews too (crawl.c renew(),
 * which also learns which hosts it lost), but it can be held up: a full work
 * queue when rules are slow, a long writer transaction, a stalled database
 * call. This thread does nothing else: every lease_s / 3 it extends every
 * lease of its owner by lease_s, on a connection of its own, so a lease ends
 * at most lease_s after the process is killed and never while it lives.
 *
 * Alive is not the same as working: a process whose loop has made no
 * progress (heartbeat_alive) for max(10 leases, 5 minutes) is taken for hung,
 * and the heartbeat lets its leases run out so that others crawl its hosts.
 *
 * The same-machine fast path (crawlstore_reap_local: a lease whose owner has
 * this host name and PID namespace and whose PID is gone is expired at
 * once) stays: the owner's identity names the PID namespace, so a PID is
 * only ever tested in the namespace it belongs to, and a PID reused by
 * another process reads as alive, which only falls back on the expiry.
 */
#include "store/heartbeat.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/crawlstore.h"
#include "store/db.h"

#define HEARTBEAT_MAX_PERIOD_MS 10000
#define HEARTBEAT_MIN_PERIOD_MS 500
#define HEARTBEAT_MIN_STALL_MS (300 * 1000)

struct heartbeat {
	struct db *db;
	int64_t job_id;
	char *owner;
	int lease_s;
	long period_ms;
	long stall_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	atomic_llong alive_ms;
	atomic_ullong beats, failures;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void beat(struct heartbeat *hb)
{
	int64_t *lost = NULL;
	size_t nlost = 0;
	struct err e = { "" };

	if (mono_ms() - atomic_load(&hb->alive_ms) > hb->stall_ms)
		return; /* hung: let the leases run out */
	if (db_ensure(hb->db, &e) == PRC_OK &&
	    crawlstore_renew(hb->db, hb->job_id, hb->owner, hb->lease_s, NULL, 0, &lost, &nlost, &e) == PRC_OK)
		atomic_fetch_add(&hb->beats, 1);
	else
		atomic_fetch_add(&hb->failures, 1);
	free(lost);
}

static void *heartbeat_main(void *arg)
{
	struct heartbeat *hb = arg;
	struct timespec until;

	pthread_mutex_lock(&hb->lock);
	while (!hb->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += hb->period_ms / 1000;
		until.tv_nsec += (hb->period_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		while (!hb->stop && pthread_cond_timedwait(&hb->wake, &hb->lock, &until) == 0)
			;
		if (hb->stop)
			break;
		pthread_mutex_unlock(&hb->lock);
		beat(hb);
		pthread_mutex_lock(&hb->lock);
	}
	pthread_mutex_unlock(&hb->lock);
	return NULL;
}

enum prc heartbeat_start(const char *conninfo, int64_t job_id, const char *owner, int lease_s,
			 struct heartbeat **out, struct err *e)
{
	struct heartbeat *hb;
	pthread_condattr_t ca;
	enum prc rc;

	*out = NULL;
	if (lease_s < 1)
		return err_set(e, PRC_INVALID, "a lease of %d seconds is too short", lease_s);
	hb = calloc(1, sizeof(*hb));
	if (!hb)
		return err_set(e, PRC_NOMEM, "out of memory");
	hb->owner = strdup(owner);
	if (!hb->owner) {
		free(hb);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	hb->job_id = job_id;
	hb->lease_s = lease_s;
	hb->period_ms = (long)lease_s * 1000 / 3;
	if (hb->period_ms > HEARTBEAT_MAX_PERIOD_MS)
		hb->period_ms = HEARTBEAT_MAX_PERIOD_MS;
	if (hb->period_ms < HEARTBEAT_MIN_PERIOD_MS)
		hb->period_ms = HEARTBEAT_MIN_PERIOD_MS;
	hb->stall_ms = (long)lease_s * 10 * 1000;
	if (hb->stall_ms < HEARTBEAT_MIN_STALL_MS)
		hb->stall_ms = HEARTBEAT_MIN_STALL_MS;
	atomic_init(&hb->alive_ms, mono_ms());
	rc = db_connect(conninfo, &hb->db, e);
	if (rc != PRC_OK) {
		free(hb->owner);
		free(hb);
		return rc;
	}
	pthread_mutex_init(&hb->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&hb->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&hb->thread, NULL, heartbeat_main, hb) != 0) {
		pthread_cond_destroy(&hb->wake);
		pthread_mutex_destroy(&hb->lock);
		db_free(hb->db);
		free(hb->owner);
		free(hb);
		return err_set(e, PRC_INTERNAL, "cannot start the lease heartbeat thread");
	}
	*out = hb;
	return PRC_OK;
}

void heartbeat_alive(struct heartbeat *hb)
{
	if (hb)
		atomic_store(&hb->alive_ms, mono_ms());
}

uint64_t heartbeat_beats(const struct heartbeat *hb)
{
	return hb ? atomic_load(&hb->beats) : 0;
}

uint64_t heartbeat_failures(const struct heartbeat *hb)
{
	return hb ? atomic_load(&hb->failures) : 0;
}

void heartbeat_stop(struct heartbeat *hb)
{
	if (!hb)
		return;
	pthread_mutex_lock(&hb->lock);
	hb->stop = 1;
	pthread_cond_signal(&hb->wake);
	pthread_mutex_unlock(&hb->lock);
	pthread_join(hb->thread, NULL);
	pthread_cond_destroy(&hb->wake);
	pthread_mutex_destroy(&hb->lock);
	db_free(hb->db);
	free(hb->owner);
	free(hb);
}
