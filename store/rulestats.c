/*
 * rulestats.c - the numbers a rule author needs to see which rules cost
 * reviewers time: for each rule, how many pages it flagged and how many of
 * those reviewers confirmed, dismissed or have not looked at yet.
 *
 * A page is its urls row; its review (schema/002) is one status per page,
 * whatever rule flagged it, so a page flagged by two rules and dismissed
 * counts as dismissed for both. Pages are counted once per rule across all
 * their fetches (a recrawl or a recheck adds hits, not pages). Both tables
 * are keyed by host first and joined on it, as every query on large tables
 * is (DESIGN.md, Citus).
 */
#include "store/rulestats.h"
#include "store/dbpq.h"

static const char rulestats_sql[] =
	"WITH h AS ("
	"  SELECT h.classifier, h.rule, h.category, h.host_id, h.url_id, h.score, h.created_at"
	"  FROM hits h JOIN jobs j ON j.id = h.job_id"
	"  WHERE ($1::text IS NULL OR j.name = $1)),"
	" rules AS ("
	"  SELECT classifier, rule, string_agg(DISTINCT category, ',' ORDER BY category) AS category,"
	"    round(avg(score)::numeric, 3) AS mean_score, max(created_at) AS last_hit"
	"  FROM h GROUP BY classifier, rule),"
	" pages AS ("
	"  SELECT DISTINCT classifier, rule, host_id, url_id FROM h),"
	" counts AS ("
	"  SELECT p.classifier, p.rule, count(*) AS pages,"
	"    count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,"
	"    count(*) FILTER (WHERE r.status = 'dismissed') AS dismissed,"
	"    count(*) FILTER (WHERE r.status IS NULL OR r.status = 'new') AS new"
	"  FROM pages p LEFT JOIN reviews r ON r.host_id = p.host_id AND r.url_id = p.url_id"
	"  GROUP BY p.classifier, p.rule)"
	" SELECT c.rule, ru.category, c.classifier, c.pages, c.confirmed, c.dismissed, c.new,"
	"   round(c.dismissed::numeric / nullif(c.confirmed + c.dismissed, 0), 4) AS dismissal_rate,"
	"   ru.mean_score, ru.last_hit"
	" FROM counts c JOIN rules ru ON ru.classifier = c.classifier AND ru.rule = c.rule"
	" ORDER BY c.dismissed DESC, c.pages DESC, c.rule, c.classifier";

enum prc rulestats_run(struct db *d, const char *job, struct rows **out, struct err *e)
{
	const char *params[1] = { job };

	return db_query_rows(d, rulestats_sql, 1, params, out, e);
}
