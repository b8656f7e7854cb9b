#!/usr/bin/env bash
# One page, one URL; traps judged by what they serve. A site with a board of
# 60 distinct threads under one script (linked with their parameters in both
# orders), a flagged page served under two URLs, and a page that links to
# itself with one more query parameter each time. The board is crawled whole,
# each thread requested once; the copy is stored as an alias of the page, its
# hit once; the query explosion is cut as a trap after a handful of requests,
# and the job's URL families are in the database with their verdicts.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
export PGCLIENTENCODING=UTF8
start_pg

site=$HARNESS_TMP/site
mkdir -p "$site/bbs/dat"
words=(川 山 電車 図書館 天気 料理 公園 音楽 祭り 商店街 学校 野菜 港 自転車 映画 温泉 花火 雪 駅前 書店)
{
	printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>掲示板</title></head><body><ul>\n'
	for k in $(seq 1 60); do
		b=b$((k % 3))
		# every other thread linked with its parameters in the other order
		if [ $((k % 2)) = 0 ]; then
			printf '<li><a href="/bbs/read.cgi?key=%d&amp;bbs=%s">スレ %d</a></li>\n' "$((1000 + k))" "$b" "$k"
		else
			printf '<li><a href="/bbs/read.cgi?bbs=%s&amp;key=%d">スレ %d</a></li>\n' "$b" "$((1000 + k))" "$k"
		fi
	done
	printf '<li><a href="/ads/yasai.html">広告</a></li><li><a href="/copy/yasai.html">広告(転載)</a></li>\n'
	printf '<li><a href="/explode.html?x=1">もっと見る</a></li>\n'
	printf '</ul></body></html>\n'
} >"$site/index.html"
for k in $(seq 1 60); do
	b=b$((k % 3))
	{
		printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>スレ %d</title></head><body>\n' "$k"
		printf '<p><a href="/index.html">掲示板トップ</a> 雑談 ニュース 地域</p><dl>\n'
		for i in $(seq 1 12); do
			w1=${words[$(((k * 7 + i * 3) % 20))]} w2=${words[$(((k * 13 + i * 5) % 20))]}
			w3=${words[$(((k * 3 + i * 11) % 20))]}
			printf '<dt>%d 名無しさん</dt><dd>%sの%sが%sでした。</dd>\n' "$i" "$w1" "$w2" "$w3"
		done
		# the other order again, from inside the board
		printf '</dl><p><a href="/bbs/read.cgi?key=%d&amp;bbs=%s">次のスレ</a></p></body></html>\n' \
			"$((1000 + (k % 60) + 1))" "b$(((k % 60 + 1) % 3))"
	} >"$site/bbs/dat/${b}_$((1000 + k)).html"
done
mkdir -p "$site/ads" "$site/copy"
cp "$HARNESS_SITES/basic/ads/yasai.html" "$site/ads/yasai.html"
cp "$HARNESS_SITES/basic/ads/yasai.html" "$site/copy/yasai.html"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>一覧</title></head><body>\n<p>表示中: __URI__</p><p><a href="__URI__&amp;x=1">もっと見る</a></p></body></html>\n' \
	>"$site/explode.html"

NGINX_EXTRA_CONF=$(cat <<'CONF'
	location = /bbs/read.cgi { default_type text/html; try_files /bbs/dat/${arg_bbs}_${arg_key}.html =404; }
	location = /explode.html { sub_filter '__URI__' '$request_uri'; sub_filter_once off; }
CONF
)
port=$(free_port)
port2=$(free_port)
# a page that links to another host (the same files on a second listener)
mkdir -p "$site/scope"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>外へ</title></head><body><a href="http://127.0.0.1:%s/scope/other.html">外</a></body></html>\n' "$port2" \
	>"$site/scope/out.html"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>別のサイト</title></head><body><p>別のサイトです。</p><a href="more.html">次</a></body></html>\n' \
	>"$site/scope/other.html"
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>続き</title></head><body><p>続きです。</p></body></html>\n' \
	>"$site/scope/more.html"
start_nginx "$site" "127.0.0.1:$port" "127.0.0.1:$port2"
base="http://127.0.0.1:$port"

patrol_run crawl --job fam --allow-private --per-host 2 --quiet "$base/index.html"
ok $? "the crawl exits 0" || patrol_diag

# --- the board, whole and once ---------------------------------------------
threads=0
for k in $(seq 1 60); do
	b=b$((k % 3))
	n=$(( $(access_count "/bbs/read.cgi?bbs=$b&key=$((1000 + k))") + $(access_count "/bbs/read.cgi?key=$((1000 + k))&bbs=$b") ))
	[ "$n" = 1 ] && threads=$((threads + 1)) || diag "thread $k requested $n times"
done
is "$threads" 60 "each of the 60 threads requested exactly once, whatever the order of its parameters"
is "$(access_paths | grep -c '^/bbs/read.cgi?key=')" 0 "requests go out with the parameters in canonical order"
is "$(psql_q "SELECT count(*) FROM urls WHERE url LIKE '%read.cgi?key=%'")" 0 "no URL is queued in the page's order"
is "$(psql_q "SELECT count(*) FROM urls WHERE reason = 'trap' AND url LIKE '%read.cgi%'")" 0 "no thread refused as a trap"
is "$(psql_q "SELECT verdict FROM url_families f JOIN jobs j ON j.id = f.job_id WHERE j.name = 'fam' AND family = '$base/bbs/read.cgi?bbs&key'")" \
	open "the board's family is kept as open"

# --- one page under two URLs ---------------------------------------------------
is "$(access_count /ads/yasai.html)" 1 "the page is requested once"
is "$(access_count /copy/yasai.html)" 1 "its copy too"
is "$(psql_q "SELECT count(*) FROM fetches WHERE final_url IN ('$base/ads/yasai.html', '$base/copy/yasai.html')")" 1 \
	"one of the two URLs is stored as the page"
is "$(psql_q "SELECT count(*) FROM urls a JOIN urls p ON p.host_id = a.host_id AND p.id = a.alias_of
	WHERE a.url IN ('$base/ads/yasai.html', '$base/copy/yasai.html') AND p.url IN ('$base/ads/yasai.html', '$base/copy/yasai.html')
	AND a.state = 2")" 1 "the other is an alias of it"
nh=$(psql_q "SELECT count(DISTINCT url_id) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id
	WHERE u.url IN ('$base/ads/yasai.html', '$base/copy/yasai.html')")
is "$nh" 1 "its hits are stored once"
patrol_run export --format jsonl --job fam
is "$(grep -c 'yasai.html' "$PATROL_OUT" | tr -d ' ')" \
	"$(psql_q "SELECT count(*) FROM hits h JOIN urls u ON u.host_id = h.host_id AND u.id = h.url_id WHERE u.url LIKE '%yasai.html'")" \
	"export lists the page's hits once, not the alias's"
like "$(grep 'yasai.html' "$PATROL_OUT" | head -n 1)" '"aliases":"http://127.0.0.1:[0-9]+/(ads|copy)/yasai.html"' \
	"and names the alias, which one takedown covers too"
like "$(cat "$HARNESS_TMP/patrol.log")" "aliases=1" "the summary counts the alias"

# --- a query explosion of one page -----------------------------------------------
nx=$(access_paths | grep -c '^/explode.html')
check "the query explosion is cut: $nx requests (at most 12)" test "$nx" -ge 8 -a "$nx" -le 12
is "$(psql_q "SELECT verdict FROM url_families WHERE family = '$base/explode.html?x'")" trap \
	"its family is kept as a trap"
like "$(psql_q "SELECT reason FROM url_families WHERE family = '$base/explode.html?x'")" "repeat what it served" \
	"with the reason"
check "the URLs it still linked are refused as 'trap'" \
	test "$(psql_q "SELECT count(*) FROM urls WHERE reason = 'trap' AND url LIKE '%explode.html%'")" -ge 1
like "$(cat "$HARNESS_TMP/patrol.log")" "trap families=1" "the summary counts the trap family"
like "$(cat "$HARNESS_TMP/patrol.log")" "trap family '$base/explode.html\\?x': .*repeat" \
	"and names it with its reason"

# --- a resumed job keeps the verdict ----------------------------------------------
psql_q "UPDATE urls SET state = 0, reason = NULL WHERE reason = 'trap'" >/dev/null
: >"$NGINX_ACCESS_LOG"
patrol_run crawl --job fam --resume --allow-private --quiet
ok $? "the job resumes" || patrol_diag
is "$(access_paths | grep -c '^/explode.html' | tr -d ' ')" 0 "queued URLs of a family judged a trap before are not fetched"

# --- a resumed job follows the links its first run followed ----------------------
patrol_run crawl --job sc --scope any --max-pages 1 --allow-private --quiet "$base/scope/out.html"
ok $? "a crawl with --scope any stops after one page" || patrol_diag
patrol_run crawl --job sc --resume --allow-private --quiet
ok $? "and resumes without --scope" || patrol_diag
is "$(psql_q "SELECT count(*) FROM urls u JOIN jobs j ON j.id = u.job_id WHERE j.name = 'sc' AND u.url = 'http://127.0.0.1:$port2/scope/more.html' AND u.state = 2")" 1 \
	"the resumed job keeps its scope: a link found on the other host after the resume is followed"

done_testing
