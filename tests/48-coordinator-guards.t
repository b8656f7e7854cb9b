#!/usr/bin/env bash
# What a takedown coordinator must not be able to do is refused by the
# database itself (schema/005), from raw SQL and from the CLI, with a message
# that says why: a second live request to the same recipient kind for one
# page, a category outside the taxonomy, closing a request from a state that
# does not allow it. Bulk review actions by filters preview and need --yes.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg

port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
patrol_run crawl --job g --allow-private --quiet "http://127.0.0.1:$port/"
ok $? "crawl of the basic site" || patrol_diag
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$PATROL_OUT"; }
nflagged=$(psql_q "SELECT count(*) FROM reviews WHERE status = 'new'")
ok "$([ "$nflagged" -ge 2 ] && echo 0 || echo 1)" "at least two flagged pages ($nflagged)"

# --- bulk review actions preview first ------------------------------------------
patrol_run review confirm --job g
is "$?" 2 "bulk confirm by filters without --yes: exit 2"
like "$(cat "$PATROL_OUT")" "^$nflagged pages? match" "it prints how many pages match"
like "$(cat "$PATROL_OUT")" "page_id" "and the first of them as a table"
like "$(cat "$PATROL_ERR")" "nothing done: add --yes to confirm" "and says how to go ahead"
is "$(psql_q "SELECT count(*) FROM reviews WHERE status = 'new'")" "$nflagged" "nothing was confirmed"
patrol_run review confirm --job g --dry-run --json
ok $? "--dry-run exits 0"
is "$(json 'd["matched"]')" "$nflagged" "--dry-run --json gives the count"
is "$(psql_q "SELECT count(*) FROM reviews WHERE status = 'new'")" "$nflagged" "and changes nothing"
patrol_run review confirm --job g --yes --as alice
ok $? "--yes acts" || patrol_diag
is "$(psql_q "SELECT count(*) FROM reviews WHERE status = 'confirmed'")" "$nflagged" "every matching page confirmed"
patrol_run review confirm 1 --yes
is "$?" 2 "--yes with page ids is refused"

A=$(psql_q "SELECT url_id FROM reviews ORDER BY url_id LIMIT 1")
B=$(psql_q "SELECT url_id FROM reviews ORDER BY url_id OFFSET 1 LIMIT 1")
cat=$(psql_q "SELECT category FROM hits WHERE url_id = $A LIMIT 1")

# --- one live request per page and recipient kind -------------------------------
patrol_run takedown open "$A" --to hosting_provider --channel email --json
ok $? "a first request to the hosting provider" || patrol_diag
tA=$(json 'd["results"][0]["id"]')
patrol_run takedown open "$A" --to hosting_provider --channel web_form
isnt "$?" 0 "a second live request to the hosting provider is refused"
like "$(cat "$PATROL_ERR")" "page $A already has a live request to its hosting_provider: request $tA \\(open\\)" \
	"naming the live request"
patrol_run takedown open "$A" --to site_operator --channel email
ok $? "a request to another kind of recipient is fine" || patrol_diag
sql_refused() {
	# $1 description, $2 SQL, $3 regex of the message
	local out
	out=$(psql "$PATROL_DB" -X -q -v ON_ERROR_STOP=1 -c "$2" 2>&1)
	isnt "$?" 0 "$1: refused from raw SQL"
	like "$out" "$3" "$1: with a message that says why"
}
sql_refused "a duplicate live request" \
	"INSERT INTO takedowns (host_id, url_id, job_id, recipient_kind, channel, category, opened_by)
	 SELECT host_id, url_id, job_id, 'hosting_provider', 'email', '$cat', 'x' FROM reviews WHERE url_id = $A" \
	"already has a live request"

# --- categories only from the taxonomy --------------------------------------------
patrol_run takedown open "$B" --to hosting_provider --channel email --category nosuch
is "$?" 2 "--category nosuch is refused by the CLI"
like "$(cat "$PATROL_ERR")" "option '--category' wants a category of the taxonomy" "naming the option"
sql_refused "an unknown category" \
	"INSERT INTO takedowns (host_id, url_id, job_id, recipient_kind, channel, category, opened_by)
	 SELECT host_id, url_id, job_id, 'registrar', 'email', 'nosuch', 'x' FROM reviews WHERE url_id = $B" \
	"no category 'nosuch' in the taxonomy"
is "$(psql_q "SELECT count(*) FROM categories")" 20 "the taxonomy's twenty categories are in the database"
is "$(psql_q "SELECT ja FROM categories WHERE code = 'drug_ad'")" "規制薬物の広告" "with their Japanese names"
is "$(psql_q "SELECT count(*) FROM takedowns WHERE category NOT IN (SELECT code FROM categories)")" 0 \
	"no request outside the taxonomy"

# --- closing only from a state that allows it ---------------------------------------
patrol_run takedown close "$tA"
isnt "$?" 0 "closing a request never sent is refused"
like "$(cat "$PATROL_ERR")" "request $tA was never sent, so it cannot expire: withdraw it instead" \
	"and says what to do"
is "$(psql_q "SELECT status FROM takedowns WHERE id = $tA")" open "the request is still open"
patrol_run takedown withdraw "$tA"
ok $? "withdraw of an open request" || patrol_diag
is "$(psql_q "SELECT status FROM takedowns WHERE id = $tA")" withdrawn "it is withdrawn"
ok "$([ -n "$(psql_q "SELECT closed_at FROM takedowns WHERE id = $tA")" ] && echo 0 || echo 1)" "with a closing time"
patrol_run takedown send "$tA"
isnt "$?" 0 "a withdrawn request cannot be sent"
like "$(cat "$PATROL_ERR")" "request $tA: withdrawn → sent; a request that is withdrawn can become: nothing" \
	"and the message lists what its state allows"
patrol_run takedown open "$A" --to hosting_provider --channel email --json
ok $? "after the withdrawal a new request to the hosting provider is accepted" || patrol_diag
t2=$(json 'd["results"][0]["id"]')
patrol_run takedown send "$t2"
patrol_run takedown close "$t2" --removed
ok $? "a sent request closed as removed" || patrol_diag
patrol_run takedown close "$t2"
isnt "$?" 0 "a removed request cannot expire"
like "$(cat "$PATROL_ERR")" "request $t2: removed → expired; a request that is removed can become: reopened" \
	"and the message says what removed allows"
done_testing
