/*
 * deadline.c - the absolute times pthread_cond_timedwait wants, for the
 * modules that wait on a condition with a timeout in milliseconds (the
 * queues, the rule hub).
 */
#include "util/deadline.h"

struct timespec deadline_after(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}
