#!/usr/bin/env bash
# The whole life of flagged pages: crawl a fixture site (a copy of
# tests/sites/basic with more flagged pages, and a second host), confirm and
# dismiss, open and send takedown requests, take pages off the servers in
# every way a site does (404, 410, a removal notice, content replaced, the
# host name gone), recheck, and check every state, every removed_at and every
# figure of `patrol report`; then bring a page back and see its request
# reopened, and a dismissed page with new flagged content come back as new.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg

site=$HARNESS_TMP/site
site2=$HARNESS_TMP/site2
samples=$PATROL_SRC/lua/samples
cp -a "$HARNESS_SITES/basic" "$site"
mkdir -p "$site/extra" "$site2"
cp "$samples/crime_recruitment/01-sns.txt" "$site/extra/yami.txt"
cp "$samples/bank_account_trade/01-buy.txt" "$site/extra/bank.txt"
cp "$samples/drug_ad/02-ice.txt" "$site/extra/ice.txt"
cp "$samples/drug_ad/01-board.txt" "$site/extra/dns.txt"
cp "$samples/drug_ad/01-board.txt" "$site2/offer.txt"

port=$(free_port)
port2=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
start_nginx "$site2" "127.0.0.2:$port2"
nginx2=$NGINX_PID
base="http://127.0.0.1:$port"
base2="http://127.0.0.2:$port2"

patrol_run crawl --job life --allow-private --quiet "$base/index.html" "$base/extra/yami.txt" \
	"$base/extra/bank.txt" "$base/extra/ice.txt" "$base/extra/dns.txt" "$base2/offer.txt"
ok $? "crawl of the two fixture hosts exits 0" || patrol_diag

page() { psql_q "SELECT id FROM urls WHERE url = '$1'"; }
A=$(page "$base/ads/yasai.html")
B=$(page "$base/sjis/page.html")
C=$(page "$base/extra/yami.txt")
D=$(page "$base/extra/bank.txt")
E=$(page "$base/extra/ice.txt")
G=$(page "$base2/offer.txt")
H=$(page "$base/extra/dns.txt")
review_status() { psql_q "SELECT status FROM reviews WHERE url_id = $1"; }
td_status() { psql_q "SELECT status FROM takedowns WHERE id = $1"; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$PATROL_OUT"; }

# --- review ------------------------------------------------------------------
is "$(psql_q "SELECT count(*) FROM reviews r JOIN jobs j ON j.id = r.job_id WHERE j.name = 'life' AND status = 'new'")" 7 \
	"every flagged page has a review, new"
patrol_run review list --job life --json
ok $? "review list --json exits 0" || patrol_diag
is "$(json 'len(d)')" 7 "review list shows the seven flagged pages"
is "$(json '",".join(sorted({p["categories"] for p in d}))')" "bank_account_trade,crime_recruitment,drug_ad" \
	"with their categories"
patrol_run review list --job life --category drug_ad --sort score --desc --json
is "$(json 'len(d)')" 5 "--category drug_ad selects the five drug ads"
patrol_run review list --job life --host "127.0.0.2:$port2" --json
is "$(json '[p["page_id"] for p in d]')" "[$G]" "--host selects the second host's page"
patrol_run review list --job life --limit 2 --offset 1 --json
is "$(json 'len(d)')" 2 "--limit and --offset page through the list"
patrol_run review list --job life --rule crime_recruitment.quick_cash_secret --json
is "$(json '[p["page_id"] for p in d]')" "[$C]" "--rule selects by the rule that fired"
patrol_run review list --job life --min-score 1.01
is "$?" 2 "a --min-score above 1 is a usage error"

patrol_run review show "$A"
ok $? "review show exits 0" || patrol_diag
like "$(cat "$PATROL_OUT")" "url +$base/ads/yasai.html" "show gives the URL"
like "$(cat "$PATROL_OUT")" "http_status +200" "and the fetch facts"
like "$(cat "$PATROL_OUT")" "drug_ad .*score" "and every hit"
like "$(cat "$PATROL_OUT")" "手押し 即日配達" "with its evidence in context"
patrol_run review show "$A" --json
is "$(json 'd["page"]["content_sha256"] == "'"$(sha256sum "$site/ads/yasai.html" | cut -d' ' -f1)"'"')" True \
	"show --json gives the SHA-256 of what was fetched"

patrol_run review confirm "$A" "$B" "$C" "$E" "$G" "$H" --as alice --comment "drug and job ads"
ok $? "confirm six pages" || patrol_diag
patrol_run review dismiss "$D" --as bob --comment "a bank's own notice"
ok $? "dismiss one" || patrol_diag
for p in $A $B $C $E $G $H; do
	is "$(review_status "$p")" confirmed "page $p confirmed"
done
is "$(review_status "$D")" dismissed "page $D dismissed"
is "$(psql_q "SELECT reviewer || '|' || comment FROM reviews WHERE url_id = $D")" "bob|a bank's own notice" \
	"the reviewer and the comment are kept"
is "$(psql_q "SELECT actor || '|' || from_status || '|' || to_status FROM review_events WHERE url_id = $A")" \
	"alice|new|confirmed" "the review event names the actor and the transition"
patrol_run review confirm "$A" --as alice
ok $? "confirming a confirmed page again is not an error"
like "$(cat "$PATROL_OUT")" "already confirmed" "and says so"
is "$(psql_q "SELECT count(*) FROM review_events WHERE url_id = $A")" 1 "and writes no event"
patrol_run review confirm --job life --as alice --json --yes
is "$(json 'd["changed"]')" 0 "a bulk confirm finds no page left new"

# --- takedown ----------------------------------------------------------------
open_td() {
	patrol_run takedown open "$@" --as carol --json
	json 'd["results"][0]["id"]'
}
tA=$(open_td "$A" --to hosting_provider --recipient "Example Hosting" --channel email --ref HP-1)
tB=$(open_td "$B" --to site_operator --channel web-form)
tC=$(open_td "$C" --to platform --recipient "Example SNS" --channel web_form)
tC2=$(open_td "$C" --to hotline --channel hotline_report)
tE=$(open_td "$E" --to hosting_provider --recipient "Example Hosting" --channel email)
tG=$(open_td "$G" --to hosting_provider --recipient "Other Hosting" --channel letter)
tH=$(open_td "$H" --to registrar --channel email)
for t in "$tA" "$tB" "$tC" "$tC2" "$tE" "$tG" "$tH"; do
	is "$(td_status "$t")" open "request $t opened"
done
patrol_run takedown open "$D" --to hosting_provider --channel email --as carol
isnt "$?" 0 "no request on a dismissed page"
like "$(cat "$PATROL_ERR")" "not confirmed" "and the database says why"
patrol_run takedown open "$A" --to nobody --channel email
is "$?" 2 "an unknown recipient kind is a usage error"

patrol_run takedown send "$tA" "$tB" "$tC" "$tE" "$tG" "$tH" --as carol
ok $? "send six requests" || patrol_diag
patrol_run takedown ack "$tB" --ref SO-7 --as carol --comment "form receipt"
ok $? "ack one, with its reference" || patrol_diag
is "$(td_status "$tB")" acknowledged "request $tB acknowledged"
is "$(psql_q "SELECT reference FROM takedowns WHERE id = $tB")" SO-7 "its reference is kept"
patrol_run takedown note "$tC" --comment "asked again by phone" --as dave
ok $? "a note" || patrol_diag
is "$(psql_q "SELECT actor || '|' || from_status || '|' || to_status || '|' || comment FROM takedown_events WHERE takedown_id = $tC ORDER BY seq DESC LIMIT 1")" \
	"dave|sent|sent|asked again by phone" "a note is an event without a change of state"
patrol_run review dismiss "$A" --as bob
isnt "$?" 0 "a page with a live request cannot be dismissed"
like "$(cat "$PATROL_ERR")" "live takedown request" "and the database says why"

patrol_run takedown list --job life --sent-days 0 --ack-days 0 --json
ok $? "takedown list exits 0" || patrol_diag
is "$(json '[t["overdue"] for t in d].index(False)')" 6 "overdue requests come first (six sent or acknowledged)"
is "$(json 'd[-1]["id"]')" "$tC2" "the open request comes last"
patrol_run takedown list --job life --json
is "$(json 'sum(t["overdue"] for t in d)')" 0 "nothing is overdue after a day's default thresholds"
patrol_run takedown list --job life --overdue --sent-days 0 --ack-days 30 --json
is "$(json 'sorted(t["id"] for t in d)')" "$(python3 -c "print(sorted([$tA, $tC, $tE, $tG, $tH]))")" \
	"--overdue with --ack-days 30 leaves out the acknowledged request"

# --- take pages down ---------------------------------------------------------
rm "$site/ads/yasai.html"                                             # A: 404
printf '<html><head><meta charset="utf-8"><title>お知らせ</title></head><body><p>この投稿は削除されました。</p></body></html>\n' \
	>"$site/sjis/page.html"                                       # B: a removal notice
printf '夏野菜のカレー。玉ねぎ、にんじん、なすを炒めて煮込みます。\n' >"$site/extra/ice.txt" # E: innocent now
stop_nginx "$nginx2"                                                  # G: 410
NGINX_EXTRA_CONF='location = /offer.txt { return 410; }' start_nginx "$site2" "127.0.0.2:$port2"
nginx2=$NGINX_PID
psql_q "UPDATE urls SET url = 'http://gone.invalid/extra/dns.txt' WHERE id = $H" >/dev/null # H: no such host

patrol_run recheck --job life --allow-private --delay-ms 0 --as recheckbot --json
ok $? "recheck exits 0" || patrol_diag
outcome() { psql_q "SELECT outcome || '/' || reason FROM rechecks WHERE url_id = $1 ORDER BY id DESC LIMIT 1"; }
is "$(outcome "$A")" gone/http_404 "A: 404 is gone"
is "$(outcome "$B")" gone/notice "B: a removal notice is gone"
is "$(outcome "$C")" present/flagged "C: still there"
is "$(outcome "$E")" gone/unflagged "E: content no longer classified as before is gone"
is "$(outcome "$G")" gone/http_410 "G: 410 is gone"
is "$(outcome "$H")" error/dns "H: one DNS failure is not yet gone"
is "$(psql_q "SELECT count(*) FROM rechecks WHERE url_id = $D")" 0 "a dismissed page is not rechecked"
for t in "$tA" "$tB" "$tE" "$tG"; do
	is "$(td_status "$t")" removed "request $t removed"
done
is "$(td_status "$tC")" sent "request $tC still sent"
is "$(td_status "$tC2")" open "an open request is left alone"
is "$(td_status "$tH")" sent "request $tH still sent"
for p in $A $B $E $G; do
	is "$(psql_q "SELECT t.removed_at = c.checked_at FROM takedowns t JOIN rechecks c ON c.url_id = t.url_id
		WHERE t.url_id = $p AND c.outcome = 'gone' ORDER BY c.id LIMIT 1")" t \
		"page $p: removed_at is the time of the recheck that saw it gone"
done
is "$(psql_q "SELECT actor || '|' || from_status || '|' || to_status FROM takedown_events WHERE takedown_id = $tB ORDER BY seq DESC LIMIT 1")" \
	"recheckbot|acknowledged|removed" "the removal is an event by the rechecker"
is "$(psql_q "SELECT count(*) FROM fetches WHERE url_id IN ($A, $B, $C, $E, $G, $H) AND worker = 'recheck'")" 6 \
	"every recheck is stored as a fetch too"

# a second pass changes nothing: removed pages still gone stay removed
patrol_run recheck --job life --allow-private --delay-ms 0 --quiet
ok $? "a second recheck exits 0"
for t in "$tA" "$tB" "$tE" "$tG"; do
	is "$(td_status "$t")" removed "request $t still removed"
done
is "$(psql_q "SELECT count(DISTINCT removed_at) FROM takedowns WHERE id IN ($tA, $tB, $tE, $tG)
	AND removed_at = (SELECT min(checked_at) FROM rechecks c WHERE c.url_id = takedowns.url_id AND outcome = 'gone')")" 4 \
	"removed_at stays that of the first recheck that saw each page gone"

# --- export ------------------------------------------------------------------
patrol_run export --job life --format jsonl
ok $? "export exits 0"
python3 - "$PATROL_OUT" "$A" "$B" "$C" "$D" <<'EOF'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    rows.setdefault(o["page_id"], []).append(o)
a, b, c, d = (int(x) for x in sys.argv[2:6])
assert rows[a][0]["review_status"] == "confirmed", rows[a]
assert rows[a][0]["takedown_status"] == "removed" and rows[a][0]["takedown_ref"] == "HP-1", rows[a]
assert rows[a][0]["removed_at"], rows[a]
assert rows[b][0]["takedown_ref"] == "SO-7" and rows[b][0]["takedown_status"] == "removed"
assert rows[c][0]["takedown_status"] in ("sent", "open") and rows[c][0]["removed_at"] is None
assert rows[d][0]["review_status"] == "dismissed" and rows[d][0]["takedown_status"] == "none"
assert all(isinstance(r["hit_id"], int) for v in rows.values() for r in v)
EOF
ok $? "export gives review_status, takedown_status, takedown_ref, removed_at, page_id, hit_id"

# --- report ------------------------------------------------------------------
patrol_run report --job life --json
ok $? "report --json exits 0" || patrol_diag
cp "$PATROL_OUT" "$HARNESS_TMP/report.json"
psql_q "SELECT t.category, ho.origin, coalesce(t.recipient, t.recipient_kind), t.status,
	extract(epoch FROM r.flagged_at), coalesce(extract(epoch FROM t.removed_at)::text, ''),
	extract(epoch FROM coalesce(t.sent_at, t.opened_at))
	FROM takedowns t JOIN reviews r ON r.host_id = t.host_id AND r.url_id = t.url_id
	JOIN hosts ho ON ho.id = t.host_id" >"$HARNESS_TMP/requests.txt"
# literal counts: key flagged confirmed dismissed fp requests removed rate
cat >"$HARNESS_TMP/expected.txt" <<EOF
category bank_account_trade 1 0 1 1.0000 0 0 None
category crime_recruitment 1 1 0 0.0000 2 0 0.0000
category drug_ad 5 5 0 0.0000 5 4 0.8000
host $base 6 5 1 0.1667 6 3 0.5000
host $base2 1 1 0 0.0000 1 1 1.0000
provider Example Hosting 2 2 0 0.0000 2 2 1.0000
provider Example SNS 1 1 0 0.0000 1 0 0.0000
provider Other Hosting 1 1 0 0.0000 1 1 1.0000
provider hotline 1 1 0 0.0000 1 0 0.0000
provider registrar 1 1 0 0.0000 1 0 0.0000
provider site_operator 1 1 0 0.0000 1 1 1.0000
EOF
cat >"$HARNESS_TMP/check_report.py" <<'EOF'
import json, math, sys
from decimal import Decimal, ROUND_HALF_UP

report = json.load(open(sys.argv[1]), parse_float=Decimal)
reqs = [l.rstrip("\n").split("|") for l in open(sys.argv[2]) if l.strip()]

def pct(vals, p):
    # percentile_cont: linear interpolation between the closest ranks (float8, as PostgreSQL)
    if not vals:
        return None
    v = sorted(vals)
    pos = p * (len(v) - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    x = v[lo] if lo == hi else v[lo] + (v[hi] - v[lo]) * (pos - lo)
    return Decimal("%.15g" % x).quantize(Decimal("0.001"), ROUND_HALF_UP)

def durations(dim, key):
    col = {"category": 0, "host": 1, "provider": 2}[dim]
    d2r, q2r = [], []
    for r in reqs:
        if r[col] == key and r[3] == "removed":
            d2r.append(float(Decimal(r[5]) - Decimal(r[4])))
            q2r.append(float(Decimal(r[5]) - Decimal(r[6])))
    return d2r, q2r

failures = 0
seen = set()
for line in open(sys.argv[3]):
    dim, rest = line.split(" ", 1)
    parts = rest.split()
    key = " ".join(parts[:-7])
    want = parts[-7:]
    rows = [r for r in report["by_" + dim] if r["key"] == key]
    if len(rows) != 1:
        print("# no row for %s %r" % (dim, key)); failures += 1; continue
    r = rows[0]
    seen.add((dim, key))
    got = [str(r["flagged"]), str(r["confirmed"]), str(r["dismissed"]), str(r["false_positive_rate"]),
           str(r["requests"]), str(r["removed"]), str(r["removal_rate"])]
    if got != want:
        print("# %s %r: got %s want %s" % (dim, key, got, want)); failures += 1
    d2r, q2r = durations(dim, key)
    exp = [pct(d2r, .5), pct(d2r, .9), pct(q2r, .5), pct(q2r, .9)]
    gotd = [r["detect_to_removal_median_s"], r["detect_to_removal_p90_s"],
            r["request_to_removal_median_s"], r["request_to_removal_p90_s"]]
    if exp != gotd:
        print("# %s %r times: got %s want %s" % (dim, key, gotd, exp)); failures += 1
    if d2r and not all(x > 0 for x in d2r):
        print("# %s %r: a removal before its detection" % (dim, key)); failures += 1
for dim in ("category", "host", "provider"):
    for r in report["by_" + dim]:
        if (dim, r["key"]) not in seen:
            print("# unexpected row %s %r" % (dim, r["key"])); failures += 1
print(failures)
EOF
is "$(python3 "$HARNESS_TMP/check_report.py" "$HARNESS_TMP/report.json" "$HARNESS_TMP/requests.txt" "$HARNESS_TMP/expected.txt" | tee "$HARNESS_TMP/check.out" | tail -n 1)" 0 \
	"every figure of the report: counts, rates, medians and 90th percentiles" || diag "$(cat "$HARNESS_TMP/check.out")"
is "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sorted(r['id'] for r in d['oldest_open']))" "$HARNESS_TMP/report.json")" \
	"$(python3 -c "print(sorted([$tC, $tC2, $tH]))")" "the oldest live requests are listed"
is "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['oldest_open'][0]['id'])" "$HARNESS_TMP/report.json")" \
	"$tC2" "oldest first (never sent: dated by its opening)"
patrol_run report --job life --format csv
ok $? "report --format csv exits 0"
is "$(head -n 1 "$PATROL_OUT" | tr -d '\r')" \
	"dimension,key,flagged,confirmed,dismissed,false_positive_rate,requests,removed,removal_rate,detect_to_removal_median_s,detect_to_removal_p90_s,request_to_removal_median_s,request_to_removal_p90_s" \
	"the CSV header"
is "$(grep -c '^' "$PATROL_OUT")" 13 "one CSV line per category, host, provider and source"
like "$(grep '^category,drug_ad,' "$PATROL_OUT")" "^category,drug_ad,5,5,0,0.0000,5,4,0.8000," "a CSV row"
patrol_run report --job life
ok $? "the text report exits 0"
like "$(cat "$PATROL_OUT")" "by provider" "the text report has the provider table"

# --- the host name stays gone: removed after repeated DNS failures -------------
dns_failures() { psql_q "SELECT count(*) FROM rechecks WHERE url_id = $H AND reason = 'dns'"; }
is "$(dns_failures)" 2 "H failed to resolve in both passes"
patrol_run recheck "$H" --allow-private --delay-ms 0 --as recheckbot --quiet
is "$(outcome "$H")" error/dns "a third DNS failure within the default 2 days: still not gone"
patrol_run recheck "$H" --allow-private --delay-ms 0 --as recheckbot --quiet --dns-failures 5 --dns-days 0
is "$(outcome "$H")" error/dns "four failures are fewer than --dns-failures 5"
is "$(td_status "$tH")" sent "request $tH still sent"
patrol_run recheck "$H" --allow-private --delay-ms 0 --as recheckbot --quiet --dns-failures 5 --dns-days 0
is "$(outcome "$H")" gone/dns "the fifth failure in a row over --dns-days 0: gone"
is "$(dns_failures)" 5 "(five DNS failures stored)"
is "$(td_status "$tH")" removed "request $tH removed"
is "$(psql_q "SELECT t.removed_at = (SELECT min(checked_at) FROM rechecks c WHERE c.url_id = t.url_id) FROM takedowns t WHERE t.id = $tH")" t \
	"removed_at is the first recheck that saw the host gone"

# --- a dismissed page comes back as new when its content changes -----------------
cp "$samples/bank_account_trade/02-passbook.txt" "$site/extra/bank.txt"
patrol_run recheck "$D" --allow-private --delay-ms 0 --quiet
ok $? "recheck of the dismissed page" || patrol_diag
is "$(review_status "$D")" new "new flagged content brings a dismissed page back as new"
is "$(psql_q "SELECT actor || '|' || from_status || '|' || to_status FROM review_events WHERE url_id = $D ORDER BY seq DESC LIMIT 1")" \
	"patrol|dismissed|new" "by the database, with an event"

# --- a page that comes back reopens its request --------------------------------
cp "$HARNESS_SITES/basic/ads/yasai.html" "$site/ads/yasai.html"
patrol_run recheck --job life --allow-private --delay-ms 0 --as recheckbot --quiet
ok $? "recheck after the page came back" || patrol_diag
is "$(outcome "$A")" present/flagged "A is back"
is "$(td_status "$tA")" reopened "its request is reopened"
is "$(psql_q "SELECT removed_at IS NULL AND reopened_at IS NOT NULL FROM takedowns WHERE id = $tA")" t \
	"removed_at cleared, reopened_at set"
is "$(psql_q "SELECT string_agg(coalesce(from_status, '-') || '>' || to_status, ' ' ORDER BY seq) FROM takedown_events WHERE takedown_id = $tA")" \
	"->open open>sent sent>removed removed>reopened" "the request's whole history is in its events"
for t in "$tB" "$tE" "$tG" "$tH"; do
	is "$(td_status "$t")" removed "request $t still removed"
done
patrol_run takedown show "$tA" --json
ok $? "takedown show exits 0"
is "$(json 'len(d["events"])')" 4 "show gives the full history"
patrol_run report --job life --by category --json
is "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=[x for x in d['by_category'] if x['key']=='drug_ad'][0]; print(r['requests'], r['removed'])" "$PATROL_OUT")" \
	"5 4" "drug_ad: A is no longer removed, H is"

# --- --every runs passes until SIGTERM ------------------------------------------
patrol_bg recheck --job life --allow-private --delay-ms 0 --quiet --every 1s
wait_for 120 sh -c "[ \$(grep -c '^recheck: ' '$HARNESS_TMP/patrol-bg.log') -ge 2 ]"
ok $? "--every runs pass after pass"
kill -TERM "$PATROL_BG_PID"
wait "$PATROL_BG_PID"
is "$?" 0 "and stops cleanly on SIGTERM"

done_testing
