#!/usr/bin/env bash
# Pattern compiles run in a fresh process: patrol forks and at once execs
# itself (the /proc/self/exe it opened at start) as "patrol __patset-child
# compile|probe" (classifiers/patset.c), which reads the expressions from a
# socket on its stdin and answers on it, within the bounds `rules check --compile-cpu
# SECONDS --compile-mem MIB` sets. Through the real `rules check`: what
# compiles, what Hyperscan refuses and what runs out of a bound are reported
# as before; the compile is seen running as the exec'd child (strace, ps,
# /proc/PID/exe); the child dies with its parent; it still starts once the
# binary was replaced on disk, and under valgrind; and the hidden entry
# point refuses to run by hand instead of waiting for a request.
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
cd "$PATROL_SRC" || BAIL_OUT "no source tree"

bin=$(readlink -f "$PATROL_BIN")
# LeakSanitizer cannot run under strace (ASan builds): the leak check is off there only
noleak="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

good="$HARNESS_TMP/good"
mkdir -p "$good"
cp lua/rules/drug_ad.lua "$good/"
big="$HARNESS_TMP/big"
mkdir -p "$big"
cp lua/rules/drug_ad.lua "$big/"
cat >"$big/too_large.lua" <<'LUA'
return {
  name = "big.bad",
  category = "drug_ad",
  patterns = {
    a = {
      "fine",
      { re = [[[^a]{300}b[^a]{300}]] },
    },
  },
  classify = function(page, m) return nil end,
}
LUA

# children: PID of a running patrol; appends "pid ppid exe | cmdline" of each child to file $2
children() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		printf '%s %s %s | %s\n' "$c" "$1" "$(readlink "/proc/$c/exe" 2>/dev/null)" \
			"$({ tr '\0' ' ' <"/proc/$c/cmdline"; } 2>/dev/null)" >>"$2"
	done
}

# gone PID: the process has ended (a zombie waiting for its reaper counts)
gone() {
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null
}

# watch_children PID FILE: children PID FILE every 0.1 s until PID ends (at most 120 s)
watch_children() {
	local _
	for _ in $(seq 1 1200); do
		gone "$1" && return
		children "$1" "$2"
		sleep 0.1
	done
}

# (a) patterns that compile: in an exec'd "patrol __patset-child compile"
patrol_run rules check --no-cache --rules "$good"
is "$?" 0 "rules check of a good rule file exits 0" || patrol_diag
like "$(cat "$PATROL_OUT")" "^1 rules, [0-9]+ patterns, 1 categories" "and counts its patterns"
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	ASAN_OPTIONS=$noleak strace -f -qq -e trace=execve,execveat -o "$HARNESS_TMP/strace.txt" \
		"$PATROL_BIN" rules check --no-cache --rules "$good" </dev/null >"$HARNESS_TMP/a.out" 2>&1
	is "$?" 0 "the same under strace" || diag "$(tail -5 "$HARNESS_TMP/a.out")"
	top=$(awk 'NR == 1 { print $1 }' "$HARNESS_TMP/strace.txt")
	exe_line=$(grep -F 'execveat(' "$HARNESS_TMP/strace.txt" | grep -F '["patrol", "__patset-child", "compile"]' |
		grep ' = 0$' | head -1)
	isnt "$exe_line" "" "the compile ran in a process that exec'd patrol as 'patrol __patset-child compile'" ||
		diag "$(cat "$HARNESS_TMP/strace.txt")"
	isnt "${exe_line%% *}" "$top" "a child, not patrol itself"
	unlike "$(cat "$HARNESS_TMP/strace.txt")" '__patset-child probe' "no probe when everything compiles"
	reaped=$(sed -n "s/^$top .*SIGCHLD .*si_pid=\([0-9]*\),.*/\1/p" "$HARNESS_TMP/strace.txt")
	bare=0
	for c in $reaped; do
		grep -q "^$c  *execveat(.*\[\"patrol\", \"__patset-child\"" "$HARNESS_TMP/strace.txt" ||
			bare=$((bare + 1))
	done
	ok "$([ -n "$reaped" ] && [ "$bare" = 0 ]; echo $?)" \
		"every child patrol waited for ($(echo $reaped)) had exec'd: none ran as a bare fork"
else
	skip 5 "strace cannot trace here"
fi

# under valgrind, /proc/self/exe is valgrind's own binary: the descriptor
# patrol opened is patrol's, and the child (outside valgrind) compiles for
# the platform its parent scans on (valgrind shows it fewer CPU features)
if [ "${PATROL_VARIANT:-release}" != asan ] && command -v valgrind >/dev/null 2>&1; then
	valgrind --tool=none -q "$PATROL_BIN" rules check --no-cache --rules "$good" </dev/null \
		>"$HARNESS_TMP/vg.out" 2>&1
	is "$?" 0 "rules check compiles under valgrind too" || diag "$(tail -5 "$HARNESS_TMP/vg.out")"
else
	skip 1 "no valgrind (or an ASan build, which valgrind cannot run)"
fi

# a request larger than the socket holds at once (1000 expressions of a
# kilobyte, mostly comment, so that they compile in no time) goes through whole
many="$HARNESS_TMP/many"
mkdir -p "$many"
cat >"$many/many.lua" <<'LUA'
local words = {}
for i = 1, 1000 do
  words[#words + 1] = { re = string.format("w%04d", i) .. "(?#" .. string.rep("x", 1000) .. ")" }
end
return {
  name = "many.words",
  category = "drug_ad",
  patterns = { w = words },
  classify = function(page, m) return nil end,
}
LUA
patrol_run rules check --no-cache --rules "$many"
is "$?" 0 "a request of over a megabyte compiles" || patrol_diag
like "$(cat "$PATROL_OUT")" "^1 rules, 1000 patterns" "every expression of it"

# (b) a pattern Hyperscan refuses when it compiles the database (not in the
# expression check): the compile child's refusal, named at file:line
patrol_run rules check --no-cache --rules "$big"
is "$?" 1 "a pattern Hyperscan refuses fails the check"
like "$(cat "$PATROL_ERR")" "$big/too_large.lua:7: pattern '\\[\\^a\\]\\{300\\}b\\[\\^a\\]\\{300\\}': Pattern is too large\\." \
	"named at file:line with Hyperscan's reason" || patrol_diag
like "$(cat "$PATROL_ERR")" "refused: 1 error in 1 file, each listed above" "the only error"

# (c) a pattern that runs out of the CPU bound: the compile child, then the
# probe child that names it, both exec'd, both this binary
seen="$HARNESS_TMP/c.children"
: >"$seen"
"$PATROL_BIN" rules check --no-cache --rules tests/rules/hsbound --compile-cpu 2 </dev/null \
	>"$HARNESS_TMP/c.out" 2>"$HARNESS_TMP/c.err" &
pid=$!
harness_track "$pid"
watch_children "$pid" "$seen"
wait "$pid"
is "$?" 1 "a pattern over the CPU bound fails the check"
like "$(cat "$HARNESS_TMP/c.err")" \
	"tests/rules/hsbound/b_han.lua:8: pattern '\\\\p\\{Han\\}\\{1,2000\\}': compiling it took over 2 s of CPU time" \
	"named at file:line, with the bound" || diag "$(cat "$HARNESS_TMP/c.err")"
check "the compile ran in an exec'd 'patrol __patset-child compile' of this binary" \
	grep -qF " $bin | patrol __patset-child compile " "$seen"
check "the probe naming the pattern too" grep -qF " $bin | patrol __patset-child probe " "$seen"

# (d) the memory bound, on top of what the fresh child holds (its own size
# after exec: under ASan that is terabytes of reserved shadow, so a base
# taken from anything else would refuse everything): ordinary patterns
# compile within it, the one that needs more is named
# Under ASan the bound also holds the sanitizer's quarantine, the freed blocks it
# keeps to catch a use after free: 256 MB by default, which a compile of a few
# hundred patterns fills with Hyperscan's temporaries and which would measure
# ASan rather than the compile. There the check runs with a 16 MB quarantine
# and a 256 MiB bound (the redzones and shadow of every live block still count).
mem=64
quarantine=
if [ "${PATROL_VARIANT:-release}" = asan ]; then
	mem=256
	quarantine="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
fi
ASAN_OPTIONS=${quarantine:-${ASAN_OPTIONS:-}} patrol_run rules check --no-cache --rules "$good" --compile-mem "$mem"
is "$?" 0 "the shipped drug_ad rule compiles within $mem MiB" || patrol_diag
if [ "${PATROL_VARIANT:-release}" = asan ]; then
	# the allocator's own out-of-memory report can hang under RLIMIT_DATA (the wall backstop ends it)
	skip 2 "a compile over the memory bound is tried on the release build, not under ASan"
else
	patrol_run rules check --no-cache --rules tests/rules/hsbound --compile-mem "$mem" --compile-cpu 60
	is "$?" 1 "a pattern over the memory bound fails the check"
	like "$(cat "$PATROL_ERR")" \
		"tests/rules/hsbound/b_han.lua:8: pattern '\\\\p\\{Han\\}\\{1,2000\\}': (Unable to allocate memory\\.|compiling it needed more than $mem MiB)" \
		"named at file:line" || patrol_diag
fi
patrol_run rules check --no-cache --compile-mem 0
is "$?" 2 "--compile-mem 0 is refused"
like "$(cat "$PATROL_ERR")" "option '--compile-mem' wants a number from 1 to 1048576, not '0'" "saying what it wants"

# (e) the child never outlives patrol (PR_SET_PDEATHSIG survives the exec)
: >"$seen"
"$PATROL_BIN" rules check --no-cache --rules tests/rules/hsbound --compile-cpu 120 </dev/null \
	>/dev/null 2>&1 &
pid=$!
harness_track "$pid"
wait_for 30 bash -c "ps -o pid= --ppid $pid | grep -q ."
cpid=$(ps -o pid= --ppid "$pid" | tr -d ' ' | head -1)
isnt "$cpid" "" "the compile child runs (pid ${cpid:-none})"
[ -n "$cpid" ] && harness_track "$cpid"
{ kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
check "it is gone once patrol is killed" wait_for 10 gone "${cpid:-0}"

# (f) the binary replaced on disk while patrol runs: later children still
# start from the running binary (the descriptor of /proc/self/exe patrol
# opened at start), not from the new file
mkdir -p "$HARNESS_TMP/bin"
cp "$bin" "$HARNESS_TMP/bin/patrol"
: >"$seen"
"$HARNESS_TMP/bin/patrol" rules check --no-cache --rules tests/rules/hsbound --compile-cpu 2 </dev/null \
	>"$HARNESS_TMP/f.out" 2>"$HARNESS_TMP/f.err" &
pid=$!
harness_track "$pid"
wait_for 30 bash -c "ps -o pid= --ppid $pid | grep -q ."
printf '#!/bin/sh\ntouch "%s/replaced-ran"\nexit 3\n' "$HARNESS_TMP" >"$HARNESS_TMP/bin/patrol.new"
chmod +x "$HARNESS_TMP/bin/patrol.new"
mv -f "$HARNESS_TMP/bin/patrol.new" "$HARNESS_TMP/bin/patrol"
watch_children "$pid" "$seen"
wait "$pid"
is "$?" 1 "patrol replaced on disk mid-check still ends the check"
like "$(cat "$HARNESS_TMP/f.err")" \
	"tests/rules/hsbound/b_han.lua:8: pattern '\\\\p\\{Han\\}\\{1,2000\\}': compiling it took over 2 s of CPU time" \
	"and names the pattern (the probe ran after the replacement)" || diag "$(cat "$HARNESS_TMP/f.err")"
check "the probe child ran the old, deleted binary" grep -qF "$HARNESS_TMP/bin/patrol (deleted) | patrol __patset-child probe " "$seen"
check "the new file never ran" test ! -e "$HARNESS_TMP/replaced-ran"

# (g) the hidden entry point is not a command
patrol_run --help
unlike "$(cat "$PATROL_OUT")" "patset" "patrol --help does not list it"
patrol_run __patset-child compile
is "$?" 2 "'patrol __patset-child compile' by hand exits 2"
like "$(cat "$PATROL_ERR")" "^patrol: '__patset-child compile' is started by patrol itself to compile patterns" \
	"with a clear error"
patrol_run __patset-child
is "$?" 2 "'patrol __patset-child' alone exits 2"
like "$(cat "$PATROL_ERR")" "'__patset-child' is patrol's own pattern compiler, not a command" "saying so"
printf 'PSRQ\001\000\000\000' | timeout 20 "$PATROL_BIN" __patset-child probe >/dev/null 2>"$HARNESS_TMP/g.err"
is "$?" 2 "a pipe on stdin is refused at once, not waited on"
like "$(cat "$HARNESS_TMP/g.err")" "is started by patrol itself" "with the same error"
done_testing
