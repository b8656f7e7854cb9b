#!/bin/sh
# make demo: serve the bundled sample site with nginx on loopback, crawl it into
# the embedded database, and print the flagged pages as a table.
#
# The crawl and nginx run in a private network namespace when one can be made
# (unshare -n), so the demo cannot reach anything off this machine.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
patrol="$root/patrol"
export PATROL_HOME="${PATROL_HOME:-$root/var}"
work="$PATROL_HOME/demo"
port=${DEMO_PORT:-8931}
job="${DEMO_JOB:-demo-$(date +%Y%m%d-%H%M%S)}"
export DEMO_JOB="$job"

mkdir -p "$work"
"$patrol" db start >/dev/null

cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 256; }
http {
	access_log $work/access.log;
	client_body_temp_path $work/tmp;
	proxy_temp_path $work/tmp;
	fastcgi_temp_path $work/tmp;
	uwsgi_temp_path $work/tmp;
	scgi_temp_path $work/tmp;
	types { text/html html; text/plain txt; }
	default_type application/octet-stream;
	charset off;
	server {
		listen 127.0.0.1:$port;
		root $root/demo/site;
	}
}
CONF
mkdir -p "$work/tmp"

run() {
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	"$nginx" -c "$work/nginx.conf" -e "$work/error.log" 2>/dev/null || "$nginx" -c "$work/nginx.conf"
	trap 'kill $(cat "$work/nginx.pid") 2>/dev/null || true' EXIT
	"$patrol" crawl --job "$job" --allow-private --concurrency 8 --quiet "http://127.0.0.1:$port/"
}

if [ "${DEMO_NETNS:-}" = 1 ]; then
	ip link set lo up
	run
	exit $?
fi

echo "patrol demo: crawling the sample site (demo/site) served on 127.0.0.1:$port"
if unshare -n true 2>/dev/null; then
	DEMO_NETNS=1 unshare -n sh "$0"
else
	run
fi
echo
"$patrol" export --format table --job "$job"
echo
echo "JSON lines: ./patrol export --job $job     database: ./patrol db status | stop"
# a coordinator for the web console (kept when it exists already)
if ! "$patrol" user list 2>/dev/null | grep -q '^demo '; then
	printf 'patrol-demo\n' | "$patrol" user add demo --role coordinator >/dev/null
fi
echo
echo "web console: run ./patrol serve, then open http://127.0.0.1:8700/ and log in as demo / patrol-demo"
