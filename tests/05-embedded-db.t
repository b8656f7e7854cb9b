#!/usr/bin/env bash
# The embedded database under $PATROL_HOME: created by initdb on first use,
# listening only on a Unix socket inside $PATROL_HOME, started on demand by
# any command that needs it, stopped by `patrol db stop`; and `make demo`'s
# script, which crawls the bundled sample site into it.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
unset PATROL_DB
export PATROL_HOME="$HARNESS_TMP/home"

patrol_run db status
is "$?" 3 "status before anything exists: exit 3"
like "$(cat "$PATROL_OUT")" "no database yet" "and says so"

patrol_run db start
ok $? "db start creates and starts the cluster" || patrol_diag
ok "$([ -S "$PATROL_HOME/pg/.s.PGSQL.5432" ] && echo 0 || echo 1)" "it listens on a Unix socket inside PATROL_HOME"
ok "$([ -f "$PATROL_HOME/pg/data/PG_VERSION" ] && echo 0 || echo 1)" "its data directory is inside PATROL_HOME"
is "$(grep -c "^listen_addresses = ''" "$PATROL_HOME/pg/data/postgresql.conf")" 1 "and no TCP listener is configured"
if [ "$(id -u)" = 0 ]; then
	is "$(stat -c %U "$PATROL_HOME/pg/data")" postgres "as root, the cluster belongs to the postgres user"
fi
patrol_run db status
ok $? "status: running"
like "$(cat "$PATROL_OUT")" "database running: host='$PATROL_HOME/pg'" "status prints the conninfo"
patrol_run db migrate
ok $? "migrate"
like "$(cat "$PATROL_OUT")" "migration" "migrate reports what it did"
patrol_run db migrate
like "$(cat "$PATROL_OUT")" "^0 migration" "a second migrate applies nothing"
n=$(ls "$PATROL_SRC"/schema/[0-9]*.sql | wc -l)
is "$(psql "host=$PATROL_HOME/pg dbname=patrol user=postgres" -X -A -t -c 'SELECT count(*) FROM schema_migrations')" \
	"$n" "every migration recorded once"
patrol_run db start
ok $? "starting a running cluster is fine"

patrol_run db stop
ok $? "db stop"
patrol_run db status
is "$?" 3 "status after stop: exit 3"
like "$(cat "$PATROL_OUT")" "stopped" "and says stopped"

# any command that needs the database starts it
patrol_run export --job none
like "$(cat "$PATROL_ERR")" "no job named 'none'" "export started the cluster by itself"
patrol_run db status
ok $? "the cluster runs again"

# the demo: a real crawl of the sample site into the embedded database
port=$(free_port)
DEMO_PORT=$port timeout 300 sh "$PATROL_SRC/scripts/demo.sh" > "$HARNESS_TMP/demo.out" 2>&1
ok $? "the demo script runs" || diag "$(tail -20 "$HARNESS_TMP/demo.out")"
like "$(cat "$HARNESS_TMP/demo.out")" "flagged pages? and categor" "the demo prints the flagged pages"
for page in board/thread1.html board/thread2.html board/thread3.html board/thread4.html \
	board/thread5.html board/thread6.html; do
	is "$(grep -c "127.0.0.1:$port/$page" "$HARNESS_TMP/demo.out")" 1 "the demo flags $page"
done
for page in news/ life/ support/ jobs/; do
	is "$(grep -c "127.0.0.1:$port/$page" "$HARNESS_TMP/demo.out")" 0 "the demo does not flag $page*"
done
is "$(grep -c "/admin/" "$HARNESS_TMP/demo.out")" 0 "robots.txt keeps the crawl out of /admin/"
# the story of one page: review, request, removal by the site, recheck, report
out=$(cat "$HARNESS_TMP/demo.out")
like "$out" "the story of page [0-9]+" "the demo follows one flagged page"
like "$out" "page [0-9]+: new → confirmed" "it is confirmed"
like "$out" "request [0-9]+: open → sent" "a request is opened and sent"
like "$out" "recheck: 1 page, 0 present, 1 gone, 0 inconclusive; 1 request removed" \
	"the recheck sees the page gone and the request removed"
like "$out" "by source" "and the report is printed"
is "$(git -C "$PATROL_SRC" status --porcelain -- demo/site 2>/dev/null)" "" \
	"the demo takes the page off a copy, not the repository's site"

patrol_run db stop
ok $? "db stop at the end"
done_testing
