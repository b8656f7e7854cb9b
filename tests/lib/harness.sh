# harness.sh - the library every integration test (tests/NN-name.t) sources.
#
# A test is a bash script that speaks TAP and runs under prove:
#
#	#!/usr/bin/env bash
#	# shellcheck source-path=SCRIPTDIR
#	set -u
#	. "$(dirname "$0")/lib/harness.sh"
#	harness_init "$@"          # private netns + temp dir + cleanup trap
#	require_patrol             # skip when ./patrol is not built
#	start_pg                   # throwaway cluster, exports PATROL_DB
#	port=$(free_port)
#	start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
#	patrol_run crawl --job t "http://127.0.0.1:$port/"
#	ok $? "crawl exits 0" || patrol_diag
#	is "$(access_count /private/secret.html)" 0 "robots.txt obeyed"
#	done_testing
#
# The functions:
#
#   TAP       plan N, no_plan, ok STATUS DESC, pass DESC, fail DESC,
#             check DESC CMD..., check_fails DESC CMD..., is GOT WANT DESC,
#             isnt, like GOT REGEX DESC, unlike, skip N WHY, skip_all WHY,
#             diag MSG (stderr), note MSG (stdout), BAIL_OUT WHY,
#             done_testing [N]
#   setup     harness_init "$@", require_cmd CMD..., require_patrol,
#             harness_track PID, wait_for SECS CMD..., free_port,
#             can_connect ADDR PORT
#   postgres  start_pg, stop_pg [fast|immediate], restart_pg, psql_q SQL
#   nginx     start_nginx ROOT ADDR:PORT..., stop_nginx [PID], nginx_pids,
#             access_paths [ADDR:PORT], access_count URI [ADDR:PORT],
#             access_status URI [ADDR:PORT]
#             (start_nginx_multi DIR PORT H in multisite.sh)
#   patrol    patrol_run ARGS..., patrol_bg ARGS..., patrol_diag
#   fixtures  site_expected SITE fetch|never|flag|clean
#
# Exported: HARNESS_TMP, HARNESS_SITES, PATROL_SRC, PATROL_BIN, PATROL_HOME;
# after start_pg PATROL_DB (the superuser's), PATROL_APP_DB (the application
# role's, which patrol_run and patrol_bg give patrol; the schema is migrated),
# PGHOST, PGPORT, PGUSER, PGDATABASE, PG_BINDIR, PG_DATA, PG_LOG; after start_nginx NGINX_DIR, NGINX_CONF, NGINX_PID,
# NGINX_ACCESS_LOG, NGINX_ERROR_LOG; after patrol_run PATROL_OUT, PATROL_ERR.
#
# Isolation. harness_init re-executes the test inside a private network
# namespace whose only interface is lo, so a crawl under test can reach
# 127.0.0.0/8 and nothing else: a stray link to a real host fails at
# connect() with "Network is unreachable" and never leaves the machine (and
# names do not resolve: no DNS server is reachable). The test also gets its
# own PID namespace and /proc, so ps shows only the test's processes. The
# whole of 127.0.0.0/8 is routed to lo on Linux, so servers may listen on
# 127.0.0.2, 127.0.0.3, ... with no setup. When the namespaces cannot be
# made (no CAP_SYS_ADMIN and no unprivileged user namespaces) the test is
# skipped with the reason.
#
# Cleanup. An EXIT trap stops every child the harness started (nginx, the
# PostgreSQL cluster, anything passed to harness_track). It removes the temp
# dir when every test passed and keeps it, saying where, when any failed or
# the script died; logs live there (pg/server.log, nginx*/error.log,
# nginx*/access.log, patrol.log). HARNESS_KEEP=1 keeps it always. The
# namespaces are the backstop: the test's shell is PID 1 of its PID
# namespace and is SIGKILLed when unshare, its parent, dies, so a test
# killed from outside (Ctrl-C or a CI timeout reach unshare too) takes
# everything in its namespace with it at once, System V IPC included; its
# temp dir is then left behind. (Bash runs a trap only when the foreground
# command ends, so the kernel, not the trap, is what makes this prompt.)
#
# Environment read: TMPDIR, PATROL_BIN (default <repo>/patrol), PATROL_SRC
# (default: the repository holding this file), HARNESS_KEEP, PATROL_TIMEOUT
# (seconds per patrol_run, default 300), NGINX_GZIP, NGINX_WORKERS,
# NGINX_EXTRA_CONF, NGINX_EXTRA_HTTP_CONF.
#
# Access log format (one line per request, fields separated by one space):
#
#	$remote_addr $server_addr:$server_port "$request_method $request_uri" $status $body_bytes_sent
#	127.0.0.1 127.0.0.2:40123 "GET /a/b.html?x=1" 200 512
#
# The library is safe under set -u and does not turn on set -e.

[ -n "${_HARNESS_LOADED:-}" ] && return 0
_HARNESS_LOADED=1

HARNESS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PATROL_SRC=${PATROL_SRC:-$(cd "$HARNESS_LIB/../.." && pwd)}
PATROL_BIN=${PATROL_BIN:-$PATROL_SRC/patrol}
HARNESS_SITES=$PATROL_SRC/tests/sites
export PATROL_SRC PATROL_BIN HARNESS_SITES

HARNESS_TMP=
_tap_n=0
_tap_failed=0
_tap_plan=
_tap_done=0
_tap_skipped_all=0
_harness_broken=0
_harness_pids=()
_nginx_pids=()
_nginx_dirs=()
_pg_running=0

# ---------------------------------------------------------------- TAP

# plan N: declare N tests up front.
plan() {
	_tap_plan=$1
	printf '1..%s\n' "$1"
}

# no_plan: the plan is printed by done_testing.
no_plan() {
	_tap_plan=none
}

# Where the test file called us from: "FILE line N".
_tap_where() {
	local i libdir=${BASH_SOURCE[0]%/*}
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [ "${BASH_SOURCE[i]%/*}" != "$libdir" ]; then
			printf '%s line %s' "${BASH_SOURCE[i]}" "${BASH_LINENO[i - 1]}"
			return
		fi
	done
	printf 'unknown place'
}

# diag MSG...: a comment on stderr (shown by prove even without -v).
diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line" >&2
	done <<<"$*"
}

# note MSG...: a comment on stdout (shown by prove -v only).
note() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

# ok STATUS DESC: passes when STATUS is 0 (so `ok $? "..."` reads naturally).
# Returns STATUS-as-boolean so `ok ... || diag ...` works.
ok() {
	local status=$1 desc=${2:-}
	_tap_n=$((_tap_n + 1))
	if [ "$status" = 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$desc"
		return 0
	fi
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "$desc"
	diag "  Failed test '$desc'"
	diag "  at $(_tap_where)"
	return 1
}

pass() { ok 0 "${1:-}"; }
fail() { ok 1 "${1:-}"; }

# check DESC CMD ARGS...: runs the command, passes when it exits 0; on
# failure its output and status are shown.
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if ok "$rc" "$desc"; then
		return 0
	fi
	diag "  command: $*
  exit status: $rc"
	[ -n "$out" ] && diag "$(printf '%s\n' "$out" | head -n 40 | sed 's/^/  | /')"
	return 1
}

# check_fails DESC CMD ARGS...: passes when the command exits non-zero.
check_fails() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != 0 ]; then
		ok 0 "$desc"
		return 0
	fi
	ok 1 "$desc"
	diag "  command: $*
  exited 0 but should have failed"
	[ -n "$out" ] && diag "$(printf '%s\n' "$out" | head -n 40 | sed 's/^/  | /')"
	return 1
}

# is GOT WANT DESC: string equality.
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "${3:-}"
		return 0
	fi
	ok 1 "${3:-}"
	diag "         got: '$1'
    expected: '$2'"
	return 1
}

# isnt GOT UNWANTED DESC
isnt() {
	if [ "$1" != "$2" ]; then
		ok 0 "${3:-}"
		return 0
	fi
	ok 1 "${3:-}"
	diag "         got: '$1'
    expected: anything else"
	return 1
}

# like GOT REGEX DESC: bash extended regex ([[ =~ ]]), unanchored.
like() {
	if [[ $1 =~ $2 ]]; then
		ok 0 "${3:-}"
		return 0
	fi
	ok 1 "${3:-}"
	diag "                  '$1'
    doesn't match '$2'"
	return 1
}

# unlike GOT REGEX DESC
unlike() {
	if ! [[ $1 =~ $2 ]]; then
		ok 0 "${3:-}"
		return 0
	fi
	ok 1 "${3:-}"
	diag "                  '$1'
          matches '$2'"
	return 1
}

# skip N REASON: records N skipped tests.
skip() {
	local i
	for ((i = 0; i < $1; i++)); do
		_tap_n=$((_tap_n + 1))
		printf 'ok %d # skip %s\n' "$_tap_n" "${2:-}"
	done
}

# skip_all REASON: skips the whole file. Call before any test has run.
skip_all() {
	_tap_skipped_all=1
	printf '1..0 # SKIP %s\n' "$*"
	exit 0
}

# BAIL_OUT REASON: stops the whole prove run.
BAIL_OUT() {
	_harness_broken=1
	printf 'Bail out! %s\n' "$*"
	exit 255
}

# done_testing [N]: prints the plan when none was given and exits: 0 when all
# passed, the number of failures (max 254) otherwise, 255 when the count of
# tests does not match the plan.
done_testing() {
	local rc=0
	_tap_done=1
	if [ -n "${1:-}" ] && [ "$_tap_plan" != none ] && [ -n "$_tap_plan" ]; then
		[ "$1" = "$_tap_plan" ] || { diag "done_testing($1) but plan was $_tap_plan"; rc=255; }
	fi
	if [ -z "$_tap_plan" ] || [ "$_tap_plan" = none ]; then
		_tap_plan=${1:-$_tap_n}
		printf '1..%s\n' "$_tap_plan"
	fi
	if [ "$_tap_n" != "$_tap_plan" ]; then
		diag "Looks like you planned $_tap_plan tests but ran $_tap_n."
		rc=255
	elif [ "$_tap_failed" -gt 0 ]; then
		diag "Looks like you failed $_tap_failed test(s) of $_tap_n."
		rc=$((_tap_failed > 254 ? 254 : _tap_failed))
	fi
	exit "$rc"
}

# A failure of the harness itself (a server that will not start): record it
# as a failed test with the log, then end the script (the trap keeps the dir).
_harness_die() {
	local msg=$1 log=${2:-}
	_harness_broken=1
	ok 1 "harness: $msg"
	if [ -n "$log" ] && [ -f "$log" ]; then
		diag "  last lines of $log:"
		diag "$(tail -n 25 "$log" | sed 's/^/  | /')"
	fi
	exit 1
}

# require_cmd CMD...: skips the file when a command is missing.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c not found"
	done
}

# require_patrol: skips the file when the patrol binary has not been built.
require_patrol() {
	[ -x "$PATROL_BIN" ] || skip_all "patrol binary not found at $PATROL_BIN (run make)"
}

# ---------------------------------------------------------------- init

_harness_netns_id() {
	# /proc/self, not /proc/$$: inside the PID namespace $$ is 1.
	readlink /proc/self/ns/net 2>/dev/null
}

_harness_lo_up() {
	ip -o link show dev lo 2>/dev/null | grep -q '<[^>]*[<,]UP[,>]'
}

# Re-executes the calling script in private network and PID namespaces,
# unless it already runs in one the harness made (PATROL_TEST_NETNS holds the
# namespace's id, so an exported marker from elsewhere is not trusted).
_harness_enter_netns() {
	local script me why uid gid
	me=$(_harness_netns_id)
	if [ -n "${PATROL_TEST_NETNS_FROM:-}" ]; then
		# First run inside the new namespaces.
		if [ "$me" = "$PATROL_TEST_NETNS_FROM" ]; then
			skip_all "unshare did not give a new network namespace"
		fi
		unset PATROL_TEST_NETNS_FROM
		export PATROL_TEST_NETNS=$me
		if ! _harness_lo_up; then
			why=$(ip link set dev lo up 2>&1) || skip_all "cannot bring lo up in the private network namespace: $why"
		fi
		return 0
	fi
	[ -n "${PATROL_TEST_NETNS:-}" ] && [ "$PATROL_TEST_NETNS" = "$me" ] && return 0

	command -v unshare >/dev/null 2>&1 || skip_all "unshare (util-linux) not found"
	command -v ip >/dev/null 2>&1 || skip_all "ip (iproute2) not found"
	script=${BASH_SOURCE[${#BASH_SOURCE[@]} - 1]}
	case $script in /*) ;; *) script=$PWD/$script ;; esac
	export PATROL_TEST_NETNS_FROM=$me

	if why=$(unshare --net --pid --ipc --fork --mount-proc true 2>&1); then
		exec unshare --net --pid --ipc --fork --mount-proc --kill-child=SIGKILL -- "$BASH" "$script" "$@"
	fi
	# Without privilege: a user namespace maps us to root long enough to bring
	# lo up, then a nested one maps us back to our own uid, so that tools which
	# refuse root (initdb) and tools which check the uid behave as outside.
	if unshare --user --map-root-user --net --pid --ipc --fork --mount-proc true 2>/dev/null; then
		uid=$(id -u)
		gid=$(id -g)
		# shellcheck disable=SC2016
		exec unshare --user --map-root-user --net --pid --ipc --fork --mount-proc --kill-child=SIGKILL -- \
			"$BASH" -c 'ip link set dev lo up && exec unshare --user --map-user="$1" --map-group="$2" -- "$3" "${@:4}"' \
			harness "$uid" "$gid" "$BASH" "$script" "$@"
	fi
	unset PATROL_TEST_NETNS_FROM
	skip_all "cannot create a private network namespace: ${why:-unshare failed}"
}

# harness_init "$@": call first, passing the script's arguments. Enters the
# private namespaces (re-executing the script), makes HARNESS_TMP (mode 755,
# so the postgres user can reach the sockets in it) and sets the trap.
harness_init() {
	_harness_enter_netns "$@"
	umask 022
	HARNESS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/patrol-test.XXXXXX") ||
		BAIL_OUT "cannot make a temp dir under ${TMPDIR:-/tmp}"
	chmod 755 "$HARNESS_TMP"
	: >"$HARNESS_TMP/ports"
	export HARNESS_TMP
	export PATROL_HOME="$HARNESS_TMP/home"
	# One pattern cache for the whole run (make test sets PATROL_TEST_CACHE):
	# its entries are keyed by everything that decides them, so the shipped
	# rules compile once per run instead of once per test file.
	if [ -n "${PATROL_TEST_CACHE:-}" ] && mkdir -p "$PATROL_TEST_CACHE" "$PATROL_HOME"; then
		chmod 700 "$PATROL_TEST_CACHE"
		ln -s "$PATROL_TEST_CACHE" "$PATROL_HOME/cache"
	fi
	trap _harness_exit EXIT
	trap '_harness_signal 129' HUP
	trap '_harness_signal 130' INT
	trap '_harness_signal 143' TERM
}

_harness_signal() {
	_harness_broken=1
	diag "killed by a signal"
	exit "$1"
}

# harness_track PID: stop this process (TERM, then KILL) when the test ends.
harness_track() {
	_harness_pids+=("$1")
}

# _harness_stop_pid PID [SECONDS]: TERM, wait, then KILL.
_harness_stop_pid() {
	local pid=$1 tries=$((${2:-5} * 10))
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

_harness_exit() {
	local rc=$? keep=0 i
	trap - EXIT HUP INT TERM

	for ((i = ${#_harness_pids[@]} - 1; i >= 0; i--)); do
		_harness_stop_pid "${_harness_pids[i]}" 5
	done
	for ((i = ${#_nginx_pids[@]} - 1; i >= 0; i--)); do
		_harness_stop_pid "${_nginx_pids[i]}" 5
	done
	[ "$_pg_running" = 1 ] && stop_pg fast >/dev/null 2>&1

	if [ "$_tap_skipped_all" = 0 ] && [ "$_tap_done" = 0 ]; then
		if [ "$_tap_plan" = none ] || { [ -z "$_tap_plan" ] && [ "$_tap_n" -gt 0 ]; }; then
			printf '1..%s\n' "$_tap_n"
			[ "$_harness_broken" = 0 ] && diag "done_testing was not called"
			[ "$rc" = 0 ] && rc=254
		elif [ -n "$_tap_plan" ] && [ "$_tap_n" != "$_tap_plan" ]; then
			diag "Looks like you planned $_tap_plan tests but ran $_tap_n."
			[ "$rc" = 0 ] && rc=255
		elif [ "$_harness_broken" = 0 ]; then
			# The plan was met: the status is the failure count, as from
			# done_testing, not whatever the last command returned.
			rc=$((_tap_failed > 254 ? 254 : _tap_failed))
			[ "$rc" != 0 ] && diag "Looks like you failed $_tap_failed test(s) of $_tap_n."
		fi
	fi
	[ "$rc" != 0 ] && keep=1
	[ "$_tap_failed" -gt 0 ] && keep=1
	[ "$_harness_broken" = 1 ] && keep=1
	[ -n "${HARNESS_KEEP:-}" ] && [ "${HARNESS_KEEP:-0}" != 0 ] && keep=1

	if [ -n "$HARNESS_TMP" ] && [ -d "$HARNESS_TMP" ]; then
		if [ "$keep" = 1 ]; then
			diag "keeping $HARNESS_TMP (logs: $(cd "$HARNESS_TMP" && find . -maxdepth 2 -name '*.log' -printf '%P ' 2>/dev/null))"
		else
			rm -rf "$HARNESS_TMP"
		fi
	fi
	exit "$rc"
}

# wait_for SECONDS CMD ARGS...: polls every 0.1 s until CMD succeeds; returns
# 1 on timeout.
wait_for() {
	local tries=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -le 0 ] && return 1
		sleep 0.1
	done
	return 0
}

# ---------------------------------------------------------------- ports

_port_in_use() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ] && return 0
		[ -n "$(ss -Huan "sport = :$1" 2>/dev/null)" ] && return 0
		return 1
	fi
	(: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: prints a TCP port no socket uses and free_port has not handed
# out before in this test (so two calls never collide before the first bind).
free_port() {
	local p i
	for ((i = 0; i < 500; i++)); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		grep -qx "$p" "$HARNESS_TMP/ports" 2>/dev/null && continue
		_port_in_use "$p" && continue
		printf '%s\n' "$p" >>"$HARNESS_TMP/ports"
		printf '%s\n' "$p"
		return 0
	done
	return 1
}

# can_connect ADDR PORT: a TCP connect succeeds (nothing is sent).
can_connect() {
	(: <>"/dev/tcp/$1/$2") 2>/dev/null
}

# ---------------------------------------------------------------- PostgreSQL

# Sets PG_BINDIR to the newest PostgreSQL server bin dir.
_pg_find_bindir() {
	local d best=
	if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
		return 0
	fi
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null)
		[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && best=$d
	fi
	if [ -z "$best" ]; then
		while IFS= read -r d; do
			[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && best=$d
		done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
	fi
	if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then
		best=$(dirname "$(command -v initdb)")
	fi
	[ -n "$best" ] || return 1
	PG_BINDIR=$best
	export PG_BINDIR
}

# Runs a server command as the postgres system user when we are root.
_pg_as() {
	if [ "$(id -u)" = 0 ]; then
		(cd "$PG_DIR" && runuser -u postgres -- "$@")
	else
		(cd "$PG_DIR" && "$@")
	fi
}

# start_pg: a throwaway cluster on a Unix socket in HARNESS_TMP/pg, with a
# database "patrol". Exports PATROL_DB, PGHOST, PGPORT, PGUSER, PGDATABASE,
# PG_BINDIR, PG_DATA, PG_LOG. Skips the file when PostgreSQL is missing.
start_pg() {
	local opts pg_locale
	_pg_find_bindir || skip_all "PostgreSQL server binaries not found (initdb, pg_ctl)"
	command -v psql >/dev/null 2>&1 || [ -x "$PG_BINDIR/psql" ] || skip_all "psql not found"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || skip_all "running as root but there is no postgres user"
		command -v runuser >/dev/null 2>&1 || skip_all "runuser not found"
	fi

	PG_DIR=$HARNESS_TMP/pg
	PG_DATA=$PG_DIR/data
	PG_SOCKDIR=$PG_DIR
	PG_LOG=$PG_DIR/server.log
	PG_PORT=$(free_port) || _harness_die "no free port for PostgreSQL"
	mkdir -p "$PG_DIR"
	chmod 755 "$PG_DIR"
	if [ "$(id -u)" = 0 ]; then
		chown postgres: "$PG_DIR"
		runuser -u postgres -- test -x "$PG_DIR" ||
			_harness_die "the postgres user cannot reach $PG_DIR (set TMPDIR to a world-traversable dir)"
	fi
	if [ "${#PG_SOCKDIR}" -gt 90 ]; then
		_harness_die "socket dir path too long for a Unix socket: $PG_SOCKDIR (set TMPDIR shorter)"
	fi

	pg_locale=--no-locale
	locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && pg_locale=--locale=C.UTF-8
	if ! _pg_as "$PG_BINDIR/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 \
		"$pg_locale" --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		_harness_die "initdb failed" "$PG_DIR/initdb.log"
	fi
	cat >>"$PG_DATA/postgresql.conf" <<EOF

# set by tests/lib/harness.sh
listen_addresses = ''
unix_socket_directories = '$PG_SOCKDIR'
port = $PG_PORT
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
shared_buffers = 128MB
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
	# more settings for one run (bench/crawl.sh's BENCH_PG_STATEMENTS), a line each
	[ -z "${HARNESS_PG_CONF:-}" ] || printf '%s\n' "$HARNESS_PG_CONF" >>"$PG_DATA/postgresql.conf"
	_pg_start || _harness_die "PostgreSQL did not start" "$PG_LOG"

	export PG_BINDIR PG_DATA PG_LOG
	export PGHOST=$PG_SOCKDIR PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=patrol
	export PATROL_DB="host=$PG_SOCKDIR port=$PG_PORT dbname=patrol user=postgres"
	opts=$("$PG_BINDIR/createdb" -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres patrol 2>&1) ||
		_harness_die "createdb patrol failed: $opts" "$PG_LOG"
	# patrol works as the application role "patrol" (schema/009_roles.sql):
	# the migrations, which create the roles, run here as the superuser;
	# patrol_run and patrol_bg then connect as "patrol", while PATROL_DB and
	# psql_q stay the superuser's, to inspect and arrange state.
	PG_ADMIN_DB=$PATROL_DB
	export PATROL_APP_DB="host=$PG_SOCKDIR port=$PG_PORT dbname=patrol user=patrol"
	if [ -x "$PATROL_BIN" ]; then
		opts=$(PATROL_HOME=$HARNESS_TMP/home "$PATROL_BIN" db migrate 2>&1) ||
			_harness_die "patrol db migrate failed: $opts" "$PG_LOG"
	fi
	return 0
}

# _patrol_env: sets _patrol_pre to the words that run patrol as the
# application role (env PATROL_DB=...) when PATROL_DB is still the harness's
# superuser conninfo, else to nothing (PATROL_DB as the test left it).
_patrol_env() {
	_patrol_pre=()
	if [ -n "${PATROL_APP_DB:-}" ] && [ -n "${PG_ADMIN_DB:-}" ] &&
		[ "${PATROL_DB-}" = "$PG_ADMIN_DB" ]; then
		_patrol_pre=(env "PATROL_DB=$PATROL_APP_DB")
	fi
}

_pg_start() {
	_pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
		>>"$PG_DIR/pg_ctl.log" 2>&1 || return 1
	_pg_running=1
}

# stop_pg [fast|immediate|smart]: stops the cluster (the database "going
# away" in the middle of a test). restart_pg starts it again on the same
# socket and port.
stop_pg() {
	local mode=${1:-fast} pid
	[ "$_pg_running" = 1 ] || return 0
	if ! _pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m "$mode" -w -t 20 stop \
		>>"$PG_DIR/pg_ctl.log" 2>&1; then
		pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	fi
	_pg_running=0
}

restart_pg() {
	stop_pg fast
	_pg_start || _harness_die "PostgreSQL did not restart" "$PG_LOG"
}

# psql_q SQL: runs one statement against PATROL_DB, prints unaligned tuples
# (fields separated by '|'); ON_ERROR_STOP so a failure gives a non-zero exit.
psql_q() {
	psql "$PATROL_DB" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

# ---------------------------------------------------------------- nginx

# _nginx_launch SERVERS LISTEN...: writes an nginx.conf in a fresh
# HARNESS_TMP/nginx[.N] whose http block holds the common settings and the
# server blocks in SERVERS, starts nginx and waits until every LISTEN
# (ADDR:PORT) accepts. Sets and exports NGINX_DIR, NGINX_CONF, NGINX_PID,
# NGINX_ACCESS_LOG, NGINX_ERROR_LOG.
_nginx_launch() {
	local servers=$1 d n user_line gzip workers l pid tries
	shift
	command -v nginx >/dev/null 2>&1 || skip_all "nginx not found"
	n=${#_nginx_dirs[@]}
	d=$HARNESS_TMP/nginx
	[ "$n" -gt 0 ] && d=$HARNESS_TMP/nginx.$n
	mkdir -p "$d/tmp"
	user_line=
	[ "$(id -u)" = 0 ] && user_line='user root root;'
	gzip=${NGINX_GZIP:-off}
	workers=${NGINX_WORKERS:-1}

	cat >"$d/nginx.conf" <<EOF
# written by tests/lib/harness.sh
$user_line
daemon off;
master_process on;
worker_processes $workers;
pid $d/nginx.pid;
error_log $d/error.log notice;
events { worker_connections 4096; }
http {
	types {
		text/html html htm;
		text/plain txt;
		text/xml xml;
		text/css css;
		application/javascript js;
		application/json json;
		image/png png;
		image/jpeg jpg jpeg;
		image/gif gif;
		application/pdf pdf;
		application/gzip gz;
	}
	default_type application/octet-stream;
	charset off;
	sendfile on;
	tcp_nopush on;
	server_tokens off;
	keepalive_timeout 30s;
	keepalive_requests 10000;
	log_format patrol '\$remote_addr \$server_addr:\$server_port "\$request_method \$request_uri" \$status \$body_bytes_sent';
	access_log $d/access.log patrol;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	gzip $gzip;
	gzip_min_length 64;
	gzip_types text/plain text/xml text/css application/javascript application/json;
	${NGINX_EXTRA_HTTP_CONF:-}
$servers
}
EOF
	: >"$d/access.log"
	if ! nginx -t -q -p "$d" -c "$d/nginx.conf" -e "$d/error.log" >"$d/stderr.log" 2>&1; then
		_harness_die "bad nginx configuration $d/nginx.conf" "$d/stderr.log"
	fi
	nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" </dev/null >>"$d/stderr.log" 2>&1 &
	pid=$!
	_nginx_pids+=("$pid")
	_nginx_dirs+=("$d")

	for l in "$@"; do
		tries=100
		until can_connect "${l%:*}" "${l##*:}"; do
			kill -0 "$pid" 2>/dev/null || _harness_die "nginx exited at start" "$d/error.log"
			tries=$((tries - 1))
			[ "$tries" -le 0 ] && _harness_die "nginx does not accept on $l" "$d/error.log"
			sleep 0.05
		done
	done
	NGINX_DIR=$d
	NGINX_CONF=$d/nginx.conf
	NGINX_PID=$pid
	NGINX_ACCESS_LOG=$d/access.log
	NGINX_ERROR_LOG=$d/error.log
	export NGINX_DIR NGINX_CONF NGINX_PID NGINX_ACCESS_LOG NGINX_ERROR_LOG
}

# _nginx_server ROOT EXTRA LISTEN...: one server block.
_nginx_server() {
	local root=$1 extra=$2 l
	shift 2
	printf '\tserver {\n'
	for l in "$@"; do
		printf '\t\tlisten %s;\n' "$l"
	done
	printf '\t\tserver_name _;\n\t\troot %s;\n\t\tindex index.html;\n\t\tautoindex off;\n' "$root"
	[ -n "$extra" ] && printf '\t\t%s\n' "$extra"
	printf '\t}\n'
}

# start_nginx ROOT ADDR:PORT [ADDR:PORT...]: serves the directory ROOT on
# every listener (one server block, server_name _). NGINX_GZIP=on turns gzip
# on; NGINX_EXTRA_CONF is pasted into the server block (custom locations:
# `location = /loop { return 301 /loop; }`), NGINX_EXTRA_HTTP_CONF into the
# http block. Can be called more than once; the NGINX_* variables describe
# the last instance started.
start_nginx() {
	local root=$1 l
	shift
	[ "$#" -gt 0 ] || _harness_die "start_nginx: no listener given"
	[ -d "$root" ] || _harness_die "start_nginx: no such directory: $root"
	root=$(cd "$root" && pwd)
	for l in "$@"; do
		case ${l%:*} in
		127.*) ;;
		*) _harness_die "start_nginx: $l is not a loopback address" ;;
		esac
	done
	_nginx_launch "$(_nginx_server "$root" "${NGINX_EXTRA_CONF:-}" "$@")" "$@"
}

# stop_nginx [PID]: stops one instance (default: the last started).
stop_nginx() {
	local pid=${1:-${NGINX_PID:-}} i
	[ -n "$pid" ] || return 0
	_harness_stop_pid "$pid" 5
	for i in "${!_nginx_pids[@]}"; do
		[ "${_nginx_pids[i]}" = "$pid" ] && unset '_nginx_pids[i]'
	done
	_nginx_pids=("${_nginx_pids[@]}")
	return 0
}

# nginx_pids: the master PIDs of the nginx instances still running, one a line.
nginx_pids() {
	local pid
	for pid in "${_nginx_pids[@]}"; do
		kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
	done
	return 0
}

# access_paths [ADDR:PORT]: the request URIs ($request_uri: path and query,
# as sent) of the access log NGINX_ACCESS_LOG, in the order served, one a
# line; with ADDR:PORT, only requests to that listener.
access_paths() {
	awk -v want="${1:-}" '
		want == "" || $2 == want {
			u = $4; sub(/"$/, "", u); print u
		}' "$NGINX_ACCESS_LOG"
}

# access_count URI [ADDR:PORT]: how many times URI was requested.
access_count() {
	access_paths "${2:-}" | awk -v u="$1" '$0 == u { n++ } END { print n + 0 }'
}

# access_status URI [ADDR:PORT]: the statuses served for URI, one a line.
access_status() {
	awk -v u="$1" -v want="${2:-}" '
		want == "" || $2 == want {
			p = $4; sub(/"$/, "", p); if (p == u) print $5
		}' "$NGINX_ACCESS_LOG"
}

# ---------------------------------------------------------------- patrol

# patrol_run ARGS...: runs PATROL_BIN with PATROL_HOME in the temp dir, stdin
# from /dev/null, stdout and stderr to PATROL_OUT and PATROL_ERR (replaced on
# each run; every run is also appended to HARNESS_TMP/patrol.log). Killed
# after PATROL_TIMEOUT seconds (exit 124). Returns patrol's exit status.
patrol_run() {
	local rc
	PATROL_HOME=${PATROL_HOME:-$HARNESS_TMP/home}
	PATROL_OUT=$HARNESS_TMP/patrol.out
	PATROL_ERR=$HARNESS_TMP/patrol.err
	export PATROL_HOME PATROL_OUT PATROL_ERR
	mkdir -p "$PATROL_HOME"
	_patrol_env
	timeout -k 5 "${PATROL_TIMEOUT:-300}" ${_patrol_pre[@]+"${_patrol_pre[@]}"} "$PATROL_BIN" "$@" \
		</dev/null >"$PATROL_OUT" 2>"$PATROL_ERR"
	rc=$?
	{
		printf '$ patrol'
		printf ' %q' "$@"
		printf '\n'
		sed 's/^/out| /' "$PATROL_OUT"
		sed 's/^/err| /' "$PATROL_ERR"
		printf 'exit %s\n\n' "$rc"
	} >>"$HARNESS_TMP/patrol.log"
	[ "$rc" = 124 ] && diag "patrol $* timed out after ${PATROL_TIMEOUT:-300}s"
	return "$rc"
}

# patrol_bg ARGS...: starts patrol in the background (output appended to
# HARNESS_TMP/patrol-bg.log), tracks it for cleanup and sets PATROL_BG_PID.
patrol_bg() {
	PATROL_HOME=${PATROL_HOME:-$HARNESS_TMP/home}
	export PATROL_HOME
	mkdir -p "$PATROL_HOME"
	_patrol_env
	${_patrol_pre[@]+"${_patrol_pre[@]}"} "$PATROL_BIN" "$@" </dev/null >>"$HARNESS_TMP/patrol-bg.log" 2>&1 &
	PATROL_BG_PID=$!
	harness_track "$PATROL_BG_PID"
}

# patrol_diag: shows the last patrol_run's stderr as diagnostics.
patrol_diag() {
	[ -s "${PATROL_ERR:-}" ] && diag "$(tail -n 30 "$PATROL_ERR" | sed 's/^/  patrol| /')"
	return 0
}

# ---------------------------------------------------------------- fixture sites

# site_expected SITE KIND: the entries of KIND (fetch, never, flag, clean) in
# tests/sites/SITE/EXPECTED, without the keyword, one a line:
# "200 /index.html" for fetch, "/private/" for never, "drug_ad /ads/x.html"
# for flag, "/recipes/x.html" for clean.
site_expected() {
	awk -v kind="$2" '
		{ sub(/#.*/, "") }
		$1 == kind { $1 = ""; sub(/^ +/, ""); print }' "$HARNESS_SITES/$1/EXPECTED"
}
