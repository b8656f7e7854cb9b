#!/usr/bin/env bash
# kill -9 in the middle of a crawl, then --resume: the crawl completes, no page
# already stored is fetched again, and no hit is lost or stored twice (the
# hits equal those of an uninterrupted crawl of the same site).
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/multisite.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg
port=$(free_port)
hosts=4
python3 "$PATROL_SRC/bench/gensite.py" -n 3000 -H $hosts -p "$port" --drug-share 0.05 \
	-o "$HARNESS_TMP/site" >/dev/null
start_nginx_multi "$HARNESS_TMP/site" "$port" $hosts
read -r -a seeds < <(tr '\n' ' ' < "$HARNESS_TMP/site/seeds.txt")
pages=$(awk '$1 == "reachable" { print $2 }' "$HARNESS_TMP/site/manifest.txt")

stored() { psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = '$1' AND u.state = 2"; }

# slow enough (a delay per host) that the kill lands in the middle
patrol_bg crawl --job interrupted --allow-private --concurrency 8 --workers 2 --delay-ms 20 --quiet "${seeds[@]}"
pid=$PATROL_BG_PID
wait_for 120 sh -c "[ \"\$(psql \"$PATROL_DB\" -X -A -t -c \"SELECT count(*) FROM urls WHERE state = 2\")\" -ge 600 ]"
ok $? "the crawl has stored 600 pages"
kill -9 "$pid"
wait "$pid" 2>/dev/null
lines_at_kill=$(wc -l < "$NGINX_ACCESS_LOG")
before=$(stored interrupted)
ok "$([ "$before" -lt "$pages" ] && echo 0 || echo 1)" "killed in the middle ($before of $pages pages stored)"
psql_q "SELECT u.url FROM urls u WHERE u.state = 2" | sort > "$HARNESS_TMP/stored-before"

patrol_run crawl --job interrupted --resume --allow-private --concurrency 8 --quiet
ok $? "--resume completes the crawl" || patrol_diag
is "$(stored interrupted)" "$pages" "every reachable page is stored"
is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"
is "$(psql_q "SELECT count(*) FROM fetches")" "$pages" "one fetch per page"

# which URLs were requested after the kill
tail -n +"$((lines_at_kill + 1))" "$NGINX_ACCESS_LOG" |
	awk '{ sub(/"$/, "", $4); print "http://" $2 $4 }' | sort > "$HARNESS_TMP/after"
is "$(comm -12 "$HARNESS_TMP/stored-before" "$HARNESS_TMP/after" | wc -l)" 0 \
	"no page stored before the kill is fetched again"
twice=$(awk '{ print $2, $4 }' "$NGINX_ACCESS_LOG" | sort | uniq -c | awk '$1 > 2' | grep -vc robots.txt || true)
is "$twice" 0 "no page requested more than twice (once more only if it was in flight at the kill)"
# What is fetched again is what was fetched and not yet committed at the
# kill: the transfers in flight (--concurrency 8), the work queue (two per
# worker), one page in each worker (--workers 2), the store queue (one batch
# of 64) and the writer's batch (64).
head -n "$lines_at_kill" "$NGINX_ACCESS_LOG" |
	awk '{ sub(/"$/, "", $4); print "http://" $2 $4 }' | grep -v '/robots.txt$' | sort -u > "$HARNESS_TMP/before-kill"
refetched=$(comm -12 "$HARNESS_TMP/before-kill" "$HARNESS_TMP/after" | wc -l)
bound=$((8 + 2 * 2 + 2 + 64 + 64))
check "pages fetched again after the kill: $refetched <= $bound" test "$refetched" -le "$bound"

# the hits are exactly those of an uninterrupted crawl
patrol_run crawl --job reference --allow-private --concurrency 8 --quiet "${seeds[@]}"
ok $? "an uninterrupted crawl of the same site"
hits_of() {
	psql_q "SELECT u.url || ' ' || h.rule FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id
		JOIN jobs j ON j.id = h.job_id WHERE j.name = '$1' ORDER BY 1"
}
hits_of interrupted > "$HARNESS_TMP/hits-interrupted"
hits_of reference > "$HARNESS_TMP/hits-reference"
ok "$([ -s "$HARNESS_TMP/hits-reference" ] && echo 0 || echo 1)" "the site has hits ($(wc -l < "$HARNESS_TMP/hits-reference"))"
check "no hit lost or stored twice across the kill" cmp "$HARNESS_TMP/hits-interrupted" "$HARNESS_TMP/hits-reference"
is "$(psql_q "SELECT count(*) FROM (SELECT url_id, rule FROM hits GROUP BY 1, 2 HAVING count(*) > 1) d")" 0 \
	"no page has the same rule's hit twice"
# Leases of dead workers: one of this machine and PID namespace is taken over
# at once, one of another namespace under the same host name (a container)
# only when it expires, whatever its PID means here.
ident="$(hostname | tr : _)/ns$(readlink /proc/self/ns/pid | tr -cd 0-9)"
dead=4000000
while kill -0 "$dead" 2>/dev/null; do dead=$((dead + 1)); done
read -r ha hb < <(psql_q "SELECT min(h.id), max(h.id) FROM hosts h JOIN jobs j ON j.id = h.job_id WHERE j.name = 'interrupted'" | tr '|' ' ')
psql_q "UPDATE hosts SET lease_owner = '$ident:$dead:00000000', lease_until = now() + interval '1 hour' WHERE id = $ha" >/dev/null
psql_q "UPDATE hosts SET lease_owner = '$(hostname | tr : _)/ns1:$dead:00000000', lease_until = now() + interval '1 hour' WHERE id = $hb" >/dev/null
patrol_run crawl --job interrupted --resume --allow-private --quiet
ok $? "a resume with two stale leases" || patrol_diag
is "$(psql_q "SELECT lease_until < now() FROM hosts WHERE id = $ha")" t "a dead local worker's lease is taken over at once"
is "$(psql_q "SELECT lease_until > now() FROM hosts WHERE id = $hb")" t \
	"a lease of another PID namespace is left to expire"

done_testing
