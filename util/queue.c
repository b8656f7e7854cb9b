/*
 * queue.c - bounded MPMC queue (a ring under one mutex, two condition
 * variables). The crawl's stages (fetch → workers → writer) hand pages over
 * through these; the bound is what keeps memory flat when one stage is slower
 * than the one before it.
 */
#include "util/queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/deadline.h"

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	void **items;
	size_t cap, head, len;
	int closed;
};

struct queue *queue_new(size_t cap)
{
	struct queue *q;

	if (cap == 0)
		cap = 1;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->items = calloc(cap, sizeof(void *));
	if (!q->items) {
		free(q);
		return NULL;
	}
	q->cap = cap;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	return q;
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	free(q->items);
	free(q);
}

static void queue_put_locked(struct queue *q, void *item)
{
	q->items[(q->head + q->len) % q->cap] = item;
	q->len++;
	pthread_cond_signal(&q->not_empty);
}

enum prc queue_push(struct queue *q, void *item)
{
	enum prc rc = PRC_OK;

	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->len == q->cap)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (q->closed)
		rc = PRC_DECLINED;
	else
		queue_put_locked(q, item);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

enum prc queue_trypush(struct queue *q, void *item)
{
	enum prc rc = PRC_OK;

	pthread_mutex_lock(&q->lock);
	if (q->closed)
		rc = PRC_DECLINED;
	else if (q->len == q->cap)
		rc = PRC_AGAIN;
	else
		queue_put_locked(q, item);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

static void *queue_take_locked(struct queue *q)
{
	void *item = q->items[q->head];

	q->head = (q->head + 1) % q->cap;
	q->len--;
	pthread_cond_signal(&q->not_full);
	return item;
}

enum prc queue_pop(struct queue *q, void **item)
{
	enum prc rc = PRC_OK;

	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->len == 0)
		pthread_cond_wait(&q->not_empty, &q->lock);
	if (q->len)
		*item = queue_take_locked(q);
	else
		rc = PRC_DECLINED;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

enum prc queue_pop_timed(struct queue *q, void **item, long timeout_ms)
{
	struct timespec ts;
	enum prc rc = PRC_OK;

	ts = deadline_after(timeout_ms);
	pthread_mutex_lock(&q->lock);
	while (!q->closed && q->len == 0 && timeout_ms > 0) {
		if (pthread_cond_timedwait(&q->not_empty, &q->lock, &ts) == ETIMEDOUT)
			break;
	}
	if (q->len)
		*item = queue_take_locked(q);
	else
		rc = q->closed ? PRC_DECLINED : PRC_AGAIN;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

size_t queue_len(struct queue *q)
{
	size_t n;

	pthread_mutex_lock(&q->lock);
	n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}
