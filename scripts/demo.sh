#!/bin/sh
# make demo: serve the bundled sample site with nginx on loopback, crawl it into
# the embedded database, print the flagged pages as a table, and follow one of
# them through the whole story: review, takedown request, the site removing
# the page, the recheck that sees it gone, and the report.
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
# Says where the database lives: as root, a home the postgres user cannot
# reach (a clone under /root) keeps its cluster under /var/lib/patrol.
if [ "${DEMO_NETNS:-}" = 1 ]; then
	"$patrol" db start >/dev/null
else
	started=$("$patrol" db start)
	echo "patrol demo: $started"
fi

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
		root $work/site;
	}
}
CONF
mkdir -p "$work/tmp"
# a copy to serve, so that the story can take a page off the site
rm -rf "$work/site"
cp -R "$root/demo/site" "$work/site"

run() {
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	"$nginx" -c "$work/nginx.conf" -e "$work/error.log" 2>/dev/null || "$nginx" -c "$work/nginx.conf"
	trap 'kill $(cat "$work/nginx.pid") 2>/dev/null || true' EXIT
	"$patrol" crawl --job "$job" --allow-private --concurrency 8 --quiet "http://127.0.0.1:$port/"
	echo
	"$patrol" export --format table --job "$job"
	story || echo "patrol demo: the story stopped early"
}

# One flagged page, from review to removal. Page ids and request ids only:
# the table above is where the URLs are.
story() {
	page=$("$patrol" review list --job "$job" --format csv --sort id | sed -n 2p | cut -d, -f1)
	[ -n "$page" ] || return 0
	path=$("$patrol" review show "$page" --json | sed -n 's|.*"url":"http://127.0.0.1:[0-9]*/\([^"]*\)".*|\1|p' | head -1)
	echo
	echo "patrol demo: the story of page $page"
	echo "\$ patrol review confirm $page"
	"$patrol" review confirm "$page" --as demo --comment "demo: confirmed"
	echo "\$ patrol takedown open $page --to site_operator --channel email"
	req=$("$patrol" takedown open "$page" --to site_operator --channel email --as demo --json |
		sed -n 's/.*"id":\([0-9]*\).*/\1/p')
	echo "request $req opened for page $page"
	echo "\$ patrol takedown send $req --ref DEMO-1"
	"$patrol" takedown send "$req" --ref DEMO-1 --as demo
	echo "(the site operator takes the page down)"
	[ -n "$path" ] && rm -f "$work/site/$path"
	echo "\$ patrol recheck $page"
	"$patrol" recheck "$page" --allow-private --delay-ms 0 --quiet --as demo
	echo "\$ patrol report --job $job --by source"
	"$patrol" report --job "$job" --by source
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
echo "JSON lines: ./patrol export --job $job     database: ./patrol db status | stop"
# a coordinator for the web console (kept when it exists already)
if ! "$patrol" user list 2>/dev/null | grep -q '^demo '; then
	printf 'patrol-demo\n' | "$patrol" user add demo --role coordinator >/dev/null
fi
echo
echo "web console: run ./patrol serve, then open http://127.0.0.1:8700/ and log in as demo / patrol-demo"
