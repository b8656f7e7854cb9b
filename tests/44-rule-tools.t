#!/usr/bin/env bash
# The rule author's tools: rules check (file:line errors, exit status), rules
# test (the labeled samples), and scan (grep-like exit status: 0 nothing
# flagged, 1 something flagged, 2 an error).
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
cd "$PATROL_SRC" || BAIL_OUT "no source tree"

patrol_run rules check
ok $? "rules check passes on the shipped pack"
like "$(cat "$PATROL_OUT")" "^20 rules, [0-9]+ patterns, 20 categories" "every category of TAXONOMY.md has a rule"

patrol_run rules check --rules tests/rules/broken
is "$?" 1 "rules check of a broken directory exits 1"
like "$(cat "$PATROL_ERR")" "tests/rules/broken/[a-z_]+\.lua:[0-9]+: " "errors come as file:line: message"

patrol_run rules test
ok $? "rules test: every category meets its precision and recall" || diag "$(tail -25 "$PATROL_OUT")"
for cat in $(awk -F'`' '/^\| `[a-z_]+` \|/ { print $2 }' "$PATROL_SRC/../shared/TAXONOMY.md" 2>/dev/null); do
	like "$(cat "$PATROL_OUT")" "(^|
)$cat +[0-9]+" "rules test reports $cat"
done
for dir in lua/samples/*/; do
	cat=$(basename "$dir")
	[ "$cat" = benign ] && continue
	n=$(find "$dir" -type f | wc -l)
	check "$cat has at least 30 positive samples ($n)" test "$n" -ge 30
	b=$(find lua/samples/benign -type f -name "$cat-*" | wc -l)
	[ "$cat" = drug_ad ] && b=$((b + $(find lua/samples/benign -type f -name "drug-*" | wc -l)))
	[ "$cat" = child_solicitation ] && b=$((b + $(find lua/samples/benign -type f -name "child-*" | wc -l)))
	[ "$cat" = suicide_inducement ] && b=$((b + $(find lua/samples/benign -type f -name "sui-*" | wc -l)))
	[ "$cat" = bank_account_trade ] && b=$((b + $(find lua/samples/benign -type f -name "bank-*" | wc -l)))
	[ "$cat" = crime_recruitment ] && b=$((b + $(find lua/samples/benign -type f -name "crime-*" | wc -l)))
	check "$cat has at least 30 innocent look-alikes ($b)" test "$b" -ge 30
done

patrol_run scan lua/samples/benign
is "$?" 0 "scan of the benign samples: exit 0, nothing flagged"
is "$(wc -l < "$PATROL_OUT")" 0 "and prints nothing"
# a weapon word in the file's own path ("/c4/", the explosive's name) says nothing of the page
mkdir -p "$HARNESS_TMP/c4/tnt"
cp lua/samples/benign/weapons_explosives-* "$HARNESS_TMP/c4/tnt/"
patrol_run scan "$HARNESS_TMP/c4/tnt"
is "$?" 0 "benign weapon look-alikes under a path named c4/tnt: nothing flagged" || diag "$(head -n 3 "$PATROL_OUT")"
patrol_run scan lua/samples/drug_ad/05-separators.txt
is "$?" 1 "scan of a positive: exit 1"
like "$(cat "$PATROL_OUT")" "^lua/samples/drug_ad/05-separators.txt	drug_ad	[0-9.]+	drug_ad\." \
	"prints file, category, score and rule"
like "$(cat "$PATROL_OUT")" "大.麻" "the evidence is shown as the page wrote it"
patrol_run scan --explain lua/samples/drug_ad/05-separators.txt
like "$(cat "$PATROL_OUT")" "^#" "--explain shows what matched"
patrol_run scan no/such/file.html
is "$?" 2 "scan of a missing file: exit 2"
like "$(cat "$PATROL_ERR")" "no/such/file.html" "and names it"
patrol_run scan --json lua/samples/drug_ad/05-separators.txt
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.strip(): json.loads(l)' "$PATROL_OUT"
	ok $? "scan --json writes JSON"
fi
# --jobs: every worker count prints the same lines in the same order
patrol_run scan --jobs 1 --explain lua/samples
rc1=$?
cp "$PATROL_OUT" "$HARNESS_TMP/scan-1.out"
patrol_run scan --jobs 3 --explain lua/samples
rc3=$?
is "$rc3" "$rc1" "scan --jobs 3 exits as --jobs 1 ($rc1)"
cmp -s "$HARNESS_TMP/scan-1.out" "$PATROL_OUT"
ok $? "and prints the same $(grep -vc '^#' "$PATROL_OUT") verdicts and explain lines, in the same order"
check "the verdicts are many" test "$(grep -vc '^#' "$PATROL_OUT")" -ge 600
patrol_run scan --jobs 2 lua/samples/benign/bank-02-police.txt no/such/file.html lua/samples/drug_ad/05-separators.txt
is "$?" 2 "a missing file among others: exit 2 with --jobs 2"
like "$(cat "$PATROL_OUT")" "drug_ad" "and the others are still scanned"
patrol_run scan --jobs 0 lua/samples
is "$?" 2 "--jobs 0 is refused"
like "$(cat "$PATROL_ERR")" "--jobs" "naming the option"
done_testing
