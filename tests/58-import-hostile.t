#!/usr/bin/env bash
# Import of damaged or hostile files isolates the bad rows and names each
# one, whatever its size, and converts nothing silently:
#   - a 10 MB reference field (it failed the file's whole transaction on the
#     unique index and lost the good rows after it) is a bad row;
#   - a NUL byte in a URL is a bad row (it was stored as %20);
#   - bytes that are not UTF-8 in a UTF-8 file make their row bad (the file
#     was silently re-read as Shift_JIS);
#   - bytes that are not Shift_JIS in a Shift_JIS file make their row bad;
#   - the good rows around them are imported.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd iconv python3
start_pg
base="http://127.0.0.1:1"

refs() {
	psql_q "SELECT string_agg(p.reference, ' ' ORDER BY p.line) FROM reports p JOIN jobs j ON j.id = p.job_id WHERE j.name = '$1'"
}

# --- a 10 MB field between good rows ---------------------------------------------
csv=$HARNESS_TMP/big.csv
python3 - "$csv" "$base" <<'EOF'
import sys
path, base = sys.argv[1], sys.argv[2]
with open(path, "w") as f:
    f.write("url,reported_at,source,reference\n")
    f.write(base + "/a.html,2026-11-01,ihc,通報-1\n")
    f.write(base + "/b.html,2026-11-01,ihc," + "x" * (10 << 20) + "\n")
    f.write(base + "/c.html,2026-11-01,ihc,通報-3\n")
    f.write(base + "/d.html,2026-11-01," + "s" * 5000 + ",通報-4\n")
    f.write(base + "/e.html,2026-11-01,ihc,通報-5\n")
EOF
patrol_run import "$csv" --job big
is "$?" 1 "a file with a 10 MB field exits 1"
like "$(cat "$PATROL_ERR")" "^$csv:3: reference is 10485760 bytes \(at most 1000\)" "line 3: the 10 MB field is named"
like "$(cat "$PATROL_ERR")" "
$csv:5: source is 5000 bytes \(at most 200\)" "line 5: the long source is named"
is "$(grep -c '^' "$PATROL_ERR")" 2 "and nothing else"
is "$(refs big)" "通報-1 通報-3 通報-5" "the good rows before and after are imported"

# --- NUL and bytes that are not UTF-8 --------------------------------------------
csv=$HARNESS_TMP/nul.csv
printf 'url,reported_at,source,reference\n%s/a.html,2026-11-01,ihc,通報-1\n%s/b\0c.html,2026-11-01,ihc,通報-2\n%s/c.html,2026-11-01,ihc,通報-3\n%s/d.html,2026-11-01,ihc,bad-\xff\xfe-4\n%s/e.html,2026-11-01,ihc,通報-5\n' \
	"$base" "$base" "$base" "$base" "$base" >"$csv"
patrol_run import "$csv" --job nul
is "$?" 1 "a UTF-8 file with a NUL and a bad byte exits 1"
like "$(cat "$PATROL_ERR")" "^$csv:3: a NUL byte \(line 3\)" "line 3: the NUL is named"
like "$(cat "$PATROL_ERR")" "
$csv:5: bytes that are not UTF-8 \(line 5\)" "line 5: the bytes that are not UTF-8 are named"
is "$(grep -c '^' "$PATROL_ERR")" 2 "and nothing else"
is "$(refs nul)" "通報-1 通報-3 通報-5" "the good rows are imported, read as UTF-8"
is "$(psql_q "SELECT count(*) FROM urls WHERE url LIKE '%\%20%' OR url LIKE '%b c%'")" 0 "no URL with the NUL made a space"

# --- a Shift_JIS file with bytes that are not Shift_JIS ----------------------------
csv=$HARNESS_TMP/sjis.csv
{
	printf 'url,reported_at,source,reference\r\n%s/a.html,2026-11-01,ihc,通報-1\r\n' "$base" | iconv -f utf-8 -t cp932
	printf '%s/b.html,2026-11-01,ihc,bad-\x85\xff\r\n' "$base"
	printf '%s/c.html,2026-11-01,ihc,通報-3\r\n' "$base" | iconv -f utf-8 -t cp932
} >"$csv"
patrol_run import "$csv" --job sjis
is "$?" 1 "a Shift_JIS file with a bad byte exits 1"
like "$(cat "$PATROL_ERR")" "^$csv:3: bytes that are not Shift_JIS \(line 3\)" "line 3 is named"
is "$(refs sjis)" "通報-1 通報-3" "the good rows are imported, read as Shift_JIS"

done_testing
