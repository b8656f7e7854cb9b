/*
 * db.c - the connection to patrol's system of record.
 *
 * Everything that talks to PostgreSQL goes through a struct db: it keeps the
 * conninfo so that a connection lost mid-crawl can be re-established, turns
 * server errors into one-line messages, and applies the schema migrations
 * that are compiled into the binary (schema/NNN_name.sql) exactly once each,
 * in order, under an advisory lock.
 */
#include "store/dbpq.h"

#include <stdlib.h>
#include <string.h>

#include "store/cluster.h"
#include "store/migrations.h"
#include "store/rows.h"
#include "store/rowsconv.h"
#include "util/buf.h"

/* Any constant: the key of the advisory lock that serializes migrations. */
#define DB_MIGRATE_LOCK 0x70617472

struct db {
	PGconn *conn;
	char *conninfo;
	char sqlstate[6]; /* of the last failed statement */
};

static void db_keep_sqlstate(struct db *d, const PGresult *r)
{
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	snprintf(d->sqlstate, sizeof(d->sqlstate), "%s", st ? st : "");
}

const char *db_sqlstate(const struct db *d)
{
	return d->sqlstate;
}

static void db_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* NOTICEs (e.g. "relation exists, skipping") are not for users */
}

static enum prc db_server_error(struct err *e, PGconn *conn, const char *what)
{
	const char *m = PQerrorMessage(conn);
	size_t n = strlen(m);

	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	return err_set(e, PRC_DB, "%s: %.*s", what, (int)n, m);
}

enum prc db_connect(const char *conninfo, struct db **out, struct err *e)
{
	struct db *d;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return err_set(e, PRC_NOMEM, "out of memory");
	d->conninfo = strdup(conninfo);
	if (!d->conninfo) {
		free(d);
		return err_set(e, PRC_NOMEM, "out of memory");
	}
	d->conn = PQconnectdb(conninfo);
	if (!d->conn || PQstatus(d->conn) != CONNECTION_OK) {
		enum prc rc = d->conn ? db_server_error(e, d->conn, "cannot connect to the database")
				      : err_set(e, PRC_NOMEM, "out of memory");
		db_free(d);
		return rc;
	}
	PQsetNoticeProcessor(d->conn, db_notice, NULL);
	*out = d;
	return PRC_OK;
}

void db_free(struct db *d)
{
	if (!d)
		return;
	if (d->conn)
		PQfinish(d->conn);
	free(d->conninfo);
	free(d);
}

PGconn *db_conn(struct db *d)
{
	return d->conn;
}

int db_connected(struct db *d)
{
	return d && d->conn && PQstatus(d->conn) == CONNECTION_OK;
}

void db_describe(struct db *d, char *out, size_t size)
{
	PGconn *c = d ? d->conn : NULL;
	const char *h = c ? PQhost(c) : NULL, *p = c ? PQport(c) : NULL;
	const char *n = c ? PQdb(c) : NULL, *u = c ? PQuser(c) : NULL;

	snprintf(out, size, "host='%s' port=%s dbname=%s user=%s", h ? h : "?", p ? p : "?",
		 n ? n : "?", u ? u : "?");
}

enum prc db_ensure(struct db *d, struct err *e)
{
	if (PQstatus(d->conn) == CONNECTION_OK)
		return PRC_OK;
	PQreset(d->conn);
	if (PQstatus(d->conn) != CONNECTION_OK)
		return db_server_error(e, d->conn, "lost the database connection");
	PQsetNoticeProcessor(d->conn, db_notice, NULL);
	return PRC_OK;
}

enum prc db_query(struct db *d, const char *sql, int nparams, const char *const *params,
		  PGresult **res, struct err *e)
{
	PGresult *r;
	ExecStatusType st;

	*res = NULL;
	r = PQexecParams(d->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (!r)
		return db_server_error(e, d->conn, "query failed");
	st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		const char *m = PQresultErrorMessage(r);
		size_t n = strlen(m);

		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		err_set(e, PRC_DB, "%.*s", (int)n, m);
		db_keep_sqlstate(d, r);
		PQclear(r);
		return PRC_DB;
	}
	*res = r;
	return PRC_OK;
}

enum prc db_sync_categories(struct db *d, const char *const *codes, const char *const *names,
			    size_t n, struct err *e)
{
	struct buf cb, nb;
	const char *p[2];
	PGresult *r = NULL;
	enum prc rc;
	size_t i;
	int behind;

	buf_init(&cb, 1u << 16);
	buf_init(&nb, 1u << 16);
	rc = buf_addch(&cb, '{');
	if (rc == PRC_OK)
		rc = buf_addch(&nb, '{');
	for (i = 0; i < n && rc == PRC_OK; i++) {
		rc = db_array_add(&cb, codes[i]);
		if (rc == PRC_OK)
			rc = db_array_add(&nb, names[i]);
	}
	if (rc == PRC_OK)
		rc = buf_addch(&cb, '}');
	if (rc == PRC_OK)
		rc = buf_addch(&nb, '}');
	if (rc != PRC_OK) {
		rc = err_set(e, PRC_NOMEM, "out of memory");
		goto out;
	}
	p[0] = buf_str(&cb);
	p[1] = buf_str(&nb);
	/* read first: the application role may not write the lookup tables */
	rc = db_query(d,
		      "SELECT count(*) FROM unnest($1::text[], $2::text[]) AS t (code, ja)"
		      " WHERE NOT EXISTS (SELECT 1 FROM categories c WHERE c.code = t.code AND c.ja = t.ja)",
		      2, p, &r, e);
	if (rc != PRC_OK)
		goto out;
	behind = strcmp(PQgetvalue(r, 0, 0), "0") != 0;
	PQclear(r);
	r = NULL;
	if (!behind)
		goto out;
	rc = db_query(d,
		      "INSERT INTO categories (code, ja) SELECT * FROM unnest($1::text[], $2::text[])"
		      " ON CONFLICT (code) DO UPDATE SET ja = EXCLUDED.ja WHERE categories.ja <> EXCLUDED.ja",
		      2, p, &r, e);
	if (rc == PRC_DB && !strcmp(db_sqlstate(d), "42501"))
		rc = err_set(e, PRC_DB,
			     "the database's categories are behind this patrol's taxonomy, and role '%s' "
			     "may not bring them up to date: run 'patrol db migrate --db CONNINFO' as the "
			     "owner role '" DB_OWNER_ROLE "'",
			     PQuser(d->conn));
	PQclear(r);
out:
	buf_release(&cb);
	buf_release(&nb);
	return rc;
}

enum prc db_query_rows(struct db *d, const char *sql, int nparams, const char *const *params,
		       struct rows **out, struct err *e)
{
	PGresult *r;
	enum prc rc;

	*out = NULL;
	rc = db_query(d, sql, nparams, params, &r, e);
	if (rc != PRC_OK)
		return rc;
	rc = rows_from_result(r, out, e);
	PQclear(r);
	return rc;
}

enum prc db_query_rows_seq(struct db *d, const struct db_rows_query *q, size_t n, int nparams,
			   const char *const *params, struct err *e)
{
	enum prc rc = PRC_OK;
	size_t i;

	for (i = 0; i < n && rc == PRC_OK; i++)
		rc = db_query_rows(d, q[i].sql, nparams, params, q[i].out, e);
	return rc;
}

/* The simple query protocol: sql may hold several statements (migrations do). */
enum prc db_exec(struct db *d, const char *sql, struct err *e)
{
	PGresult *r = PQexec(d->conn, sql);
	enum prc rc = PRC_OK;

	if (!r)
		return db_server_error(e, d->conn, "query failed");
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		const char *m = PQresultErrorMessage(r);
		size_t n = strlen(m);

		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		rc = err_set(e, PRC_DB, "%.*s", (int)n, m);
		db_keep_sqlstate(d, r);
	}
	PQclear(r);
	return rc;
}

enum prc db_begin(struct db *d, struct err *e)
{
	return db_exec(d, "BEGIN", e);
}

enum prc db_commit(struct db *d, struct err *e)
{
	return db_exec(d, "COMMIT", e);
}

void db_rollback(struct db *d)
{
	PGresult *r;

	if (PQtransactionStatus(d->conn) == PQTRANS_IDLE)
		return;
	r = PQexec(d->conn, "ROLLBACK");
	PQclear(r);
}

/*
 * How many compiled-in migrations the database has not recorded yet (0 when
 * it is up to date), read without any DDL, so that the application role,
 * which may create nothing, finds an up-to-date schema and goes on.
 */
static enum prc db_pending(struct db *d, int *pending, struct err *e)
{
	PGresult *r = NULL;
	enum prc rc;
	unsigned i;
	int j, seen;

	*pending = (int)migrations_count;
	rc = db_query(d, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL, &r, e);
	if (rc != PRC_OK)
		return rc;
	seen = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!seen)
		return PRC_OK;
	rc = db_query(d, "SELECT version FROM schema_migrations", 0, NULL, &r, e);
	if (rc != PRC_OK)
		return rc;
	for (i = 0; i < migrations_count; i++)
		for (j = 0; j < PQntuples(r); j++)
			if (atoi(PQgetvalue(r, j, 0)) == migrations[i].version) {
				(*pending)--;
				break;
			}
	PQclear(r);
	return PRC_OK;
}

/*
 * Once the owner role owns schema_migrations (schema/009_roles.sql handed it
 * over), every later migration runs as the owner, whoever connected (a
 * superuser, or a DBA's member role): the objects it creates belong to the
 * owner, and the default privileges of 009 give the application its rights
 * to them. SET LOCAL: the transaction of the migration only.
 */
static enum prc db_migrate_role(struct db *d, struct err *e)
{
	PGresult *r = NULL;
	enum prc rc;
	int as_owner;

	rc = db_query(d,
		      "SELECT r.rolname IS NOT NULL AND current_user <> r.rolname"
		      " AND pg_has_role(current_user, r.oid, 'MEMBER')"
		      " FROM pg_class c LEFT JOIN pg_roles r ON r.oid = c.relowner AND r.rolname = '"
		      DB_OWNER_ROLE "'"
		      " WHERE c.oid = 'schema_migrations'::regclass",
		      0, NULL, &r, e);
	if (rc != PRC_OK)
		return rc;
	as_owner = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return as_owner ? db_exec(d, "SET LOCAL ROLE " DB_OWNER_ROLE, e) : PRC_OK;
}

/* The message for a migration the connected role may not apply. */
static enum prc db_migrate_refused(struct db *d, const char *name, struct err *e)
{
	return err_set(e, PRC_DB,
		       "the database needs migration '%s', and role '%s' may not apply it: run "
		       "'patrol db migrate --db CONNINFO' as the owner role '" DB_OWNER_ROLE
		       "' (README, \"Deployment\")",
		       name, PQuser(d->conn));
}

enum prc db_migrate(struct db *d, int *applied, struct err *e)
{
	PGresult *r = NULL;
	enum prc rc;
	unsigned i;
	int n = 0, pending = 0;
	char lock[64];

	if (applied)
		*applied = 0;
	rc = db_pending(d, &pending, e);
	if (rc != PRC_OK || pending == 0)
		return rc;
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_lock(%d)", DB_MIGRATE_LOCK);
	rc = db_exec(d, lock, e);
	if (rc != PRC_OK)
		return rc;
	rc = db_exec(d,
		     "CREATE TABLE IF NOT EXISTS schema_migrations ("
		     " version integer PRIMARY KEY, name text NOT NULL,"
		     " applied_at timestamptz NOT NULL DEFAULT now())",
		     e);
	if (rc != PRC_OK) {
		if (!strcmp(d->sqlstate, "42501"))
			rc = db_migrate_refused(d, migrations[0].name, e);
		goto out;
	}
	for (i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		char ver[16];
		const char *params[2] = { ver, m->name };

		snprintf(ver, sizeof(ver), "%d", m->version);
		rc = db_query(d, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, params, &r, e);
		if (rc != PRC_OK)
			goto out;
		if (PQntuples(r) > 0) {
			PQclear(r);
			r = NULL;
			continue;
		}
		PQclear(r);
		r = NULL;
		rc = db_begin(d, e);
		if (rc != PRC_OK)
			goto out;
		rc = db_migrate_role(d, e);
		if (rc == PRC_OK)
			rc = db_exec(d, m->sql, e);
		if (rc == PRC_OK) {
			rc = db_query(d, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
				      params, &r, e);
			PQclear(r);
			r = NULL;
		}
		if (rc == PRC_OK)
			rc = db_commit(d, e);
		if (rc != PRC_OK) {
			db_rollback(d);
			if (!strcmp(d->sqlstate, "42501") && !(e && strstr(e->msg, "README")))
				rc = db_migrate_refused(d, m->name, e);
			else
				err_prefix(e, "migration '%s' failed: ", m->name);
			goto out;
		}
		n++;
	}
out:
	PQclear(r);
	snprintf(lock, sizeof(lock), "SELECT pg_advisory_unlock(%d)", DB_MIGRATE_LOCK);
	r = PQexec(d->conn, lock);
	PQclear(r);
	if (applied)
		*applied = n;
	return rc;
}

enum prc db_locate(const char *conninfo, const char *home, char **out, char **created,
		   struct err *e)
{
	const char *env = getenv("PATROL_DB");
	enum prc rc;

	*out = NULL;
	if (created)
		*created = NULL;
	if (!conninfo && env && *env)
		conninfo = env;
	if (conninfo) {
		*out = strdup(conninfo);
		return *out ? PRC_OK : err_set(e, PRC_NOMEM, "out of memory");
	}
	rc = cluster_start(home, created, e);
	if (rc != PRC_OK)
		return rc;
	*out = cluster_conninfo(home, e);
	return *out ? PRC_OK : PRC_NOMEM;
}

enum prc db_cols_init(struct db_cols *c, int n)
{
	enum prc rc = PRC_OK;
	int i;

	c->n = n;
	for (i = 0; i < n; i++)
		buf_init(&c->b[i], (size_t)1 << 30);
	for (i = 0; i < n && rc == PRC_OK; i++)
		rc = buf_addch(&c->b[i], '{');
	return rc;
}

enum prc db_cols_add(struct db_cols *c, int col, const char *v)
{
	return db_array_add(&c->b[col], v);
}

enum prc db_cols_close(struct db_cols *c)
{
	enum prc rc = PRC_OK;
	int i;

	for (i = 0; i < c->n && rc == PRC_OK; i++)
		rc = buf_addch(&c->b[i], '}');
	return rc;
}

const char *db_cols_str(const struct db_cols *c, int col)
{
	return buf_str(&c->b[col]);
}

void db_cols_release(struct db_cols *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		buf_release(&c->b[i]);
}

enum prc db_cols_row(struct db_cols *c, const char *const *v)
{
	enum prc rc = PRC_OK;
	int i;

	for (i = 0; i < c->n && rc == PRC_OK; i++)
		rc = db_cols_add(c, i, v[i]);
	return rc;
}

enum prc db_cols_params(struct db_cols *c, enum prc rc, const char **p)
{
	int i;

	if (rc == PRC_OK)
		rc = db_cols_close(c);
	if (rc != PRC_OK) {
		db_cols_release(c);
		return rc;
	}
	for (i = 0; i < c->n; i++)
		p[i] = db_cols_str(c, i);
	return PRC_OK;
}

enum prc db_array_add(struct buf *b, const char *s)
{
	enum prc rc;

	if (b->len > 1 && (rc = buf_addch(b, ',')) != PRC_OK)
		return rc;
	if (!s)
		return buf_addstr(b, "NULL");
	if ((rc = buf_addch(b, '"')) != PRC_OK)
		return rc;
	for (; *s; s++) {
		if ((*s == '"' || *s == '\\') && (rc = buf_addch(b, '\\')) != PRC_OK)
			return rc;
		if ((rc = buf_addch(b, *s)) != PRC_OK)
			return rc;
	}
	return buf_addch(b, '"');
}
