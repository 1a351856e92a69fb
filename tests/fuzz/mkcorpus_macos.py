#!/usr/bin/env python3
"""Writes the seed corpora of the macOS code's fuzz targets:
tests/fuzz/corpus/fuzz_rtmsg/ (XNU routing-socket messages, laid out as in
the macOS SDK's net/route.h and net/if.h, host byte order = little-endian on
every Mac) and tests/fuzz/corpus/fuzz_raw_order/ (datagrams as XNU's raw
socket delivers them: ip_len and ip_off in host order, ip_len without the
header). Run it from anywhere: tests/fuzz/mkcorpus_macos.py
"""
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def pad(b):
    return b + b"\0" * (-len(b) % 4 if b else 4)


def sin6(a, scope=0):
    return pad(struct.pack("<BBHI16sI", 28, 30, 0, 0, socket.inet_pton(socket.AF_INET6, a), scope))


def sin(a):
    return pad(struct.pack("<BBH4s8x", 16, 2, 0, socket.inet_aton(a)))


def sdl(index, name):
    n = name.encode()
    return pad(struct.pack("<BBHBBBB", max(20, 8 + len(n)), 18, index, 0, len(n), 0, 0) + n.ljust(12, b"\0"))


def rtm(type_, index, flags, addrs, pid, seq, sas):
    body = b"".join(sas)
    hdr = struct.pack("<HBBHxxiiiiiiI56x", 92 + len(body), 5, type_, index, flags, addrs, pid, seq, 0, 0, 0)
    return hdr + body


def ifm(index, flags, mtu):
    data = bytearray(96)
    struct.pack_into("<I", data, 8, mtu)  # ifi_mtu at ifm_data + 8
    return struct.pack("<HBBiiHxx", 112, 5, 14, 0, flags, index) + bytes(data)


def ifam(type_, index, sas, addrs):
    body = b"".join(sas)
    return struct.pack("<HBBiiHxxi", 20 + len(body), 5, type_, addrs, 0, index, 0) + body


def ipv4_xnu(src, dst, payload, off=0):
    hdr = struct.pack("<BBHHHBBH4s4s", 0x45, 0, len(payload), 0x1234, off, 64, 41, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr + payload


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    half = pad(struct.pack("<BB6xB", 9, 30, 0x80))
    write("fuzz_rtmsg", "add_half", rtm(1, 17, 0x801, 0x7, 321, 7, [sin6("::"), sdl(17, "utun4"), half]))
    write("fuzz_rtmsg", "default4", rtm(4, 4, 0x3, 0x17, 50, 1, [sin("0.0.0.0"), sin("192.0.2.254"), b"\0\0\0\0", sdl(4, "en0")]))
    write("fuzz_rtmsg", "default6_native", rtm(1, 4, 0x3, 0x7, 50, 2, [sin6("::"), sin6("fe80:4::1"), b"\0\0\0\0"]))
    write("fuzz_rtmsg", "linklocal", rtm(2, 17, 0x1, 0x1, 0, 0, [sin6("fe80:11::5efe:c000:201")]))
    write("fuzz_rtmsg", "ifinfo", ifm(17, 0x51, 1280))
    write("fuzz_rtmsg", "newaddr", ifam(12, 4, [pad(struct.pack("<BB2x3B", 7, 0, 0xff, 0xff, 0xff)), sin("192.0.2.1"), sin("192.0.2.255")], 0xa4))
    write("fuzz_rtmsg", "dump", rtm(1, 17, 0x801, 0x7, 321, 7, [sin6("::"), sdl(17, "utun4"), half]) + ifm(17, 0x51, 1280) +
          struct.pack("<HBB88x", 92, 5, 7))
    inner = bytes([0x60]) + bytes(59)
    write("fuzz_raw_order", "datagram", ipv4_xnu("192.0.2.2", "192.0.2.1", inner))
    write("fuzz_raw_order", "df", ipv4_xnu("192.0.2.2", "192.0.2.1", inner, 0x4000))
    write("fuzz_raw_order", "fragment", ipv4_xnu("192.0.2.2", "192.0.2.1", inner, 0x2001))


main()
