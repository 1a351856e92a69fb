#!/bin/bash
# isatap-datapath --router (issue 6, "ISATAP router mode"): a host with no
# kernel ISATAP support becomes an ISATAP router with radvd (UnicastOnly) behind
# its TUN; a plain datapath solicits it over its socket and gets a unicast RA
# back as an ND_RECV event, then reaches an IPv6-only host behind the router.
#
#   t_datapath_router-rPID 192.0.2.254  isatap-datapath --router + radvd; eth1 upstream
#   t_datapath_router-hPID 192.0.2.1    isatap-datapath (host), driven by dpclient
#   t_datapath_router-fPID 2001:db8:2::2 an IPv6-only host behind the router
. "$(dirname "$0")/lib.sh"

require_root
require_bins "$DATAPATH" "$DPCLIENT"
command -v radvd >/dev/null || skip "radvd not installed"

# The PID keeps overlapping runs of this suite apart.
NR=t_datapath_router-r$$ NH=t_datapath_router-h$$ NF=t_datapath_router-f$$
V4R=192.0.2.254 V4H=192.0.2.1
LLR=fe80::5efe:c000:2fe LLH=fe80::5efe:c000:201
GR=2001:db8:1::5efe:c000:2fe GH=2001:db8:1::5efe:c000:201
FAR=2001:db8:2::2
SR=$T_TMP/r.sock SH=$T_TMP/h.sock

ns_add $NR
check_eq "a fresh namespace does not forward IPv6" 0 "$(in_ns $NR sysctl -n net.ipv6.conf.all.forwarding)"
ns_add $NH
ns_add $NF
ip link add name eth0 netns $NR type veth peer name eth0 netns $NH || fail_now "veth"
ip -n $NR addr add $V4R/24 dev eth0
ip -n $NH addr add $V4H/24 dev eth0
ip link add name eth1 netns $NR type veth peer name eth0 netns $NF || fail_now "veth upstream"
ip -n $NR addr add 2001:db8:2::1/64 dev eth1 nodad
ip -n $NF addr add $FAR/64 dev eth0 nodad
for l in "$NR eth0" "$NR eth1" "$NH eth0" "$NF eth0"; do
	set -- $l
	ip -n "$1" link set "$2" up
done
ip -n $NF -6 route add default via 2001:db8:2::1

dpr() { in_ns $NR "$DPCLIENT" -s "$SR" "$@"; }
dph() { in_ns $NH "$DPCLIENT" -s "$SH" "$@"; }
counter() { "$1" counters | sed -n "s/^$2=//p"; }

bg_ns $NR "$T_TMP/r.log" "$DATAPATH" --router -d -i isatap0 -s "$SR"
PID_R=$BG_PID
bg_ns $NH "$T_TMP/h.log" "$DATAPATH" -d -i isatap0 -s "$SH"
check "both datapaths listen" wait_for 5 sh -c "test -S $SR && test -S $SH"

check_eq "the router's HELLO_REPLY says router mode" "router_mode=1" \
	"$(dpr | grep -o 'router_mode=[01]')"
check "router: configured (locator, its ISATAP addresses, the on-link prefix, link up)" \
	dpr locator $V4R prl none addr $LLR/64 addr $GR/64 onlink 2001:db8:1::/64 link up
check_eq "router mode turned IPv6 forwarding on for isatap0" 1 \
	"$(in_ns $NR sysctl -n net.ipv6.conf.isatap0.forwarding)"
check_eq "... and for the kernel (conf/all)" 1 "$(in_ns $NR sysctl -n net.ipv6.conf.all.forwarding)"

cp "$ISATAP_TOP/dist/radvd.conf.example" "$T_TMP/radvd.conf"
check "dist/radvd.conf.example passes radvd -c" radvd -c -C "$T_TMP/radvd.conf"
bg_ns $NR "$T_TMP/radvd.log" radvd -n -m stderr -d 1 -C "$T_TMP/radvd.conf" -p "$T_TMP/radvd.pid"
check "radvd runs on the router's TUN" sh -c "sleep 1; kill -0 $BG_PID"

check "host: configured (locator, PRL = router, link-local, link up)" \
	dph locator $V4H prl $V4R addr $LLH/64 link up

# The host solicits; radvd answers through the router's TUN; the router's
# datapath encapsulates the unicast RA toward 192.0.2.1 (fe80::/64 ISATAP
# destination -> embedded IPv4); the host passes it up as ND_RECV.
dph --hold -n 1 -w 10 send-rs $V4R 0 >"$T_TMP/hold.out" 2>&1
check "SEND_RS accepted" grep -q "SEND_RS ok" "$T_TMP/hold.out"
ev=$(grep '^event=nd_recv' "$T_TMP/hold.out")
check "an ND_RECV event came up (got: ${ev:-nothing})" test -n "$ev"
check "... from the router's IPv4 address" grep -q "outer_src=$V4R " <<<"$ev"
check "... a Router Advertisement (ICMPv6 134)" grep -q "icmp6_type=134" <<<"$ev"
check "... unicast from $LLR to $LLH" grep -q "src=$LLR dst=$LLH hlim=255" <<<"$ev"
check "the router counted the RS into its TUN and the RA out" \
	test "$(counter dpr in_packets)" -ge 1 -a "$(counter dpr out_packets)" -ge 1
check_eq "radvd multicast no RA (UnicastOnly): nothing dropped as multicast on the router" 0 \
	"$(counter dpr out_drop_multicast)"
check "the host counted one ND message up" test "$(counter dph nd_up)" -ge 1
check "the host counted its RS" test "$(counter dph rs_sent)" -ge 1

# What control would do with that RA: an address, the on-link prefix, a default route.
check "host: SLAAC address, on-link prefix and default route via the router" \
	dph addr $GH/64 onlink 2001:db8:1::/64 route ::/0 $V4R
check "host -> router's global ISATAP address" in_ns $NH ping -6 -c 2 -i 0.2 -W 2 $GR
check "host -> IPv6-only host behind the router (forwarded both ways)" \
	in_ns $NH ping -6 -c 3 -i 0.2 -W 2 $FAR
check "far host -> host (the router encapsulates toward the on-link ISATAP address)" \
	in_ns $NF ping -6 -c 2 -i 0.2 -W 2 $GH
check_fastpath "router: a tc-BPF program on isatap0's egress (router mode)" "$(tc_fastpath $NR isatap0)"
check_fastpath "host: a tc-BPF program on isatap0's egress" "$(tc_fastpath $NH isatap0)"

# ---- RFC 6324 §3.2.3: no routing loops through the router (review finding 11) ----------
# Each packet is taken into the router's TUN by its kernel and must be
# dropped under its own counter, not sent on (to a 6to4 relay, or back
# toward a router that would return it to us).
dpr route 2001:db8:77::/48 $V4H >/dev/null
dph route 2001:db8:77::/48 $V4R >/dev/null
ip -n $NF addr add 2002:c000:2fe::2/64 dev eth0 nodad
loop() { # what counter cmd...: one ping whose packet must be dropped under counter
	local what=$1 ctr=$2 c0 c1
	shift 2
	c0=$(counter dpr "$ctr")
	"$@" >/dev/null 2>&1
	sleep 0.3
	c1=$(counter dpr "$ctr")
	check_eq "$what: $ctr +1" 1 $((c1 - c0))
}
s0=$(counter dpr out_packets)
loop "far host -> P::5efe:192.88.99.1 (a 6to4 relay, on-link)" out_drop_6to4_relay \
	in_ns $NF ping -6 -c 1 -W 1 2001:db8:1::5efe:c058:6301
loop "far host -> the router's identifier under a foreign prefix" out_drop_dst_own_locator \
	in_ns $NF ping -6 -c 1 -W 1 2001:db8:77::5efe:c000:2fe
loop "far host from the router's own 6to4 prefix (2002:c000:2fe::/48) -> the host" \
	out_drop_src_own_6to4 in_ns $NF ping -6 -c 1 -W 1 -I 2002:c000:2fe::2 $GH
loop "host -> the router's identifier under a foreign prefix, decapsulated by the router" \
	in_drop_dst_own_locator in_ns $NH ping -6 -c 1 -W 1 2001:db8:77::5efe:c000:2fe
check_eq "none of them left the router" "$s0" "$(counter dpr out_packets)"
check "forwarding goes on: far host -> host" in_ns $NF ping -6 -c 1 -W 2 $GH

kill -TERM $PID_R
wait $PID_R
check_eq "SIGTERM: the router's datapath exits 0" 0 $?
check_eq "SIGTERM: conf/all/forwarding is back to what it was" 0 \
	"$(in_ns $NR sysctl -n net.ipv6.conf.all.forwarding)"

t_done
