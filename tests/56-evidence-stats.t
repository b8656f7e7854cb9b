#!/usr/bin/env bash
# Evidence: every flagged page's request and response in WARC/1.1 files under
# $PATROL_HOME/warc, located from the database, verified by `patrol evidence`,
# refused when tampered with; no record for pages nothing flagged. And the
# --stats-file figures in Prometheus text format.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg
port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
stats="$HARNESS_TMP/stats.prom"

patrol_run crawl --job ev --allow-private --quiet --stats-file "$stats" "$base/index.html"
ok $? "crawl with evidence and a stats file" || patrol_diag

nflag=$(psql_q "SELECT count(DISTINCT (host_id, fetch_id)) FROM hits")
check "the site has flagged pages ($nflag)" test "$nflag" -ge 2
is "$(psql_q "SELECT count(*) FROM evidence")" "$nflag" "one evidence row per flagged fetch"
is "$(psql_q "SELECT count(*) FROM evidence v WHERE NOT EXISTS (SELECT 1 FROM hits h WHERE h.host_id = v.host_id AND h.fetch_id = v.fetch_id)")" \
	0 "no evidence for pages nothing flagged"
warcs=$(find "$PATROL_HOME/warc" -name '*.warc.gz' | sort)
ok "$([ -n "$warcs" ] && echo 0 || echo 1)" "WARC files under \$PATROL_HOME/warc"
check "each file is valid gzip" gzip -t $warcs
is "$(zcat $warcs | grep -ac '^WARC-Type: response')" "$nflag" "one response record per flagged page"
is "$(zcat $warcs | grep -ac '^WARC-Type: request')" "$nflag" "and one request record each"
is "$(zcat $warcs | grep -ac '^WARC/1.1')" "$((2 * nflag + $(echo "$warcs" | wc -l)))" \
	"records are WARC/1.1 (a warcinfo record opens each file)"

page=$(psql_q "SELECT u.id FROM urls u WHERE u.url = '$base/ads/yasai.html'")
patrol_run evidence "$page"
ok $? "patrol evidence PAGE_ID" || patrol_diag
like "$(cat "$PATROL_OUT")" "verified: record id, payload sha256" "the record is verified against the database"
like "$(cat "$PATROL_OUT")" "GET /ads/yasai.html HTTP/1.1" "the request as sent"
like "$(cat "$PATROL_OUT")" "HTTP/1.1 200 OK" "the response as received"
patrol_run evidence "$base/ads/yasai.html"
ok $? "patrol evidence URL"
patrol_run evidence --body "$page"
is "$(sha256sum < "$PATROL_OUT" | cut -d' ' -f1)" "$(sha256sum < "$HARNESS_SITES/basic/ads/yasai.html" | cut -d' ' -f1)" \
	"--body gives back the body byte for byte"
patrol_run evidence --extract "$HARNESS_TMP/out" "$page"
ok $? "--extract"
ok "$([ -s "$(ls "$HARNESS_TMP"/out/*.warc | head -1)" ] && [ -s "$(ls "$HARNESS_TMP"/out/*.body | head -1)" ] && echo 0 || echo 1)" \
	"--extract writes the records and the body"
patrol_run evidence "$base/recipes/yasai.html"
isnt "$?" 0 "a page nothing flagged has no evidence"

# tamper with the stored body inside the record: the digests no longer match
file=$(psql_q "SELECT warc_file FROM evidence v JOIN urls u ON u.host_id = v.host_id JOIN fetches f ON f.host_id = v.host_id AND f.id = v.fetch_id AND f.url_id = u.id WHERE u.url = '$base/ads/yasai.html'")
off=$(psql_q "SELECT warc_offset FROM evidence v JOIN fetches f ON f.host_id = v.host_id AND f.id = v.fetch_id JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id WHERE u.url = '$base/ads/yasai.html'")
len=$(psql_q "SELECT warc_length FROM evidence v JOIN fetches f ON f.host_id = v.host_id AND f.id = v.fetch_id JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id WHERE u.url = '$base/ads/yasai.html'")
path="$PATROL_HOME/warc/$file"
python3 - "$path" "$off" "$len" <<'PY'
import gzip, sys
path, off, length = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, 'rb').read()
member = gzip.decompress(data[off:off + length])
forged = member.replace('手押し'.encode(), '手渡し'.encode(), 1)
assert forged != member
new = gzip.compress(forged)
open(path, 'wb').write(data[:off] + new + data[off + length:])
PY
psql_q "UPDATE evidence SET warc_length = $(python3 - "$path" "$off" <<'PY'
import sys, zlib
data = open(sys.argv[1], 'rb').read()[int(sys.argv[2]):]
d = zlib.decompressobj(31)
d.decompress(data)
print(len(data) - len(d.unused_data))
PY
) WHERE warc_file = '$file' AND warc_offset = $off" >/dev/null
patrol_run evidence "$page"
isnt "$?" 0 "a record altered after the crawl fails verification"
like "$(cat "$PATROL_OUT" "$PATROL_ERR")" "(mismatch|does not match|differ)" "and says so"

# --- the stats file ---------------------------------------------------------
ok "$([ -s "$stats" ] && echo 0 || echo 1)" "the stats file exists"
fetched=$(psql_q "SELECT count(*) FROM fetches")
is "$(awk '$1 == "patrol_pages_fetched_total" { print $2 }' "$stats")" "$fetched" "patrol_pages_fetched_total is the final count"
is "$(awk '$1 == "patrol_hits_total" { print $2 }' "$stats")" "$(psql_q 'SELECT count(*) FROM hits')" "patrol_hits_total"
is "$(awk '$1 == "patrol_refused_total{reason=\"robots\"}" { print $2 }' "$stats")" "2" "refusals by reason"
like "$(cat "$stats")" "# TYPE patrol_pages_fetched_total counter" "Prometheus text format"
for st in fetch decode parse sketch classify store; do
	like "$(cat "$stats")" "patrol_stage_cpu_seconds_total\\{stage=\"$st\"\\} [0-9]+\\.[0-9]{3}" "CPU time of the $st stage"
done
check "the classify stage took some CPU time" awk '$1 == "patrol_stage_cpu_seconds_total{stage=\"classify\"}" && $2 > 0 { f = 1 } END { exit !f }' "$stats"
like "$(cat "$HARNESS_TMP/patrol.log")" "cpu s: fetch=[0-9.]+ decode=[0-9.]+ parse=[0-9.]+ sketch=[0-9.]+ classify=[0-9.]+ store=[0-9.]+" \
	"the summary gives the CPU time per stage"
done_testing
