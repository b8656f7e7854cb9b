/* cluster.h - the embedded PostgreSQL cluster under $PATROL_HOME. */
#ifndef PATROL_CLUSTER_H
#define PATROL_CLUSTER_H

#include "util/err.h"

/*
 * The cluster lives in <home>/pg/data and listens only on a Unix socket in
 * <home>/pg (listen_addresses = ''). As root, initdb and the server run as
 * the "postgres" system user, who owns <home>/pg; when that user cannot
 * reach home (a clone under /root, mode 0700), the cluster lives in
 * $PATROL_RUN_DIR/<hash of home>/pg instead (default /var/lib/patrol),
 * unless one already exists in home. The database is "patrol". Connections
 * are authenticated by peer, never trusted (cluster_conninfo).
 * These functions run PostgreSQL's own tools (initdb, pg_ctl) and wait for
 * them; they are not thread-safe and are meant for cli/ and db_locate.
 */

/* Returns a malloc'd absolute path of home (created when missing), or NULL with e set. */
char *cluster_home(const char *home, struct err *e);

/*
 * Creates the cluster if needed, starts it if not running, creates database
 * "patrol". When it had to be created and created is not NULL, *created is
 * its data directory (malloc'd, the caller frees it), else NULL. Errors say
 * what failed and the command that fixes it.
 */
enum prc cluster_start(const char *home, char **created, struct err *e);

/* The data directory of the cluster for home (malloc'd), whether or not it exists. */
char *cluster_data_dir(const char *home, struct err *e);

/* Stops the server (fast shutdown). PRC_DECLINED when it was not running. */
enum prc cluster_stop(const char *home, struct err *e);

/* PRC_OK when running, PRC_DECLINED when stopped, PRC_NOTFOUND when not created yet. */
enum prc cluster_status(const char *home, struct err *e);

/*
 * The conninfo of the cluster under home (malloc'd), whether or not it runs,
 * as the application role "patrol" (schema/009_roles.sql). The cluster
 * authenticates by peer only: the system user who runs patrol may connect as
 * "patrol", "patrol_owner" or the superuser "postgres" (pg_ident.conf).
 */
char *cluster_conninfo(const char *home, struct err *e);

/* The same as the superuser "postgres": for creating the roles and migrating. */
char *cluster_admin_conninfo(const char *home, struct err *e);

#endif
