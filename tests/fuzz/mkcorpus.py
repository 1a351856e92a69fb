#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<target>/ from the unit-test
vectors: the frames of tests/vectors/kernel-isatap-router.pcap, and one
valid frame of every datapath<->control message (proto/msg.h layouts, host
byte order, little-endian as on x86-64 and arm64).

    tests/fuzz/mkcorpus.py

Each seed file is named after what it holds. Standard library only."""
import os
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
import pcap2c  # noqa: E402  (the same frame reader the unit vectors use)

CORPUS = os.path.join(HERE, "corpus")


def v4(s):
    return socket.inet_pton(socket.AF_INET, s)


def v6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def capture():
    out = {}
    for n, frame in pcap2c.frames(pcap2c.PCAP):
        ip = frame[14:]
        out[n] = ip[:struct.unpack(">H", ip[2:4])[0]]
    return out


def icmp6_csum(src, dst, msg):
    data = src + dst + struct.pack(">I3xB", len(msg), 58) + msg
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def redirect():
    src, dst = v6("fe80::5efe:c000:2fe"), v6("fe80::5efe:c000:201")
    body = bytearray(struct.pack(">BBHI", 137, 0, 0, 0) + v6("fe80::5efe:c000:2fd") +
                     v6("2001:db8:2::2") + bytes([2, 1, 0, 0, 0, 0, 0, 0]))
    struct.pack_into(">H", body, 2, icmp6_csum(src, dst, bytes(body)))
    return struct.pack(">IHBB", 0x60000000, len(body), 58, 255) + src + dst + bytes(body)


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack(">IHBB", 0x60000000, len(payload), nh, hlim) + v6(src) + v6(dst) + payload


def icmp6err_seeds(cap):
    """fuzz_icmp6err: code, output size step (0: 1500), the invoking packet."""
    me, far = "2001:db8:1::5efe:c000:201", "2001:db8:99::1"
    echo = bytes([128, 0, 0, 0, 0x12, 0x34, 0, 1]) + bytes(range(56))
    frag0 = bytes([58, 0, 0, 1, 0, 0, 0, 0x42])        # offset 0, M
    frag1 = bytes([58, 0, 0x04, 0xd1, 0, 0, 0, 0x42])  # offset 1232, M
    chain = (bytes([60, 0]) + bytes(6) +   # hop-by-hop
             bytes([43, 1]) + bytes(14) +  # destination options, 16 octets
             bytes([44, 0]) + bytes(6) +   # routing
             bytes([60, 0, 0, 0, 0, 0, 0, 7]) +  # fragment, offset 0
             bytes([58, 0]) + bytes(6))    # destination options
    return {
        "echo_no_route": b"\x00\x00" + ip6(me, far, 58, echo),
        "kernel_echo": b"\x03\x00" + cap[7][20:],
        "echo_out": b"\x03\x00" + cap[3][20:],
        "big_echo_truncated": b"\x00\x00" + ip6(me, far, 58, echo * 30),
        "small_buffer": b"\x03\x0b" + ip6(me, far, 58, echo),
        "redirect": b"\x00\x00" + redirect(),
        "first_fragment": b"\x00\x00" + ip6(me, far, 44, frag0 + echo),
        "later_fragment": b"\x00\x00" + ip6(me, far, 44, frag1 + echo),
        "ext_chain": b"\x00\x00" + ip6(me, far, 0, chain + echo),
        "ah": b"\x00\x00" + ip6(me, far, 51, bytes([58, 4]) + bytes(22) + echo),
        "unreach_about_unreach": b"\x00\x00" + ip6(me, far, 58, bytes([1, 0, 0, 0, 0, 0, 0, 0]) + echo),
        "linklocal": b"\x00\x00" + ip6("fe80::5efe:c000:201", "fe80::1", 58, echo),
    }


# ---- messages (proto/msg.h) ----
def addr(a="2001:db8:1::5efe:c000:201", plen=64, valid=86400, pref=14400):
    return v6(a) + struct.pack("<B3xII", plen, valid, pref)


def route(p="2001:db8:3::", plen=48, via="192.0.2.254", metric=1024):
    return v6(p) + struct.pack("<B3x", plen) + v4(via) + struct.pack("<I", metric)


def onlink(p="2001:db8:1::", plen=64):
    return v6(p) + struct.pack("<B3x", plen)


def name16(s):
    return s.encode().ljust(16, b"\0")


def messages(ra_inner):
    prl = struct.pack("<I", 2) + v4("192.0.2.254") + v4("198.51.100.1") + b"\0" * 56
    state = (struct.pack("<II", 0, 7) + name16("isatap0") + struct.pack("<II", 1, 1280) +
             v4("192.0.2.1") + struct.pack("<IIII", 1, 1, 1, 1) +
             v4("192.0.2.254") + b"\0" * 60 +
             addr() + b"\0" * 28 * 31 + route() + b"\0" * 28 * 63 + onlink() + b"\0" * 20 * 15)
    assert len(state) == 3124
    counters = struct.pack("<II", 30, 0) + b"".join(struct.pack("<Q", i * 1000) for i in range(64))
    nd = v4("192.0.2.254") + struct.pack("<I", len(ra_inner)) + ra_inner.ljust(1500, b"\0")
    return {
        (1, "hello"): struct.pack("<II", 0x49534154, 1),
        (2, "set_locator"): v4("192.0.2.1"),
        (3, "set_prl"): prl,
        (4, "addr_add"): addr(),
        (5, "addr_del"): addr("fe80::5efe:c000:201"),
        (6, "route_add"): route(),
        (7, "route_del"): route("::", 0),
        (8, "onlink_add"): onlink(),
        (9, "onlink_del"): onlink("2001:db8:10::"),
        (10, "set_mtu"): struct.pack("<I", 1400),
        (11, "set_link"): struct.pack("<I", 1),
        (12, "send_rs"): v4("192.0.2.254") + struct.pack("<I", 0),
        (13, "get_state"): b"",
        (14, "get_counters"): b"",
        (64, "hello_reply"): struct.pack("<IIII", 0x49534154, 1, 0, 7) + name16("isatap0"),
        (65, "result"): struct.pack("<iHH", -22, 4, 0),
        (66, "state"): state,
        (67, "counters"): counters,
        (68, "nd_recv"): nd,
        (69, "link_event"): struct.pack("<III", 7, 1, 1480),
        (30, "get_fastpath"): b"",
        (85, "fastpath"): fastpath(),
    }


def fastpath():
    f = (struct.pack("<II", 1, 3) + b"attached".ljust(128, b"\0") + name16("isatap0") +
         struct.pack("<II", 1, 30) + name16("veth0") + b"\0" * 16 * 15 +
         b"".join(struct.pack("<Q", i * 10) for i in range(30)) + b"\0" * 8 * 98)
    assert len(f) == 1440
    return f


def main():
    cap = capture()
    names = {1: "rs", 2: "ra", 3: "echo_out", 4: "echo_routed", 5: "echo_onlink",
             6: "echo_onlink_reply", 7: "kernel_echo", 8: "icmp4_unreach"}
    # fuzz_decap: first byte = state bits (see fuzz_decap.c), then the datagram.
    for n, name in names.items():
        write("fuzz_decap", "client-" + name, b"\x00" + cap[n])
    write("fuzz_decap", "router-rs", b"\x03" + cap[1])
    write("fuzz_decap", "router-echo_out", b"\x03" + cap[3])
    write("fuzz_decap", "client-noprl-ra", b"\x04" + cap[2])
    # fuzz_ra: first byte even = fix the checksum, then the IPv6 packet.
    write("fuzz_ra", "ra", b"\x00" + cap[2][20:])
    write("fuzz_ra", "rs", b"\x00" + cap[1][20:])
    write("fuzz_ra", "redirect", b"\x00" + redirect())
    write("fuzz_ra", "echo", b"\x00" + cap[7][20:])
    for name, data in icmp6err_seeds(cap).items():
        write("fuzz_icmp6err", name, data)
    # fuzz_msg: whole frames, header then payload.
    for (t, name), payload in messages(cap[2][20:]).items():
        write("fuzz_msg", name, struct.pack("<HHI", t, len(payload), 1) + payload)


if __name__ == "__main__":
    main()
