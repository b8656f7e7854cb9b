#!/usr/bin/env bash
# Two coordinators acting on one takedown request at the same time lose no
# event: two patrol processes add 1,000 notes each to the same request, and
# every one of the 2,000 is stored, numbered after the opening event
# without a gap or a duplicate; the same with one process per event. Then
# two processes race to send the same request: one wins, the other is
# refused, and the request has one "sent" event.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg

patrol_run db migrate
ok $? "migrations apply" || patrol_diag
psql_q "INSERT INTO jobs (name) VALUES ('race');
	INSERT INTO hosts (job_id, origin) VALUES (1, 'http://a.example.jp');
	INSERT INTO urls (host_id, job_id, url, url_key, state) VALUES
		(1, 1, 'http://a.example.jp/1', '\x01', 2), (1, 1, 'http://a.example.jp/2', '\x02', 2);
	INSERT INTO fetches (host_id, url_id, job_id, fetched_at, http_status, final_url, content_sha256) VALUES
		(1, 1, 1, now(), 200, 'http://a.example.jp/1', 'aa'), (1, 2, 1, now(), 200, 'http://a.example.jp/2', 'bb');
	INSERT INTO hits (host_id, fetch_id, url_id, job_id, category, score, rule, evidence) VALUES
		(1, 1, 1, 1, 'drug_ad', 0.9, 'r', 'ev'), (1, 2, 2, 1, 'drug_ad', 0.9, 'r', 'ev')" >/dev/null
patrol_run review confirm 1 2 --as alice
ok $? "two pages confirmed" || patrol_diag
patrol_run takedown open 1 --to hosting_provider --channel email --as alice --json
tid=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$PATROL_OUT")
isnt "$tid" "" "a request is opened"

n=1000
ids=$(for ((i = 0; i < n; i++)); do printf '%s ' "$tid"; done)
# shellcheck disable=SC2086
"$PATROL_BIN" takedown note $ids --comment "from one" --as one >"$HARNESS_TMP/one.out" 2>&1 &
p1=$!
# shellcheck disable=SC2086
"$PATROL_BIN" takedown note $ids --comment "from two" --as two >"$HARNESS_TMP/two.out" 2>&1 &
p2=$!
wait "$p1"
s1=$?
wait "$p2"
s2=$?
is "$s1:$s2" "0:0" "both processes exit 0" || diag "$(tail -n 5 "$HARNESS_TMP/one.out" "$HARNESS_TMP/two.out")"
is "$(psql_q "SELECT count(*) FROM takedown_events WHERE takedown_id = $tid AND actor = 'one' AND comment = 'from one'")" \
	"$n" "the first process's $n events are all stored"
is "$(psql_q "SELECT count(*) FROM takedown_events WHERE takedown_id = $tid AND actor = 'two' AND comment = 'from two'")" \
	"$n" "the second process's $n events are all stored"
is "$(psql_q "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) || ' ' || count(DISTINCT seq) FROM takedown_events WHERE takedown_id = $tid")" \
	"$((2 * n + 1)) 1 $((2 * n + 1)) $((2 * n + 1))" "numbered 1..$((2 * n + 1)) without a gap or a duplicate"
is "$(psql_q "SELECT nevents FROM takedowns WHERE id = $tid")" "$((2 * n + 1))" "the request counts them all"
interleaved=$(psql_q "SELECT count(*) FROM (SELECT actor, lag(actor) OVER (ORDER BY seq) AS prev FROM takedown_events
	WHERE takedown_id = $tid AND seq > 1) x WHERE actor <> prev")
note "the two processes' events alternate $interleaved times"

# a race to change state: exactly one wins
"$PATROL_BIN" takedown send "$tid" --as one >"$HARNESS_TMP/s1.out" 2>&1 &
p1=$!
"$PATROL_BIN" takedown send "$tid" --as two >"$HARNESS_TMP/s2.out" 2>&1 &
p2=$!
wait "$p1"
s1=$?
wait "$p2"
s2=$?
is "$((s1 + s2))" 1 "of two concurrent sends, one succeeds and one is refused"
is "$(psql_q "SELECT count(*) FROM takedown_events WHERE takedown_id = $tid AND to_status = 'sent' AND from_status = 'open'")" 1 \
	"and there is one send event"
like "$(cat "$HARNESS_TMP/s1.out" "$HARNESS_TMP/s2.out")" "is already sent" "the loser is told the request is already sent"

# one patrol process per event: two loops of 200 processes on another request
patrol_run takedown open 2 --to hotline --channel hotline_report --as alice --json
t2=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$PATROL_OUT")
for actor in one two; do
	(for ((i = 0; i < 200; i++)); do
		"$PATROL_BIN" takedown note "$t2" --comment "$actor $i" --as "$actor" >/dev/null 2>&1 || echo fail
	done) >"$HARNESS_TMP/loop-$actor.out" &
done
wait
is "$(cat "$HARNESS_TMP/loop-one.out" "$HARNESS_TMP/loop-two.out")" "" "400 separate patrol processes all succeed"
is "$(psql_q "SELECT count(*) || ' ' || max(seq) FROM takedown_events WHERE takedown_id = $t2")" "401 401" \
	"and their 400 notes are all stored, numbered without a gap"

done_testing
