#!/usr/bin/env bash
# The SSRF guard, which judges the address actually connected to, redirects
# included:
#
#   - without --allow-private, seeds on 127.0.0.1, [::1], "localhost" and a
#     public-looking name that resolves to 127.0.0.1 are refused ('address
#     refused: loopback' in urls.reason) and nginx logs nothing at all;
#   - with --allow-private (and --scope any), a redirect from host A to
#     127.0.0.2, by address or by a name, is followed;
#   - a redirect to 0.0.0.0 (as 0.0.0.0, as "0", or as a name that resolves
#     to it) is refused even with --allow-private: Linux would connect it to
#     this machine.
#
# The names come from an /etc/hosts bind-mounted over the real one inside
# the test's own mount namespace (harness_init gives it one); when that
# cannot be done (not root) the checks that need names are skipped.
# shellcheck source-path=SCRIPTDIR disable=SC2119
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg

port=$(free_port) || _harness_die "no free port"
A=127.0.0.1:$port
B=127.0.0.2:$port
NAME=www.patrol-ssrf.example     # resolves to 127.0.0.1
PNAME=private.patrol-ssrf.example # resolves to 127.0.0.2
ZNAME=zero.patrol-ssrf.example   # resolves to 0.0.0.0

names=0
if [ "$(id -u)" = 0 ] && [ -r /etc/hosts ]; then
	{
		cat /etc/hosts
		printf '127.0.0.1 %s\n127.0.0.2 %s\n0.0.0.0 %s\n' "$NAME" "$PNAME" "$ZNAME"
	} >"$HARNESS_TMP/hosts"
	if mount --bind "$HARNESS_TMP/hosts" /etc/hosts 2>"$HARNESS_TMP/mount.err" &&
		getent hosts "$NAME" | grep -q '^127\.0\.0\.1 '; then
		names=1
	fi
fi
[ "$names" = 1 ] || note "no private /etc/hosts: the checks with names are skipped"

NGINX_EXTRA_CONF=$(cat <<EOF
location = /go/private { return 302 http://$B/target.html; }
		location = /go/private-name { return 302 http://$PNAME:$port/target.html; }
		location = /go/zero { return 302 http://0.0.0.0:$port/zero-target.html; }
		location = /go/zero-short { return 302 http://0:$port/zero-short-target.html; }
		location = /go/zero-name { return 302 http://$ZNAME:$port/zero-name-target.html; }
EOF
)
start_nginx "$HARNESS_SITES/ssrf" "$A" "$B"

reason_of() {
	psql_q "SELECT u.reason FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = '$1' AND u.url = '$2'"
}

# --- without --allow-private ---------------------------------------------------
seeds=("http://$A/index.html" "http://localhost:$port/index.html" "http://[::1]:$port/index.html"
	"http://$A/go/private")
[ "$names" = 1 ] && seeds+=("http://$NAME:$port/index.html")
patrol_run crawl --job deny --no-rules --scope any --quiet "${seeds[@]}"
is "$?" 1 "a crawl whose seeds are all on loopback ends by itself, with status 1: nothing fetched" || patrol_diag
is "$(wc -l <"$NGINX_ACCESS_LOG")" 0 "nginx logged no request at all (robots.txt included)"
for u in "http://$A/index.html" "http://localhost:$port/index.html" "http://[::1]:$port/index.html" "http://$A/go/private"; do
	is "$(reason_of deny "$u")" "address refused: loopback" "refused 'address refused: loopback': $u"
done
if [ "$names" = 1 ]; then
	is "$(reason_of deny "http://$NAME:$port/index.html")" "address refused: loopback" \
		"refused 'address refused: loopback': a public-looking name that resolves to 127.0.0.1"
else
	skip 1 "no private /etc/hosts"
fi
is "$(psql_q "SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'deny'")" 0 "nothing stored"
is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'deny' AND u.state IN (0, 1)")" 0 \
	"nothing left queued or claimed"

# --- with --allow-private ------------------------------------------------------
seeds=("http://$A/go/private" "http://$A/go/zero" "http://$A/go/zero-short")
[ "$names" = 1 ] && seeds+=("http://$A/go/private-name" "http://$A/go/zero-name")
PATROL_TIMEOUT=50 patrol_run crawl --job allow --no-rules --allow-private --scope any --quiet "${seeds[@]}"
ok $? "a crawl with --allow-private ends by itself with status 0" || patrol_diag

is "$(access_status /go/private "$A")" 302 "127.0.0.1 redirected /go/private"
# by address, and by name when names work: two origins, one request each
is "$(access_count /target.html "$B")" "$((1 + names))" "the redirect to 127.0.0.2 was followed"
is "$(psql_q "SELECT f.http_status FROM fetches f JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id
	JOIN jobs j ON j.id = f.job_id WHERE j.name = 'allow' AND u.url = 'http://$B/target.html'")" 200 \
	"the redirect target on 127.0.0.2 is stored with status 200"
is "$(psql_q "SELECT f.final_url FROM fetches f JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id
	JOIN jobs j ON j.id = f.job_id WHERE j.name = 'allow' AND u.url = 'http://$A/go/private'")" "http://$B/target.html" \
	"the redirect is stored with its target as final_url"

for p in /zero-target.html /zero-short-target.html /zero-name-target.html; do
	is "$(access_count "$p")" 0 "never requested, on any listener: $p"
done
is "$(access_count /robots.txt "$A")" 1 \
	"robots.txt requested once from 127.0.0.1 (nothing else reached it through 0.0.0.0)"
like "$(psql_q "SELECT u.reason FROM urls u JOIN jobs j ON j.id = u.job_id
	WHERE j.name = 'allow' AND u.url LIKE '%/zero-target.html'")" "^address refused" \
	"the redirect to 0.0.0.0 is refused even with --allow-private"
if [ "$names" = 1 ]; then
	is "$(psql_q "SELECT f.http_status FROM fetches f JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id
		JOIN jobs j ON j.id = f.job_id WHERE j.name = 'allow' AND u.url = 'http://$PNAME:$port/target.html'")" 200 \
		"the redirect to a name that resolves to 127.0.0.2 is followed with --allow-private"
	like "$(reason_of allow "http://$ZNAME:$port/zero-name-target.html")" "^address refused" \
		"the redirect to a name that resolves to 0.0.0.0 is refused even with --allow-private"
else
	skip 2 "no private /etc/hosts"
fi
is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'allow' AND u.state IN (0, 1)")" 0 \
	"nothing left queued or claimed"

done_testing
