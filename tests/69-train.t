#!/usr/bin/env bash
# `patrol train`: the n-gram model beside the rules. The same labelled input
# gives the same model bytes; a label CSV with a bad row is refused with
# file:line; a bad model file beside the rules is refused by name; `rules
# test` reports rules alone, model alone and both; a rule reading
# page.model and block.model works in `patrol scan`, and without a model
# reads nil.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
cd "$PATROL_SRC" || BAIL_OUT "no source tree"

T=$HARNESS_TMP

# ---- determinism ----
patrol_run train --model "$T/a.model"
ok $? "patrol train learns from the shipped samples" || diag "$(cat "$PATROL_ERR")"
like "$(cat "$PATROL_OUT")" "^20 categories, [0-9]+ documents" "and says what it learned"
# the sample files it read: every .html, .htm and .txt under lua/samples
nsamples=$(find lua/samples -type f \( -name '*.html' -o -name '*.htm' -o -name '*.txt' \) | wc -l)
like "$(cat "$PATROL_OUT")" "^20 categories, $nsamples documents" "one document per sample file ($nsamples)"
patrol_run train --model "$T/b.model" lua/samples
ok $? "and again, the samples named"
check "training twice gives identical model bytes" cmp "$T/a.model" "$T/b.model"
check "the shipped model is the one the shipped samples give" cmp "$T/a.model" lua/model/patrol.model

# ---- labelled folders and reviewed CSVs ----
mkdir -p "$T/more/drug_ad" "$T/more/benign"
printf '草あります。手押しで、連絡はシグナルまで\n' >"$T/more/drug_ad/1.txt"
printf '畑で採れた草花を押し花にしました\n' >"$T/more/benign/1.txt"
printf '%s\r\n' 'url,final_url,category,score,evidence,review_status' \
	'http://a.example/1,,drug_ad,0.9,"手押し 大麻 即日、テレグラムで",confirmed' \
	'http://a.example/2,,drug_ad,0.7,"アイスクリーム ""手作り"" の店",dismissed' \
	'http://a.example/3,,phishing,0.7,not reviewed yet,new' >"$T/reviewed.csv"
patrol_run train --model "$T/c.model" lua/samples "$T/more" "$T/reviewed.csv"
ok $? "a labelled folder and a reviewed CSV feed the model too" || diag "$(cat "$PATROL_ERR")"
like "$(cat "$PATROL_OUT")" "$((nsamples + 4)) documents" "every input is counted ($nsamples samples, 2 files, 2 reviewed rows)"
patrol_run train --model "$T/d.model" lua/samples "$T/more" "$T/reviewed.csv"
check "and the same inputs again give the same bytes" cmp "$T/c.model" "$T/d.model"
check_fails "which differ from the samples' alone" cmp -s "$T/a.model" "$T/c.model"

# ---- malformed label files, refused with file:line ----
printf '%s\n' 'category,review_status,evidence' 'drug_ad,confirmed,x' 'no_such_cat,confirmed,y' >"$T/unknown.csv"
patrol_run train --model "$T/e.model" "$T/unknown.csv"
is "$?" 2 "a CSV row with an unknown category is refused"
like "$(cat "$PATROL_ERR")" "unknown\.csv:3: no category 'no_such_cat'" "with file:line"
check_fails "and no model is written" test -e "$T/e.model"
printf '%s\n' 'category,review_status,evidence' 'drug_ad,confirmed,"open' 'drug_ad,confirmed,x' >"$T/quote.csv"
patrol_run train --model "$T/e.model" "$T/quote.csv"
is "$?" 2 "bad quoting is refused"
like "$(cat "$PATROL_ERR")" "quote\.csv:2: a quoted field is never closed" "with file:line"
printf '%s\n' 'category,review_status,evidence' 'drug_ad,confirmed' >"$T/short.csv"
patrol_run train --model "$T/e.model" "$T/short.csv"
is "$?" 2 "a missing column is refused"
like "$(cat "$PATROL_ERR")" "short\.csv:2: 2 fields, but the header has 3" "with file:line"
printf '%s\n' 'category,evidence' 'drug_ad,x' >"$T/nostatus.csv"
patrol_run train --model "$T/e.model" "$T/nostatus.csv"
is "$?" 2 "a header without review_status is refused"
like "$(cat "$PATROL_ERR")" "nostatus\.csv:1: .*review_status" "with file:line"
patrol_run train --model "$T/e.model" "$T/nowhere"
is "$?" 2 "a folder that does not exist is refused"

# ---- rules test: rules alone, model alone, both ----
patrol_run rules test
ok $? "rules test still passes with the model beside the rules" || diag "$(tail -30 "$PATROL_OUT")"
out=$(cat "$PATROL_OUT")
like "$out" "(^|
)drug_ad +[0-9]+ +[0-9]+" "its table is as before"
like "$out" "rules-P +rules-R +rules-F1 +model-P +model-R +model-F1 +both-P +both-R +both-F1" \
	"a table of rules alone, model alone and both"
like "$out" "(^|
)suicide_inducement( +[0-9.]+){9}(
|$)" "with P, R and F1 of each for every category"
like "$out" "(^|
)macro( +[0-9.]+){9}" "and their macro average"

# ---- a rule that reads the model, in patrol scan ----
mkdir -p "$T/pack/rules" "$T/pack/model"
cat >"$T/pack/rules/model_only.lua" <<'LUA'
return {
  name = "model_only.drug",
  category = "drug_ad",
  threshold = 0.95,
  patterns = { any = { "ます", "です", "。" } },
  classify = function(page, m)
    local p = lib.model(page, "drug_ad")
    if p == nil then return 0 end
    -- every block has its own figure, a probability
    for _, b in ipairs(page.blocks) do
      local q = lib.model(b, "drug_ad")
      assert(type(q) == "number" and q >= 0 and q <= 1, "block.model.drug_ad is a probability")
    end
    assert(type(page.model) == "table", "page.model is a table")
    assert(not pcall(function() page.model.drug_ad = 1 end), "page.model is read-only")
    return p
  end,
}
LUA
patrol_run scan --rules "$T/pack/rules" --no-cache lua/samples/drug_ad/05-separators.txt
is "$?" 0 "without a model beside the rules, page.model is nil and the rule flags nothing"
cp "$T/a.model" "$T/pack/model/patrol.model"
patrol_run scan --rules "$T/pack/rules" --no-cache lua/samples/drug_ad/05-separators.txt
is "$?" 1 "with the model, a rule reading page.model flags a drug ad" || diag "$(cat "$PATROL_ERR")"
like "$(cat "$PATROL_OUT")" "05-separators.txt	drug_ad	[0-9.]+	model_only.drug" "under its category"
patrol_run scan --rules "$T/pack/rules" --no-cache lua/samples/benign/bank-02-police.txt \
	lua/samples/benign/bank-03-news.txt
is "$?" 0 "and leaves ordinary pages alone" || diag "$(cat "$PATROL_OUT")"
patrol_run scan --rules "$T/pack/rules" --no-cache --explain lua/samples/drug_ad/05-separators.txt
like "$(cat "$PATROL_OUT")" "model \([0-9]+ n-grams known\): drug_ad [0-9.]+" "--explain shows what the model says"
is "$(grep -c 'failed\|error' "$PATROL_ERR")" 0 "and the rule ran without an error"

# a page table a rule keeps past its page reads no model (nothing of a page that is gone);
# one worker, so that both pages go through one Lua state as in a crawl worker
mkdir -p "$T/pack2/rules" "$T/pack2/model"
cp "$T/a.model" "$T/pack2/model/patrol.model"
cat >"$T/pack2/rules/stale.lua" <<'LUA'
local kept
return {
  name = "stale.probe",
  category = "phishing",
  threshold = 0.5,
  patterns = { any = { "ます", "です", "。" } },
  classify = function(page, m)
    local old = kept
    kept = page
    if not old then return 0 end
    assert(type(page.model) == "table", "this page has its model")
    return old.model == nil and 1 or 0
  end,
}
LUA
patrol_run scan --jobs 1 --rules "$T/pack2/rules" --no-cache lua/samples/benign/bank-02-police.txt \
	lua/samples/benign/bank-03-news.txt
is "$?" 1 "a kept page table from an earlier page has no model" || diag "$(cat "$PATROL_ERR")"
like "$(cat "$PATROL_OUT")" "bank-03-news.txt	phishing	1.00	stale.probe" "(the second page's rule saw nil)"

patrol_run rules check --rules "$T/pack2/rules" --no-cache
like "$(cat "$PATROL_OUT")" "model: 20 categories \(sha256 [0-9a-f]{12}\)" "rules check names the model it loaded"

# ---- a bad model beside the rules is refused by name ----
head -c 200 "$T/a.model" >"$T/pack/model/patrol.model"
patrol_run rules check --rules "$T/pack/rules" --no-cache
is "$?" 1 "a truncated model beside the rules is refused"
like "$(cat "$PATROL_ERR")" "model/patrol.model: model is truncated" "naming the file"
printf 'PATRLMDL\143\000\000\000' >"$T/pack/model/patrol.model"
head -c 100 /dev/zero >>"$T/pack/model/patrol.model"
patrol_run rules check --rules "$T/pack/rules" --no-cache
is "$?" 1 "a model of another format version is refused"
like "$(cat "$PATROL_ERR")" "format version 99.*patrol train" "and says how to fix it"
printf 'not a model at all\n' >"$T/pack/model/patrol.model"
patrol_run scan --rules "$T/pack/rules" --no-cache lua/samples/drug_ad/05-separators.txt
is "$?" 2 "scan refuses rules beside a file that is not a model"
like "$(cat "$PATROL_ERR")" "bad magic" "and says why"

done_testing
