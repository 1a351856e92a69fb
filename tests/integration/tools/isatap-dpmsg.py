#!/usr/bin/env python3
"""isatap-dpmsg: an independent speaker of the datapath <-> control message
catalogue (proto/msg.h), written from the header, for the hostile and
privilege suites. It plays a control daemon -- an honest one that configures
the datapath and reads its counters, or a compromised one that sends
well-formed but malicious requests and malformed frames.

    isatap-dpmsg.py -s SOCK OP [OP ...]

OPs, sent in order on one connection after the HELLO handshake:
  locator=V4              SET_LOCATOR (0.0.0.0 withdraws)
  prl=V4[,V4...]          SET_PRL ("prl=" empties it)
  prlcount=N[,V4...]      SET_PRL with a count that need not match the list
  addr+=ADDR/PLEN[,VALID,PREF]  ADDR_ADD (lifetimes default forever)
  addr-=ADDR/PLEN         ADDR_DEL
  route+=PFX/PLEN@V4[,METRIC]   ROUTE_ADD      route-=...  ROUTE_DEL
  onlink+=PFX/PLEN        ONLINK_ADD             onlink-=... ONLINK_DEL
  mtu=N  link=N  rs=V4[,U]      SET_MTU, SET_LINK, SEND_RS
  state                   GET_STATE, printed as one JSON object
  counters                GET_COUNTERS, printed as "name value" lines
  raw=HEX                 these bytes as they are (header included)
  hello=MAGIC,VERSION     a HELLO with these fields (before any other OP:
                          give --no-hello)
  sleep=SECONDS           pause
  hold=SECONDS            print unsolicited ND_RECV / LINK_EVENT for SECONDS
  closed=SECONDS          wait up to SECONDS for the datapath to close the
                          connection; prints "closed" or "open"

Each request prints one line: "<OP> error=<errno or 0>" from its RESULT, or
"<OP> closed" when the datapath closed the connection instead (then the
remaining OPs are skipped). Exit status: 0, or 2 on a connect/handshake failure.
--repeat N sends the OP list N times (replies are still read one by one);
--quiet prints only failures and the final summary "sent N ok N err N".
"""
import argparse
import ipaddress
import json
import os
import re
import select
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

MSG_MAGIC = 0x49534154
MSG_PROTO_VERSION = 2
PRL_MAX, ADDR_MAX, ROUTE_MAX, ONLINK_MAX, ND_MAX, COUNTERS_MAX = 16, 32, 64, 16, 1500, 128

T = dict(HELLO=1, SET_LOCATOR=2, SET_PRL=3, ADDR_ADD=4, ADDR_DEL=5, ROUTE_ADD=6,
         ROUTE_DEL=7, ONLINK_ADD=8, ONLINK_DEL=9, SET_MTU=10, SET_LINK=11,
         SEND_RS=12, GET_STATE=13, GET_COUNTERS=14, HELLO_REPLY=64, RESULT=65,
         STATE=66, COUNTERS=67, ND_RECV=68, LINK_EVENT=69)
TNAME = {v: k for k, v in T.items()}


def counter_names():
    """Index -> name, read from proto/ so that it follows the headers."""
    src = open(os.path.join(TOP, "proto", "counters.h")).read()
    base = re.search(r"enum dp_counter \{(.*?)\};", src, re.S).group(1)
    fixed = re.findall(r"^\s*(DPC_[A-Z_]+)\s*(?:=\s*0)?,", base, re.M)

    def enum_list(path, name):
        s = open(os.path.join(TOP, "proto", path)).read()
        body = re.search(r"enum %s \{(.*?)\};" % name, s, re.S).group(1)
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        return [m for m in re.findall(r"^\s*([A-Z][A-Z0-9_]*)", body, re.M)
                if not m.endswith("_COUNT")]
    decap = enum_list("decap.h", "decap_verdict")
    nh = enum_list("nexthop.h", "nh_verdict")
    cs = open(os.path.join(TOP, "proto", "counters.c")).read()
    names = dict(re.findall(r"\[(DPC_[A-Z0-9_]+(?:\s*\+\s*[A-Z_0-9]+)?)\]\s*=\s*\"([a-z0-9_]+)\"", cs))
    idx = {}
    i = 0
    for f in fixed:
        if f == "DPC_DECAP_BASE":
            break
        idx[i] = names[f]
        i += 1
    for j, v in enumerate(decap):
        idx[i + j] = names["DPC_DECAP_BASE + " + v]
    i += len(decap)
    for j, v in enumerate(nh):
        idx[i + j] = names["DPC_NH_BASE + " + v]
    i += len(nh)
    # Then the counters appended after the verdicts, in enum order.
    body = re.sub(r"/\*.*?\*/", "", base, flags=re.S)
    members = re.findall(r"^\s*(DPC_[A-Z0-9_]+)", body, re.M)
    after = members[members.index("DPC_NH_BASE") + 1:]
    for f in after:
        if f == "DPC_COUNT":
            break
        idx[i] = names.get(f, "counter_%d" % i)
        i += 1
    return idx


def v4(s):
    return socket.inet_aton(s)


def v6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def pfx(s):
    a, _, l = s.partition("/")
    return v6(a), int(l or 128)


class Closed(Exception):
    pass


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.seq = 0
        self.pending = []  # unsolicited messages read while waiting for a reply

    def send(self, mtype, payload=b"", seq=None):
        self.seq += 1
        self.s.sendall(struct.pack("=HHI", mtype, len(payload),
                                   self.seq if seq is None else seq) + payload)
        return self.seq

    def recv_exact(self, n, timeout=5.0):
        buf = b""
        end = time.monotonic() + timeout
        while len(buf) < n:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply")
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                continue
            try:
                d = self.s.recv(n - len(buf))
            except ConnectionResetError:
                d = b""
            if not d:
                raise Closed()
            buf += d
        return buf

    def recv_msg(self, timeout=5.0):
        t, ln, seq = struct.unpack("=HHI", self.recv_exact(8, timeout))
        return t, seq, self.recv_exact(ln, timeout) if ln else b""

    def reply(self, seq, timeout=5.0):
        while True:
            t, s, p = self.recv_msg(timeout)
            if s == seq and t not in (T["ND_RECV"], T["LINK_EVENT"]):
                return t, p
            self.pending.append((t, s, p))

    def request(self, mtype, payload=b""):
        return self.reply(self.send(mtype, payload))

    def closed_within(self, secs):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            r, _, _ = select.select([self.s], [], [], max(0, end - time.monotonic()))
            if r:
                try:
                    d = self.s.recv(65536)
                except ConnectionResetError:
                    return True
                if not d:
                    return True
        return False


def hello(c, magic=MSG_MAGIC, version=MSG_PROTO_VERSION):
    t, p = c.request(T["HELLO"], struct.pack("=II", magic, version))
    if t != T["HELLO_REPLY"] or len(p) != 32:
        raise RuntimeError("bad HELLO reply type %d len %d" % (t, len(p)))
    m, v, flags, ifindex = struct.unpack_from("=IIII", p)
    return dict(magic=m, version=v, flags=flags, ifindex=ifindex,
                ifname=p[16:32].split(b"\0")[0].decode())


def parse_state(p):
    flags, ifindex = struct.unpack_from("=II", p)
    ifname = p[8:24].split(b"\0")[0].decode()
    link_up, mtu = struct.unpack_from("=II", p, 24)
    loc = socket.inet_ntoa(p[32:36])
    n_prl, n_addrs, n_routes, n_onlink = struct.unpack_from("=IIII", p, 36)
    off = 52
    prl = [socket.inet_ntoa(p[off + 4 * i:off + 4 * i + 4]) for i in range(n_prl)]
    off += 4 * PRL_MAX
    addrs = []
    for i in range(n_addrs):
        o = off + 28 * i
        a = socket.inet_ntop(socket.AF_INET6, p[o:o + 16])
        plen = p[o + 16]
        valid, pref = struct.unpack_from("=II", p, o + 20)
        addrs.append(dict(addr="%s/%d" % (a, plen), valid=valid, preferred=pref))
    off += 28 * ADDR_MAX
    routes = []
    for i in range(n_routes):
        o = off + 28 * i
        a = socket.inet_ntop(socket.AF_INET6, p[o:o + 16])
        plen = p[o + 16]
        via = socket.inet_ntoa(p[o + 20:o + 24])
        metric, = struct.unpack_from("=I", p, o + 24)
        routes.append(dict(prefix="%s/%d" % (a, plen), via=via, metric=metric))
    off += 28 * ROUTE_MAX
    onlink = []
    for i in range(n_onlink):
        o = off + 20 * i
        onlink.append("%s/%d" % (socket.inet_ntop(socket.AF_INET6, p[o:o + 16]), p[o + 16]))
    return dict(flags=flags, ifindex=ifindex, ifname=ifname, link_up=link_up, mtu=mtu,
                locator=loc, prl=prl, addrs=addrs, routes=routes, onlink=onlink)


def build(op):
    """OP text -> (type, payload)."""
    k, _, v = op.partition("=")
    if k == "locator":
        return T["SET_LOCATOR"], v4(v)
    if k == "prl":
        l = [x for x in v.split(",") if x]
        return T["SET_PRL"], struct.pack("=I", len(l)) + b"".join(v4(x) for x in l) + \
            b"\0" * 4 * (PRL_MAX - len(l))
    if k == "prlcount":
        n, *l = v.split(",")
        body = b"".join(v4(x) for x in l if x)
        return T["SET_PRL"], struct.pack("=I", int(n)) + body + b"\0" * (4 * PRL_MAX - len(body))
    if k in ("addr+", "addr-"):
        parts = v.split(",")
        a, plen = pfx(parts[0])
        valid = int(parts[1]) if len(parts) > 1 else 0xffffffff
        pref = int(parts[2]) if len(parts) > 2 else valid
        return T["ADDR_ADD" if k == "addr+" else "ADDR_DEL"], \
            a + struct.pack("=B3xII", plen, valid, pref)
    if k in ("route+", "route-"):
        p, _, rest = v.partition("@")
        via, _, metric = rest.partition(",")
        a, plen = pfx(p)
        return T["ROUTE_ADD" if k == "route+" else "ROUTE_DEL"], \
            a + struct.pack("=B3x", plen) + v4(via) + struct.pack("=I", int(metric or 1024))
    if k in ("onlink+", "onlink-"):
        a, plen = pfx(v)
        return T["ONLINK_ADD" if k == "onlink+" else "ONLINK_DEL"], a + struct.pack("=B3x", plen)
    if k == "mtu":
        return T["SET_MTU"], struct.pack("=I", int(v))
    if k == "link":
        return T["SET_LINK"], struct.pack("=I", int(v))
    if k == "rs":
        r, _, u = v.partition(",")
        return T["SEND_RS"], v4(r) + struct.pack("=I", int(u or 0))
    raise ValueError("unknown OP " + op)


def print_event(t, p):
    if t == T["ND_RECV"]:
        src = socket.inet_ntoa(p[:4])
        ln, = struct.unpack_from("=I", p, 4)
        pkt = p[8:8 + ln]
        typ = pkt[40] if ln > 40 else -1
        print("event nd_recv from=%s len=%d icmp_type=%d" % (src, ln, typ), flush=True)
    elif t == T["LINK_EVENT"]:
        print("event link ifindex=%d up=%d mtu=%d" % struct.unpack("=III", p), flush=True)
    else:
        print("event type=%d len=%d" % (t, len(p)), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-s", "--socket", required=True)
    ap.add_argument("--no-hello", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("ops", nargs="*")
    a = ap.parse_args()
    try:
        c = Conn(a.socket)
    except OSError as e:
        print("connect failed: %s" % e, flush=True)
        return 2
    try:
        if not a.no_hello:
            h = hello(c)
            if not a.quiet:
                print("hello ifname=%s ifindex=%d flags=%d" % (h["ifname"], h["ifindex"], h["flags"]),
                      flush=True)
    except (Closed, TimeoutError, RuntimeError, OSError) as e:
        print("hello failed: %s" % (e.__class__.__name__ if isinstance(e, Closed) else e), flush=True)
        return 2
    sent = ok = err = 0
    try:
        for _ in range(a.repeat):
            for op in a.ops:
                k, _, v = op.partition("=")
                if k == "sleep":
                    time.sleep(float(v))
                    continue
                if k == "closed":
                    print("closed" if c.closed_within(float(v)) else "open", flush=True)
                    continue
                if k == "hold":
                    end = time.monotonic() + float(v)
                    for ev in c.pending:
                        print_event(ev[0], ev[2])
                    c.pending = []
                    while time.monotonic() < end:
                        try:
                            t, s, p = c.recv_msg(max(0.01, end - time.monotonic()))
                        except TimeoutError:
                            break
                        print_event(t, p)
                    continue
                if k == "state":
                    t, p = c.request(T["GET_STATE"])
                    print(json.dumps(parse_state(p)), flush=True)
                    continue
                if k == "counters":
                    t, p = c.request(T["GET_COUNTERS"])
                    n, = struct.unpack_from("=I", p)
                    names = counter_names()
                    for i in range(n):
                        val, = struct.unpack_from("=Q", p, 8 + 8 * i)
                        print("%s %d" % (names.get(i, "counter_%d" % i), val))
                    sys.stdout.flush()
                    continue
                if k == "raw":
                    c.s.sendall(bytes.fromhex(v))
                    sent += 1
                    try:
                        t, s, p = c.recv_msg(3.0)
                        print("%s reply type=%d %s" % (op[:40], t, p[:8].hex()), flush=True)
                    except TimeoutError:
                        print("%s noreply" % op[:40], flush=True)
                    continue
                if k == "hello":
                    m, ver = v.split(",")
                    seq = c.send(T["HELLO"], struct.pack("=II", int(m, 0), int(ver)))
                    t, p = c.reply(seq)
                    print("%s reply type=%d" % (op, t), flush=True)
                    continue
                mt, pl = build(op)
                seq = c.send(mt, pl)
                sent += 1
                t, p = c.reply(seq)
                if t != T["RESULT"]:
                    print("%s unexpected reply type %d" % (op, t), flush=True)
                    err += 1
                    continue
                e, rt, _ = struct.unpack("=iHH", p)
                if e == 0:
                    ok += 1
                else:
                    err += 1
                if not a.quiet or e != 0:
                    if not (a.quiet and a.repeat > 1):
                        print("%s error=%d" % (op, e), flush=True)
    except Closed:
        print("%s closed" % op, flush=True)
    except TimeoutError:
        print("%s timeout" % op, flush=True)
    if a.quiet or a.repeat > 1:
        print("sent %d ok %d err %d" % (sent, ok, err), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
