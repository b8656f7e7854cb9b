/* snapper.h - the console's snapshot queue: pages rendered to PNG in the background, a few at a time. */
#ifndef PATROL_SNAPPER_H
#define PATROL_SNAPPER_H

#include <stdint.h>

#include "util/err.h"

struct snapper_opts {
	const char *conninfo; /* the database: the workers have their own connections */
	const char *warc_dir; /* where the WARC files are; the PNGs go beside them */
	const char *chromium; /* the browser */
	int timeout_s;        /* per rendering (snapshot.h) */
	int workers;          /* renderings at once (default 1) */
	int queue;            /* requests waiting at most (default 64) */
};

/*
 * Starts the workers. Each takes a request, finds the page's latest WARC
 * record (store/consolestore.h), reads and checks it (capture.h), renders
 * its body (snapshot.h), writes the PNG beside the WARC file as
 * "<warc file>.<fetch id>.<first 16 hex of its SHA-256>.png" (written under
 * a temporary name, then renamed) and records it with its SHA-256; a
 * rendering that fails is recorded with why. NULL with e set on failure.
 */
struct snapper *snapper_start(const struct snapper_opts *o, struct err *e);

/* Stops taking requests, ends a rendering under way (its browser is killed), joins the workers, frees s. */
void snapper_stop(struct snapper *s);

/*
 * Queues page_id to be rendered for actor (copied). PRC_OK when queued,
 * PRC_DECLINED when that page is queued or being rendered already,
 * PRC_AGAIN when the queue is full, PRC_NOTFOUND when there is no browser.
 * Never waits. Thread-safe.
 */
enum prc snapper_request(struct snapper *s, int64_t page_id, const char *actor, struct err *e);

/* 1 when page_id is queued or being rendered now. Thread-safe. */
int snapper_busy(struct snapper *s, int64_t page_id);

/* 1 when the browser is there (checked now). */
int snapper_available(const struct snapper *s);

/* The browser's path. */
const char *snapper_chromium(const struct snapper *s);

#endif
