/* fdio.h - whole reads and writes of file descriptors. */
#ifndef PATROL_FDIO_H
#define PATROL_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes all n bytes of p to fd, going on after short writes and EINTR.
 * Returns 0, or -1 with errno set when a write fails. Thread-safe.
 */
int fd_write_all(int fd, const void *p, size_t n);

/*
 * Reads from fd into p until n bytes are in or the end of the input, going
 * on after short reads and EINTR. Returns the bytes read (fewer than n only
 * at the end), or -1 with errno set when a read fails. Thread-safe.
 */
ssize_t fd_read_full(int fd, void *p, size_t n);

/*
 * Reads the whole regular file at path, of min to max bytes, into a new
 * buffer (*out, malloc'd, free it; *len its size). Symbolic links are not
 * followed. Returns 0, or -1 when the file cannot be opened or read, is not
 * a regular file, or its size is out of [min, max]. Thread-safe.
 */
int fd_read_file(const char *path, size_t min, size_t max, char **out, size_t *len);

#endif
