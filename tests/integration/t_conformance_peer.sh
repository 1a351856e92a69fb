#!/bin/bash
# Conformance against the real kernel ISATAP nodes of ../shared/peers (issue
# 14): isatap-datapath and isatap-control in the site namespace, two kernel
# ISATAP routers (sit + radvd) and the kernel ISATAP host host2.
#   1. Neighbor Advertisements (RFC 4861 §7.2.4, review finding 3): a unicast
#      Neighbor Solicitation from host2's addresses for the client's address
#      is answered by the datapath, and host2's kernel takes the answer (its
#      ICMPv6 counters); tshark shows the flags.
#   2. Router reachability (RFC 5214 §8.4, RFC 4861 §7.3, review finding 6):
#      with traffic flowing through the default router, `router stop` on it
#      moves the default route to the other router within tens of seconds
#      (the measured time is printed), and the router is taken back once it
#      answers again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/hostile-lib.sh"

require_root
require_bins "$DATAPATH" "$CONTROL"
for b in socat jq setpriv tcpdump tshark; do
	command -v "$b" >/dev/null || fail_now "$b is not installed (dist/deps.sh)"
done

export ISATAP_ROUTER_NS=${ISATAP_ROUTER_NS:-ist-conf-$$}
IFN=istcnf0
CTL_USER=nobody
DP_USER=daemon
RUN=$T_TMP/run
mkdir -p "$RUN"
chown "$CTL_USER" "$RUN"
: >"$RUN/isatap.conf"
R2=192.0.2.252

# Background processes here run in the peer's namespace, which outlives
# this suite's cleanup of its own: each is started with `ip netns exec ... &`
# (never through a shell function), so that $! is the process itself and
# the cleanup (T_PIDS) stops it.
peer_up ISATAP_ROUTER_ROUTER2_V4=$R2
NS=$ISATAP_ROUTER_NS
R1=$ISATAP_ROUTER_V4
H2=$ISATAP_ROUTER_HOST2_V4
# shellcheck disable=SC2086
H2_LL=fe80::5efe:$(printf '%x%02x:%x%02x' ${H2//./ })
FAR=$ISATAP_ROUTER_FAR_ADDR6
CL_LL=$ISATAP_ROUTER_CLIENT_LL
CL_G=$ISATAP_ROUTER_CLIENT_ADDR6

bg_ns "$NS" "$T_TMP/dp.log" "$DATAPATH" -d -i "$IFN" -s "$RUN/dp.sock" -U "$CTL_USER" -u "$DP_USER"
DP_PID=$BG_PID
wait_for 10 test -S "$RUN/dp.sock" || fail_now "datapath did not start: $(tail -n 5 "$T_TMP/dp.log")"
bg_ns "$NS" "$T_TMP/ctl.log" setpriv --reuid="$CTL_USER" --regid=nogroup --clear-groups \
	"$CONTROL" -d -v -f "$RUN/isatap.conf" -D "$RUN/dp.sock" -s "$RUN/ctl.sock" -r "$R1" -r "$R2"
CTL_PID=$BG_PID
wait_for 10 test -S "$RUN/ctl.sock" || fail_now "control did not start: $(tail -n 5 "$T_TMP/ctl.log")"

rpc() { echo "{\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"id\":1}" | in_ns "$NS" socat -t 3 - "UNIX-CONNECT:$RUN/ctl.sock"; }
st() { rpc status | jq -r ".result | $1"; }
reachable_n() { st '[.prl[] | select(.state == "reachable")] | length'; }
has_addr() { ip -n "$NS" -6 addr show dev "$IFN" | grep -q "inet6 $1/"; }
ping1() { in_ns "$NS" ping -6 -n -c 1 -W 1 "$1"; }
# host2's kernel ICMPv6 counter NAME (its /proc/net/snmp6, in the VM).
h2_snmp6() { "$PEER" vm "ip netns exec host2 cat /proc/net/snmp6" | awk -v k="$1" '$1 == k { print $2 }'; }

wait_for 30 has_addr "$CL_G" || fail_now "no SLAAC address: $(tail -n 5 "$T_TMP/ctl.log")"
wait_for 30 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq '[.result.prl[] | select(.state==\"reachable\")] | length')\" = 2 ]"
check_eq "both kernel routers reachable" 2 "$(reachable_n)"
check_fastpath "status: the path that carries it" "$(st .fastpath.active)"
check "ping6 the kernel host host2 (on-link, direct)" ping1 "$ISATAP_ROUTER_HOST2_ADDR6"

# ---- 1. a Neighbor Solicitation from host2 is answered ------------------------------
# host2's sit driver does no NUD of its own (IFF_NOARP), so its solicitation
# is written here, in the site namespace, as it would send it (from its
# IPv4 address and link-local, hop limit 255, for our global address), and
# injected into this namespace's stack; the answer goes on the wire to
# host2's real kernel, which counts the NA it accepts (sit's RFC 5214 §7.3
# check and the ICMPv6 checksum passed).
ip netns exec "$NS" tcpdump -i "$ISATAP_ROUTER_CLIENT_IFACE" -nn -U -w "$T_TMP/na.pcap" \
	"ip proto 41 and host $H2" >"$T_TMP/tcpdump-na.log" 2>&1 &
TD=$!
T_PIDS+=("$TD")
wait_for 5 grep -q listening "$T_TMP/tcpdump-na.log"
na_in0=$(h2_snmp6 Icmp6InNeighborAdvertisements)
na_in0=${na_in0:-0}
err0=$(h2_snmp6 Icmp6InErrors)
sent0=$(st '.counters.nd_na_sent // 0') # (// 0: also against an older build)
for target in "$CL_G" "$CL_LL"; do
	in_ns "$NS" $FORGE --l3 --src "$H2" --dst "$ISATAP_ROUTER_CLIENT_V4" --kind ns --hlim 255 \
		--isrc "$H2_LL" --idst "$CL_LL" --target "$target" >>"$T_TMP/forge.log" 2>&1
done
wait_for 10 sh -c "[ \$($PEER vm 'ip netns exec host2 cat /proc/net/snmp6' | awk '\$1 == \"Icmp6InNeighborAdvertisements\" { print \$2 }') -ge $((na_in0 + 2)) ]"
na_in1=$(h2_snmp6 Icmp6InNeighborAdvertisements)
err1=$(h2_snmp6 Icmp6InErrors)
sleep 1.2 # one counters poll
check_eq "the datapath answered both (nd_na_sent)" 2 $(($(st '.counters.nd_na_sent // 0') - sent0))
check_eq "host2's kernel accepted both NAs (Icmp6InNeighborAdvertisements)" 2 $((na_in1 - na_in0))
check_eq "and found nothing wrong with them (Icmp6InErrors)" 0 $((err1 - err0))
kill "$TD" 2>/dev/null
wait "$TD" 2>/dev/null
tshark -r "$T_TMP/na.pcap" -Y icmpv6.type==136 -T fields -E separator=' ' \
	-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e ipv6.hlim -e icmpv6.nd.na.flag.r \
	-e icmpv6.nd.na.flag.s -e icmpv6.nd.na.flag.o -e icmpv6.nd.na.target_address \
	2>/dev/null | sed 's/True/1/g; s/False/0/g' >"$T_TMP/na.txt"
check_eq "the NAs on the wire (outer src dst, src, dst, hlim, R S O, target)" \
	"$ISATAP_ROUTER_CLIENT_V4 $H2 $CL_G $H2_LL 255 0 1 1 $CL_G|$ISATAP_ROUTER_CLIENT_V4 $H2 $CL_LL $H2_LL 255 0 1 1 $CL_LL" \
	"$(tr '\n' '|' <"$T_TMP/na.txt" | sed 's/|$//')"
check "control saw none of it (no ND_RECV)" \
	test "$(rpc stats | jq .result.counters.control.nd_ignored_type)" = 0

# ---- 2. the default router dies while traffic flows -----------------------------------
def=$(st .default_router)
if [ "$def" = "$R1" ]; then n=1 other=$R2; else n=2 other=$R1; fi
check "ping6 the far host through $def" ping1 "$FAR"
# A steady flow: one echo every 200 ms, each reply time-stamped (-D).
ip netns exec "$NS" ping -6 -n -D -i 0.2 -W 1 "$FAR" >"$T_TMP/ping.log" 2>&1 &
PING=$!
T_PIDS+=("$PING")
sleep 2
"$PEER" router stop $n >/dev/null || fail_now "router stop $n"
t0=$(date +%s%N)
wait_for 120 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -r .result.default_router)\" = $other ]"
t1=$(date +%s%N)
# The first reply after the stop marks when traffic flowed again.
wait_for 20 sh -c "awk -v t=$((t0 / 1000000)) -F'[][]' '/bytes from/ && \$2 * 1000 > t' '$T_TMP/ping.log' | grep -q ."
# (%.0f: mawk's %d is 32 bits.)
t2=$(awk -v t=$((t0 / 1000000)) -F'[][]' '/bytes from/ && $2 * 1000 > t { printf "%.0f\n", $2 * 1000; exit }' "$T_TMP/ping.log")
kill "$PING" 2>/dev/null
switch_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
resume_s=$(awk -v a="$t0" -v b="${t2:-0}" 'BEGIN { if (b == 0) print "never"; else printf "%.1f", b / 1000 - a / 1e9 }')
probes=$(rpc stats | jq '.result.counters.control.nud_probes // 0')
echo "     router $n ($def) stopped: default router $other after $switch_s s, replies again after $resume_s s ($probes reachability probes; router lifetime 1800 s)"
check_eq "default router is now $other" "$other" "$(st .default_router)"
check "the dead router noticed within 60 s (took $switch_s s)" \
	awk -v s="$switch_s" 'BEGIN { exit !(s <= 60) }'
check_eq "$def marked unreachable" unreachable "$(st ".prl[] | select(.ipv4 == \"$def\") | .state")"
check "ping6 the far host through $other" ping1 "$FAR"
check_eq "router_down by reachability (nud_unreachable)" 1 \
	"$(rpc stats | jq '.result.counters.control.nud_unreachable // 0')"
# Back when it answers again (solicited with the RFC 7559 backoff).
"$PEER" router start $n >/dev/null || fail_now "router start $n"
t0=$SECONDS
wait_for 150 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -r '.result.prl[] | select(.ipv4 == \"$def\") | .state')\" = reachable ]"
echo "     router $n back: reachable again after $((SECONDS - t0)) s"
check_eq "$def reachable again once it answers" reachable "$(st ".prl[] | select(.ipv4 == \"$def\") | .state")"
check_eq "nothing restarted" "0" "$(kill -0 "$CTL_PID" "$DP_PID"; echo $?)"

kill "$CTL_PID"
wait "$CTL_PID"
check_eq "control exits 0 on SIGTERM" 0 $?
kill "$DP_PID"
wait "$DP_PID"
t_done
