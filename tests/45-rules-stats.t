#!/usr/bin/env bash
# `patrol rules stats`: crawl the basic fixture site into two jobs, confirm
# one flagged page and dismiss another in the first, and check every
# figure per rule (pages, confirmed, dismissed, new, dismissal rate), the
# order (most dismissed first), --job, --json and the table. The expected
# figures are worked out here from the hits table and the two review
# decisions, so the test holds whatever rules the shipped pack has.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd python3
start_pg

port=$(free_port)
start_nginx "$HARNESS_SITES/basic" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

patrol_run crawl --job j --allow-private --quiet "$base/index.html"
ok $? "crawl of the basic site exits 0" || patrol_diag
patrol_run crawl --job k --allow-private --quiet "$base/ads/yasai.html"
ok $? "a second job crawls one flagged page" || patrol_diag

page() { psql_q "SELECT u.id FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = '$1' AND u.url = '$2'"; }
A=$(page j "$base/ads/yasai.html")
B=$(page j "$base/sjis/page.html")
ok "$([ -n "$A" ] && [ -n "$B" ] && echo 0 || echo 1)" "the two flagged pages of the site are stored ($A, $B)"

patrol_run rules stats --json
ok $? "rules stats --json before any review exits 0" || patrol_diag
is "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(r["confirmed"]+r["dismissed"] for r in d), all(r["new"]==r["pages"] and r["dismissal_rate"] is None for r in d))' "$PATROL_OUT")" \
	"0 True" "nothing reviewed: every page new, no dismissal rate"

patrol_run review confirm "$A" --as alice
ok $? "confirm one page" || patrol_diag
patrol_run review dismiss "$B" --as bob --comment "an old news page"
ok $? "dismiss another" || patrol_diag

# what every rule's row must say: from hits, and the two decisions above
expected() { # JOB
	psql_q "SELECT h.rule || ' ' || count(DISTINCT h.url_id) || ' '
		|| count(DISTINCT h.url_id) FILTER (WHERE h.url_id = $A) || ' '
		|| count(DISTINCT h.url_id) FILTER (WHERE h.url_id = $B)
		FROM hits h JOIN jobs j ON j.id = h.job_id WHERE j.name = '$1'
		GROUP BY h.rule ORDER BY h.rule"
}
check_job() { # JOB
	local job=$1 want
	want=$(expected "$job" | python3 -c '
import sys
for line in sys.stdin:
    rule, pages, conf, dism = line.split()
    pages, conf, dism = int(pages), int(conf), int(dism)
    rate = None if conf + dism == 0 else round(dism / (conf + dism), 4)
    print(rule, pages, conf, dism, pages - conf - dism, rate)')
	patrol_run rules stats --job "$job" --json
	ok $? "rules stats --job $job --json exits 0" || patrol_diag
	got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for r in sorted(d, key=lambda r: r["rule"]):
    rate = r["dismissal_rate"]
    print(r["rule"], r["pages"], r["confirmed"], r["dismissed"], r["new"], None if rate is None else round(rate, 4))' "$PATROL_OUT")
	is "$got" "$want" "job $job: pages, confirmed, dismissed, new and dismissal rate of every rule"
	is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = [(-r["dismissed"], -r["pages"], r["rule"]) for r in d]
print(keys == sorted(keys))' "$PATROL_OUT")" True "job $job: most dismissed first, then most pages"
}
check_job j
check_job k

rule=$(psql_q "SELECT rule FROM hits WHERE url_id = $A ORDER BY rule LIMIT 1")
both=$(psql_q "SELECT count(DISTINCT url_id) FROM hits WHERE rule = '$rule' AND url_id IN ($A, $B)")
patrol_run rules stats --job j --json
is "$(python3 -c '
import json, sys
r = [r for r in json.load(open(sys.argv[1])) if r["rule"] == sys.argv[2]][0]
print(r["confirmed"], r["dismissed"], r["category"], r["classifier"])' "$PATROL_OUT" "$rule")" \
	"1 $((both - 1)) drug_ad lua" "the rule that flagged the confirmed page: its figures, category and classifier"
patrol_run rules stats --job k --json
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(r["confirmed"] + r["dismissed"] for r in d))' "$PATROL_OUT")" 0 \
	"reviews in job j do not count in job k"

patrol_run rules stats --job j
ok $? "the table exits 0" || patrol_diag
like "$(head -1 "$PATROL_OUT")" "^rule +category +pages +confirmed +dismissed +new +dismissal" "the table has its header"
if [ "$both" = 2 ]; then
	like "$(cat "$PATROL_OUT")" "$rule +drug_ad +[0-9]+ +1 +1 +[0-9]+ +50.0%" "and the rule's row with its dismissal rate"
else
	like "$(cat "$PATROL_OUT")" "$rule +drug_ad +[0-9]+ +1 +0 +[0-9]+ +0.0%" "and the rule's row with its dismissal rate"
fi
patrol_run rules stats --job no-such-job
ok $? "an unknown job is no error"
like "$(cat "$PATROL_OUT")" "no page flagged in job no-such-job" "and says nothing was flagged"
patrol_run rules stats --job
is $? 2 "--job without a value is a usage error"

done_testing
