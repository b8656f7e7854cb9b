#!/usr/bin/env bash
# Failures said plainly: a crawl or recheck that got nothing exits non-zero
# and names the cause (connection refused, an address that needs
# --allow-private); a page id that does not exist is an error; every option
# value is checked before it reaches SQL, with a message that names the
# option and the expected form; --db is honoured by `db status`.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg

port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
dead=$(free_port) # nothing listens there

# --- crawls that fetch nothing --------------------------------------------------
patrol_run crawl --job refused --allow-private --quiet "http://127.0.0.1:$dead/"
isnt "$?" 0 "a crawl of a server that refuses connections exits non-zero"
like "$(cat "$PATROL_ERR")" "network failures: connect refused=[1-9]" "the summary counts the refused connections"
like "$(cat "$PATROL_ERR")" "  http://127.0.0.1:$dead: connect refused=[1-9]" "and names the host they failed on"
like "$(cat "$PATROL_ERR")" "nothing fetched: no server answered \\(http://127.0.0.1:$dead/" \
	"and says nothing was fetched, naming the URL"

patrol_run crawl --job private --quiet "$base/"
isnt "$?" 0 "a crawl of a loopback seed without --allow-private exits non-zero"
like "$(cat "$PATROL_ERR")" "add --allow-private" "and names the flag that allows it"

patrol_run crawl --job ok --allow-private --quiet "$base/"
ok $? "a crawl that fetched pages exits 0" || patrol_diag
unlike "$(cat "$PATROL_ERR")" "nothing fetched" "and says nothing of failure"

# --- recheck ----------------------------------------------------------------------
page=$(psql_q "SELECT u.id FROM urls u JOIN reviews r ON r.url_id = u.id LIMIT 1")
patrol_run recheck 99999 --allow-private --quiet
isnt "$?" 0 "recheck of a page id that does not exist exits non-zero"
like "$(cat "$PATROL_ERR")" "no page 99999" "and names the id"
patrol_run recheck "$page" --delay-ms 0 --quiet
isnt "$?" 0 "recheck without --allow-private of a loopback page exits non-zero"
like "$(cat "$PATROL_ERR")" "all 1 page inconclusive" "and says that nothing was decided"
like "$(cat "$PATROL_ERR")" "add --allow-private to recheck" "with the flag that allows it"
patrol_run recheck "$page" --allow-private --delay-ms 0 --quiet
ok $? "recheck with --allow-private exits 0" || patrol_diag
stop_nginx
patrol_run recheck "$page" --allow-private --delay-ms 0 --quiet
isnt "$?" 0 "recheck of a server that went away exits non-zero"
like "$(cat "$PATROL_ERR")" "recheck decided nothing: all 1 page inconclusive \\(first: http://127.0.0.1:$port/" \
	"naming the page"
is "$(psql_q "SELECT outcome || '/' || reason FROM rechecks WHERE url_id = $page ORDER BY id DESC LIMIT 1")" \
	error/connect_refused "the recheck is stored with its cause"

# --- option values checked before SQL -----------------------------------------------
one_line() {
	# $1: description; the command's stderr must be one line naming $2
	is "$(grep -c '' "$PATROL_ERR")" 1 "$1: one line"
	like "$(cat "$PATROL_ERR")" "$2" "$1: names the option and the form"
	unlike "$(cat "$PATROL_ERR")" "portal|syntax for type|\\\$[0-9]" "$1: no PostgreSQL internals"
}
patrol_run review list --since notadate
is "$?" 2 "review list --since notadate: exit 2"
one_line "review list --since" "option '--since' wants a date or time such as 2026-11-30"
patrol_run review list --until 2026-02-30
is "$?" 2 "review list --until 2026-02-30: exit 2"
one_line "review list --until" "option '--until' wants a date"
patrol_run report --since yesterday
is "$?" 2 "report --since yesterday: exit 2"
one_line "report --since" "option '--since' wants a date"
patrol_run review list --since 2026-11-30 --until '2026-12-01 10:00+09:00'
ok $? "well-formed dates are accepted" || patrol_diag
patrol_run review list --since 2000-01-01T00:00:00Z --json
ok $? "ISO 8601 with Z is accepted" || patrol_diag
patrol_run review list --category nosuch
is "$?" 2 "review list --category nosuch: exit 2"
one_line "review list --category" "option '--category' wants a category of the taxonomy \\(.*drug_ad"
patrol_run takedown open "$page" --to site_operator --channel email --category nosuch
is "$?" 2 "takedown open --category nosuch: exit 2"
patrol_run review list --category 規制薬物の広告 --json
ok $? "a Japanese category name is accepted" || patrol_diag

# --- --db everywhere ------------------------------------------------------------------
patrol_run db status --db "$PATROL_DB"
ok $? "db status --db: the server given is reachable" || patrol_diag
like "$(cat "$PATROL_OUT")" "database reachable: host='$PGHOST'" "and it is the one given"
patrol_run db status --db "host=$HARNESS_TMP/nowhere dbname=patrol"
is "$?" 3 "db status --db of a server that is not there: exit 3"
ok "$([ -e "$PATROL_HOME/pg" ] && echo 1 || echo 0)" "and no embedded cluster was created"

# --- a new embedded cluster made by an ordinary command is announced -------------------
saved_db=$PATROL_DB
unset PATROL_DB
export PATROL_HOME="$HARNESS_TMP/typo-home"
patrol_run review list
ok $? "review list with a new PATROL_HOME works"
like "$(cat "$PATROL_ERR")" "created a new, empty database in '.*/pg/data' for PATROL_HOME '$PATROL_HOME'" \
	"and announces the new cluster with its path"
patrol_run review list
unlike "$(cat "$PATROL_ERR")" "created" "the next command does not announce it again"
"$PATROL_BIN" db stop >/dev/null 2>&1
export PATROL_DB=$saved_db
done_testing
