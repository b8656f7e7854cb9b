/*
 * walk.c - the files under a path, in name order: what `scan`, `rules test`
 * and `train` read when given a folder. Sorted so that the same folder
 * gives the same output (and the same model bytes) on every file system.
 */
#include "util/walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void problem(int *problems, struct err *e, const char *fmt, const char *path, int errnum)
{
	if (problems) {
		if (!*problems)
			err_set(e, PRC_IO, fmt, path, strerror(errnum));
		++*problems;
	}
}

/* The names in directory path, sorted, dot files skipped; *n of them. NULL with errno set. */
static char **dir_names(const char *path, size_t *n)
{
	struct dirent *de;
	char **names = NULL, **nn;
	size_t cap = 0;
	DIR *d = opendir(path);

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn)
				goto nomem;
			names = nn;
		}
		names[*n] = strdup(de->d_name);
		if (!names[*n])
			goto nomem;
		++*n;
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_name);
	else if (!names)
		names = calloc(1, sizeof(*names));
	if (!names)
		errno = ENOMEM;
	return names;
nomem:
	closedir(d);
	while (*n)
		free(names[--*n]);
	free(names);
	errno = ENOMEM;
	return NULL;
}

static long walk(const char *path, void (*fn)(const char *file, void *ud), void *ud, int *problems,
		 struct err *e, int top)
{
	struct stat st;
	char **names, *sub;
	size_t n = 0, i;
	long files = 0, r;

	if (stat(path, &st) < 0) {
		if (top) {
			err_set(e, PRC_IO, "cannot read '%s': %s", path, strerror(errno));
			return -1;
		}
		problem(problems, e, "cannot read '%s': %s", path, errno);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		fn(path, ud);
		return 1;
	}
	names = dir_names(path, &n);
	if (!names) {
		if (top) {
			err_set(e, PRC_IO, "cannot open directory '%s': %s", path, strerror(errno));
			return -1;
		}
		problem(problems, e, "cannot open directory '%s': %s", path, errno);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&sub, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
			     names[i]) < 0) {
			problem(problems, e, "cannot walk '%s': %s", path, ENOMEM);
		} else {
			r = walk(sub, fn, ud, problems, e, 0);
			files += r > 0 ? r : 0;
			free(sub);
		}
		free(names[i]);
	}
	free(names);
	return files;
}

long walk_files(const char *path, void (*fn)(const char *file, void *ud), void *ud, int *problems,
		struct err *e)
{
	return walk(path, fn, ud, problems, e, 1);
}
