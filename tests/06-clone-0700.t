#!/usr/bin/env bash
# `make demo`'s steps from a clone under a folder only its owner may enter
# (a clone in /root, mode 0700): as root, PostgreSQL runs as the postgres
# user, who cannot reach the folder, so the cluster must live elsewhere, be
# announced, and work for every later command of the clone.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
unset PATROL_DB PATROL_HOME

private="$HARNESS_TMP/private"
mkdir -m 0700 "$private"
clone="$private/patrol"
if git -C "$PATROL_SRC" rev-parse --git-dir >/dev/null 2>&1 &&
	git clone -q "$PATROL_SRC" "$clone" 2>/dev/null; then
	pass "cloned the repository under a 0700 folder"
else
	mkdir -p "$clone"
	pass "copied the repository under a 0700 folder (not a git checkout)"
fi
# The files under test are the working tree's, and the binary is the one built.
for d in scripts demo lua schema; do
	rm -rf "${clone:?}/$d"
	cp -a "$PATROL_SRC/$d" "$clone/$d"
done
cp "$PATROL_BIN" "$clone/patrol"
export PATROL_RUN_DIR="$HARNESS_TMP/run"
mkdir -p "$PATROL_RUN_DIR"

port=$(free_port)
(cd "$clone" && DEMO_PORT=$port timeout 300 sh scripts/demo.sh) >"$HARNESS_TMP/demo.out" 2>&1
ok $? "the demo runs from the clone" || diag "$(tail -20 "$HARNESS_TMP/demo.out")"
out=$(cat "$HARNESS_TMP/demo.out")
like "$out" "flagged pages? and categor" "the demo prints the flagged pages"
is "$(grep -c "127.0.0.1:$port/board/thread1.html" "$HARNESS_TMP/demo.out")" 1 "the demo flags board/thread1.html"

if [ "$(id -u)" = 0 ]; then
	data=$(ls -d "$PATROL_RUN_DIR"/*/pg/data 2>/dev/null | head -1)
	ok "$([ -n "$data" ] && [ -f "$data/PG_VERSION" ] && echo 0 || echo 1)" \
		"as root, the cluster lives under PATROL_RUN_DIR, where postgres can reach it"
	like "$out" "data in '$PATROL_RUN_DIR/[0-9a-f]+/pg/data'" "the demo says where the database is"
	is "$(stat -c '%U %a' "$(dirname "$data")")" "postgres 700" "owned by postgres, closed to others"
	is "$(cat "$(dirname "$(dirname "$data")")/home")" "$clone/var" "a note names the home it serves"
	ok "$([ -e "$clone/var/pg/data" ] && echo 1 || echo 0)" "no half-made cluster inside the clone"
else
	ok "$([ -f "$clone/var/pg/data/PG_VERSION" ] && echo 0 || echo 1)" \
		"not root: the cluster runs as the invoking user inside the clone"
	skip 4 "the postgres-user checks need root"
fi

# later commands from the clone find the same cluster
(cd "$clone" && ./patrol db status) >"$HARNESS_TMP/status.out" 2>&1
ok $? "db status from the clone: running" || diag "$(cat "$HARNESS_TMP/status.out")"
(cd "$clone" && ./patrol export --format jsonl) >"$HARNESS_TMP/export.out" 2>"$HARNESS_TMP/export.err"
ok $? "export from the clone"
ok "$([ -s "$HARNESS_TMP/export.out" ] && echo 0 || echo 1)" "export sees the demo's flagged pages"
unlike "$(cat "$HARNESS_TMP/export.err")" "created a new" "no second cluster is created"

# a failure to set up says what happened and how to fix it
if [ "$(id -u)" = 0 ]; then
	(cd "$clone" && PATROL_HOME="$private/other" PATROL_RUN_DIR=/proc/no-such-dir ./patrol db start) \
		>"$HARNESS_TMP/fail.out" 2>&1
	isnt "$?" 0 "db start fails when no place for the cluster can be made"
	like "$(cat "$HARNESS_TMP/fail.out")" "postgres user cannot reach .*PATROL_HOME=" \
		"and says why, with the command that fixes it"
else
	skip 2 "needs root"
fi
(cd "$clone" && PATROL_HOME="$HARNESS_TMP/h2" PATROL_PG_BINDIR=/nonexistent ./patrol db start) \
	>"$HARNESS_TMP/fail2.out" 2>&1
isnt "$?" 0 "db start fails without PostgreSQL's tools"
like "$(cat "$HARNESS_TMP/fail2.out")" "initdb was not found; install PostgreSQL with 'sh scripts/deps.sh'" \
	"and names the command that installs them"

(cd "$clone" && ./patrol db stop) >/dev/null 2>&1
ok $? "db stop from the clone"
done_testing
