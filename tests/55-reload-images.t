#!/usr/bin/env bash
# Rules reloaded into a running crawl (--watch-rules and SIGHUP): a good set
# is swapped in between pages, a broken one is refused and the crawl keeps the
# rules it had. Images matched against an operator's hash list: only hashes
# are kept, the image never goes to the evidence files; without a list,
# images are not even requested.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg
site="$HARNESS_TMP/site"
cp -r "$HARNESS_SITES/chain" "$site"
mkdir -p "$site/img"
head -c 4096 /dev/urandom > "$site/img/ok.png"
head -c 4096 /dev/urandom > "$site/img/bad.png"
port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

rules="$HARNESS_TMP/rules/rules"
mkdir -p "$rules"
cp -r "$PATROL_SRC/lua/lib" "$HARNESS_TMP/rules/lib"
cat > "$rules/a_base.lua" <<'LUA'
return {
  name = "test.base",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m) return 0.9, lib.evidence(page, lib.first(m.word), 10) end,
}
LUA

# --- hash lists ------------------------------------------------------------------
printf '# operator list\n%s\n' "$(sha256sum "$site/img/bad.png" | cut -d' ' -f1)" > "$HARNESS_TMP/hashes.txt"
md5sum "$site/img/ok.png" | cut -d' ' -f1 > "$HARNESS_TMP/md5.txt"
printf 'not-a-hash\n' > "$HARNESS_TMP/broken.txt"

patrol_run crawl --job nolist --allow-private --quiet --rules "$rules" --max-depth 2 "$base/index.html"
ok $? "a crawl without a hash list"
is "$(access_count /img/ok.png)" 0 "without a hash list images are not requested"

patrol_run crawl --job broken --allow-private --quiet --rules "$rules" --hash-list "$HARNESS_TMP/broken.txt" "$base/index.html"
is "$?" 2 "a broken hash list is refused before crawling"
like "$(cat "$PATROL_ERR")" "broken.txt:1:" "with file:line"

patrol_run crawl --job images --allow-private --quiet --rules "$rules" --hash-list "$HARNESS_TMP/hashes.txt" "$base/index.html"
ok $? "a crawl with a hash list" || patrol_diag
is "$(access_count /img/ok.png)" 1 "a linked image is fetched once"
is "$(access_count /img/bad.png)" 1 "so is the other"
is "$(psql_q "SELECT h.category || ' ' || h.classifier FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id JOIN jobs j ON j.id = h.job_id WHERE j.name = 'images' AND u.url = '$base/img/bad.png'")" \
	"child_pornography imagehash" "the listed image is flagged by the hash list"
is "$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id JOIN jobs j ON j.id = h.job_id WHERE j.name = 'images' AND u.url = '$base/img/ok.png'")" \
	0 "an image not on the list is not"
is "$(psql_q "SELECT count(*) FROM evidence v JOIN fetches f ON f.host_id = v.host_id AND f.id = v.fetch_id JOIN jobs j ON j.id = f.job_id WHERE j.name = 'images'")" \
	0 "no image is written to the evidence files"
is "$(find "$PATROL_HOME/warc" -name '*.warc.gz' 2>/dev/null -newer "$HARNESS_TMP/hashes.txt" -exec zcat {} + 2>/dev/null | grep -c 'img/bad.png' || true)" \
	0 "(nor does any WARC record mention it)"
patrol_run crawl --job images-md5 --allow-private --quiet --rules "$rules" --hash-list "$HARNESS_TMP/md5.txt" "$base/index.html"
is "$(psql_q "SELECT count(*) FROM hits h JOIN jobs j ON j.id = h.job_id WHERE j.name = 'images-md5' AND h.classifier = 'imagehash'")" \
	1 "MD5 entries match too"

# --- reload while crawling ----------------------------------------------------------
# one page a second along the chain, so the crawl is still running when the rules change
patrol_bg crawl --job reload --allow-private --quiet --rules "$rules" --watch-rules --delay-ms 1000 --no-cache "$base/index.html"
pid=$PATROL_BG_PID
wait_for 60 sh -c "[ \"\$(psql \"$PATROL_DB\" -X -A -t -c \"SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'reload'\")\" -ge 2 ]"
ok $? "the crawl is under way"
# a broken file first: refused, the crawl goes on with the rules it has
printf 'return { name = "test.broken", category = "drug_ad", patterns = { w = { "(" } } \n' > "$rules/b_broken.lua.tmp"
mv "$rules/b_broken.lua.tmp" "$rules/b_broken.lua"
sleep 2
rm "$rules/b_broken.lua"
cat > "$rules/c_new.lua.tmp" <<'LUA'
return {
  name = "test.password",
  category = "fake_shop",
  patterns = { word = { "ぱとろーるてすと" } },
  classify = function(page, m) return 0.8, lib.evidence(page, lib.first(m.word), 10) end,
}
LUA
mv "$rules/c_new.lua.tmp" "$rules/c_new.lua"
wait "$pid"
ok $? "the crawl ends by itself with status 0"
log=$HARNESS_TMP/patrol-bg.log
like "$(cat "$log")" "b_broken.lua:[0-9]+: .*running rules stay" "the broken set was refused with file:line"
is "$(psql_q "SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'reload'")" 8 \
	"every page of the chain was fetched"
last=$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id JOIN jobs j ON j.id = h.job_id WHERE j.name = 'reload' AND h.rule = 'test.password' AND u.url = '$base/p8.html'")
is "$last" 1 "pages fetched after the reload are classified with the new rule"
first=$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id JOIN jobs j ON j.id = h.job_id WHERE j.name = 'reload' AND h.rule = 'test.password' AND u.url = '$base/index.html'")
is "$first" 0 "the first page, fetched before it, was not"

# SIGHUP does the same
rm "$rules/c_new.lua"
patrol_bg crawl --job hup --allow-private --quiet --rules "$rules" --delay-ms 1000 --no-cache "$base/index.html"
pid=$PATROL_BG_PID
wait_for 60 sh -c "[ \"\$(psql \"$PATROL_DB\" -X -A -t -c \"SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'hup'\")\" -ge 2 ]"
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
ok $? "after SIGHUP the crawl goes on and ends with status 0"
is "$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id JOIN jobs j ON j.id = h.job_id WHERE j.name = 'hup' AND h.rule = 'test.password' AND u.url = '$base/p8.html'")" \
	1 "SIGHUP swapped the new rule in"
done_testing
