#!/usr/bin/env python3
# What an insider with write access to the WARC files might do to them, for
# the evidence chain tests:
#   members FILE                   one line per gzip member: index offset length type
#   remove FILE OFFSET             cut out the gzip member at OFFSET
#   flip FILE OFFSET               flip one bit of the byte at OFFSET
#   insert FILE FROM AT            insert a copy of the gzip member at FROM before the one at AT
#   forge FILE OFFSET OLD NEW      append a copy of the record at OFFSET with OLD replaced
#                                  by NEW in its body, digests recomputed and chained to the
#                                  file's last record; prints "offset length sha256hex record-id"
import base64, gzip, hashlib, re, sys, uuid, zlib


def members(data):
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(31)
        rec = d.decompress(data[pos:])
        n = len(data) - pos - len(d.unused_data)
        m = re.search(rb'^WARC-Type: (\S+)', rec, re.M)
        out.append((pos, n, m.group(1).decode() if m else '-', rec))
        pos += n
    return out


def b32(b):
    return 'sha256:' + base64.b32encode(hashlib.sha256(b).digest()).decode()


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    data = open(path, 'rb').read()
    if cmd == 'members':
        for i, (off, n, t, _) in enumerate(members(data)):
            print(i, off, n, t)
    elif cmd == 'remove':
        off = int(sys.argv[3])
        n = [m for m in members(data) if m[0] == off][0][1]
        open(path, 'wb').write(data[:off] + data[off + n:])
    elif cmd == 'flip':
        off = int(sys.argv[3])
        b = bytearray(data)
        b[off] ^= 0x01
        open(path, 'wb').write(bytes(b))
    elif cmd == 'insert':
        src, at = int(sys.argv[3]), int(sys.argv[4])
        n = [m for m in members(data) if m[0] == src][0][1]
        open(path, 'wb').write(data[:at] + data[src:src + n] + data[at:])
    elif cmd == 'forge':
        off, old, new = int(sys.argv[3]), sys.argv[4].encode(), sys.argv[5].encode()
        ms = members(data)
        rec = [m for m in ms if m[0] == off][0][3]
        head, rest = rec.split(b'\r\n\r\n', 1)
        block = rest[:-4]
        http, body = block.split(b'\r\n\r\n', 1)
        body = body.replace(old, new, 1)
        block = http + b'\r\n\r\n' + body
        rid = '<urn:uuid:%s>' % uuid.uuid4()
        last = data[ms[-1][0]:ms[-1][0] + ms[-1][1]]
        lines = []
        for l in head.split(b'\r\n'):
            if l.startswith(b'WARC-Block-Digest:'):
                l = b'WARC-Block-Digest: ' + b32(block).encode()
            elif l.startswith(b'WARC-Payload-Digest:'):
                l = b'WARC-Payload-Digest: ' + b32(body).encode()
            elif l.startswith(b'Content-Length:'):
                l = b'Content-Length: %d' % len(block)
            elif l.startswith(b'WARC-Record-ID:'):
                l = b'WARC-Record-ID: ' + rid.encode()
            elif l.startswith(b'WARC-Patrol-Chain:'):
                l = b'WARC-Patrol-Chain: ' + b32(last).encode()
            lines.append(l)
        member = gzip.compress(b'\r\n'.join(lines) + b'\r\n\r\n' + block + b'\r\n\r\n')
        open(path, 'ab').write(member)
        print(len(data), len(member), hashlib.sha256(body).hexdigest(), rid)


main()
