/* launch.h - starting a crawl from the console: `patrol crawl` as a detached process. */
#ifndef PATROL_LAUNCH_H
#define PATROL_LAUNCH_H

#include "util/err.h"

/*
 * Starts `patrol crawl --job job --quiet [--allow-private] [--stats-file
 * stats] seed...` (this same binary) in the background, detached from the
 * server, with PATROL_DB set to conninfo, its output appended to log (a
 * file path); stats (may be NULL) is where it keeps its figures. Seeds must be http or https URLs
 * without spaces or control characters (PRC_INVALID names the first that
 * is not); at most 1000. Thread-safe.
 */
enum prc launch_crawl(const char *conninfo, const char *job, char *const *seeds, int nseeds,
		      int allow_private, const char *log, const char *stats, struct err *e);

#endif
