#!/usr/bin/env bash
# The evidence chain: the records of a WARC file form a hash chain whose
# head the database keeps, so `patrol evidence --verify-all` finds a record
# removed or inserted, a byte altered (in the data, or in a gzip header where
# no digest looks) and a forged record appended with its digests updated in the
# database, each with the file and offset. A clean crawl verifies; the files
# are 0640 in a 0750 folder.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg
port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
tamper="$(dirname "$0")/lib/warc-tamper.py"

patrol_run crawl --job chain --allow-private --quiet "$base/index.html"
ok $? "crawl with evidence" || patrol_diag
nflag=$(psql_q "SELECT count(*) FROM evidence")
check "the site has flagged pages ($nflag)" test "$nflag" -ge 2

dir="$PATROL_HOME/warc"
file=$(psql_q "SELECT DISTINCT warc_file FROM evidence")
path="$dir/$file"
is "$(stat -c %a "$path")" 640 "the WARC file is 0640"
is "$(stat -c %a "$dir")" 750 "its folder is 0750"
is "$(zcat "$path" | grep -ac '^WARC-Patrol-Chain: sha256:')" "$((2 * nflag))" \
	"every record but the warcinfo carries a chain link"
nrec=$(python3 "$tamper" members "$path" | wc -l)
is "$(psql_q "SELECT records || ' ' || bytes FROM warc_chain_heads WHERE warc_file = '$file' ORDER BY records DESC LIMIT 1")" \
	"$nrec $(stat -c %s "$path")" "the database holds the chain head of the whole file"
check_fails "chain heads are append-only" psql_q "UPDATE warc_chain_heads SET head = repeat('0', 64)"

patrol_run evidence --verify-all
ok $? "a clean crawl verifies" || diag "$(cat "$PATROL_OUT" "$PATROL_ERR")"
like "$(cat "$PATROL_OUT")" "^verified: 1 file, $nrec records" "and says so"
like "$(cat "$PATROL_OUT")" "$nflag evidence rows match" "every evidence row is checked"
patrol_run evidence --check
ok $? "--check on a clean crawl"
like "$(cat "$PATROL_OUT")" " 0 orphan records" "no orphans"

cp -p "$path" "$HARNESS_TMP/orig.warc.gz"
restore() { cp -p "$HARNESS_TMP/orig.warc.gz" "$path"; }
# the first exchange: its response (member 1), request (2), the next response (3)
off1=$(python3 "$tamper" members "$path" | awk '$1 == 1 { print $2 }')
len1=$(python3 "$tamper" members "$path" | awk '$1 == 1 { print $3 }')
off2=$(python3 "$tamper" members "$path" | awk '$1 == 2 { print $2 }')

# --- a record removed ----------------------------------------------------------
python3 "$tamper" remove "$path" "$off1"
patrol_run evidence --verify-all
is "$?" 1 "a removed record fails --verify-all"
like "$(cat "$PATROL_OUT")" "MISMATCH $path:$off1: .*chain link does not match" "named by file:offset, the chain broken there"
like "$(cat "$PATROL_OUT")" "NOT verified: [0-9]+ problems in 1 file" "and the summary says it"
restore

# the last exchange removed: no link breaks, the stored head is no longer reached
last=$(python3 "$tamper" members "$path" | tail -1 | awk '{ print $2 }')
prev=$(python3 "$tamper" members "$path" | tail -2 | head -1 | awk '{ print $2 }')
python3 "$tamper" remove "$path" "$last"
python3 "$tamper" remove "$path" "$prev"
patrol_run evidence --verify-all
is "$?" 1 "the last exchange cut off fails --verify-all"
like "$(cat "$PATROL_OUT")" "MISMATCH $path:$prev: the database holds a chain head after $nrec records" \
	"the stored head is not reached, named at the file's new end"
restore

# --- a record inserted (a copy of the first response, before the second exchange) ---
off3=$(python3 "$tamper" members "$path" | awk '$1 == 3 { print $2 }')
python3 "$tamper" insert "$path" "$off1" "$off3"
patrol_run evidence --verify-all
is "$?" 1 "an inserted record fails --verify-all"
like "$(cat "$PATROL_OUT")" "MISMATCH $path:$off3: its chain link does not match" "named by file:offset"
restore

# --- one byte altered -----------------------------------------------------------
python3 "$tamper" flip "$path" "$((off1 + len1 / 2))"
patrol_run evidence --verify-all
is "$?" 1 "a byte altered in a record's data fails --verify-all"
like "$(cat "$PATROL_OUT")" "MISMATCH $path:$off1: " "named by file:offset"
restore
# byte 4 of a gzip member is its MTIME: the record inflates the same, its digests hold
python3 "$tamper" flip "$path" "$((off1 + 4))"
check "the altered member still inflates as before" bash -c "zcat '$path' | cmp -s - <(zcat '$HARNESS_TMP/orig.warc.gz')"
patrol_run evidence --verify-all
is "$?" 1 "a byte altered in a gzip header (no digest covers it) fails --verify-all"
like "$(cat "$PATROL_OUT")" "MISMATCH $path:$off2: .*chain link does not match the record before it \\(at offset $off1\\)" \
	"named by the next record's file:offset and the altered one's"
restore

# --- a forged record appended, the database pointed at it -----------------------
page=$(psql_q "SELECT u.id FROM urls u WHERE u.url = '$base/ads/yasai.html'")
row=$(psql_q "SELECT v.warc_offset FROM evidence v JOIN fetches f ON f.host_id = v.host_id AND f.id = v.fetch_id WHERE f.url_id = $page")
read -r foff flen fdig fid <<<"$(python3 "$tamper" forge "$path" "$row" '手押し' '手渡し')"
check "the forged record is appended ($foff)" test "$foff" -gt 0
patrol_run evidence --verify-all
ok $? "a forged record nothing points at is no chain failure"
patrol_run evidence --check
ok $? "--check"
like "$(cat "$PATROL_OUT")" "orphan $path:$foff: response record .*past the last chain head" "--check lists it as an orphan past the chain head"
psql_q "UPDATE evidence v SET warc_offset = $foff, warc_length = $flen, warc_digest = '$fdig', warc_record_id = '$fid'
	FROM fetches f WHERE f.host_id = v.host_id AND f.id = v.fetch_id AND f.url_id = $page" >/dev/null
patrol_run evidence "$page"
isnt "$?" 0 "patrol evidence PAGE no longer reads verified"
like "$(cat "$PATROL_OUT")" "MISMATCH: the record lies past the last chain head" "it lies past the sealed chain"
patrol_run evidence --verify-all
is "$?" 1 "a forged record with its digests updated in the database fails --verify-all"
like "$(cat "$PATROL_OUT")" "MISMATCH $path:$foff: fetch [0-9]+ points at a record past the last chain head" "named by file:offset"
done_testing
