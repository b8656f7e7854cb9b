#!/usr/bin/env bash
# The console in a real browser: Debian's headless Chromium driven by
# playwright-core (tests/browser, installed by make deps; never a browser
# download). Logs in, filters the queue, confirms with the keyboard, opens
# and sends a takedown, reads the event log; the screenshots of the queue,
# a page and the report are kept under tests/tmp/console-screens.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd curl
command -v node >/dev/null 2>&1 || skip_all "node is not installed (make deps)"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || skip_all "Debian's chromium is not installed (make deps)"
[ -d "$PATROL_SRC/tests/browser/node_modules/playwright-core" ] ||
	skip_all "playwright-core is not installed in tests/browser (make deps)"
start_pg

site=$HARNESS_TMP/site
mkdir -p "$site"
board=$(cat "$PATROL_SRC/lua/samples/drug_ad/01-board.txt")
for i in 1 2 3 4; do
	printf '<html><head><meta charset="utf-8"><title>board %s</title></head><body><p>%s</p></body></html>\n' \
		"$i" "$board" >"$site/b$i.html"
done
port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
patrol_run crawl --job web --allow-private --quiet "http://127.0.0.1:$port/b1.html" "http://127.0.0.1:$port/b2.html" \
	"http://127.0.0.1:$port/b3.html" "http://127.0.0.1:$port/b4.html"
ok $? "crawl exits 0" || patrol_diag
PATROL_HOME=$HARNESS_TMP/home "$PATROL_BIN" user add carol --role coordinator <<<'carol-pass-1' >/dev/null 2>&1
ok $? "user add carol"

cport=$(free_port)
patrol_bg serve --listen "127.0.0.1:$cport"
wait_for 20 can_connect 127.0.0.1 "$cport"
ok $? "patrol serve listens"

shots=${CONSOLE_SHOTS:-$PATROL_SRC/tests/tmp/console-screens}
mkdir -p "$shots" "$HARNESS_TMP/home/chromium"
HOME=$HARNESS_TMP/home/chromium CHROMIUM=$chromium timeout 180 \
	node "$PATROL_SRC/tests/browser/console.mjs" "http://127.0.0.1:$cport" carol carol-pass-1 "$shots" \
	>"$HARNESS_TMP/browser.log" 2>&1
rc=$?
while IFS= read -r line; do
	case $line in
	PASS\ *) pass "${line#PASS }" ;;
	FAIL\ *) fail "${line#FAIL }" ;;
	esac
done <"$HARNESS_TMP/browser.log"
ok $rc "the browser run exits 0" || diag "$(tail -20 "$HARNESS_TMP/browser.log")"
P=$(sed -n 's/^page \([0-9]*\) takedown.*/\1/p' "$HARNESS_TMP/browser.log")
T=$(sed -n 's/^page [0-9]* takedown \([0-9]*\)$/\1/p' "$HARNESS_TMP/browser.log")
is "$(psql_q "SELECT actor || '|' || to_status FROM review_events WHERE url_id = ${P:-0}")" "carol|confirmed" \
	"the store has the confirmation by carol"
is "$(psql_q "SELECT status || '|' || sent_by FROM takedowns WHERE id = ${T:-0}")" "sent|carol" \
	"and the request sent by carol"
for s in queue page report; do
	check "screenshot $s.png saved" test -s "$shots/$s.png"
done
done_testing
