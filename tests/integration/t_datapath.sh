#!/bin/bash
# isatap-datapath end to end (issue 3): two datapaths in two namespaces on one
# IPv4 bridge, each configured over its socket by tests/tools/dpclient, and a
# third namespace that plays the attacker.
#
#   t_datapath-aPID  192.0.2.1  isatap-datapath started as root, -u/-U isatap-test
#   t_datapath-bPID  192.0.2.2  isatap-datapath started as isatap-test with
#                               ambient capabilities (as systemd does)
#   t_datapath-cPID  192.0.2.3  attacker: scapy, no datapath
#   t_datapath-brPID            the bridge
. "$(dirname "$0")/lib.sh"

require_root
require_bins "$DATAPATH" "$DPCLIENT"
command -v tcpdump >/dev/null || skip "tcpdump not installed"
# Debian's python3 carries python3-scapy; a python3 earlier in PATH may not.
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
$PY -c 'import scapy' 2>/dev/null || skip "python3-scapy not installed"

# The PID makes the names unique even when two runs of this suite overlap
# (make check by one engineer, this file by another).
NA=t_datapath-a$$ NB=t_datapath-b$$ NC=t_datapath-c$$ NBR=t_datapath-br$$
USER_DP=isatap-test
V4A=192.0.2.1 V4B=192.0.2.2 V4C=192.0.2.3
LLA=fe80::5efe:c000:201 LLB=fe80::5efe:c000:202
GA=2001:db8:1::5efe:c000:201 GB=2001:db8:1::5efe:c000:202
SA=$T_TMP/a/dp.sock SB=$T_TMP/b/dp.sock

# A system user to drop to, made once and left for later runs (an overlapping
# run may make it first).
if ! id "$USER_DP" >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
		"$USER_DP" 2>/dev/null || id "$USER_DP" >/dev/null 2>&1 || fail_now "useradd $USER_DP"
fi

# ---- the site -------------------------------------------------------------------
ns_add $NBR
ip -n $NBR link add br0 type bridge
ip -n $NBR link set br0 up
i=0
for spec in "$NA $V4A" "$NB $V4B" "$NC $V4C"; do
	set -- $spec
	ns_add "$1"
	ip link add name eth0 netns "$1" type veth peer name "p$i" netns $NBR ||
		fail_now "veth for $1"
	ip -n $NBR link set "p$i" master br0 up
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" link set eth0 up
	i=$((i + 1))
done
mkdir -p "$T_TMP/a" "$T_TMP/b"

# dpa ARGS: dpclient on A's socket, as the control user A allows.
dpa() { in_ns $NA setpriv --reuid=$USER_DP --regid=$USER_DP --clear-groups "$DPCLIENT" -s "$SA" "$@"; }
dpb() { in_ns $NB "$DPCLIENT" -s "$SB" "$@"; }
# fails CMD...: succeeds when CMD fails.
fails() { ! "$@"; }
# raw ARGS: dpclient --raw on A's socket; prints its last word (closed/open).
raw() { dpa "$@" 2>/dev/null | tail -n 1; }
# counter NS-FUNC NAME: one counter's value.
counter() { "$1" counters | sed -n "s/^$2=//p"; }

bg_ns $NA "$T_TMP/a.log" "$DATAPATH" -d -i isatap0 -s "$SA" -u $USER_DP -U $USER_DP
PID_A=$BG_PID
# B starts the way systemd starts it (dist/systemd): already the unprivileged
# user, CAP_NET_ADMIN and CAP_NET_RAW as ambient capabilities, its runtime
# directory its own. /dev/net/tun is 0600 on some hosts (Debian makes it 0666):
# then B also gets CAP_DAC_OVERRIDE to open it, and must drop that too.
chown $USER_DP: "$T_TMP/b"
caps=+net_admin,+net_raw
in_ns $NB setpriv --reuid=$USER_DP --regid=$USER_DP --clear-groups test -w /dev/net/tun ||
	caps=$caps,+dac_override
bg_ns $NB "$T_TMP/b.log" setpriv --reuid=$USER_DP --regid=$USER_DP --clear-groups \
	--inh-caps=$caps --ambient-caps=$caps "$DATAPATH" -d -i isatap0 -s "$SB" -U root
PID_B=$BG_PID
check "datapath A listens on its socket" wait_for 5 test -S "$SA"
check "datapath B listens on its socket" wait_for 5 test -S "$SB"

check "A: configured by dpclient (locator, PRL, addresses, on-link prefix, link up)" \
	dpa locator $V4A prl none addr $LLA/64 onlink 2001:db8:1::/64 addr $GA/64 link up
check "B: configured by dpclient" \
	dpb locator $V4B prl none addr $LLB/64 onlink 2001:db8:1::/64 addr $GB/64 link up

# ---- sysexits -------------------------------------------------------------------------
exit_of() { "$@" >/dev/null 2>&1; echo $?; }
check_eq "a bad option exits 64 (EX_USAGE)" 64 "$(exit_of "$DATAPATH" -m 100)"
check_eq "an unknown user exits 78 (EX_CONFIG)" 78 "$(exit_of in_ns $NA "$DATAPATH" -d -u no-such-user-t_dp)"
check_eq "no privileges exits 77 (EX_NOPERM)" 77 \
	"$(exit_of in_ns $NA setpriv --reuid=nobody --regid=nogroup --clear-groups "$DATAPATH" -d)"
check_eq "a second datapath on a live socket exits 78, leaving the first alone" 78 \
	"$(exit_of in_ns $NA "$DATAPATH" -d -i isatap1 -s "$SA")"
check_eq "a second datapath on an existing interface exits 78" 78 \
	"$(exit_of in_ns $NA "$DATAPATH" -d -i isatap0 -s "$T_TMP/a/other.sock")"

# ---- privileges -------------------------------------------------------------------
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$PID_A/status"; }
uid_dp=$(id -u $USER_DP)
check_eq "A runs as $USER_DP after set-up" "$uid_dp $uid_dp $uid_dp $uid_dp" "$(status Uid | tr -s '\t ' ' ')"
check_eq "A: CapEff is exactly CAP_NET_ADMIN" 0000000000001000 "$(status CapEff)"
check_eq "A: CapPrm is exactly CAP_NET_ADMIN" 0000000000001000 "$(status CapPrm)"
check_eq "A: no ambient capabilities" 0000000000000000 "$(status CapAmb)"
check_eq "A: no_new_privs set" 1 "$(status NoNewPrivs)"
if grep -q 'sanitizer build' "$T_TMP/a.log"; then
	echo "     (sanitizer build: seccomp not loaded)"
else
	check_eq "A: seccomp filter loaded" 2 "$(status Seccomp)"
fi
check_eq "A: socket owned by $USER_DP, mode 600" "$USER_DP 600" "$(stat -c '%U %a' "$SA")"
statb() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$PID_B/status"; }
check_eq "B (started unprivileged, ambient capabilities): CapEff exactly CAP_NET_ADMIN" \
	0000000000001000 "$(statb CapEff)"
check_eq "B: no ambient or inheritable capabilities left" "0000000000000000 0000000000000000" \
	"$(statb CapAmb) $(statb CapInh)"
check_eq "B: socket its own, mode 660 (the control user comes in through the group)" \
	"$USER_DP 660" "$(stat -c '%U %a' "$SB")"

# ---- forwarding -----------------------------------------------------------------------
check "ping6 link-local A -> B" in_ns $NA ping -6 -c 3 -i 0.2 -W 2 "$LLB%isatap0"
check "ping6 link-local B -> A" in_ns $NB ping -6 -c 3 -i 0.2 -W 2 "$LLA%isatap0"
check "ping6 global A -> B under the shared on-link prefix" in_ns $NA ping -6 -c 3 -i 0.2 -W 2 $GB
check "ping6 global B -> A" in_ns $NB ping -6 -c 3 -i 0.2 -W 2 $GA
out=$(counter dpa out_packets)
in=$(counter dpa in_packets)
check "A counted what it forwarded (out $out, in $in)" test "$out" -ge 12 -a "$in" -ge 12
check "a 1400-byte ping fits the 1280 MTU after fragmentation" \
	in_ns $NA ping -6 -c 2 -i 0.2 -W 2 -s 1400 $GB
# Which path carried it, as the kernel shows it (a tc-BPF program on the
# TUN's egress). A was started as root: the fast path by default, the
# user-space path with --no-fastpath. B was started the way systemd starts it,
# with CAP_NET_ADMIN and CAP_NET_RAW alone: without CAP_BPF it cannot load
# the programs and falls back, whatever ISATAP_FASTPATH says; so A and B
# also prove that the two paths interwork.
check_fastpath "A: a tc-BPF program on isatap0's egress" "$(tc_fastpath $NA isatap0)"
check_eq "B (no CAP_BPF): no tc-BPF program, the user-space path" false "$(tc_fastpath $NB isatap0)"

# ---- RFC 4443: what cannot be sent is answered, within a rate limit ----------------------
# 2001:db8:1::1 is under the on-link prefix but embeds no IPv4 address, and
# A has no routes: no route, so Destination Unreachable code 0 from A's
# global address, as the kernel's own sit driver would answer.
u0=$(counter dpa out_icmp6_unreach)
nr0=$(counter dpa out_drop_no_route)
t0=$(date +%s%N)
in_ns $NA ping -6 -c 1 -W 2 2001:db8:1::1 >"$T_TMP/unreach.out" 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
check "ping6 to a non-ISATAP address under the on-link prefix: Destination unreachable from $GA" \
	grep -q "From $GA icmp_seq=1 Destination unreachable: No route" "$T_TMP/unreach.out"
check "... at once (${ms} ms), not after the 2 s timeout" test "$ms" -lt 1000
check_eq "... out_icmp6_unreach +1" $((u0 + 1)) "$(counter dpa out_icmp6_unreach)"
check_eq "... out_drop_no_route +1" $((nr0 + 1)) "$(counter dpa out_drop_no_route)"
# A link-local destination that is no ISATAP address: answered from A's
# link-local address (the sender's scope).
in_ns $NA ping -6 -c 1 -W 2 fe80::1%isatap0 >"$T_TMP/unreach.out" 2>&1
check "ping6 fe80::1%isatap0: Destination unreachable from $LLA" \
	grep -q "From $LLA.* Destination unreachable: No route" "$T_TMP/unreach.out"
# A burst of 50: at most the burst (10) plus 10 a second get an error, the
# rest are counted as limited. A second's pause fills the bucket first.
sleep 1.1
u0=$(counter dpa out_icmp6_unreach)
l0=$(counter dpa out_icmp6_unreach_limited)
nr0=$(counter dpa out_drop_no_route)
t0=$(date +%s%N)
in_ns $NA ping -6 -c 50 -i 0.01 -W 1 2001:db8:1::2 >"$T_TMP/burst.out" 2>&1
ms=$((($(date +%s%N) - t0) / 1000000))
sent=$(($(counter dpa out_icmp6_unreach) - u0))
limited=$(($(counter dpa out_icmp6_unreach_limited) - l0))
max=$((10 + ms * 10 / 1000 + 1))
check "burst of 50 in ${ms} ms: $sent errors sent, between 10 and $max" \
	test "$sent" -ge 10 -a "$sent" -le "$max"
check_eq "... the other $((50 - sent)) counted as limited" $((50 - sent)) "$limited"
check_eq "... all 50 counted as no route" $((nr0 + 50)) "$(counter dpa out_drop_no_route)"
check "... and ping saw the errors" grep -q "errors" "$T_TMP/burst.out"

# ---- RFC 5214 §7.3: a spoofed inner source ------------------------------------------
spoof() {
	in_ns $NC $PY - "$@" <<'EOF'
import sys
from scapy.all import IP, IPv6, ICMPv6EchoRequest, send, conf
conf.verb = 0
outer_src, outer_dst, inner_src, inner_dst = sys.argv[1:5]
send(IP(src=outer_src, dst=outer_dst) / IPv6(src=inner_src, dst=inner_dst) /
     ICMPv6EchoRequest(data=b"spoofed"))
EOF
}
before=$(counter dpb in_drop_spoofed_src)
in_before=$(counter dpb in_packets)
spoof $V4C $V4B $LLA $LLB # C claims to be A's fe80::5efe:192.0.2.1
sleep 0.5
after=$(counter dpb in_drop_spoofed_src)
check_eq "spoofed link-local source from 192.0.2.3 dropped: in_drop_spoofed_src +1" \
	$((before + 1)) "$after"
check_eq "nothing of it reached B's TUN" "$in_before" "$(counter dpb in_packets)"
before=$after
spoof $V4C $V4B $GA $GB # the same under the on-link prefix
sleep 0.5
check_eq "spoofed global source dropped: in_drop_spoofed_src +1" \
	$((before + 1)) "$(counter dpb in_drop_spoofed_src)"
before=$(counter dpb in_drop_not_our_locator)
before=$(counter dpb in_drop_outer_src_bogus)
spoof 192.0.2.255 $V4B "fe80::5efe:c000:2ff" $LLB # the subnet's broadcast, "its" address
sleep 0.5
check_eq "outer source = the subnet's directed broadcast: in_drop_outer_src_bogus +1" \
	$((before + 1)) "$(counter dpb in_drop_outer_src_bogus)"
spoof $V4C $V4B "fe80::5efe:c000:203" $LLB       # honest C: C's own ISATAP address
sleep 0.5
check "an honest on-link ISATAP source from C is accepted" \
	test "$(counter dpb in_packets)" -gt "$in_before"
# The same against A, whose fast path (when on) decides in the kernel and
# counts in the same slots.
before=$(counter dpa in_drop_spoofed_src)
in_before=$(counter dpa in_packets)
spoof $V4C $V4A $LLB $LLA # C claims to be B's fe80::5efe:192.0.2.2
sleep 0.5
check_eq "A: spoofed link-local source from 192.0.2.3 dropped: in_drop_spoofed_src +1" \
	$((before + 1)) "$(counter dpa in_drop_spoofed_src)"
check_eq "A: nothing of it reached A's TUN" "$in_before" "$(counter dpa in_packets)"
spoof $V4C $V4A "fe80::5efe:c000:203" $LLA
sleep 0.5
check "A: an honest on-link ISATAP source from C is accepted" \
	test "$(counter dpa in_packets)" -gt "$in_before"

# ---- the kernel's own multicast stays home -------------------------------------------
mld0=$(counter dpa out_drop_mld)
rs0=$(counter dpa out_drop_os_rs)
mc0=$(counter dpa out_drop_multicast)
in_ns $NA tcpdump -i eth0 -n -U -w "$T_TMP/a.pcap" 'ip proto 41' >"$T_TMP/tcpdump.log" 2>&1 &
TCPDUMP=$!
T_PIDS+=("$TCPDUMP")
wait_for 5 grep -q listening "$T_TMP/tcpdump.log"
# An MLD report: a socket joins a group on isatap0.
in_ns $NA $PY - <<'EOF'
import socket, struct, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
idx = socket.if_nametoindex("isatap0")
mreq = socket.inet_pton(socket.AF_INET6, "ff02::1:3") + struct.pack("I", idx)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
time.sleep(1.2)
EOF
# A Router Solicitation: with accept_ra on, the kernel solicits when the link
# comes up (addresses kept, DAD restarted, RFC 4861 §6.3.7).
in_ns $NA sysctl -q net.ipv6.conf.isatap0.accept_ra=1
dpa link down link up >/dev/null
in_ns $NA ping -6 -c 1 -W 1 ff02::2%isatap0 >/dev/null 2>&1
in_ns $NA ping -6 -c 2 -i 0.2 -W 2 $GB >/dev/null # proves the capture sees proto 41
sleep 1.5
in_ns $NA sysctl -q net.ipv6.conf.isatap0.accept_ra=0
kill $TCPDUMP
wait $TCPDUMP 2>/dev/null
# tcpdump decodes the IPv6 inside protocol 41: one line per datagram.
tcpdump -r "$T_TMP/a.pcap" -n 2>/dev/null >"$T_TMP/a.txt"
check "the capture on the veth saw the encapsulated echo" \
	test "$(grep -c 'ICMP6, echo request' "$T_TMP/a.txt")" -ge 2
check_eq "no MLD, RS or multicast inside protocol 41 on the wire" 0 \
	"$(grep -Ec '> ff0[0-9a-f]:|multicast listener|router solicitation' "$T_TMP/a.txt")"
check "the kernel's MLD reports were counted (out_drop_mld)" test "$(counter dpa out_drop_mld)" -gt "$mld0"
check "the kernel's RS was counted (out_drop_os_rs)" test "$(counter dpa out_drop_os_rs)" -gt "$rs0"
check "the echo to ff02::2 was counted (out_drop_multicast)" test "$(counter dpa out_drop_multicast)" -gt "$mc0"
check "routes are back after the link flap" in_ns $NA ping -6 -c 1 -W 2 $GB

# ---- who may connect ---------------------------------------------------------------------
check "another uid cannot reach the socket (mode 600)" \
	fails in_ns $NA setpriv --reuid=nobody --regid=nogroup --clear-groups "$DPCLIENT" -s "$SA" state
chmod 0666 "$SA"
check "another uid is refused by SO_PEERCRED even when the mode allows it" \
	fails in_ns $NA setpriv --reuid=nobody --regid=nogroup --clear-groups "$DPCLIENT" -s "$SA" state
chmod 0600 "$SA"
check "the refusal is logged with the uid" grep -q "refused control connection from uid $(id -u nobody)" "$T_TMP/a.log"

# ---- hostile or confused control messages close only that connection ------------------
check_eq "a request before HELLO closes the connection" closed \
	"$(raw --no-hello --raw 0d00000001000000)"
check_eq "an unknown message type closes the connection" closed \
	"$(raw --raw 6300000002000000)"
check_eq "a wrong length closes the connection" closed "$(raw --raw 0a000800030000000005000000000000)"
check_eq "an out-of-range field (MTU 1279) closes the connection" closed \
	"$(raw --raw 0a00040003000000ff040000)"
check_eq "a reply type sent to the datapath closes the connection" closed \
	"$(raw --raw 4100080004000000000000000d000000)"
check_eq "a locator this host does not have is refused (no forged outer source)" \
	"SET_LOCATOR error -99 (Cannot assign requested address)" "$(dpa locator 192.0.2.99 | grep ^SET_LOCATOR)"
check_eq "... and the locator stays" "locator=$V4A" "$(dpa state | grep ^locator=)"
check_eq "SEND_RS to a router outside the PRL is refused" \
	"SEND_RS error -1 (Operation not permitted)" "$(dpa send-rs 192.0.2.9 0 | grep ^SEND_RS)"
check "bad-input logs name the reason" grep -q "control connection closed: SET_MTU: bad_field mtu.mtu" "$T_TMP/a.log"
check "A is still alive and forwarding" in_ns $NA ping -6 -c 1 -W 2 $GB

# ---- control goes away; forwarding does not -------------------------------------------------
bg_ns $NA "$T_TMP/hold.out" setpriv --reuid=$USER_DP --regid=$USER_DP --clear-groups \
	"$DPCLIENT" -s "$SA" --hold
HOLD=$BG_PID
wait_for 5 grep -q holding "$T_TMP/hold.out"
check_eq "a second concurrent control connection is refused" closed "$(raw --raw 0d00000001000000)"
# Someone changes the link behind the datapath's back: control hears of it.
ip -n $NA link set isatap0 mtu 1400
check "a link change made with ip(8) comes up as LINK_EVENT" \
	wait_for 5 grep -q "^event=link_event ifindex=[0-9]* up=1 mtu=1400" "$T_TMP/hold.out"
in_ns $NA ping -6 -c 15 -i 0.2 -W 2 $GB >"$T_TMP/ping.out" 2>&1 &
PING=$!
sleep 1
kill -9 $HOLD
wait $HOLD 2>/dev/null
wait $PING
check "ping6 kept answering across the client's death (15/15)" grep -q " 15 received" "$T_TMP/ping.out"
check "the datapath noticed the client leave" grep -q "control disconnected" "$T_TMP/a.log"
dpa state >"$T_TMP/state.out"
check_eq "a new client gets the locator back" "locator=$V4A" "$(grep ^locator= "$T_TMP/state.out")"
check_eq "... the link state" "link=up" "$(grep ^link= "$T_TMP/state.out")"
check_eq "... the MTU ip(8) set" "mtu=1400" "$(grep ^mtu= "$T_TMP/state.out")"
check "... the link-local address" grep -qx "addr=$LLA/64 valid=forever preferred=forever" "$T_TMP/state.out"
check "... the global address" grep -qx "addr=$GA/64 valid=forever preferred=forever" "$T_TMP/state.out"
check_eq "... and no other" "n_addrs=2" "$(grep ^n_addrs= "$T_TMP/state.out")"
check_eq "... the on-link prefix" "onlink=2001:db8:1::/64" "$(grep ^onlink= "$T_TMP/state.out")"

# ---- routes through a router, lifetimes, and SIGTERM ---------------------------------------
check "B: routes via A as if A were a router (PRL, default route)" \
	dpb prl $V4A route ::/0 $V4A route 2001:db8:99::/48 $V4A 100 addr 2001:db8:5::5efe:c000:202/64 600 300
check "B: the kernel has the default route on isatap0" \
	sh -c "ip -n $NB -6 route show default | grep -q 'dev isatap0'"
check "B: the address carries its lifetimes" \
	sh -c "ip -n $NB -6 addr show dev isatap0 | grep -A1 2001:db8:5::5efe:c000:202 | grep -q 'valid_lft 600sec preferred_lft 300sec'"
o0=$(counter dpb out_packets)
in_ns $NB ping -6 -c 1 -W 1 2001:db8:2::2 >/dev/null 2>&1 # A is no router: lost, but sent
check "B encapsulated a packet for the default route toward A" test "$(counter dpb out_packets)" -gt "$o0"
r0=$(counter dpb out_drop_no_route)
dpb route-del ::/0 $V4A >/dev/null
in_ns $NB ping -6 -c 1 -W 1 2001:db8:2::2 >/dev/null 2>&1
check "no route left: the kernel has none either" sh -c "! ip -n $NB -6 route show default | grep -q ."
check_eq "no route counter unchanged (the kernel refused it first)" "$r0" "$(counter dpb out_drop_no_route)"

kill -TERM $PID_A
wait $PID_A
check_eq "SIGTERM: A exits 0" 0 $?
check "SIGTERM: A's interface is gone" sh -c "! ip -n $NA link show isatap0 2>/dev/null"
check "SIGTERM: A logged its unconfiguring" grep -q "unconfiguring isatap0" "$T_TMP/a.log"
kill -TERM $PID_B
wait $PID_B
check_eq "SIGTERM: B exits 0" 0 $?

t_done
