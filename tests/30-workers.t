#!/usr/bin/env bash
# Two crawl processes started together on one job share the work through host
# leases: no URL is fetched twice, every page is stored once, both did work.
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/multisite.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg
port=$(free_port)
hosts=8
python3 "$PATROL_SRC/bench/gensite.py" -n 3000 -H $hosts -p "$port" -o "$HARNESS_TMP/site" >/dev/null
start_nginx_multi "$HARNESS_TMP/site" "$port" $hosts
read -r -a seeds < <(tr '\n' ' ' < "$HARNESS_TMP/site/seeds.txt")
pages=$(awk '$1 == "reachable" { print $2 }' "$HARNESS_TMP/site/manifest.txt")

# the schema first, so that neither process waits on the other's migration
patrol_run db migrate
ok $? "migrate"

args=(crawl --job shared --allow-private --concurrency 2 --delay-ms 5 --quiet "${seeds[@]}")
patrol_bg "${args[@]}"
a=$PATROL_BG_PID
patrol_bg "${args[@]}"
b=$PATROL_BG_PID
wait "$a"
ok $? "the first process ends by itself with status 0"
wait "$b"
ok $? "the second process ends by itself with status 0"

is "$(awk '{ print $2, $4 }' "$NGINX_ACCESS_LOG" | sort | uniq -d | wc -l)" 0 "no URL requested twice (robots.txt included)"
is "$(psql_q "SELECT count(*) FROM fetches")" "$pages" "every page fetched and stored once"
is "$(wc -l < "$NGINX_ACCESS_LOG")" "$((pages + hosts))" "requests: the pages and one robots.txt per host"
is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"
is "$(psql_q "SELECT count(DISTINCT worker) FROM fetches")" 2 "both processes fetched pages"
is "$(psql_q "SELECT count(*) FROM hosts WHERE lease_owner IS NOT NULL")" 0 "every lease given back"
done_testing
