/* fdio.c - whole reads and writes of file descriptors (pipes to a child, cache files, images). */
#include "util/fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int fd_read_file(const char *path, size_t min, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *b = NULL;
	ssize_t got;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (unsigned long long)st.st_size < min || (unsigned long long)st.st_size > max ||
	    !(b = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return -1;
	}
	got = fd_read_full(fd, b, (size_t)st.st_size);
	close(fd);
	if (got < 0 || (size_t)got != (size_t)st.st_size) {
		free(b);
		return -1;
	}
	b[got] = '\0';
	*out = b;
	*len = (size_t)got;
	return 0;
}

ssize_t fd_read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int fd_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}
