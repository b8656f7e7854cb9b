#!/usr/bin/env bash
# Many machines, one crawl. PostgreSQL runs in a network namespace of its
# own ("db", 10.77.0.1), three `patrol crawl` processes in three others
# ("m1".."m3", 10.77.0.11-13, each with its own host name, so none of them
# can judge another's process by its PID), joined by veth pairs to a bridge
# in the test's namespace, where nginx serves a six-host site on 10.77.1.2-7.
# Every namespace is made inside the test's private one, which has no link
# to the real network. The crawlers reach the database over TCP as the
# application role with SCRAM (pg_hba: host patrol patrol 10.77.0.0/24
# scram-sha-256; nothing else over TCP). One job; m2 is killed with SIGKILL
# mid-crawl. Then:
#   - m1 and m3 finish the job: every page stored once, nothing left queued
#     or claimed, every lease given back;
#   - m2's hosts go to the others only after its leases expired (--lease-s 4),
#     judged by expiry alone (the same-machine fast path cannot apply);
#   - no page is requested twice, except pages m2 had claimed when it died
#     (read from the database at the moment of the kill): those at most once
#     more, and only after m2's request. robots.txt is left out: it is not a
#     claimed URL, and a host taken over may have its robots.txt fetched by
#     its new holder if m2 died before storing it;
#   - politeness per host across the three processes: from the end of one
#     request to a host to the start of the next (any process), at least
#     --delay-ms, read from nginx's log ($msec, $request_time) as in
#     tests/51-politeness.t;
#   - rules are left out (--no-rules): this is about the frontier. The fetch
#     loop renews leases only every 10 s, longer than the 4 s
#     lease: the leases hold because the heartbeat renews them (no "lost the
#     lease" in any log, and the duplicate check above would catch a host
#     taken from a live process).
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3 nsenter unshare ip psql
[ "$(id -u)" = 0 ] || skip_all "needs root inside the test's namespaces for veth and bridges"
start_pg

delay=150
lease=4
port=$(free_port)

# --- the network: a bridge here, one namespace per machine ------------------------------
ip link add p-br0 type bridge 2>/dev/null || skip_all "cannot create a bridge in the test's namespace"
ip link set p-br0 up
ip addr add 10.77.0.254/24 dev p-br0
for i in 2 3 4 5 6 7; do
	ip addr add "10.77.1.$i/24" dev p-br0
done

# machine NAME ADDR: a holder process in new network and UTS namespaces,
# named NAME, with a veth to the bridge; sets MACHINE to its PID.
here=$(readlink /proc/self/ns/net)
machine() {
	local name=$1 addr=$2 pid
	unshare --net --uts sleep 100000 </dev/null >/dev/null 2>&1 &
	pid=$!
	harness_track "$pid"
	# unshare execs sleep once the namespaces exist
	wait_for 5 sh -c "[ \"\$(readlink /proc/$pid/ns/net)\" != '$here' ]" ||
		_harness_die "the namespace of $name did not appear"
	ip link add "v-$name" type veth peer name eth0 netns "$pid" || _harness_die "no veth for $name"
	ip link set "v-$name" master p-br0 up
	nsenter -t "$pid" -n -u sh -c "hostname $name && ip link set lo up && ip addr add $addr/24 dev eth0 &&
		ip link set eth0 up && ip route add 10.77.1.0/24 via 10.77.0.254" ||
		_harness_die "cannot set up the network of $name"
	MACHINE=$pid
}
machine db 10.77.0.1
ns_db=$MACHINE
machine m1 10.77.0.11
ns_m1=$MACHINE
machine m2 10.77.0.12
ns_m2=$MACHINE
machine m3 10.77.0.13
ns_m3=$MACHINE
is "$(nsenter -t "$ns_m1" -n -- ip -o route get 192.0.2.1 2>&1 | grep -c unreachable)" 1 \
	"and nothing beyond it: no route out of the test"

# --- PostgreSQL in its namespace, TCP with SCRAM for the application role ----------------
stop_pg fast
cat >>"$PG_DATA/postgresql.conf" <<EOF

# tests/68-many-machines.t: TCP inside the private network of the test
listen_addresses = '10.77.0.1'
password_encryption = 'scram-sha-256'
EOF
cat >"$PG_DATA/pg_hba.conf" <<EOF
# tests/68-many-machines.t: the harness's superuser on the Unix socket (psql_q);
# over TCP the application role only, with SCRAM
local all  all                 trust
host  patrol patrol 10.77.0.0/24 scram-sha-256
EOF
chown postgres: "$PG_DATA/pg_hba.conf" 2>/dev/null
(cd "$PG_DIR" && nsenter -t "$ns_db" -n -- runuser -u postgres -- "$PG_BINDIR/pg_ctl" -D "$PG_DATA" \
	-l "$PG_LOG" -w -t 60 start >>"$PG_DIR/pg_ctl.log" 2>&1) ||
	_harness_die "PostgreSQL did not start in its namespace" "$PG_LOG"
_pg_running=1
password="scram-$RANDOM-$RANDOM-$RANDOM"
psql_q "ALTER ROLE patrol PASSWORD '$password'" >/dev/null
is "$(psql_q "SELECT rolpassword LIKE 'SCRAM-SHA-256\$%' FROM pg_authid WHERE rolname = 'patrol'")" t \
	"the application role's password is kept as a SCRAM verifier"
pgpass=$HARNESS_TMP/pgpass
printf '10.77.0.1:%s:patrol:patrol:%s\n' "$PGPORT" "$password" >"$pgpass"
chmod 600 "$pgpass"
db="host=10.77.0.1 port=$PGPORT dbname=patrol user=patrol passfile=$pgpass connect_timeout=10 sslmode=disable"

on() { local pid=$1; shift; nsenter -t "$pid" -n -u -- "$@"; }
is "$(on "$ns_m1" psql "$db" -X -A -t -c "SELECT current_user" 2>&1)" patrol "m1 connects over TCP as patrol"
like "$(on "$ns_m1" psql "host=10.77.0.1 port=$PGPORT dbname=patrol user=patrol password=wrong sslmode=disable" \
	-X -A -t -c "SELECT 1" 2>&1)" "password authentication failed" "a wrong password is refused"
like "$(on "$ns_m1" psql "host=10.77.0.1 port=$PGPORT dbname=patrol user=postgres password=x sslmode=disable" \
	-X -A -t -c "SELECT 1" 2>&1)" "no pg_hba.conf entry" "the superuser cannot come over TCP"
like "$(on "$ns_m1" psql "$db" -X -A -t -c "SET session_replication_role = replica" 2>&1)" \
	"permission denied" "nor can the application role switch the triggers off from there"

# --- the site ------------------------------------------------------------------------------
site=$HARNESS_TMP/site
python3 "$PATROL_SRC/bench/gensite.py" -n 360 -H 6 -p "$port" --links 8 -o "$site" >/dev/null ||
	_harness_die "gensite failed"
for i in 2 3 4 5 6 7; do
	mv "$site/127.0.0.$i" "$site/10.77.1.$i"
done
find "$site" -type f -exec env LC_ALL=C sed -i 's/127\.0\.0\.\([0-9]\)/10.77.1.\1/g' {} +
pages=$(awk '$1 == "reachable" { print $2 }' "$site/manifest.txt")
read -r -a seeds < <(tr '\n' ' ' <"$site/seeds.txt")
like "${seeds[0]}" "^http://10\.77\.1\.2:$port/" "the seeds are on the bridge's addresses"
TIMING_LOG=$HARNESS_TMP/timing.log
: >"$TIMING_LOG"
NGINX_EXTRA_HTTP_CONF="log_format timing '\$msec \$request_time \$remote_addr \$server_addr:\$server_port \"\$request_method \$request_uri\" \$status';"
servers=
listeners=()
for i in 2 3 4 5 6 7; do
	servers+=$(_nginx_server "$site/10.77.1.$i" "access_log $TIMING_LOG timing;" "10.77.1.$i:$port")
	servers+=$'\n'
	listeners+=("10.77.1.$i:$port")
done
_nginx_launch "$servers" "${listeners[@]}"
check "m3 reaches the site" on "$ns_m3" bash -c "exec 3<>/dev/tcp/10.77.1.7/$port"
check "m1 reaches the site" on "$ns_m1" bash -c "exec 3<>/dev/tcp/10.77.1.2/$port"

# --- the crawl -----------------------------------------------------------------------------
args=(crawl --job many --no-rules --allow-private --concurrency 1 --delay-ms "$delay" --lease-s "$lease" --quiet "${seeds[@]}")
# crawler NAME PID: patrol crawl in that machine's namespaces; sets CRAWLER to its PID.
crawler() {
	local name=$1 pid=$2
	mkdir -p "$HARNESS_TMP/$name"
	PATROL_HOME=$HARNESS_TMP/$name PATROL_DB=$db nsenter -t "$pid" -n -u -- "$PATROL_BIN" "${args[@]}" \
		</dev/null >"$HARNESS_TMP/$name.log" 2>&1 &
	CRAWLER=$!
	harness_track "$CRAWLER"
}
# the schema is migrated (start_pg); each process is a machine of its own
crawler m1 "$ns_m1"
p1=$CRAWLER
crawler m2 "$ns_m2"
p2=$CRAWLER
crawler m3 "$ns_m3"
p3=$CRAWLER
# m2 dies once it has fetched some pages and holds claims
m2_busy() {
	[ "$(awk '$3 == "10.77.0.12"' "$TIMING_LOG" | wc -l)" -ge 12 ] &&
		[ "$(psql_q "SELECT count(*) FROM urls WHERE state = 1 AND claimed_by LIKE 'm2/%'")" -gt 0 ]
}
wait_for 120 m2_busy
ok $? "m2 fetched pages and holds claims" || diag "$(tail -n 5 "$HARNESS_TMP/m2.log")"
is "$(psql_q "SELECT count(DISTINCT usename || client_addr::text) FROM pg_stat_activity
	WHERE usename = 'patrol' AND client_addr << '10.77.0.0/24'::inet")" 3 \
	"the three machines are connected as patrol over TCP"
kill -KILL "$p2"
killed_ms=$(date +%s%3N)
wait "$p2" 2>/dev/null
psql_q "SELECT url FROM urls WHERE state = 1 AND claimed_by LIKE 'm2/%'" | sed "s|^http://||" | sort >"$HARNESS_TMP/claimed"
psql_q "SELECT id || ' ' || (extract(epoch FROM lease_until) * 1000)::bigint || ' ' || origin FROM hosts
	WHERE lease_owner LIKE 'm2/%'" >"$HARNESS_TMP/m2-hosts"
note "m2 killed holding $(wc -l <"$HARNESS_TMP/m2-hosts") host(s) and $(wc -l <"$HARNESS_TMP/claimed") claim(s)"
[ -s "$HARNESS_TMP/m2-hosts" ]
ok $? "m2 held leases when it was killed"

wait "$p1"
ok $? "m1 ends by itself with status 0" || diag "$(tail -n 5 "$HARNESS_TMP/m1.log")"
wait "$p3"
ok $? "m3 ends by itself with status 0" || diag "$(tail -n 5 "$HARNESS_TMP/m3.log")"

# --- the job is done, once -------------------------------------------------------------
is "$(psql_q "SELECT count(*) FROM fetches")" "$pages" "every page fetched and stored once"
is "$(psql_q "SELECT count(*) FROM (SELECT 1 FROM fetches GROUP BY host_id, url_id HAVING count(*) > 1) d")" 0 \
	"no page stored twice"
is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"
is "$(psql_q "SELECT count(*) FROM hosts WHERE lease_owner IS NOT NULL")" 0 "every lease given back or taken over"
is "$(psql_q "SELECT count(DISTINCT split_part(worker, '/', 1)) FROM fetches")" 3 "all three machines stored pages"

# every request as "START-MS END-MS CLIENT LISTENER+URI" ($msec is when it ended)
awk '{ u = $4 $6; sub(/"$/, "", u); printf "%.0f %.0f %s %s\n", ($1 - $2) * 1000, $1 * 1000, $3, u }' \
	"$TIMING_LOG" | sort -n -k1,1 -k2,2 >"$HARNESS_TMP/requests"
# per page (robots.txt left out): "URL COUNT FIRST-CLIENT LAST-CLIENT", in start order
awk '$4 !~ /\/robots\.txt$/ { n[$4]++; if (!($4 in first)) first[$4] = $3; last[$4] = $3 }
	END { for (u in n) print u, n[u], first[u], last[u] }' "$HARNESS_TMP/requests" >"$HARNESS_TMP/per-uri"
awk '$2 > 1 { print $1 }' "$HARNESS_TMP/per-uri" | sort >"$HARNESS_TMP/twice"
note "requested twice: $(wc -l <"$HARNESS_TMP/twice") page(s)"
is "$(comm -23 "$HARNESS_TMP/twice" "$HARNESS_TMP/claimed" | head -n 5 | tr '\n' ' ')" "" \
	"only pages m2 had claimed were requested twice"
is "$(awk '$2 > 2' "$HARNESS_TMP/per-uri" | wc -l)" 0 "and none more than twice"
is "$(awk '$2 > 1 && ($3 != "10.77.0.12" || $4 == "10.77.0.12")' "$HARNESS_TMP/per-uri" | wc -l)" 0 \
	"each first by m2, then by another machine"
is "$(wc -l <"$HARNESS_TMP/per-uri")" "$pages" "every page was requested"

# --- m2's hosts went to the others after its leases expired, not before -------------------
early=
while read -r _ until origin; do
	first=$(awk -v l="${origin#http://}/" -v k="$killed_ms" \
		'index($4, l) == 1 && $3 != "10.77.0.12" && $1 >= k { print $1; exit }' "$HARNESS_TMP/requests")
	if [ -n "$first" ] && [ "$first" -lt "$until" ]; then
		early+="$origin at $first before $until; "
	fi
done <"$HARNESS_TMP/m2-hosts"
is "$early" "" "no host of m2 was taken before its lease expired"

# --- politeness across the machines ------------------------------------------------------
short=
for i in 2 3 4 5 6 7; do
	short+=$(awk -v l="10.77.1.$i:$port/" -v min="$delay" 'index($4, l) == 1 {
		if (n++ && $1 - pend < min) printf "%s (%s) %.0f ms after %s (%s); ", $4, $3, $1 - pend, pu, pa
		pend = $2; pu = $4; pa = $3 }' "$HARNESS_TMP/requests")
done
is "$short" "" "per host, at least --delay-ms ($delay ms) between requests, whichever machine made them"

# --- the leases held by heartbeat -----------------------------------------------------------
is "$(cat "$HARNESS_TMP/m1.log" "$HARNESS_TMP/m3.log" | grep -c 'lost the lease')" 0 \
	"no live machine lost a lease (the heartbeat renews every lease_s / 3)"
is "$(grep -c 'took over the leases of' "$HARNESS_TMP/m1.log" "$HARNESS_TMP/m3.log" | awk -F: '{ s += $2 } END { print s }')" 0 \
	"no lease was judged by a PID: every machine has its own host name"

done_testing
