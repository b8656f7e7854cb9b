# multisite.sh - serve a site made by bench/gensite.py: one nginx, one server
# block per host, host i's directory DIR/127.0.0.(i+1) on 127.0.0.(i+1):PORT.
# Source after harness.sh (it uses the harness's nginx launcher, temp dir and
# cleanup trap).
#
#	. "$PATROL_SRC/tests/lib/multisite.sh"
#	python3 "$PATROL_SRC/bench/gensite.py" -n 2000 -H 4 -p "$port" -o "$HARNESS_TMP/site"
#	start_nginx_multi "$HARNESS_TMP/site" "$port" 4
#
# NGINX_WORKERS (default 1) sets worker_processes; use "auto" for benchmarks.
# NGINX_GZIP and NGINX_EXTRA_CONF (pasted into every server block) work as
# for start_nginx.

[ -n "${_MULTISITE_LOADED:-}" ] && return 0
_MULTISITE_LOADED=1

# start_nginx_multi DIR PORT H
start_nginx_multi() {
	local dir=$1 port=$2 hosts=$3 i addr servers='' listeners=()
	[ -d "$dir" ] || _harness_die "start_nginx_multi: no such directory: $dir"
	dir=$(cd "$dir" && pwd)
	case $hosts in
	'' | *[!0-9]*) _harness_die "start_nginx_multi: bad host count '$hosts'" ;;
	esac
	if [ "$hosts" -lt 1 ] || [ "$hosts" -gt 253 ]; then
		_harness_die "start_nginx_multi: host count must be 1..253"
	fi
	for ((i = 1; i <= hosts; i++)); do
		addr=127.0.0.$((i + 1))
		[ -d "$dir/$addr" ] || _harness_die "start_nginx_multi: no directory for host $i: $dir/$addr"
		servers+=$(_nginx_server "$dir/$addr" "${NGINX_EXTRA_CONF:-}" "$addr:$port")
		servers+=$'\n'
		listeners+=("$addr:$port")
	done
	_nginx_launch "$servers" "${listeners[@]}"
}
