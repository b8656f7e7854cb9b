#!/usr/bin/env bash
# Politeness per host, read from the server's side: nginx logs every request
# with $msec (when it ended) and $request_time (how long it took), so the
# access log gives each request's interval [start, end] in milliseconds. The
# order and overlap of those intervals are results, not timings: the crawler
# guarantees lower bounds, and the test checks only those.
#
#   1. --per-host 1: no two requests to one host overlap, also when two
#      crawl processes share the job (host leases).
#   2. --delay-ms N: at least N ms from the end of one request to a host to
#      the start of the next.
#   3. robots.txt Crawl-delay: 1 gives at least 1000 ms on that host.
#   4. A 503 and a 429 with Retry-After: 2 are retried after at least 2 s,
#      and --retries times, no more.
#   5. A host that always fails (500 on every page, or a connection closed
#      without an answer) is parked after --max-host-errors failures in a
#      row; its queued URLs are refused 'host-parked'; the crawl ends.
#
# One nginx serves tests/sites/polite on one port of 127.0.0.2 ... 127.0.0.11
# (an origin per address); /slow/ is proxied to a small Python server that
# answers after 300 ms, so a request in flight lasts long enough for an
# overlap to show.
# shellcheck source-path=SCRIPTDIR disable=SC2119
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3 timeout
start_pg

site=$HARNESS_SITES/polite
port=$(free_port) || _harness_die "no free port"
py=$(free_port) || _harness_die "no free port"
TIMING_LOG=$HARNESS_TMP/timing.log
: >"$TIMING_LOG"

cat >"$HARNESS_TMP/slow.py" <<'EOF'
import http.server, sys, time

class Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        time.sleep(0.3)
        body = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>slow</title>'
                '</head><body><p>slow page %s</p></body></html>\n' % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Slow).serve_forever()
EOF
python3 "$HARNESS_TMP/slow.py" "$py" 2>"$HARNESS_TMP/slow.err" &
harness_track "$!"
wait_for 10 can_connect 127.0.0.1 "$py" ||
	_harness_die "the slow server does not accept on 127.0.0.1:$py" "$HARNESS_TMP/slow.err"

# Hosts: .2-.5 the two-process job; .6 --delay-ms; .7 Crawl-delay: 1;
# .8 503 with Retry-After; .9 429 with Retry-After; .10 500 on every page;
# .11 closes every page's connection without an answer (nginx's 444).
NGINX_EXTRA_HTTP_CONF=$(cat <<EOF
log_format timing '\$msec \$request_time \$server_addr:\$server_port "\$request_method \$request_uri" \$status \$connection \$connection_requests';
	map \$server_addr \$robots_file {
		127.0.0.7 /robots-crawl-delay.txt;
		default /robots.txt;
	}
EOF
)
NGINX_EXTRA_CONF=$(cat <<EOF
access_log $HARNESS_TMP/nginx/access.log patrol;
		access_log $TIMING_LOG timing;
		location = /robots.txt { try_files \$robots_file =404; }
		location /slow/ { proxy_pass http://127.0.0.1:$py; }
		location = /busy.html { add_header Retry-After 2 always; return 503; }
		location = /toomany.html { add_header Retry-After 2 always; return 429; }
		location / {
			if (\$server_addr = 127.0.0.10) { return 500; }
			if (\$server_addr = 127.0.0.11) { return 444; }
		}
EOF
)
listeners=()
for i in 2 3 4 5 6 7 8 9 10 11; do
	listeners+=("127.0.0.$i:$port")
done
start_nginx "$site" "${listeners[@]}"

# timeline ADDR:PORT [URI]: that listener's requests as "START END URI STATUS"
# (milliseconds since the epoch), in the order they started.
timeline() {
	awk -v l="$1" -v want="${2:-}" '
		$3 == l {
			e = $1; sub(/\./, "", e); d = $2; sub(/\./, "", d)
			u = $5; sub(/"$/, "", u)
			if (want == "" || u == want)
				printf "%.0f %.0f %s %s\n", e - d, e, u, $6
		}' "$TIMING_LOG" | sort -n -k1,1 -k2,2
}

# overlaps ADDR:PORT: every request that started before an earlier one to
# the same listener had ended; nothing when none did.
overlaps() {
	timeline "$1" | awk '
		NR > 1 && $1 < maxend { printf "%s [%.0f, %.0f] began before %s ended (%.0f)\n", $3, $1, $2, last, maxend }
		NR == 1 || $2 > maxend { maxend = $2; last = $3 }'
}

# short_gaps MIN ADDR:PORT [URI]: consecutive requests (of URI, when given)
# with less than MIN ms from the end of one to the start of the next.
short_gaps() {
	timeline "$2" "${3:-}" | awk -v min="$1" '
		NR > 1 && $1 - pend < min { printf "%s ended %.0f, %s began %.0f: %.0f ms\n", pu, pend, $3, $1, $1 - pend }
		{ pend = $2; pu = $3 }'
}

# min_gap ADDR:PORT [URI]: the shortest such gap, in ms.
min_gap() {
	timeline "$1" "${2:-}" | awk '
		NR > 1 && (min == "" || $1 - pend < min) { min = $1 - pend }
		{ pend = $2 }
		END { print min }'
}

# requests ADDR:PORT [URI]: how many (URI: of that URI; "pages": all but robots.txt).
requests() {
	case ${2:-} in
	'') timeline "$1" | wc -l ;;
	pages) timeline "$1" | awk '$3 != "/robots.txt"' | wc -l ;;
	*) timeline "$1" "$2" | wc -l ;;
	esac
}

host_sql() {
	psql_q "SELECT $2 FROM hosts h JOIN jobs j ON j.id = h.job_id WHERE j.name = '$1' AND h.origin = '$3'"
}

# run_bg LOG ARGS...: patrol in the background, killed after 50 s; sets BG_PID.
run_bg() {
	local log=$1
	shift
	timeout -k 5 50 "$PATROL_BIN" "$@" </dev/null >"$log" 2>&1 &
	BG_PID=$!
	harness_track "$BG_PID"
}

patrol_run db migrate
ok $? "migrate" || patrol_diag

# --- 1. two processes, one job, --per-host 1 --------------------------------------
pair=()
for i in 2 3 4 5; do
	pair+=("http://127.0.0.$i:$port/index.html")
done
args=(crawl --job pair --no-rules --allow-private --per-host 1 --concurrency 1 --quiet "${pair[@]}")
run_bg "$HARNESS_TMP/pair-1.log" "${args[@]}"
a=$BG_PID
run_bg "$HARNESS_TMP/pair-2.log" "${args[@]}"
b=$BG_PID
wait "$a"
ok $? "the first process of the shared job ends by itself with status 0" ||
	diag "$(tail -n 20 "$HARNESS_TMP/pair-1.log")"
wait "$b"
ok $? "the second process of the shared job ends by itself with status 0" ||
	diag "$(tail -n 20 "$HARNESS_TMP/pair-2.log")"

is "$(psql_q "SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'pair'")" 32 \
	"the shared job stored 8 pages from each of 4 hosts"
is "$(psql_q "SELECT count(DISTINCT f.worker) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'pair'")" 2 \
	"both processes fetched pages (the hosts were shared out)"
for i in 2 3 4 5; do
	l=127.0.0.$i:$port
	is "$(timeline "$l" | awk '{ print $3 }' | sort | uniq -d)" "" "$l: no URI requested twice"
	is "$(requests "$l")" 9 "$l: robots.txt and 8 pages requested"
	is "$(overlaps "$l")" "" "$l: no two requests overlap (per-host 1 across two processes)"
done
# the slow pages took long enough for an overlap to be seen
slowest=$(timeline "127.0.0.2:$port" | awk '$3 ~ /^\/slow\// { d = $2 - $1; if (d > m) m = d } END { print m + 0 }')
check "the proxied pages lasted long enough to show an overlap (${slowest} ms >= 250)" test "$slowest" -ge 250

# --- 2-5. one process: delays, Retry-After, parking -----------------------------
DELAY=400
seeds=("http://127.0.0.6:$port/index.html" "http://127.0.0.7:$port/index.html"
	"http://127.0.0.8:$port/busy.html" "http://127.0.0.9:$port/toomany.html")
for i in 10 11; do
	for p in index a b c d e; do
		seeds+=("http://127.0.0.$i:$port/$p.html")
	done
done
PATROL_TIMEOUT=55 patrol_run crawl --job pace --no-rules --allow-private --concurrency 8 --delay-ms "$DELAY" \
	--retries 2 --max-host-errors 4 --quiet "${seeds[@]}"
ok $? "the crawl with failing hosts ends by itself with status 0" || patrol_diag
summary=$(sed -n "/^crawl 'pace'/,\$p" "$PATROL_ERR")
like "$summary" "hosts-parked=2" "the summary counts the two parked hosts" || patrol_diag

# A request whose kept-alive connection the server closed without an answer
# is sent once more at once on a fresh connection (libcurl does this for a
# dead reused connection, as HTTP allows for idempotent requests): on .11,
# the host that drops every connection, that one repeat of the same URI is
# not a second request in the crawler's schedule.
for i in 6 7 8 9 10 11; do
	l=127.0.0.$i:$port
	is "$(overlaps "$l")" "" "$l: no two requests overlap (--concurrency 8, per-host 1 by default)"
	gaps=$(short_gaps "$DELAY" "$l")
	[ "$i" = 11 ] && gaps=$(printf '%s\n' "$gaps" | awk '{ u1 = $1; u2 = $4; sub(/,$/, "", u2) } u1 != u2' | sed '/^$/d')
	is "$gaps" "" "$l: at least $DELAY ms between requests (--delay-ms $DELAY; min $(min_gap "$l") ms)"
done

# 2. --delay-ms
l=127.0.0.6:$port
is "$(requests "$l")" 9 "$l: robots.txt and 8 pages requested"

# 3. Crawl-delay: 1
l=127.0.0.7:$port
is "$(requests "$l")" 9 "$l: robots.txt and 8 pages requested"
is "$(short_gaps 1000 "$l")" "" "$l: at least 1000 ms between requests (Crawl-delay: 1; min $(min_gap "$l") ms)"
is "$(host_sql pace 'parked_at IS NULL' "http://$l")" t "$l: a Crawl-delay host is not parked"

# 4. Retry-After on 503 and 429
for x in 8:/busy.html:503 9:/toomany.html:429; do
	IFS=: read -r i uri status <<<"$x"
	l=127.0.0.$i:$port
	is "$(requests "$l" "$uri")" 3 "$l: $status: one request and --retries 2 more, no more"
	is "$(timeline "$l" "$uri" | awk '{ print $4 }' | sort -u)" "$status" "$l: each answered $status"
	is "$(short_gaps 2000 "$l" "$uri")" "" \
		"$l: each retry at least 2000 ms after the $status (Retry-After: 2; min $(min_gap "$l" "$uri") ms)"
	is "$(psql_q "SELECT u.attempts || ' ' || u.state || ' ' || count(f.id) || ' ' || max(f.http_status)
		FROM urls u JOIN jobs j ON j.id = u.job_id LEFT JOIN fetches f ON f.host_id = u.host_id AND f.url_id = u.id
		WHERE j.name = 'pace' AND u.url = 'http://$l$uri' GROUP BY u.attempts, u.state")" "2 2 1 $status" \
		"$l: stored once, after 2 retries, with its last status"
	is "$(host_sql pace 'parked_at IS NULL' "http://$l")" t "$l: retried, not parked"
done

# 5. parking
for i in 10 11; do
	l=127.0.0.$i:$port
	o=http://$l
	n=$(requests "$l" pages)
	if [ "$i" = 10 ]; then
		is "$n" 4 "$l: exactly --max-host-errors (4) failed requests, then no more"
	else
		check "$l: --max-host-errors (4) failed requests, then no more (one more on the wire for a dead kept-alive connection: $n)" \
			test "$n" -ge 4 -a "$n" -le 5
	fi
	is "$(host_sql pace 'parked_at IS NOT NULL' "$o")" t "$l: the host is parked (hosts.parked_at set)"
	is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id JOIN hosts h ON h.id = u.host_id
		WHERE j.name = 'pace' AND h.origin = '$o' AND u.state IN (0, 1)")" 0 "$l: nothing of it left queued or claimed"
	n=$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id JOIN hosts h ON h.id = u.host_id
		WHERE j.name = 'pace' AND h.origin = '$o' AND u.state = 3 AND u.reason = 'host-parked'")
	check "$l: its URLs not yet tried are refused 'host-parked' ($n >= 2)" test "${n:-0}" -ge 2
done
is "$(timeline "127.0.0.10:$port" | awk '$3 != "/robots.txt" { print $4 }' | sort -u)" 500 \
	"127.0.0.10:$port: every page request was answered 500"
is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id JOIN hosts h ON h.id = u.host_id
	WHERE j.name = 'pace' AND h.origin = 'http://127.0.0.10:$port' AND u.reason = 'host-parked'")" 2 \
	"127.0.0.10:$port: the 2 seeds never tried are the refused ones (500 is not retried)"
is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'pace' AND u.state IN (0, 1)")" 0 \
	"nothing of the job left queued or claimed"

done_testing
