#!/usr/bin/env python3
"""gensite.py - generate a large static site for crawl benchmarks.

N pages (default 20000) over H hosts (default 8), host i (1-based) being
127.0.0.(i+1), each host one directory OUT/127.0.0.(i+1)/ holding
index.html, robots.txt and pages under /dNNN/pNNNNN.html. Every page carries
about --links links: to pages on its own host (absolute path, relative path,
or absolute URL) and, for a share of them, to pages on other hosts (absolute
URLs with --port). The links of each host contain a tree rooted at its
/index.html, so every page is reachable from the seeds (each host's index).

The text is Japanese filler; a share of pages (--drug-share) carry drug_ad
text (slang + delivery + contact + price), another share (--lookalike-share)
benign look-alikes (recipes, arrest news, ice cream), and a share
(--sjis-share) is encoded in Shift_JIS (CP932) with a meta charset.

Output, besides the host directories:
  OUT/seeds.txt           one seed URL a line
  OUT/roots.txt           "ADDR:PORT ROOT" a line (for any server)
  OUT/nginx-servers.conf  server blocks for an nginx http {} block
  OUT/labels.tsv          "URL<TAB>drug_ad|lookalike" for the labeled pages
  OUT/manifest.txt        parameters and counts

Prints the number of pages reachable from the seeds on stdout (computed by a
breadth-first walk over the generated links, not assumed). The same
arguments always give the same bytes.
"""

import argparse
import os
import posixpath
import random
import shutil
import sys
from collections import deque

FILLER = [
    "今日は朝から雨が降っていて、駅までの道がとても混んでいました。",
    "地域の図書館では、来月から子ども向けの読み聞かせ会が始まります。",
    "新しいカフェが商店街にオープンし、週末は行列ができています。",
    "季節の変わり目は体調を崩しやすいので、十分な睡眠を心がけましょう。",
    "中古カメラを買ったので、近所の公園で桜の写真を撮ってきました。",
    "この記事では、初心者向けにプログラミングの基本を説明します。",
    "旅行の計画を立てるときは、早めに宿を予約するのがおすすめです。",
    "町内会の清掃活動に参加して、川沿いのゴミを拾いました。",
    "自転車のブレーキが効きにくくなったので、お店で点検してもらいました。",
    "週末に友人とボードゲームをして、夜遅くまで盛り上がりました。",
    "市役所の窓口は、平日の午前九時から午後五時まで開いています。",
    "夏休みの自由研究として、ベランダでミニトマトを育てています。",
    "最近読んだ小説の結末が意外で、もう一度最初から読み直しました。",
    "ランニングを始めて三か月、少しずつ走れる距離が伸びてきました。",
    "会議の資料は共有フォルダに置いてありますので、ご確認ください。",
    "駅前の再開発について、住民説明会が公民館で開かれました。",
]

TITLES = ["日記", "お知らせ", "レビュー", "コラム", "掲示板", "雑記", "ニュース", "メモ"]

SLANG = ["野菜", "手押し", "アイス", "クリスタル", "草", "ブツ"]
DELIVERY = ["即日配達", "手渡し対応", "全国郵送", "都内即日", "対面手押し"]
CONTACT = ["テレグラム @{h}", "Telegram: @{h}", "シグナル ID {h}", "Wickr: {h}", "テレグラムで @{h} "]
GRAMS = ["0.5g", "1g", "3g", "5g", "10g"]

LOOKALIKE = [
    "旬の野菜を使った簡単レシピ。キャベツ 200g、にんじん 1本、材料費は 600円 ほどです。",
    "警察は大麻所持の疑いで男を逮捕した。男は SNS の「野菜」「手押し」などの隠語で連絡を取っていたという。",
    "夏限定のアイスクリームが新発売。一個 300円、全国のコンビニで買えます。",
    "クリスタルガラスの食器セットを即日配送いたします。お問い合わせはお電話で。",
    "薬物乱用防止教室を開催しました。隠語や SNS での勧誘に注意しましょう。",
]


def host_addr(i):
    return "127.0.0.%d" % (i + 2)


def page_path(k):
    if k == 0:
        return "/index.html"
    return "/d%03d/p%05d.html" % ((k - 1) // 200, k)


def drug_ad_text(rng):
    handle = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(8))
    g = rng.choice(GRAMS)
    price = {"0.5g": 5000, "1g": 8000, "3g": 21000, "5g": 33000, "10g": 60000}[g]
    price += rng.randrange(0, 5) * 1000
    return "%s %s %s！ ご注文は%sまで。%s %d円。秘密厳守。" % (
        rng.choice(SLANG),
        rng.choice(SLANG),
        rng.choice(DELIVERY),
        rng.choice(CONTACT).format(h=handle),
        g,
        price,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--pages", type=int, default=20000)
    ap.add_argument("-H", "--hosts", type=int, default=8)
    ap.add_argument("-p", "--port", type=int, default=8080)
    ap.add_argument("-s", "--seed", type=int, default=1)
    ap.add_argument("-o", "--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "site"))
    ap.add_argument("--links", type=int, default=10, help="links per page (default 10)")
    ap.add_argument("--fanout", type=int, default=5, help="tree children per page (default 5)")
    ap.add_argument("--cross", type=float, default=0.2, help="share of extra links to other hosts")
    ap.add_argument("--drug-share", type=float, default=0.02)
    ap.add_argument("--lookalike-share", type=float, default=0.02)
    ap.add_argument("--sjis-share", type=float, default=0.05)
    ap.add_argument("--paras", type=int, default=4, help="filler paragraphs per page")
    ap.add_argument("--force", action="store_true", help="replace an existing OUT")
    a = ap.parse_args()

    if a.hosts < 1 or a.hosts > 253:
        ap.error("--hosts must be 1..253")
    if a.pages < a.hosts:
        ap.error("--pages must be at least --hosts")
    if a.fanout < 1 or a.links < a.fanout:
        ap.error("need 1 <= --fanout <= --links")
    out = os.path.abspath(a.out)
    if os.path.exists(out) and os.listdir(out):
        if not a.force:
            ap.error("%s exists and is not empty (use --force)" % out)
        if not os.path.isfile(os.path.join(out, "manifest.txt")):
            ap.error("%s is not a gensite output (no manifest.txt): not replacing it" % out)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)

    rng = random.Random(a.seed)
    H = a.hosts
    counts = [a.pages // H + (1 if h < a.pages % H else 0) for h in range(H)]
    base = ["http://%s:%d" % (host_addr(h), a.port) for h in range(H)]

    # links[(h, k)] = list of (host, page) targets, in page order.
    links = {}
    labels = []
    n_sjis = 0
    for h in range(H):
        n = counts[h]
        for k in range(n):
            targets = []
            for c in range(a.fanout * k + 1, a.fanout * k + a.fanout + 1):
                if c < n:
                    targets.append((h, c))
            while len(targets) < a.links:
                if H > 1 and rng.random() < a.cross:
                    oh = rng.randrange(H - 1)
                    oh = oh if oh < h else oh + 1
                    targets.append((oh, rng.randrange(counts[oh])))
                else:
                    targets.append((h, rng.randrange(n)))
            rng.shuffle(targets)
            links[(h, k)] = targets

    for h in range(H):
        root = os.path.join(out, host_addr(h))
        os.makedirs(root)
        with open(os.path.join(root, "robots.txt"), "w", encoding="ascii") as f:
            f.write("User-agent: *\nAllow: /\n")
        for k in range(counts[h]):
            path = page_path(k)
            here = posixpath.dirname(path)
            r = rng.random()
            label = None
            if r < a.drug_share:
                label = "drug_ad"
            elif r < a.drug_share + a.lookalike_share:
                label = "lookalike"
            sjis = rng.random() < a.sjis_share
            charset = "Shift_JIS" if sjis else "utf-8"

            parts = []
            parts.append("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n")
            parts.append("<meta charset=\"%s\">\n" % charset)
            title = "%s %d-%d" % (rng.choice(TITLES), h + 1, k)
            parts.append("<title>%s</title>\n</head>\n<body>\n<h1>%s</h1>\n" % (title, title))
            paras = [" ".join(rng.choice(FILLER) for _ in range(rng.randrange(2, 5))) for _ in range(a.paras)]
            if label == "drug_ad":
                paras.insert(rng.randrange(len(paras) + 1), drug_ad_text(rng))
            elif label == "lookalike":
                paras.insert(rng.randrange(len(paras) + 1), rng.choice(LOOKALIKE))
            for p in paras:
                parts.append("<p>%s</p>\n" % p)
            parts.append("<ul>\n")
            for (th, tk) in links[(h, k)]:
                tpath = page_path(tk)
                if th != h:
                    href = base[th] + tpath
                else:
                    f = rng.random()
                    if f < 0.6:
                        href = tpath
                    elif f < 0.8:
                        href = posixpath.relpath(tpath, here)
                    else:
                        href = base[th] + tpath
                if rng.random() < 0.05:
                    href += "#top"
                parts.append("<li><a href=\"%s\">%s %d-%d</a></li>\n" % (href, rng.choice(TITLES), th + 1, tk))
            parts.append("</ul>\n</body>\n</html>\n")
            body = "".join(parts)

            fpath = os.path.join(root, path.lstrip("/"))
            os.makedirs(os.path.dirname(fpath), exist_ok=True)
            with open(fpath, "wb") as f:
                f.write(body.encode("cp932" if sjis else "utf-8"))
            if sjis:
                n_sjis += 1
            if label:
                labels.append("%s%s\t%s\n" % (base[h], path, label))

    # Reachability from the seeds over the links written.
    seen = set()
    todo = deque()
    for h in range(H):
        seen.add((h, 0))
        todo.append((h, 0))
    while todo:
        node = todo.popleft()
        for t in links[node]:
            if t not in seen:
                seen.add(t)
                todo.append(t)
    reachable = len(seen)

    with open(os.path.join(out, "seeds.txt"), "w") as f:
        for h in range(H):
            f.write("%s/index.html\n" % base[h])
    with open(os.path.join(out, "roots.txt"), "w") as f:
        for h in range(H):
            f.write("%s:%d %s\n" % (host_addr(h), a.port, os.path.join(out, host_addr(h))))
    with open(os.path.join(out, "nginx-servers.conf"), "w") as f:
        for h in range(H):
            f.write("server {\n\tlisten %s:%d;\n\tserver_name _;\n\troot %s;\n\tindex index.html;\n}\n"
                    % (host_addr(h), a.port, os.path.join(out, host_addr(h))))
    with open(os.path.join(out, "labels.tsv"), "w", encoding="utf-8") as f:
        f.writelines(labels)
    n_drug = sum(1 for l in labels if l.endswith("\tdrug_ad\n"))
    with open(os.path.join(out, "manifest.txt"), "w") as f:
        f.write("pages %d\nhosts %d\nport %d\nseed %d\nlinks %d\nfanout %d\ncross %g\n"
                % (a.pages, H, a.port, a.seed, a.links, a.fanout, a.cross))
        f.write("reachable %d\nrobots %d\ndrug_ad %d\nlookalike %d\nsjis %d\n"
                % (reachable, H, n_drug, len(labels) - n_drug, n_sjis))

    print("gensite: %d pages on %d hosts in %s (%d drug_ad, %d look-alike, %d Shift_JIS)"
          % (a.pages, H, out, n_drug, len(labels) - n_drug, n_sjis), file=sys.stderr)
    print(reachable)
    return 0 if reachable == a.pages else 1


if __name__ == "__main__":
    sys.exit(main())
