/* launch.h - starting a crawl from the console: `patrol crawl` as a detached process. */
#ifndef PATROL_LAUNCH_H
#define PATROL_LAUNCH_H

#include "util/err.h"

/*
 * Starts `patrol crawl --job job --quiet [--allow-private] seed...` (this same binary) in the
 * background, detached from the server, with PATROL_DB set to conninfo, its
 * output appended to log (a file path). Seeds must be http or https URLs
 * without spaces or control characters (PRC_INVALID names the first that
 * is not); at most 1000. Thread-safe.
 */
enum prc launch_crawl(const char *conninfo, const char *job, char *const *seeds, int nseeds,
		      int allow_private, const char *log, struct err *e);

#endif
