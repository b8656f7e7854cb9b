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

static void problem(int *problems, struct err *e, const char *fmt, const char *path, int errnum)
{
	if (problems) {
		if (!*problems)
			err_set(e, PRC_IO, fmt, path, strerror(errnum));
		++*problems;
	}
}

/* A directory entry: its name, and its type when the directory said (DT_UNKNOWN else). */
struct name {
	char *name;
	unsigned char type;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct name *)a)->name, ((const struct name *)b)->name);
}

/* The entries of directory path, sorted, dot files skipped; *n of them. NULL with errno set. */
static struct name *dir_names(const char *path, size_t *n)
{
	struct dirent *de;
	struct name *names = NULL, *nn;
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
		names[*n].name = strdup(de->d_name);
		if (!names[*n].name)
			goto nomem;
		names[*n].type = de->d_type;
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
		free(names[--*n].name);
	free(names);
	errno = ENOMEM;
	return NULL;
}

/*
 * type: the entry's type as its directory gave it, DT_UNKNOWN for path
 * itself or where the file system does not say. A regular file the
 * directory vouches for needs no stat(); a link, or anything unsaid, is
 * looked at through stat() as before.
 */
static long walk(const char *path, unsigned char type, walk_fn fn, void *ud, int *problems,
		 struct err *e, int top)
{
	struct stat st;
	struct name *names;
	char *sub;
	size_t n = 0, i;
	long files = 0, r;

	if (type == DT_REG) {
		fn(path, 1, ud);
		return 1;
	}
	if (type != DT_DIR && stat(path, &st) < 0) {
		if (top) {
			err_set(e, PRC_IO, "cannot read '%s': %s", path, strerror(errno));
			return -1;
		}
		problem(problems, e, "cannot read '%s': %s", path, errno);
		return 0;
	}
	if (type != DT_DIR && !S_ISDIR(st.st_mode)) {
		fn(path, 0, ud);
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
			     names[i].name) < 0) {
			problem(problems, e, "cannot walk '%s': %s", path, ENOMEM);
		} else {
			r = walk(sub, names[i].type, fn, ud, problems, e, 0);
			files += r > 0 ? r : 0;
			free(sub);
		}
		free(names[i].name);
	}
	free(names);
	return files;
}

long walk_files(const char *path, walk_fn fn, void *ud, int *problems, struct err *e)
{
	return walk(path, DT_UNKNOWN, fn, ud, problems, e, 1);
}
