/*
 * html.c - writing the console's pages safely: every string that came from
 * the web or the database goes through html_esc, labels come from one
 * table in Japanese and English, and every page has the same frame (no
 * inline script or style: the Content-Security-Policy allows neither).
 */
#include <stdio.h>
#include <string.h>

#include "classifiers/taxonomy.h"
#include "console/web.h"

static const struct {
	const char *key, *ja, *en;
} labels[] = {
	{ "title", "パトロール審査コンソール", "patrol review console" },
	{ "login", "ログイン", "Log in" },
	{ "logout", "ログアウト", "Log out" },
	{ "user", "ユーザー名", "User" },
	{ "password", "パスワード", "Password" },
	{ "bad_login", "ユーザー名またはパスワードが違います", "wrong user name or password" },
	{ "locked", "ログイン失敗が続いたため、このアカウントは一時的にロックされています",
	  "too many failed logins: this account is locked for a while" },
	{ "disabled", "このアカウントは無効です", "this account is disabled" },
	{ "bad_csrf", "フォームの有効期限が切れています。ページを再読み込みしてください",
	  "the form's token is missing or wrong: reload the page" },
	{ "expired", "セッションの有効期限が切れました", "your session has ended" },
	{ "db_down", "データベースに接続できません", "the database cannot be reached" },
	{ "not_found", "見つかりません", "not found" },
	{ "forbidden", "この操作を行う権限がありません", "your role may not do this" },
	{ "queue", "審査キュー", "Review queue" },
	{ "takedowns", "削除依頼", "Takedowns" },
	{ "report", "レポート", "Report" },
	{ "events", "操作履歴", "Event log" },
	{ "status", "審査状況", "Status" },
	{ "new", "未審査", "new" },
	{ "confirmed", "違法・有害と確認", "confirmed" },
	{ "dismissed", "問題なし", "dismissed" },
	{ "any", "すべて", "any" },
	{ "category", "カテゴリ", "Category" },
	{ "score", "スコア", "Score" },
	{ "min_score", "最低スコア", "Min. score" },
	{ "host", "ホスト", "Host" },
	{ "job", "ジョブ", "Job" },
	{ "rule", "ルール", "Rule" },
	{ "since", "検知日(から)", "Flagged since" },
	{ "until", "検知日(まで)", "Flagged until" },
	{ "sort", "並び順", "Sort" },
	{ "desc", "降順", "descending" },
	{ "filter", "絞り込み", "Filter" },
	{ "url", "URL", "URL" },
	{ "flagged_at", "検知日時", "Flagged" },
	{ "reviewer", "審査者", "Reviewer" },
	{ "takedown", "削除依頼", "Takedown" },
	{ "confirm", "確認 (c)", "Confirm (c)" },
	{ "dismiss", "問題なし (d)", "Dismiss (d)" },
	{ "comment", "コメント", "Comment" },
	{ "pages", "件", "pages" },
	{ "prev", "前へ", "Previous" },
	{ "next", "次へ", "Next" },
	{ "keys", "キー操作: j/k 次・前, o 開く, c 確認, d 問題なし, m コメント, x 選択",
	  "Keys: j/k next/previous, o open, c confirm, d dismiss, m comment, x select" },
	{ "fetch", "取得情報", "Fetch" },
	{ "final_url", "最終URL", "Final URL" },
	{ "http_status", "HTTPステータス", "HTTP status" },
	{ "fetched_at", "取得日時", "Fetched" },
	{ "charset", "文字コード", "Charset" },
	{ "sha256", "SHA-256", "SHA-256" },
	{ "page_title", "ページタイトル", "Page title" },
	{ "hits", "検知内容", "Hits" },
	{ "evidence", "証拠", "Evidence" },
	{ "history", "審査履歴", "Review history" },
	{ "warc", "WARC記録", "WARC records" },
	{ "rechecks", "再確認", "Rechecks" },
	{ "reports", "通報", "Reports" },
	{ "open_takedown", "削除依頼を作成", "Open a takedown request" },
	{ "recipient_kind", "依頼先の種別", "Recipient kind" },
	{ "recipient", "依頼先", "Recipient" },
	{ "channel", "手段", "Channel" },
	{ "reference", "整理番号", "Reference" },
	{ "send", "送付済みにする", "Mark sent" },
	{ "ack", "受領済みにする", "Mark acknowledged" },
	{ "refuse", "拒否", "Refused" },
	{ "close", "期限切れで終了", "Close (expired)" },
	{ "removed", "削除を確認", "Removed" },
	{ "note", "メモ", "Note" },
	{ "overdue", "期限超過", "overdue" },
	{ "waiting_days", "経過日数", "Days waiting" },
	{ "opened_at", "作成日時", "Opened" },
	{ "sent_at", "送付日時", "Sent" },
	{ "at", "日時", "At" },
	{ "actor", "操作者", "Actor" },
	{ "change", "変更", "Change" },
	{ "by_category", "カテゴリ別", "By category" },
	{ "by_host", "ホスト別", "By host" },
	{ "by_provider", "依頼先別", "By provider" },
	{ "removal_rate", "削除率", "Removal rate" },
	{ "flagged", "検知", "Flagged" },
	{ "requests", "依頼", "Requests" },
	{ "median", "中央値", "median" },
	{ "p90", "90パーセンタイル", "p90" },
	{ "to_removal", "依頼から削除までの時間", "Request to removal" },
	{ "per_month", "月別の削除率", "Removal rate by month" },
	{ "per_rule", "ルール別の検知と却下", "Flags and dismissals per rule" },
	{ "oldest", "未完了の古い依頼", "Oldest live requests" },
	{ "bulk", "選択したページに一括操作", "Act on the selected pages" },
	{ "bulk_ask", "件のページを変更します。よろしいですか?", "pages will be changed. Go ahead?" },
	{ "none", "なし", "none" },
	{ "done", "完了", "done" },
	{ "all_categories", "カテゴリ別件数", "Pages per category" },
	{ "lang_other", "English", "日本語" },
	{ "crawls", "クロール", "Crawls" },
	{ "rules", "ルール", "Rules" },
	{ "created_at", "開始日時", "Started" },
	{ "finished_at", "終了日時", "Finished" },
	{ "hosts", "ホスト数", "Hosts" },
	{ "queued", "待機中", "Queued" },
	{ "claimed", "取得中", "Claimed" },
	{ "fetched", "取得済み", "Done" },
	{ "refused", "対象外", "Refused" },
	{ "dismissal_rate", "却下率", "Dismissal rate" },
	{ "mean_score", "平均スコア", "Mean score" },
	{ "last_hit", "最終検知", "Last hit" },
	{ "classifier", "分類器", "Classifier" },
	{ "warc_file", "WARCファイル", "WARC file" },
	{ "offset", "オフセット", "Offset" },
	{ "length", "長さ", "Length" },
	{ "record_id", "レコードID", "Record ID" },
	{ "verified", "改ざんなし(ダイジェスト一致)", "verified: the digests match" },
	{ "download", "WARC記録をダウンロード", "Download the WARC record" },
	{ "stored_text", "保存されたテキスト(検知箇所を強調)", "Stored text (matches marked)" },
	{ "start_crawl", "クロールを開始", "Start a crawl" },
	{ "seeds", "シードURL(1行に1つ)", "Seeds (one URL a line)" },
	{ "crawl_started", "クロールを開始しました", "the crawl has started" },
	{ "crawl_stats", "クロールの進行状況(クローラが書く数値)", "Progress (the figures the crawler writes)" },
	{ "stored", "保存済み", "Stored" },
	{ "errors", "エラー", "Errors" },
	{ "in_flight", "転送中", "In flight" },
	{ "elapsed", "経過時間", "Elapsed" },
	{ "updated", "更新日時", "Updated" },
	{ "ruleset", "読み込まれたルールセット", "Loaded rule set" },
	{ "rules_loading", "ルールセットを読み込み中です", "the rule set is being loaded" },
	{ "rules_dir", "ルールのディレクトリ", "Rule directory" },
	{ "loaded_at", "読み込み日時", "Loaded" },
	{ "rules_state", "検査結果", "Check" },
	{ "rules_ok", "すべてのファイルが検査を通過", "every file passed" },
	{ "rules_refused", "検査を通過しなかったファイルがあります(下記)", "some files were refused (below)" },
	{ "rules_count", "ルール数 / パターン数", "Rules / patterns" },
	{ "rule_files", "ファイル", "Files" },
	{ "file", "ファイル", "File" },
	{ "kind", "種別", "Kind" },
	{ "size", "サイズ", "Size" },
	{ "modified", "更新日時", "Modified" },
	{ "kind_rule", "ルール", "rule" },
	{ "kind_model", "モデル・データ", "model / data" },
	{ "no_model", "ルールの横に学習済みモデルはありません(ルールのみで判定)", "no trained model beside the rules (rules alone decide)" },
	{ "loaded_rules", "ルールとバージョン", "Rules and versions" },
	{ "version", "バージョン", "Version" },
	{ "threshold", "しきい値", "Threshold" },
	{ "patterns", "パターン数", "Patterns" },
	{ "rules_reload", "ルールセットを再読み込み", "Reload the rule set" },
	{ "rule_stats", "ルール別の検知と却下(全ルール)", "Hits and dismissals per rule (every rule)" },
	{ "source", "検知元", "Source" },
	{ "source_all", "すべて", "all" },
	{ "source_rule", "ルール", "rules" },
	{ "source_hotline", "通報(ホットライン)", "hotline lead" },
	{ "keep_category", "(変更しない)", "(keep)" },
	{ "per_page", "表示件数", "Per page" },
	{ "snapshot", "スナップショット(取得時の表示)", "Snapshot (as captured)" },
	{ "no_chromium", "Chromium が見つからないため、スナップショットは撮れません", "Chromium is not installed: no snapshot can be taken" },
	{ "no_record", "このページには WARC 記録がないため、スナップショットは撮れません", "this page has no WARC record to render" },
	{ "no_snapshot", "スナップショットはまだありません", "no snapshot yet" },
	{ "snapshot_busy", "スナップショットを作成中です。しばらくしてから再読み込みしてください", "a snapshot is being taken: reload in a moment" },
	{ "snapshot_failed", "スナップショットの作成に失敗しました", "the last snapshot failed" },
	{ "take_snapshot", "スナップショットを撮る", "Take a snapshot" },
	{ "taken_at", "作成日時", "Taken" },
	{ "png_intact", "SHA-256 一致", "SHA-256 matches" },
	{ "png_damaged", "スナップショットのファイルが記録された SHA-256 と一致しません", "the snapshot file does not match its recorded SHA-256" },
	{ "png_missing", "スナップショットのファイルがありません", "the snapshot file is missing" },
};

const char *L(const struct web_req *r, const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].key, key))
			return r->en ? labels[i].en : labels[i].ja;
	return key;
}

const char *web_category_name(const struct web_req *r, const char *code)
{
	const struct taxonomy_entry *t = code ? taxonomy_find(code) : NULL;

	return t && !r->en ? t->ja : code;
}

int web_date_ok(const char *s)
{
	int i;

	if (!s)
		return 1;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return 0;
	if (!s[10])
		return 1;
	if (s[10] != 'T' && s[10] != ' ')
		return 0;
	for (s += 11; *s; s++)
		if (!strchr("0123456789:.+-Z", *s))
			return 0;
	return strlen(s) < 40;
}

void html_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '`': fputs("&#96;", f); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				fputs("\xEF\xBF\xBD", f);
			else
				fputc(c, f);
		}
	}
}

void url_esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~')
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

void html_csrf(struct web_req *r)
{
	fputs("<input type=\"hidden\" name=\"csrf\" value=\"", r->out);
	html_esc(r->out, r->user.csrf);
	fputs("\">", r->out);
}

void html_begin(struct web_req *r, const char *title)
{
	FILE *f = r->out;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
		r->en ? "en" : "ja");
	html_esc(f, title);
	fprintf(f, " - %s</title>\n<link rel=\"stylesheet\" href=\"/static/console.css\">\n"
		   "<script src=\"/static/console.js\" defer></script>\n</head>\n<body>\n<header>\n"
		   "<span class=\"brand\">%s</span>\n",
		L(r, "title"), L(r, "title"));
	if (r->logged_in) {
		fprintf(f, "<nav><a href=\"/queue\">%s</a> <a href=\"/takedowns\">%s</a>"
			   " <a href=\"/report\">%s</a> <a href=\"/events\">%s</a> <a href=\"/rules\">%s</a>"
			   " <a href=\"/crawls\">%s</a></nav>\n",
			L(r, "queue"), L(r, "takedowns"), L(r, "report"), L(r, "events"), L(r, "rules"),
			L(r, "crawls"));
		fputs("<span class=\"who\">", f);
		html_esc(f, r->user.name);
		fputs(" (", f);
		html_esc(f, r->user.role);
		fputs(")</span>\n<form method=\"post\" action=\"/logout\" class=\"inline\">", f);
		html_csrf(r);
		fprintf(f, "<button type=\"submit\">%s</button></form>\n", L(r, "logout"));
	}
	fputs("</header>\n<main>\n<h1>", f);
	html_esc(f, title);
	fputs("</h1>\n", f);
}

void html_end(struct web_req *r)
{
	fputs("</main>\n</body>\n</html>\n", r->out);
}
