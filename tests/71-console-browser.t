#!/usr/bin/env bash
# The console in a real browser: Debian's headless Chromium driven by
# playwright-core (tests/browser, installed by make deps; never a browser
# download). Logs in, filters the queue, confirms with the keyboard, opens
# and sends a takedown, reads the event log; the screenshots of the queue,
# a page (with its snapshot, taken on confirm) and the report are saved in
# the test's own folder, $HARNESS_TMP/screens, with its logs (kept when a
# test fails, or always with HARNESS_KEEP=1; CONSOLE_SHOTS=DIR saves them
# elsewhere, as for the README's picture).
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

shots=${CONSOLE_SHOTS:-$HARNESS_TMP/screens}
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
	check "screenshot $s.png saved in $shots" test -s "$shots/$s.png"
	is "$(head -c 8 "$shots/$s.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "$s.png is a PNG"
done
note "screenshots: $shots (the folder is kept when a test fails, or with HARNESS_KEEP=1)"
done_testing
