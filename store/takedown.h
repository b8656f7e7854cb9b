/* takedown.h - takedown requests for confirmed pages: opening, every later step, listing, history. */
#ifndef PATROL_TAKEDOWN_H
#define PATROL_TAKEDOWN_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "store/rows.h"
#include "util/err.h"

/*
 * A request asks someone (recipient_kind: site_operator, hosting_provider,
 * registrar, platform, hotline) through a channel (web_form, email,
 * hotline_report, letter) to remove one confirmed page. Its states:
 *
 *   open → sent → acknowledged → removed | refused | expired
 *   open → expired, sent → removed | refused | expired, removed → reopened,
 *   reopened → sent | acknowledged | removed | refused | expired
 *
 * The database refuses every other transition and writes one event per
 * change (schema/002_review_takedown.sql); the functions here lock the
 * request row (SELECT ... FOR UPDATE) and retry on deadlock, so concurrent
 * coordinators never lose an event.
 */

/* The canonical recipient kind or channel for s ("web-form" → "web_form"), or NULL when unknown. */
const char *takedown_kind(const char *s);
const char *takedown_channel(const char *s);

/* The canonical state for a command verb or state name ("ack" → "acknowledged"), or NULL. */
const char *takedown_state(const char *s);

struct takedown_new {
	const char *kind;      /* recipient kind (canonical) */
	const char *recipient; /* its name ("Example Hosting"), may be NULL */
	const char *channel;   /* canonical */
	const char *reference; /* may be NULL */
	const char *category;  /* NULL: the page's best-scoring category */
};

/*
 * Opens a request on page_id as actor. *id gets the request's id.
 * PRC_NOTFOUND for a page that is not flagged, PRC_DECLINED (e says why)
 * when the database refuses: the page is not confirmed.
 */
enum prc takedown_open(struct db *d, int64_t page_id, const struct takedown_new *t,
		       const char *actor, const char *comment, int64_t *id, struct err *e);

/* One step on a request. */
struct takedown_change {
	const char *to;         /* new state (canonical), or NULL: a note, no change of state */
	const char *reference;  /* sets the reference number, or NULL */
	const char *recipient;  /* sets the recipient's name, or NULL */
	const char *removed_at; /* with to "removed": when it was first seen gone (timestamptz text), or NULL: now */
};

/*
 * Applies c to request id as actor with comment, in its own transaction.
 * from and status (16 bytes each, may be NULL) get the state before and
 * after. PRC_NOTFOUND for no such request; PRC_DECLINED when it is already
 * in that state or the database refuses the transition (e says which).
 */
enum prc takedown_act(struct db *d, int64_t id, const struct takedown_change *c, const char *actor,
		      const char *comment, char *from, char *status, struct err *e);

struct takedown_filter {
	const char *job, *status, *kind, *recipient, *category, *host; /* NULL: any; status "live": not closed */
	int overdue_only;
	long sent_days; /* sent (or reopened) and not acknowledged after this many days: overdue */
	long ack_days;  /* acknowledged and not removed after this many days: overdue */
	long limit;     /* <= 0: no limit */
};

/* Sets f to every request, overdue after 7 days sent or 14 days acknowledged. */
void takedown_filter_init(struct takedown_filter *f);

/*
 * Lists requests, overdue first, then longest waiting. Columns: id, page_id,
 * status, overdue, waiting_days, recipient_kind, recipient, channel,
 * reference, category, opened_at, sent_at, acknowledged_at, removed_at, url.
 */
enum prc takedown_list(struct db *d, const struct takedown_filter *f, struct rows **res, struct err *e);

struct takedown_detail {
	struct rows *request;  /* one row */
	struct rows *events;   /* seq, at, actor, from_status, to_status, reference, comment */
	struct rows *rechecks; /* the page's rechecks since the request was opened */
};

/* Fills *out for request id; PRC_NOTFOUND when there is none. Release with takedown_detail_release. */
enum prc takedown_show(struct db *d, int64_t id, struct takedown_detail *out, struct err *e);
void takedown_detail_release(struct takedown_detail *td);

#endif
