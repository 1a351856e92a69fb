#!/bin/bash
# Faults against the real Linux-kernel ISATAP router of ../shared/peers (two
# routers, short router lifetimes), with both daemons under a supervisor loop
# as systemd would run them (issue 8, "Faults"):
#   1. control SIGKILLed (and restarted) under a 1000-packet ping6 flood
#      through the router -> 0 replies lost;
#   2. datapath SIGKILLed, restarted by its supervisor -> control restores the
#      locator, addresses, routes and forwarding within 5 s;
#   3. the DNS server goes away -> the last good PRL is kept, forwarding on;
#   5. radvd of the default router stopped -> its default route is withdrawn
#      when its lifetime runs out (not before), traffic keeps flowing through
#      the other router; radvd back -> the router comes back by itself;
#   6. the other router stops (gone from the wire) -> traffic moves back within
#      the router lifetime;
#   4. (last) the client's IPv4 address changes twice within a second -> it
#      converges on the last one, and forwards from it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/hostile-lib.sh"
require_root
require_bins "$DATAPATH" "$CONTROL"
for b in socat jq setpriv; do command -v "$b" >/dev/null || fail_now "$b missing (make deps)"; done

# Our own router instance: fault injection must never touch another suite's.
export ISATAP_ROUTER_NS=ist-h-site
IFN=isth0
CTL_USER=nobody
DP_USER=daemon
RUN=$T_TMP/run
mkdir -p "$RUN"
chown "$CTL_USER" "$RUN"
: >"$RUN/isatap.conf"
# 150 s: the shortest router lifetime RS timing keeps fresh (re-solicit at
# 0.8 x lifetime, never sooner than MinRouterSolicitInterval = 120 s).
LIFE=150
R2=192.0.2.252
peer_up ISATAP_ROUTER_ROUTER2_V4=$R2 ISATAP_ROUTER_DEFAULT_LIFETIME=$LIFE \
	ISATAP_ROUTER_RADVD_IFACE_EXTRA='MaxRtrAdvInterval 100;'
NS=$ISATAP_ROUTER_NS
R1=$ISATAP_ROUTER_V4
FAR=$ISATAP_ROUTER_FAR_ADDR6

# supervise NAME CMD...: restarts CMD whenever it exits, until $RUN/stop-NAME.
supervise() {
	local name=$1
	shift
	(
		while [ ! -e "$RUN/stop-$name" ]; do
			ip netns exec "$NS" "$@" >>"$T_TMP/$name.log" 2>&1
			echo "supervisor: $name exited $?" >>"$T_TMP/$name.log"
			sleep 0.2
		done
	) 2>>"$T_TMP/$name.log" & # bash's own "Killed" notices go to the log too
	T_PIDS+=("$!")
	at_exit "touch $RUN/stop-$name"
}
# pid_of NAME: the daemon's own pid (the one that holds our socket path).
pid_of() {
	case $1 in
	dp) pgrep -f "^$DATAPATH -d -i $IFN -s $RUN/dp.sock" | head -n 1 ;;
	ctl) pgrep -f "^$CONTROL -d -v -f $RUN/isatap.conf" | head -n 1 ;;
	esac
}
stop_all() {
	local p
	touch "$RUN/stop-dp" "$RUN/stop-ctl"
	p=$(pid_of ctl) && [ -n "$p" ] && kill "$p"
	sleep 0.5
	p=$(pid_of dp) && [ -n "$p" ] && kill "$p"
}
at_exit stop_all

rpc() { echo "$1" | ip netns exec "$NS" socat -t 3 - "UNIX-CONNECT:$RUN/ctl.sock"; }
st() { rpc '{"jsonrpc":"2.0","method":"status","id":1}' | jq -r ".result | $1"; }
has_addr() { ip -n "$NS" -6 addr show dev "$IFN" 2>/dev/null | grep -q "inet6 $1/"; }
ping6() { ip netns exec "$NS" ping -6 -n -c "${2:-3}" -i 0.2 -W 2 "$1"; }
ms() { date +%s%3N; }
reachable_n() { st '[.prl[] | select(.state == "reachable")] | length'; }
# route_via V4: control holds a default route through V4.
route_via() { st "[.routes[] | select(.prefix == \"::/0\" and .via == \"$1\")] | length" | grep -qx '[1-9][0-9]*'; }
# no_route_via V4: a status answered, and it has no default route through V4.
no_route_via() { [ "$(st "[.routes[] | select(.prefix == \"::/0\" and .via == \"$1\")] | length")" = 0 ]; }

supervise dp "$DATAPATH" -d -i $IFN -s "$RUN/dp.sock" -U $CTL_USER -u $DP_USER
wait_for 10 test -S "$RUN/dp.sock" || fail_now "datapath did not start: $(tail -n 5 "$T_TMP/dp.log")"
supervise ctl setpriv --reuid=$CTL_USER --regid=nogroup --clear-groups \
	"$CONTROL" -d -v -f "$RUN/isatap.conf" -D "$RUN/dp.sock" -s "$RUN/ctl.sock"
wait_for 10 test -S "$RUN/ctl.sock" || fail_now "control did not start: $(tail -n 5 "$T_TMP/ctl.log")"
wait_for 30 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
wait_for 30 test "$(reachable_n)" = 2
check_eq "both routers found by name and reachable" "$R2,$R1" \
	"$(st '[.prl[] | select(.state == "reachable") | .ipv4] | sort | join(",")')"
check "ping6 the far host $FAR" ping6 "$FAR"
check_fastpath "status: the path that carries it" "$(st .fastpath.active)"

# ---- 1. control SIGKILLed under a 1000-packet flood ------------------------------------
ip netns exec "$NS" ping -6 -n -q -c 1000 -i 0.01 -W 3 "$FAR" >"$T_TMP/flood.txt" 2>&1 &
FLOOD=$!
sleep 2
c1=$(pid_of ctl)
kill -9 "$c1"
sleep 0.5
wait_for 10 sh -c "[ -n \"\$(pgrep -f '^$CONTROL -d -v -f $RUN/isatap.conf')\" ] && [ \"\$(pgrep -f '^$CONTROL -d -v -f $RUN/isatap.conf')\" != $c1 ]"
wait $FLOOD
echo "     $(grep -E 'transmitted' "$T_TMP/flood.txt")"
check "control was SIGKILLed ($c1) and restarted ($(pid_of ctl)) during the flood" \
	test -n "$(pid_of ctl)" -a "$(pid_of ctl)" != "$c1"
check "1000 echo requests, 1000 replies (0 lost) across the control crash" \
	grep -q "1000 packets transmitted, 1000 received" "$T_TMP/flood.txt"
wait_for 10 test "$(st .datapath.connected)" = true
check_eq "the new control resynced: same address, both routers" "$ISATAP_ROUTER_CLIENT_ADDR6 2" \
	"$(st '.addresses | map(select(.address | startswith("2001:"))) | map(.address) | join(",")') $(reachable_n)"

# ---- 2. datapath SIGKILLed, restarted by its supervisor ---------------------------
d1=$(pid_of dp)
t0=$(ms)
kill -9 "$d1"
wait_for 10 sh -c "p=\$(pgrep -f '^$DATAPATH -d -i $IFN -s $RUN/dp.sock'); [ -n \"\$p\" ] && [ \"\$p\" != $d1 ]"
wait_for 10 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
wait_for 10 sh -c "ip -n $NS -6 route show default dev $IFN | grep -q ."
wait_for 10 ping6 "$FAR" 1
t1=$(ms)
echo "     datapath killed -> address, default route and forwarding back in $((t1 - t0)) ms"
check "restored without a human within 5 s ($((t1 - t0)) ms)" test $((t1 - t0)) -le 5000
check_eq "kernel state after the restart: address, link-local, a default route" "yes yes yes" \
	"$(has_addr "$ISATAP_ROUTER_CLIENT_ADDR6" && echo yes) $(has_addr "$ISATAP_ROUTER_CLIENT_LL" && echo yes) $(ip -n "$NS" -6 route show default dev $IFN | grep -q . && echo yes)"
check_eq "datapath state: locator and PRL pushed again" "$ISATAP_ROUTER_CLIENT_V4 $R2,$R1" \
	"$(st '"\(.locator.ipv4) \([.prl[].ipv4] | sort | join(","))"')"
check_eq "control was not restarted by it" 1 "$(pgrep -fc "^$CONTROL -d -v -f $RUN/isatap.conf")"
check_fastpath "status after the restart: the new datapath's path (it replaced the old programs)" \
	"$(st .fastpath.active)"

# ---- 3. DNS gone ------------------------------------------------------------------------------
"$PEER" dns stop >/dev/null || fail_now "dns stop"
e0=$(rpc '{"jsonrpc":"2.0","method":"stats","id":1}' | jq '.result.counters.control.dns_errors')
rpc '{"jsonrpc":"2.0","method":"prl.refresh","id":1}' >/dev/null
wait_for 30 test "$(rpc '{"jsonrpc":"2.0","method":"stats","id":1}' | jq '.result.counters.control.dns_errors')" -gt "$e0"
check "the failed lookup is counted (dns_errors $e0 -> $(rpc '{"jsonrpc":"2.0","method":"stats","id":1}' | jq '.result.counters.control.dns_errors'))" \
	test "$(rpc '{"jsonrpc":"2.0","method":"stats","id":1}' | jq '.result.counters.control.dns_errors')" -gt "$e0"
check_eq "DNS down: the last good PRL kept" "$R2,$R1" "$(st '[.prl[] | select(.origin == "dns") | .ipv4] | sort | join(",")')"
check "DNS down: ping6 the far host" ping6 "$FAR"
"$PEER" dns start >/dev/null || fail_now "dns start"

# ---- 5. radvd of the default router stopped -------------------------------------------
wait_for 30 test "$(reachable_n)" = 2
def=$(st .default_router)
if [ "$def" = "$R1" ]; then n=1 other=$R2; else n=2 other=$R1; fi
age=$(st ".prl[] | select(.ipv4 == \"$def\") | .last_ra_age_s")
(echo '{"jsonrpc":"2.0","method":"subscribe","id":1}'; sleep $((LIFE + 40))) |
	ip netns exec "$NS" socat -t $((LIFE + 40)) - "UNIX-CONNECT:$RUN/ctl.sock" >"$T_TMP/events5.json" 2>&1 &
T_PIDS+=("$!")
sleep 0.5
"$PEER" radvd stop $n >/dev/null || fail_now "radvd stop $n"
t_stop=$SECONDS
# Its route must go by the time its lifetime runs out (LIFE after its last
# RA), and not before its re-solicitation (at 0.8 x LIFE) went unanswered.
expire_in=$((LIFE - age))
resolicit_in=$((LIFE * 8 / 10 - age))
echo "     radvd $n ($def) stopped; its last RA was $age s ago, lifetime $LIFE s: expiry in ~$expire_in s"
check "control holds a default route via $def before" route_via "$def"
wait_for $((expire_in + 30)) no_route_via "$def"
gone=$((SECONDS - t_stop))
why=$(jq -r "select(.method == \"event\" and .params.event == \"router_down\" and .params.router == \"$def\") | .params.reason" "$T_TMP/events5.json" 2>/dev/null | head -n 1)
echo "     default route via $def withdrawn $gone s after radvd stopped (lifetime expiry ~$expire_in s; router_down reason: ${why:-none seen})"
check "withdrawn by the time its lifetime ran out (${gone} s <= ${expire_in} + 5 s)" \
	test "$gone" -le $((expire_in + 5))
check "not withdrawn before its re-solicitation went unanswered (${gone} s >= ${resolicit_in} s)" \
	test "$gone" -ge "$resolicit_in"
check_eq "default router now $other" "$other" "$(st .default_router)"
check "traffic flows through $other" ping6 "$FAR"
"$PEER" radvd start $n >/dev/null || fail_now "radvd start $n"
t0=$SECONDS
wait_for 200 route_via "$def"
back=$((SECONDS - t0))
echo "     radvd $n back: default route via $def again after $back s (solicitation back-off)"
check "router $def back by itself within 200 s ($back s)" test "$back" -lt 200

# ---- 6. the other router vanishes: traffic moves ------------------------------------
def=$(st .default_router)
if [ "$def" = "$R1" ]; then n=1 other=$R2; else n=2 other=$R1; fi
check "ping6 the far host through $def" ping6 "$FAR"
"$PEER" router stop $n >/dev/null || fail_now "router stop $n"
t0=$SECONDS
wait_for $((LIFE + 20)) ping6 "$FAR" 1
took=$((SECONDS - t0))
echo "     router $n ($def) stopped: traffic moved to $other after $took s (lifetime $LIFE s)"
check "traffic moved within the router lifetime ($took s <= $((LIFE + 2)) s)" test "$took" -le $((LIFE + 2))
check_eq "default router now $other" "$other" "$(st .default_router)"
check "ping6 far through $other" ping6 "$FAR" 5
"$PEER" router start $n >/dev/null 2>&1

# ---- 4. (last: the peer's own tools assume the client's first IPv4) IPv4 changes twice within a second ---------------------------------------------
IF4=$ISATAP_ROUTER_CLIENT_IFACE
A2=192.0.2.2
A3=192.0.2.3
CL3_ADDR6=${ISATAP_ROUTER_CLIENT_ADDR6%:*:*}:c000:203
# Deleting a primary address must promote the next one, not take it along.
ip netns exec "$NS" sysctl -qw "net.ipv4.conf.$IF4.promote_secondaries=1"
ip -n "$NS" addr add $A2/24 dev "$IF4"
ip -n "$NS" addr del "$ISATAP_ROUTER_CLIENT_V4/24" dev "$IF4"
sleep 0.4
ip -n "$NS" addr add $A3/24 dev "$IF4"
ip -n "$NS" addr del $A2/24 dev "$IF4"
t0=$SECONDS
wait_for 20 has_addr "$CL3_ADDR6"
wait_for 20 ping6 "$FAR" 1
echo "     converged in $((SECONDS - t0)) s"
check_eq "locator converged on the last address" "$A3" "$(st .locator.ipv4)"
check "address $CL3_ADDR6 in the kernel" has_addr "$CL3_ADDR6"
check "no address for the short-lived $A2 left preferred" \
	bash -c "! ip -n $NS -6 addr show dev $IFN | grep -A1 'c000:202/' | grep -q 'preferred_lft [1-9]'"
check "ping6 the far host from $CL3_ADDR6" ip netns exec "$NS" ping -6 -n -c 3 -i 0.2 -W 2 -I "$CL3_ADDR6" "$FAR"
check_eq "nothing restarted by it (one control, one datapath)" "1 1" \
	"$(pgrep -fc "^$CONTROL -d -v -f $RUN/isatap.conf") $(pgrep -fc "^$DATAPATH -d -i $IFN -s $RUN/dp.sock")"

t_done
