/* db.c - `patrol db start|stop|status|migrate`: the embedded PostgreSQL cluster. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/cluster.h"
#include "store/db.h"

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

char *cli_db_conninfo(const char *opt)
{
	char *conninfo = NULL, *created = NULL, *home;
	struct err e = { "" };

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
	return conninfo;
}

struct db *cli_db_open(const char *opt)
{
	struct db *d = NULL;
	char *conninfo;
	struct err e = { "" };

	conninfo = cli_db_conninfo(opt);
	if (!conninfo)
		return NULL;
	if (db_connect(conninfo, &d, &e) != PRC_OK || db_migrate(d, NULL, &e) != PRC_OK) {
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

		conninfo = cli_db_conninfo(dbopt);
		if (!conninfo)
			return 1;
		rc = db_connect(conninfo, &d, &e);
		if (rc == PRC_OK)
			rc = db_migrate(d, &applied, &e);
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
