/* users.h - the console's users and sessions in PostgreSQL (schema/008_console_users.sql). */
#ifndef PATROL_USERS_H
#define PATROL_USERS_H

#include <stdint.h>

#include "store/rows.h"
#include "util/err.h"

struct db;

/* The roles, least to most: "patrol", "rule_author", "coordinator", "admin". NULL-terminated. */
extern const char *const users_roles[];

/* 1 when role is one of users_roles. */
int users_role_valid(const char *role);

/*
 * Adds user name with role and pw_hash (already hashed). PRC_DECLINED when
 * the name is taken, PRC_INVALID for a bad name or role (e says which).
 */
enum prc users_add(struct db *d, const char *name, const char *role, const char *pw_hash,
		   struct err *e);

/* Every user: name, role, disabled, failed_logins, locked_until, created_at, last_login, sessions. */
enum prc users_list(struct db *d, struct rows **out, struct err *e);

/* Disables name and ends its sessions. PRC_NOTFOUND when there is no such user. */
enum prc users_disable(struct db *d, const char *name, struct err *e);

/* What a login needs to know of a user. */
struct user_login {
	int64_t id;
	char name[72];
	char role[16];
	char pw_hash[256];
	int disabled;
	int locked; /* locked_until is in the future */
};

/* Reads name's login facts into *out. PRC_NOTFOUND when there is no such user. */
enum prc users_login_get(struct db *d, const char *name, struct user_login *out, struct err *e);

/*
 * Records a failed login of user id: after max_failures in a row the user is
 * locked for lock_seconds (the count starts again then). *locked gets 1 when
 * this failure locked the user.
 */
enum prc users_login_failed(struct db *d, int64_t id, int max_failures, long lock_seconds,
			    int *locked, struct err *e);

/*
 * Records a successful login of user id and opens a session known by
 * token_sha256 (hex) with csrf as its token.
 */
enum prc users_session_open(struct db *d, int64_t id, const char *token_sha256, const char *csrf,
			    struct err *e);

/* A live session. */
struct user_session {
	char name[72];
	char role[16];
	char csrf[72];
};

/*
 * Finds the session known by token_sha256 that has been used within
 * idle_seconds, of a user still enabled, and marks it used now.
 * PRC_NOTFOUND when there is none (expired sessions are deleted).
 */
enum prc users_session_get(struct db *d, const char *token_sha256, long idle_seconds,
			   struct user_session *out, struct err *e);

/* Ends the session known by token_sha256 (none is fine). */
enum prc users_session_close(struct db *d, const char *token_sha256, struct err *e);

#endif
