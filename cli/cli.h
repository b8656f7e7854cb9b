/* cli.h - the subcommand front ends of patrol and what they share. */
#ifndef PATROL_CLI_H
#define PATROL_CLI_H

#include "util/err.h"

struct db;

/* Each returns the process exit status. argv[0] is the subcommand's name. */
int cmd_db(int argc, char **argv);
int cmd_crawl(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_rules(int argc, char **argv);

/* The rules directory: opt, else $PATROL_RULES, else "<dir of the binary>/lua/rules". Static storage. */
const char *cli_rules_dir(const char *opt);

/*
 * Opens the database for a subcommand: --db (opt), else $PATROL_DB, else the
 * embedded cluster under $PATROL_HOME (started if needed), and applies any
 * pending migration. On failure prints "patrol: message" and returns NULL.
 */
struct db *cli_db_open(const char *opt);

/* Prints "patrol: " and a formatted message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a non-negative integer option; prints an error and returns -1 when it is not one. */
long cli_number(const char *opt, const char *value);

#endif
