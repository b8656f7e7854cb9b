#!/usr/bin/env bash
# A batch never dies of one record. The database is made to refuse one page
# of a small site (a trigger raises on its title, as PostgreSQL would on a
# value it cannot take): the crawl goes on, every other page of the batch is
# stored, the refused one is kept in the quarantine table with the reason and
# its URL refused as 'quarantined', and a resume does not fetch it again.
set -u
. "$(dirname "$0")/lib/harness.sh"
harness_init "$@"
require_patrol
export PGCLIENTENCODING=UTF8
start_pg

site=$HARNESS_TMP/site
mkdir -p "$site"
{
	printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>目次</title></head><body><ul>\n'
	for k in $(seq 1 12); do printf '<li><a href="/p%d.html">%d</a></li>\n' "$k" "$k"; done
	printf '</ul></body></html>\n'
} >"$site/index.html"
for k in $(seq 1 12); do
	title="ページ $k"
	[ "$k" = 7 ] && title="毒入りのページ"
	printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title></head><body><p>本文 %d の文章です。</p></body></html>\n' \
		"$title" "$k" >"$site/p$k.html"
done
port=$(free_port)
start_nginx "$site" "127.0.0.1:$port"
base="http://127.0.0.1:$port"

patrol_run db migrate
ok $? "the schema is in place" || patrol_diag
psql_q "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN RAISE EXCEPTION 'value refused for the test' USING ERRCODE = '22023'; END \$\$;
	CREATE TRIGGER refuse_poison BEFORE INSERT ON fetches FOR EACH ROW
	WHEN (NEW.title LIKE '%毒%') EXECUTE FUNCTION refuse_poison();" >/dev/null
ok $? "a trigger refuses the page titled 毒"

patrol_run crawl --job q --allow-private --per-host 4 --quiet "$base/index.html"
ok $? "the crawl ends normally" || patrol_diag
like "$(cat "$PATROL_ERR")" "quarantined=1" "the summary counts the quarantined page"
like "$(cat "$PATROL_ERR")" "cannot store '$base/p7.html'.*quarantine" "and names it"
unlike "$(cat "$PATROL_ERR")" "value refused for the test" "the database's own message is not printed"
is "$(psql_q "SELECT count(*) FROM fetches")" 12 "every other page is stored (12 of 13)"
is "$(psql_q "SELECT url || ' ' || sqlstate FROM quarantine")" "$base/p7.html 22023" \
	"the refused page is in quarantine with the SQLSTATE"
like "$(psql_q "SELECT reason FROM quarantine")" "value refused for the test" "and the database's reason"
is "$(psql_q "SELECT state || ' ' || reason FROM urls WHERE url = '$base/p7.html'")" "3 quarantined" \
	"its URL is refused as 'quarantined'"
is "$(psql_q "SELECT count(*) FROM urls WHERE state IN (0, 1)")" 0 "nothing left queued or claimed"

: >"$NGINX_ACCESS_LOG"
patrol_run crawl --job q --resume --allow-private --quiet
ok $? "the job resumes" || patrol_diag
is "$(access_count /p7.html)" 0 "the quarantined page is not fetched again"

done_testing
