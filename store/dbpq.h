/*
 * dbpq.h - the libpq side of struct db, for store/ only: the modules that
 * build statements and read their results. Nothing outside store/ sees
 * libpq; they get struct rows (store/rows.h) or structs of their own.
 */
#ifndef PATROL_DBPQ_H
#define PATROL_DBPQ_H

#include <libpq-fe.h>

#include "store/db.h"

/* The live connection (owned by d). */
PGconn *db_conn(struct db *d);

/*
 * Runs a parameterized statement (text parameters; NULL entries are SQL NULL).
 * On PRC_OK *res holds the result (PQclear it); on PRC_DB *res is NULL and e
 * holds the server's message.
 */
enum prc db_query(struct db *d, const char *sql, int nparams, const char *const *params,
		  PGresult **res, struct err *e);

#endif
