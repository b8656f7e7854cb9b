/*
 * hscache.c - the on-disk cache of compiled Hyperscan databases. Compiling
 * a rule set takes seconds once it has thousands of patterns; a crawl that
 * starts, a `patrol scan` a rule author runs twenty times an hour and a
 * reload that changed one classify() body should not pay that again. The
 * loader (classifiers/ruleset.c) computes the key; this file only stores
 * and finds entries, and never trusts what it reads.
 *
 * DESIGN
 *
 * One file per key, "<dir>/<sha256 hex>.hsdb":
 *
 *   "PATROLHS" | u32 format | u32 0 | key[32] | u64 n | payload[n] | crc32
 *
 * (little-endian), where the payload is patset_serialize()'s blob and the
 * trailing CRC-32 (zlib's) covers everything before it: it finds every
 * flipped byte and every burst of damage up to 32 bits, and misses other
 * damage once in four billion, at a fifth of a SHA-256's cost on a start
 * that reads megabytes. A reader checks the size against the file before
 * allocating, the magic, the format, that the key inside is the key asked
 * for (a renamed file is not an entry) and the CRC (a torn or flipped byte
 * does not reach Hyperscan), then hands the
 * payload to patset_deserialize(), which checks version, platform, mode and
 * sizes again through Hyperscan's own calls. Any failure means "no entry":
 * the loader compiles and the new entry replaces the bad one.
 *
 * Writers write a temporary file in the same directory, fsync it and
 * rename() it over the entry: readers in other processes see the old entry,
 * the new one or none, never half of one. Two writers of one key write the
 * same bytes, so the last rename winning is harmless. Each store prunes the
 * directory to the HSCACHE_KEEP entries used most recently (a load touches
 * its entry's mtime), so a rule author's hundred edits leave sixteen files.
 *
 * The cache directory must be writable by patrol alone: the CRC guards
 * against accidents, not against someone who can write a matching file
 * (or truncate an entry while a reader has it mapped).
 */
#include "classifiers/hscache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "util/bytes.h"
#include "util/hash.h"
#include "util/fdio.h"

#define MAGIC "PATROLHS"
#define FORMAT 3u
#define HEADER_LEN (8 + 4 + 4 + HSCACHE_KEY_LEN + 8)
#define TRAILER_LEN 4
#define FILE_MAX ((uint64_t)5 << 30) /* two databases of at most 2 GiB, and headers */
#define TMP_PREFIX ".hsdb-"
#define TMP_STALE_S 3600

char *hscache_path(const char *dir, const unsigned char key[HSCACHE_KEY_LEN])
{
	char hex[2 * HSCACHE_KEY_LEN + 1], *p;

	hash_hex(key, HSCACHE_KEY_LEN, hex);
	if (asprintf(&p, "%s/%s.hsdb", dir, hex) < 0)
		return NULL;
	return p;
}

/*
 * Maps all of fd (size bytes, already bounded), read-only and populated up
 * front: the page cache's pages themselves, not a copy, and one system call
 * instead of a page fault every 4 KB. Falls back to reading into a malloc'd
 * buffer (*mapped 0) where mapping is refused.
 */
static enum prc map_all(int fd, size_t size, unsigned char **out, int *mapped, struct err *e)
{
	unsigned char *b;
	ssize_t n;

	b = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (b != MAP_FAILED) {
		*out = b;
		*mapped = 1;
		return PRC_OK;
	}
	*mapped = 0;
	b = malloc(size);
	if (!b)
		return err_set(e, PRC_NOMEM, "out of memory reading the pattern cache");
	n = fd_read_full(fd, b, size);
	if (n < 0 || (size_t)n != size) {
		int err = errno;

		free(b);
		return err_set(e, PRC_PARSE, "short read: %s", n < 0 ? strerror(err) : "eof");
	}
	*out = b;
	return PRC_OK;
}

enum prc hscache_load(const char *dir, const unsigned char key[HSCACHE_KEY_LEN],
		      struct patset **out, struct err *e)
{
	char *path = hscache_path(dir, key);
	unsigned char *b = NULL;
	struct stat st;
	enum prc rc;
	int mapped = 0;
	uint64_t n;
	int fd = -1;

	*out = NULL;
	if (!path)
		return err_set(e, PRC_NOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = err_set(e, errno == ENOENT ? PRC_NOTFOUND : PRC_PARSE, "cannot open '%s': %s",
			     path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = err_set(e, PRC_PARSE, "'%s' is not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size < HEADER_LEN + TRAILER_LEN || (uint64_t)st.st_size > FILE_MAX ||
	    (uint64_t)st.st_size > SIZE_MAX) {
		rc = err_set(e, PRC_PARSE, "'%s' has an impossible size (%lld bytes)", path,
			     (long long)st.st_size);
		goto out;
	}
	rc = map_all(fd, (size_t)st.st_size, &b, &mapped, e);
	if (rc != PRC_OK)
		goto out;
	if (memcmp(b, MAGIC, 8) || bytes_get_u32(b + 8) != FORMAT) {
		rc = err_set(e, PRC_PARSE, "'%s' is not a pattern cache entry of this format", path);
		goto out;
	}
	if (memcmp(b + 16, key, HSCACHE_KEY_LEN)) {
		rc = err_set(e, PRC_PARSE, "'%s' holds another key", path);
		goto out;
	}
	n = bytes_get_u64(b + 16 + HSCACHE_KEY_LEN);
	if (n != (uint64_t)st.st_size - HEADER_LEN - TRAILER_LEN) {
		rc = err_set(e, PRC_PARSE, "'%s' is truncated", path);
		goto out;
	}
	if ((uint32_t)crc32_z(0L, b, (size_t)st.st_size - TRAILER_LEN) !=
	    bytes_get_u32(b + st.st_size - TRAILER_LEN)) {
		rc = err_set(e, PRC_PARSE, "'%s' is corrupt (CRC mismatch)", path);
		goto out;
	}
	rc = patset_deserialize(b + HEADER_LEN, (size_t)n, out, e);
	if (rc != PRC_OK) {
		err_prefix(e, "'%s': ", path);
		goto out;
	}
	/* most recently used: what pruning keeps */
	futimens(fd, NULL);
out:
	if (fd >= 0)
		close(fd);
	if (mapped)
		munmap(b, (size_t)st.st_size);
	else
		free(b);
	free(path);
	return rc;
}

struct entry {
	char *name;
	time_t mtime;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1; /* newest first */
	return strcmp(x->name, y->name);
}

/* Keeps the HSCACHE_KEEP newest entries of dir; removes stale temporary files. Best effort. */
static void prune(const char *dir)
{
	struct entry *v = NULL, *nv;
	size_t n = 0, cap = 0, i, l;
	struct dirent *de;
	struct stat st;
	char path[4096];
	time_t now = time(NULL);
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		l = strlen(de->d_name);
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path))
			continue;
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX))) {
			if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
			    now - st.st_mtime > TMP_STALE_S)
				unlink(path);
			continue;
		}
		if (l != 2 * HSCACHE_KEY_LEN + 5 || strcmp(de->d_name + l - 5, ".hsdb"))
			continue;
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n].name = strdup(de->d_name);
		v[n].mtime = st.st_mtime;
		if (v[n].name)
			n++;
	}
	closedir(d);
	if (n > HSCACHE_KEEP) {
		qsort(v, n, sizeof(*v), cmp_entry);
		for (i = HSCACHE_KEEP; i < n; i++)
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, v[i].name) <
			    sizeof(path))
				unlink(path);
	}
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

enum prc hscache_store(const char *dir, const unsigned char key[HSCACHE_KEY_LEN],
		       const struct patset *ps, struct err *e)
{
	unsigned char head[HEADER_LEN], trailer[TRAILER_LEN];
	char *payload = NULL, *path = NULL, *tmp = NULL;
	size_t n = 0;
	enum prc rc;
	int fd = -1;

	rc = patset_serialize(ps, &payload, &n, e);
	if (rc != PRC_OK)
		return rc;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, PRC_IO, "cannot create cache directory '%s': %s", dir,
			     strerror(errno));
		goto out;
	}
	path = hscache_path(dir, key);
	if (!path || asprintf(&tmp, "%s/" TMP_PREFIX "XXXXXX", dir) < 0) {
		tmp = NULL;
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = err_set(e, PRC_IO, "cannot create a file in '%s': %s", dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	memcpy(head, MAGIC, 8);
	bytes_put_u32(head + 8, FORMAT);
	bytes_put_u32(head + 12, 0);
	memcpy(head + 16, key, HSCACHE_KEY_LEN);
	bytes_put_u64(head + 16 + HSCACHE_KEY_LEN, n);
	bytes_put_u32(trailer, (uint32_t)crc32_z(crc32_z(0L, head, sizeof(head)),
						  (const unsigned char *)payload, n));
	if (fd_write_all(fd, head, sizeof(head)) < 0 || fd_write_all(fd, payload, n) < 0 ||
	    fd_write_all(fd, trailer, sizeof(trailer)) < 0 || fsync(fd) < 0) {
		rc = err_set(e, PRC_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = err_set(e, PRC_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = err_set(e, PRC_IO, "cannot rename '%s' to '%s': %s", tmp, path,
			     strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	prune(dir);
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(path);
	free(payload);
	return rc;
}
