/* deadline.h - absolute times for waits with a timeout. */
#ifndef PATROL_DEADLINE_H
#define PATROL_DEADLINE_H

#include <time.h>

/*
 * The CLOCK_REALTIME time ms milliseconds from now (ms >= 0), as
 * pthread_cond_timedwait takes it. Thread-safe.
 */
struct timespec deadline_after(long ms);

#endif
