#!/usr/bin/env bash
# The database guards the review and takedown rules whatever the client: raw
# SQL meets the same refusals as the CLI. Illegal transitions (removed back
# to sent, open straight to removed, ...), a request on a page nobody
# confirmed, dismissing a page with a live request, event rows inserted by
# hand, updated, deleted or truncated, rechecks rewritten, times forged.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg

patrol_run db migrate
ok $? "migrations apply" || patrol_diag

# refused SQL: fails, and the server's message matches
refuses() {
	local desc=$1 sql=$2 want=$3 out
	out=$(psql "$PATROL_DB" -X -q -A -t -v ON_ERROR_STOP=1 -c "$sql" 2>&1)
	if [ $? = 0 ]; then
		fail "$desc"
		diag "  accepted: $sql"
		return
	fi
	like "$out" "$want" "$desc"
}

# two flagged pages, as the crawler's writer leaves them
psql_q "INSERT INTO jobs (name) VALUES ('sql');
	INSERT INTO hosts (job_id, origin) VALUES (1, 'http://a.example.jp');
	INSERT INTO urls (host_id, job_id, url, url_key, state) VALUES
		(1, 1, 'http://a.example.jp/1', '\x01', 2), (1, 1, 'http://a.example.jp/2', '\x02', 2);
	INSERT INTO fetches (host_id, url_id, job_id, fetched_at, http_status, final_url, content_sha256) VALUES
		(1, 1, 1, now(), 200, 'http://a.example.jp/1', 'aa'), (1, 2, 1, now(), 200, 'http://a.example.jp/2', 'bb');
	INSERT INTO hits (host_id, fetch_id, url_id, job_id, category, score, rule, evidence) VALUES
		(1, 1, 1, 1, 'drug_ad', 0.9, 'r', 'ev'), (1, 2, 2, 1, 'drug_ad', 0.9, 'r', 'ev')" >/dev/null
is "$(psql_q "SELECT string_agg(url_id || ':' || status, ' ' ORDER BY url_id) FROM reviews")" "1:new 2:new" \
	"a hit makes a review, new"

# --- reviews -----------------------------------------------------------------
refuses "a review cannot start confirmed" \
	"INSERT INTO reviews (host_id, url_id, job_id, status, flagged_at) VALUES (1, 1, 1, 'confirmed', now())" \
	"a review starts as new|duplicate key"
psql_q "SELECT set_config('patrol.actor', 'alice', false); UPDATE reviews SET status = 'confirmed' WHERE url_id = 1" >/dev/null
ok $? "new → confirmed by raw SQL is legal"
is "$(psql_q "SELECT actor || '|' || from_status || '|' || to_status FROM review_events WHERE url_id = 1")" \
	"alice|new|confirmed" "and writes its event, with the actor the session set"
psql_q "UPDATE reviews SET status = 'dismissed' WHERE url_id = 2" >/dev/null
is "$(psql_q "SELECT actor FROM review_events WHERE url_id = 2")" "postgres" \
	"without patrol.actor the event names the session user"
refuses "confirmed → new is illegal" "UPDATE reviews SET status = 'new' WHERE url_id = 1" \
	"illegal review transition for page 1: confirmed → new"
refuses "a reviewer cannot be rewritten" "UPDATE reviews SET reviewer = 'mallory' WHERE url_id = 1" \
	"change only with its status"
refuses "a review with history cannot be deleted" "DELETE FROM reviews WHERE url_id = 1" \
	"review history and cannot be deleted"

# --- takedowns ---------------------------------------------------------------
refuses "a request on a page nobody confirmed is refused" \
	"INSERT INTO takedowns (host_id, url_id, job_id, recipient_kind, channel, category, opened_by) VALUES (1, 2, 1, 'hosting_provider', 'email', 'drug_ad', 'x')" \
	"page 2 is not confirmed: a takedown request needs a confirmed page"
refuses "a request cannot start sent" \
	"INSERT INTO takedowns (host_id, url_id, job_id, status, recipient_kind, channel, category, opened_by) VALUES (1, 1, 1, 'sent', 'hosting_provider', 'email', 'drug_ad', 'x')" \
	"starts as open"
refuses "an unknown recipient kind is refused" \
	"INSERT INTO takedowns (host_id, url_id, job_id, recipient_kind, channel, category, opened_by) VALUES (1, 1, 1, 'friend', 'email', 'drug_ad', 'x')" \
	"check constraint"
tid=$(psql_q "INSERT INTO takedowns (host_id, url_id, job_id, recipient_kind, channel, category, opened_by)
	VALUES (1, 1, 1, 'hosting_provider', 'email', 'drug_ad', 'x') RETURNING id" | head -n 1)
is "$(psql_q "SELECT status || '|' || opened_by || '|' || nevents FROM takedowns WHERE id = $tid")" "open|postgres|1" \
	"a request on a confirmed page opens, by the session user"
refuses "open → removed is illegal" "UPDATE takedowns SET status = 'removed' WHERE id = $tid" \
	"illegal takedown transition for request $tid: open → removed"
refuses "open → reopened is illegal" "UPDATE takedowns SET status = 'reopened' WHERE id = $tid" \
	"open → reopened"
psql_q "UPDATE takedowns SET status = 'sent' WHERE id = $tid" >/dev/null
ok $? "open → sent is legal"
refuses "a page with a live request cannot be dismissed" "UPDATE reviews SET status = 'dismissed' WHERE url_id = 1" \
	"live takedown request"
refuses "sent_at cannot be forged" "UPDATE takedowns SET sent_at = now() - interval '30 days' WHERE id = $tid" \
	"times are set by its transitions"
refuses "a request cannot move to another page" "UPDATE takedowns SET url_id = 2 WHERE id = $tid" \
	"only its status, recipient and reference can change"
refuses "a removal in the future is refused" \
	"UPDATE takedowns SET status = 'removed', removed_at = now() + interval '1 day' WHERE id = $tid" \
	"not between its opening and now"
psql_q "UPDATE takedowns SET status = 'removed' WHERE id = $tid" >/dev/null
ok $? "sent → removed is legal"
is "$(psql_q "SELECT removed_at IS NOT NULL FROM takedowns WHERE id = $tid")" t "and sets removed_at"
refuses "removed → sent is illegal" "UPDATE takedowns SET status = 'sent' WHERE id = $tid" \
	"illegal takedown transition for request $tid: removed → sent"
refuses "removed → acknowledged is illegal" "UPDATE takedowns SET status = 'acknowledged' WHERE id = $tid" \
	"removed → acknowledged"
refuses "removed_at cannot be rewritten" "UPDATE takedowns SET removed_at = now() - interval '1 hour' WHERE id = $tid" \
	"times are set by its transitions"
refuses "a request cannot be deleted" "DELETE FROM takedowns WHERE id = $tid" "cannot be deleted"
psql_q "UPDATE takedowns SET status = 'reopened' WHERE id = $tid; UPDATE takedowns SET status = 'expired' WHERE id = $tid" >/dev/null
ok $? "removed → reopened → expired is legal"
refuses "expired → sent is illegal" "UPDATE takedowns SET status = 'sent' WHERE id = $tid" "expired → sent"
is "$(psql_q "SELECT string_agg(seq || ':' || coalesce(from_status, '-') || '>' || to_status, ' ' ORDER BY seq) FROM takedown_events WHERE takedown_id = $tid")" \
	"1:->open 2:open>sent 3:sent>removed 4:removed>reopened 5:reopened>expired" \
	"one event per change, numbered, none for the refusals"

# --- events are append-only --------------------------------------------------
refuses "an event row cannot be updated" "UPDATE takedown_events SET actor = 'mallory' WHERE takedown_id = $tid" \
	"takedown_events is append-only: UPDATE refused"
refuses "an event row cannot be deleted" "DELETE FROM takedown_events WHERE takedown_id = $tid" \
	"takedown_events is append-only: DELETE refused"
refuses "the events cannot be truncated" "TRUNCATE takedown_events" "append-only: TRUNCATE refused"
refuses "an event cannot be inserted by hand" \
	"INSERT INTO takedown_events (host_id, takedown_id, seq, actor, from_status, to_status) VALUES (1, $tid, 9, 'mallory', 'expired', 'removed')" \
	"written by the database"
refuses "a review event cannot be updated" "UPDATE review_events SET actor = 'mallory'" \
	"review_events is append-only: UPDATE refused"
refuses "a review event cannot be inserted by hand" \
	"INSERT INTO review_events (host_id, url_id, seq, actor, from_status, to_status) VALUES (1, 2, 5, 'x', 'new', 'confirmed')" \
	"written by the database"
psql_q "INSERT INTO rechecks (host_id, url_id, job_id, outcome, reason, actor) VALUES (1, 1, 1, 'gone', 'http_404', 'x')" >/dev/null
refuses "a recheck cannot be rewritten" "UPDATE rechecks SET outcome = 'present'" "rechecks is append-only"
refuses "a recheck cannot be deleted" "DELETE FROM rechecks" "rechecks is append-only"
is "$(psql_q "SELECT count(*) FROM takedown_events WHERE takedown_id = $tid")" 5 "the events are all still there"

# --- a dismissed page whose content changes and is flagged again -----------------
psql_q "INSERT INTO fetches (host_id, url_id, job_id, fetched_at, http_status, final_url, content_sha256)
	VALUES (1, 2, 1, now(), 200, 'http://a.example.jp/2', 'bb');
	INSERT INTO hits (host_id, fetch_id, url_id, job_id, category, score, rule, evidence)
	SELECT 1, max(id), 2, 1, 'drug_ad', 0.9, 'r', 'ev' FROM fetches WHERE url_id = 2" >/dev/null
is "$(psql_q "SELECT status FROM reviews WHERE url_id = 2")" dismissed "the same content flagged again stays dismissed"
psql_q "INSERT INTO fetches (host_id, url_id, job_id, fetched_at, http_status, final_url, content_sha256)
	VALUES (1, 2, 1, now(), 200, 'http://a.example.jp/2', 'cc');
	INSERT INTO hits (host_id, fetch_id, url_id, job_id, category, score, rule, evidence)
	SELECT 1, max(id), 2, 1, 'drug_ad', 0.9, 'r', 'ev' FROM fetches WHERE url_id = 2" >/dev/null
is "$(psql_q "SELECT status FROM reviews WHERE url_id = 2")" new "changed content flagged again is new"
is "$(psql_q "SELECT actor || '|' || from_status || '|' || to_status FROM review_events WHERE url_id = 2 ORDER BY seq DESC LIMIT 1")" \
	"patrol|dismissed|new" "by the database, with its event"

# --- and the CLI reports the database's refusals ---------------------------------
patrol_run takedown send "$tid" --as alice
is "$?" 1 "takedown send on an expired request exits 1"
like "$(cat "$PATROL_ERR")" "illegal takedown transition for request $tid: expired → sent" "with the database's reason"
patrol_run takedown open 2 --to hosting_provider --channel email --as alice
is "$?" 1 "takedown open on a page nobody confirmed exits 1"
like "$(cat "$PATROL_ERR")" "page 2 is not confirmed" "with the database's reason"
patrol_run takedown show 999
is "$?" 1 "an unknown request"
like "$(cat "$PATROL_ERR")" "no takedown request 999" "is named"

done_testing
