#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# crawl.sh - patrol, GNU Wget2 and Scrapy crawl the same generated site, side
# by side, in one run; prints pages/s, CPU seconds per 1,000 pages and peak
# RSS for each, and patrol's ratio to each peer. `make bench` runs it.
#
#	sh bench/crawl.sh        (or bash; it re-executes itself under bash)
#
# Environment: BENCH_PAGES (default 20000), BENCH_HOSTS (8), BENCH_CONCURRENCY
# (16), BENCH_PER_HOST (2), BENCH_TIMEOUT (seconds per crawler, 600),
# BENCH_CRAWLERS (which to run, default "patrol wget2 scrapy"; patrol2 is two patrol
# crawl processes on one job), BENCH_PATROL_OPTS
# (more patrol crawl options, e.g. "--workers 1"),
# HARNESS_KEEP=1 keeps the temp dir with every log.
#
# Everything runs inside the test harness's private network namespace
# (tests/lib/harness.sh): only 127.0.0.0/8 exists there. Each crawler gets
# a fresh nginx (same site, same port, its own access log); the page counts
# come from that log, not from the crawlers' own reports.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PAGES=${BENCH_PAGES:-20000}
HOSTS=${BENCH_HOSTS:-8}
CONC=${BENCH_CONCURRENCY:-16}
PER_HOST=${BENCH_PER_HOST:-2}
TIMEOUT=${BENCH_TIMEOUT:-600}
CRAWLERS=${BENCH_CRAWLERS:-patrol wget2 scrapy}
PORT=18080

for v in PAGES HOSTS CONC PER_HOST TIMEOUT; do
	case ${!v} in
	'' | *[!0-9]* | 0) echo "bench: $v must be a positive integer (got '${!v}')" >&2; exit 2 ;;
	esac
done
if [ "$HOSTS" -gt 253 ]; then echo "bench: BENCH_HOSTS must be at most 253" >&2; exit 2; fi

# The Python that has Scrapy: Debian's python3-scrapy lives in /usr/bin/python3's
# dist-packages, which another python3 first in PATH may not see.
scrapy_python() {
	local py
	for py in /usr/bin/python3 python3; do
		"$py" -c 'import scrapy' >/dev/null 2>&1 && { command -v "$py"; return 0; }
	done
	return 1
}

# Outside the namespace (first pass only; apt needs the real network): install
# the peers when missing and we are root, otherwise say which will be skipped.
if [ -z "${PATROL_TEST_NETNS_FROM:-}" ] && [ -z "${PATROL_TEST_NETNS:-}" ]; then
	need=
	case " $CRAWLERS " in *" wget2 "*) command -v wget2 >/dev/null 2>&1 || need="$need wget2" ;; esac
	case " $CRAWLERS " in *" scrapy "*) scrapy_python >/dev/null || need="$need python3-scrapy" ;; esac
	if [ -n "$need" ]; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
			echo "bench: installing:$need"
			# shellcheck disable=SC2086
			if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1; then
				DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
				# shellcheck disable=SC2086
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null 2>&1 ||
					echo "bench: could not install$need; that peer will be skipped" >&2
			fi
		else
			echo "bench: not root: not installing$need (apt-get install -y wget2 python3-scrapy); that peer will be skipped" >&2
		fi
	fi
fi

# shellcheck source=../tests/lib/harness.sh
. "$BENCH_DIR/../tests/lib/harness.sh"
# shellcheck source=../tests/lib/multisite.sh
. "$BENCH_DIR/../tests/lib/multisite.sh"
harness_init "$@"
require_patrol
require_cmd python3 nginx timeout
[ -x /usr/bin/time ] || skip_all "/usr/bin/time not found (Debian package time)"

T=$HARNESS_TMP
SITE=$PATROL_SRC/bench/out/site
TICK=$(getconf CLK_TCK)

say() { printf '%s\n' "$*"; }

# ---------------------------------------------------------------- the site

say "bench: generating $PAGES pages over $HOSTS hosts (bench/gensite.py) ..."
reachable=$(python3 "$PATROL_SRC/bench/gensite.py" -n "$PAGES" -H "$HOSTS" -p "$PORT" -s 1 \
	-o "$SITE" --force 2>"$T/gensite.log")
[ -n "$reachable" ] || { cat "$T/gensite.log" >&2; BAIL_OUT "gensite.py failed"; }
mapfile -t seeds <"$SITE/seeds.txt"
domains=
for ((i = 1; i <= HOSTS; i++)); do
	domains+=${domains:+,}127.0.0.$((i + 1))
done

# BENCH_PG_STATEMENTS=N: rank the N statements that took PostgreSQL longest
# during each patrol crawl (pg_stat_statements, loaded for this run only)
PG_STMTS=${BENCH_PG_STATEMENTS:-0}
case $PG_STMTS in '' | *[!0-9]*) echo "bench: BENCH_PG_STATEMENTS must be a number" >&2; exit 2 ;; esac
[ "$PG_STMTS" -gt 0 ] && export HARNESS_PG_CONF="shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all"
start_pg
[ "$PG_STMTS" -gt 0 ] && psql_q "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
say "bench: PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{ print $3 }') in $PG_DIR (fsync off)"

# ---------------------------------------------------------------- measuring

# tree_ticks PID: CPU ticks (user+sys) of process PID, the children it has
# reaped (cutime/cstime) and its live children. For the PostgreSQL cluster
# (PID = the postmaster) that is every backend so far, ended ones included.
tree_ticks() {
	local root=$1 pid s f total=0
	[ -n "$root" ] || { echo 0; return; }
	for s in /proc/[0-9]*/stat; do
		pid=${s#/proc/}
		pid=${pid%/stat}
		s=$(cat "$s" 2>/dev/null) || continue
		s=${s##*) }
		read -r -a f <<<"$s"
		# f[1] = ppid; f[11..14] = utime stime cutime cstime
		if [ "$pid" = "$root" ] || [ "${f[1]}" = "$root" ]; then
			total=$((total + f[11] + f[12] + f[13] + f[14]))
		fi
	done
	echo "$total"
}

pg_ticks() { tree_ticks "$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)"; }

# time_field FILE LABEL: one value from /usr/bin/time -v's report.
time_field() {
	awk -F': ' -v l="$2" 'index($0, l) { v = $NF } END { print v }' "$1"
}

# wall seconds from time -v's "h:mm:ss" or "m:ss.ss"
wall_seconds() {
	time_field "$1" "Elapsed (wall clock) time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'
}

declare -A R_LOAD R_REQ R_PAGES R_DUP R_MISS R_OTHER R_WALL R_CPU R_RSS R_RC R_CMD R_PGCPU R_NGX

# run_crawler NAME CMD...: a fresh nginx, the crawler under /usr/bin/time -v
# (and timeout), then the counts from that nginx's access log.
run_crawler() {
	local name=$1 rc pg0 pg1 npid ng
	shift
	R_CMD[$name]=$(printf '%q ' "$@")
	NGINX_WORKERS=auto start_nginx_multi "$SITE" "$PORT" "$HOSTS"
	npid=$NGINX_PID
	R_LOAD[$name]=$(cut -d' ' -f1 /proc/loadavg)
	say "bench: $name (load average ${R_LOAD[$name]}) ..."
	[ "$PG_STMTS" -gt 0 ] && psql_q "SELECT pg_stat_statements_reset()" >/dev/null
	pg0=$(pg_ticks)
	/usr/bin/time -v -o "$T/$name.time" timeout -k 5 "$TIMEOUT" "$@" \
		</dev/null >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	pg1=$(pg_ticks)
	ng=$(tree_ticks "$npid")
	stop_nginx "$npid"
	R_RC[$name]=$rc
	R_PGCPU[$name]=$(awk -v t=$((pg1 - pg0)) -v hz="$TICK" 'BEGIN { printf "%.2f", t / hz }')
	# shellcheck disable=SC2034 # read through a nameref in extra
	R_NGX[$name]=$(awk -v t="$ng" -v hz="$TICK" 'BEGIN { printf "%.2f", t / hz }')
	cp "$NGINX_ACCESS_LOG" "$T/$name.access.log"
	# $2 = server addr:port, $4 = request URI + '"', $5 = status
	read -r "R_REQ[$name]" "R_PAGES[$name]" "R_DUP[$name]" "R_OTHER[$name]" < <(awk '
		{ p = $4; sub(/"$/, "", p); req++ }
		p == "/robots.txt" { next }
		$5 == 200 { if (!(($2 " " p) in seen)) { seen[$2 " " p] = 1; pages++ } else dup++; next }
		{ other++ }
		END { print req + 0, pages + 0, dup + 0, other + 0 }' "$NGINX_ACCESS_LOG")
	R_MISS[$name]=$((reachable - R_PAGES[$name]))
	R_WALL[$name]=$(wall_seconds "$T/$name.time")
	R_CPU[$name]=$(awk -v u="$(time_field "$T/$name.time" "User time (seconds)")" \
		-v s="$(time_field "$T/$name.time" "System time (seconds)")" 'BEGIN { printf "%.2f", u + s }')
	R_RSS[$name]=$(awk -v k="$(time_field "$T/$name.time" "Maximum resident set size (kbytes)")" \
		'BEGIN { printf "%.1f", k / 1024 }')
	[ "$rc" = 124 ] && say "bench: $name timed out after ${TIMEOUT}s"
	if [ "$PG_STMTS" -gt 0 ] && [ "${name#patrol}" != "$name" ]; then
		say "bench: $name: the $PG_STMTS statements PostgreSQL spent longest on (ms, calls, rows, query)"
		psql_q "SELECT round(total_exec_time)::bigint, calls, rows,
				left(regexp_replace(query, '\s+', ' ', 'g'), 110)
			FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT $PG_STMTS" |
			awk -F'|' '{ printf "  %7d ms %7d calls %8d rows  %s\n", $1, $2, $3, $4 }'
	fi
	if [ "$rc" != 0 ]; then
		say "bench: $name exited $rc; last lines of its stderr:"
		tail -n 5 "$T/$name.err" | sed 's/^/  | /'
	fi
}

# ---------------------------------------------------------------- the crawlers

ran=()
skipped=()
for c in $CRAWLERS; do
	case $c in
	patrol)
		mkdir -p "$PATROL_HOME"
		# The rule set is compiled once into the pattern cache, as a deployment
		# does when its rules change, not inside the timed crawl.
		"$PATROL_BIN" rules check >/dev/null 2>&1 ||
			say "bench: patrol rules check failed; the crawl compiles the rules itself"
		# shellcheck disable=SC2086 # BENCH_PATROL_OPTS is a list of options
		run_crawler patrol "$PATROL_BIN" crawl --job bench --allow-private \
			--concurrency "$CONC" --per-host "$PER_HOST" --quiet ${BENCH_PATROL_OPTS:-} "${seeds[@]}"
		R_STORED=$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id
			WHERE j.name = 'bench' AND u.state = 2" 2>/dev/null || echo '?')
		R_HITS=$(psql_q "SELECT count(*) FROM (SELECT DISTINCT host_id, url_id FROM hits) h" 2>/dev/null || echo '?')
		ran+=(patrol)
		;;
	patrol2)
		# two crawl processes started together on one job, as on two machines:
		# they share the hosts through leases and the URLs through claims
		mkdir -p "$PATROL_HOME"
		"$PATROL_BIN" rules check >/dev/null 2>&1 ||
			say "bench: patrol rules check failed; the crawls compile the rules themselves"
		# shellcheck disable=SC2016,SC2086 # the script is bash's; BENCH_PATROL_OPTS is a list
		run_crawler patrol2 bash -c 'b=$1; shift; "$b" "$@" & p=$!; "$b" "$@"; r=$?; wait "$p"; exit $((r | $?))' \
			patrol2 "$PATROL_BIN" crawl --job bench2 --allow-private \
			--concurrency "$CONC" --per-host "$PER_HOST" --quiet ${BENCH_PATROL_OPTS:-} "${seeds[@]}"
		ran+=(patrol2)
		;;
	wget2)
		if ! command -v wget2 >/dev/null 2>&1; then
			skipped+=("wget2 (not installed: apt-get install wget2)")
			continue
		fi
		run_crawler wget2 wget2 --no-config --recursive --level=0 --span-hosts --domains="$domains" \
			--max-threads="$CONC" --robots=on --wait=0 --tries=1 --quiet \
			--directory-prefix="$T/wget2" "${seeds[@]}"
		rm -rf "$T/wget2"
		ran+=(wget2)
		;;
	scrapy)
		if ! py=$(scrapy_python); then
			skipped+=("scrapy (not installed: apt-get install python3-scrapy)")
			continue
		fi
		run_crawler scrapy "$py" "$PATROL_SRC/bench/scrapy_spider.py" "$SITE/seeds.txt" \
			"$CONC" "$PER_HOST" "$T/scrapy.count"
		ran+=(scrapy)
		;;
	*) say "bench: unknown crawler '$c' in BENCH_CRAWLERS" ;;
	esac
done

# ---------------------------------------------------------------- the report

per_s() { awk -v p="$1" -v w="$2" 'BEGIN { printf "%.0f", (w > 0 ? p / w : 0) }'; }
per_k() { awk -v c="$1" -v p="$2" 'BEGIN { if (p > 0) printf "%.3f", c * 1000 / p; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2fx", a / b; else print "-" }'; }

say ""
say "bench: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)); $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
say "site: $PAGES pages ($reachable reachable from the seeds) over $HOSTS hosts, one nginx $(nginx -v 2>&1 | sed 's/.*\///') (worker_processes auto); concurrency $CONC, per host $PER_HOST"
if [ "$PATROL_BIN" -ef "$PATROL_SRC/patrol" ]; then
	build="$(git -C "$PATROL_SRC" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$PATROL_SRC" status --porcelain -uno 2>/dev/null | grep -q . && echo ', modified tree')"
else
	build=$PATROL_BIN
fi
say "versions: patrol $("$PATROL_BIN" --version 2>/dev/null | awk '{ print $NF }') ($build), $(wget2 --version 2>/dev/null | head -n 1 | awk '{ print "Wget2 " $3 }'), Scrapy $(${py:-python3} -c 'import scrapy; print(scrapy.__version__)' 2>/dev/null || echo '-')"
say ""
fmt='%-16s %8s %8s %5s %5s %8s %8s %8s %9s %8s %5s\n'
# shellcheck disable=SC2059
printf "$fmt" crawler requests pages dup miss wall_s pages/s cpu_s cpu_s/1k rss_MB exit
for c in "${ran[@]}"; do
	p=${R_PAGES[$c]}
	# shellcheck disable=SC2059
	printf "$fmt" "$c" "${R_REQ[$c]}" "$p" "${R_DUP[$c]}" "${R_MISS[$c]}" "${R_WALL[$c]}" \
		"$(per_s "$p" "${R_WALL[$c]}")" "${R_CPU[$c]}" "$(per_k "${R_CPU[$c]}" "$p")" "${R_RSS[$c]}" "${R_RC[$c]}"
	if [ "$c" = patrol2 ]; then
		# shellcheck disable=SC2059
		printf "$fmt" "patrol2+postgres" "" "" "" "" "" "" \
			"$(awk -v a="${R_CPU[$c]}" -v b="${R_PGCPU[$c]}" 'BEGIN { printf "%.2f", a + b }')" \
			"$(per_k "$(awk -v a="${R_CPU[$c]}" -v b="${R_PGCPU[$c]}" 'BEGIN { printf "%.2f", a + b }')" "$p")" "" ""
	fi
	if [ "$c" = patrol ]; then
		PATROL_CPU_DB=$(awk -v a="${R_CPU[$c]}" -v b="${R_PGCPU[$c]}" 'BEGIN { printf "%.2f", a + b }')
		# shellcheck disable=SC2059
		printf "$fmt" "patrol+postgres" "" "" "" "" "" "" "$PATROL_CPU_DB" "$(per_k "$PATROL_CPU_DB" "$p")" "" ""
	fi
done
say ""
# extra LABEL ARRAY: one line, each crawler's value from the associative ARRAY
extra() {
	local -n vals=$2
	printf '%-36s' "$1"
	for c in "${ran[@]}"; do printf ' %s %s ' "$c" "${vals[$c]}"; done
	printf '\n'
}
extra "PostgreSQL CPU s during each run:" R_PGCPU
extra "nginx CPU s during each run:" R_NGX
extra "load average (1 min) at each start:" R_LOAD
case " ${ran[*]} " in *" patrol "*)
	say "patrol stored $R_STORED pages in PostgreSQL, $R_HITS of them with hits"
	;;
esac
[ -f "$T/scrapy.count" ] && say "scrapy's own count: $(tr '\n' ' ' <"$T/scrapy.count")"

case " ${ran[*]} " in *" patrol "*)
	pp=$(per_s "${R_PAGES[patrol]}" "${R_WALL[patrol]}")
	pk=$(per_k "${R_CPU[patrol]}" "${R_PAGES[patrol]}")
	pkd=$(per_k "$PATROL_CPU_DB" "${R_PAGES[patrol]}")
	for c in "${ran[@]}"; do
		[ "$c" = patrol ] || [ "$c" = patrol2 ] && continue
		say ""
		say "patrol vs $c:"
		say "  pages/s            $(ratio "$pp" "$(per_s "${R_PAGES[$c]}" "${R_WALL[$c]}")") (higher is better for patrol)"
		say "  CPU per 1k pages   $(ratio "$pk" "$(per_k "${R_CPU[$c]}" "${R_PAGES[$c]}")") without PostgreSQL, $(ratio "$pkd" "$(per_k "${R_CPU[$c]}" "${R_PAGES[$c]}")") with it (lower is better)"
		say "  peak RSS           $(ratio "${R_RSS[patrol]}" "${R_RSS[$c]}") (lower is better; PostgreSQL not included)"
	done
	;;
esac

say ""
say "commands (each run as: /usr/bin/time -v timeout -k 5 $TIMEOUT CMD, PATROL_DB from the throwaway cluster):"
for c in "${ran[@]}"; do
	say "  $c: ${R_CMD[$c]}"
done
for s in "${skipped[@]}"; do
	say "skipped: $s"
done

incomplete=0
for c in "${ran[@]}"; do
	if [ "${R_MISS[$c]}" != 0 ] || [ "${R_DUP[$c]}" != 0 ] || [ "${R_OTHER[$c]}" != 0 ] || [ "${R_RC[$c]}" != 0 ]; then
		say "note: $c fetched ${R_PAGES[$c]} of $reachable reachable pages, ${R_DUP[$c]} of them more than once, ${R_OTHER[$c]} requests not answered 200, exit status ${R_RC[$c]}"
		incomplete=1
	fi
done
if [ "$incomplete" = 0 ] && [ "${#ran[@]}" -gt 0 ]; then
	say "every crawler fetched every reachable page exactly once"
else
	export HARNESS_KEEP=1 # the logs stay in $T
fi
exit 0
