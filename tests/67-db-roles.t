#!/usr/bin/env bash
# Database roles (schema/009_roles.sql): patrol works as the application role
# "patrol", which can add to the record and cannot rewrite it, even with raw
# SQL: no session_replication_role, no UPDATE/DELETE/TRUNCATE of the event,
# hit, evidence and fetch tables, no UPDATE of a takedown request outside
# patrol_takedown_change. A crawl, a review and a takedown still work as it.
# The embedded cluster authenticates by peer, trusts nobody, and rewrites the
# trust of a cluster made before. A DBA's server: the owner migrates, the
# application role is told to ask for it.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg

# --- the roles ------------------------------------------------------------------
is "$(psql_q "SELECT string_agg(rolname || ':' || rolsuper::int || rolreplication::int || rolbypassrls::int
	|| rolcreaterole::int || rolcreatedb::int, ' ' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('patrol', 'patrol_owner')")" \
	"patrol:00000 patrol_owner:00000" "the migrations made both roles, neither superuser nor replication"
is "$(psql_q "SELECT pg_has_role('patrol', 'patrol_owner', 'MEMBER')")" f "patrol is not a member of the owner"
is "$(psql_q "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace
	AND relkind IN ('r', 'S', 'v') AND relowner <> 'patrol_owner'::regrole")" 0 \
	"the owner owns every table and sequence"
is "$(psql_q "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
	AND proowner <> 'patrol_owner'::regrole")" 0 "and every function"
is "$(psql_q "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class
	WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
	AND (has_table_privilege('patrol', oid, 'UPDATE') OR has_table_privilege('patrol', oid, 'DELETE')
	     OR has_table_privilege('patrol', oid, 'TRUNCATE'))")" \
	"console_sessions console_users hosts jobs reviews url_families urls" \
	"the application role may change only the working state"

patrol_run db status
like "$(cat "$PATROL_OUT")" "user=patrol$" "patrol_run connects as the application role" || patrol_diag

# --- a crawl, a review, a takedown, a recheck as the application role ------------------
site=$HARNESS_TMP/site
cp -a "$HARNESS_SITES/basic" "$site"
port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
patrol_run crawl --job roles --allow-private --quiet "$base/"
ok $? "a crawl works as the application role" || patrol_diag
A=$(psql_q "SELECT id FROM urls WHERE url = '$base/ads/yasai.html'")
B=$(psql_q "SELECT id FROM urls WHERE url = '$base/sjis/page.html'")
is "$(psql_q "SELECT count(*) FROM hits WHERE url_id IN ($A, $B)")" 2 "its hits are stored"
is "$(psql_q "SELECT count(*) FROM evidence e JOIN fetches f ON f.host_id = e.host_id AND f.id = e.fetch_id
	WHERE f.url_id IN ($A, $B)")" 2 "with their evidence"
patrol_run review confirm "$A" "$B" --as alice --comment "both drug ads"
ok $? "review confirm works" || patrol_diag
patrol_run takedown open "$A" "$B" --to hosting_provider --channel email --as carol --json
ok $? "takedown open works" || patrol_diag
tA=$(psql_q "SELECT id FROM takedowns WHERE url_id = $A")
tB=$(psql_q "SELECT id FROM takedowns WHERE url_id = $B")
patrol_run takedown send "$tA" "$tB" --as carol
ok $? "takedown send works (through patrol_takedown_change)" || patrol_diag
patrol_run takedown ack "$tB" --ref R-1 --as carol
ok $? "takedown ack works" || patrol_diag
patrol_run takedown note "$tB" --comment "called" --as carol
ok $? "a note works" || patrol_diag
rm "$site/ads/yasai.html"
patrol_run recheck --job roles --allow-private --as bot
ok $? "recheck works" || patrol_diag
is "$(psql_q "SELECT status FROM takedowns WHERE id = $tA")|$(psql_q "SELECT status FROM takedowns WHERE id = $tB")" \
	"removed|acknowledged" "the recheck moved the request of the page that went"
is "$(psql_q "SELECT string_agg(actor || ':' || coalesce(from_status, '-') || '>' || to_status, ' ' ORDER BY seq)
	FROM takedown_events WHERE takedown_id = $tB")" \
	"carol:->open carol:open>sent carol:sent>acknowledged carol:acknowledged>acknowledged" \
	"every step of a request is an event with its actor"

# --- raw SQL as the application role --------------------------------------------------
record() {
	psql_q "SELECT (SELECT count(*) FROM review_events) || '|' || (SELECT count(*) FROM takedown_events)
		|| '|' || (SELECT count(*) FROM hits) || '|' || (SELECT count(*) FROM fetches)
		|| '|' || (SELECT count(*) FROM evidence) || '|' || (SELECT string_agg(status, ',' ORDER BY id) FROM takedowns)"
}
before=$(record)
app() { psql "$PATROL_APP_DB" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1" 2>&1; }
refused() {
	local desc=$1 sql=$2 want=${3:-permission denied} out
	out=$(app "$sql")
	if [ $? = 0 ]; then
		fail "$desc"
		diag "  accepted as patrol: $sql"
		return
	fi
	like "$out" "$want" "$desc"
}
refused "SET session_replication_role = replica is refused" \
	"SET session_replication_role = replica" "permission denied to set parameter"
refused "so is it for the transaction" \
	"BEGIN; SET LOCAL session_replication_role = replica; COMMIT" "permission denied to set parameter"
refused "UPDATE of review_events" "UPDATE review_events SET actor = 'mallory'"
refused "DELETE of a takedown event" "DELETE FROM takedown_events WHERE takedown_id = $tA"
refused "UPDATE of a request's status outside the store function" \
	"UPDATE takedowns SET status = 'sent' WHERE id = $tA"
refused "UPDATE of a request's recipient" "UPDATE takedowns SET recipient = 'x' WHERE id = $tB"
refused "DELETE of a request" "DELETE FROM takedowns WHERE id = $tA"
for t in hits evidence fetches rechecks review_events takedown_events warc_chain_heads quarantine reports snapshots; do
	refused "DELETE FROM $t" "DELETE FROM $t"
	refused "TRUNCATE $t" "TRUNCATE $t"
done
for t in hits evidence fetches rechecks snapshots; do
	refused "UPDATE $t" "UPDATE $t SET host_id = host_id"
done
refused "DELETE FROM urls (it would cascade into fetches and hits)" "DELETE FROM urls"
refused "DELETE FROM hosts" "DELETE FROM hosts"
refused "DELETE FROM jobs" "DELETE FROM jobs"
refused "a trigger cannot be switched off" "ALTER TABLE review_events DISABLE TRIGGER USER" "must be owner"
refused "nor a guard function replaced" \
	"CREATE OR REPLACE FUNCTION patrol_append_only() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NULL; END \$\$" \
	"must be owner|permission denied for schema public"
refused "the owner's role cannot be taken" "SET ROLE patrol_owner" "permission denied to set role"
refused "no new tables" "CREATE TABLE scratch (x int)" "permission denied for schema public"
refused "the store function still obeys the guard" \
	"SELECT patrol_takedown_change(host_id, id, 'open', NULL, NULL, NULL) FROM takedowns WHERE id = $tA" \
	"illegal"
refused "the lookup tables are read-only" "UPDATE review_transitions SET to_status = to_status"
is "$(record)" "$before" "the record is as it was after all that"
is "$(app "SELECT patrol_takedown_change(host_id, id, NULL, 'R-2', NULL, NULL) FROM takedowns WHERE id = $tB")" \
	"acknowledged" "through the store function a change is made and logged"
is "$(psql_q "SELECT reference || '|' || actor FROM takedown_events WHERE takedown_id = $tB ORDER BY seq DESC LIMIT 1")" \
	"R-2|patrol" "naming the session's role when no actor is set"

# the other side: the refusals are the role's, not the server's
check "the superuser can set session_replication_role" psql_q "SET session_replication_role = replica"
check "the owner can read what the application wrote" \
	psql "host=$PGHOST port=$PGPORT dbname=patrol user=patrol_owner" -X -q -A -t -c "SELECT count(*) FROM hits"

# --- a DBA's server: the owner migrates, the application role is told -----------------
psql_q "CREATE DATABASE other OWNER patrol_owner" >/dev/null
patrol_run db migrate --db "host=$PGHOST port=$PGPORT dbname=other user=patrol"
isnt "$?" 0 "the application role cannot migrate a new database"
like "$(cat "$PATROL_ERR")" "needs migration '001_init', and role 'patrol' may not apply it: run 'patrol db migrate --db CONNINFO' as the owner role 'patrol_owner'" \
	"and is told who can"
unlike "$(cat "$PATROL_ERR")" "ERROR:" "in one line, without PostgreSQL's prefix"
patrol_run db migrate --db "host=$PGHOST port=$PGPORT dbname=other user=patrol_owner"
ok $? "the owner migrates a database it owns, roles made by the DBA beforehand" || patrol_diag
nmig=$(ls "$PATROL_SRC"/schema/[0-9]*.sql | wc -l)
like "$(cat "$PATROL_OUT")" "^$nmig migration" "every migration ($nmig)"
is "$(psql "host=$PGHOST port=$PGPORT dbname=other user=postgres" -X -A -t -c \
	"SELECT has_table_privilege('patrol', 'hits', 'INSERT') AND NOT has_table_privilege('patrol', 'hits', 'DELETE')
	 AND (SELECT count(*) FROM categories) = 20")" t "with the same grants, and the categories"
patrol_run review list --db "host=$PGHOST port=$PGPORT dbname=other user=patrol"
ok $? "then the application role works there" || patrol_diag

# --- the embedded cluster ------------------------------------------------------------
saved_db=$PATROL_DB
unset PATROL_DB
export PATROL_HOME=$HARNESS_TMP/ehome
patrol_run db start
ok $? "db start" || patrol_diag
pgdir=$PATROL_HOME/pg
[ -d "$pgdir/data" ] || pgdir=$(dirname "$(sed -n "s/.*data in '\(.*\)'.*/\1/p" "$PATROL_OUT")")
hba=$pgdir/data/pg_hba.conf
is "$(grep -v '^\s*#' "$hba" | grep -c 'trust')" 0 "the embedded cluster's pg_hba has no trust"
like "$(grep -v '^\s*#' "$hba" | grep -v '^\s*$')" "^local +all +all +peer map=patrol$" "only peer, on the socket"
is "$(grep -c '^host' "$hba")" 0 "and no TCP line"
patrol_run crawl --job emb --allow-private --quiet "$base/index.html"
ok $? "a crawl on the embedded cluster" || patrol_diag
eci="host=$pgdir port=5432 dbname=patrol"
is "$(psql "$eci user=patrol" -X -A -t -c "SELECT count(*) > 0 FROM fetches" 2>&1)" t \
	"the system user who runs patrol is the application role by peer"
like "$(psql "$eci user=patrol" -X -A -t -c "SET session_replication_role = replica" 2>&1)" \
	"permission denied to set parameter" "which cannot switch the triggers off there either"
like "$(psql "$eci user=patrol" -X -A -t -c "DELETE FROM hits" 2>&1)" "permission denied" \
	"nor delete hits"
if [ "$(id -u)" = 0 ]; then
	like "$(runuser -u postgres -- psql "$eci user=patrol" -X -A -t -c "SELECT 1" 2>&1)" \
		"Peer authentication failed" "another system user cannot be the application role"
else
	skip 1 "not root: no other system user to try"
fi
# a cluster made before, with trust: rewritten and reloaded at the next start
printf 'local all all trust\n' >>"$hba"
patrol_run db start
ok $? "db start on a cluster with trust" || patrol_diag
is "$(grep -v '^\s*#' "$hba" | grep -c 'trust')" 0 "its trust is gone"
patrol_run db stop
export PATROL_DB=$saved_db

done_testing
