/* hscache.h - compiled pattern databases cached on disk, keyed by a digest of everything that decides them. */
#ifndef PATROL_HSCACHE_H
#define PATROL_HSCACHE_H

#include "classifiers/patset.h"
#include "util/err.h"

#define HSCACHE_KEY_LEN 32 /* a SHA-256 */
#define HSCACHE_KEEP 16    /* entries kept in a cache directory, the most recently used */

/*
 * Loads the databases cached in dir under key. PRC_OK with *out set (the
 * caller owns it); PRC_NOTFOUND when there is no entry; PRC_PARSE when an
 * entry exists but cannot be used (truncated, corrupt, written for another
 * key, Hyperscan version or platform), with the reason in e: the caller
 * compiles and stores again, which replaces it. A used entry's mtime is
 * touched so that pruning keeps it. PRC_NOMEM. Thread-safe; several
 * processes may share one directory.
 */
enum prc hscache_load(const char *dir, const unsigned char key[HSCACHE_KEY_LEN],
		      struct patset **out, struct err *e);

/*
 * Stores ps in dir under key; dir is created (mode 0700) when missing. The
 * entry is written to a temporary file in dir, flushed and renamed into
 * place, so a reader sees a whole entry or none. Then all but the
 * HSCACHE_KEEP most recently used entries are removed, and temporary files
 * older than an hour (from a writer that died). A failure costs only the
 * cache: PRC_IO or PRC_NOMEM with e set. Thread-safe.
 */
enum prc hscache_store(const char *dir, const unsigned char key[HSCACHE_KEY_LEN],
		       const struct patset *ps, struct err *e);

/* The path of key's entry in dir: "<dir>/<64 hex digits>.hsdb", malloc'd, NULL without memory. */
char *hscache_path(const char *dir, const unsigned char key[HSCACHE_KEY_LEN]);

#endif
