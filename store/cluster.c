/*
 * cluster.c - the embedded PostgreSQL cluster.
 *
 * Without --db or PATROL_DB, patrol keeps its system of record in a cluster
 * of its own under $PATROL_HOME: created by initdb on first use, started on
 * demand, reachable only through a Unix socket inside $PATROL_HOME. The
 * server refuses to run as root, so as root every PostgreSQL tool runs as the
 * "postgres" system user through runuser(1), and that user owns the cluster.
 * A file lock serializes start-up, so crawls started together create and
 * start the cluster once.
 */
#include "store/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"

#define CLUSTER_PORT "5432"
#define CLUSTER_USER "postgres"

char *cluster_home(const char *home, struct err *e)
{
	char path[PATH_MAX];
	const char *h = home ? home : getenv("PATROL_HOME");
	char *abs;

	if (!h || !*h)
		h = "./var";
	if (strlen(h) >= sizeof(path)) {
		err_set(e, PRC_INVALID, "PATROL_HOME is too long");
		return NULL;
	}
	if (mkdir(h, 0755) < 0 && errno != EEXIST) {
		err_set(e, PRC_IO, "cannot create '%s': %s", h, strerror(errno));
		return NULL;
	}
	abs = realpath(h, NULL);
	if (!abs)
		err_set(e, PRC_IO, "cannot resolve '%s': %s", h, strerror(errno));
	return abs;
}

/* The directory holding PostgreSQL's server tools; "" means rely on PATH. */
static void cluster_bindir(char *out, size_t len)
{
	const char *env = getenv("PATROL_PG_BINDIR");
	DIR *dir;
	struct dirent *de;
	long best = -1;

	out[0] = '\0';
	if (env && *env) {
		snprintf(out, len, "%s/", env);
		return;
	}
	dir = opendir("/usr/lib/postgresql");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char probe[PATH_MAX];
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || v <= best)
			continue;
		snprintf(probe, sizeof(probe), "/usr/lib/postgresql/%s/bin/initdb", de->d_name);
		if (access(probe, X_OK) == 0) {
			best = v;
			snprintf(out, len, "/usr/lib/postgresql/%s/bin/", de->d_name);
		}
	}
	closedir(dir);
}

/*
 * Runs a PostgreSQL tool (as the postgres user when we are root), its output
 * appended to logpath. Returns the exit status, or -1 if it could not run.
 */
static int cluster_run(const char *logpath, char *const argv[])
{
	char *full[32];
	char bindir[PATH_MAX], tool[PATH_MAX + 64];
	pid_t pid;
	int status, i = 0, j, fd;

	cluster_bindir(bindir, sizeof(bindir));
	snprintf(tool, sizeof(tool), "%s%s", bindir, argv[0]);
	if (geteuid() == 0) {
		full[i++] = "runuser";
		full[i++] = "-u";
		full[i++] = CLUSTER_USER;
		full[i++] = "--";
	}
	full[i++] = tool;
	for (j = 1; argv[j] && i < 31; j++)
		full[i++] = argv[j];
	full[i] = NULL;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		execvp(full[0], full);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct cluster_paths {
	char *home;
	char pg[PATH_MAX];
	char data[PATH_MAX];
	char log[PATH_MAX];
	char setup_log[PATH_MAX];
};

static enum prc cluster_paths(const char *home, struct cluster_paths *p, struct err *e)
{
	p->home = cluster_home(home, e);
	if (!p->home)
		return PRC_IO;
	snprintf(p->pg, sizeof(p->pg), "%s/pg", p->home);
	snprintf(p->data, sizeof(p->data), "%s/pg/data", p->home);
	snprintf(p->log, sizeof(p->log), "%s/pg/server.log", p->home);
	snprintf(p->setup_log, sizeof(p->setup_log), "%s/pg/setup.log", p->home);
	/* a Unix socket path must fit in sun_path (108 bytes) */
	if (strlen(p->pg) + sizeof("/.s.PGSQL." CLUSTER_PORT) > 107) {
		err_set(e, PRC_INVALID, "PATROL_HOME '%s' is too long for a Unix socket path", p->home);
		free(p->home);
		p->home = NULL;
		return PRC_INVALID;
	}
	return PRC_OK;
}

char *cluster_conninfo(const char *home, struct err *e)
{
	struct cluster_paths p;
	struct buf b;

	if (cluster_paths(home, &p, e) != PRC_OK)
		return NULL;
	buf_init(&b, 4 * PATH_MAX);
	if (buf_addf(&b, "host='%s' port=" CLUSTER_PORT " dbname=patrol user=" CLUSTER_USER, p.pg) != PRC_OK)
		err_set(e, PRC_NOMEM, "out of memory");
	free(p.home);
	return buf_detach(&b, NULL);
}

static int cluster_running(const struct cluster_paths *p)
{
	char *argv[] = { "pg_ctl", "status", "-D", (char *)p->data, NULL };
	char pidfile[PATH_MAX + 32];

	snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", p->data);
	if (access(pidfile, F_OK) != 0)
		return 0;
	return cluster_run("/dev/null", argv) == 0;
}

static enum prc cluster_own(const char *path, struct err *e)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return PRC_OK;
	pw = getpwnam(CLUSTER_USER);
	if (!pw)
		return err_set(e, PRC_NOTFOUND,
			       "no '" CLUSTER_USER "' system user to run PostgreSQL as (is postgresql installed?)");
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0)
		return err_set(e, PRC_IO, "cannot give '%s' to " CLUSTER_USER ": %s", path, strerror(errno));
	return PRC_OK;
}

static enum prc cluster_initdb(const struct cluster_paths *p, struct err *e)
{
	char *argv[] = { "initdb", "-D", (char *)p->data, "-U", CLUSTER_USER, "-A", "trust", "-E", "UTF8",
			 "--locale=C", NULL };
	char conf[PATH_MAX + 32];
	FILE *f;
	enum prc rc;

	if (mkdir(p->pg, 0700) < 0 && errno != EEXIST)
		return err_set(e, PRC_IO, "cannot create '%s': %s", p->pg, strerror(errno));
	rc = cluster_own(p->pg, e);
	if (rc != PRC_OK)
		return rc;
	if (cluster_run(p->setup_log, argv) != 0)
		return err_set(e, PRC_IO, "initdb failed; see '%s'", p->setup_log);
	snprintf(conf, sizeof(conf), "%s/postgresql.conf", p->data);
	f = fopen(conf, "a");
	if (!f)
		return err_set(e, PRC_IO, "cannot open '%s': %s", conf, strerror(errno));
	fprintf(f,
		"\n# patrol: Unix socket only, inside PATROL_HOME\n"
		"listen_addresses = ''\n"
		"unix_socket_directories = '%s'\n"
		"port = " CLUSTER_PORT "\n"
		"max_connections = 200\n"
		"logging_collector = off\n",
		p->pg);
	if (fclose(f) != 0)
		return err_set(e, PRC_IO, "cannot write '%s'", conf);
	return PRC_OK;
}

static enum prc cluster_createdb(const struct cluster_paths *p, struct err *e)
{
	char conninfo[PATH_MAX + 128];
	PGconn *c;
	PGresult *r;
	enum prc rc = PRC_OK;

	snprintf(conninfo, sizeof(conninfo),
		 "host='%s' port=" CLUSTER_PORT " dbname=postgres user=" CLUSTER_USER, p->pg);
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		rc = err_set(e, PRC_DB, "cannot connect to the embedded cluster: %s", PQerrorMessage(c));
		goto out;
	}
	r = PQexec(c, "SELECT 1 FROM pg_database WHERE datname = 'patrol'");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 0) {
		PQclear(r);
		r = PQexec(c, "CREATE DATABASE patrol");
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = err_set(e, PRC_DB, "cannot create database 'patrol': %s", PQerrorMessage(c));
	}
	PQclear(r);
out:
	PQfinish(c);
	return rc;
}

enum prc cluster_start(const char *home, struct err *e)
{
	struct cluster_paths p;
	char version[PATH_MAX + 32], lockpath[PATH_MAX + 32];
	enum prc rc;
	int lockfd = -1;

	rc = cluster_paths(home, &p, e);
	if (rc != PRC_OK)
		return rc;
	snprintf(lockpath, sizeof(lockpath), "%s/pg.lock", p.home);
	lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lockfd < 0 || flock(lockfd, LOCK_EX) < 0) {
		rc = err_set(e, PRC_IO, "cannot lock '%s': %s", lockpath, strerror(errno));
		goto out;
	}
	snprintf(version, sizeof(version), "%s/PG_VERSION", p.data);
	if (access(version, F_OK) != 0) {
		rc = cluster_initdb(&p, e);
		if (rc != PRC_OK)
			goto out;
	}
	if (!cluster_running(&p)) {
		char *argv[] = { "pg_ctl", "start", "-w", "-t", "60", "-D", p.data, "-l", p.log, NULL };

		if (cluster_run(p.setup_log, argv) != 0) {
			rc = err_set(e, PRC_IO, "cannot start PostgreSQL; see '%s' and '%s'", p.setup_log,
				     p.log);
			goto out;
		}
	}
	rc = cluster_createdb(&p, e);
out:
	if (lockfd >= 0)
		close(lockfd);
	free(p.home);
	return rc;
}

enum prc cluster_stop(const char *home, struct err *e)
{
	struct cluster_paths p;
	char *argv[] = { "pg_ctl", "stop", "-w", "-m", "fast", "-D", NULL, NULL };
	enum prc rc = PRC_OK;

	rc = cluster_paths(home, &p, e);
	if (rc != PRC_OK)
		return rc;
	argv[6] = p.data;
	if (!cluster_running(&p))
		rc = PRC_DECLINED;
	else if (cluster_run(p.setup_log, argv) != 0)
		rc = err_set(e, PRC_IO, "cannot stop PostgreSQL; see '%s'", p.setup_log);
	free(p.home);
	return rc;
}

enum prc cluster_status(const char *home, struct err *e)
{
	struct cluster_paths p;
	char version[PATH_MAX + 32];
	enum prc rc;

	rc = cluster_paths(home, &p, e);
	if (rc != PRC_OK)
		return rc;
	snprintf(version, sizeof(version), "%s/PG_VERSION", p.data);
	if (access(version, F_OK) != 0)
		rc = PRC_NOTFOUND;
	else
		rc = cluster_running(&p) ? PRC_OK : PRC_DECLINED;
	free(p.home);
	return rc;
}
