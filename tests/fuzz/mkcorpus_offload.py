#!/usr/bin/env python3
"""Writes the seed corpus tests/fuzz/corpus/fuzz_dp_offload/: TCP and UDP
super-packets behind virtio-net headers (segmentation) and runs of TCP
segments and UDP datagrams (coalescing), in the input format
fuzz_dp_offload.c describes.

    tests/fuzz/mkcorpus_offload.py

Standard library only."""
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_dp_offload")
SRC = socket.inet_pton(socket.AF_INET6, "2001:db8:1::5efe:c000:202")
DST = socket.inet_pton(socket.AF_INET6, "2001:db8:1::5efe:c000:201")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp6(seq, payload, flags=0x10, sport=40000, opts=b""):
    thl = 20 + len(opts)
    th = struct.pack("!HHIIBBHHH", sport, 5201, seq, 77, (thl // 4) << 4, flags, 512, 0, 0)
    seg = th + opts + payload
    pseudo = SRC + DST + struct.pack("!I3xB", len(seg), 6)
    c = csum(pseudo + seg)
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    ip = struct.pack("!IHBB", 6 << 28, len(seg), 6, 64) + SRC + DST
    return ip + seg


def udp6(payload, sport=40000, zero_csum=False):
    uh = struct.pack("!HHHH", sport, 5201, 8 + len(payload), 0) + payload
    c = 0 if zero_csum else (csum(SRC + DST + struct.pack("!I3xB", len(uh), 17) + uh) or 0xFFFF)
    uh = uh[:6] + struct.pack("!H", c) + uh[8:]
    ip = struct.pack("!IHBB", 6 << 28, len(uh), 17, 64) + SRC + DST
    return ip + uh


def run(pkts):
    return b"".join(struct.pack("!H", len(p)) + p for p in pkts)


def vnet(flags, gso_type, hdr_len, gso_size, start, off):
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size, start, off)


def data(n, base=0):
    return bytes((base + i) * 7 & 0xFF for i in range(n))


def main():
    os.makedirs(OUT, exist_ok=True)
    ts = bytes([1, 1, 8, 10]) + struct.pack("!II", 1000, 2000)
    seeds = {
        "tso_gso_tcp6": b"\0" + vnet(1, 4, 72, 1208, 40, 16) + struct.pack("!H", 1280)
        + tcp6(1, data(5000), 0x18, opts=ts),
        "tso_partial_csum": b"\0" + vnet(1, 0, 0, 0, 40, 16) + struct.pack("!H", 1280)
        + tcp6(1, data(300)),
        "gro_bulk": b"\1" + b"".join(
            struct.pack("!H", len(p)) + p
            for p in (tcp6(1 + i * 1000, data(1000, i * 1000)) for i in range(4))),
        "gro_two_flows_psh": b"\1" + b"".join(
            struct.pack("!H", len(p)) + p
            for p in (tcp6(1 + (i // 2) * 500, data(500), 0x18 if i == 5 else 0x10,
                           40000 + i % 2) for i in range(6))),
        "uso_gso_udp6": b"\2" + vnet(1, 5, 48, 1000, 40, 6) + struct.pack("!H", 1280)
        + udp6(data(4500)),
        "gro_udp_flood": b"\3" + run(udp6(data(64, i * 64)) for i in range(19)),
        "gro_udp_mixed": b"\3" + run(
            [udp6(data(500)), udp6(data(500), 40001), udp6(data(500)),
             udp6(data(500), zero_csum=True), udp6(data(200)),
             tcp6(1, data(500)), tcp6(501, data(500)), udp6(data(500), 40001)]),
    }
    for name, blob in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main()
