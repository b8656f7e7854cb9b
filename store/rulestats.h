/* rulestats.h - per rule: the pages it flagged and what reviewers made of them. */
#ifndef PATROL_RULESTATS_H
#define PATROL_RULESTATS_H


#include "store/db.h"
#include "store/rows.h"
#include "util/err.h"

/*
 * One row per rule (and classifier) that flagged any page of job (NULL:
 * every job), with the columns
 *
 *   rule, category (the rule's categories, comma-separated), classifier,
 *   pages (distinct pages with a hit by the rule), confirmed, dismissed,
 *   new (those pages by their review status now), dismissal_rate
 *   (dismissed / (confirmed + dismissed), 4 decimals; NULL when none was
 *   reviewed), mean_score, last_hit (timestamptz)
 *
 * sorted by dismissed descending, then pages descending, then rule: the
 * rules that cost reviewers most come first. A page counts once per rule
 * however many fetches it had. On PRC_OK *out holds the result (PQclear
 * it); PRC_DB with the server's message.
 */
enum prc rulestats_run(struct db *d, const char *job, struct rows **out, struct err *e);

#endif
