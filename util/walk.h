/* walk.h - every file under a path, in name order. */
#ifndef PATROL_WALK_H
#define PATROL_WALK_H

#include "util/err.h"

/*
 * What walk_files gives fn for each file: its path, and plain = 1 when its
 * folder listed it as a regular file, so that it is no symbolic link and
 * nobody needs to lstat() it to know (0: a link, path itself, or a file
 * system that does not say).
 */
typedef void (*walk_fn)(const char *file, int plain, void *ud);

/*
 * Calls fn for every regular file under path (path itself when it is not
 * a folder), each folder in name order (strcmp), skipping dot files.
 * Returns the number of files given to fn. A folder or file below path that
 * cannot be read is skipped: *problems counts them (problems may be NULL)
 * and e holds the first. -1 with e set when path itself cannot be read.
 */
long walk_files(const char *path, walk_fn fn, void *ud, int *problems, struct err *e);

#endif
