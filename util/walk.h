/* walk.h - every file under a path, in name order. */
#ifndef PATROL_WALK_H
#define PATROL_WALK_H

#include "util/err.h"

/*
 * Calls fn(file, ud) for every regular file under path (path itself when it
 * is not a folder), each folder in name order (strcmp), skipping dot files.
 * Returns the number of files given to fn. A folder or file below path that
 * cannot be read is skipped: *problems counts them (problems may be NULL)
 * and e holds the first. -1 with e set when path itself cannot be read.
 */
long walk_files(const char *path, void (*fn)(const char *file, void *ud), void *ud, int *problems,
		struct err *e);

#endif
