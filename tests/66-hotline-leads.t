#!/usr/bin/env bash
# A hotline report is a lead in its own right: an imported URL that no rule
# flags can be listed (review list --source hotline), shown, confirmed under
# a category the reviewer chooses, and taken down; report counts the leads
# apart from what the rules found.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg

port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$PATROL_OUT"; }
clean=$(site_expected basic clean | head -1)
[ -n "$clean" ] || clean=/a/one.html

printf 'URL,通報日時,受付番号,分類\r\n%s%s,2026-11-30 10:00,IHC-7,闇バイト\r\n%s/a/two.html,2026-11-30 11:00,IHC-8,\r\n' \
	"$base" "$clean" "$base" >"$HARNESS_TMP/leads.csv"
patrol_run import "$HARNESS_TMP/leads.csv" --job hotline
ok $? "import of two reports" || patrol_diag
patrol_run crawl --job hotline --resume --allow-private --max-depth 0 --quiet
ok $? "crawl of the reported URLs" || patrol_diag
L=$(psql_q "SELECT id FROM urls WHERE url = '$base$clean'")
M=$(psql_q "SELECT id FROM urls WHERE url = '$base/a/two.html'")
is "$(psql_q "SELECT count(*) FROM hits WHERE url_id IN ($L, $M)")" 0 "no rule flags the reported pages"

patrol_run review list --source hotline --json
ok $? "review list --source hotline" || patrol_diag
is "$(json 'sorted(p["page_id"] for p in d)')" "$(python3 -c "print(sorted([$L, $M]))")" "lists both leads though no rule flagged them"
is "$(json '[p["categories"] for p in d if p["page_id"] == '"$L"'][0]')" crime_recruitment \
	"with the category the report names"
is "$(json '{p["source"] for p in d}')" "{'hotline'}" "marked as hotline leads"
patrol_run review list --source rule --json
is "$(json "[p for p in d if p['page_id'] in ($L, $M)]")" "[]" "--source rule leaves them out"
patrol_run review list --source nosuch
is "$?" 2 "--source nosuch is refused"
patrol_run review show "$L"
ok $? "review show of a lead no rule flagged" || patrol_diag
like "$(cat "$PATROL_OUT")" "IHC-7" "shows its report"

patrol_run review confirm "$L" --set-category drug_ad --as alice
ok $? "a lead is confirmed under a category the reviewer chose" || patrol_diag
is "$(psql_q "SELECT status || '/' || category FROM reviews WHERE url_id = $L")" confirmed/drug_ad "stored with the review"
patrol_run review confirm "$M" --set-category nosuch
is "$?" 2 "--set-category outside the taxonomy is refused"
patrol_run review dismiss "$M" --set-category drug_ad
is "$?" 2 "--set-category goes with confirm only"
patrol_run takedown open "$L" --to hosting_provider --channel email --json
ok $? "a request is opened for the lead" || patrol_diag
t=$(json 'd["results"][0]["id"]')
is "$(psql_q "SELECT category FROM takedowns WHERE id = $t")" drug_ad "under the reviewer's category"

patrol_run review confirm "$M" --as alice
ok $? "a lead without any category can be confirmed" || patrol_diag
patrol_run takedown open "$M" --to hosting_provider --channel email
isnt "$?" 0 "but a request needs a category"
like "$(cat "$PATROL_ERR")" "page $M has no category: .*give one \\(--category\\)" "and the refusal says how to give one"
patrol_run takedown open "$M" --to hosting_provider --channel email --category 闇バイト
isnt "$?" 0 "an everyday name that is not the taxonomy's is refused by the CLI"
patrol_run takedown open "$M" --to hosting_provider --channel email --category crime_recruitment
ok $? "with --category it is opened" || patrol_diag

patrol_run report --by source --json
ok $? "report --by source" || patrol_diag
is "$(json '[(r["key"], r["flagged"], r["confirmed"], r["requests"]) for r in d["by_source"]]')" \
	"[('hotline', 2, 2, 2)]" "counts the hotline leads apart"
patrol_run report --json
is "$(json '[r["flagged"] for r in d["by_category"] if r["key"] == "drug_ad"]')" "[1]" \
	"a lead counts under its reviewer's category"
done_testing
