/*
 * launch.c - a crawl started from the console runs as its own `patrol
 * crawl` process, exactly as from a shell, so the console's threads never
 * crawl and a crawl outlives a restart of the console. The process is
 * detached with a double fork (the server reaps the first child at once,
 * the crawl is adopted by init), and everything it needs (its argv and
 * environment) is built before fork: between fork and exec the child only
 * makes async-signal-safe calls, as a threaded server must.
 */
#include "console/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define LAUNCH_MAX_SEEDS 1000

static int seed_ok(const char *s)
{
	const unsigned char *p;

	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return strlen(s) <= 2048;
}

static int job_ok(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return n >= 1 && n <= 64;
}

enum prc launch_crawl(const char *conninfo, const char *job, char *const *seeds, int nseeds,
		      int allow_private, const char *log, const char *stats, struct err *e)
{
	char exe[PATH_MAX], *dbvar = NULL;
	char **argv = NULL, **envp = NULL;
	size_t nenv = 0, i, k;
	enum prc rc = PRC_OK;
	ssize_t n;
	pid_t pid;
	int fd = -1, st;

	if (!job_ok(job))
		return err_set(e, PRC_INVALID, "job name '%s' must be 1 to 64 of A-Z a-z 0-9 - _ .",
			       job ? job : "");
	if (nseeds < 1 || nseeds > LAUNCH_MAX_SEEDS)
		return err_set(e, PRC_INVALID, "a crawl needs 1 to %d seeds", LAUNCH_MAX_SEEDS);
	for (i = 0; i < (size_t)nseeds; i++)
		if (!seed_ok(seeds[i]))
			return err_set(e, PRC_INVALID, "seed '%.200s' is not an http or https URL", seeds[i]);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return err_set(e, PRC_IO, "cannot find the patrol binary (/proc/self/exe)");
	exe[n] = '\0';
	argv = calloc((size_t)nseeds + 9, sizeof(char *));
	while (environ && environ[nenv])
		nenv++;
	envp = calloc(nenv + 2, sizeof(char *));
	if (!argv || !envp || asprintf(&dbvar, "PATROL_DB=%s", conninfo) < 0) {
		dbvar = NULL;
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	argv[0] = exe;
	argv[1] = (char *)"crawl";
	argv[2] = (char *)"--job";
	argv[3] = (char *)job;
	argv[4] = (char *)"--quiet";
	k = 5;
	if (allow_private)
		argv[k++] = (char *)"--allow-private";
	if (stats) {
		argv[k++] = (char *)"--stats-file";
		argv[k++] = (char *)stats;
	}
	for (i = 0; i < (size_t)nseeds; i++)
		argv[k++] = seeds[i];
	for (i = 0, k = 0; i < nenv; i++)
		if (strncmp(environ[i], "PATROL_DB=", 10))
			envp[k++] = environ[i];
	envp[k] = dbvar;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) /* no place for a log: the crawl's own records in the database remain */
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = err_set(e, PRC_IO, "cannot open the crawl log '%s'", log);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		rc = err_set(e, PRC_IO, "cannot start a crawl process");
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setsid();
		if (fork() != 0)
			_exit(0);
		if (null >= 0)
			dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		/* the running binary itself, even when a newer one was installed over it since */
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
out:
	if (fd >= 0)
		close(fd);
	free(dbvar);
	free(argv);
	free(envp);
	return rc;
}
