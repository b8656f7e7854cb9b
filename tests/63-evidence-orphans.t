#!/usr/bin/env bash
# Orphan WARC records: a flagged page whose row the database refuses (kept
# in quarantine) has its records written but no committed row pointing at
# them. `patrol evidence --check` lists them with file:offset and counts
# them; they are no fault of the chain, so --verify-all still passes. A
# WARC file the database does not know of is walked too.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg
port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

patrol_run db migrate
ok $? "the schema is in place" || patrol_diag
psql_q "CREATE FUNCTION refuse_yasai() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN RAISE EXCEPTION 'value refused for the test' USING ERRCODE = '22023'; END \$\$;
	CREATE TRIGGER refuse_yasai BEFORE INSERT ON fetches FOR EACH ROW
	WHEN (NEW.final_url LIKE '%/ads/yasai.html') EXECUTE FUNCTION refuse_yasai();" >/dev/null
ok $? "a trigger refuses the flagged page /ads/yasai.html"

patrol_run crawl --job orphans --allow-private --quiet "$base/index.html"
ok $? "the crawl ends normally" || patrol_diag
is "$(psql_q "SELECT count(*) FROM quarantine")" 1 "the refused page is in quarantine"
nrows=$(psql_q "SELECT count(*) FROM evidence")
check "the other flagged pages have evidence ($nrows)" test "$nrows" -ge 1
file=$(psql_q "SELECT DISTINCT warc_file FROM evidence")
path="$PATROL_HOME/warc/$file"
is "$(zcat "$path" | grep -ac '^WARC-Type: response')" "$((nrows + 1))" \
	"the refused page's response record was written all the same"
off=$(python3 "$(dirname "$0")/lib/warc-tamper.py" members "$path" |
	while read -r i o n t; do
		[ "$t" = response ] || continue
		zcat_one=$(tail -c +"$((o + 1))" "$path" | head -c "$n" | zcat 2>/dev/null | grep -ac '^WARC-Target-URI: .*/ads/yasai.html')
		[ "$zcat_one" = 1 ] && echo "$o"
	done)
check "its offset is known ($off)" test -n "$off"

patrol_run evidence --verify-all
ok $? "orphans are no failure of --verify-all" || diag "$(cat "$PATROL_OUT")"
like "$(cat "$PATROL_OUT")" "^verified: 1 file, .* 2 orphan records \\(--check lists them\\)" \
	"it counts them (the response and its request)"
patrol_run evidence --check
ok $? "--check passes"
like "$(cat "$PATROL_OUT")" "orphan $path:$off: response record $base/ads/yasai.html, no stored row points at it" \
	"--check lists the orphan response with file:offset and URL"
like "$(cat "$PATROL_OUT")" "orphan $path:[0-9]+: request record $base/ads/yasai.html" "and its request"
is "$(grep -c '^orphan ' "$PATROL_OUT")" 2 "nothing else is an orphan"
unlike "$(cat "$PATROL_OUT")" "past the last chain head" "the chain head stored before the failed batch covers them"

# a WARC file no row names: every record in it but the warcinfo is an orphan
cp -p "$path" "$PATROL_HOME/warc/stray-20260101000000-00000-1.warc.gz"
patrol_run evidence --check
ok $? "a file the database does not know is no failure"
like "$(cat "$PATROL_OUT")" "verified: 2 files" "it is walked"
is "$(grep -c "^orphan $PATROL_HOME/warc/stray-" "$PATROL_OUT")" "$((2 * nrows + 2))" \
	"and its records are listed as orphans"
done_testing
