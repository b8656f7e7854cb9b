/* db.c - `patrol db start|stop|status|migrate`: the embedded PostgreSQL cluster. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifiers/taxonomy.h"
#include "cli/cli.h"
#include "store/cluster.h"
#include "store/db.h"
#include "util/buf.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("patrol: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

long cli_number(const char *opt, const char *value)
{
	char *end;
	long v = strtol(value, &end, 10);

	if (!*value || *end || v < 0) {
		cli_error("option '%s' wants a non-negative number, not '%s'", opt, value);
		return -1;
	}
	return v;
}

long cli_duration(const char *value)
{
	char *end;
	long v = strtol(value, &end, 10);

	if (!*value || end == value || v < 0)
		return -1;
	switch (*end) {
	case '\0':
	case 's': break;
	case 'm': v *= 60; break;
	case 'h': v *= 3600; break;
	case 'd': v *= 86400; break;
	case 'w': v *= 7 * 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	return v;
}

/* 1 when the database is the embedded cluster (neither --db nor PATROL_DB). */
static int db_embedded(const char *opt)
{
	const char *env = getenv("PATROL_DB");

	return !opt && !(env && *env);
}

static enum prc sync_categories(struct db *d, struct err *e);

/*
 * The embedded cluster's superuser step: connects as "postgres", applies the
 * migrations (the first creates the roles, schema/009_roles.sql) and brings
 * the categories up to date, so that every command after it works as the
 * application role. *applied (may be NULL) gets the count.
 */
static enum prc db_prepare_embedded(int *applied, struct err *e)
{
	struct db *d = NULL;
	char *admin = cluster_admin_conninfo(NULL, e);
	enum prc rc;

	if (!admin)
		return PRC_NOMEM;
	rc = db_connect(admin, &d, e);
	if (rc == PRC_OK)
		rc = db_migrate(d, applied, e);
	if (rc == PRC_OK)
		rc = sync_categories(d, e);
	db_free(d);
	free(admin);
	return rc;
}

/* cli_db_conninfo, with the embedded cluster's migration count in *applied. */
static char *db_conninfo(const char *opt, int *applied)
{
	char *conninfo = NULL, *created = NULL, *home;
	struct err e = { "" };

	if (applied)
		*applied = 0;
	if (db_locate(opt, NULL, &conninfo, &created, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		return NULL;
	}
	if (created) {
		home = cluster_home(NULL, &e);
		fprintf(stderr,
			"patrol: created a new, empty database in '%s' for PATROL_HOME '%s'; "
			"if you meant an existing one, set PATROL_HOME or give --db CONNINFO\n",
			created, home ? home : "?");
		free(home);
		free(created);
	}
	if (db_embedded(opt) && db_prepare_embedded(applied, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		free(conninfo);
		return NULL;
	}
	return conninfo;
}

char *cli_db_conninfo(const char *opt)
{
	return db_conninfo(opt, NULL);
}

/* Reads exactly n digits at *s into *v. */
static int digits(const char **s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*s)[i] < '0' || (*s)[i] > '9')
			return 0;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 1;
}

int cli_date_ok(const char *opt, const char *value)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *s = value;
	int y, mo, d, h = 0, mi = 0, sec = 0, zh, zm;

	if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d) || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
		goto bad;
	if (*s == ' ' || *s == 'T') {
		s++;
		if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || h > 23 || mi > 59)
			goto bad;
		if (*s == ':' && (s++, !digits(&s, 2, &sec) || sec > 60))
			goto bad;
		if (*s == 'Z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			s++;
			if (!digits(&s, 2, &zh) || zh > 14)
				goto bad;
			if (*s == ':')
				s++;
			if (*s && (!digits(&s, 2, &zm) || zm > 59))
				goto bad;
		}
	}
	if (*s)
		goto bad;
	return 1;
bad:
	cli_error("option '%s' wants a date or time such as 2026-11-30 or '2026-11-30 10:00' "
		  "(Japan time unless a zone such as +09:00 or Z is given), not '%s'",
		  opt, value);
	return 0;
}

const char *cli_category(const char *opt, const char *value)
{
	const struct taxonomy_entry *t = taxonomy_find(value);
	char codes[1024];
	size_t i, len = 0;

	if (t)
		return t->code;
	for (i = 0; i < taxonomy_count(); i++) {
		t = taxonomy_get(i);
		if (!strcmp(t->ja, value))
			return t->code;
		if (len < sizeof(codes) - 64)
			len += (size_t)snprintf(codes + len, sizeof(codes) - len, "%s%s", i ? ", " : "",
						t->code);
	}
	cli_error("option '%s' wants a category of the taxonomy (%s) or its Japanese name, not '%s'",
		  opt, codes, value);
	return NULL;
}

/*
 * Brings the categories table (schema/005) up to date with the taxonomy
 * compiled into this binary, so the database accepts exactly its codes.
 */
static enum prc sync_categories(struct db *d, struct err *e)
{
	size_t i, n = taxonomy_count();
	const char **codes = calloc(n + 1, sizeof(*codes)), **names = calloc(n + 1, sizeof(*names));
	enum prc rc;

	if (!codes || !names) {
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		codes[i] = taxonomy_get(i)->code;
		names[i] = taxonomy_get(i)->ja;
	}
	rc = db_sync_categories(d, codes, names, n, e);
out:
	free(codes);
	free(names);
	return rc;
}

struct db *cli_db_open(const char *opt)
{
	struct db *d = NULL;
	char *conninfo;
	struct err e = { "" };

	conninfo = cli_db_conninfo(opt);
	if (!conninfo)
		return NULL;
	if (db_connect(conninfo, &d, &e) != PRC_OK || db_migrate(d, NULL, &e) != PRC_OK ||
	    sync_categories(d, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		db_free(d);
		d = NULL;
	}
	free(conninfo);
	return d;
}

static int db_usage(void)
{
	fprintf(stderr, "usage: patrol db start|stop|status|migrate [--db CONNINFO]\n");
	return 2;
}

int cmd_db(int argc, char **argv)
{
	static const struct option longopts[] = { { "db", required_argument, NULL, 'd' },
						   { "help", no_argument, NULL, 'h' },
						   { NULL, 0, NULL, 0 } };
	const char *dbopt = NULL, *verb;
	struct err e = { "" };
	enum prc rc;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'd')
			dbopt = optarg;
		else
			return db_usage();
	}
	if (optind != argc - 1)
		return db_usage();
	verb = argv[optind];
	if (!strcmp(verb, "start")) {
		char *created = NULL, *data;

		if (dbopt || getenv("PATROL_DB")) {
			cli_error("'db start' runs the embedded database under PATROL_HOME; "
				  "a server given with --db or PATROL_DB is started by its owner");
			return 2;
		}
		rc = cluster_start(NULL, &created, &e);
		if (rc != PRC_OK) {
			cli_error("%s", e.msg);
			return 1;
		}
		data = created ? created : cluster_data_dir(NULL, &e);
		printf("database running%s: data in '%s'\n", created ? " (created)" : "",
		       data ? data : "?");
		free(data);
		return 0;
	}
	if (!strcmp(verb, "stop")) {
		rc = cluster_stop(NULL, &e);
		if (rc == PRC_DECLINED) {
			printf("database not running\n");
			return 0;
		}
		if (rc != PRC_OK) {
			cli_error("%s", e.msg);
			return 1;
		}
		printf("database stopped\n");
		return 0;
	}
	if (!strcmp(verb, "status")) {
		char *ci;

		if (!dbopt)
			dbopt = getenv("PATROL_DB");
		if (dbopt && *dbopt) {
			/* a server of its own: reachable or not, nothing is started */
			struct db *d = NULL;

			rc = db_connect(dbopt, &d, &e);
			if (rc != PRC_OK) {
				cli_error("%s", e.msg);
				return 3;
			}
			char where[512];

			/* not the conninfo itself: it may hold a password */
			db_describe(d, where, sizeof(where));
			printf("database reachable: %s\n", where);
			db_free(d);
			return 0;
		}
		rc = cluster_status(NULL, &e);
		if (rc == PRC_NOTFOUND) {
			printf("no database yet (created by 'patrol db start')\n");
			return 3;
		}
		if (rc == PRC_DECLINED) {
			printf("database stopped\n");
			return 3;
		}
		if (rc != PRC_OK) {
			cli_error("%s", e.msg);
			return 1;
		}
		ci = cluster_conninfo(NULL, &e);
		printf("database running: %s\n", ci ? ci : "?");
		free(ci);
		return 0;
	}
	if (!strcmp(verb, "migrate")) {
		char *conninfo = NULL;
		struct db *d = NULL;
		int applied = 0;

		/* embedded: migrated as the superuser on the way; else as the role given */
		conninfo = db_conninfo(dbopt, &applied);
		if (!conninfo)
			return 1;
		rc = db_connect(conninfo, &d, &e);
		if (rc == PRC_OK && !db_embedded(dbopt))
			rc = db_migrate(d, &applied, &e);
		if (rc == PRC_OK && !db_embedded(dbopt))
			rc = sync_categories(d, &e);
		free(conninfo);
		db_free(d);
		if (rc != PRC_OK) {
			cli_error("%s", e.msg);
			return 1;
		}
		printf("%d migration(s) applied\n", applied);
		return 0;
	}
	return db_usage();
}
