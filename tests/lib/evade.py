#!/usr/bin/env python3
"""evade.py SAMPLES OUT TRANSFORM: writes every sample of SAMPLES (laid out as
lua/samples: <category>/ and benign/) to OUT, its text rewritten the way
posts hide from filters, and prints one line per file: path, then its label
(the category, or "benign").

Transforms (each applied to every character it can apply to, in text only:
never inside tags, entities, <script> or <style>):
  hira   katakana written as hiragana
  half   katakana half-width, ASCII letters and digits full-width
  space  a space between every two letters of Japanese words
  dot    a middle dot (・) between them
  star   a full-width asterisk (＊) between them
  cyr    Latin letters that have a Cyrillic look-alike written with it
  ent    every non-ASCII character as a numeric character reference
  tags   every other letter of Japanese words in a <span> of its own
Samples not in UTF-8 are left out.
"""
import os
import re
import sys
import unicodedata


def japanese(c):
    o = ord(c)
    return 0x3041 <= o <= 0x30FF and o != 0x30FB or 0x4E00 <= o <= 0x9FFF or 0xFF66 <= o <= 0xFF9F


def hira(t):
    return ''.join(chr(ord(c) - 0x60) if 0x30A1 <= ord(c) <= 0x30F6 else c for c in t)


HALF = {}
for _c in range(0xFF61, 0xFFA0):
    _f = unicodedata.normalize('NFKC', chr(_c))
    if len(_f) == 1:
        HALF[_f] = chr(_c)


def half(t):
    out = []
    for c in t:
        d = unicodedata.normalize('NFD', c)
        if c in HALF:
            out.append(HALF[c])
        elif len(d) == 2 and d[0] in HALF and d[1] in '\u3099\u309a':
            out.append(HALF[d[0]] + ('\uff9e' if d[1] == '\u3099' else '\uff9f'))
        elif c.isascii() and c.isalnum():
            out.append(chr(ord(c) + 0xFEE0))
        else:
            out.append(c)
    return ''.join(out)


def between(mark):
    def f(t):
        out = []
        for i, c in enumerate(t):
            out.append(c)
            if japanese(c) and i + 1 < len(t) and japanese(t[i + 1]):
                out.append(mark)
        return ''.join(out)
    return f


CYR = dict(zip('aeopcxyAEOPCXHKMT', 'аеорсхуАЕОРСХНКМТ'))


def cyr(t):
    return ''.join(CYR.get(c, c) for c in t)


def ent(t):
    return ''.join('&#%d;' % ord(c) if ord(c) > 127 else c for c in t)


def tags(t):
    return ''.join('<span>%s</span>' % c if japanese(c) and i % 2 else c for i, c in enumerate(t))


TRANSFORMS = {'hira': hira, 'half': half, 'space': between(' '), 'dot': between('・'),
              'star': between('＊'), 'cyr': cyr, 'ent': ent, 'tags': tags}


def rewrite_html(html, f):
    out, skip = [], None
    for part in re.split(r'(<!--.*?-->|<[^>]*>)', html, flags=re.S):
        if part.startswith('<'):
            m = re.match(r'<\s*(/?)\s*(script|style|title)\b', part, re.I)
            if m:
                skip = None if m.group(1) else m.group(2).lower()
            out.append(part)
        elif skip in ('script', 'style') or (skip == 'title' and f is tags):
            out.append(part)
        else:
            out.append(''.join(x if x.startswith('&') else f(x)
                               for x in re.split(r'(&#?[0-9A-Za-z]+;)', part)))
    return ''.join(out)


def main():
    if len(sys.argv) != 4 or sys.argv[3] not in TRANSFORMS:
        sys.exit('usage: evade.py SAMPLES OUT %s' % '|'.join(TRANSFORMS))
    src, dst, f = sys.argv[1], sys.argv[2], TRANSFORMS[sys.argv[3]]
    for cat in sorted(os.listdir(src)):
        d = os.path.join(src, cat)
        if not os.path.isdir(d):
            continue
        os.makedirs(os.path.join(dst, cat), exist_ok=True)
        for name in sorted(os.listdir(d)):
            if not name.endswith(('.html', '.txt')):
                continue
            with open(os.path.join(d, name), 'rb') as fh:
                raw = fh.read()
            try:
                text = raw.decode('utf-8')
            except UnicodeDecodeError:
                continue  # the samples in other charsets are there for the decoder
            if name.endswith('.txt'):
                # as a page, so markup-level transforms have somewhere to go
                text = ('<html><head><meta charset="utf-8"></head><body><p>' +
                        text.replace('&', '&amp;').replace('<', '&lt;').replace('\n', '<br>\n') +
                        '</p></body></html>')
                name = name[:-4] + '.html'
            path = os.path.join(dst, cat, name)
            with open(path, 'w', encoding='utf-8') as fh:
                fh.write(rewrite_html(text, f))
            print(path, cat)


if __name__ == '__main__':
    main()
