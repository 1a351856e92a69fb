#!/bin/bash
# A compromised control daemon against isatap-datapath (issue 8, "Privilege").
#
# tools/isatap-dpmsg.py speaks the message catalogue as the control user and
# sends well-formed but malicious requests, over-bound requests and malformed
# frames. Each must be refused (a RESULT error, or the connection closed), leave
# the datapath's state as it was, and leave the datapath running and
# forwarding. Other uids must not get in at all; after set-up the datapath
# holds exactly CAP_NET_ADMIN; 10 000 requests and 400 connections leave its
# RSS and descriptor count flat.
#
#   ist-h-pv-dp    192.0.2.20, the datapath (runs as nobody; control user daemon)
#   ist-h-pv-peer  192.0.2.254 (the PRL router) and 192.0.2.99 (not in the PRL)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/hostile-lib.sh"
require_root
require_bins "$DATAPATH"

NS_DP=ist-h-pv-dp
NS_PEER=ist-h-pv-peer
DP4=192.0.2.20
RTR4=192.0.2.254
STRANGER4=192.0.2.99
DP_USER=nobody
CTL_USER=daemon
SOCK=$T_TMP/run/dp.sock
DP_LL=fe80::5efe:c000:214
PFX=2001:db8:1::

ns_add $NS_DP
ns_add $NS_PEER
ip link add pv-dp netns $NS_DP type veth peer name pv-peer netns $NS_PEER
in_ns $NS_DP ip addr add $DP4/24 dev pv-dp
in_ns $NS_DP ip link set pv-dp up
in_ns $NS_PEER ip addr add $RTR4/24 dev pv-peer
in_ns $NS_PEER ip addr add $STRANGER4/24 dev pv-peer
in_ns $NS_PEER ip link set pv-peer up
mkdir -p "$T_TMP/run"
chmod 0755 "$T_TMP/run"

bg_ns $NS_DP "$T_TMP/dp.log" "$DATAPATH" -d -i isatap0 -s "$SOCK" -u $DP_USER -U $CTL_USER
DP_PID=$BG_PID
wait_for 10 test -S "$SOCK" || fail_now "datapath did not create $SOCK: $(tail -n 5 "$T_TMP/dp.log")"
sleep 0.3

# as USER CMD...: run CMD in the datapath's namespace as USER, no groups.
as() {
	local u=$1
	shift
	in_ns $NS_DP setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"
}
ctl() { as $CTL_USER $DPMSG -s "$SOCK" "$@"; }
state() { ctl state | grep -v '^hello'; }
jstate() { state | jq -c "$1"; }

# ---- the process after set-up ------------------------------------------------------
check_eq "CapEff after set-up is exactly CAP_NET_ADMIN" 0000000000001000 \
	"$(awk '/^CapEff:/ { print $2 }' /proc/$DP_PID/status)"
check_eq "CapPrm after set-up is exactly CAP_NET_ADMIN" 0000000000001000 \
	"$(awk '/^CapPrm:/ { print $2 }' /proc/$DP_PID/status)"
check_eq "CapInh after set-up is empty" 0000000000000000 \
	"$(awk '/^CapInh:/ { print $2 }' /proc/$DP_PID/status)"
check_eq "CapAmb after set-up is empty" 0000000000000000 \
	"$(awk '/^CapAmb:/ { print $2 }' /proc/$DP_PID/status)"
check_eq "runs as $DP_USER (real, effective, saved, fs uid)" \
	"$(id -u $DP_USER) $(id -u $DP_USER) $(id -u $DP_USER) $(id -u $DP_USER)" \
	"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/$DP_PID/status)"
check_eq "no_new_privs is set" 1 "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/$DP_PID/status)"
# The fast path is loaded during set-up, before the capabilities go: the
# programs stay attached with only CAP_NET_ADMIN left (checked above).
check_fastpath "a tc-BPF program on isatap0's egress, loaded before the drop" "$(tc_fastpath $NS_DP isatap0)"
echo "     (Seccomp: $(awk '/^Seccomp:/ { print $2 }' /proc/$DP_PID/status), 2 = filter)"
check_eq "socket is mode 0600, owned by the control user" "600 $CTL_USER" \
	"$(stat -c '%a %U' "$SOCK")"

# ---- who may connect ---------------------------------------------------------------
as nobody $DPMSG -s "$SOCK" state >"$T_TMP/nobody.out" 2>&1
check "uid nobody cannot connect (no HELLO_REPLY, no STATE)" \
	bash -c "! grep -q -e '^hello ifname' -e '\"locator\"' '$T_TMP/nobody.out'"
# root passes the file permission check: SO_PEERCRED must refuse it.
in_ns $NS_DP $DPMSG -s "$SOCK" state >"$T_TMP/root.out" 2>&1
check "uid 0 (not the control user) is refused by SO_PEERCRED" \
	bash -c "! grep -q -e '^hello ifname' -e '\"locator\"' '$T_TMP/root.out'"
ctl >"$T_TMP/hello.out" 2>&1
check "the control user completes the HELLO handshake" grep -q '^hello ifname=isatap0' "$T_TMP/hello.out"

# ---- the honest configuration ------------------------------------------------
ctl locator=$DP4 prl=$RTR4 addr+=$DP_LL/64 onlink+=${PFX}/64 addr+=${PFX}5efe:c000:214/64 \
	"route+=::/0@$RTR4" link=1 >"$T_TMP/config.out" 2>&1
check "honest configuration accepted" bash -c "! grep -v '^hello' '$T_TMP/config.out' | grep -v 'error=0$'"
state >"$T_TMP/state0.json"
check "state holds it (1 PRL entry, 2 addresses, 1 route, 1 on-link prefix)" \
	test "$(jq -c '[.locator, (.prl|length), (.addrs|length), (.routes|length), (.onlink|length)]' \
		"$T_TMP/state0.json")" = "[\"$DP4\",1,2,1,1]"

# refused "what" OP...: the last OP must get a RESULT error or the connection
# closed, and the state must be exactly what it was.
refused() {
	local what=$1 out last
	shift
	out=$(ctl "$@" 2>&1)
	last=$(echo "$out" | tail -n 1)
	state >"$T_TMP/state1.json"
	case "$last" in
	*" closed" | *"error=-"*)
		if cmp -s "$T_TMP/state0.json" "$T_TMP/state1.json"; then
			check_eq "$what: refused, state unchanged" refused refused
		else
			check_eq "$what: state unchanged" "$(cat "$T_TMP/state0.json")" "$(cat "$T_TMP/state1.json")"
		fi ;;
	*) check_eq "$what: refused" "error=-N or closed" "$last" ;;
	esac
}

# ---- addresses control may not add -------------------------------------------------
refused "ADDR_ADD multicast ff02::1/64" addr+=ff02::1/64
refused "ADDR_ADD multicast ff0e::1/128" addr+=ff0e::1/128
refused "ADDR_ADD unspecified ::/64" addr+=::/64
refused "ADDR_ADD loopback ::1/128" addr+=::1/128
refused "ADDR_ADD v4-mapped ::ffff:192.0.2.20/128" addr+=::ffff:c000:214/128
refused "ADDR_ADD v4-compatible ::192.0.2.20/128" addr+=::c000:214/128
refused "ADDR_ADD link-local outside fe80::/64 (fe80:1::5efe:c000:214/64)" addr+=fe80:1::5efe:c000:214/64
refused "ADDR_ADD link-local fe80::5efe:c000:214 with /10" addr+=fe80::5efe:c000:214/10
refused "ADDR_ADD link-local febf::1/64" addr+=febf::1/64
refused "ADDR_ADD prefix length 129" addr+=2001:db8:1::1/129
refused "ADDR_ADD preferred lifetime above valid" addr+=2001:db8:1::1/64,100,200
refused "ADDR_ADD with non-zero padding" raw=04001c000200000020010db800010000000000000000000140010000ffffffffffffffff
# Review finding 4: only what an ISATAP interface can own (the locator's
# ISATAP interface identifier, /64, link-local, global or unique-local).
refused "ADDR_ADD another host's address (2606:4700:4700::1111/128)" addr+=2606:4700:4700::1111/128
refused "ADDR_ADD another host's address as a /64 (2606:4700:4700::1111/64)" addr+=2606:4700:4700::1111/64
refused "ADDR_ADD another ISATAP node's address (${PFX}5efe:c000:263/64)" addr+=${PFX}5efe:c000:263/64
refused "ADDR_ADD another ISATAP node's link-local (u form, fe80::200:5efe:c000:263/64)" addr+=fe80::200:5efe:c000:263/64
refused "ADDR_ADD our identifier with /128" addr+=${PFX}5efe:c000:214/128
refused "ADDR_ADD our identifier under site-local fec0::/64" addr+=fec0::5efe:c000:214/64

# ---- routes, on-link prefixes, locator, PRL --------------------------------------------
refused "ROUTE_ADD via multicast 224.0.0.1" "route+=2001:db8:5::/48@224.0.0.1"
refused "ROUTE_ADD via 127.0.0.1" "route+=2001:db8:5::/48@127.0.0.1"
refused "ROUTE_ADD via 255.255.255.255" "route+=2001:db8:5::/48@255.255.255.255"
refused "ROUTE_ADD to multicast ff00::/8" "route+=ff00::/8@$RTR4"
refused "ROUTE_ADD to link-local fe80::/64" "route+=fe80::/64@$RTR4"
refused "ROUTE_ADD with host bits set (2001:db8:5::1/48)" "route+=2001:db8:5::1/48@$RTR4"
refused "ONLINK_ADD fe80::/64" onlink+=fe80::/64
refused "ONLINK_ADD ff02::/16" onlink+=ff02::/16
refused "ONLINK_ADD ::/0" onlink+=::/0
refused "SET_LOCATOR 224.0.0.1" locator=224.0.0.1
refused "SET_LOCATOR 127.0.0.1" locator=127.0.0.1
refused "SET_LOCATOR 192.0.2.99 (an address this host does not have: a forged outer source)" locator=$STRANGER4
refused "SET_PRL with 255.255.255.255" prl=255.255.255.255
refused "SET_PRL with count 17" prlcount=17,$RTR4
refused "SET_PRL with count 4294967295" prlcount=4294967295,$RTR4
refused "SET_PRL with an entry past count" prlcount=0,$RTR4

# ---- MTU, link ------------------------------------------------------------------------------
# 65516..65535: more than an outer IPv4 datagram carries (review finding 13).
for m in 0 1279 65516 65535 65536 4294967295; do refused "SET_MTU $m" mtu=$m; done
refused "SET_LINK 2" link=2
ctl mtu=65515 mtu=1280 >"$T_TMP/mtu.out" 2>&1
check "SET_MTU 65515 then 1280 (the bounds themselves) accepted" \
	test "$(grep -c 'error=0$' "$T_TMP/mtu.out")" = 2
check_eq "kernel MTU of isatap0 after that" 1280 "$(in_ns $NS_DP cat /sys/class/net/isatap0/mtu)"

# ---- Router Solicitations only to PRL members -------------------------------------------
in_ns $NS_DP tcpdump -i pv-dp -nn -U -w "$T_TMP/rs.pcap" "ip proto 41" >"$T_TMP/td.log" 2>&1 &
TD=$!
T_PIDS+=("$TD")
wait_for 5 grep -q listening "$T_TMP/td.log"
refused "SEND_RS to $STRANGER4 (not in the PRL)" rs=$STRANGER4
refused "SEND_RS to 224.0.0.2" rs=224.0.0.2
refused "SEND_RS with u_bit 2" rs=$RTR4,2
ctl rs=$RTR4 >"$T_TMP/rs.out" 2>&1
check "SEND_RS to the PRL router accepted" grep -q "rs=$RTR4 error=0" "$T_TMP/rs.out"
wait_for 3 bash -c "tcpdump -nn -r '$T_TMP/rs.pcap' 2>/dev/null | grep -q ."
sleep 0.3
kill "$TD"
wait "$TD" 2>/dev/null
check_eq "protocol-41 datagrams sent: only the one RS, to $RTR4" "$DP4 > $RTR4" \
	"$(tcpdump -nn -r "$T_TMP/rs.pcap" 2>/dev/null | awk '{ print $3, $4, $5 }' | sed 's/:$//' | sort -u | tr '\n' ' ' | sed 's/ $//')"

# ---- malformed frames: each closes the connection ---------------------------------
# hex of a header: type (LE16), len (LE16), seq (LE32)
hdr() { printf '%02x%02x%02x%02x01000000' $(($1 & 255)) $(($1 >> 8)) $(($2 & 255)) $(($2 >> 8)); }
frame_closed() {
	local what=$1 out
	shift
	out=$(ctl "$@" closed=3 2>&1)
	check "$what: connection closed" bash -c "echo '$out' | grep -q -e '^closed\$' -e ' closed\$'"
}
frame_closed "unknown type 15" "raw=$(hdr 15 0)"
frame_closed "unknown type 0" "raw=$(hdr 0 0)"
frame_closed "unknown type 65535 with length 65535" "raw=$(hdr 65535 65535)"
frame_closed "HELLO_REPLY (wrong direction)" "raw=$(hdr 64 32)$(printf '%064d' 0)"
frame_closed "ND_RECV from control (inject a packet: wrong direction)" "raw=$(hdr 68 1508)$(printf '%03016d' 0)"
frame_closed "ADDR_ADD 27 octets" "raw=$(hdr 4 27)$(printf '%054d' 0)"
frame_closed "ADDR_ADD 29 octets" "raw=$(hdr 4 29)$(printf '%058d' 0)"
frame_closed "GET_STATE with 4 octets of payload" "raw=$(hdr 13 4)00000000"
frame_closed "SET_MTU 1279 (bad field)" mtu=1279
out=$(ctl --no-hello locator=$DP4 2>&1)
check "a request before HELLO: connection closed" bash -c "echo '$out' | grep -q ' closed\$'"
out=$(ctl --no-hello hello=0x12345678,1 2>&1)
check "HELLO with a wrong magic: connection closed" bash -c "echo '$out' | grep -q -e ' closed\$' -e 'type=65'"
out=$(ctl --no-hello hello=0x49534154,99 2>&1)
check "HELLO with version 99: refused (closed)" bash -c "echo '$out' | grep -q -e ' closed\$'"
out=$(ctl hello=0x49534154,2 2>&1)
check "a second HELLO: refused" bash -c "echo '$out' | grep -q -e ' closed\$' -e 'type=65'"
state >"$T_TMP/state1.json"
check "state unchanged after every malformed frame" cmp "$T_TMP/state0.json" "$T_TMP/state1.json"

# ---- one control connection at a time --------------------------------------------
ctl hold=3 >"$T_TMP/first.out" 2>&1 &
FIRST=$!
sleep 0.5
ctl state >"$T_TMP/second.out" 2>&1
check "a second control connection is refused while one is open" \
	bash -c "! grep -q '\"locator\"' '$T_TMP/second.out'"
wait $FIRST

# ---- bounds ------------------------------------------------------------------------------
ops=()
for i in $(seq 1 40); do ops+=("addr+=2001:db8:7:$(printf %x "$i")::5efe:c000:214/64"); done
ctl "${ops[@]}" >"$T_TMP/addrs.out" 2>&1
n_ok=$(grep -c 'error=0$' "$T_TMP/addrs.out")
check_eq "ADDR_ADD x40: accepted up to MSG_ADDR_MAX (32) in all, the rest refused" \
	"32 $((40 - 32 + 2)) 32" \
	"$((n_ok + 2)) $(grep -c 'error=-' "$T_TMP/addrs.out") $(jstate '.addrs|length')"
ops=()
for i in $(seq 1 70); do ops+=("route+=2001:db8:$(printf %x $((0x100 + i)))::/48@$RTR4"); done
ctl "${ops[@]}" >"$T_TMP/routes.out" 2>&1
check_eq "ROUTE_ADD x70: MSG_ROUTE_MAX (64) held in all" 64 "$(jstate '.routes|length')"
check_eq "ROUTE_ADD x70: 7 refused" 7 "$(grep -c 'error=-' "$T_TMP/routes.out")"
ops=()
for i in $(seq 1 20); do ops+=("onlink+=2001:db8:$(printf %x $((0x200 + i)))::/64"); done
ctl "${ops[@]}" >"$T_TMP/onlink.out" 2>&1
check_eq "ONLINK_ADD x20: MSG_ONLINK_MAX (16) held in all" 16 "$(jstate '.onlink|length')"
check_eq "kernel routes on isatap0 bounded (64 + 16 + the rest)" yes \
	"$(n=$(in_ns $NS_DP ip -6 route show dev isatap0 | wc -l); [ "$n" -le 90 ] && echo yes || echo "no ($n)")"

# ---- no allocation without bound --------------------------------------------------
sleep 0.5
rss0=$(rss_kb $DP_PID)
fd0=$(ls /proc/$DP_PID/fd | wc -l)
# 10 000 requests on one connection: full tables, adds and deletes, state, counters.
ctl --quiet --repeat 2000 "addr+=2001:db8:8::5efe:c000:214/64" "addr-=2001:db8:8::5efe:c000:214/64" \
	"route+=2001:db8:ffff::/48@$RTR4" state counters >"$T_TMP/flood.out" 2>&1
check "10 000 requests on one connection answered" grep -q '^sent 6000 ' "$T_TMP/flood.out"
for i in $(seq 1 300); do ctl --quiet >/dev/null 2>&1; done
for i in $(seq 1 50); do as nobody $DPMSG -s "$SOCK" >/dev/null 2>&1; in_ns $NS_DP $DPMSG -s "$SOCK" >/dev/null 2>&1; done
sleep 0.5
rss1=$(rss_kb $DP_PID)
fd1=$(ls /proc/$DP_PID/fd | wc -l)
echo "     datapath RSS ${rss0} KiB -> ${rss1} KiB, fds $fd0 -> $fd1"
check "RSS flat after 10 000 requests and 400 connections (grew $((rss1 - rss0)) KiB <= 64)" \
	test $((rss1 - rss0)) -le 64
check_eq "no descriptor leaked" "$fd0" "$fd1"

# ---- a control that stops reading: ND events dropped and counted, nothing grows ----
# It says HELLO, then never reads again; the PRL router sends 3000 RAs, what
# the datapath passes up (NSs it answers itself). What goes up is budgeted
# (nd_rate_limited), and the datapath's queue toward control is bounded: what
# does not fit is counted (nd_up_dropped), RSS stays flat, forwarding goes on
# meanwhile.
[ -x "$PY" ] && $PY -c 'import scapy' 2>/dev/null || fail_now "python3-scapy missing (make deps)"
DP_MAC=$(mac_of $NS_DP pv-dp)
# Two rounds: the first touches the preallocated buffers (the queue toward
# control, the receive batch) for the first time; the second must not grow
# beyond the receive slots a deeper batch may touch for the first time
# (DP_BATCH slots 64 KiB apart, one page each for an NS: 128 KiB). A leak
# per NS would show as far more: 3000 NS of ~100 octets are ~300 KiB.
for round in 1 2; do
ctl counters | grep -v '^hello' >"$T_TMP/s0"
rss0=$(rss_kb $DP_PID)
ctl sleep=12 >/dev/null 2>&1 &
STALL=$!
sleep 0.5
in_ns $NS_PEER $FORGE -i pv-peer -m "$DP_MAC" --src $RTR4 --dst $DP4 --kind ra --hlim 255 \
	--isrc fe80::5efe:c000:2fe --idst $DP_LL --count 3000
# Forwarding while control is stuck: an echo in, its reply seen on the wire.
in_ns $NS_PEER tcpdump -i pv-peer -nn -U -c 1 -w "$T_TMP/stall.pcap" "ip proto 41 and src host $DP4" \
	>"$T_TMP/stall-td.log" 2>&1 &
TD=$!
T_PIDS+=("$TD")
wait_for 5 grep -q listening "$T_TMP/stall-td.log"
in_ns $NS_PEER $FORGE -i pv-peer -m "$DP_MAC" --src $RTR4 --dst $DP4 \
	--isrc fe80::5efe:c000:2fe --idst $DP_LL
wait_for 5 bash -c "! kill -0 $TD 2>/dev/null"
check "round $round: forwarding goes on while control does not read (echo reply on the wire)" \
	test "$(tcpdump -nn -r "$T_TMP/stall.pcap" 2>/dev/null | wc -l)" = 1
rss1=$(rss_kb $DP_PID)
wait $STALL
ctl counters | grep -v '^hello' >"$T_TMP/s1"
up=$(($(counter "$T_TMP/s1" nd_up) - $(counter "$T_TMP/s0" nd_up)))
dropped=$(($(counter "$T_TMP/s1" nd_up_dropped) - $(counter "$T_TMP/s0" nd_up_dropped)))
limited=$(($(counter "$T_TMP/s1" nd_rate_limited) - $(counter "$T_TMP/s0" nd_rate_limited)))
echo "     round $round: 3000 RAs while control did not read: queued up $up, dropped $dropped, over budget $limited; RSS $rss0 -> $rss1 KiB"
check_eq "round $round: every RA accounted for (nd_up + nd_up_dropped + nd_rate_limited)" 3000 \
	$((up + dropped + limited))
check "round $round: queued no more than the 64 KiB queue and the socket buffer hold ($up <= 256)" \
	test "$up" -le 256
done
check "round 2: RSS flat while control does not read (grew $((rss1 - rss0)) KiB <= 16 + 128)" \
	test $((rss1 - rss0)) -le 144
check "isatap-datapath still running" alive $DP_PID
ctl locator=$DP4 >/dev/null 2>&1
check_eq "locator still $DP4 after everything" "$DP4" "$(state | jq -r .locator)"
# Still forwarding: an echo from the PRL router comes in and its reply goes out.
[ -x "$PY" ] && $PY -c 'import scapy' 2>/dev/null || fail_now "python3-scapy missing (make deps)"
ctl counters | grep -v '^hello' >"$T_TMP/c0"
in_ns $NS_PEER $FORGE -i pv-peer -m "$(mac_of $NS_DP pv-dp)" --src $RTR4 --dst $DP4 \
	--isrc fe80::5efe:c000:2fe --idst $DP_LL
sleep 0.5
ctl counters | grep -v '^hello' >"$T_TMP/c1"
check_eq "still forwarding after the abuse: one echo in, its reply out" "in_packets +1 out_packets +1" \
	"$(counters_diff "$T_TMP/c0" "$T_TMP/c1" | grep -E '^(in_packets|out_packets) ' | sort | tr '\n' ' ' | sed 's/ $//')"

# ---- a running datapath with a full backlog keeps its path (review §19) -----------
# Started as root, the datapath gives its socket to the control user, the
# uid an impostor's file has too. With its backlog full (stopped here, then
# flooded by the control user) a probe gets no SO_PEERCRED; the file's group,
# root, still says it is a datapath's, so a second datapath on the same path
# must refuse it (78) rather than take it from the running one.
check_eq "the socket's group is root (a datapath's mark)" "600 $CTL_USER root" \
	"$(stat -c '%a %U %G' "$SOCK")"
ino0=$(stat -c %i "$SOCK")
kill -STOP $DP_PID
# ip netns exec directly (not through as()), so that $! is the holder itself.
ip netns exec $NS_DP setpriv --reuid=$CTL_USER --regid="$(id -g $CTL_USER)" --clear-groups \
	$PY -c '
import socket, sys, time
held = []
for _ in range(64):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.setblocking(False)
    try:
        c.connect(sys.argv[1])
    except BlockingIOError:
        break
    held.append(c)
print("full after", len(held), flush=True)
time.sleep(30)' "$SOCK" >"$T_TMP/hold.log" 2>&1 &
HOLD=$!
T_PIDS+=("$HOLD")
wait_for 5 grep -q "full after" "$T_TMP/hold.log" || fail_now "could not fill the backlog: $(cat "$T_TMP/hold.log")"
echo "     backlog $(cat "$T_TMP/hold.log")"
t0=$SECONDS
in_ns $NS_DP timeout 10 "$DATAPATH" -d -i isatap1 -s "$SOCK" -u $DP_USER -U $CTL_USER \
	>"$T_TMP/dp-second.log" 2>&1
rc=$?
check_eq "a second datapath on the path of a running one with a full backlog: exit 78, at once ($((SECONDS - t0)) s)" \
	78 "$rc"
check_eq "... and the running datapath's socket is untouched (same inode)" "$ino0" "$(stat -c %i "$SOCK")"
kill $HOLD 2>/dev/null
wait $HOLD 2>/dev/null
kill -CONT $DP_PID
# It works through the flood's connections, closed by now, first.
for i in $(seq 1 20); do
	ctl >"$T_TMP/hello3.out" 2>&1
	grep -q '^hello ifname=isatap0' "$T_TMP/hello3.out" && break
	sleep 0.25
done
check "the control user still reaches the running datapath" grep -q '^hello ifname=isatap0' "$T_TMP/hello3.out"

# ---- a compromised control occupies the datapath's socket path (review §19) ----------
# The runtime directory is shared with the control unit and owned by
# whichever started last: here the control user's. While the datapath is
# down, the control user binds the datapath's path, listens, and fills its
# own backlog so that a connect() to it would block. The next datapath
# start must neither hang in that connect() nor exit 78: it takes its path
# back.
kill -TERM $DP_PID
wait $DP_PID
chown $CTL_USER "$T_TMP/run"
as $CTL_USER $PY -c '
import os, socket, sys, time
try:
    os.unlink(sys.argv[1])  # what the datapath, no longer root, left
except FileNotFoundError:
    pass
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
l.bind(sys.argv[1]); l.listen(0)
held = []
for _ in range(16):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.setblocking(False)
    try:
        c.connect(sys.argv[1])
    except BlockingIOError:
        break
    held.append(c)
open(sys.argv[2], "w").close()
time.sleep(60)' "$SOCK" "$T_TMP/run/impostor.ready" >"$T_TMP/impostor.log" 2>&1 &
IMP=$!
T_PIDS+=("$IMP")
wait_for 5 test -e "$T_TMP/run/impostor.ready" || fail_now "the impostor did not start: $(cat "$T_TMP/impostor.log")"
check_eq "the impostor's socket is at the datapath's path" "socket $CTL_USER" "$(stat -c '%F %U' "$SOCK")"
t0=$SECONDS
bg_ns $NS_DP "$T_TMP/dp2.log" "$DATAPATH" -d -i isatap0 -s "$SOCK" -u $DP_USER -U $CTL_USER
DP_PID=$BG_PID
wait_for 10 grep -q "ready" "$T_TMP/dp2.log"
check "the next datapath is up (in $((SECONDS - t0)) s): neither hung in connect() nor exited 78" \
	sh -c "grep -q ') ready' '$T_TMP/dp2.log' && kill -0 $DP_PID"
check "... saying it took its path back" grep -q "listens there, not a datapath: taking the path back" "$T_TMP/dp2.log"
check_eq "... and the socket is its own again" "600 $CTL_USER" "$(stat -c '%a %U' "$SOCK")"
ctl >"$T_TMP/hello2.out" 2>&1
check "the control user completes the HELLO handshake with it" grep -q '^hello ifname=isatap0' "$T_TMP/hello2.out"
kill $IMP 2>/dev/null
t_done
