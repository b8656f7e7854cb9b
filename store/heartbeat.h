/* heartbeat.h - keeps a crawl process's host leases alive from a thread of its own. */
#ifndef PATROL_HEARTBEAT_H
#define PATROL_HEARTBEAT_H

#include <stdint.h>

#include "util/err.h"

/*
 * A thread with its own connection that renews every lease the owner holds
 * in the job (crawlstore_renew) every lease_s / 3 seconds (at most 10), so
 * a lease outlives a fetch loop or a writer that is busy for longer than the
 * lease, and ends lease_s after the process dies, whatever the machine.
 * The process says it is still making progress with heartbeat_alive; when it
 * has not for max(10 leases, 5 minutes), the heartbeat stops renewing, so a
 * process that hangs gives its hosts up like one that died.
 */
struct heartbeat;

/*
 * Connects to conninfo and starts the thread. On PRC_OK *out is the
 * heartbeat (stop it with heartbeat_stop); owner is copied.
 */
enum prc heartbeat_start(const char *conninfo, int64_t job_id, const char *owner, int lease_s,
			 struct heartbeat **out, struct err *e);

/* Progress was made (any thread; cheap: one atomic store). NULL is fine. */
void heartbeat_alive(struct heartbeat *hb);

/* Renewals that went through, and ones that failed (the database away). Any thread. */
uint64_t heartbeat_beats(const struct heartbeat *hb);
uint64_t heartbeat_failures(const struct heartbeat *hb);

/* Stops and joins the thread (within one period at most), closes, frees. NULL is fine. */
void heartbeat_stop(struct heartbeat *hb);

#endif
