#!/usr/bin/python3
"""isatap-forge: forges protocol-41 (IPv6-in-IPv4) datagrams, well formed or
hostile, with scapy, and sends them as Ethernet frames so that even the outer
IPv4 header can be broken (the kernel's raw IP_HDRINCL path would repair it).

    isatap-forge.py -i IFACE -m DSTMAC --src V4 --dst V4 [options]
    isatap-forge.py --l3 --src V4 --dst LOCAL-V4 [options]   (raw IP_HDRINCL socket)

Inner packet (IPv6): --isrc, --idst, --hlim, and --kind:
  echo      ICMPv6 echo request (default)
  ns | na   Neighbor Solicitation / Advertisement (target --target)
  rs        Router Solicitation
  ra        Router Advertisement: --rtr-lifetime, --chlim, --reachable, --retrans,
            --pio PFX/LEN,FLAGS,VALID,PREF
            (FLAGS from "LA"), --mtu N, --rio PFX/LEN,LIFETIME
  redirect  Redirect: --target (better first hop), --rdst (destination)
  udp       a UDP datagram to port 9
Breakage:
  --icmp-bad-csum     ICMPv6 checksum off by one bit pattern
  --opt-zero-len      an ND option with length 0 appended
  --opt-overrun       an ND option whose length runs past the end
  --inner-trunc N     only the first N bytes of the IPv6 packet
  --inner-version V   IP version field of the inner header
  --plen-delta D      IPv6 payload length = true length + D
  --outer-opts        IPv4 options (4 bytes: NOP NOP NOP EOL), IHL 6
  --outer-len-delta D IPv4 total length = true length + D
  --outer-bad-csum    IPv4 header checksum wrong
  --outer-ihl N       IPv4 IHL field forced to N
  --outer-trunc N     only the first N bytes of the IPv4 datagram in the frame
  --frag              the IPv4 datagram split in two fragments (8-octet offset)
--count N sends the frame N times (one socket), --interval S apart (default: as
fast as the socket takes them). --hex prints the IPv4 datagram.
"""
import argparse
import socket
import struct
import sys
import time

from scapy.all import (IP, IPv6, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_NA,
                       ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6ND_Redirect,
                       ICMPv6NDOptPrefixInfo, ICMPv6NDOptMTU, ICMPv6NDOptRouteInfo,
                       UDP, Ether, Raw, conf, fragment, get_if_hwaddr)


def inner(a):
    hdr = IPv6(src=a.isrc, dst=a.idst, hlim=a.hlim)
    k = a.kind
    if k == "echo":
        l4 = ICMPv6EchoRequest(id=0x1541, seq=1, data=b"isatap-forge")
    elif k == "ns":
        l4 = ICMPv6ND_NS(tgt=a.target or a.idst)
    elif k == "na":
        l4 = ICMPv6ND_NA(tgt=a.target or a.isrc, R=1, S=0, O=1)
    elif k == "rs":
        l4 = ICMPv6ND_RS()
    elif k == "ra":
        l4 = ICMPv6ND_RA(routerlifetime=a.rtr_lifetime, chlim=a.chlim,
                         reachabletime=a.reachable, retranstimer=a.retrans)
        for p in a.pio or []:
            pf, flags, valid, pref = p.split(",")
            net, plen = pf.split("/")
            l4 = l4 / ICMPv6NDOptPrefixInfo(prefix=net, prefixlen=int(plen),
                                             L=int("L" in flags), A=int("A" in flags),
                                             validlifetime=int(valid),
                                             preferredlifetime=int(pref))
        if a.mtu is not None:
            l4 = l4 / ICMPv6NDOptMTU(mtu=a.mtu)
        for r in a.rio or []:
            pf, lt = r.split(",")
            net, plen = pf.split("/")
            l4 = l4 / ICMPv6NDOptRouteInfo(prefix=net, plen=int(plen), rtlifetime=int(lt))
    elif k == "redirect":
        l4 = ICMPv6ND_Redirect(tgt=a.target, dst=a.rdst)
    elif k == "udp":
        l4 = UDP(sport=4141, dport=9) / Raw(b"isatap-forge")
    else:
        sys.exit("unknown --kind " + k)
    if a.opt_zero_len:
        l4 = l4 / Raw(b"\x05\x00" + b"\x00" * 6)
    if a.opt_overrun:
        l4 = l4 / Raw(b"\x03\x04" + b"\x00" * 6)  # claims 32 octets, 8 present
    pkt = hdr / l4
    raw = bytearray(bytes(pkt))
    if a.icmp_bad_csum and raw[6] == 58:
        raw[42] ^= 0x5a
        raw[43] ^= 0xa5
    if a.plen_delta:
        struct.pack_into("!H", raw, 4, (len(raw) - 40 + a.plen_delta) & 0xffff)
    if a.inner_version is not None:
        raw[0] = (a.inner_version << 4) | (raw[0] & 0x0f)
    if a.inner_trunc is not None:
        raw = raw[:a.inner_trunc]
    return bytes(raw)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def outer(a, payload):
    ip = IP(src=a.src, dst=a.dst, proto=41, ttl=64, id=0x4141, flags=0)
    if a.outer_opts:
        ip.options = [b"\x01\x01\x01\x00"]
    dgrams = [ip / Raw(payload)]
    if a.frag:
        dgrams = fragment(ip / Raw(payload), fragsize=max(8, (len(payload) // 2) & ~7))
    out = []
    for d in dgrams:
        b = bytearray(bytes(d))
        ihl = (b[0] & 0x0f) * 4
        if a.outer_ihl is not None:
            b[0] = 0x40 | a.outer_ihl
        if a.outer_len_delta:
            struct.pack_into("!H", b, 2, (len(b) + a.outer_len_delta) & 0xffff)
        if a.outer_ihl is not None or a.outer_len_delta:
            struct.pack_into("!H", b, 10, 0)
            struct.pack_into("!H", b, 10, csum(bytes(b[:ihl])))
        if a.outer_bad_csum:
            b[10] ^= 0xff
        if a.outer_trunc is not None:
            b = b[:a.outer_trunc]
        out.append(bytes(b))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-i", "--iface")
    ap.add_argument("-m", "--dst-mac")
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--isrc", default="fe80::5efe:c000:242")
    ap.add_argument("--idst", default="fe80::5efe:c000:20a")
    ap.add_argument("--hlim", type=int, default=64)
    ap.add_argument("--kind", default="echo")
    ap.add_argument("--target")
    ap.add_argument("--rdst")
    ap.add_argument("--rtr-lifetime", type=int, default=1800)
    ap.add_argument("--chlim", type=int, default=64)
    ap.add_argument("--reachable", type=int, default=0)
    ap.add_argument("--retrans", type=int, default=0)
    ap.add_argument("--pio", action="append")
    ap.add_argument("--rio", action="append")
    ap.add_argument("--mtu", type=int)
    ap.add_argument("--icmp-bad-csum", action="store_true")
    ap.add_argument("--opt-zero-len", action="store_true")
    ap.add_argument("--opt-overrun", action="store_true")
    ap.add_argument("--inner-trunc", type=int)
    ap.add_argument("--inner-version", type=int)
    ap.add_argument("--plen-delta", type=int, default=0)
    ap.add_argument("--outer-opts", action="store_true")
    ap.add_argument("--outer-len-delta", type=int, default=0)
    ap.add_argument("--outer-bad-csum", action="store_true")
    ap.add_argument("--outer-ihl", type=int)
    ap.add_argument("--outer-trunc", type=int)
    ap.add_argument("--frag", action="store_true")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--interval", type=float, default=0.0)
    ap.add_argument("--hex", action="store_true")
    ap.add_argument("--l3", action="store_true")
    a = ap.parse_args()
    conf.verb = 0
    dgrams = outer(a, inner(a))
    if a.hex:
        for d in dgrams:
            print(d.hex())
    if a.l3:
        # Into this namespace's own IP stack (IP_HDRINCL, the outer header
        # as built): a datagram "from" another host of the site to a local
        # address, for a suite whose peer cannot send the packet itself.
        r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        try:
            for _ in range(a.count):
                for d in dgrams:
                    r.sendto(d, (a.dst, 0))
        finally:
            r.close()
        return 0
    # An explicit source MAC: a bridge drops frames from 00:00:00:00:00:00.
    if a.iface is None or a.dst_mac is None:
        sys.exit("-i and -m are needed without --l3")
    src_mac = get_if_hwaddr(a.iface)
    frames = [bytes(Ether(src=src_mac, dst=a.dst_mac, type=0x0800) / Raw(d)) for d in dgrams]
    s = conf.L2socket(iface=a.iface)
    try:
        for i in range(a.count):
            if a.interval > 0 and i > 0:
                time.sleep(a.interval)
            for f in frames:
                s.send(f)
    finally:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
