/* db.h - connections to patrol's PostgreSQL database, and its migrations. */
#ifndef PATROL_DB_H
#define PATROL_DB_H

#include <inttypes.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/err.h"

/* Formats v in decimal into the char array buf (a statement parameter) and yields buf. */
#define DB_I64(buf, v) (snprintf((buf), sizeof(buf), "%" PRId64, (int64_t)(v)), (buf))

/*
 * The two roles of schema/009_roles.sql: the owner of the schema, as whom
 * migrations run, and the application role every patrol process works as.
 */
#define DB_OWNER_ROLE "patrol_owner"
#define DB_APP_ROLE "patrol"

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

/* 1 when d's connection is up (without trying to reconnect), else 0. */
int db_connected(struct db *d);

/*
 * Where d is connected, "host H port P database D user U", into out (size
 * bytes, always terminated).
 */
void db_describe(struct db *d, char *out, size_t size);

/*
 * Makes sure the connection is up, reconnecting once if it is not.
 * PRC_OK when usable, PRC_DB with a message otherwise.
 */
enum prc db_ensure(struct db *d, struct err *e);

/*
 * Applies every compiled-in migration not yet recorded in
 * schema_migrations, each in its own transaction, in version order, under an
 * advisory lock so that processes started together migrate once. *applied
 * (may be NULL) receives how many were applied. An up-to-date database is
 * only read (the application role may create nothing); once the owner role
 * owns the schema, each migration runs as it (SET LOCAL ROLE). A migration
 * the connected role may not apply fails with a message naming the owner.
 */
enum prc db_migrate(struct db *d, int *applied, struct err *e);

/* Runs a statement with no result rows; PRC_DB with the server's message on failure. */
enum prc db_exec(struct db *d, const char *sql, struct err *e);

struct rows;

/*
 * Runs a parameterized statement (text parameters; NULL entries are SQL NULL)
 * and copies its rows out (store/rows.h). On PRC_OK *out is a new table
 * (rows_free it); on failure *out is NULL and e holds the message.
 * Statements that need libpq's own result use db_query (store/dbpq.h,
 * store/ only).
 */
enum prc db_query_rows(struct db *d, const char *sql, int nparams, const char *const *params,
		       struct rows **out, struct err *e);

/* One statement of a sequence that shares its parameters: its SQL and where its rows go. */
struct db_rows_query {
	const char *sql;
	struct rows **out;
};

/*
 * Runs q[0..n) in order with the same parameters, each into its *out
 * (db_query_rows), and stops at the first that fails: PRC_OK, or that
 * failure (message in e). The tables filled before it stay the caller's.
 */
enum prc db_query_rows_seq(struct db *d, const struct db_rows_query *q, size_t n, int nparams,
			   const char *const *params, struct err *e);

/*
 * Makes the categories table (schema/005) hold exactly codes[i] with their
 * Japanese names[i] (i < n), inserting or renaming; the database then
 * accepts exactly the codes of the taxonomy the caller was built with. Reads
 * first and writes only when the table is behind, so the application role
 * (which may not write it) passes; when it is behind and the role may not,
 * PRC_DB with a message naming 'patrol db migrate' and the owner role.
 */
enum prc db_sync_categories(struct db *d, const char *const *codes, const char *const *names,
			    size_t n, struct err *e);

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
