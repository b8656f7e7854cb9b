#!/usr/bin/env bash
# Rows point only at sealed records. When the database will not take a WARC
# file's chain head, the crawl goes on and stores the batch without its
# evidence rows: no row points at a record whose head is not stored. The
# records left behind are orphans past the last head, listed by --check,
# and no failure of --verify-all. A later crawl into the same directory,
# with the heads taken again, verifies whole.
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
psql_q "CREATE FUNCTION refuse_head() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN RAISE EXCEPTION 'head refused for the test'; END \$\$;
	CREATE TRIGGER refuse_head BEFORE INSERT ON warc_chain_heads FOR EACH ROW
	EXECUTE FUNCTION refuse_head();" >/dev/null
ok $? "a trigger refuses every chain head"

patrol_run crawl --job unsealed --allow-private --quiet "$base/index.html"
ok $? "the crawl ends normally" || patrol_diag
like "$(cat "$PATROL_ERR")" "cannot seal the evidence files, the batch is stored without it" "it says the evidence went unsealed"
unlike "$(cat "$PATROL_ERR")" "head refused for the test" "without the database's own message"
nhits=$(psql_q "SELECT count(DISTINCT (host_id, fetch_id)) FROM hits")
check "the flagged pages are stored ($nhits)" test "$nhits" -ge 2
is "$(psql_q "SELECT count(*) FROM evidence")" 0 "no evidence row points at an unsealed record"
nresp=$(zcat "$PATROL_HOME"/warc/*.warc.gz | grep -ac '^WARC-Type: response')
is "$nresp" "$nhits" "the records were written"

patrol_run evidence --verify-all
ok $? "unsealed orphans are no failure of --verify-all" || diag "$(cat "$PATROL_OUT")"
like "$(cat "$PATROL_OUT")" "$((2 * nhits)) orphan records \\($((2 * nhits)) past the last chain head\\)" "they are counted"
patrol_run evidence --check
ok $? "--check"
is "$(grep -c '^orphan .*(past the last chain head)$' "$PATROL_OUT")" "$((2 * nhits))" "and listed"

psql_q "DROP TRIGGER refuse_head ON warc_chain_heads" >/dev/null
patrol_run crawl --job sealed --allow-private --quiet "$base/index.html"
ok $? "a second crawl with the heads taken" || patrol_diag
is "$(psql_q "SELECT count(*) FROM evidence")" "$nhits" "its rows point at its records"
is "$(psql_q "SELECT count(DISTINCT warc_file) FROM warc_chain_heads")" 1 "its file has a stored head"
patrol_run evidence --verify-all
ok $? "everything verifies" || diag "$(cat "$PATROL_OUT")"
like "$(cat "$PATROL_OUT")" "verified: 2 files, .* $nhits evidence rows match" "both files walked, every row checked"
done_testing
