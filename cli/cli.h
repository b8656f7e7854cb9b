/* cli.h - the subcommand front ends of patrol and what they share. */
#ifndef PATROL_CLI_H
#define PATROL_CLI_H

#include "util/err.h"
#include "util/walk.h"

struct db;

/* Each returns the process exit status. argv[0] is the subcommand's name. */
int cmd_db(int argc, char **argv);
int cmd_crawl(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_takedown(int argc, char **argv);
int cmd_recheck(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_train(int argc, char **argv);

/* The rules directory: opt, else $PATROL_RULES, else "<dir of the binary>/lua/rules". Static storage. */
const char *cli_rules_dir(const char *opt);

/*
 * Opens the database for a subcommand: --db (opt), else $PATROL_DB, else the
 * embedded cluster under $PATROL_HOME (started if needed), and applies any
 * pending migration. On failure prints "patrol: message" and returns NULL.
 */
struct db *cli_db_open(const char *opt);

/*
 * Where the database is for a subcommand (see db_locate); announces on
 * stderr a cluster it had to create, with its path. NULL after printing the
 * error. The caller frees the result.
 */
char *cli_db_conninfo(const char *opt);

/* Prints "patrol: " and a formatted message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct arena;
struct page_input;
struct page_limits;
struct ruleset;

/* page_read_file (pipeline/page.h) with the limits cli_page_option(..., NULL) set, else the defaults. */
enum prc cli_load_page(struct arena *a, const char *path, const char *url, struct page_input *p,
		       struct err *e);

/*
 * The options that change how much of a page is read, as `patrol crawl`
 * takes them: --max-body BYTES, --max-text BYTES, --max-links N (also
 * --opt=VALUE). When argv[*i] is one, sets l (page_limits_init; l NULL:
 * the limits of cli_load_page) and moves *i past its value: returns 1. Returns 0 when it is not one, -1 after printing
 * an error for a bad or missing value.
 */
int cli_page_option(int argc, char **argv, int *i, struct page_limits *l);

/*
 * Loads the rules of dir with the helper library beside it (dir/../lib), else
 * the one beside the binary (lua/lib), the compiled patterns cached in
 * cache_dir (NULL: no cache; see cli_cache_dir); prints every error; NULL on
 * failure.
 */
struct ruleset *cli_load_rules_cached(const char *dir, const char *cache_dir);

/*
 * The helper library for the rules of dir: dir/../lib, else the one beside
 * the binary, else NULL. Static storage, overwritten by the next call.
 */
const char *cli_lib_dir(const char *dir);

/*
 * The pattern cache directory: opt when given ("" turns the cache off:
 * NULL), else $PATROL_HOME/cache (see store/cluster.h). NULL when there is
 * none to use. Static storage.
 */
const char *cli_cache_dir(const char *opt);

/*
 * Calls fn for every regular file under path (path itself when it is a
 * file), in name order, skipping dot files. Returns 0, or -1 after printing
 * an error for a path that cannot be read (the walk goes on).
 */
int cli_walk(const char *path, walk_fn fn, void *ud);

/* Parses a non-negative integer option; prints an error and returns -1 when it is not one. */
long cli_number(const char *opt, const char *value);

/* Parses a duration ("90", "90s", "30m", "12h", "7d") into seconds; -1 when it is not one. */
long cli_duration(const char *value);

/*
 * Checks a date or time option before it reaches SQL: "2026-11-30",
 * "2026-11-30 10:00[:00]" or with 'T', optionally with a zone ("Z",
 * "+09:00"); a time without a zone is Japan time. Returns 1, or 0 after
 * printing a message naming opt and the expected form.
 */
int cli_date_ok(const char *opt, const char *value);

/*
 * A category option: a code of TAXONOMY.md or its Japanese name (闇バイト).
 * Returns the code (static storage), or NULL after printing a message
 * naming opt and the known codes.
 */
const char *cli_category(const char *opt, const char *value);

#endif
