#!/usr/bin/env bash
# A crawl of the trap site (tests/sites/traps, its EXPECTED says what each
# part is for): robots-disallowed links, an endless calendar, session ids in
# every link, a query explosion, endless paths, redirect loops, a 30 MB page,
# a 1 GB gzip bomb, a trickling server, a 503 with Retry-After, Shift_JIS
# and EUC-JP pages with and without declarations, malformed HTML with NUL
# bytes. The crawl must end by itself, request nothing robots.txt forbids and
# each trap a bounded number of times (from nginx's access log), stay under
# 300 MB, and fetch and decode every normal page right.
#
# Servers, all on 127.0.0.1: one nginx with three listeners, A (the main
# host), B (the trickling page, so it does not hold up host A) and C (endless
# distinct pages, stopped only by the per-host budget); nginx proxies /dyn/
# to tests/lib/trapserver.py, which keeps an access log of its own in the
# same format.
# shellcheck source-path=SCRIPTDIR disable=SC2119,SC2317
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3 gzip timeout
[ -x /usr/bin/time ] || skip_all "GNU time (/usr/bin/time) not found"
export PGCLIENTENCODING=UTF8

site=$HARNESS_SITES/traps
CRAWL_LIMIT=300      # seconds: only a crawl that never ends comes near it
RSS_LIMIT_KB=$((300 * 1024))
MAX_URL_LENGTH=2048  # the default, which this test relies on

# The gzip bomb (1 GiB of NULs after a head, about 1 MB compressed) and the
# 30 MB page are made here, the bomb while PostgreSQL starts.
{
	printf '<!DOCTYPE html><html><head><title>traps/bomb</title></head><body>'
	head -c 1G /dev/zero
} | gzip -9 >"$HARNESS_TMP/bomb.html.gz" &
bomb_pid=$!
harness_track "$bomb_pid"
{
	printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>traps/huge</title></head><body>\n'
	yes '<p>thirty megabytes of filler, one line after another, to the end</p>' | head -c $((30 * 1024 * 1024))
	printf '</body></html>\n'
} >"$HARNESS_TMP/huge.html"

start_pg
wait "$bomb_pid" || _harness_die "cannot make the gzip bomb"

pa=$(free_port) || _harness_die "no free port"
pb=$(free_port) || _harness_die "no free port"
pc=$(free_port) || _harness_die "no free port"
py=$(free_port) || _harness_die "no free port"
A=http://127.0.0.1:$pa
B=http://127.0.0.1:$pb
C=http://127.0.0.1:$pc

TRAP_LOG=$HARNESS_TMP/trapserver.log
: >"$TRAP_LOG"
python3 "$PATROL_SRC/tests/lib/trapserver.py" "$py" "$TRAP_LOG" 2>"$HARNESS_TMP/trapserver.err" &
harness_track "$!"
wait_for 10 can_connect 127.0.0.1 "$py" ||
	_harness_die "trapserver.py does not accept on 127.0.0.1:$py" "$HARNESS_TMP/trapserver.err"

NGINX_EXTRA_CONF=$(cat <<EOF
	location = /index.html {
		sub_filter '@SLOW@' '127.0.0.1:$pb';
		sub_filter '@WIKI@' '127.0.0.1:$pc';
		sub_filter_once off;
	}
	location = /normal/eucjp-header.html { charset EUC-JP; }
	location = /busy.html { add_header Retry-After 2 always; return 503; }
	location = /redirect/loop-a { return 301 /redirect/loop-b; }
	location = /redirect/loop-b { return 301 /redirect/loop-a; }
	location = /redirect/self { return 301 /redirect/self; }
	location ~ ^/redirect/chain/(x*)\$ { return 302 /redirect/chain/\$1x; }
	location = /redirect/to-normal { return 301 /normal/redirected.html; }
	location = /go/private { return 302 /private/from-redirect.html; }
	location = /huge.html { alias $HARNESS_TMP/huge.html; }
	location = /bomb.html {
		alias $HARNESS_TMP/bomb.html.gz;
		types { }
		default_type text/html;
		add_header Content-Encoding gzip;
	}
	location = /slow/trickle.html { limit_rate 50; }
	location /dyn/ { proxy_pass http://127.0.0.1:$py; }
EOF
)
start_nginx "$site" "127.0.0.1:$pa" "127.0.0.1:$pb" "127.0.0.1:$pc"

# --- the crawl ---------------------------------------------------------------
args=(crawl --job traps --allow-private --concurrency 8 --quiet
	--max-body 4194304 --timeout-ms 10000
	--max-pages-per-host 250
	"$A/index.html" "$B/slow/index.html" "$C/dyn/wiki/1")
PATROL_OUT=$HARNESS_TMP/patrol.out
PATROL_ERR=$HARNESS_TMP/patrol.err
export PATROL_OUT PATROL_ERR
mkdir -p "$PATROL_HOME"
# The rules' patterns are compiled once into $PATROL_HOME/cache, as in any
# deployment: Hyperscan's compiler alone peaks near 250 MB for the whole pack,
# and that is start-up cost, not what the hostile site does to the crawl.
patrol_run rules check >/dev/null
ok $? "rules compiled into the pattern cache"
started=$SECONDS
timeout -k 5 "$CRAWL_LIMIT" /usr/bin/time -v -o "$HARNESS_TMP/time.txt" \
	"$PATROL_BIN" "${args[@]}" </dev/null >"$PATROL_OUT" 2>"$PATROL_ERR"
rc=$?
took=$((SECONDS - started))
{
	printf '$ patrol'
	printf ' %q' "${args[@]}"
	printf '\n'
	sed 's/^/out| /' "$PATROL_OUT"
	sed 's/^/err| /' "$PATROL_ERR"
	printf 'exit %s after %s s\n\n' "$rc" "$took"
	cat "$HARNESS_TMP/time.txt"
} >>"$HARNESS_TMP/patrol.log"
note "crawl: exit $rc after ${took}s"

is "$rc" 0 "the crawl ends by itself with status 0 (within ${CRAWL_LIMIT}s)" || patrol_diag
summary=$(sed -n "/^crawl 'traps'/,\$p" "$PATROL_ERR")
like "$summary" "refused:" "the crawl summary counts refusals ('refused:')" || patrol_diag
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$HARNESS_TMP/time.txt")
if [ "${PATROL_VARIANT:-release}" = asan ]; then
	# ASan's shadow memory and quarantine say nothing about patrol's own use
	skip 1 "peak memory is measured on the release build, not under ASan (${rss:-?} KiB)"
else
	check "peak memory ${rss:-?} KiB < $RSS_LIMIT_KB KiB" test "${rss:-999999999}" -lt "$RSS_LIMIT_KB"
fi
is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"

# --- the access logs -----------------------------------------------------------
# A transfer the crawler cut (the 30 MB stream) is logged when nginx and the
# trap server notice; give them a moment.
proxied_all_logged() {
	[ "$(wc -l <"$TRAP_LOG")" = "$(grep -c '"GET /dyn/' "$NGINX_ACCESS_LOG")" ]
}
wait_for 10 proxied_all_logged
# Every request URI of nginx's log, as sent and with %XX decoded.
access_paths >"$HARNESS_TMP/paths.raw"
while IFS= read -r p; do
	printf '%b\n' "${p//%/\\x}"
done <"$HARNESS_TMP/paths.raw" >"$HARNESS_TMP/paths"

# count_matching REGEX: requests (all listeners) whose decoded URI matches.
count_matching() {
	local re=$1 p n=0
	while IFS= read -r p; do
		[[ $p =~ $re ]] && n=$((n + 1))
	done <"$HARNESS_TMP/paths"
	printf '%s\n' "$n"
}

for l in "$pa" "$pb" "$pc"; do
	is "$(access_count /robots.txt "127.0.0.1:$l")" 1 "robots.txt requested once from 127.0.0.1:$l"
done

declare -A is_fetch=()
while read -r status path; do
	is_fetch[$path]=1
	is "$(access_count "$path")" 1 "fetched exactly once: $path"
	is "$(access_status "$path" | sort -u | tr '\n' ' ')" "$status " "served with $status: $path"
done < <(site_expected traps fetch)

while read -r re; do
	bad=$(while IFS= read -r p; do
		[[ $p =~ $re ]] && [ -z "${is_fetch[$p]:-}" ] && printf '%s\n' "$p"
	done <"$HARNESS_TMP/paths" | sort -u)
	is "$bad" "" "never requested: $re"
done < <(site_expected traps never)
bad=$(awk '{ u = $4; sub(/"$/, "", u); print u }' "$TRAP_LOG" | grep -E '^/dyn/admin' | sort -u)
is "$bad" "" "the trap server's own log has no request to /dyn/admin either"

while read -r max re; do
	n=$(count_matching "$re")
	check "trap reached and bounded: 1 <= $n <= $max requests match $re" \
		test "$n" -ge 1 -a "$n" -le "$max"
done < <(site_expected traps bound)

# Session ids: each of the 8 items once per scheme, whatever id came with it.
dups=$(sed -nE 's,^/dyn/shop\?item=([0-9]+).*,shop \1,p
	s,^/dyn/shop(;jsessionid=[^/]*)?/item/([0-9]+).*,jsession \2,p
	s,^/dyn/forum/thread\?t=([0-9]+).*,forum \1,p' "$HARNESS_TMP/paths" | sort | uniq -d)
is "$dups" "" "no item requested twice under different session ids"
is "$(psql_q "SELECT count(*) FROM urls WHERE url ~* '[;?&](sid|jsessionid|phpsessid)='")" 0 \
	"session-id parameters are stripped from queued URLs"

too_long=$(awk -v base="$A" -v max="$MAX_URL_LENGTH" -v lis="127.0.0.1:$pa" '
	$2 == lis { u = $4; sub(/"$/, "", u); if (length(base u) > max) print u }' "$NGINX_ACCESS_LOG" | head -n 3)
is "$too_long" "" "no URL longer than $MAX_URL_LENGTH bytes requested"

# The trap server saw exactly what nginx proxied to it.
is "$(wc -l <"$TRAP_LOG")" "$(grep -c '"GET /dyn/' "$NGINX_ACCESS_LOG")" \
	"trapserver.py logged every request nginx proxied"

# Nothing requested that the site does not account for: every request is a
# fetch entry, robots.txt or part of a trap.
mapfile -t trap_res < <(site_expected traps bound | awk '{ print $2 }')
unexpected=$(while IFS= read -r p; do
	[ -n "${is_fetch[$p]:-}" ] && continue
	[ "$p" = /robots.txt ] && continue
	hit=0
	for re in "${trap_res[@]}"; do
		[[ $p =~ $re ]] && { hit=1; break; }
	done
	[ "$hit" = 0 ] && printf '%s\n' "$p"
done <"$HARNESS_TMP/paths" | sort -u | head -n 10)
is "$unexpected" "" "no request beyond the site's pages and traps"

# --- what was stored -------------------------------------------------------------
# fetch_of PATH COLUMN: the stored column of the fetch of PATH (any host).
fetch_of() {
	psql_q "SELECT f.$2 FROM fetches f JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id
		WHERE regexp_replace(u.url, '^https?://[^/]+', '') = '$1'"
}

while read -r path charset title; do
	is "$(fetch_of "$path" charset)" "$charset" "decoded as $charset: $path"
	is "$(fetch_of "$path" title)" "$title" "title decoded right: $path"
done < <(site_expected traps decode)

while read -r path re; do
	got=$(fetch_of "$path" error)
	like "$got" "$re" "stored with an error matching /$re/: $path"
done < <(site_expected traps error)

while read -r path status; do
	is "$(fetch_of "$path" http_status)" "$status" "stored with status $status: $path"
done < <(site_expected traps status)

is "$(fetch_of /slow/trickle.html failure)" timeout "a transfer cut by its time-out is stored with the cause named"
is "$(fetch_of /index.html failure)" "" "a page that was served has no failure"
check "the 30 MB page stored no more than the body cap" \
	test "$(fetch_of /huge.html size)" -le 4194304
check "the gzip bomb stored no more than the body cap" \
	test "$(fetch_of /bomb.html size)" -le 4194304

while read -r reason re; do
	n=$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id
		WHERE j.name = 'traps' AND u.state = 3 AND u.reason = '$reason'
		AND regexp_replace(u.url, '^https?://[^/]+', '') ~ '$re'")
	check "refused for '$reason': some URL matching $re ($n)" test "${n:-0}" -ge 1
done < <(site_expected traps refused)

like "$summary" "url-length=[1-9]" "over-long URLs are refused and counted"
missing=
while read -r reason; do
	[[ ${summary#*refused:} == *"$reason"* ]] || missing+=" $reason"
done < <(psql_q "SELECT DISTINCT reason FROM urls WHERE state = 3 AND reason !~ '^address refused'")
is "${missing# }" "" "the summary counts each refusal reason found in urls"
note "refusals by reason:
$(psql_q "SELECT reason || ' ' || count(*) FROM urls WHERE state = 3 GROUP BY reason ORDER BY reason")"

done_testing
