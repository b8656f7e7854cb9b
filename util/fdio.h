/* fdio.h - whole writes to file descriptors. */
#ifndef PATROL_FDIO_H
#define PATROL_FDIO_H

#include <stddef.h>

/*
 * Writes all n bytes of p to fd, going on after short writes and EINTR.
 * Returns 0, or -1 with errno set when a write fails. Thread-safe.
 */
int fd_write_all(int fd, const void *p, size_t n);

#endif
