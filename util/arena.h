/* arena.h - per-page memory pools with cleanup hooks, freed all at once. */
#ifndef PATROL_ARENA_H
#define PATROL_ARENA_H

#include <stddef.h>

/*
 * Everything derived from one page (headers, text, views, matches, evidence)
 * is allocated here and freed by one arena_free() when the page is stored.
 * Foreign resources (xmlDoc, iconv_t) are registered with arena_on_free().
 * Not thread-safe: an arena is owned by one thread at a time and handed over
 * through queues.
 */
struct arena;

typedef void (*arena_cleanup_fn)(void *data);

/* Returns a new arena, or NULL without memory. Free with arena_free(). */
struct arena *arena_new(void);

/* Frees every allocation and runs the cleanup hooks, last registered first. NULL is fine. */
void arena_free(struct arena *a);

/* Returns n bytes aligned for any type, or NULL without memory. Owned by a. */
void *arena_alloc(struct arena *a, size_t n);

/* Like arena_alloc, zero-filled. */
void *arena_calloc(struct arena *a, size_t nmemb, size_t size);

/* Copies len bytes of s and a NUL into a; NULL without memory. */
char *arena_strndup(struct arena *a, const char *s, size_t len);

/* Copies the string s into a; NULL without memory. */
char *arena_strdup(struct arena *a, const char *s);

/* Registers fn(data) to run at arena_free(). Returns 0, or -1 without memory (fn is then run at once). */
int arena_on_free(struct arena *a, arena_cleanup_fn fn, void *data);

#endif
