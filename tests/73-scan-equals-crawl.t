#!/usr/bin/env bash
# One page path: `patrol scan` of the bodies a crawl fetched gives the
# verdicts the crawl stored (category, rule, score) with the same evidence
# strings and offsets. The site has a flagged page, a page in Shift_JIS, a
# Shift_JIS text file, and a long page whose second offence lies past the
# classified-text cut; the crawl and the scan are given the same --max-text,
# and a scan with a larger one sees what the cut hid (the other side).
# shellcheck source-path=SCRIPTDIR
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3 nginx
start_pg

site=$HARNESS_TMP/site
mkdir -p "$site"
cp "$PATROL_SRC/tests/sites/basic/ads/yasai.html" "$site/harmful.html"
cp "$PATROL_SRC/tests/sites/basic/sjis/page.html" "$site/sjis.html"
cp "$PATROL_SRC/lua/samples/bank_account_trade/30-sjis.txt" "$site/sjis.txt"
cp "$PATROL_SRC/tests/sites/basic/recipes/yasai.html" "$site/clean.html"
python3 - "$site" "$PATROL_SRC" <<'EOF'
import sys
site, src = sys.argv[1], sys.argv[2]
drug = open(src + "/tests/sites/basic/ads/yasai.html", encoding="utf-8").read()
head = drug.split("<body>")[1].split("</body>")[0]
job = open(src + "/lua/samples/crime_recruitment/01-sns.txt", encoding="utf-8").read()
filler = "".join("<p>今日の天気は晴れ。散歩に出かけて公園の花を見ました。%d</p>\n" % i for i in range(120))
with open(site + "/long.html", "w", encoding="utf-8") as f:
    f.write('<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>日記</title></head><body>\n')
    f.write(head + filler + "<p>" + job.replace("\n", "<br>\n") + "</p>\n</body></html>\n")
with open(site + "/index.html", "w", encoding="utf-8") as f:
    f.write('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>索引</title></head><body>\n')
    for p in ("harmful.html", "sjis.html", "sjis.txt", "long.html", "clean.html"):
        f.write('<p><a href="%s">%s</a></p>\n' % (p, p))
    f.write("</body></html>\n")
EOF
cut=4000
long_text=$(python3 -c "import re,sys; t=open(sys.argv[1],encoding='utf-8').read(); print(len(re.sub(r'<[^>]+>','',t).encode()))" "$site/long.html")
ok "$([ "$long_text" -gt $((cut * 2)) ] && echo 0 || echo 1)" "the long page's text ($long_text bytes) is well past the cut ($cut)"

port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
patrol_run crawl --job same --allow-private --quiet --max-text "$cut" "$base/"
ok $? "crawl of the site" || patrol_diag
is "$(psql_q "SELECT count(*) FROM fetches f JOIN urls u ON u.host_id = f.host_id AND u.id = f.url_id
	WHERE u.url LIKE '$base/%' AND f.http_status = 200")" 6 "the six pages were fetched"

# the crawl's hits: path, category, rule, score, evidence, offsets (none: 0 0)
psql_q "SELECT json_build_object('path', regexp_replace(u.url, '^$base', ''), 'category', h.category,
		'rule', h.rule, 'score', round(h.score::numeric, 3), 'evidence', h.evidence,
		'ev_start', coalesce(nullif(h.ev_start, -1), 0), 'ev_end', coalesce(nullif(h.ev_end, -1), 0))
	FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id
	WHERE h.classifier = 'lua'" >"$HARNESS_TMP/crawl.jsonl"
ok $? "the crawl's hits read"

# the same bodies, as files (the ones nginx served), through patrol scan
(cd "$site" && "$PATROL_BIN" scan --json --max-text "$cut" index.html harmful.html sjis.html sjis.txt \
	long.html clean.html) >"$HARNESS_TMP/scan.jsonl" 2>"$HARNESS_TMP/scan.err"
is "$?" 1 "scan flags something (exit 1)"
(cd "$site" && "$PATROL_BIN" scan --json index.html harmful.html sjis.html sjis.txt long.html clean.html) \
	>"$HARNESS_TMP/scan-uncut.jsonl" 2>>"$HARNESS_TMP/scan.err"

compare() {
	python3 - "$HARNESS_TMP/crawl.jsonl" "$1" <<'EOF'
import json, sys

def rows(path, key):
    out = set()
    for line in open(path, encoding="utf-8"):
        if not line.strip():
            continue
        r = json.loads(line)
        where = r["path"] if key == "path" else "/" + r["file"]
        out.add((where, r["category"], r["rule"], "%.3f" % float(r["score"]), r["evidence"],
                 int(r["ev_start"]), int(r["ev_end"])))
    return out

crawl, scan = rows(sys.argv[1], "path"), rows(sys.argv[2], "file")
for r in sorted(crawl - scan):
    print("crawl only: %r" % (r,))
for r in sorted(scan - crawl):
    print("scan only:  %r" % (r,))
print("crawl %d scan %d" % (len(crawl), len(scan)))
EOF
}

out=$(compare "$HARNESS_TMP/scan.jsonl")
like "$out" "^crawl [1-9][0-9]* scan [1-9][0-9]*$" "scan with the crawl's limits: the same verdicts and evidence as the crawl" ||
	diag "$out"
for page in /harmful.html /sjis.html /sjis.txt /long.html; do
	like "$(cat "$HARNESS_TMP/crawl.jsonl")" "\"path\" ?: ?\"$page\"" "the crawl flagged $page"
done
unlike "$(cat "$HARNESS_TMP/crawl.jsonl")" "\"path\" ?: ?\"/clean.html\"" "and not the clean page"
like "$(grep '"/long.html"' "$HARNESS_TMP/crawl.jsonl")" "drug_ad" "the long page's first offence (before the cut) is flagged"
unlike "$(grep '"/long.html"' "$HARNESS_TMP/crawl.jsonl")" "crime_recruitment" "its second (past the cut) is not"
like "$(grep -h '"sjis' "$HARNESS_TMP/scan.jsonl")" "テレグラム|手押し|通帳" "Shift_JIS evidence reads as Japanese"

# the other side: the cut is what makes them equal
out=$(compare "$HARNESS_TMP/scan-uncut.jsonl")
like "$out" "scan only: .*/long.html.*crime_recruitment" "a scan past the cut sees the long page's second offence" ||
	diag "$out"
patrol_run scan --max-text nope "$site/long.html"
is "$?" 2 "a bad --max-text is refused"
like "$(cat "$PATROL_ERR")" "max-text" "naming the option"

done_testing
