#!/usr/bin/env python3
"""scan-corpus.py - the text of the development site's pages, one UTF-8 file per page.

    scan-corpus.py SITE_DIR OUT_DIR [MAX_BYTES]

SITE_DIR is the unpacked site (it holds files.tsv: URL, file, encoding). Each
HTML page is decoded with the encoding the site lists for it (errors replaced),
its tags, scripts, styles and comments dropped, entities resolved, white space
kept as line breaks between blocks. Pages larger than MAX_BYTES (default
2 MiB: the site's 30 MB trap page) and non-HTML files are left out. Writes
OUT_DIR/NNNNN.txt and prints the file count and the bytes written.
"""
import html.parser
import os
import sys

ENC = {"utf-8": "utf-8", "sjis": "cp932", "euc": "euc_jp"}
SKIP = {"script", "style", "noscript", "template"}
BLOCK = {"p", "div", "br", "li", "dt", "dd", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
         "article", "section", "header", "footer", "nav", "aside", "title", "blockquote",
         "pre", "table", "ul", "ol", "dl", "form", "main"}


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        elif tag in BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIP and self.skip:
            self.skip -= 1
        elif tag in BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)

    def text(self):
        lines = (" ".join(l.split()) for l in "".join(self.out).split("\n"))
        return "\n".join(l for l in lines if l) + "\n"


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: scan-corpus.py SITE_DIR OUT_DIR [MAX_BYTES]")
    site, out = sys.argv[1], sys.argv[2]
    cap = int(sys.argv[3]) if len(sys.argv) > 3 else 2 << 20
    os.makedirs(out, exist_ok=True)
    n = total = 0
    with open(os.path.join(site, "files.tsv"), encoding="utf-8") as f:
        rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    for row in rows:
        path = os.path.join(site, row[1])
        if not path.endswith((".html", ".htm")) or not os.path.isfile(path):
            continue
        if os.path.getsize(path) > cap:
            continue
        with open(path, "rb") as f:
            raw = f.read()
        p = Text()
        p.feed(raw.decode(ENC.get(row[2], "utf-8"), errors="replace"))
        p.close()
        data = p.text().encode("utf-8")
        n += 1
        total += len(data)
        with open(os.path.join(out, "%05d.txt" % n), "wb") as f:
            f.write(data)
    print(n, total)


if __name__ == "__main__":
    main()
