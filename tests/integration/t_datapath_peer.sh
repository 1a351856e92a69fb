#!/bin/bash
# isatap-datapath against an independently written ISATAP implementation: the
# Linux kernel's sit driver in ISATAP mode with radvd, booted in qemu by
# ../shared/peers/isatap-router. No isatap-control: dpclient does by hand
# what control would, so that only the datapath is under test.
. "$(dirname "$0")/lib.sh"

require_root
require_bins "$DATAPATH" "$DPCLIENT"
# Its own router instance, apart from any overlapping run of this suite.
ISATAP_ROUTER_NS=ist-dp-peer$$ peer_up

NS=$ISATAP_ROUTER_NS
SOCK=$T_TMP/dp.sock
dp() { in_ns "$NS" "$DPCLIENT" -s "$SOCK" "$@"; }
counter() { dp counters | sed -n "s/^$1=//p"; }

bg_ns "$NS" "$T_TMP/dp.log" "$DATAPATH" -d -i isatap0 -s "$SOCK"
PID=$BG_PID
check "the datapath listens" wait_for 5 test -S "$SOCK"
check "configured: locator, PRL = the kernel router, link-local, link up" \
	dp locator "$ISATAP_ROUTER_CLIENT_V4" prl "$ISATAP_ROUTER_V4" \
	addr "$ISATAP_ROUTER_CLIENT_LL/64" link up

# RFC 5214 §8.3.4: a unicast RS to the router's ISATAP link-local address,
# built by the datapath itself; the kernel router's radvd answers.
dp --hold -n 1 -w 15 send-rs "$ISATAP_ROUTER_V4" 0 >"$T_TMP/rs.out" 2>&1
ev=$(grep '^event=nd_recv' "$T_TMP/rs.out")
check "the kernel router's RA came up as ND_RECV (got: ${ev:-nothing})" test -n "$ev"
check "... from $ISATAP_ROUTER_V4 / $ISATAP_ROUTER_LL, ICMPv6 134, hop limit 255" \
	grep -q "outer_src=$ISATAP_ROUTER_V4 .* src=$ISATAP_ROUTER_LL dst=$ISATAP_ROUTER_CLIENT_LL hlim=255 icmp6_type=134" <<<"$ev"

# What control makes of the RA (RFC 4862 address, L flag, router lifetime).
check "configured: SLAAC address, on-link prefix, default route via the router" \
	dp addr "$ISATAP_ROUTER_CLIENT_ADDR6/64" onlink "$ISATAP_ROUTER_PREFIX" \
	route ::/0 "$ISATAP_ROUTER_V4"
# Everything on the wire from here to the pings' end: plain RFC 4213
# protocol 41 whichever path carries it (the tc-BPF fast path writes the
# outer header itself; the user-space path has the kernel write it).
ip netns exec "$NS" tcpdump -i "$ISATAP_ROUTER_CLIENT_IFACE" -nn -U -s 256 -w "$T_TMP/wire.pcap" \
	"ip proto 41" >"$T_TMP/tcpdump.log" 2>&1 &
TD=$!
T_PIDS+=("$TD")
wait_for 5 grep -q listening "$T_TMP/tcpdump.log"
check "ping6 the router's link-local address" \
	in_ns "$NS" ping -6 -c 2 -i 0.3 -W 3 "$ISATAP_ROUTER_LL%isatap0"
check "ping6 the router's global ISATAP address" \
	in_ns "$NS" ping -6 -c 2 -i 0.3 -W 3 "$ISATAP_ROUTER_ADDR6"
if [ -n "${ISATAP_ROUTER_HOST2_ADDR6:-}" ]; then
	check "ping6 the kernel ISATAP host directly (on-link, $ISATAP_ROUTER_HOST2_V4)" \
		in_ns "$NS" ping -6 -c 2 -i 0.3 -W 3 "$ISATAP_ROUTER_HOST2_ADDR6"
fi
check "ping6 the IPv6 host behind the router (default route)" \
	in_ns "$NS" ping -6 -c 3 -i 0.3 -W 3 "$ISATAP_ROUTER_FAR_ADDR6"
# tcpdump drops what it has not written yet when it is stopped: wait until
# the capture holds the router's replies (2 + 2 + 3 pings went its way).
wait_for 10 sh -c "[ \$(tcpdump -r '$T_TMP/wire.pcap' -nn 2>/dev/null | grep -c '$ISATAP_ROUTER_V4 > $ISATAP_ROUTER_CLIENT_V4: .*echo reply') -ge 7 ]"
kill "$TD" 2>/dev/null
wait "$TD" 2>/dev/null
# Decoded by tcpdump -v (ours is not the only implementation reading it):
# one line per echo, outer header and inner one, both checksums verified.
tcpdump -r "$T_TMP/wire.pcap" -nn -v 2>/dev/null |
	awk '/^[^ \t]/ { if (r != "") print r; r = $0; next } { r = r " " $0 } END { if (r != "") print r }' \
		>"$T_TMP/wire.txt"
echoes() { grep -c "proto IPv6 (41).* $1 > $2: .*\[icmp6 sum ok\] ICMP6, echo $3" "$T_TMP/wire.txt"; }
check "tcpdump: echo requests left as plain protocol 41 from the locator to the router ($(echoes "$ISATAP_ROUTER_CLIENT_V4" "$ISATAP_ROUTER_V4" request))" \
	test "$(echoes "$ISATAP_ROUTER_CLIENT_V4" "$ISATAP_ROUTER_V4" request)" -ge 7
check "tcpdump: the kernel router's replies came back as plain protocol 41 ($(echoes "$ISATAP_ROUTER_V4" "$ISATAP_ROUTER_CLIENT_V4" reply))" \
	test "$(echoes "$ISATAP_ROUTER_V4" "$ISATAP_ROUTER_CLIENT_V4" reply)" -ge 7
check_eq "tcpdump: no outer header with options, a bad checksum or a fragment offset" "" \
	"$(grep -E 'bad cksum|options \(|offset [1-9]|flags \[\+' "$T_TMP/wire.txt")"
# Which path carried it, as the kernel shows it (a tc-BPF program on the
# TUN's egress): the fast path by default, none with --no-fastpath.
check_fastpath "the kernel path carried it: a tc-BPF program on isatap0's egress" \
	"$(tc_fastpath "$NS" isatap0)"
check_eq "nothing the kernel peers sent was refused (no drop counted inbound)" "" \
	"$(dp counters | grep '^in_drop_' | grep -v '=0$')"
check "what the kernel sent was counted in" test "$(counter in_packets)" -ge 7

kill -TERM $PID
wait $PID
check_eq "SIGTERM: exit 0" 0 $?

t_done
