#!/usr/bin/env python3
"""trapserver.py - the dynamic half of the trap site (tests/sites/traps).

Serves, on 127.0.0.1 only, the crawler traps a static directory cannot
hold: every page is made per request, most of them link to URLs that never
end. Everything lives under /dyn/ so nginx can proxy that prefix here.

    /dyn/cal/YYYY/ and /dyn/cal/YYYY/MM/   an infinite calendar: each month
                                           links the previous and next month
                                           and its year; each year its months
                                           and the previous and next year
    /dyn/events?date=YYYY-MM-DD            the same by day, in the query
    /dyn/shop?item=N&sid=R                 a shop of 8 items whose every link
    /dyn/shop;jsessionid=R/item/N          carries a fresh session id (R),
    /dyn/forum/thread?t=N&PHPSESSID=R      in the query or the path
    /dyn/search?q=W&page=N&sort=S          a query explosion: next page, every
                                           sort order, related searches
    /dyn/deep/a/a/a/...                    each page links "a/": one segment
                                           repeated forever
    /dyn/tree/1/2/3/...                    each page links one level deeper
    /dyn/long/X...                         each page links a URL 200 bytes
                                           longer
    /dyn/wiki/N                            shallow, distinct, endless pages,
                                           each with text of its own (only a
                                           per-host budget stops it)
    /dyn/stream/huge                       30 MB of HTML with no
                                           Content-Length, sent as it goes
    /dyn/admin/...                         disallowed by robots.txt; links
                                           to more of itself

Anything else is a 404. The access log has the harness's nginx format, one
line a request, written when the response is done:

    $remote_addr $server_addr:$server_port "$method $request_uri" $status $bytes

usage: trapserver.py PORT ACCESS_LOG
"""

import datetime
import http.server
import random
import re
import secrets
import sys
import threading
import urllib.parse

SHOP_ITEMS = 8
STREAM_BYTES = 30 * 1024 * 1024
LONG_STEP = 200


def sid():
    return secrets.token_hex(8)


def page(title, links, text=""):
    items = "".join('<li><a href="%s">%s</a></li>\n' % (h, h) for h in links)
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8">'
        "<title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p>\n<ul>\n%s</ul>\n</body></html>\n"
        % (title, title, text, items)
    ).encode("utf-8")


WIKI_WORDS = ("川", "山", "電車", "図書館", "天気", "料理", "公園", "音楽", "祭り", "商店街",
              "学校", "野菜", "港", "自転車", "映画", "温泉", "花火", "雪", "駅前", "書店")


def wiki_text(n):
    """A paragraph of its own for wiki page n: the same n, the same words."""
    rnd = random.Random(n)
    return "。".join("%sの%sと%s" % tuple(rnd.choice(WIKI_WORDS) for _ in range(3)) for _ in range(30))


def add_months(year, month, n):
    m = year * 12 + (month - 1) + n
    return m // 12, m % 12 + 1


def route_cal(path, query):
    m = re.fullmatch(r"/dyn/cal/(-?\d+)/(?:(\d{1,2})/)?", path)
    if not m:
        return None
    year = int(m.group(1))
    if m.group(2) is None:
        links = ["/dyn/cal/%d/%02d/" % (year, mo) for mo in range(1, 13)]
        links += ["/dyn/cal/%d/" % (year - 1), "/dyn/cal/%d/" % (year + 1)]
        return page("%d年のカレンダー" % year, links, "予定はありません。")
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None
    py, pm = add_months(year, month, -1)
    ny, nm = add_months(year, month, 1)
    links = [
        "/dyn/cal/%d/%02d/" % (py, pm),
        "/dyn/cal/%d/%02d/" % (ny, nm),
        "/dyn/cal/%d/" % year,
    ]
    return page("%d年%d月" % (year, month), links, "この月の予定はありません。")


def route_events(path, query):
    if path != "/dyn/events":
        return None
    try:
        day = datetime.date.fromisoformat(query.get("date", ["2026-11-22"])[0])
    except ValueError:
        day = datetime.date(2026, 11, 22)
    one = datetime.timedelta(days=1)
    links = []
    for d in (day - one, day + one):
        if datetime.date.min < d < datetime.date.max:
            links.append("/dyn/events?date=%s" % d.isoformat())
    return page("%s のイベント" % day.isoformat(), links, "イベントはありません。")


def shop_links(n):
    out = []
    for k in (n % SHOP_ITEMS + 1, (n + 2) % SHOP_ITEMS + 1):
        out.append("/dyn/shop?item=%d&sid=%s" % (k, sid()))
        out.append("/dyn/shop;jsessionid=%s/item/%d" % (sid().upper(), k))
        out.append("/dyn/forum/thread?t=%d&PHPSESSID=%s" % (k, sid()))
    return out


def item_number(s):
    try:
        n = int(s)
    except (TypeError, ValueError):
        return None
    return n if 1 <= n <= SHOP_ITEMS else None


def route_shop(path, query):
    if path in ("/dyn/shop", "/dyn/forum/thread"):
        key = "item" if path == "/dyn/shop" else "t"
        n = item_number(query.get(key, [None])[0])
        if n is None:
            return None
        return page("商品 %d" % n if key == "item" else "スレッド %d" % n, shop_links(n))
    m = re.fullmatch(r"/dyn/shop(?:;jsessionid=[0-9A-Za-z]+)?/item/(\d+)", path)
    if m:
        n = item_number(m.group(1))
        if n is None:
            return None
        return page("商品詳細 %d" % n, shop_links(n))
    return None


SORTS = ("new", "old", "price", "popular", "random")


def route_search(path, query):
    if path != "/dyn/search":
        return None
    q = query.get("q", ["x"])[0][:200]
    try:
        n = max(1, int(query.get("page", ["1"])[0]))
    except ValueError:
        n = 1
    sort = query.get("sort", ["new"])[0]
    enc = urllib.parse.quote
    links = ["/dyn/search?q=%s&page=%d&sort=%s" % (enc(q), n + 1, enc(sort))]
    links += ["/dyn/search?q=%s&page=%d&sort=%s" % (enc(q), n, s) for s in SORTS if s != sort]
    links += ["/dyn/search?q=%s&page=1&sort=%s" % (enc(q + w), enc(sort)) for w in ("a", "b")]
    return page("検索: %s (%d ページ目)" % (q, n), links)


def route_paths(path, query):
    if re.fullmatch(r"/dyn/deep/(?:a/)*", path):
        return page("deep", ["a/"])
    m = re.fullmatch(r"/dyn/tree/((?:\d+/)*)", path)
    if m:
        depth = m.group(1).count("/")
        return page("tree %d" % depth, ["%d/" % (depth + 1)])
    m = re.fullmatch(r"/dyn/long/([a-z]*)", path)
    if m:
        seg = m.group(1)
        return page("long %d" % len(seg), ["/dyn/long/" + seg + "z" * LONG_STEP])
    m = re.fullmatch(r"/dyn/wiki/(\d+)", path)
    if m:
        n = int(m.group(1))
        return page("wiki %d" % n, ["/dyn/wiki/%d" % (n * 4 + k) for k in range(1, 5)], wiki_text(n))
    if path.startswith("/dyn/admin"):
        return page("admin", ["/dyn/admin/%s?sid=%s" % (sid(), sid())])
    return None


ROUTES = (route_cal, route_events, route_shop, route_search, route_paths)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "trapserver"
    sys_version = ""
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def access(self, status, nbytes):
        laddr, lport = self.connection.getsockname()[:2]
        line = '%s %s:%d "%s %s" %d %d\n' % (
            self.client_address[0], laddr, lport, self.command, self.path, status, nbytes)
        with self.server.log_lock:
            self.server.log.write(line)
            self.server.log.flush()

    def send_body(self, status, body):
        sent = 0
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
                sent = len(body)
        except OSError:
            pass
        self.access(status, sent)

    def stream_huge(self):
        sent = 0
        chunk = ("<p>" + "ながいページ " * 200 + "</p>\n").encode("utf-8")
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            if self.command == "HEAD":
                self.access(200, 0)
                return
            head = b"<!DOCTYPE html><html><head><title>stream</title></head><body>\n"
            self.wfile.write(head)
            sent = len(head)
            while sent < STREAM_BYTES:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        self.access(200, sent)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        path = u.path
        query = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        if path == "/dyn/stream/huge":
            self.stream_huge()
            return
        for route in ROUTES:
            body = route(path, query)
            if body is not None:
                self.send_body(200, body)
                return
        self.send_body(404, page("not found", []))

    do_HEAD = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: trapserver.py PORT ACCESS_LOG\n")
        return 2
    srv = Server(("127.0.0.1", int(sys.argv[1])), Handler)
    srv.log = open(sys.argv[2], "a", encoding="utf-8")
    srv.log_lock = threading.Lock()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
