#!/usr/bin/env bash
# Hotline intake: `patrol import` of a CSV with good and bad rows imports the
# good ones (as seeds of the job, each report's reference kept on its page),
# names every bad one (no URL, a bad date, an unknown category, a URL that is
# not http) with its line number, and exits 1. Importing again adds nothing;
# a Shift_JIS file from a spreadsheet reads the same; the imported URLs are
# crawled like seeds and their reports show on the flagged page.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd iconv
start_pg
port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

csv=$HARNESS_TMP/reports.csv
# line 5's record spans two lines (a quoted line break), so the lines after it count from 7
cat >"$csv" <<CSV
url,reported_at,source,reference,category
$base/ads/yasai.html,2026-11-01 10:15,ihc,IHC-0001,drug_ad
,2026-11-01,ihc,IHC-0002,drug_ad
$base/sjis/page.html,2026-11-31,public,P-17,
"$base/recipes/yasai.html","2026-11-02T09:00:00+09:00",public,"P-18, with a
line break",
$base/news/arrest.html,2026/11/03,ihc,IHC-0003,drugs
ftp://127.0.0.1/file.txt,2026-11-03,ihc,IHC-0004,
$base/index.html,yesterday,public,P-19,

$base/sjis/page.html,2026-11-04 08:00:00Z,ihc,IHC-0005,drug_ad
CSV
patrol_run import "$csv" --job hotline --as intake
is "$?" 1 "import with bad rows exits 1"
errs=$(cat "$PATROL_ERR")
like "$errs" "^$csv:3: no URL" "line 3: no URL"
like "$errs" "
$csv:4: bad date '2026-11-31'" "line 4: a bad date"
like "$errs" "
$csv:7: unknown category 'drugs'" "line 7 (after a two-line record): an unknown category"
like "$errs" "
$csv:8: bad URL 'ftp://127.0.0.1/file.txt'" "line 8: not an http(s) URL"
like "$errs" "
$csv:9: bad date 'yesterday'" "line 9: not a date"
is "$(grep -c '^' "$PATROL_ERR")" 5 "and nothing else"
like "$(cat "$PATROL_OUT")" "imported 3 of 8 rows into job 'hotline' \(3 new URLs, 3 new reports\); 5 bad" \
	"the summary counts good and bad rows"
is "$(psql_q "SELECT string_agg(u.url, ' ' ORDER BY u.url) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'hotline'")" \
	"$base/ads/yasai.html $base/recipes/yasai.html $base/sjis/page.html" "the good rows' URLs are in the job"
is "$(psql_q "SELECT bool_and(h.seed) || ' ' || bool_and(u.depth = 0 AND u.state = 0) FROM urls u JOIN hosts h ON h.id = u.host_id")" \
	"true true" "as queued seeds"
is "$(psql_q "SELECT string_agg(p.reference || '@' || to_char(p.reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || '#' || p.line, ' ' ORDER BY p.line) FROM reports p")" \
	"IHC-0001@2026-11-01 01:15#2 P-18, with a
line break@2026-11-02 00:00#5 IHC-0005@2026-11-04 08:00#11" "each report's reference, time (Japan time without a zone) and line are kept"
is "$(psql_q "SELECT p.category || ' ' || p.source || ' ' || p.imported_by FROM reports p WHERE reference = 'IHC-0001'")" \
	"drug_ad ihc intake" "with its category, source and importer"

patrol_run import "$csv" --job hotline --json
is "$?" 1 "importing the same file again still names the bad rows"
like "$(cat "$PATROL_OUT")" '"imported":3,"bad_rows":5,"new_urls":0,"new_reports":0' "and adds nothing (--json)"
like "$(cat "$PATROL_OUT")" '\{"line":3,"error":"no URL"\}' "--json lists the bad rows with their lines"

# a spreadsheet's Shift_JIS export, all rows good
printf 'URL,Reported_At,Source,Reference\r\n%s/news/arrest.html,2026-11-05,ihc,通報-0006\r\n' "$base" |
	iconv -f utf-8 -t cp932 >"$HARNESS_TMP/sjis.csv"
patrol_run import "$HARNESS_TMP/sjis.csv" --job hotline
ok $? "a Shift_JIS file with only good rows exits 0" || patrol_diag
is "$(psql_q "SELECT count(*) FROM reports WHERE reference = '通報-0006'")" 1 "its reference is read as Japanese"

printf 'address,when\nhttp://a.example.jp/,2026-11-01\n' >"$HARNESS_TMP/nourl.csv"
patrol_run import "$HARNESS_TMP/nourl.csv" --job hotline
is "$?" 1 "a file without a url column is refused"
like "$(cat "$PATROL_ERR")" "has no 'url' column" "and says why"
patrol_run import "$HARNESS_TMP/missing.csv" --job hotline
is "$?" 1 "a missing file is refused"

# the imported URLs are crawled like seeds
patrol_run crawl --job hotline --resume --max-depth 0 --allow-private --quiet
ok $? "crawl --resume of the import job" || patrol_diag
is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'hotline' AND u.state = 2")" 4 \
	"every imported URL is fetched"
page=$(psql_q "SELECT id FROM urls WHERE url = '$base/ads/yasai.html'")
patrol_run review show "$page" --json
ok $? "review show of an imported page"
like "$(cat "$PATROL_OUT")" '"reports":\[\{"reported_at":"[^"]*","source":"ihc","reference":"IHC-0001"' \
	"the flagged page carries the hotline's reference"

done_testing
