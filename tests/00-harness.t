#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2119
# The harness the integration tests stand on: private network namespace,
# throwaway PostgreSQL, nginx on several loopback addresses, the access log,
# the cleanup trap, the fixture site and the site generator.
set -u
. "$(dirname "$0")/lib/harness.sh"
. "$(dirname "$0")/lib/multisite.sh"
harness_init "$@"
require_cmd curl
no_plan

# ---- isolation
is "$(readlink /proc/self/ns/net)" "$PATROL_TEST_NETNS" "runs in the harness's network namespace"
is "$(ip -o link show | awk -F': ' '{ print $2 }' | tr '\n' ' ')" "lo " "the only interface is lo"
like "$(ip -o link show dev lo)" '[<,]UP[,>]' "lo is up"
like "$(ip -o addr show dev lo)" 'inet 127\.0\.0\.1/8 ' "127.0.0.0/8 is on lo"
like "$(ip route get 127.0.0.2 2>&1)" '^local 127\.0\.0\.2 dev lo' "127.0.0.2 is local with no setup"
like "$(ip route get 127.0.0.254 2>&1)" '^local 127\.0\.0\.254 dev lo' "so is 127.0.0.254"
check_fails "no route off the machine" ip route get 192.0.2.1
is "$(ps -o comm= -p 1)" bash "the test's shell is PID 1 of its own PID namespace"

# 192.0.2.1 is TEST-NET-1; with no route the connect fails at once and no
# packet is sent.
start=$SECONDS
out=$(curl -sS -v --connect-timeout 5 --max-time 5 http://192.0.2.1/ 2>&1)
rc=$?
isnt "$rc" 0 "curl to a non-loopback address fails"
like "$out" 'Network is unreachable' "with 'Network is unreachable'"
check "at once" test "$((SECONDS - start))" -le 2
out=$(curl -sS --connect-timeout 5 --max-time 5 http://out-of-scope.invalid/page.html 2>&1)
isnt "$?" 0 "a name does not resolve"

# ---- temp dir
is "$(stat -c %F:%a "$HARNESS_TMP")" directory:755 "HARNESS_TMP exists, mode 755"
like "$HARNESS_TMP" "^${TMPDIR:-/tmp}/patrol-test\.[A-Za-z0-9]+$" "under TMPDIR"
p1=$(free_port)
p2=$(free_port)
like "$p1" '^[0-9]+$' "free_port gives a port"
isnt "$p1" "$p2" "free_port does not hand out a port twice"

# ---- PostgreSQL
start_pg
is "$(psql "$PATROL_DB" -X -A -t -c 'select 1' 2>&1)" 1 "psql via PATROL_DB"
is "$(psql -X -A -t -c 'select current_database()' 2>&1)" patrol "psql via PGHOST/PGPORT/PGUSER/PGDATABASE"
is "$(psql_q "select current_setting('listen_addresses') || ',' || current_setting('fsync') || ',' ||
	current_setting('synchronous_commit') || ',' || current_setting('full_page_writes') || ',' ||
	current_setting('max_connections') || ',' || current_setting('shared_buffers') || ',' ||
	current_setting('server_encoding')" 2>&1)" ",off,off,off,100,128MB,UTF8" "cluster settings"
like "$PATROL_DB" "^host=$HARNESS_TMP/pg port=[0-9]+ dbname=patrol user=postgres$" "PATROL_DB is a Unix-socket conninfo"
check "socket in the temp dir" test -S "$PGHOST/.s.PGSQL.$PGPORT"
if [ "$(id -u)" = 0 ]; then
	is "$(stat -c %U "$PG_DATA")" postgres "as root, the cluster belongs to postgres"
else
	pass "not root: the cluster runs as $(id -un)"
fi
is "$(psql_q "select 'テスト'")" "テスト" "UTF-8 round trip"
stop_pg
check_fails "the database goes away with stop_pg" psql_q 'select 1'
restart_pg
is "$(psql_q 'select 2' 2>&1)" 2 "and comes back with restart_pg"

# ---- nginx on two addresses
port=$(free_port)
site=$HARNESS_SITES/basic
start_nginx "$site" "127.0.0.1:$port" "127.0.0.2:$port"
is "$(wc -l <"$NGINX_ACCESS_LOG")" 0 "the readiness probe leaves no access log line"
body=$(curl -sS --max-time 5 "http://127.0.0.1:$port/index.html")
like "$body" '<title>patrol fixture: basic</title>' "page via 127.0.0.1"
body=$(curl -sS --max-time 5 "http://127.0.0.2:$port/a/one.html")
like "$body" '<title>one</title>' "page via 127.0.0.2"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.2:$port/missing.html")" 404 "404 for a missing page"
is "$(curl -s -o /dev/null -w '%{content_type}' --max-time 5 "http://127.0.0.1:$port/sjis/page.html")" text/html "text/html with no charset (charset off)"
is "$(curl -s -o /dev/null -w '%{content_type}' --max-time 5 "http://127.0.0.1:$port/robots.txt")" text/plain "robots.txt is text/plain"
curl -sS --max-time 5 -o "$HARNESS_TMP/sjis.html" "http://127.0.0.1:$port/sjis/page.html"
check "Shift_JIS bytes served as they are" cmp "$HARNESS_TMP/sjis.html" "$site/sjis/page.html"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/%7Euser/page.html")" 200 "%7E and ~ are one file"
curl -s -o /dev/null --max-time 5 -H 'Accept-Encoding: gzip' -D "$HARNESS_TMP/h" "http://127.0.0.1:$port/index.html"
unlike "$(cat "$HARNESS_TMP/h")" '[Cc]ontent-[Ee]ncoding' "gzip is off by default"

is "$(access_paths | tr '\n' ' ')" "/index.html /a/one.html /missing.html /sjis/page.html /robots.txt /sjis/page.html /%7Euser/page.html /index.html " "access_paths, in order"
is "$(access_paths "127.0.0.2:$port" | tr '\n' ' ')" "/a/one.html /missing.html " "access_paths for one listener"
is "$(access_count /index.html)" 2 "access_count"
is "$(access_count /index.html "127.0.0.2:$port")" 0 "access_count for one listener"
is "$(access_status /missing.html)" 404 "access_status"
like "$(sed -n 2p "$NGINX_ACCESS_LOG")" "^127\.0\.0\.1 127\.0\.0\.2:$port \"GET /a/one\.html\" 200 [0-9]+$" "log line format"

# ---- a second instance: gzip and custom locations
port2=$(free_port)
first_log=$NGINX_ACCESS_LOG
NGINX_GZIP=on NGINX_EXTRA_CONF='location = /loop { return 301 /loop; }
		location = /busy { add_header Retry-After 7 always; return 503; }' \
	start_nginx "$site" "127.0.0.3:$port2"
isnt "$NGINX_ACCESS_LOG" "$first_log" "a second instance has its own log"
curl -s -o /dev/null --max-time 5 -H 'Accept-Encoding: gzip' -D "$HARNESS_TMP/h" "http://127.0.0.3:$port2/index.html"
like "$(cat "$HARNESS_TMP/h")" '[Cc]ontent-[Ee]ncoding: gzip' "NGINX_GZIP=on"
curl -s -o /dev/null --max-time 5 -D "$HARNESS_TMP/h" "http://127.0.0.3:$port2/loop"
like "$(cat "$HARNESS_TMP/h")" "^HTTP/1.1 301.*[Ll]ocation: http://127\.0\.0\.3:$port2/loop" "NGINX_EXTRA_CONF: a redirect loop"
curl -s -o /dev/null --max-time 5 -D "$HARNESS_TMP/h" "http://127.0.0.3:$port2/busy"
like "$(tr -d '\r' <"$HARNESS_TMP/h")" $'^HTTP/1.1 503.*\n[Rr]etry-[Aa]fter: 7' "NGINX_EXTRA_CONF: 503 with Retry-After"
stop_nginx
check_fails "stop_nginx closes the listener" can_connect 127.0.0.3 "$port2"
check "the first instance still serves" can_connect 127.0.0.1 "$port"

# ---- patrol_run
# shellcheck disable=SC2016
PATROL_BIN=/bin/sh patrol_run -c 'echo "home=$PATROL_HOME"; echo oops >&2; exit 3'
is "$?" 3 "patrol_run returns the exit status"
is "$(cat "$PATROL_OUT")" "home=$HARNESS_TMP/home" "stdout captured, PATROL_HOME in the temp dir"
is "$(cat "$PATROL_ERR")" oops "stderr captured"
like "$(cat "$HARNESS_TMP/patrol.log")" 'exit 3' "every run appended to patrol.log"

# ---- fixture site
is "$(site_expected basic fetch | head -n 1)" "200 /robots.txt" "site_expected reads EXPECTED"
missing=
while read -r status path; do
	f=$site${path//%7E/\~}
	if [ "$status" = 200 ]; then
		[ -f "$f" ] || missing+=" $path"
	else
		[ ! -e "$f" ] || missing+=" $path"
	fi
done < <(site_expected basic fetch)
is "$missing" "" "every fetch entry of EXPECTED matches the files"
like "$(grep -o 'href="[^"]*"' "$site/index.html" | tr '\n' ' ')" 'href="/a/\./b\.html".*href="/%7Euser/page\.html".*href="http://out-of-scope\.invalid/page\.html"' "index links the tricky forms"
like "$(iconv -f SHIFT_JIS -t UTF-8 "$site/sjis/page.html")" 'テレグラム' "the Shift_JIS page decodes as Shift_JIS"

# ---- the site generator and start_nginx_multi
if command -v python3 >/dev/null 2>&1; then
	mport=$(free_port)
	n=$(python3 "$PATROL_SRC/bench/gensite.py" -n 600 -H 4 -p "$mport" -s 7 -o "$HARNESS_TMP/site" 2>"$HARNESS_TMP/gensite.log")
	ok $? "gensite runs"
	is "$n" 600 "every generated page is reachable from the seeds"
	python3 "$PATROL_SRC/bench/gensite.py" -n 600 -H 4 -p "$mport" -s 7 -o "$HARNESS_TMP/site2" >/dev/null 2>&1
	check "gensite is deterministic" diff -r -x roots.txt -x nginx-servers.conf "$HARNESS_TMP/site" "$HARNESS_TMP/site2"
	start_nginx_multi "$HARNESS_TMP/site" "$mport" 4
	is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.5:$mport/index.html")" 200 "host 4 on 127.0.0.5"
	cross=$(grep -o "href=\"http://127\.0\.0\.[2-5]:$mport/[^\"#]*" "$HARNESS_TMP/site/127.0.0.2/index.html" "$HARNESS_TMP/site/127.0.0.2/d000/"*.html |
		grep -v "127\.0\.0\.2:" | head -n 1 | sed 's/.*href="//')
	like "$cross" "^http://127\.0\.0\.[3-5]:$mport/" "host 1 links to other hosts"
	is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$cross")" 200 "and the link loads"
	is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.2:$mport/d000/p00001.html")" 200 "a page under /dNNN/"
	is "$(access_count /d000/p00001.html "127.0.0.2:$mport")" 1 "the multi-site access log names the listener"
else
	skip 9 "python3 not found"
fi

# ---- the cleanup trap, seen from child tests run in this namespace
nested=$HARNESS_TMP/nested
mkdir -p "$nested/tmp"
cat >"$nested/pass.t" <<EOF
. "$HARNESS_LIB/harness.sh"
harness_init
start_pg
start_nginx "$site" "127.0.0.4:\$(free_port)"
echo "DIR \$HARNESS_TMP \$NGINX_PID"
ok 0 "fine"
done_testing
EOF
sed -e 's/ok 0 "fine"/ok 1 "deliberate failure"/' "$nested/pass.t" >"$nested/fail.t"
sed -e 's/^ok 0 "fine"$/kill -TERM $$; sleep 5/' "$nested/pass.t" >"$nested/killed.t"
printf '. "%s/harness.sh"\nharness_init\nskip_all "nothing to do"\n' "$HARNESS_LIB" >"$nested/skip.t"

for kind in pass fail killed; do
	TMPDIR=$nested/tmp bash "$nested/$kind.t" >"$nested/$kind.out" 2>"$nested/$kind.err"
	rc=$?
	read -r _ dir npid < <(grep '^DIR ' "$nested/$kind.out")
	like "${dir:-}" "^$nested/tmp/patrol-test\\." "$kind child: made its temp dir"
	if [ "$kind" = pass ]; then
		is "$rc" 0 "passing child: exit 0"
		check_fails "passing child: temp dir removed" test -e "$dir"
	else
		isnt "$rc" 0 "$kind child: non-zero exit"
		check "$kind child: temp dir kept" test -d "$dir"
		like "$(cat "$nested/$kind.err")" "keeping $dir" "$kind child: says where"
		check_fails "$kind child: PostgreSQL stopped" test -e "$dir/pg/data/postmaster.pid"
	fi
	check_fails "$kind child: nginx stopped" kill -0 "$npid"
done
like "$(cat "$nested/fail.out")" '(^|
)not ok 1 - deliberate failure' "failing child reports not ok"
TMPDIR=$nested/tmp bash "$nested/skip.t" >"$nested/skip.out" 2>&1
is "$?:$(cat "$nested/skip.out")" "0:1..0 # SKIP nothing to do" "skip_all"
is "$(find "$nested/tmp" -mindepth 1 -maxdepth 1 | wc -l)" 2 "only the failed and killed children left dirs"
# Orphans are reparented to PID 1, this shell: any server a child left
# behind would show up here.
is "$(pgrep -c -x -P 1 postgres)" 1 "no PostgreSQL left by the children: only ours"
is "$(pgrep -c -x -P 1 nginx)" "$(nginx_pids | wc -l)" "no nginx left by the children: only ours"

done_testing
