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
 *
 * Where the cluster lives. Normally in <home>/pg. As root, the postgres user
 * must be able to reach that directory, and a clone under /root (mode 0700)
 * or any other closed folder does not allow it: then the cluster lives in
 * $PATROL_RUN_DIR/<hash of home>/pg instead (default /var/lib/patrol), a
 * directory of its own that the postgres user owns, with a file "home" beside
 * it naming the PATROL_HOME it belongs to. The choice is remade from the
 * disk each time (an existing cluster in either place wins), so every
 * command finds the cluster that the first one created.
 *
 * Who connects. Peer authentication on the socket, nothing trusted
 * (cluster_auth): patrol works as the application role "patrol" and becomes
 * the superuser only to create the roles and migrate (cli/db.c), as
 * schema/009_roles.sql describes. The operator who runs patrol owns the
 * cluster's files anyway; what the roles protect is the record from
 * patrol's own connections: the crawl, the console and the CLI can add to
 * it and cannot rewrite it.
 */
#include "store/cluster.h"
#include "store/dbpq.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
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
#define CLUSTER_RUN_DIR "/var/lib/patrol"
#define CLUSTER_APP_ROLE "patrol"       /* store/db.h DB_APP_ROLE */
#define CLUSTER_OWNER_ROLE "patrol_owner" /* store/db.h DB_OWNER_ROLE */

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
 * appended to logpath. Returns the exit status (127: the tool was not found),
 * or -1 if it could not run.
 */
static int cluster_run(const char *logpath, char *const argv[])
{
	char *full[32];
	char bindir[PATH_MAX], tool[PATH_MAX + 64];
	pid_t pid;
	int status, i = 0, j, fd;

	cluster_bindir(bindir, sizeof(bindir));
	snprintf(tool, sizeof(tool), "%s%s", bindir, argv[0]);
	if (bindir[0] && access(tool, X_OK) != 0)
		return 127;
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
	int outside;           /* the cluster is under the run dir, not in home */
	char run[PATH_MAX];    /* $PATROL_RUN_DIR/<hash>, when outside */
	char pg[PATH_MAX + 16];
	char data[PATH_MAX + 48];
	char log[PATH_MAX + 48];
	char setup_log[PATH_MAX + 48];
};

/* 1 when dir/PG_VERSION exists. */
static int has_cluster(const char *pg)
{
	char version[PATH_MAX + 64];

	snprintf(version, sizeof(version), "%s/data/PG_VERSION", pg);
	return access(version, F_OK) == 0;
}

/*
 * 1 when the user pw can reach (search) dir and every directory above it,
 * judged from the permission bits as the kernel would.
 */
static int user_can_reach(const struct passwd *pw, const char *dir)
{
	gid_t groups[256];
	int ngroups = (int)(sizeof(groups) / sizeof(groups[0])), i, in_group;
	char path[PATH_MAX], *slash;
	struct stat st;

	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) < 0)
		ngroups = 0;
	snprintf(path, sizeof(path), "%s", dir);
	for (;;) {
		if (stat(*path ? path : "/", &st) < 0)
			return 0;
		in_group = st.st_gid == pw->pw_gid;
		for (i = 0; i < ngroups && !in_group; i++)
			in_group = st.st_gid == groups[i];
		if (st.st_uid == pw->pw_uid ? !(st.st_mode & S_IXUSR)
		    : in_group		    ? !(st.st_mode & S_IXGRP)
					    : !(st.st_mode & S_IXOTH))
			return 0;
		if (!*path)
			return 1;
		slash = strrchr(path, '/');
		if (!slash)
			return 1;
		*slash = '\0';
	}
}

/* FNV-1a of s, for a short stable name per home. */
static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void set_dirs(struct cluster_paths *p, const char *pg)
{
	snprintf(p->pg, sizeof(p->pg), "%s", pg);
	snprintf(p->data, sizeof(p->data), "%s/data", pg);
	snprintf(p->log, sizeof(p->log), "%s/server.log", pg);
	snprintf(p->setup_log, sizeof(p->setup_log), "%s/setup.log", pg);
}

static enum prc cluster_paths(const char *home, struct cluster_paths *p, struct err *e)
{
	const char *rundir = getenv("PATROL_RUN_DIR");
	char in_home[PATH_MAX + 16], outside[PATH_MAX + 16];
	struct passwd *pw;

	memset(p, 0, sizeof(*p));
	p->home = cluster_home(home, e);
	if (!p->home)
		return PRC_IO;
	if (!rundir || !*rundir)
		rundir = CLUSTER_RUN_DIR;
	snprintf(in_home, sizeof(in_home), "%s/pg", p->home);
	snprintf(p->run, sizeof(p->run), "%s/%016llx", rundir,
		 (unsigned long long)hash_str(p->home));
	snprintf(outside, sizeof(outside), "%s/pg", p->run);
	/*
	 * As root the server runs as postgres: a home it cannot reach gets
	 * its cluster outside, unless one was already made in home.
	 */
	if (geteuid() == 0 && !has_cluster(in_home) &&
	    (has_cluster(outside) ||
	     ((pw = getpwnam(CLUSTER_USER)) != NULL && !user_can_reach(pw, p->home))))
		p->outside = 1;
	set_dirs(p, p->outside ? outside : in_home);
	/* a Unix socket path must fit in sun_path (108 bytes) */
	if (strlen(p->pg) + sizeof("/.s.PGSQL." CLUSTER_PORT) > 107) {
		err_set(e, PRC_INVALID,
			"the socket directory '%s' is too long for a Unix socket path; "
			"use a shorter PATROL_HOME, e.g. 'export PATROL_HOME=/var/tmp/patrol'",
			p->pg);
		free(p->home);
		p->home = NULL;
		return PRC_INVALID;
	}
	return PRC_OK;
}

char *cluster_data_dir(const char *home, struct err *e)
{
	struct cluster_paths p;
	char *out;

	if (cluster_paths(home, &p, e) != PRC_OK)
		return NULL;
	out = strdup(p.data);
	if (!out)
		err_set(e, PRC_NOMEM, "out of memory");
	free(p.home);
	return out;
}

static char *cluster_conninfo_as(const char *home, const char *role, struct err *e)
{
	struct cluster_paths p;
	struct buf b;

	if (cluster_paths(home, &p, e) != PRC_OK)
		return NULL;
	buf_init(&b, 4 * PATH_MAX);
	if (buf_addf(&b, "host='%s' port=" CLUSTER_PORT " dbname=patrol user=%s", p.pg, role) != PRC_OK)
		err_set(e, PRC_NOMEM, "out of memory");
	free(p.home);
	return buf_detach(&b, NULL);
}

char *cluster_conninfo(const char *home, struct err *e)
{
	return cluster_conninfo_as(home, CLUSTER_APP_ROLE, e);
}

char *cluster_admin_conninfo(const char *home, struct err *e)
{
	return cluster_conninfo_as(home, CLUSTER_USER, e);
}

static int cluster_running(const struct cluster_paths *p)
{
	char *argv[] = { "pg_ctl", "status", "-D", (char *)p->data, NULL };
	char pidfile[PATH_MAX + 80];

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
			       "no '" CLUSTER_USER "' system user to run PostgreSQL as; install "
			       "PostgreSQL with 'sh scripts/deps.sh' (or 'apt-get install postgresql'), "
			       "or give a server with --db CONNINFO");
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0)
		return err_set(e, PRC_IO, "cannot give '%s' to the " CLUSTER_USER " user: %s", path,
			       strerror(errno));
	return PRC_OK;
}

/*
 * The last non-empty line of a log file (at most 400 bytes of it), or
 * "no message" when there is none.
 */
static void log_tail(const char *path, char *out, size_t len)
{
	char chunk[4096], *line, *end;
	FILE *f = fopen(path, "r");
	size_t n = 0;
	long size;

	snprintf(out, len, "no message");
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0) {
		if (size > (long)sizeof(chunk) - 1)
			fseek(f, size - (long)sizeof(chunk) + 1, SEEK_SET);
		else
			fseek(f, 0, SEEK_SET);
		n = fread(chunk, 1, sizeof(chunk) - 1, f);
	}
	fclose(f);
	chunk[n] = '\0';
	while (n && (chunk[n - 1] == '\n' || chunk[n - 1] == '\r' || chunk[n - 1] == ' '))
		chunk[--n] = '\0';
	if (!n)
		return;
	line = strrchr(chunk, '\n');
	line = line ? line + 1 : chunk;
	end = line + strlen(line);
	if (end - line > 400)
		line[400] = '\0';
	snprintf(out, len, "%s", line);
}

/*
 * Makes the run dir of a cluster kept outside home: the parent (0755, root),
 * <hash> (0755, root) with a file "home" naming home, the cluster itself
 * goes in <hash>/pg.
 */
static enum prc make_run_dir(const struct cluster_paths *p, struct err *e)
{
	char parent[PATH_MAX], note[PATH_MAX + 16], *slash;
	FILE *f;

	snprintf(parent, sizeof(parent), "%s", p->run);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if ((mkdir(parent, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(p->run, 0755) < 0 && errno != EEXIST))
		return err_set(e, PRC_IO,
			       "the " CLUSTER_USER " user cannot reach '%s', and '%s' cannot be "
			       "created for the cluster instead: %s; set PATROL_RUN_DIR to a "
			       "directory the " CLUSTER_USER " user can reach, or PATROL_HOME, "
			       "e.g. 'export PATROL_HOME=/var/tmp/patrol'",
			       p->home, p->run, strerror(errno));
	snprintf(note, sizeof(note), "%s/home", p->run);
	f = fopen(note, "w");
	if (f) {
		fprintf(f, "%s\n", p->home);
		fclose(f);
	}
	return PRC_OK;
}

static enum prc tool_missing(const char *tool, struct err *e)
{
	return err_set(e, PRC_NOTFOUND,
		       "PostgreSQL's %s was not found; install PostgreSQL with 'sh scripts/deps.sh' "
		       "(or 'apt-get install postgresql'), or set PATROL_PG_BINDIR to the directory "
		       "that holds %s",
		       tool, tool);
}

static enum prc cluster_initdb(const struct cluster_paths *p, struct err *e)
{
	char *argv[] = { "initdb", "-D", (char *)p->data, "-U", CLUSTER_USER, "--auth-local=peer",
			 "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", NULL };
	char conf[PATH_MAX + 80], why[512];
	FILE *f;
	enum prc rc;
	int status;

	if (p->outside) {
		rc = make_run_dir(p, e);
		if (rc != PRC_OK)
			return rc;
	}
	if (mkdir(p->pg, 0700) < 0 && errno != EEXIST)
		return err_set(e, PRC_IO, "cannot create '%s': %s; set PATROL_HOME to a directory "
			       "you can write, e.g. 'export PATROL_HOME=/var/tmp/patrol'",
			       p->pg, strerror(errno));
	rc = cluster_own(p->pg, e);
	if (rc != PRC_OK)
		return rc;
	status = cluster_run(p->setup_log, argv);
	if (status == 127)
		return tool_missing("initdb", e);
	if (status != 0) {
		log_tail(p->setup_log, why, sizeof(why));
		if (strstr(why, "ermission denied"))
			return err_set(e, PRC_IO,
				       "initdb failed: %s; the " CLUSTER_USER " user cannot reach "
				       "'%s': set PATROL_HOME to a directory it can reach, e.g. "
				       "'export PATROL_HOME=/var/tmp/patrol' (log: '%s')",
				       why, p->data, p->setup_log);
		return err_set(e, PRC_IO, "initdb failed: %s (log: '%s')", why, p->setup_log);
	}
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

/*
 * Writes path with text unless it already holds exactly that (through a
 * temporary file and rename, mode 0600, owned by the server's user). *changed
 * is set when the file was written.
 */
static enum prc write_if_changed(const char *path, const char *text, int *changed, struct err *e)
{
	char old[8192], tmp[PATH_MAX + 96];
	size_t len = strlen(text);
	FILE *f = fopen(path, "r");
	enum prc rc;

	if (f) {
		size_t n = fread(old, 1, sizeof(old), f);

		fclose(f);
		if (n == len && !memcmp(old, text, len))
			return PRC_OK;
	}
	snprintf(tmp, sizeof(tmp), "%s.patrol-new", path);
	f = fopen(tmp, "w");
	if (!f)
		return err_set(e, PRC_IO, "cannot write '%s': %s", tmp, strerror(errno));
	if (fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		unlink(tmp);
		return err_set(e, PRC_IO, "cannot write '%s'", tmp);
	}
	if (chmod(tmp, 0600) < 0) {
		unlink(tmp);
		return err_set(e, PRC_IO, "cannot replace '%s': %s", path, strerror(errno));
	}
	if ((rc = cluster_own(tmp, e)) != PRC_OK) {
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return err_set(e, PRC_IO, "cannot replace '%s': %s", path, strerror(errno));
	}
	*changed = 1;
	return PRC_OK;
}

/*
 * Who may connect, and as whom (schema/009_roles.sql). The server listens on
 * its Unix socket only, and every connection is authenticated by peer: the
 * kernel names the system user at the other end, and pg_ident.conf lets the
 * user who runs patrol (and, when that is root, the server's own user) be
 * the application role "patrol", the owner "patrol_owner" or the superuser
 * "postgres". Nobody else gets in, and nothing is trusted. patrol itself
 * connects as "patrol"; as the superuser only to create the roles and apply
 * migrations (cli/db.c). The files are rewritten when they differ (a cluster
 * made before, with trust), and a running server reloads them.
 */
static enum prc cluster_auth(const struct cluster_paths *p, int *changed, struct err *e)
{
	char hba[PATH_MAX + 80], ident[PATH_MAX + 80], text[2048];
	struct passwd *pw = getpwuid(geteuid());
	const char *me = pw ? pw->pw_name : NULL;
	enum prc rc;
	int n;

	*changed = 0;
	if (!me || !*me || strpbrk(me, " \t\n\"#"))
		return err_set(e, PRC_INVALID, "cannot name the system user %u for the database's "
			       "peer authentication", (unsigned)geteuid());
	snprintf(hba, sizeof(hba), "%s/pg_hba.conf", p->data);
	snprintf(ident, sizeof(ident), "%s/pg_ident.conf", p->data);
	snprintf(text, sizeof(text),
		 "# written by patrol (store/cluster.c): the Unix socket only, peer authentication;\n"
		 "# who may be which role is in pg_ident.conf. Nothing is trusted.\n"
		 "local all all peer map=patrol\n");
	rc = write_if_changed(hba, text, changed, e);
	if (rc != PRC_OK)
		return rc;
	n = snprintf(text, sizeof(text),
		     "# written by patrol (store/cluster.c): system user, database role\n"
		     "patrol %s " CLUSTER_APP_ROLE "\n"
		     "patrol %s " CLUSTER_OWNER_ROLE "\n"
		     "patrol %s " CLUSTER_USER "\n",
		     me, me, me);
	if (geteuid() == 0 && strcmp(me, CLUSTER_USER))
		snprintf(text + n, sizeof(text) - (size_t)n, "patrol " CLUSTER_USER " " CLUSTER_USER "\n");
	return write_if_changed(ident, text, changed, e);
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

enum prc cluster_start(const char *home, char **created, struct err *e)
{
	struct cluster_paths p;
	char version[PATH_MAX + 80], lockpath[PATH_MAX + 32], why[512];
	enum prc rc;
	int lockfd = -1, changed = 0;

	if (created)
		*created = NULL;
	rc = cluster_paths(home, &p, e);
	if (rc != PRC_OK)
		return rc;
	snprintf(lockpath, sizeof(lockpath), "%s/pg.lock", p.home);
	lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lockfd < 0 || flock(lockfd, LOCK_EX) < 0) {
		rc = err_set(e, PRC_IO, "cannot lock '%s': %s; PATROL_HOME must be a directory you "
			     "can write", lockpath, strerror(errno));
		goto out;
	}
	/* Decided again under the lock: another process may have just made it. */
	free(p.home);
	rc = cluster_paths(home, &p, e);
	if (rc != PRC_OK)
		goto out;
	snprintf(version, sizeof(version), "%s/PG_VERSION", p.data);
	if (access(version, F_OK) != 0) {
		rc = cluster_initdb(&p, e);
		if (rc != PRC_OK)
			goto out;
		if (created && !(*created = strdup(p.data))) {
			rc = err_set(e, PRC_NOMEM, "out of memory");
			goto out;
		}
	}
	rc = cluster_auth(&p, &changed, e);
	if (rc != PRC_OK)
		goto out;
	if (cluster_running(&p)) {
		char *argv[] = { "pg_ctl", "reload", "-D", p.data, NULL };

		if (changed && cluster_run(p.setup_log, argv) != 0) {
			rc = err_set(e, PRC_IO, "cannot reload PostgreSQL's authentication files (log: '%s')",
				     p.setup_log);
			goto out;
		}
	} else {
		char *argv[] = { "pg_ctl", "start", "-w", "-t", "60", "-D", p.data, "-l", p.log, NULL };

		int status = cluster_run(p.setup_log, argv);

		if (status == 127) {
			rc = tool_missing("pg_ctl", e);
			goto out;
		}
		if (status != 0) {
			log_tail(p.log, why, sizeof(why));
			rc = err_set(e, PRC_IO,
				     "cannot start PostgreSQL: %s (logs: '%s', '%s'); after fixing "
				     "that, 'patrol db start' starts it",
				     why, p.log, p.setup_log);
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
	char version[PATH_MAX + 80];
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
