#!/usr/bin/env bash
# robots.txt by RFC 9309, and the page-level robots directives, read from
# nginx's access log and the frontier's record (urls.state 3, reason
# 'robots'). One site (tests/sites/robots) is served on one port of several
# loopback addresses, each with another robots.txt:
#
#   .2   404                     allow all
#   .3   500                     nothing but robots.txt requested; its URLs
#                                refused 'robots' after the retries
#   .4   301 to /real-robots.txt the target is honoured
#   .10  five redirects in a row the target is honoured
#   .5   700 KiB, Disallow early honoured (past the 512 KiB parsing cap)
#   .6   3 MiB, Disallow early   honoured as well: a large file is cut, not
#                                treated as unreachable
#   .7   a group for '*' (Disallow: /) and one for 'patrol': patrol's wins
#   .8   Allow and Disallow of equal length: Allow wins, in either order;
#        otherwise the longest match
#
# Every host also serves a page with <meta name="robots" content="nofollow">
# and one with an X-Robots-Tag: nofollow header: their links are not
# followed, unless --follow-nofollow (host .9, a second job).
# shellcheck source-path=SCRIPTDIR disable=SC2119
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd timeout
start_pg

site=$HARNESS_TMP/site
cp -r "$HARNESS_SITES/robots" "$site"
# robots.txt files larger than the 512 KiB the crawler parses: the rule that
# matters comes first, then filler rules for paths the site does not have.
big_robots() {
	local bytes=$1
	{
		printf 'User-agent: *\nDisallow: /private/\n'
		seq -f 'Disallow: /filler/%08g/' 1 $((bytes / 26 + 1))
	} | head -c "$bytes"
}
big_robots $((700 * 1024)) >"$site/robots-big.txt"
big_robots $((3 * 1024 * 1024)) >"$site/robots-huge.txt"

port=$(free_port) || _harness_die "no free port"
NGINX_EXTRA_HTTP_CONF=$(cat <<EOF
map \$server_addr \$robots_file {
		127.0.0.5 /robots-big.txt;
		127.0.0.6 /robots-huge.txt;
		127.0.0.7 /robots-agent.txt;
		127.0.0.8 /robots-ties.txt;
		default /no-robots-here.txt;
	}
EOF
)
NGINX_EXTRA_CONF=$(cat <<EOF
location = /robots.txt {
			if (\$server_addr = 127.0.0.3) { return 500; }
			if (\$server_addr = 127.0.0.4) { return 301 /real-robots.txt; }
			if (\$server_addr = 127.0.0.10) { return 301 /hop/1; }
			try_files \$robots_file =404;
		}
		location = /hop/1 { return 301 /hop/2; }
		location = /hop/2 { return 302 /hop/3; }
		location = /hop/3 { return 307 /hop/4; }
		location = /hop/4 { return 301 /real-robots.txt; }
		location = /xrt/page.html { add_header X-Robots-Tag nofollow; }
EOF
)
listeners=()
for i in 2 3 4 5 6 7 8 9 10; do
	listeners+=("127.0.0.$i:$port")
done
start_nginx "$site" "${listeners[@]}"

# requested ADDR URI: how many times URI was requested from 127.0.0.ADDR.
requested() {
	access_count "$2" "127.0.0.$1:$port"
}

# refused_for ADDR PATH: urls.reason of a refused URL (state 3), or nothing.
refused_for() {
	psql_q "SELECT reason FROM urls WHERE state = 3 AND url = 'http://127.0.0.$1:$port$2'"
}

# expect ADDR fetched|never PATH...
expect() {
	local a=$1 want=$2 p
	shift 2
	for p in "$@"; do
		case $want in
		fetched) is "$(requested "$a" "$p")" 1 "127.0.0.$a: fetched once: $p" ;;
		never) is "$(requested "$a" "$p")" 0 "127.0.0.$a: never requested: $p" ;;
		esac
	done
}

plain=(/index.html /a.html /tie/page.html /tie2/page.html /b/ok.html /b/no.html /meta/nofollow.html /xrt/page.html)
nofollowed=(/meta/target.html /xrt/target.html)

seeds=()
for i in 2 3 4 5 6 7 8 10; do
	seeds+=("http://127.0.0.$i:$port/index.html")
done
PATROL_TIMEOUT=50 patrol_run crawl --job robots --no-rules --allow-private --concurrency 8 --quiet "${seeds[@]}"
ok $? "the crawl ends by itself with status 0" || patrol_diag

# .2: 404 means allow all
expect 2 fetched "${plain[@]}" /private/secret.html
expect 2 never "${nofollowed[@]}"
is "$(requested 2 /robots.txt)" 1 "127.0.0.2: robots.txt requested once"
is "$(psql_q "SELECT robots_status FROM hosts WHERE origin = 'http://127.0.0.2:$port'")" 404 \
	"127.0.0.2: the 404 is recorded in hosts.robots_status"

# .3: 500 means disallow all, after retries
n=$(requested 3 /robots.txt)
check "127.0.0.3: robots.txt answered 500 is tried again, a bounded number of times (2 <= $n <= 5)" \
	test "$n" -ge 2 -a "$n" -le 5
is "$(access_paths "127.0.0.3:$port" | grep -vx /robots.txt)" "" "127.0.0.3: nothing but robots.txt requested"
is "$(refused_for 3 /index.html)" robots "127.0.0.3: its seed is refused 'robots'"
is "$(psql_q "SELECT count(*) FROM fetches f JOIN hosts h ON h.id = f.host_id WHERE h.origin = 'http://127.0.0.3:$port'")" 0 \
	"127.0.0.3: no page stored"
is "$(psql_q "SELECT robots_status FROM hosts WHERE origin = 'http://127.0.0.3:$port'")" 500 \
	"127.0.0.3: the 500 is recorded in hosts.robots_status"

# .4 and .10: redirects followed
for a in 4 10; do
	expect "$a" fetched "${plain[@]}"
	expect "$a" never /private/secret.html "${nofollowed[@]}"
	is "$(requested "$a" /real-robots.txt)" 1 "127.0.0.$a: the redirect to /real-robots.txt was followed"
	is "$(refused_for "$a" /private/secret.html)" robots "127.0.0.$a: /private/secret.html refused 'robots'"
done
is "$(access_paths "127.0.0.10:$port" | grep -c '^/hop/')" 4 "127.0.0.10: each of the 4 hops between requested once"

# .5 and .6: large robots.txt files, Disallow early
for a in 5 6; do
	expect "$a" fetched "${plain[@]}"
	expect "$a" never /private/secret.html ||
		diag "  robots.txt of 127.0.0.$a as cached: status $(psql_q "SELECT robots_status || ', ' || length(robots_body) || ' chars'
			FROM hosts WHERE origin = 'http://127.0.0.$a:$port'")"
	is "$(refused_for "$a" /private/secret.html)" robots "127.0.0.$a: /private/secret.html refused 'robots'"
done

# .7: the group for patrol wins over '*'
expect 7 fetched "${plain[@]}"
expect 7 never /private/secret.html
is "$(refused_for 7 /private/secret.html)" robots "127.0.0.7: /private/secret.html refused by patrol's group"

# .8: Allow over Disallow on equal length; longest match otherwise
expect 8 fetched /index.html /a.html /tie/page.html /tie2/page.html /b/ok.html
expect 8 never /b/no.html /private/secret.html
is "$(refused_for 8 /b/no.html)" robots "127.0.0.8: /b/no.html refused 'robots' (Disallow: /b/)"

is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"
is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'robots'
	AND regexp_replace(u.url, '^https?://[^/]+', '') IN ('/meta/target.html', '/xrt/target.html')")" 0 \
	"links of nofollow pages are not even queued"

# --- --follow-nofollow ----------------------------------------------------------
patrol_run crawl --job follow --no-rules --allow-private --follow-nofollow --quiet "http://127.0.0.9:$port/index.html"
ok $? "a crawl with --follow-nofollow exits 0" || patrol_diag
expect 9 fetched "${plain[@]}" "${nofollowed[@]}"

done_testing
