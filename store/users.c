/*
 * users.c - who may use the web console, and who is logged in. Passwords
 * arrive here already hashed (console/auth.h); sessions are known only by
 * the SHA-256 of their cookie token. Lockout counts consecutive failures in
 * the users row itself, so every console process sharing the database
 * shares it.
 */
#include "store/users.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/rowsconv.h"
#include "store/dbpq.h"

const char *const users_roles[] = { "patrol", "rule_author", "coordinator", "admin", NULL };

int users_role_valid(const char *role)
{
	int i;

	for (i = 0; role && users_roles[i]; i++)
		if (!strcmp(role, users_roles[i]))
			return 1;
	return 0;
}

static int name_valid(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '@' || *s == '-'))
			return 0;
	return n >= 1 && n <= 64;
}

enum prc users_add(struct db *d, const char *name, const char *role, const char *pw_hash,
		   struct err *e)
{
	const char *p[3] = { name, role, pw_hash };
	PGresult *r = NULL;
	enum prc rc;

	if (!name_valid(name))
		return err_set(e, PRC_INVALID,
			       "user name '%s' must be 1 to 64 of A-Z a-z 0-9 _ . @ -", name ? name : "");
	if (!users_role_valid(role))
		return err_set(e, PRC_INVALID,
			       "no role '%s' (patrol, rule_author, coordinator, admin)", role ? role : "");
	rc = db_query(d,
		      "INSERT INTO console_users (name, role, pw_hash) VALUES ($1, $2, $3)"
		      " ON CONFLICT (name) DO NOTHING RETURNING id",
		      3, p, &r, e);
	if (rc == PRC_OK && PQntuples(r) == 0)
		rc = err_set(e, PRC_DECLINED, "user '%s' exists already", name);
	PQclear(r);
	return rc;
}

enum prc users_list(struct db *d, struct rows **out, struct err *e)
{
	PGresult *r = NULL;
	enum prc rc;

	*out = NULL;
	rc = db_query(d,
		      "SELECT u.name, u.role, u.disabled, u.failed_logins,"
		      "  CASE WHEN u.locked_until > now() THEN u.locked_until END AS locked_until,"
		      "  u.created_at, u.last_login,"
		      "  (SELECT count(*) FROM console_sessions s WHERE s.user_id = u.id) AS sessions"
		      " FROM console_users u ORDER BY u.name",
		      0, NULL, &r, e);
	if (rc == PRC_OK)
		rc = rows_from_result(r, out, e);
	PQclear(r);
	return rc;
}

enum prc users_disable(struct db *d, const char *name, struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	enum prc rc;

	rc = db_query(d,
		      "WITH u AS (UPDATE console_users SET disabled = true WHERE name = $1 RETURNING id),"
		      " s AS (DELETE FROM console_sessions WHERE user_id IN (SELECT id FROM u))"
		      " SELECT id FROM u",
		      1, p, &r, e);
	if (rc == PRC_OK && PQntuples(r) == 0)
		rc = err_set(e, PRC_NOTFOUND, "no user '%s'", name);
	PQclear(r);
	return rc;
}

enum prc users_login_get(struct db *d, const char *name, struct user_login *out, struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	enum prc rc;

	memset(out, 0, sizeof(*out));
	rc = db_query(d,
		      "SELECT id, name, role, pw_hash, disabled, coalesce(locked_until > now(), false)"
		      " FROM console_users WHERE name = $1",
		      1, p, &r, e);
	if (rc != PRC_OK)
		goto out;
	if (PQntuples(r) == 0) {
		rc = err_set(e, PRC_NOTFOUND, "no user '%s'", name);
		goto out;
	}
	out->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	snprintf(out->name, sizeof(out->name), "%s", PQgetvalue(r, 0, 1));
	snprintf(out->role, sizeof(out->role), "%s", PQgetvalue(r, 0, 2));
	snprintf(out->pw_hash, sizeof(out->pw_hash), "%s", PQgetvalue(r, 0, 3));
	out->disabled = !strcmp(PQgetvalue(r, 0, 4), "t");
	out->locked = !strcmp(PQgetvalue(r, 0, 5), "t");
out:
	PQclear(r);
	return rc;
}

enum prc users_login_failed(struct db *d, int64_t id, int max_failures, long lock_seconds,
			    int *locked, struct err *e)
{
	char ids[24], maxs[24], secs[24];
	const char *p[3] = { DB_I64(ids, id), DB_I64(maxs, max_failures), DB_I64(secs, lock_seconds) };
	PGresult *r = NULL;
	enum prc rc;

	*locked = 0;
	/* one statement: concurrent failures each count, and the one that reaches the limit locks */
	rc = db_query(d,
		      "UPDATE console_users SET"
		      "  failed_logins = CASE WHEN failed_logins + 1 >= $2::int THEN 0 ELSE failed_logins + 1 END,"
		      "  locked_until = CASE WHEN failed_logins + 1 >= $2::int"
		      "    THEN now() + make_interval(secs => $3::int) ELSE locked_until END"
		      " WHERE id = $1 RETURNING coalesce(locked_until > now(), false)",
		      3, p, &r, e);
	if (rc == PRC_OK && PQntuples(r) == 1)
		*locked = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return rc;
}

enum prc users_session_open(struct db *d, int64_t id, const char *token_sha256, const char *csrf,
			    struct err *e)
{
	char ids[24];
	const char *p[3] = { DB_I64(ids, id), token_sha256, csrf };
	PGresult *r = NULL;
	enum prc rc;

	rc = db_query(d,
		      "WITH u AS (UPDATE console_users SET failed_logins = 0, locked_until = NULL,"
		      "  last_login = now() WHERE id = $1 RETURNING id)"
		      " INSERT INTO console_sessions (token_sha256, user_id, csrf) SELECT $2, id, $3 FROM u",
		      3, p, &r, e);
	PQclear(r);
	return rc;
}

enum prc users_session_get(struct db *d, const char *token_sha256, long idle_seconds,
			   struct user_session *out, struct err *e)
{
	char secs[24];
	const char *p[2] = { token_sha256, DB_I64(secs, idle_seconds) };
	PGresult *r = NULL;
	enum prc rc;

	memset(out, 0, sizeof(*out));
	rc = db_query(d,
		      "UPDATE console_sessions s SET last_seen = now() FROM console_users u"
		      " WHERE s.token_sha256 = $1 AND u.id = s.user_id AND NOT u.disabled"
		      " AND s.last_seen > now() - make_interval(secs => $2::int)"
		      " RETURNING u.name, u.role, s.csrf",
		      2, p, &r, e);
	if (rc != PRC_OK)
		goto out;
	if (PQntuples(r) == 0) {
		PQclear(r);
		r = NULL;
		/* an idle session is over for good */
		rc = db_query(d,
			      "DELETE FROM console_sessions"
			      " WHERE last_seen <= now() - make_interval(secs => $2::int) OR token_sha256 = $1",
			      2, p, &r, e);
		if (rc == PRC_OK)
			rc = err_set(e, PRC_NOTFOUND, "no live session");
		goto out;
	}
	snprintf(out->name, sizeof(out->name), "%s", PQgetvalue(r, 0, 0));
	snprintf(out->role, sizeof(out->role), "%s", PQgetvalue(r, 0, 1));
	snprintf(out->csrf, sizeof(out->csrf), "%s", PQgetvalue(r, 0, 2));
out:
	PQclear(r);
	return rc;
}

enum prc users_session_close(struct db *d, const char *token_sha256, struct err *e)
{
	const char *p[1] = { token_sha256 };
	PGresult *r = NULL;
	enum prc rc;

	rc = db_query(d, "DELETE FROM console_sessions WHERE token_sha256 = $1", 1, p, &r, e);
	PQclear(r);
	return rc;
}
