/*
 * user.c - `patrol user add|list|disable`: the web console's accounts. The
 * password is read from the terminal without echo (asked twice), or from
 * the first line of stdin when it is not a terminal.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "console/auth.h"
#include "store/db.h"
#include "store/users.h"
#include "util/json.h"

#define PASSWORD_MAX 1024

static int user_usage(FILE *f)
{
	fprintf(f, "usage: patrol user add NAME --role patrol|rule_author|coordinator|admin\n"
		   "       patrol user list [--json]\n"
		   "       patrol user disable NAME\n"
		   "The password is read from the terminal, or from stdin when it is not one.\n"
		   "Every command takes --db CONNINFO.\n");
	return f == stdout ? 0 : 2;
}

/* Reads one line into buf without its newline; echo off on a terminal. -1 on EOF or error. */
static int read_line(const char *prompt, char *buf, size_t len, int tty)
{
	struct termios old, quiet;
	size_t n;
	int ok;

	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			return -1;
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(buf, (int)len, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return -1;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

static int user_add(struct db *d, const char *name, const char *role)
{
	char pw[PASSWORD_MAX], again[PASSWORD_MAX], hash[256];
	struct err e = { "" };
	int tty = isatty(STDIN_FILENO), rc = 1;

	if (!users_role_valid(role)) {
		cli_error("--role must be patrol, rule_author, coordinator or admin, not '%s'", role ? role : "");
		return 2;
	}
	if (read_line("password: ", pw, sizeof(pw), tty) != 0) {
		cli_error("no password given (on the terminal or the first line of stdin)");
		return 2;
	}
	if (tty && (read_line("again: ", again, sizeof(again), tty) != 0 || strcmp(pw, again))) {
		cli_error("the two passwords differ");
		goto out;
	}
	if (strlen(pw) < 8) {
		cli_error("the password must have at least 8 characters");
		goto out;
	}
	if (auth_init(&e) != PRC_OK || auth_hash(pw, hash, sizeof(hash), &e) != PRC_OK ||
	    users_add(d, name, role, hash, &e) != PRC_OK) {
		cli_error("%s", e.msg);
		goto out;
	}
	printf("user %s added (%s)\n", name, role);
	rc = 0;
out:
	memset(pw, 0, sizeof(pw));
	memset(again, 0, sizeof(again));
	return rc;
}

int cmd_user(int argc, char **argv)
{
	enum { O_ROLE = 256, O_JSON, O_DB, O_HELP };
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, O_ROLE },
		{ "json", no_argument, NULL, O_JSON },
		{ "db", required_argument, NULL, O_DB },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *role = NULL, *dbopt = NULL, *verb;
	struct rows *rows = NULL;
	struct err e = { "" };
	int c, json = 0, rc = 1, k, i;
	struct db *d;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_ROLE: role = optarg; break;
		case O_JSON: json = 1; break;
		case O_DB: dbopt = optarg; break;
		case O_HELP: return user_usage(stdout);
		default: return user_usage(stderr);
		}
	}
	if (optind >= argc)
		return user_usage(stderr);
	verb = argv[optind];
	if (!strcmp(verb, "add") || !strcmp(verb, "disable")) {
		if (optind + 2 != argc)
			return user_usage(stderr);
	} else if (!strcmp(verb, "list")) {
		if (optind + 1 != argc)
			return user_usage(stderr);
	} else {
		return user_usage(stderr);
	}
	if (!strcmp(verb, "add") && !users_role_valid(role)) {
		cli_error("--role must be patrol, rule_author, coordinator or admin");
		return 2;
	}
	d = cli_db_open(dbopt);
	if (!d)
		return 1;
	if (!strcmp(verb, "add")) {
		rc = user_add(d, argv[optind + 1], role);
	} else if (!strcmp(verb, "disable")) {
		if (users_disable(d, argv[optind + 1], &e) != PRC_OK) {
			cli_error("%s", e.msg);
		} else {
			printf("user %s disabled\n", argv[optind + 1]);
			rc = 0;
		}
	} else if (users_list(d, &rows, &e) != PRC_OK) {
		cli_error("%s", e.msg);
	} else {
		if (json)
			fputc('[', stdout);
		for (k = 0; k < rows->nrows; k++) {
			if (json) {
				fputs(k ? ",{" : "{", stdout);
				for (i = 0; i < rows->ncols; i++) {
					fputs(i ? "," : "", stdout);
					json_write_str(stdout, rows->names[i]);
					fputc(':', stdout);
					json_write_str(stdout, rows->cells[k * rows->ncols + i]);
				}
				fputc('}', stdout);
			} else {
				printf("%-20s %-12s %s%s\n", rows_str(rows, k, "name"), rows_str(rows, k, "role"),
				       !strcmp(rows_str(rows, k, "disabled"), "t") ? "disabled" : "active",
				       rows_get(rows, k, "locked_until") ? " (locked)" : "");
			}
		}
		if (json)
			fputs("]\n", stdout);
		rc = 0;
	}
	rows_free(rows);
	db_free(d);
	return rc;
}
