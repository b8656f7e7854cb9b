/* queue.h - bounded blocking queues of pointers between threads. */
#ifndef PATROL_QUEUE_H
#define PATROL_QUEUE_H

#include <stddef.h>

#include "util/err.h"

/*
 * A fixed-capacity FIFO of void pointers, safe for any number of producers
 * and consumers. Bounded so that memory stays flat: a producer waits while
 * the queue is full. After queue_close() pushes are declined and pops drain
 * what is left, then are declined. All functions are thread-safe.
 */
struct queue;

/* Returns a queue holding at most cap items, or NULL without memory. */
struct queue *queue_new(size_t cap);

/* Frees q (items still inside are not freed). NULL is fine. Not while in use. */
void queue_free(struct queue *q);

/* Adds item, waiting while full. PRC_DECLINED once closed. */
enum prc queue_push(struct queue *q, void *item);

/* Adds item without waiting: PRC_AGAIN when full, PRC_DECLINED once closed. */
enum prc queue_trypush(struct queue *q, void *item);

/* Takes the oldest item into *item, waiting while empty. PRC_DECLINED when closed and drained. */
enum prc queue_pop(struct queue *q, void **item);

/*
 * Like queue_pop, but waits at most timeout_ms: PRC_AGAIN when nothing came.
 * A timeout of 0 does not wait.
 */
enum prc queue_pop_timed(struct queue *q, void **item, long timeout_ms);

/* Wakes every waiter; later pushes are declined. */
void queue_close(struct queue *q);

/* Items queued now (a snapshot). */
size_t queue_len(struct queue *q);

#endif
