#!/usr/bin/env bash
# Japanese operation: times shown in Japan time by default (--utc for UTC,
# ISO 8601 with the offset in JSON and CSV), durations in days and hours,
# the Japanese category names beside the codes in tables, and a hotline
# file in Shift_JIS with Japanese headers and category names imported.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg
unset PATROL_TZ PGTZ

port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
patrol_run crawl --job jp --allow-private --quiet "$base/"
ok $? "crawl of the basic site" || patrol_diag
A=$(psql_q "SELECT url_id FROM reviews ORDER BY url_id LIMIT 1")
cat=$(psql_q "SELECT category FROM hits WHERE url_id = $A ORDER BY score DESC LIMIT 1")
ja=$(psql_q "SELECT ja FROM categories WHERE code = '$cat'")
flagged_jst=$(psql_q "SELECT to_char(flagged_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS') FROM reviews WHERE url_id = $A")
flagged_utc=$(psql_q "SELECT to_char(flagged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM reviews WHERE url_id = $A")

# --- times ----------------------------------------------------------------------
patrol_run review show "$A"
ok $? "review show" || patrol_diag
like "$(cat "$PATROL_OUT")" "$flagged_jst\\+09" "times are shown in Japan time, to the second, with +09"
unlike "$(cat "$PATROL_OUT")" "$flagged_jst\\.[0-9]" "without microseconds"
patrol_run --utc review show "$A"
like "$(cat "$PATROL_OUT")" "$flagged_utc\\+00" "--utc shows them in UTC"
patrol_run review list --json
like "$(cat "$PATROL_OUT")" "\"flagged_at\":\"${flagged_jst/ /T}(\\.[0-9]+)?\\+09:00\"" "JSON: ISO 8601 with the offset"
patrol_run review list --format csv
like "$(cat "$PATROL_OUT")" "${flagged_jst/ /T}(\\.[0-9]+)?\\+09:00" "CSV: ISO 8601 with the offset"
patrol_run review list --since "${flagged_jst%% *}" --json
ok "$(grep -q "\"page_id\":$A" "$PATROL_OUT" && echo 0 || echo 1)" "--since a date reads it as a Japan date"

# --- category names beside the codes ------------------------------------------------
patrol_run review list
like "$(cat "$PATROL_OUT")" "$cat $ja" "tables give the Japanese name beside the code"
patrol_run review list --json
unlike "$(cat "$PATROL_OUT")" "$ja" "JSON keeps the codes only"

# --- durations in days and hours ----------------------------------------------------
patrol_run review confirm "$A" --as alice
patrol_run takedown open "$A" --to hosting_provider --channel email --json
tid=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['id'])" "$PATROL_OUT")
psql_q "SELECT 1" >/dev/null
patrol_run takedown list
like "$(cat "$PATROL_OUT")" "waiting_days" "takedown list has the waiting time"
like "$(sed -n 2p "$PATROL_OUT")" " [0-9]+(s|m|h [0-9]+m|d [0-9]+h) " "shown as days and hours, not a fraction of days"
patrol_run takedown send "$tid"
patrol_run takedown close "$tid" --removed
patrol_run report
ok $? "report" || patrol_diag
like "$(cat "$PATROL_OUT")" "detect_to_removal_median_s" "the report has the time to removal"
unlike "$(grep -A3 '^by category' "$PATROL_OUT")" "[0-9]\\.[0-9]{3}( |$)" "no seconds with decimals in the table"
patrol_run report --json
like "$(cat "$PATROL_OUT")" "\"detect_to_removal_median_s\":[0-9.]+" "JSON keeps seconds"

# --- CSV for spreadsheets ------------------------------------------------------------
"$PATROL_BIN" export --format csv --job jp >"$HARNESS_TMP/plain.csv" 2>/dev/null
ok $? "export --format csv"
"$PATROL_BIN" export --format csv --job jp --excel >"$HARNESS_TMP/excel.csv" 2>/dev/null
ok $? "export --format csv --excel"
is "$(head -c 3 "$HARNESS_TMP/excel.csv" | od -An -tx1 | tr -d ' \n')" efbbbf "--excel starts with a UTF-8 BOM"
is "$(tail -c +4 "$HARNESS_TMP/excel.csv" | cmp - "$HARNESS_TMP/plain.csv" >/dev/null && echo same)" same \
	"followed by the same UTF-8 CSV"
"$PATROL_BIN" export --format csv --job jp --encoding cp932 >"$HARNESS_TMP/sjis.csv" 2>/dev/null
ok $? "export --format csv --encoding cp932"
is "$(python3 -c "import sys; a=open(sys.argv[1],'rb').read(); b=open(sys.argv[2],'rb').read()
print('same' if a.decode('utf-8').encode('cp932', 'replace') == b else 'differs')" "$HARNESS_TMP/plain.csv" "$HARNESS_TMP/sjis.csv")" \
	same "--encoding cp932 is the same CSV in Shift_JIS"
ok "$(python3 -c "import sys; print(0 if any(b > 127 for b in open(sys.argv[1], 'rb').read()) else 1)" "$HARNESS_TMP/plain.csv")" \
	"(the CSV has Japanese text to recode)"
patrol_run export --format jsonl --excel
is "$?" 2 "--excel goes with --format csv only"
patrol_run export --format csv --encoding latin1
is "$?" 2 "an unknown --encoding is refused"
like "$(cat "$PATROL_ERR")" "option '--encoding' wants utf-8 or cp932" "naming the option and the choices"

# --- a Shift_JIS hotline file with Japanese headers and names -------------------------
python3 - "$HARNESS_TMP/hotline.csv" "$base" <<'PY'
import sys
rows = ["URL,通報日時,受付番号,分類",
        f"{sys.argv[2]}/extra/a.html,2026/11/30 10:00,IHC-1,闇バイト",
        f"{sys.argv[2]}/extra/b.html,2026-11-30 11:30,IHC-2,規制薬物の広告",
        f"{sys.argv[2]}/extra/c.html,2026-11-30 12:00,IHC-3,なにか"]
open(sys.argv[1], "wb").write(("\r\n".join(rows) + "\r\n").encode("cp932"))
PY
patrol_run import "$HARNESS_TMP/hotline.csv" --job ihc
is "$?" 1 "import of the Shift_JIS file: exit 1 for its one bad row"
like "$(cat "$PATROL_ERR")" "hotline.csv:4: unknown category 'なにか'" "the bad row is named, decoded"
is "$(psql_q "SELECT string_agg(reference || '=' || category, ',' ORDER BY reference) FROM reports")" \
	"IHC-1=crime_recruitment,IHC-2=drug_ad" "Japanese headers and category names are read as codes"
is "$(psql_q "SELECT to_char(reported_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI') FROM reports WHERE reference = 'IHC-1'")" \
	"2026-11-30 10:00" "a time without a zone is Japan time"
done_testing
