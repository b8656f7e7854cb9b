#!/usr/bin/env bash
# Recrawl: `patrol crawl --job J --resume --recrawl-after D` re-queues the
# pages fetched more than D ago and asks for them conditionally. nginx sends
# ETag and Last-Modified for static files and answers 304 when both
# If-None-Match and If-Modified-Since match; its log records the conditional
# headers each request carried. A 304 is stored as a second fetch with
# unchanged = true; a page changed between the passes comes back 200 with its
# new SHA-256, and the links it gained are followed. Pages younger than D
# are not requested again.
# shellcheck source-path=SCRIPTDIR disable=SC2119
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd sha256sum
start_pg

site=$HARNESS_TMP/site
cp -r "$HARNESS_SITES/recrawl" "$site"
port=$(free_port) || _harness_die "no free port"
base=http://127.0.0.1:$port
COND_LOG=$HARNESS_TMP/conditional.log
: >"$COND_LOG"
NGINX_EXTRA_HTTP_CONF="log_format conditional escape=none '\$request_uri \$status|\$http_if_none_match|\$http_if_modified_since';"
NGINX_EXTRA_CONF="access_log $HARNESS_TMP/nginx/access.log patrol; access_log $COND_LOG conditional;"
start_nginx "$site" "127.0.0.1:$port"

pages=(/index.html /one.html /two.html /three.html)
unchanged=(/index.html /one.html /three.html)

# cond N URI: "STATUS INM|IMS" of the URI's request in log lines N.. (1-based).
cond() {
	tail -n +"$1" "$COND_LOG" | awk -F'|' -v u="$2" '
		{ split($1, a, " ") }
		a[1] == u { print a[2] " " $2 "|" $3 }'
}

# fetch_rows PATH COLUMNS: the columns of the URL's fetches, oldest first, one a line.
fetch_rows() {
	psql_q "SELECT $2 FROM fetches f JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id
		WHERE u.url = '$base$1' ORDER BY f.fetched_at, f.id"
}

# --- first pass --------------------------------------------------------------
patrol_run crawl --job rc --no-rules --allow-private --quiet "$base/index.html"
ok $? "first pass exits 0" || patrol_diag
for p in "${pages[@]}"; do
	is "$(cond 1 "$p")" "200 |" "first pass: $p fetched 200, unconditionally"
	is "$(fetch_rows "$p" "(etag <> '')::text || ' ' || (last_modified <> '')::text")" "true true" \
		"first pass: the ETag and Last-Modified of $p are stored"
done
is "$(cond 1 /four.html)" "" "first pass: /four.html is not linked yet"
declare -A etag lastmod oldsha
for p in "${pages[@]}"; do
	etag[$p]=$(fetch_rows "$p" etag)
	lastmod[$p]=$(fetch_rows "$p" last_modified)
	oldsha[$p]=$(fetch_rows "$p" content_sha256)
done

# A page younger than --recrawl-after is not requested again.
mark=$(($(wc -l <"$COND_LOG") + 1))
patrol_run crawl --job rc --resume --recrawl-after 1h --no-rules --allow-private --quiet
ok $? "--resume --recrawl-after 1h exits 0" || patrol_diag
is "$(tail -n +"$mark" "$COND_LOG")" "" "--recrawl-after 1h right after the first pass requests nothing"

# --- the change, then the second pass ------------------------------------------
sleep 2
cat >"$site/two.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>recrawl/two</title></head>
<body><p>Page two, rewritten between the passes: see <a href="four.html">four</a>.</p></body></html>
EOF
newsha=$(sha256sum "$site/two.html" | cut -d' ' -f1)

mark=$(($(wc -l <"$COND_LOG") + 1))
patrol_run crawl --job rc --resume --recrawl-after 1s --no-rules --allow-private --quiet
ok $? "second pass (--resume --recrawl-after 1s) exits 0" || patrol_diag
like "$(cat "$PATROL_ERR")" "unchanged=3" "the summary counts 3 unchanged pages" || patrol_diag

for p in "${unchanged[@]}"; do
	is "$(cond "$mark" "$p")" "304 ${etag[$p]}|${lastmod[$p]}" \
		"second pass: $p asked with If-None-Match and If-Modified-Since as stored, answered 304"
	is "$(fetch_rows "$p" "http_status || ' ' || unchanged" | tr '\n' ' ')" "200 false 304 true " \
		"second pass: $p has a second fetch, 304 and unchanged"
done
is "$(cond "$mark" /two.html)" "200 ${etag[/two.html]}|${lastmod[/two.html]}" \
	"second pass: /two.html asked conditionally, answered 200 (it changed)"
is "$(fetch_rows /two.html "http_status || ' ' || unchanged || ' ' || content_sha256" | tail -n 1)" "200 false $newsha" \
	"second pass: /two.html stored as changed, with the SHA-256 of the new body"
isnt "$newsha" "${oldsha[/two.html]}" "(the SHA-256 of /two.html did change)"
isnt "$(fetch_rows /two.html etag | tail -n 1)" "${etag[/two.html]}" "second pass: /two.html's new ETag is stored"
is "$(cond "$mark" /four.html)" "200 |" "second pass: /four.html, newly linked from /two.html, fetched unconditionally"
is "$(fetch_rows /four.html http_status)" 200 "second pass: /four.html stored once"
n=0
for p in "${pages[@]}" /four.html; do
	n=$((n + $(tail -n +"$mark" "$COND_LOG" | awk -v u="$p" '$1 == u' | wc -l)))
done
is "$n" 5 "second pass: each page requested once"
is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"

done_testing
