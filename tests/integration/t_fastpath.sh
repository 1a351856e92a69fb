#!/bin/bash
# The kernel fast path (isatap-datapath(8), KERNEL FAST PATH) end to end: two
# ISATAP hosts of ours on one veth, each a datapath configured by dpclient.
#
#   t_fastpath-aPID  192.0.2.1  2001:db8:1::5efe:c000:201
#   t_fastpath-bPID  192.0.2.2  2001:db8:1::5efe:c000:202
#
# Both ends run the fast path, so what a program encapsulates with a partial
# checksum (veth offloads) is finished by the other end's kernel; where one
# end is in user space (phase 5), the fast-path end's veth computes
# checksums itself (ethtool -K tx off), as a NIC does on the wire.
#   1. attached: tc shows our filters; ping and a TCP transfer go across, the
#      fast path counts the bulk and user space does not; plain protocol 41
#      on the wire; capabilities after set-up
#   2. exit: our filters and the clsact we made are gone, a clsact that was
#      there before stays
#   3. restart under load: SIGKILL, the next datapath takes the filters over
#   4. --no-fastpath: tc untouched, user space forwards
#   5. no CAP_BPF: one log line, user space forwards
. "$(dirname "$0")/lib.sh"

require_root
# This suite is about the fast path itself (it runs --no-fastpath where it
# means to): ISATAP_FASTPATH=off would add that to every datapath it starts.
[ "$ISATAP_FASTPATH" = off ] && skip "ISATAP_FASTPATH=off: this suite tests the fast path itself"
DPCLIENT=$BUILD/tests/tools/dpclient
require_bins "$DATAPATH" "$DPCLIENT"
for c in tc tcpdump socat sha256sum setpriv ethtool; do
	command -v $c >/dev/null || fail_now "$c is not installed (dist/deps.sh)"
done
case $("$DATAPATH" --version) in
*"kernel fast path built"*) ;;
*) skip "$("$DATAPATH" --version | sed 's/.*kernel fast path //; s/)$//')" ;;
esac

NA=t_fastpath-a$$ NB=t_fastpath-b$$
USER_DP=isatap-test
V4A=192.0.2.1 V4B=192.0.2.2
LLA=fe80::5efe:c000:201 LLB=fe80::5efe:c000:202
GA=2001:db8:1::5efe:c000:201 GB=2001:db8:1::5efe:c000:202
SA=$T_TMP/a.sock SB=$T_TMP/b.sock

if ! id "$USER_DP" >/dev/null 2>&1; then
	useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
		"$USER_DP" 2>/dev/null || id "$USER_DP" >/dev/null 2>&1 || fail_now "useradd $USER_DP"
fi

ns_add $NA
ns_add $NB
ip link add eth0 netns $NA type veth peer name eth0 netns $NB || fail_now "veth"
ip -n $NA addr add $V4A/24 dev eth0
ip -n $NB addr add $V4B/24 dev eth0
ip -n $NA link set eth0 up
ip -n $NB link set eth0 up
# B's eth0 has a clsact of someone else's before any datapath starts: ours
# must share it and leave it.
in_ns $NB tc qdisc add dev eth0 clsact || fail_now "clsact on B"

dpa() { in_ns $NA "$DPCLIENT" -s "$SA" "$@"; }
dpb() { in_ns $NB "$DPCLIENT" -s "$SB" "$@"; }
# value KEY LINES...: the value of KEY=... in dpclient's output
value() { sed -n "s/^$1=//p" <<<"$2"; }
# configure a|b: what control would push for host A or B
configure() {
	if [ "$1" = a ]; then
		dpa locator $V4A addr $LLA/64 addr $GA/64 onlink 2001:db8:1::/64 link up
	else
		dpb locator $V4B addr $LLB/64 addr $GB/64 onlink 2001:db8:1::/64 link up
	fi
}
start_a() { # start_a ARGS...: sets PA
	bg_ns $NA "$T_TMP/a.log" "$DATAPATH" -d -s "$SA" "$@"
	PA=$BG_PID
	wait_for 5 test -S "$SA"
}
start_b() {
	bg_ns $NB "$T_TMP/b.log" "$DATAPATH" -d -s "$SB" "$@"
	PB=$BG_PID
	wait_for 5 test -S "$SB"
}
stop() { # stop PID: SIGTERM and wait
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
# filters NS DEV DIR: our filter lines (handle 0x5efe) on DEV's DIR hook
filters() { in_ns "$1" tc filter show dev "$2" "$3" 2>/dev/null | grep 'handle 0x5efe'; }
clsact() { in_ns "$1" tc qdisc show dev "$2" | grep -c clsact; }

# ---- 1. both ends with the fast path ------------------------------------------------
check "A's datapath starts" start_a
check "B's datapath starts" start_b
check "A configured" configure a
check "B configured" configure b
fpa=$(dpa fastpath)
check_eq "A: the fast path is active" 1 "$(value fp_active "$fpa")"
check_eq "A: egress on isatap0, ingress on eth0" "isatap0 eth0" \
	"$(value fp_egress "$fpa") $(value fp_ingress "$fpa")"
check "A: tc shows isatap_egress on isatap0" sh -c "ip netns exec $NA tc filter show dev isatap0 egress | grep -q 'handle 0x5efe isatap_egress'"
check "A: tc shows isatap_ingress on eth0" sh -c "ip netns exec $NA tc filter show dev eth0 ingress | grep -q 'handle 0x5efe isatap_ingress'"
check "B: ours next to the clsact that was there" sh -c "ip netns exec $NB tc filter show dev eth0 ingress | grep -q 'handle 0x5efe isatap_ingress'"
check "the one log line says so" grep -q "kernel fast path: egress on isatap0" "$T_TMP/a.log"
# Set-up done: CAP_BPF (and CAP_NET_RAW) are gone, CAP_NET_ADMIN stays.
check_eq "A keeps exactly CAP_NET_ADMIN (effective, permitted)" \
	"0000000000001000 0000000000001000" \
	"$(awk '/^CapEff/ {e=$2} /^CapPrm/ {p=$2} END {print e, p}' /proc/$PA/status)"

in_ns $NB tcpdump -i eth0 -nn -vv -c 4 -w "$T_TMP/wire.pcap" 'ip proto 41' >"$T_TMP/tcpdump.log" 2>&1 &
TD=$!
T_PIDS+=("$TD")
sleep 1
check "ping6 A -> B's link-local" in_ns $NA ping -6 -c 3 -i 0.2 -W 2 "$LLB%isatap0"
check "ping6 A -> B's global address" in_ns $NA ping -6 -c 3 -i 0.2 -W 2 "$GB"
wait_for 5 sh -c "! kill -0 $TD"
kill "$TD" 2>/dev/null
tcpdump -nn -vv -r "$T_TMP/wire.pcap" >"$T_TMP/wire.txt" 2>/dev/null
check "on the wire: plain protocol 41, $V4A > $V4B carrying ICMPv6 between the ISATAP addresses" \
	grep -qE "$V4A > $V4B: .*IP6.*> ($LLB|$GB).*ICMP6, echo request|proto IPv6 \(41\)" "$T_TMP/wire.txt"
check "the outer header's checksum is correct (no 'bad cksum')" sh -c "! grep -q 'bad cksum' '$T_TMP/wire.txt'"

# Bulk: 16 MiB over TCP, checked end to end.
head -c 16777216 /dev/urandom >"$T_TMP/bulk"
before_all=$(dpa counters)
before_fp=$(dpa fastpath)
in_ns $NB timeout 90 socat -u TCP6-LISTEN:5001,reuseaddr OPEN:"$T_TMP/bulk.out",creat,trunc &
SOC=$!
T_PIDS+=("$SOC")
sleep 0.5
check "16 MiB A -> B over TCP" in_ns $NA timeout 60 socat -u OPEN:"$T_TMP/bulk" "TCP6:[$GB]:5001"
wait $SOC 2>/dev/null
check_eq "it arrived intact" "$(sha256sum <"$T_TMP/bulk")" "$(sha256sum <"$T_TMP/bulk.out" 2>/dev/null)"
after_all=$(dpa counters)
after_fp=$(dpa fastpath)
fp_out=$(($(value fp_out_packets "$after_fp") - $(value fp_out_packets "$before_fp")))
all_out=$(($(value out_packets "$after_all") - $(value out_packets "$before_all")))
us_out=$((all_out - fp_out))
check "the fast path carried the bulk out of A ($fp_out packets, 16 MiB)" test "$fp_out" -ge 200
check "user space carried next to none of it ($us_out packets)" test "$us_out" -le 20
fpb=$(dpb fastpath)
check "B's fast path counted it in ($(value fp_in_packets "$fpb") packets)" \
	test "$(value fp_in_packets "$fpb")" -ge 200
check_eq "status and counters agree: nothing dropped on B's fast path" "" \
	"$(grep -E '^fp_in_drop_' <<<"$fpb" | grep -v '=0$')"

# ---- 2. exit leaves tc as it was -----------------------------------------------------
stop "$PA"
stop "$PB"
check_eq "A: no filter of ours on eth0 after exit" "" "$(filters $NA eth0 ingress)"
check_eq "A: the clsact we made on eth0 is gone" 0 "$(clsact $NA eth0)"
check_eq "B: no filter of ours on eth0 after exit" "" "$(filters $NB eth0 ingress)"
check_eq "B: the clsact that was there before stays" 1 "$(clsact $NB eth0)"

# ---- 3. restart under load -------------------------------------------------------------
check "A restarts" start_a
check "B restarts" start_b
configure a >/dev/null
configure b >/dev/null
in_ns $NA ping -6 -n -i 0.05 -c 200 -W 1 "$GB" >"$T_TMP/ping.out" 2>&1 &
PING=$!
T_PIDS+=("$PING")
sleep 2
kill -9 "$PB"
wait "$PB" 2>/dev/null
# A killed datapath leaves its socket file: the next one replaces it.
rm -f "$SB"
check "B's filter outlives its datapath (SIGKILL)" test -n "$(filters $NB eth0 ingress)"
old=$(filters $NB eth0 ingress | sed -n 's/.* id \([0-9]*\) .*/\1/p')
t0=$(date +%s%N)
check "B's next datapath starts" start_b
check "... and is configured again" configure b
t1=$(date +%s%N)
wait $PING
lost=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T_TMP/ping.out")
lost=$((200 - ${lost:-0}))
echo "     restart and reconfiguration took $(((t1 - t0) / 1000000)) ms; $lost of 200 pings (every 50 ms) lost"
check "at most a moment lost: $lost of 200 pings (50 ms apart)" test "$lost" -le 30
new=$(filters $NB eth0 ingress | sed -n 's/.* id \([0-9]*\) .*/\1/p')
check "the new datapath's program replaced the old one at the same handle ($old -> $new)" \
	test -n "$new" -a "$new" != "$old"
check "it says so" grep -q "took over ingress on eth0" "$T_TMP/b.log"
check_eq "one filter of ours, no duplicate" 1 "$(filters $NB eth0 ingress | wc -l)"
stop "$PA"
stop "$PB"

# ---- 4. --no-fastpath ------------------------------------------------------------------
tc_before=$(in_ns $NA tc qdisc show; in_ns $NA tc filter show dev eth0 ingress)
check "A starts with --no-fastpath" start_a --no-fastpath
check "B starts with --no-fastpath" start_b --no-fastpath
configure a >/dev/null
configure b >/dev/null
fpa=$(dpa fastpath)
check_eq "A: not active, because asked" "0 --no-fastpath" \
	"$(value fp_active "$fpa") $(value fp_reason "$fpa")"
check_eq "A: tc untouched (no clsact, no filter)" "$tc_before" \
	"$(in_ns $NA tc qdisc show | grep -v isatap0; in_ns $NA tc filter show dev eth0 ingress)"
check_eq "A: nothing on isatap0 either" 0 "$(clsact $NA isatap0)"
before=$(value out_packets "$(dpa counters)")
check "ping6 A -> B in user space" in_ns $NA ping -6 -c 3 -i 0.2 -W 2 "$GB"
check "user space counted it ($before -> $(value out_packets "$(dpa counters)"))" \
	test "$(value out_packets "$(dpa counters)")" -ge $((before + 3))
stop "$PA"
stop "$PB"

# ---- 5. no CAP_BPF: the fallback ---------------------------------------------------------
check "B starts with the fast path" start_b
configure b >/dev/null
in_ns $NB ethtool -K eth0 tx off >/dev/null
# A as a service manager without CAP_BPF would start it, as its own user
# in a directory of its own.
mkdir -p "$T_TMP/a2"
chown $USER_DP: "$T_TMP/a2"
SA=$T_TMP/a2/dp.sock
# /dev/net/tun is 0600 on some hosts (Debian makes it 0666): then, as in
# t_datapath, CAP_DAC_OVERRIDE too, which the datapath drops with the rest.
caps=+net_admin,+net_raw
in_ns $NA setpriv --reuid=$USER_DP --regid=$USER_DP --clear-groups test -w /dev/net/tun ||
	caps=$caps,+dac_override
bg_ns $NA "$T_TMP/a.log" setpriv --reuid=$USER_DP --regid=$USER_DP --clear-groups \
	--inh-caps=-all,$caps --ambient-caps=-all,$caps \
	"$DATAPATH" -d -s "$SA" -U $USER_DP
PA=$BG_PID
if ! wait_for 5 test -S "$SA"; then
	tail -n 5 "$T_TMP/a.log"
fi
check "A starts without CAP_BPF" test -S "$SA"
dpa() { in_ns $NA setpriv --reuid=$USER_DP --regid=$USER_DP --clear-groups "$DPCLIENT" -s "$SA" "$@"; }
configure a >/dev/null
check_eq "one line says why" 1 "$(grep -c 'kernel fast path off: no privilege to load BPF programs (EPERM)' "$T_TMP/a.log")"
fpa=$(dpa fastpath)
check_eq "A: not active" 0 "$(value fp_active "$fpa")"
check_eq "A: nothing attached anywhere" "0 0" "$(clsact $NA eth0) $(clsact $NA isatap0)"
before=$(value out_packets "$(dpa counters)")
check "ping6 A (user space) -> B (fast path)" in_ns $NA ping -6 -c 3 -i 0.2 -W 2 "$GB"
check "A's user space carried it" test "$(value out_packets "$(dpa counters)")" -ge $((before + 3))
head -c 1048576 /dev/urandom >"$T_TMP/small"
in_ns $NA timeout 40 socat -u TCP6-LISTEN:5002,reuseaddr OPEN:"$T_TMP/small.out",creat,trunc &
SOC=$!
T_PIDS+=("$SOC")
sleep 0.5
check "1 MiB B (fast path) -> A (user space) over TCP" \
	in_ns $NB timeout 30 socat -u OPEN:"$T_TMP/small" "TCP6:[$GA]:5002"
wait $SOC 2>/dev/null
check_eq "it arrived intact" "$(sha256sum <"$T_TMP/small")" "$(sha256sum <"$T_TMP/small.out" 2>/dev/null)"
stop "$PA"
stop "$PB"

t_done
