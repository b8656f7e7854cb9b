/* fixture.h - the files C unit tests write for the code under test to read. */
#ifndef PATROL_FIXTURE_H
#define PATROL_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Writes text to the file dir/name (made or emptied); a file that cannot be written is left to the test's checks. */
static inline void fixture_put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/*
 * A rules folder with a cache folder beside it, for a test: makes the
 * temporary directory tmpl (a mkdtemp template; NULL for none) and
 * tmpl/rules; rules and cache get the paths of tmpl/rules and tmpl/cache
 * (the cache is left to the code under test). 0, or -1 when tmpl cannot
 * be made (the test skips).
 */
static inline int fixture_rules_dirs(char *tmpl, char *rules, size_t rsize, char *cache,
				     size_t csize)
{
	if (!tmpl || !mkdtemp(tmpl))
		return -1;
	snprintf(rules, rsize, "%s/rules", tmpl);
	snprintf(cache, csize, "%s/cache", tmpl);
	mkdir(rules, 0755);
	return 0;
}

/* Removes dir and everything under it: 0, or -1 when it cannot. */
static inline int fixture_remove(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * The whole of the file path in a malloc'd buffer with a NUL after it,
 * *len its size (0 on failure). NULL when it cannot be read.
 */
static inline char *fixture_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = n < 0 ? NULL : malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b) {
		b[n] = 0;
		*len = (size_t)n;
	}
	return b;
}

/*
 * Writes size bytes of data to path (made or emptied). Aborts when it
 * cannot: a fuzz target has no other way to say so.
 */
static inline void fixture_write(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
}

#endif
