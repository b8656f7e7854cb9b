/* db.h - connections to patrol's PostgreSQL database, and its migrations. */
#ifndef PATROL_DB_H
#define PATROL_DB_H

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/err.h"

/* Formats v in decimal into the char array buf (a statement parameter) and yields buf. */
#define DB_I64(buf, v) (snprintf((buf), sizeof(buf), "%" PRId64, (int64_t)(v)), (buf))

/*
 * One connection (libpq's PGconn) with the conninfo it was made from, so it
 * can be re-established after the server goes away. Not thread-safe: each
 * thread that talks to the database owns its own struct db.
 */
struct db;

/*
 * Works out where the database is: conninfo when not NULL, else $PATROL_DB,
 * else the embedded cluster under home ($PATROL_HOME, default "./var"),
 * which is created and started when it is not running. Returns a malloc'd
 * conninfo in *out. When the embedded cluster had to be created and created
 * is not NULL, *created is its data directory (malloc'd), else NULL.
 */
enum prc db_locate(const char *conninfo, const char *home, char **out, char **created,
		   struct err *e);

/* Connects to conninfo. On PRC_OK *out is a new struct db (free with db_free). */
enum prc db_connect(const char *conninfo, struct db **out, struct err *e);

/* Closes and frees d. NULL is fine. */
void db_free(struct db *d);

/* The live connection (owned by d). */
PGconn *db_conn(struct db *d);

/*
 * Makes sure the connection is up, reconnecting once if it is not.
 * PRC_OK when usable, PRC_DB with a message otherwise.
 */
enum prc db_ensure(struct db *d, struct err *e);

/*
 * Applies every compiled-in migration not yet recorded in
 * schema_migrations, each in its own transaction, in version order, under an
 * advisory lock so that processes started together migrate once. *applied
 * (may be NULL) receives how many were applied.
 */
enum prc db_migrate(struct db *d, int *applied, struct err *e);

/* Runs a statement with no result rows; PRC_DB with the server's message on failure. */
enum prc db_exec(struct db *d, const char *sql, struct err *e);

/*
 * Runs a parameterized statement (text parameters; NULL entries are SQL NULL).
 * On PRC_OK *res holds the result (PQclear it); on PRC_DB *res is NULL and e
 * holds the server's message.
 */
enum prc db_query(struct db *d, const char *sql, int nparams, const char *const *params,
		  PGresult **res, struct err *e);

/* The SQLSTATE of the last statement that failed on d ("40P01" for a deadlock), or "". */
const char *db_sqlstate(const struct db *d);

/* BEGIN / COMMIT / ROLLBACK. db_rollback never fails loudly (used on error paths). */
enum prc db_begin(struct db *d, struct err *e);
enum prc db_commit(struct db *d, struct err *e);
void db_rollback(struct db *d);

/*
 * Appends s to a PostgreSQL array literal under construction in b
 * ('{' and '}' are the caller's): double-quoted, with '"' and '\\' escaped.
 * NULL s appends NULL.
 */
enum prc db_array_add(struct buf *b, const char *s);

/*
 * The columns of a set-based statement (... FROM unnest($1::T[], $2::T[], ...)):
 * one array literal per column, built a row at a time. On any failure the
 * whole set is unusable; db_cols_release frees it in every case.
 */
#define DB_COLS_MAX 18

struct db_cols {
	struct buf b[DB_COLS_MAX];
	int n;
};

/* Starts n (<= DB_COLS_MAX) empty columns. */
enum prc db_cols_init(struct db_cols *c, int n);

/* Appends v (NULL: SQL NULL) to column col. */
enum prc db_cols_add(struct db_cols *c, int col, const char *v);

/* Appends one row: v[0 .. c->n) to the columns in order (NULL: SQL NULL). */
enum prc db_cols_row(struct db_cols *c, const char *const *v);

/* Ends every column; then db_cols_str gives the literals. */
enum prc db_cols_close(struct db_cols *c);
const char *db_cols_str(const struct db_cols *c, int col);
void db_cols_release(struct db_cols *c);

/*
 * After the rows (rc: how adding them went): ends every column and points
 * p[0 .. c->n) at the literals, the statement's first parameters. Returns
 * PRC_OK, or the error (rc's, or the close's) after releasing c.
 */
enum prc db_cols_params(struct db_cols *c, enum prc rc, const char **p);

#endif
