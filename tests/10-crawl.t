#!/usr/bin/env bash
# A crawl of the basic fixture site: exactly which URLs are fetched (nginx's
# access log), which pages are stored, which hits are found, and what export
# writes. Then the refusals: a re-run fetches nothing again, a private address
# is refused without --allow-private, bad arguments fail clearly.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
start_pg
port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

patrol_run crawl --job basic --allow-private --concurrency 4 --quiet "$base/index.html"
ok $? "crawl of the basic site exits 0" || patrol_diag
like "$(cat "$PATROL_ERR")" "crawl 'basic'.* fetched" "a one-line summary ends the crawl"

# --- what was requested ------------------------------------------------------
nfetch=0
while read -r status path; do
	nfetch=$((nfetch + 1))
	n=$(access_count "$path")
	case $path in
	/a/b.html) n=$((n + $(access_count /a/./b.html))) ;;
	/~user/page.html) n=$((n + $(access_count /%7Euser/page.html))) ;;
	esac
	is "$n" 1 "fetched exactly once: $path"
	case $path in
	/a/b.html | /~user/page.html) ;;
	*) is "$(access_status "$path")" "$status" "status $status: $path" ;;
	esac
done < <(site_expected basic fetch)

while read -r path; do
	case $path in
	http*) is "$(psql_q "SELECT count(*) FROM urls WHERE url = '$path'")" 0 "out of scope, never queued: $path" ;;
	*) is "$(access_count "$path")" 0 "never requested: $path" ;;
	esac
done < <(site_expected basic never)
is "$(wc -l < "$NGINX_ACCESS_LOG")" "$nfetch" "no request beyond the expected ones"
is "$(grep -c 'patrol/' "$NGINX_ACCESS_LOG" || true)" 0 "(the access log does not record user agents)"

# --- what was stored ---------------------------------------------------------
is "$(psql_q "SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'basic'")" \
	"$((nfetch - 1))" "every fetched page is stored (robots.txt is not a page)"
is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"
is "$(psql_q "SELECT string_agg(url, ' ' ORDER BY url) FROM urls WHERE state = 3 AND reason = 'robots'")" \
	"$base/private/ $base/private/secret.html" "robots.txt refusals are recorded with their reason"
is "$(psql_q "SELECT http_status FROM fetches f JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id WHERE u.url = '$base/missing.html'")" \
	404 "a 404 is stored with its status"
is "$(psql_q "SELECT count(*) FROM fetches WHERE content_sha256 !~ '^[0-9a-f]{64}$' AND size > 0")" 0 \
	"every body has a SHA-256"
sha=$(sha256sum "$HARNESS_SITES/basic/ads/yasai.html" | cut -d' ' -f1)
is "$(psql_q "SELECT content_sha256 FROM fetches WHERE final_url = '$base/ads/yasai.html'")" "$sha" \
	"the stored SHA-256 is that of the body served"
is "$(psql_q "SELECT server_ip FROM fetches WHERE final_url = '$base/ads/yasai.html'")" "127.0.0.1" \
	"the server address is stored"
like "$(psql_q "SELECT charset FROM fetches WHERE final_url = '$base/sjis/page.html'")" "cp932" \
	"the Shift_JIS page was decoded as CP932"
like "$(psql_q "SELECT title FROM fetches WHERE final_url = '$base/index.html'")" "fixture" "titles are stored"

# --- what was flagged --------------------------------------------------------
while read -r category path; do
	is "$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id WHERE u.url = '$base$path' AND h.category = '$category'")" \
		1 "flagged $category: $path"
done < <(site_expected basic flag)
while read -r path; do
	is "$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id WHERE u.url = '$base$path'")" \
		0 "not flagged: $path"
done < <(site_expected basic clean)
nflag=$(site_expected basic flag | wc -l)

# --- export ------------------------------------------------------------------
patrol_run export --format jsonl --job basic
ok $? "export --format jsonl exits 0" || patrol_diag
is "$(wc -l < "$PATROL_OUT")" "$nflag" "one JSON line per flagged page and category"
for field in url final_url category score classifier rule evidence http_status fetched_at \
	content_sha256 review_status takedown_status; do
	is "$(grep -c "\"$field\":" "$PATROL_OUT")" "$nflag" "every JSON line has '$field'"
done
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert 0 <= o["score"] <= 1 and o["http_status"] == 200 and len(o["content_sha256"]) == 64
    assert o["evidence"] and o["review_status"] == "new"' "$PATROL_OUT"
	ok $? "the JSON lines parse, with scores in 0..1 and evidence"
fi
patrol_run export --format csv --job basic
ok $? "export --format csv exits 0"
like "$(head -n 1 "$PATROL_OUT")" "^url,final_url,category,score,classifier,rule,evidence" "CSV header"
is "$(wc -l < "$PATROL_OUT")" "$((nflag + 1))" "one CSV row per flagged page and category"
patrol_run export --job no-such-job
isnt "$?" 0 "export of an unknown job fails"
like "$(cat "$PATROL_ERR")" "no job named 'no-such-job'" "and says which"

# --- a second run of the same job fetches nothing again -----------------------
before=$(wc -l < "$NGINX_ACCESS_LOG")
patrol_run crawl --job basic --allow-private --quiet "$base/index.html"
ok $? "crawl of a finished job exits 0"
is "$(wc -l < "$NGINX_ACCESS_LOG")" "$before" "and requests nothing"
patrol_run crawl --job basic --resume --allow-private --quiet
ok $? "--resume of a finished job exits 0"
is "$(wc -l < "$NGINX_ACCESS_LOG")" "$before" "and requests nothing"

# --- limits ------------------------------------------------------------------
patrol_run crawl --job depth0 --max-depth 0 --allow-private --quiet "$base/index.html"
ok $? "--max-depth 0 exits 0"
is "$(psql_q "SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'depth0'")" 1 \
	"--max-depth 0 fetches the seed only"
patrol_run crawl --job three --max-pages 3 --allow-private --quiet "$base/index.html"
ok $? "--max-pages 3 exits 0"
is "$(psql_q "SELECT count(*) FROM fetches f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'three'")" 3 \
	"--max-pages 3 stores three pages"

# --- refusals ----------------------------------------------------------------
before=$(wc -l < "$NGINX_ACCESS_LOG")
patrol_run crawl --job private --quiet "$base/index.html"
is "$?" 1 "a crawl whose seed is on loopback ends, with status 1: nothing fetched"
like "$(cat "$PATROL_ERR")" "add --allow-private" "and says which flag allows it"
is "$(wc -l < "$NGINX_ACCESS_LOG")" "$before" "without --allow-private nothing is requested from loopback"
like "$(psql_q "SELECT reason FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'private' LIMIT 1")" \
	"address refused: loopback" "the refusal is recorded with its reason"

patrol_run crawl --job x --resume
isnt "$?" 0 "--resume of an unknown job fails"
like "$(cat "$PATROL_ERR")" "no job named 'x'" "and says why"
patrol_run crawl --job y "ftp://127.0.0.1/"
isnt "$?" 0 "a non-HTTP seed is refused"
patrol_run crawl --job z --scope nowhere "$base/"
is "$?" 2 "a bad --scope is a usage error"
patrol_run crawl
is "$?" 2 "no seed is a usage error"

done_testing
