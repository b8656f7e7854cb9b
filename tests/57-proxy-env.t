#!/usr/bin/env bash
# Proxies from the environment do not take fetches past the SSRF guard:
# with http_proxy / ALL_PROXY naming a proxy on a public-looking address
# (8.8.8.8, added to lo inside the test's own network namespace), a seed on
# loopback is still refused as loopback, and the proxy receives nothing.
# Before, curl followed the variables, and the guard judged only the
# proxy's address.
# shellcheck source-path=SCRIPTDIR disable=SC2119
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg

PROXY_ADDR=8.8.8.8
if ! why=$(ip addr add "$PROXY_ADDR/32" dev lo 2>&1); then
	skip_all "cannot add $PROXY_ADDR to lo in the private namespace: $why"
fi
pport=$(free_port) || _harness_die "no free port"
port=$(free_port) || _harness_die "no free port"
A=127.0.0.1:$port
start_nginx "$HARNESS_SITES/ssrf" "$A"

cat >"$HARNESS_TMP/proxy.py" <<'EOF'
import http.server, sys

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[3], "a") as f:
            f.write(self.path + "\n")
        b = b"<html><head><title>proxied</title></head><body>proxied</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def log_message(self, *a):
        pass

http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
EOF
: >"$HARNESS_TMP/proxy.log"
python3 "$HARNESS_TMP/proxy.py" "$PROXY_ADDR" "$pport" "$HARNESS_TMP/proxy.log" &
harness_track $!
wait_for 10 can_connect "$PROXY_ADDR" "$pport" || _harness_die "the proxy did not start"

unset no_proxy NO_PROXY
proxy=http://$PROXY_ADDR:$pport
http_proxy=$proxy HTTP_PROXY=$proxy https_proxy=$proxy ALL_PROXY=$proxy all_proxy=$proxy \
	patrol_run crawl --job viaproxy --no-rules --scope any --quiet "http://$A/index.html"
is "$?" 1 "the crawl fetched nothing and says so with status 1" || patrol_diag
like "$(cat "$PATROL_ERR")" "add --allow-private" "the loopback seed was judged by its own address"
is "$(wc -l <"$HARNESS_TMP/proxy.log")" 0 "the proxy received no request"
is "$(psql_q "SELECT u.reason FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'viaproxy' AND u.url = 'http://$A/index.html'")" \
	"address refused: loopback" "the loopback seed is refused as loopback"
is "$(psql_q "SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'viaproxy'")" 0 "nothing stored"
is "$(wc -l <"$NGINX_ACCESS_LOG")" 0 "nginx logged no request"

done_testing
