#!/usr/bin/env python3
"""scan-patterns.py - the pattern list of the scan benchmark, and the rule files built from it.

    scan-patterns.py OUT_DIR [N_LITERALS] [N_REGEXES]

One list, three readers. The literals are ordinary Japanese words of the
kind patrol's rules and a hotline's YARA rules look for (drugs, jobs, money,
accounts, contact channels, violence, fraud) with the nouns and verbs they
come with, N_LITERALS of them (default 514) in a fixed order; the regexes
are the first N_REGEXES (default 95) of tests/conformance/ja-regexes.txt.
Writes into OUT_DIR:

  patterns.txt         the list: "lit<TAB>WORD" and "re<TAB>REGEX" lines
  rules/bench.lua      a patrol rule: one set of literals, one of regexes,
                       both on the norm view; classify() returns nothing
  bench.yar            a YARA rule: every literal as a nocase text string and
                       every regex as /…/i (see to_yara for the translation)
  rg.txt               ripgrep's pattern file (literals escaped); run with -i
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REGEX_LIST = os.path.join(HERE, "..", "tests", "conformance", "ja-regexes.txt")

# nouns a post is about
NOUNS = """大麻 覚醒剤 覚せい剤 シャブ コカイン ヘロイン 合法ハーブ 危険ドラッグ 野菜 手押し
アイス 冷たいの MDMA エクスタシー 睡眠薬 眠剤 向精神薬 注射器 ポンプ 錠剤
闇バイト 裏バイト 高額バイト ホワイト案件 受け子 出し子 運び屋 荷受け 叩き 打ち子
口座 通帳 キャッシュカード 法人口座 銀行口座 ネットバンク 暗証番号 名義 携帯 スマホ
SIMカード 身分証 免許証 保険証 パスポート 在留カード マイナンバー 住民票 印鑑 実印
ギフト券 アマゾンギフト 電子マネー 仮想通貨 ビットコイン 個人間融資 ソフト闇金 闇金 給料ファクタリング 先払い買取
テレグラム シグナル LINE カカオトーク ウィッカー 捨て垢 裏垢 サブ垢 DM 鍵垢
拳銃 実弾 改造銃 爆弾 爆薬 火薬 ナイフ 刃物 毒物 青酸カリ
練炭 硫化水素 首吊り 睡眠薬自殺 飛び降り 集団自殺 心中 遺書 自傷 リスカ
パパ活 ママ活 援交 援助交際 売春 買春 JK JC 裏オプ 本番
オンラインカジノ 裏カジノ 闇カジノ 野球賭博 ノミ屋 胴元 賭博 バカラ スロット 闇スロ
偽造 偽札 偽ブランド スーパーコピー N級品 コピー品 偽物 模造品 海賊版 違法アップロード
フィッシング 不正ログイン アカウント乗っ取り パスワード 認証コード ワンタイムパスワード セキュリティコード カード情報 クレカ 不正利用""".split()

# what is done with them, and how
VERBS = """販売 売ります 買います 買取 譲ります 募集 急募 在庫あり 即納 発送""".split()

# whole phrases that stand alone
PHRASES = """即日現金 即日払い 日払い可 高額報酬 報酬あり 簡単作業 未経験歓迎 誰でもできる 身バレなし 足がつかない
秘密厳守 匿名配送 手渡し可 郵送可 前払い 後払い 審査なし ブラックOK 即日融資 一緒に死のう
死にたい 消えたい 自殺募集 楽に死ねる 殺してやる 爆破予告 殺害予告 晒し 住所特定 誹謗中傷
詳細はDM 連絡はテレグラム 興味ある方 気軽に連絡 ご連絡ください 本人確認 ログインはこちら 支払い情報 アカウント停止 緊急のお知らせ
当選しました おめでとうございます 受け取り手続き 振込先 お振込先 口座番号 名義人 振込手数料 送金先 入金確認""".split()


def literals(n):
    out, seen = [], set()

    def add(w):
        if w not in seen:
            seen.add(w)
            out.append(w)

    for w in NOUNS + PHRASES:
        add(w)
    # noun + verb pairs, interleaved so any prefix of the list mixes topics
    for v in VERBS:
        for w in NOUNS:
            add(w + v)
    if len(out) < n:
        sys.exit("scan-patterns.py: only %d literals" % len(out))
    return out[:n]


def regexes(n):
    out = []
    with open(REGEX_LIST, encoding="utf-8") as f:
        for line in f:
            if line.startswith("re "):
                out.append(line[3:].rstrip("\n"))
    if len(out) < n:
        sys.exit("scan-patterns.py: only %d regexes in %s" % (len(out), REGEX_LIST))
    return out[:n]


def lua_str(s):
    return "[==[" + s + "]==]"


def yara_str(s):
    return '"' + "".join("\\x%02x" % b if b >= 0x80 or b < 0x20 or chr(b) in '"\\' else chr(b)
                         for b in s.encode("utf-8")) + '"'


# YARA's regexes are byte regexes: no \p{...}, '.' is one byte. A Unicode
# class becomes the byte shape of its characters (Han: the CJK Unified
# Ideographs' three-byte block; Hiragana: U+3041..U+309F), and .{m,n} becomes
# .{m,3n}, the most bytes n characters of Japanese text take.
def to_yara(rx):
    rx = rx.replace(r"\p{Han}", r"([\xe4-\xe9][\x80-\xbf][\x80-\xbf])")
    rx = rx.replace(r"\p{Hiragana}", r"(\xe3[\x81\x82][\x80-\xbf])")
    rx = re.sub(r"\.\{(\d+),(\d+)\}", lambda m: ".{%s,%d}" % (m.group(1), 3 * int(m.group(2))), rx)
    out = []
    for ch in rx:
        if ord(ch) >= 0x80:
            out.append("(" + "".join("\\x%02x" % b for b in ch.encode("utf-8")) + ")")
        elif ch == "/":
            out.append("\\/")
        else:
            out.append(ch)
    return "".join(out)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: scan-patterns.py OUT_DIR [N_LITERALS] [N_REGEXES]")
    outdir = sys.argv[1]
    nl = int(sys.argv[2]) if len(sys.argv) > 2 else 514
    nr = int(sys.argv[3]) if len(sys.argv) > 3 else 95
    lits, res = literals(nl), regexes(nr)
    os.makedirs(os.path.join(outdir, "rules"), exist_ok=True)
    with open(os.path.join(outdir, "patterns.txt"), "w", encoding="utf-8") as f:
        for w in lits:
            f.write("lit\t%s\n" % w)
        for r in res:
            f.write("re\t%s\n" % r)
    with open(os.path.join(outdir, "rules", "bench.lua"), "w", encoding="utf-8") as f:
        f.write("-- bench.lua - the scan benchmark's patterns; classify() flags nothing\n")
        f.write("return {\n  name = \"bench.scan\", category = \"drug_ad\",\n  patterns = {\n")
        f.write("    lits = {\n")
        for w in lits:
            f.write("      %s,\n" % lua_str(w))
        f.write("      view = \"norm\",\n    },\n    res = {\n")
        for r in res:
            f.write("      { re = %s },\n" % lua_str(r))
        f.write("      view = \"norm\",\n    },\n  },\n")
        f.write("  classify = function(page, m) return 0 end,\n}\n")
    with open(os.path.join(outdir, "bench.yar"), "w", encoding="utf-8") as f:
        f.write("rule bench_scan\n{\n  strings:\n")
        for i, w in enumerate(lits):
            f.write("    $l%d = %s nocase\n" % (i, yara_str(w)))
        for i, r in enumerate(res):
            f.write("    $r%d = /%s/ nocase\n" % (i, to_yara(r)))
        f.write("  condition:\n    any of them\n}\n")
    with open(os.path.join(outdir, "rg.txt"), "w", encoding="utf-8") as f:
        for w in lits:
            f.write(re.escape(w) + "\n")
        for r in res:
            f.write(r + "\n")
    print(len(lits), len(res))


if __name__ == "__main__":
    main()
