#!/usr/bin/env bash
# patrol serve over HTTP: users and roles, login and logout, a wrong
# password, the lockout, the idle timeout, CSRF on every POST (the form's
# hidden field and the API's header), the JSON API's contract, a hostile
# page shown inert in the queue and the detail, takedowns opened and sent
# from the console, and two reviewers acting on the same pages at once.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
require_cmd curl python3
start_pg

site=$HARNESS_TMP/site
cp -a "$HARNESS_SITES/basic" "$site"
board=$(cat "$PATROL_SRC/lua/samples/drug_ad/01-board.txt")
# a page written to break out of every context it may be shown in
cat >"$site/evil.html" <<HTML
<!DOCTYPE html><html><head><meta charset="utf-8">
<title><script>alert(1)</script>"><img src=x onerror=alert(2)></textarea></title></head>
<body><p>"><img src=x onerror=alert(2)> </textarea><script>alert(3)</script></p>
<p><a href="javascript:alert(4)">click</a></p>
<p>$board</p></body></html>
HTML
# the same as plain text, which reaches the store byte for byte
cat >"$site/evil.txt" <<TXT
<script>alert(5)</script> "><img src=x onerror=alert(6)> </textarea> <a href="javascript:alert(7)">x</a>
$board
TXT
for i in 1 2 3 4 5 6; do
	printf '<html><head><meta charset="utf-8"><title>p%s</title></head><body><p>%s</p></body></html>\n' \
		"$i" "$board" >"$site/many$i.html"
done

port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
base="http://127.0.0.1:$port"
seeds=("$base/index.html" "$base/evil.html" "$base/evil.txt")
for i in 1 2 3 4 5 6; do seeds+=("$base/many$i.html"); done
patrol_run crawl --job con --allow-private --quiet "${seeds[@]}"
ok $? "crawl of the fixture site exits 0" || patrol_diag
# a hotline report of a page no rule flags: a lead of its own in the queue
printf '<html><head><meta charset="utf-8"><title>lead</title></head><body><p>nothing to see</p></body></html>\n' \
	>"$site/lead.html"
printf 'url,reported_at,source,reference,category\n%s/lead.html,2026-11-30 10:00,ihc,IHC-9,crime_recruitment\n' \
	"$base" >"$HARNESS_TMP/leads.csv"
patrol_run import "$HARNESS_TMP/leads.csv" --job con
ok $? "import of a hotline report" || patrol_diag
patrol_run crawl --job con --resume --allow-private --max-depth 0 --quiet
ok $? "and the reported page is crawled" || patrol_diag

# --- users --------------------------------------------------------------------
adduser() { # NAME ROLE PASSWORD
	PATROL_HOME=$HARNESS_TMP/home "$PATROL_BIN" user add "$1" --role "$2" <<<"$3" \
		>>"$HARNESS_TMP/patrol.log" 2>&1
}
adduser alice patrol 'alice-pass-1'
ok $? "user add alice (patrol), the password from stdin"
adduser dave patrol 'dave-pass-1' && adduser carol coordinator 'carol-pass-1' &&
	adduser rex rule_author 'rex-pass-1' && adduser bob patrol 'bob-pass-1' &&
	adduser erin patrol 'erin-pass-1' && adduser ada admin 'ada-pass-12'
ok $? "user add dave, carol (coordinator), rex (rule_author), bob, erin"
adduser alice admin 'whatever-1'
isnt $? 0 "a second user alice is refused"
adduser zed superuser 'zed-pass-1'
is $? 2 "an unknown role is a usage error"
adduser shorty patrol 'short'
isnt $? 0 "a password under 8 characters is refused"
like "$(psql_q "SELECT pw_hash FROM console_users WHERE name = 'alice'")" '^\$argon2id\$' \
	"the password is kept as an Argon2id hash"
patrol_run user list --json
like "$(cat "$PATROL_OUT")" '"name":"carol","role":"coordinator"' "user list names the users and roles"

# --- the server ---------------------------------------------------------------
cport=$(free_port)
patrol_bg serve --listen "127.0.0.1:$cport" --max-failures 3 --lockout 10m --threads 4 --allow-private-crawls
wait_for 20 can_connect 127.0.0.1 "$cport"
ok $? "patrol serve listens on 127.0.0.1:$cport" || diag "$(tail -5 "$HARNESS_TMP/patrol-bg.log")"
C="http://127.0.0.1:$cport"
. "$(dirname "$0")/lib/console.sh"
jq_() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$B"; }
status_of() { psql_q "SELECT status FROM reviews WHERE url_id = $1"; }
page() { psql_q "SELECT id FROM urls WHERE url = '$1'"; }

J0=$HARNESS_TMP/anon.jar
is "$(req "$J0" "$C/api/session")" 401 "GET /api/session without a session: 401"
is "$(req "$J0" "$C/queue")" 303 "the queue without a session sends to the login form"
like "$(grep -i '^location:' "$H")" '/login' "at /login"
is "$(req "$J0" "$C/login")" 200 "GET /login: 200"
like "$(cat "$B")" 'type="hidden" name="csrf" value="[0-9a-f]{64}"' "the form holds a hidden csrf token"
like "$(grep -i '^content-security-policy:' "$H")" "default-src 'none'; script-src 'self'" \
	"with a strict Content-Security-Policy"
like "$(grep -i '^x-frame-options:' "$H")" DENY "and no framing"

# --- login --------------------------------------------------------------------
JW=$HARNESS_TMP/wrong.jar
is "$(login "$JW" alice 'not-her-password')" 401 "a wrong password: 401"
unlike "$(grep -i '^set-cookie:' "$H")" 'patrol_session=[0-9a-f]' "and no session cookie"
is "$(req "$JW" "$C/api/session")" 401 "and no session"
is "$(req "$JW" --data-urlencode "user=alice" --data-urlencode "password=alice-pass-1" "$C/login")" 403 \
	"POST /login without the csrf field: 403"
is "$(req "$JW" --data-urlencode "user=alice" --data-urlencode "password=alice-pass-1" \
	--data-urlencode "csrf=$(printf '0%.0s' {1..64})" "$C/login")" 403 "and with a wrong one: 403"
is "$(login "$HARNESS_TMP/nobody.jar" nobody 'x-pass-123')" 401 "an unknown user: 401, like a wrong password"

JA=$HARNESS_TMP/alice.jar
is "$(login "$JA" alice 'alice-pass-1')" 303 "alice logs in: 303"
like "$(grep -i '^location:' "$H")" '/queue' "to the queue"
like "$(grep -i '^set-cookie: patrol_session' "$H")" 'HttpOnly; SameSite=Strict' \
	"the session cookie is HttpOnly; SameSite=Strict"
unlike "$(grep -i '^set-cookie: patrol_session' "$H")" 'Secure' "not Secure over plain HTTP"
is "$(psql_q "SELECT count(*) FROM console_sessions s JOIN console_users u ON u.id = s.user_id WHERE u.name = 'alice'")" 1 \
	"the session is in PostgreSQL"
is "$(req "$JA" "$C/api/session")" 200 "GET /api/session: 200"
is "$(jq_ 'd["user"] + "|" + d["role"]')" "alice|patrol" "answers the user and the role"
AC=$(jq_ 'd["csrf"]')
like "$AC" '^[0-9a-f]{64}$' "and the session's csrf token"

JX=$HARNESS_TMP/secure.jar
login "$JX" carol 'carol-pass-1' >/dev/null # the token of the login form is fetched plainly
req "$JX" -H 'X-Forwarded-Proto: https' "$C/login" >/dev/null
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$B" | head -1)
req "$JX" -H 'X-Forwarded-Proto: https' --data-urlencode "user=carol" --data-urlencode "password=carol-pass-1" \
	--data-urlencode "csrf=$csrf" "$C/login" >/dev/null
like "$(grep -i '^set-cookie: patrol_session' "$H")" 'Secure' "behind a TLS proxy the cookie is Secure"

# --- the API ------------------------------------------------------------------
is "$(req "$JA" "$C/api/pages?status=new")" 200 "GET /api/pages?status=new: 200"
is "$(jq_ 'all(set(["page_id","url","category","score","review_status"]) <= set(p) for p in d)')" True \
	"each page has page_id, url, category, score, review_status"
is "$(jq_ 'len(d)')" "$(psql_q "SELECT count(*) FROM reviews WHERE status = 'new'")" "every new flagged page"
is "$(jq_ 'len(d) >= 9')" True "the two hostile ones and six boards among them"
is "$(jq_ 'sorted({p["review_status"] for p in d})')" "['new']" "all new"
is "$(jq_ '"drug_ad" in {p["category"] for p in d}')" True "filed under their category codes"

E=$(page "$base/evil.html")
ET=$(page "$base/evil.txt")
# a title the HTML parser would never let through, put straight into the store
psql_q "UPDATE fetches SET title = '<script>alert(1)</script>\"><img src=x onerror=alert(2)></textarea>' WHERE url_id = $E" >/dev/null
P1=$(page "$base/many1.html")
P2=$(page "$base/many2.html")
is "$(req "$J0" -X POST "$C/api/pages/$P1/confirm")" 401 "POST confirm without a session: 401"
is "$(req "$JA" -X POST "$C/api/pages/$P1/confirm")" 403 "POST confirm without X-CSRF-Token: 403"
is "$(req "$JA" -X POST -H "X-CSRF-Token: $(printf 'f%.0s' {1..64})" "$C/api/pages/$P1/confirm")" 403 \
	"and with a wrong one: 403"
is "$(req "$JA" -X POST --data-urlencode "csrf=$AC" "$C/api/pages/$P1/confirm")" 403 \
	"the API wants the header, not a form field: 403"
is "$(status_of "$P1")" new "and nothing changed"
is "$(psql_q "SELECT count(*) FROM review_events WHERE url_id = $P1")" 0 "no event written"
is "$(req "$JA" -X POST -H "X-CSRF-Token: $AC" --data-urlencode "comment=board ad" "$C/api/pages/$P1/confirm")" 200 \
	"POST confirm with the token: 200"
is "$(jq_ 'd["review_status"]')" confirmed "answers the new status"
is "$(status_of "$P1")" confirmed "the page is confirmed"
is "$(psql_q "SELECT actor || '|' || from_status || '|' || to_status || '|' || comment FROM review_events WHERE url_id = $P1")" \
	"alice|new|confirmed|board ad" "the event log names alice, as the CLI's --as would"
is "$(req "$JA" "$C/pages/$P1")" 200 "GET /pages/ID: the page detail in HTML"
like "$(cat "$B")" 'class="verified"' "its WARC record's digests are verified"
like "$(tr -d '\n' <"$B")" '<pre class="stored" id="stored">[^<]*<mark>[^<]+</mark>' \
	"its stored text is shown with the match marked"
is "$(req "$JA" "$C/pages/$P1/warc")" 200 "GET /pages/ID/warc: the record"
like "$(grep -i '^content-type:' "$H")" 'application/warc' "as application/warc"
like "$(grep -i '^content-disposition:' "$H")" "attachment; filename=\"page-$P1-fetch-" "to download"
like "$(head -c 9 "$B")" '^WARC/1\.' "holding the WARC record"
is "$(req "$JA" "$C/api/pages/$P1")" 200 "GET /api/pages/ID: 200"
is "$(jq_ 'd["page"]["status"] + "|" + str(len(d["events"]))')" "confirmed|1" "with its status and history"

# --- hotline leads, filters, sorting and paging --------------------------------
LEAD=$(page "$base/lead.html")
is "$(psql_q "SELECT count(*) FROM hits WHERE url_id = $LEAD")" 0 "no rule flags the reported page"
ids() { python3 -c 'import json,sys; print(" ".join(str(p["page_id"]) for p in json.load(open(sys.argv[1]))))' "$B"; }
is "$(req "$JA" "$C/api/pages?status=new&source=hotline")" 200 "GET /api/pages?source=hotline"
is "$(ids)" "$LEAD" "lists the lead alone"
is "$(jq_ 'd[0]["source"] + "|" + d[0]["category"]')" "hotline|crime_recruitment" \
	"as a hotline lead, under the category its report names"
req "$JA" "$C/api/pages?status=new&source=rule" >/dev/null
is "$(jq_ "$LEAD in [p['page_id'] for p in d] or len(d) == 0")" False "source=rule leaves it out and lists the rest"
req "$JA" "$C/api/pages?status=new&source=all" >/dev/null
is "$(jq_ "$LEAD in [p['page_id'] for p in d]")" True "source=all has it"
is "$(jq_ 'len(d)')" "$(psql_q "SELECT count(*) FROM reviews WHERE status = 'new'")" "with every other new page"
is "$(req "$JA" "$C/api/pages?source=nosuch")" 400 "an unknown source: 400"
like "$(cat "$B")" "no review source 'nosuch'" "saying which"
is "$(req "$JA" "$C/queue?status=any&source=hotline")" 200 "the queue of hotline leads"
like "$(cat "$B")" "data-id=\"$LEAD\"" "lists the lead"
is "$(grep -c 'class="row"' "$B")" 1 "and nothing else"
like "$(cat "$B")" '<span class="src src-hotline">通報' "marked as a report"
like "$(cat "$B")" '<option value="hotline" selected>' "with the source filter kept in the form"
req "$JA" "$C/queue?status=any&source=rules" >/dev/null
unlike "$(cat "$B")" "data-id=\"$LEAD\"" "the queue of rule hits leaves it out"
like "$(cat "$B")" "data-id=\"$P1\"" "and lists the flagged pages"
req "$JA" "$C/queue?status=any" >/dev/null
like "$(cat "$B")" "data-id=\"$LEAD\"" "the whole queue has the lead"
like "$(cat "$B")" "data-id=\"$P1\"" "and the flagged pages"
is "$(req "$JA" "$C/pages/$LEAD")" 200 "the detail of the lead"
like "$(cat "$B")" 'IHC-9' "shows its report"
like "$(cat "$B")" 'id="decide-category"' "and lets the reviewer choose a category"
like "$(cat "$B")" 'id="snapshot-none"' "with no WARC record to render, and says so"

# filters
all=$(psql_q "SELECT count(*) FROM reviews")
req "$JA" "$C/api/pages?status=any&job=con&limit=1000" >/dev/null
is "$(jq_ 'len(d)')" "$all" "job=con: every page"
req "$JA" "$C/api/pages?status=any&job=nosuch" >/dev/null
is "$(jq_ 'len(d)')" 0 "job=nosuch: none"
req "$JA" "$C/api/pages?status=any&category=drug_ad" >/dev/null
is "$(jq_ 'all("drug_ad" in p["categories"].split(",") for p in d) and len(d) >= 6')" True "category=drug_ad: the boards"
rule=$(psql_q "SELECT rule FROM hits WHERE url_id = $P1 LIMIT 1")
req "$JA" "$C/api/pages?status=any&rule=$rule" >/dev/null
is "$(jq_ "$P1 in [p['page_id'] for p in d] and $LEAD not in [p['page_id'] for p in d]")" True "rule=$rule"
req "$JA" "$C/api/pages?status=any&host=127.0.0.1:$port&source=rule" >/dev/null
is "$(jq_ 'len(d)')" "$(psql_q "SELECT count(*) FROM reviews WHERE source = 'rule'")" "host=127.0.0.1:$port"
req "$JA" "$C/api/pages?status=any&host=127.0.0.9" >/dev/null
is "$(jq_ 'len(d)')" 0 "host=127.0.0.9: none"
req "$JA" "$C/api/pages?status=any&min_score=1.01" >/dev/null
is "$(jq_ 'len(d)')" 0 "min_score above any score: none"
req "$JA" "$C/api/pages?status=any&source=rule&min_score=0.5" >/dev/null
is "$(jq_ 'all(p["score"] >= 0.5 for p in d) and len(d) > 0')" True "min_score=0.5: those at or above it"
req "$JA" "$C/api/pages?status=any&since=2000-01-01&until=2999-01-01" >/dev/null
is "$(jq_ 'len(d)')" "$all" "since and until around now: all"
req "$JA" "$C/api/pages?status=any&since=2999-01-01" >/dev/null
is "$(jq_ 'len(d)')" 0 "since the future: none"
is "$(req "$JA" "$C/api/pages?status=bogus")" 400 "an unknown status: 400"
is "$(req "$JA" "$C/queue?status=any&since=not-a-date")" 400 "a bad date in the queue: 400"
like "$(cat "$B")" 'YYYY-MM-DD' "saying how to write one"
is "$(req "$JA" "$C/api/pages?until=2026-13-01x")" 400 "and in the API: 400"

# sorting and paging
req "$JA" "$C/api/pages?status=any&sort=id" >/dev/null
asc=$(ids)
is "$asc" "$(psql_q "SELECT string_agg(url_id::text, ' ' ORDER BY url_id) FROM reviews")" "sort=id: ascending ids"
req "$JA" "$C/api/pages?status=any&sort=id&desc=1" >/dev/null
is "$(ids)" "$(tr ' ' '\n' <<<"$asc" | tac | paste -sd' ')" "desc=1: descending"
req "$JA" "$C/api/pages?status=any&source=rule&sort=score&desc=1" >/dev/null
is "$(jq_ '[p["score"] for p in d] == sorted([p["score"] for p in d], reverse=True)')" True "sort=score: by score"
is "$(req "$JA" "$C/api/pages?sort=bogus")" 400 "an unknown sort key: 400"
req "$JA" "$C/api/pages?status=any&sort=id&limit=3&offset=3" >/dev/null
is "$(ids)" "$(cut -d' ' -f4-6 <<<"$asc")" "limit=3&offset=3: the 4th to 6th"
req "$JA" "$C/queue?status=any&sort=id&desc=0&per=5" >/dev/null
is "$(grep -o 'class="row" data-id="[0-9]*"' "$B" | grep -o '[0-9]*' | paste -sd' ')" "$(cut -d' ' -f1-5 <<<"$asc")" \
	"the queue's first page of 5 by id"
like "$(cat "$B")" 'rel="next" href="/queue\?status=any&amp;sort=id&amp;desc=0&amp;per=5&amp;page=2"' \
	"links to the next, the filter kept"
req "$JA" "$C/queue?status=any&sort=id&desc=0&per=5&page=2" >/dev/null
is "$(grep -o 'class="row" data-id="[0-9]*"' "$B" | grep -o '[0-9]*' | paste -sd' ')" "$(cut -d' ' -f6-10 <<<"$asc")" \
	"and its second page the next five"
like "$(cat "$B")" 'rel="prev"' "with a link back"
is "$(req "$JA" --data-urlencode "csrf=$AC" --data-urlencode category=drug_ad "$C/pages/$LEAD/confirm")" 303 \
	"the lead is confirmed by the form, filed under a category"
is "$(psql_q "SELECT status || '/' || category || '/' || reviewer FROM reviews WHERE url_id = $LEAD")" \
	"confirmed/drug_ad/alice" "stored as the CLI's --set-category would"

# --- forms --------------------------------------------------------------------
is "$(req "$JA" --data-urlencode "comment=x" "$C/pages/$P2/dismiss")" 403 "a form POST without csrf: 403"
is "$(req "$JA" --data-urlencode "csrf=$(printf 'a%.0s' {1..64})" "$C/pages/$P2/dismiss")" 403 \
	"and with a wrong csrf: 403"
is "$(status_of "$P2")" new "and nothing changed"
is "$(req "$JA" --data-urlencode "csrf=$AC" --data-urlencode "next=/queue" "$C/pages/$P2/dismiss")" 303 \
	"a form POST with the csrf field: 303"
is "$(status_of "$P2")" dismissed "the page is dismissed"
is "$(req "$JA" --data-urlencode "csrf=$AC" --data-urlencode "next=//evil.example/" "$C/pages/$P2/dismiss")" 303 \
	"a foreign next"
like "$(grep -i '^location:' "$H")" "/pages/$P2" "is replaced by the page's own address"

# --- roles --------------------------------------------------------------------
JR=$HARNESS_TMP/rex.jar
is "$(login "$JR" rex 'rex-pass-1')" 303 "rex (rule_author) logs in"
RC=$(csrf_of "$JR")
P3=$(page "$base/many3.html")
is "$(req "$JR" -X POST -H "X-CSRF-Token: $RC" "$C/api/pages/$P3/confirm")" 403 "a rule author may not confirm: 403"
is "$(req "$JR" --data-urlencode "csrf=$RC" "$C/pages/$P3/dismiss")" 403 "nor dismiss by the form: 403"
is "$(status_of "$P3")" new "and nothing changed"
is "$(req "$JR" "$C/queue")" 200 "but may read the queue"
is "$(req "$JA" -X POST -H "X-CSRF-Token: $AC" --data-urlencode kind=hosting_provider --data-urlencode channel=email \
	"$C/api/pages/$P1/takedown")" 403 "patrol staff may not open a takedown request: 403"

# --- takedowns ----------------------------------------------------------------
JC=$HARNESS_TMP/carol.jar
is "$(login "$JC" carol 'carol-pass-1')" 303 "carol (coordinator) logs in"
CC=$(csrf_of "$JC")
is "$(req "$JC" "$C/pages/$P1")" 200 "the detail of a confirmed page"
like "$(cat "$B")" 'id="open-takedown"' "offers a coordinator the takedown form"
is "$(req "$JC" --data-urlencode "csrf=$CC" --data-urlencode kind=hosting_provider --data-urlencode channel=email \
	--data-urlencode "recipient=Example Hosting" "$C/pages/$P1/takedown")" 303 "open a request by the form: 303"
T=$(psql_q "SELECT id FROM takedowns WHERE url_id = $P1")
like "$(grep -i '^location:' "$H")" "/takedowns/$T" "to the request's page"
is "$(psql_q "SELECT status || '|' || opened_by FROM takedowns WHERE id = $T")" "open|carol" "opened by carol"
is "$(req "$JC" --data-urlencode "csrf=$CC" --data-urlencode "reference=HP-1" "$C/takedowns/$T/send")" 303 \
	"send it by the form"
is "$(psql_q "SELECT status || '|' || reference FROM takedowns WHERE id = $T")" "sent|HP-1" "sent, with its reference"
is "$(req "$JC" -X POST -H "X-CSRF-Token: $CC" "$C/api/takedowns/$T/ack")" 200 "acknowledge it by the API"
is "$(psql_q "SELECT string_agg(actor || ':' || to_status, ',' ORDER BY seq) FROM takedown_events WHERE takedown_id = $T")" \
	"carol:open,carol:sent,carol:acknowledged" "every step is in the event log under carol"
is "$(req "$JC" --data-urlencode "csrf=$CC" --data-urlencode kind=hosting_provider --data-urlencode channel=email \
	"$C/pages/$P2/takedown")" 409 "no request on a dismissed page: 409"
is "$(req "$JC" "$C/takedowns")" 200 "the takedown board"
like "$(cat "$B")" "href=\"/takedowns/$T\"" "lists the request"
is "$(req "$JC" "$C/report")" 200 "the report"
like "$(cat "$B")" '<svg class="chart"' "with a chart drawn on the server"
like "$(cat "$B")" '<svg class="chart" id="chart-rules"' "and the flags and dismissals per rule as one"
is "$(req "$JC" "$C/events")" 200 "the event log"
like "$(cat "$B")" 'carol' "names who acted"

# --- a hostile page -----------------------------------------------------------
is "$(req "$JA" "$C/queue?status=any")" 200 "the queue with the hostile page"
like "$(cat "$B")" "data-id=\"$E\"" "lists it"
is "$(req "$JA" "$C/pages/$E")" 200 "its detail page"
like "$(cat "$B")" '&lt;script&gt;alert\(1\)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;&lt;/textarea&gt;' \
	"shows its title as text"
is "$(req "$JA" "$C/pages/$ET")" 200 "the detail of the hostile text page"
like "$(cat "$B")" '&lt;script&gt;alert\(5\)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert\(6\)&gt; &lt;/textarea&gt;' \
	"its stored text is shown as text"
like "$(cat "$B")" 'href=&quot;javascript:alert\(7\)&quot;&gt;x&lt;/a&gt;' \
	"shows its evidence as text"
for f in queue detail text; do
	case $f in
	queue) req "$JA" "$C/queue?status=any" >/dev/null ;;
	detail) req "$JA" "$C/pages/$E" >/dev/null ;;
	text) req "$JA" "$C/pages/$ET" >/dev/null ;;
	esac
	unlike "$(cat "$B")" '<script>alert' "$f: no script from the page"
	unlike "$(cat "$B")" '<img[^>]*onerror' "$f: no element with an event handler"
	unlike "$(cat "$B")" 'href="javascript:' "$f: no javascript: link"
	unlike "$(cat "$B")" 'alert\([0-9]\)</script' "$f: no script closed by the page"
	is "$(grep -o '<script' "$B" | wc -l)" 1 "$f: the one script element is the console's own"
	is "$(grep -o '</textarea>' "$B" | wc -l)" "$([ $f = queue ] && echo 0 || echo 1)" \
		"$f: no textarea closed by the page"
done

# --- two reviewers at once ----------------------------------------------------
JD=$HARNESS_TMP/dave.jar
is "$(login "$JD" dave 'dave-pass-1')" 303 "dave logs in"
DC=$(csrf_of "$JD")
pages=()
for i in 4 5 6; do pages+=("$(page "$base/many$i.html")"); done
pages+=("$E")
bg=()
for p in "${pages[@]}"; do
	curl -s -o /dev/null -b "$JA" -X POST -H "X-CSRF-Token: $AC" "$C/api/pages/$p/confirm" &
	bg+=($!)
	curl -s -o /dev/null -b "$JD" -X POST -H "X-CSRF-Token: $DC" "$C/api/pages/$p/dismiss" &
	bg+=($!)
done
wait "${bg[@]}"
for p in "${pages[@]}"; do
	is "$(psql_q "SELECT count(*) FROM review_events WHERE url_id = $p")" 2 "page $p: both decisions are events"
	is "$(psql_q "SELECT string_agg(actor, ',' ORDER BY actor) FROM review_events WHERE url_id = $p")" "alice,dave" \
		"page $p: one by each reviewer"
	is "$(psql_q "SELECT (SELECT to_status FROM review_events WHERE url_id = $p ORDER BY seq DESC LIMIT 1) = status
		AND (SELECT bool_and(e2.from_status = e1.to_status) FROM review_events e1 JOIN review_events e2
		     ON e2.url_id = e1.url_id AND e2.seq = e1.seq + 1 WHERE e1.url_id = $p)
		FROM reviews WHERE url_id = $p")" t "page $p: one consistent state, the last event's"
done

# --- logout, idle timeout, lockout, disabled users ----------------------------
is "$(req "$JD" --data-urlencode "csrf=$DC" "$C/logout")" 303 "dave logs out"
is "$(req "$JD" "$C/api/session")" 401 "and his session is over"
JE=$HARNESS_TMP/erin.jar
is "$(login "$JE" erin 'erin-pass-1')" 303 "erin logs in"
psql_q "UPDATE console_sessions SET last_seen = now() - interval '2 hours'
	WHERE user_id = (SELECT id FROM console_users WHERE name = 'erin')" >/dev/null
is "$(req "$JE" "$C/api/session")" 401 "a session idle past the timeout is over"
is "$(psql_q "SELECT count(*) FROM console_sessions s JOIN console_users u ON u.id = s.user_id WHERE u.name = 'erin'")" 0 \
	"and deleted"

JB=$HARNESS_TMP/bob.jar
for i in 1 2; do
	is "$(login "$JB" bob "wrong-$i-xxxx")" 401 "bob: wrong password $i: 401"
done
is "$(login "$JB" bob 'wrong-3-xxxx')" 403 "the third wrong password locks bob: 403"
is "$(login "$JB" bob 'bob-pass-1')" 403 "then even the right password is refused"
like "$(cat "$B")" 'ロック' "saying the account is locked"
is "$(psql_q "SELECT locked_until > now() + interval '9 minutes' FROM console_users WHERE name = 'bob'")" t \
	"for the --lockout time"
psql_q "UPDATE console_users SET locked_until = now() - interval '1 second' WHERE name = 'bob'" >/dev/null
is "$(login "$JB" bob 'bob-pass-1')" 303 "after the lockout bob logs in"

patrol_run user disable bob
ok $? "user disable bob"
is "$(req "$JB" "$C/api/session")" 401 "ends his sessions"
is "$(login "$JB" bob 'bob-pass-1')" 403 "and he may no longer log in"

# --- bulk actions, crawls and rules --------------------------------------------
JF=$HARNESS_TMP/erin2.jar
is "$(login "$JF" erin 'erin-pass-1')" 303 "erin logs in again"
FC=$(csrf_of "$JF")
P3=$(page "$base/many3.html")
is "$(req "$JF" --data-urlencode "csrf=$FC" --data-urlencode action=dismissed --data-urlencode "id=$P3" \
	--data-urlencode "id=$ET" "$C/queue/bulk")" 200 "a bulk action asks first"
like "$(cat "$B")" '<b>2</b>' "with the count of pages"
is "$(status_of "$P3")" new "and changes nothing yet"
is "$(req "$JF" --data-urlencode "csrf=$FC" --data-urlencode action=dismissed --data-urlencode "id=$P3" \
	--data-urlencode "id=$ET" --data-urlencode sure=1 "$C/queue/bulk")" 303 "confirmed, it acts"
is "$(status_of "$P3")|$(status_of "$ET")" "dismissed|dismissed" "on both pages"
is "$(req "$JF" "$C/crawls")" 200 "the crawls page"
like "$(cat "$B")" '<td>con</td>' "lists the job"
is "$(req "$JF" "$C/api/jobs")" 200 "GET /api/jobs"
is "$(jq_ '"con" in [j["name"] for j in d]')" True "answers the job"
is "$(req "$JF" --data-urlencode "csrf=$FC" --data-urlencode job=web2 --data-urlencode "seeds=$base/many1.html" \
	"$C/crawls")" 403 "patrol staff may not start a crawl: 403"
JAD=$HARNESS_TMP/ada.jar
is "$(login "$JAD" ada 'ada-pass-12')" 303 "ada (admin) logs in"
ADC=$(csrf_of "$JAD")
is "$(req "$JAD" "$C/crawls")" 200 "the crawls page"
like "$(cat "$B")" 'id="start-crawl"' "offers an admin the form to start a crawl"
is "$(req "$JAD" --data-urlencode "csrf=$ADC" --data-urlencode job=web2 \
	--data-urlencode "seeds=javascript:alert(1)" "$C/crawls")" 400 "a seed that is not an http(s) URL: 400"
is "$(req "$JAD" --data-urlencode "csrf=$ADC" --data-urlencode "job=web2" \
	--data-urlencode "seeds=$(printf '%s\n  %s\n' "$base/many1.html" "$base/many2.html")" "$C/crawls")" 303 \
	"an admin starts a crawl from two seeds"
crawled() { [ "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'web2' AND u.state = 2")" -ge 2 ]; }
wait_for 60 crawled
ok $? "the crawl runs and fetches both seeds"
is "$(req "$JF" "$C/rules")" 200 "the rules page"
like "$(cat "$B")" 'drug_ad\.' "lists the rules that flagged pages"
stats=$HARNESS_TMP/home/stats/web2.prom
figures() { grep -q '^patrol_pages_fetched_total [2-9]' "$stats" 2>/dev/null; }
wait_for 60 figures
ok $? "the crawl started here writes its figures to \$PATROL_HOME/stats/web2.prom"
is "$(req "$JF" "$C/crawls")" 200 "the crawls page"
like "$(tr -d '\n' <"$B")" '<tr class="stats" data-job="web2"><td>web2</td><td class="fetched">[2-9]</td>' \
	"shows the crawl's progress from the figures the crawler writes"
unlike "$(cat "$B")" 'id="start-crawl"' "and no form to start a crawl for patrol staff"

# the rule set in force
loaded() {
	curl -s -b "$JF" "$C/api/ruleset" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if not d["loading"] and d.get("rules") else 1)'
}
wait_for 300 loaded
ok $? "the console has loaded the rule set (GET /api/ruleset)"
req "$JF" "$C/api/ruleset" >/dev/null
is "$(jq_ 'd["ok"]')" True "every rule file passed its checks"
is "$(jq_ 'sorted(f["file"].split("/")[-1] for f in d["files"] if f["kind"] == "rule")')" \
	"$(cd "$PATROL_SRC/lua/rules" && ls *.lua | python3 -c 'import sys; print(sorted(sys.stdin.read().split()))')" \
	"lists every rule file"
is "$(jq_ '[f["sha256"] for f in d["files"] if f["kind"] == "model"]')" \
	"['$(sha256sum "$PATROL_SRC/lua/model/patrol.model" | cut -d' ' -f1)']" "and the trained model beside them"
is "$(jq_ '[f["sha256"] for f in d["files"] if f["file"].endswith("/drug_ad.lua")][0]')" \
	"$(sha256sum "$PATROL_SRC/lua/rules/drug_ad.lua" | cut -d' ' -f1)" "with each file's SHA-256"
dv=$(sed -n 's/^ *version = \([0-9]*\),.*/\1/p' "$PATROL_SRC/lua/rules/drug_ad.lua" | head -1)
is "$(jq_ '[r["version"] for r in d["rules"] if r["category"] == "drug_ad"][0]')" "$dv" \
	"and each rule's own version (drug_ad: $dv)"
is "$(req "$JF" "$C/rules")" 200 "the rules page"
like "$(cat "$B")" "<code class=\"sha\">$(sha256sum "$PATROL_SRC/lua/rules/drug_ad.lua" | cut -d' ' -f1)</code>" \
	"shows each file's SHA-256"
like "$(cat "$B")" 'id="loaded-rules"' "the rules loaded, with their versions"
like "$(cat "$B")" "読み込み日時" "when they were loaded"
msha=$(sha256sum "$PATROL_SRC/lua/model/patrol.model" | cut -d' ' -f1)
like "$(cat "$B")" "<code class=\"sha\">$msha</code>" "and the trained model loaded with them, with its SHA-256"
unlike "$(cat "$B")" 'id="no-model"' "so it does not say the rules decide alone"
flagged=$(psql_q "SELECT count(DISTINCT url_id) FROM hits WHERE rule = '$rule'")
like "$(tr -d '\n' <"$B")" "<tr class=\"rule\" data-rule=\"$rule\"><td>$rule</td><td>[^<]*</td><td>[0-9-]+</td><td>[^<]*</td><td>[0-9.]+</td><td>[0-9]+</td><td>$flagged</td>" \
	"with the pages each rule flagged ($rule: $flagged)"
is "$(req "$JF" --data-urlencode "csrf=$FC" "$C/rules/reload")" 403 "patrol staff may not reload the rule set: 403"
is "$(req "$JR" --data-urlencode "csrf=$RC" "$C/rules/reload")" 303 "a rule author may"

# --- assets and languages -----------------------------------------------------
is "$(req "$JA" "$C/static/console.js")" 200 "the keyboard script is served by patrol itself"
like "$(grep -i '^content-type:' "$H")" 'text/javascript' "as JavaScript"
like "$(cat "$B")" "case 'j'" "with the j/k keys"
req "$JA" "$C/queue" >/dev/null
like "$(cat "$B")" '審査キュー' "labels are Japanese by default"
like "$(cat "$B")" '規制薬物の広告' "categories by their Japanese names"
req "$JA" "$C/queue?lang=en" >/dev/null
like "$(cat "$B")" 'Review queue' "and English with lang=en"

# --- the database goes away and comes back ----------------------------------
restart_pg
session_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' -b "$JA" "$C/api/session")" = 200 ]; }
wait_for 20 session_ok
ok $? "after a database restart the console answers again, the session kept"
for i in 1 2 3 4 5 6 7 8; do # every server thread's connection, not only the first
	req "$JA" "$C/queue" >/dev/null
	[ "$(head -1 "$H" | cut -d' ' -f2)" = 200 ] || break
done
is "$(head -1 "$H" | cut -d' ' -f2)" 200 "and the queue renders on every server thread, the session kept"

done_testing
