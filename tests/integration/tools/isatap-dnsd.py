#!/usr/bin/python3
"""isatap-dnsd: a small DNS server for the hostile suites, python3 stdlib
only. Answers A queries for the names it is given, NXDOMAIN (authoritative)
for every other name, over UDP and TCP (RFC 1035 §4.2), on one address.

  isatap-dnsd.py [-l ADDR] [-p PORT] NAME=COUNT ...

NAME=COUNT answers COUNT A records, 198.51.100.1 onwards (then 198.51.101.x
...), TTL 300. An answer that does not fit 512 octets goes over UDP empty
with TC set (RFC 1035 §4.2.1), so that the resolver asks again over TCP and
gets all of it: 300 records make an answer of about 4.8 KiB, longer than
isatap-control's 4096-octet buffer (review finding 10). Prints "ready" once
listening; one line per query on stderr.
"""
import argparse
import socket
import struct
import sys
import threading


def parse_question(q):
    """(id, flags, qname text, qname wire, qtype, end offset) or None."""
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    if qd != 1:
        return None
    off, labels = 12, []
    while off < len(q) and q[off] != 0:
        n = q[off]
        if n & 0xC0 or off + 1 + n > len(q):
            return None
        labels.append(q[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    if off + 5 > len(q):
        return None
    wire = q[12:off + 1]
    qtype = struct.unpack(">H", q[off + 1:off + 3])[0]
    return qid, flags, ".".join(labels).lower(), wire, qtype, off + 5


def answer(q, names, udp):
    p = parse_question(q)
    if p is None:
        return None
    qid, qflags, name, wire, qtype, end = p
    rd = qflags & 0x0100
    count = names.get(name.rstrip("."))
    if count is None:
        # AA, RD copied, RA, rcode 3: the name does not exist.
        return struct.pack(">HHHHHH", qid, 0x8583 | rd, 1, 0, 0, 0) + q[12:end]
    records = b""
    if qtype == 1:
        for i in range(count):
            addr = bytes([198, 51, 100 + i // 250, 1 + i % 250])
            records += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + addr
    n = count if qtype == 1 else 0
    msg = struct.pack(">HHHHHH", qid, 0x8580 | rd, 1, n, 0, 0) + q[12:end] + records
    if udp and len(msg) > 512:
        return struct.pack(">HHHHHH", qid, 0x8780 | rd, 1, 0, 0, 0) + q[12:end]
    return msg


def serve_udp(s, names):
    while True:
        q, peer = s.recvfrom(4096)
        r = answer(q, names, True)
        print("udp query %d octets -> %s" % (len(q), len(r) if r else "none"), file=sys.stderr,
              flush=True)
        if r:
            s.sendto(r, peer)


def serve_tcp_client(c, names):
    with c:
        buf = b""
        while True:
            d = c.recv(65536)
            if not d:
                return
            buf += d
            while len(buf) >= 2:
                n = struct.unpack(">H", buf[:2])[0]
                if len(buf) < 2 + n:
                    break
                q, buf = buf[2:2 + n], buf[2 + n:]
                r = answer(q, names, False)
                print("tcp query %d octets -> %s" % (len(q), len(r) if r else "none"),
                      file=sys.stderr, flush=True)
                if r:
                    c.sendall(struct.pack(">H", len(r)) + r)


def serve_tcp(s, names):
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve_tcp_client, args=(c, names), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-l", default="127.0.0.1")
    ap.add_argument("-p", type=int, default=53)
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()
    names = {}
    for spec in a.names:
        name, _, count = spec.partition("=")
        names[name.lower().rstrip(".")] = int(count)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((a.l, a.p))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((a.l, a.p))
    t.listen(16)
    threading.Thread(target=serve_udp, args=(u, names), daemon=True).start()
    print("ready", flush=True)
    serve_tcp(t, names)


if __name__ == "__main__":
    main()
