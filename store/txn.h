/* txn.h - running one unit of work as a transaction, with its actor, retried when the server asks. */
#ifndef PATROL_TXN_H
#define PATROL_TXN_H

#include "store/db.h"
#include "util/err.h"

/* The work: runs inside the transaction; returns PRC_OK to commit, anything else to roll back. */
typedef enum prc (*txn_fn)(struct db *d, void *ud, struct err *e);

/*
 * Runs fn(d, ud, e) between BEGIN and COMMIT with the transaction-local
 * settings patrol.actor = actor and patrol.comment = comment (either may be
 * NULL), which the database's triggers write into every event the work
 * causes. When the server picks the transaction as a deadlock or
 * serialization victim (SQLSTATE 40P01, 40001), the whole of it is run
 * again, up to 50 times with a short growing pause, so fn must be
 * repeatable. Returns fn's result, or PRC_DB. Not thread-safe (d is the
 * caller's).
 */
enum prc txn_run(struct db *d, const char *actor, const char *comment, txn_fn fn, void *ud,
		 struct err *e);

/*
 * What a failed statement's SQLSTATE says of the request: PRC_DECLINED for
 * a rule the database enforces (check_violation 23514 and
 * insufficient_privilege 42501, the triggers' refusals), PRC_DB for
 * anything else. Call right after the failure. e's message is cut to the
 * server's one-line reason ("ERROR:" and context lines dropped).
 */
enum prc txn_refusal(const struct db *d, struct err *e);

#endif
