/*
 * txn.c - the transaction wrapper every review and takedown change goes
 * through. It sets who is acting for the triggers that write the events,
 * and retries the whole unit when PostgreSQL aborts it as a deadlock or
 * serialization victim, so two coordinators acting on one request at once
 * both get their events in, one after the other.
 */
#include "store/txn.h"
#include "store/dbpq.h"

#include <string.h>
#include <time.h>

#define TXN_TRIES 50

static void txn_pause(int attempt)
{
	struct timespec ts;
	long ms = attempt < 6 ? 1L << attempt : 50;

	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
}

static int txn_retryable(const struct db *d)
{
	const char *st = db_sqlstate(d);

	return !strcmp(st, "40001") || !strcmp(st, "40P01");
}

enum prc txn_refusal(const struct db *d, struct err *e)
{
	const char *st = db_sqlstate(d);

	if (e) {
		char *nl = strchr(e->msg, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(e->msg, "ERROR:  ", 8))
			memmove(e->msg, e->msg + 8, strlen(e->msg + 8) + 1);
	}
	return !strcmp(st, "23514") || !strcmp(st, "42501") ? PRC_DECLINED : PRC_DB;
}

enum prc txn_run(struct db *d, const char *actor, const char *comment, txn_fn fn, void *ud,
		 struct err *e)
{
	const char *p[2] = { actor ? actor : "", comment ? comment : "" };
	PGresult *r = NULL;
	enum prc rc = PRC_DB;
	int attempt;

	for (attempt = 0; attempt < TXN_TRIES; attempt++) {
		rc = db_ensure(d, e);
		if (rc != PRC_OK)
			return rc;
		rc = db_begin(d, e);
		if (rc == PRC_OK)
			rc = db_query(d,
				      "SELECT set_config('patrol.actor', $1, true),"
				      " set_config('patrol.comment', $2, true)",
				      2, p, &r, e);
		PQclear(r);
		r = NULL;
		if (rc == PRC_OK)
			rc = fn(d, ud, e);
		if (rc == PRC_OK)
			rc = db_commit(d, e);
		if (rc == PRC_OK)
			return PRC_OK;
		db_rollback(d);
		if (rc != PRC_DB || !txn_retryable(d))
			return rc;
		txn_pause(attempt);
	}
	return rc;
}
