#!/usr/bin/env bash
# Snapshots in the console: a flagged page rendered from its WARC record by
# Debian's headless Chromium with every network request blocked. The page
# pulls a stylesheet, scripts, images, a frame and a refresh from another
# loopback server; the same file opened by a plain Chromium does reach that
# server (so this test can see a leak), the console's snapshot must not.
# The PNG lies beside the WARC file with its SHA-256 in the database, is
# served by the console only while it matches, is taken on confirm and on
# demand (with the CSRF token, by reviewers), and a browser that hangs is
# killed with its whole process group at the timeout.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd curl python3 sha256sum
chromium=/usr/bin/chromium
[ -x "$chromium" ] || skip_all "Debian's chromium is not installed at $chromium (make deps)"
start_pg

board=$(cat "$PATROL_SRC/lua/samples/drug_ad/01-board.txt")
# the other server: everything the page asks for lives there
other_dir=$HARNESS_TMP/other
mkdir -p "$other_dir"
printf 'body { background: red }\n' >"$other_dir/s.css"
printf 'new Image().src = "/from-script.png";\n' >"$other_dir/x.js"
oport=$(free_port)
start_nginx "$other_dir" "127.0.0.2:$oport"
other_log=$NGINX_ACCESS_LOG
O="http://127.0.0.2:$oport"

site=$HARNESS_TMP/site
mkdir -p "$site"
cat >"$site/reach.html" <<HTML
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>a page that reaches out</title>
<link rel="stylesheet" href="$O/s.css">
<link rel="preconnect" href="$O/">
<link rel="prefetch" href="$O/prefetch.html">
<script src="$O/x.js"></script>
<meta http-equiv="refresh" content="0; url=$O/refresh.html">
<style>@import url("$O/import.css"); h1 { background-image: url("$O/bg.png") }</style>
</head><body>
<h1>SNAPSHOT-MARK 売ります</h1>
<p>$board</p>
<img src="$O/i.png" alt="x"><img src="//127.0.0.2:$oport/rel.png" alt="y">
<iframe src="$O/frame.html"></iframe>
<object data="$O/object.swf"></object>
<video src="$O/v.mp4" autoplay></video>
<script>fetch("$O/fetch.json"); new Image().src = "$O/inline.png";</script>
<img src="x" onerror="this.src='$O/onerror.png'">
</body></html>
HTML
for i in 1 2; do
	printf '<html><head><meta charset="utf-8"><title>b%s</title></head><body><p>%s</p></body></html>\n' \
		"$i" "$board" >"$site/b$i.html"
done
port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
patrol_run crawl --job snap --allow-private --max-depth 0 --quiet "$base/reach.html" "$base/b1.html" "$base/b2.html"
ok $? "crawl of the pages exits 0" || patrol_diag
printf 'url,reported_at,source,reference,category\n%s/lead.html,2026-11-30 10:00,ihc,IHC-1,\n' "$base" \
	>"$HARNESS_TMP/leads.csv"
printf '<html><body><p>nothing to flag</p></body></html>\n' >"$site/lead.html"
patrol_run import "$HARNESS_TMP/leads.csv" --job snap
patrol_run crawl --job snap --resume --allow-private --max-depth 0 --quiet
page() { psql_q "SELECT id FROM urls WHERE url = '$1'"; }
R=$(page "$base/reach.html")
B1=$(page "$base/b1.html")
LEAD=$(page "$base/lead.html")
is "$(psql_q "SELECT count(*) FROM evidence v JOIN fetches f ON f.host_id = v.host_id AND f.id = v.fetch_id WHERE f.url_id = $R")" 1 \
	"the page that reaches out is flagged and has its WARC record"
is "$(wc -l <"$other_log")" 0 "the crawl itself asked the other server for nothing (depth 0)"

# --- the control: a plain Chromium on the same page does reach the other server -----
mkdir -p "$HARNESS_TMP/control"
# The page never finishes loading (it keeps asking), so the control runs in
# the background in its own process group and is stopped once it has asked.
HOME=$HARNESS_TMP/control setsid timeout 60 "$chromium" --headless --no-sandbox --disable-gpu \
	--no-first-run --user-data-dir="$HARNESS_TMP/control/profile" \
	--screenshot="$HARNESS_TMP/control/shot.png" \
	"file://$site/reach.html" >"$HARNESS_TMP/control/browser.log" 2>&1 &
control_pid=$!
harness_track "$control_pid"
reached() { [ "$(wc -l <"$other_log")" -gt 0 ]; }
wait_for 60 reached
ok $? "control: a plain Chromium on the same page asks the other server ($(wc -l <"$other_log") requests)" ||
	diag "$(tail -5 "$HARNESS_TMP/control/browser.log")"
kill -TERM -- "-$control_pid" 2>/dev/null
wait "$control_pid" 2>/dev/null
: >"$other_log"

# --- users and the server -----------------------------------------------------------
adduser() {
	PATROL_HOME=$HARNESS_TMP/home "$PATROL_BIN" user add "$1" --role "$2" <<<"$3" >>"$HARNESS_TMP/patrol.log" 2>&1
}
adduser alice patrol 'alice-pass-1' && adduser rex rule_author 'rex-pass-1'
ok $? "user add alice (patrol), rex (rule_author)"
cport=$(free_port)
patrol_bg serve --listen "127.0.0.1:$cport" --chromium "$chromium" --snapshot-timeout 60s
wait_for 20 can_connect 127.0.0.1 "$cport"
ok $? "patrol serve listens" || diag "$(tail -5 "$HARNESS_TMP/patrol-bg.log")"
C="http://127.0.0.1:$cport"
. "$(dirname "$0")/lib/console.sh"
JA=$HARNESS_TMP/alice.jar
JR=$HARNESS_TMP/rex.jar
is "$(login "$JA" alice alice-pass-1)" 303 "alice logs in"
is "$(login "$JR" rex rex-pass-1)" 303 "rex logs in"
AC=$(csrf_of "$JA")
RC=$(csrf_of "$JR")

is "$(req "$JA" "$C/pages/$R")" 200 "the detail page before any snapshot"
like "$(cat "$B")" 'id="take-snapshot"' "offers a reviewer to take one"
like "$(cat "$B")" 'id="snapshot-none"' "and says there is none yet"

# --- taking one on demand -----------------------------------------------------------
is "$(req "$JA" -X POST "$C/api/pages/$R/snapshot")" 403 "POST snapshot without X-CSRF-Token: 403"
is "$(req "$JA" --data-urlencode "csrf=$(printf 'a%.0s' {1..64})" "$C/pages/$R/snapshot")" 403 \
	"the form with a wrong csrf: 403"
is "$(req "$JR" -X POST -H "X-CSRF-Token: $RC" "$C/api/pages/$R/snapshot")" 403 "a rule author may not take one: 403"
is "$(req "$JA" -X POST -H "X-CSRF-Token: $AC" "$C/api/pages/$LEAD/snapshot")" 404 \
	"a hotline lead without a WARC record has nothing to render: 404"
is "$(psql_q "SELECT count(*) FROM snapshots")" 0 "none was taken by the refused requests"
is "$(req "$JA" --data-urlencode "csrf=$AC" "$C/pages/$R/snapshot")" 303 "the form with the csrf token: 303"
like "$(grep -i '^location:' "$H")" "/pages/$R#snapshot" "back to the page's snapshot"
taken() { [ "$(psql_q "SELECT count(*) FROM snapshots WHERE url_id = $1")" -ge "${2:-1}" ]; }
wait_for 90 taken "$R"
ok $? "the snapshot is recorded" || diag "$(tail -5 "$HARNESS_TMP/patrol-bg.log")"
row=$(psql_q "SELECT coalesce(png_file, ''), coalesce(png_sha256, ''), coalesce(error, ''), taken_by, id FROM snapshots WHERE url_id = $R")
IFS='|' read -r png sha err by sid <<<"$row"
is "$err" "" "without an error"
is "$by" alice "taken by alice"
warcf=$(psql_q "SELECT v.warc_file FROM evidence v JOIN fetches f ON f.host_id = v.host_id AND f.id = v.fetch_id WHERE f.url_id = $R")
like "$png" "^${warcf//./\\.}\\.[0-9]+\\.[0-9a-f]{16}\\.png\$" "the PNG is named after its WARC file, beside it"
file=$HARNESS_TMP/home/warc/$png
check "the PNG file exists" test -s "$file"
is "$(head -c 8 "$file" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "it is a PNG"
is "$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' "$file")" \
	1280x2000 "of the window's size"
is "$(sha256sum "$file" | cut -d' ' -f1)" "$sha" "its SHA-256 is the one in the database"
is "$(wc -l <"$other_log")" 0 "the other server got no request from the snapshot"
[ -s "$other_log" ] && diag "$(head -20 "$other_log")"
is "$(req "$JA" -X POST -H "X-CSRF-Token: $AC" "$C/api/pages/$R/snapshot")" 202 "another one by the API: 202"
wait_for 90 taken "$R" 2
ok $? "is recorded too"
is "$(wc -l <"$other_log")" 0 "and asked the other server for nothing either"

is "$(req "$JA" "$C/pages/$R")" 200 "the detail page"
like "$(cat "$B")" "<img class=\"snapshot\" alt=\"[^\"]*\" src=\"/pages/$R/snapshots/[0-9]+\\.png\">" \
	"shows the snapshot as an image from the console itself"
like "$(cat "$B")" "class=\"png-sha256\">[0-9a-f]{64}<" "with its SHA-256"
like "$(cat "$B")" 'class="verified"' "checked against the file"
is "$(req "$JA" "$C/pages/$R/snapshots/$sid.png")" 200 "GET the snapshot"
like "$(grep -i '^content-type:' "$H")" 'image/png' "as image/png"
like "$(grep -i '^content-security-policy:' "$H")" "default-src 'none'" "under the strict policy"
check "the bytes served are the file's" cmp "$B" "$file"
is "$(req "$JA" "$C/api/pages/$R")" 200 "GET /api/pages/ID"
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["snapshots"]), d["snapshots"][-1]["png_sha256"])' "$B")" \
	"2 $sha" "lists the snapshots with their SHA-256"
is "$(req "$JR" "$C/pages/$R/snapshots/$sid.png")" 200 "any logged-in role may look at it"
is "$(req "$HARNESS_TMP/anon.jar" "$C/pages/$R/snapshots/$sid.png")" 303 "nobody else"

# --- a file changed afterwards is not shown -----------------------------------------
cp "$file" "$HARNESS_TMP/png.bak"
printf 'x' >>"$file"
is "$(req "$JA" "$C/pages/$R/snapshots/$sid.png")" 409 "a snapshot file that no longer matches its SHA-256: 409"
cp "$HARNESS_TMP/png.bak" "$file"
is "$(req "$JA" "$C/pages/$R/snapshots/$sid.png")" 200 "put back, it is served again"

# --- on confirm -----------------------------------------------------------------------
is "$(req "$JA" -X POST -H "X-CSRF-Token: $AC" "$C/api/pages/$B1/confirm")" 200 "alice confirms another page"
wait_for 90 taken "$B1"
ok $? "a snapshot of it is taken on confirm"
is "$(psql_q "SELECT taken_by || '|' || CASE WHEN png_sha256 IS NOT NULL THEN 't' ELSE 'f' END FROM snapshots WHERE url_id = $B1")" "alice|t" \
	"under her name, with its SHA-256"

# --- no browser, and a browser that hangs ---------------------------------------------
cport2=$(free_port)
patrol_bg serve --listen "127.0.0.1:$cport2" --chromium "$HARNESS_TMP/no-such-chromium"
wait_for 20 can_connect 127.0.0.1 "$cport2"
C2="http://127.0.0.1:$cport2"
J2=$HARNESS_TMP/alice2.jar
C_SAVE=$C
C=$C2
login "$J2" alice alice-pass-1 >/dev/null
A2=$(csrf_of "$J2")
is "$(req "$J2" "$C/pages/$R")" 200 "a console without a browser still shows the page"
like "$(cat "$B")" "Chromium .*$HARNESS_TMP/no-such-chromium" "and says plainly that Chromium is missing"
unlike "$(cat "$B")" 'id="take-snapshot"' "offers no snapshot"
like "$(cat "$B")" '<img class="snapshot"' "but shows the one taken before"
is "$(req "$J2" -X POST -H "X-CSRF-Token: $A2" "$C/api/pages/$R/snapshot")" 503 "POST snapshot: 503"

# A "browser" that never answers, and leaves a child behind in its group.
hang=$HARNESS_TMP/hang-browser
printf '#!/bin/sh\nsleep 311 &\nexec sleep 312\n' >"$hang"
chmod +x "$hang"
cport3=$(free_port)
patrol_bg serve --listen "127.0.0.1:$cport3" --chromium "$hang" --snapshot-timeout 2s
wait_for 20 can_connect 127.0.0.1 "$cport3"
C="http://127.0.0.1:$cport3"
J3=$HARNESS_TMP/alice3.jar
login "$J3" alice alice-pass-1 >/dev/null
A3=$(csrf_of "$J3")
B2=$(page "$base/b2.html")
is "$(req "$J3" -X POST -H "X-CSRF-Token: $A3" "$C/api/pages/$B2/snapshot")" 202 "a snapshot with a browser that hangs"
is "$(req "$J3" -X POST -H "X-CSRF-Token: $A3" "$C/api/pages/$B2/snapshot")" 202 "asked twice, it is queued once"
failed() { [ -n "$(psql_q "SELECT error FROM snapshots WHERE url_id = $B2 AND error IS NOT NULL")" ]; }
wait_for 30 failed
ok $? "is given up"
like "$(psql_q "SELECT error FROM snapshots WHERE url_id = $B2")" 'longer than 2 s' "at the timeout, and says so"
is "$(psql_q "SELECT count(*) FROM snapshots WHERE url_id = $B2")" 1 "one attempt"
wait_for 5 bash -c "! pgrep -f 'sleep 31[12]'"
ok $? "the browser and the child it left are killed with their group"
is "$(req "$J3" "$C/pages/$B2")" 200 "the detail page"
like "$(cat "$B")" 'id="snapshot-error"' "tells why the snapshot failed"
C=$C_SAVE
done_testing
