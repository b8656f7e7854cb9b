/* rulehub.h - the rule set a running crawl uses, reloaded in the background on demand or when files change. */
#ifndef PATROL_RULEHUB_H
#define PATROL_RULEHUB_H

#include "util/buf.h"
#include "util/err.h"

struct ruleset;

/*
 * Holds the current rule set (refcounted: workers keep the set they took
 * until they take the next) and a generation number that grows by one with
 * every set swapped in. Every function is thread-safe unless it says
 * otherwise.
 */
struct rulehub;

/*
 * Loads the first set from rules_dir (lib_dir and cache_dir as in
 * ruleset_load; each may be NULL) and starts the hub's reload thread.
 * PRC_OK with *out set (generation 1). Otherwise the result of
 * ruleset_load, every problem appended to errors ("file:line: message"
 * lines; errors initialized by the caller), or PRC_NOMEM/PRC_INTERNAL when
 * the thread cannot start. The directories are copied.
 */
enum prc rulehub_new(const char *rules_dir, const char *lib_dir, const char *cache_dir,
		     struct rulehub **out, struct buf *errors);

/*
 * Judges a loaded set (next) against the running one (cur) before a reload
 * swaps it in, in the reload thread: PRC_OK lets it in; anything else
 * refuses it, with why (a buffer the hub owns) saying so in lines.
 */
typedef enum prc (*rulehub_vet_fn)(struct ruleset *cur, struct ruleset *next, struct buf *why,
				   void *ud);

/*
 * Sets the vet every later reload runs (NULL: none), e.g. the rule pack's
 * own samples, so that a set that gets wrong what the running one got right
 * is refused. Call before rulehub_watch or the first reload request.
 */
void rulehub_set_vet(struct rulehub *hub, rulehub_vet_fn fn, void *ud);

/*
 * Stops the watch and reload threads (waiting for a reload in progress to
 * finish) and drops the hub's reference to its set; sets workers still hold
 * stay valid until they unref them. NULL is fine. Not to be called while
 * another thread still uses hub.
 */
void rulehub_free(struct rulehub *hub);

/* A new reference to the current set (release with ruleset_unref). Never NULL. */
struct ruleset *rulehub_current(struct rulehub *hub);

/* rulehub_current, with the set's generation in *gen, read together. */
struct ruleset *rulehub_current_gen(struct rulehub *hub, unsigned long *gen);

/*
 * The generation of the current set: one atomic load, for a worker to poll
 * between pages and rebuild its classifier when it changed.
 */
unsigned long rulehub_generation(const struct rulehub *hub);

/*
 * Asks for a reload and returns at once. The reload thread compiles the
 * files as they are now (using the cache); on success it swaps the new set
 * in and bumps the generation (logged at LOG_INFO); on failure the running
 * set stays and every error line is logged at LOG_ERROR, file:line first.
 * Requests made while a reload runs are merged into one more reload after
 * it. Not async-signal-safe: a signal handler sets a flag and the main
 * loop calls this.
 */
void rulehub_reload_async(struct rulehub *hub);

/*
 * Reloads now, in the calling thread, as the reload thread would (it waits
 * for a background reload in progress first). PRC_OK when a new set was
 * swapped in; otherwise the loader's result, with errors appended to
 * errors (may be NULL: then they are only logged).
 */
enum prc rulehub_reload(struct rulehub *hub, struct buf *errors);

/*
 * Starts watching the rules and lib directories (inotify): a *.lua file
 * written, created, moved or deleted there triggers rulehub_reload_async
 * once the directories have been quiet for debounce_ms (0: 300 ms), so an
 * editor's write-rename-chmod or a copied tree costs one reload. PRC_OK,
 * PRC_DECLINED when already watching, PRC_IO when a directory cannot be
 * watched, PRC_INTERNAL when the thread cannot start.
 */
enum prc rulehub_watch(struct rulehub *hub, unsigned debounce_ms, struct err *e);

struct rulehub_status {
	unsigned long generation; /* as rulehub_generation */
	unsigned long reloads;    /* reloads finished, good or refused */
	unsigned long refused;    /* of which refused (the running set stayed) */
	int busy;                 /* a reload is asked for or running */
	int watching;
};

/* A snapshot of the hub's counters. */
void rulehub_status(struct rulehub *hub, struct rulehub_status *out);

/*
 * Waits until no reload is asked for or running, at most timeout_ms
 * (negative: no limit). PRC_OK, or PRC_AGAIN on timeout. For tests and for
 * a clean shutdown.
 */
enum prc rulehub_wait_idle(struct rulehub *hub, long timeout_ms);

#endif
