#!/usr/bin/env bash
# A hot reload runs the rule pack's own samples (<rules>/../samples, as
# `patrol rules test` reads them) with the running rules and the new ones,
# and refuses a set that gets wrong what the running set got right: a rule
# edited to flag nothing, or one that flags a benign page, stays out and the
# crawl keeps its rules; a change that breaks no sample is swapped in.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg
port=$(free_port)
start_nginx "$HARNESS_SITES/chain" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

pack=$HARNESS_TMP/pack
rules=$pack/rules
mkdir -p "$rules" "$pack/samples/drug_ad" "$pack/samples/benign"
cp -r "$PATROL_SRC/lua/lib" "$pack/lib"
base_rule() {
	cat > "$rules/a_base.lua.tmp" <<LUA
return {
  name = "test.base",
  category = "drug_ad",
  patterns = { word = { "大麻" }, other = { "晴れ" } },
  classify = function(page, m) return $1, lib.evidence(page, lib.first(m.word), 10) end,
}
LUA
	mv "$rules/a_base.lua.tmp" "$rules/a_base.lua"
}
base_rule '#m.word > 0 and 0.9 or 0'
printf '大麻あります、連絡ください\n' > "$pack/samples/drug_ad/01.txt"
printf '今日は晴れ、散歩日和です\n' > "$pack/samples/benign/01.txt"

log=$HARNESS_TMP/patrol-bg.log
patrol_bg crawl --job vet --allow-private --quiet --rules "$rules" --delay-ms 1000 --no-cache "$base/index.html"
pid=$PATROL_BG_PID
wait_for 60 sh -c "[ \"\$(psql \"$PATROL_DB\" -X -A -t -c \"SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'vet'\")\" -ge 1 ]"
ok $? "the crawl is under way"

# the rule edited to flag nothing: its positive sample regresses
base_rule '0'
kill -HUP "$pid"
wait_for 30 grep -q "running rules stay" "$log"
ok $? "a set that misses a sample is refused"
like "$(cat "$log")" "samples/drug_ad/01.txt: no longer flagged drug_ad by the new rules" "and the sample is named"

# the rule edited to flag the benign sample too
base_rule '0.9'
kill -HUP "$pid"
wait_for 30 sh -c "[ \$(grep -c 'running rules stay' '$log') -ge 2 ]"
ok $? "a set that flags a benign sample is refused"
like "$(cat "$log")" "samples/benign/01.txt: a benign sample now flagged drug_ad" "and the sample is named"

# back as it was, plus a new rule that breaks nothing: swapped in
base_rule '#m.word > 0 and 0.9 or 0'
cat > "$rules/c_new.lua" <<'LUA'
return {
  name = "test.password",
  category = "fake_shop",
  patterns = { word = { "ぱとろーるてすと" } },
  classify = function(page, m) return 0.8, lib.evidence(page, lib.first(m.word), 10) end,
}
LUA
kill -HUP "$pid"
wait "$pid"
ok $? "the crawl ends by itself with status 0"
is "$(grep -c 'running rules stay' "$log")" 2 "a set that keeps every sample is not refused"
is "$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id JOIN jobs j ON j.id = h.job_id WHERE j.name = 'vet' AND h.rule = 'test.password' AND u.url = '$base/p8.html'")" \
	1 "pages after the reload are classified with the new rule"
done_testing
