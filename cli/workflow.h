/* workflow.h - what the review, takedown, recheck, report and import front ends share. */
#ifndef PATROL_CLI_WORKFLOW_H
#define PATROL_CLI_WORKFLOW_H

#include <stdint.h>
#include <stdio.h>

#include "store/rows.h"
#include "util/err.h"

enum out_fmt { OUT_TABLE = 0, OUT_CSV, OUT_JSON };

/* Parses --format's value (table, csv, json); -1 after printing an error. */
int out_format(const char *v);

/*
 * The options the front ends that print lists share, as entries of a
 * getopt_long table (<getopt.h>): --format F, --json (--format json) and
 * --db CONNINFO, with codes of their own.
 */
enum { OUT_OPT_FORMAT = 0x1000, OUT_OPT_JSON, OUT_OPT_DB };
#define OUT_LONGOPTS                                           \
	{ "format", required_argument, NULL, OUT_OPT_FORMAT }, \
	{ "json", no_argument, NULL, OUT_OPT_JSON },           \
	{ "db", required_argument, NULL, OUT_OPT_DB }

/*
 * Takes getopt_long's c and its argument when c is one of OUT_LONGOPTS:
 * sets *fmt or *db and returns 0, or -1 after printing an error for a bad
 * --format. Any other c comes back as it is, for the caller's own switch.
 */
int out_option(int c, const char *arg, int *fmt, const char **db);

/*
 * --since (when since) or --until: checks value (cli_date_ok) and sets
 * *from or *to to it. 0, or -1 after printing an error.
 */
int cli_period_option(int since, const char *value, const char **from, const char **to);

/*
 * The verb of a command with verbs: argv[1]. NULL when there is none or it
 * asks for help (--help, -h, help), after usage has written to stderr or
 * stdout; *status then holds usage's exit status.
 */
const char *cli_verb(int argc, char **argv, int (*usage)(FILE *f), int *status);

/*
 * Who is acting: opt (--as), else the login name (getlogin, else the
 * password entry of the real uid), else "uid:N". Static storage.
 */
const char *cli_actor(const char *opt);

/*
 * Checks the value of a name option (--as): letters and digits of any
 * script, . _ - @, at most TEXT_NAME_MAX characters (util/text.h). 0 when
 * it is one; -1 after printing an error naming opt and showing the value
 * inert.
 */
int cli_name_option(const char *opt, const char *value);

/* Writes s to f as text_inert does (util/text.h): what the web or a person stored, shown inert. */
void out_text(FILE *f, const char *s, int keep_lines);

/* Parses a page or request id; -1 after printing an error naming what. */
int64_t cli_id(const char *what, const char *s);

/* Writes row i of r as a JSON object (numbers, booleans and JSON columns as such). */
void out_json_row(FILE *f, const struct rows *r, int i);

/* Writes every row of r as a JSON array of objects. */
void out_json_rows(FILE *f, const struct rows *r);

/*
 * Writes one record's details as a JSON object and a newline: name with
 * row 0 of row (out_json_row), then each of s[0..n) as an array
 * (out_json_rows).
 */
void out_json_detail(FILE *f, const char *name, const struct rows *row, const struct rows_section *s,
		     size_t n);

/*
 * Writes r as a table (aligned columns, CJK counted two wide, long cells
 * cut) or as CSV (with a header line when header): first_name, when not
 * NULL, is an extra first column holding first_value on every row.
 */
void out_table(FILE *f, const struct rows *r);
void out_csv(FILE *f, const struct rows *r, const char *first_name, const char *first_value,
	     int header);

/*
 * Writes r as one "name: value" line per non-NULL column of row i, indented
 * by indent spaces. Here and in out_table, control characters and escape
 * sequences in the values are shown inert.
 */
void out_fields(FILE *f, const struct rows *r, int i, int indent);

/* Writes r in fmt: a JSON array and a newline, CSV with a header line, or a table. */
void out_rows(FILE *f, const struct rows *r, int fmt);

struct db;

/*
 * The list and show verbs of a front end over one kind of record (`patrol
 * review`, `patrol takedown`). cmd names the command in messages and what
 * the record an id stands for ("page", "request"). list fills *out with the
 * records filter selects; after a table, tail (may be NULL) writes the line
 * that sums them up. show writes one record (JSON when json) and returns its
 * exit status, after printing its own errors.
 */
struct cli_view {
	const char *cmd;
	const char *what;
	enum prc (*list)(struct db *d, const void *filter, struct rows **out, struct err *e);
	void (*tail)(const struct rows *r);
	int (*show)(struct db *d, int64_t id, int json);
};

/*
 * Runs verb "list" (no arguments: the records filter selects, written in
 * fmt) or "show" (one id) of v, with the arguments args[0..nargs) left
 * after the options, on the database dbopt names (cli_db_open). Returns the
 * exit status: 2 after a usage error, 1 when the database does not open or
 * the list cannot be read.
 */
int cli_view_run(const struct cli_view *v, const char *verb, int nargs, char **args,
		 const char *dbopt, const void *filter, int fmt);

/*
 * Recodes everything written to stdout between begin and end for a
 * spreadsheet: to CP932 when cp932, after a UTF-8 BOM when bom. begin
 * returns NULL after printing an error; end writes the recoded output to
 * the real stdout and returns 0, or -1 after a write or iconv failure.
 */
struct out_recode;
struct out_recode *out_recode_begin(int cp932, int bom);
int out_recode_end(struct out_recode *r);

#endif
