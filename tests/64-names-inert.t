#!/usr/bin/env bash
# Who acts is a name, and stored text is shown inert. --as takes letters
# and digits of any script and . _ - @, at most 64 characters; anything else
# (an ANSI escape, a space, a control character, 65 characters) is refused
# with a message naming the option, before anything is recorded. A page
# whose title and text carry escape sequences, and a comment that carries
# one, are shown by `review show`, `takedown show` and `patrol evidence`
# with the escapes written out, never as raw bytes a terminal would act on.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
export PGCLIENTENCODING=UTF8
start_pg

site=$HARNESS_TMP/site
mkdir -p "$site/ads"
esc=$(printf '\033')
# the HTML parser drops C0 controls from the title; C1 CSI (U+009B) and RLO (U+202E) are text to it
csi=$(printf '\302\233')
rlo=$(printf '\342\200\256')
sed -e "s|<title>野菜 手押し 即日</title>|<title>野菜${esc}]0;owned$(printf '\007')${csi}2J${rlo}abc 手押し 即日</title>|" \
	-e "s|都内23区 手押し|都内23区${esc}[31m 手押し|" \
	"$HARNESS_SITES/basic/ads/yasai.html" >"$site/ads/yasai.html"
printf '<html><body><a href="/ads/yasai.html">x</a></body></html>\n' >"$site/index.html"
check "the page carries raw escapes" grep -q "$esc" "$site/ads/yasai.html"
port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

patrol_run crawl --job names --allow-private --quiet "$base/index.html"
ok $? "crawl" || patrol_diag
page=$(psql_q "SELECT url_id FROM reviews LIMIT 1")
check "the page is flagged ($page)" test -n "$page"

# --- --as --------------------------------------------------------------------
for bad in "${esc}[31mroot${esc}[0m" "Yamada Taro" "a$(printf '\t')b" "$(printf 'n%.0s' $(seq 1 65))" "" "x;DROP"; do
	patrol_run review confirm "$page" --as "$bad"
	is "$?" 2 "review confirm --as '$(printf '%q' "$bad")' is refused"
	like "$(cat "$PATROL_ERR")" "^patrol: --as '.*': the name " "with a message naming the option"
	unlike "$(cat "$PATROL_ERR")" "$esc" "which shows no raw escape"
done
is "$(psql_q "SELECT count(*) FROM review_events WHERE to_status = 'confirmed'")" 0 "nothing was recorded"
patrol_run takedown open "$page" --to site_operator --channel web_form --as "${esc}[2Jx"
is "$?" 2 "takedown open with an escape in --as is refused"
like "$(cat "$PATROL_ERR")" "--as '\\\\x1b\\[2Jx': the name holds a control character" "the escape written out"
patrol_run recheck --as "a b"
is "$?" 2 "recheck --as is checked as well"
printf 'url,reported_at\n%s/index.html,2026-01-01\n' "$base" >"$HARNESS_TMP/r.csv"
patrol_run import "$HARNESS_TMP/r.csv" --as "${esc}[0m"
is "$?" 2 "import --as is checked as well"
is "$(psql_q "SELECT count(*) FROM jobs WHERE name = 'hotline'")" 0 "and nothing was imported"

name="山田_taro.2@patrol-jp"
patrol_run review confirm "$page" --as "$name" --comment "ok${esc}[8m hidden"
ok $? "a name of Japanese letters, digits and . _ - @ is taken" || patrol_diag
is "$(psql_q "SELECT actor FROM review_events WHERE to_status = 'confirmed'")" "$name" "and recorded as given"
patrol_run review confirm "$page" --as "$(printf 'n%.0s' $(seq 1 64))"
ok $? "64 characters are fine" || patrol_diag

# --- stored text shown inert ---------------------------------------------------
patrol_run review show "$page"
ok $? "review show" || patrol_diag
unlike "$(cat "$PATROL_OUT")" "$esc" "review show prints no raw ESC"
unlike "$(cat "$PATROL_OUT")" "$(printf '\007')" "nor BEL"
unlike "$(cat "$PATROL_OUT")" "$csi" "nor a C1 CSI"
unlike "$(cat "$PATROL_OUT")" "$rlo" "nor a right-to-left override"
like "$(cat "$PATROL_OUT")" 'title +野菜\]0;owned\\u009b2J\\u202eabc 手押し' "the title's controls are written out"
like "$(cat "$PATROL_OUT")" 'ok�\[8m hidden' "the comment is shown, its escape made inert"
patrol_run review show "$page" --json
like "$(cat "$PATROL_OUT")" '\\u001b' "JSON escapes it as JSON does"
unlike "$(cat "$PATROL_OUT")" "$esc" "with no raw ESC either"
patrol_run takedown open "$page" --to site_operator --channel web_form --as "$name" --comment "c${esc}[1A"
ok $? "takedown open" || patrol_diag
id=$(psql_q "SELECT max(id) FROM takedowns")
patrol_run takedown show "$id"
ok $? "takedown show"
unlike "$(cat "$PATROL_OUT")" "$esc" "takedown show prints no raw ESC"
patrol_run review list
unlike "$(cat "$PATROL_OUT")" "$esc" "review list prints no raw ESC"
patrol_run export --format table
ok $? "export --format table" || patrol_diag
like "$(cat "$PATROL_OUT")" "手押し" "shows the evidence"
unlike "$(cat "$PATROL_OUT")" "$esc" "with no raw ESC"
unlike "$(cat "$PATROL_OUT")" "$csi" "nor a raw C1 CSI"
unlike "$(cat "$PATROL_OUT")" "$rlo" "nor a right-to-left override"
patrol_run evidence "$page"
ok $? "patrol evidence still verifies the page" || diag "$(cat "$PATROL_OUT")"
unlike "$(cat "$PATROL_OUT")" "$esc" "and shows its headers and body with no raw ESC"
like "$(cat "$PATROL_OUT")" '都内23区\\x1b\[31m 手押し' "the body's escape written out"
patrol_run evidence --body "$page"
check "--body still gives the bytes as stored" cmp -s "$PATROL_OUT" "$site/ads/yasai.html"
done_testing
