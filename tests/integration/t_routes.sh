#!/bin/bash
# The host's routes are not the tunnel's (issue 13 item 1, review finding 1).
#
#   ist-routes   an interface d0 (one end of a veth pair: not every kernel
#                has the dummy driver) standing for the host's native IPv6
#                (its own default route and prefix routes), and
#                isatap-datapath, driven over its socket by tests/tools/dpclient
#
# The datapath must never replace, delete or hide a route it did not make:
# its routes carry protocol 41 and a metric of 1000000000 + control's; a
# route of another interface that ours would replace or hide is refused and
# counted (route_clash); a default route over the tunnel sits behind the
# native one; deleting ours never removes theirs, even a route of the same
# prefix and metric that someone put on the tunnel itself; and when the
# datapath stops, every other route of the host is exactly as it was.
. "$(dirname "$0")/lib.sh"
require_root
require_bins "$DATAPATH" "$DPCLIENT"

NS=ist-routes
SOCK=$T_TMP/dp.sock
LOC4=192.0.2.1
RTR4=192.0.2.254
BAND=1000000000

ns_add $NS
in_ns $NS ip link add d0 type veth peer name d0p
in_ns $NS ip link set d0p up
in_ns $NS ip link set d0 up
in_ns $NS ip addr add $LOC4/24 dev d0
in_ns $NS ip -6 addr add 2001:db8:ff::1/64 dev d0 nodad
# The host's own: a native default route (metric 1024, as RA, systemd-networkd
# and `ip route add` give it), a prefix at 1024 (the review's case), one at 256
# (what the kernel gives its own prefix routes), and one in our band.
in_ns $NS ip -6 route add default via fe80::1 dev d0
in_ns $NS ip -6 route add 2001:db8:99::/64 dev d0 metric 1024
in_ns $NS ip -6 route add 2001:db8:1::/64 dev d0 metric 256
in_ns $NS ip -6 route add 2001:db8:98::/64 dev d0 metric $((BAND + 1024))

# host_routes: every IPv6 route of the host but the tunnel's, in a stable order.
host_routes() { in_ns $NS ip -6 route show table all | grep -v 'dev isatap0' | sort; }
host_routes >"$T_TMP/routes.before"

bg_ns $NS "$T_TMP/dp.log" "$DATAPATH" -d -i isatap0 -s "$SOCK" -U root
DP_PID=$BG_PID
wait_for 10 test -S "$SOCK" || fail_now "datapath did not create $SOCK: $(tail -n 5 "$T_TMP/dp.log")"

dpc() { in_ns $NS "$DPCLIENT" -s "$SOCK" "$@"; }
counter() { dpc counters | awk -F= -v n="$1" '$1 == n { print $2 }'; }

dpc locator $LOC4 prl $RTR4 addr fe80::5efe:c000:201/64 link up \
	route ::/0 $RTR4 1024 route 2001:db8:99::/64 $RTR4 1024 onlink 2001:db8:1::/64 \
	>"$T_TMP/config.out" 2>&1
check "the tunnel's configuration is accepted (no clash: the host's routes are better)" \
	test "$(grep -c ' ok$' "$T_TMP/config.out")" = 7

# ---- coexistence ------------------------------------------------------------------
check_eq "native default route still there, unchanged" \
	"default via fe80::1 dev d0 metric 1024 pref medium" \
	"$(in_ns $NS ip -6 route show default | grep 'dev d0')"
check_eq "the tunnel's default route sits behind it (proto 41, metric $BAND + 1024)" \
	"default proto 41 metric $((BAND + 1024)) pref medium" \
	"$(in_ns $NS ip -6 route show default dev isatap0)"
check_eq "d0's 2001:db8:99::/64 (the review's case) still there" \
	"2001:db8:99::/64 dev d0 metric 1024 pref medium" \
	"$(in_ns $NS ip -6 route show 2001:db8:99::/64 | grep 'dev d0')"
check_eq "d0's 2001:db8:1::/64 (metric 256) still there next to the on-link prefix" \
	"2001:db8:1::/64 dev d0 metric 256 pref medium" \
	"$(in_ns $NS ip -6 route show 2001:db8:1::/64 | grep 'dev d0')"
check "traffic to the Internet still leaves by the native route" \
	bash -c "ip netns exec $NS ip -6 route get 2001:db8:5::1 | grep -q 'dev d0'"
check "traffic to 2001:db8:99::/64 still goes to d0" \
	bash -c "ip netns exec $NS ip -6 route get 2001:db8:99::5 | grep -q 'dev d0'"
check_eq "every route of the tunnel carries protocol 41" "" \
	"$(in_ns $NS ip -6 route show dev isatap0 | grep -v '^fe80::/64' | grep -v 'proto 41')"

# ---- a route ours would replace or hide: refused and counted -------------------
c0=$(counter route_clash)
dpc route 2001:db8:98::/64 $RTR4 1024 >"$T_TMP/clash.out" 2>&1
check "ROUTE_ADD 2001:db8:98::/64 at d0's own metric is refused (EEXIST)" \
	grep -q 'ROUTE_ADD error -17' "$T_TMP/clash.out"
check_eq "route_clash counted it" "$((c0 + 1))" "$(counter route_clash)"
check_eq "d0's 2001:db8:98::/64 untouched" \
	"2001:db8:98::/64 dev d0 metric $((BAND + 1024)) pref medium" \
	"$(in_ns $NS ip -6 route show 2001:db8:98::/64)"
check_eq "and the datapath does not hold it" "" \
	"$(dpc state | grep '^route=2001:db8:98::/64')"
dpc route-del 2001:db8:98::/64 $RTR4 >"$T_TMP/clash-del.out" 2>&1
check "ROUTE_DEL of it then finds nothing of ours (ENOENT)" \
	grep -q 'ROUTE_DEL error -2' "$T_TMP/clash-del.out"
check_eq "d0's 2001:db8:98::/64 still there after the delete" \
	"2001:db8:98::/64 dev d0 metric $((BAND + 1024)) pref medium" \
	"$(in_ns $NS ip -6 route show 2001:db8:98::/64)"
# A host route at exactly the metric the tunnel would use (IPv6 would have
# replaced it with NLM_F_REPLACE) is left alone too.
in_ns $NS ip -6 route add 2001:db8:97::/64 dev d0 metric $((BAND + 768))
dpc route 2001:db8:97::/64 $RTR4 768 >"$T_TMP/clash2.out" 2>&1
check "ROUTE_ADD at the metric of a host route refused" \
	grep -q 'ROUTE_ADD error -17' "$T_TMP/clash2.out"
in_ns $NS ip -6 route del 2001:db8:97::/64 dev d0 metric $((BAND + 768))
dpc route 2001:db8:97::/64 $RTR4 768 >"$T_TMP/clash3.out" 2>&1
check "accepted once that route is gone" grep -q 'ROUTE_ADD ok' "$T_TMP/clash3.out"

# ---- ADD then DEL never removes a foreign route ------------------------------------
dpc route-del 2001:db8:99::/64 $RTR4 route-del ::/0 $RTR4 >"$T_TMP/del.out" 2>&1
check "ROUTE_DEL of the tunnel's routes accepted" test "$(grep -c ' ok$' "$T_TMP/del.out")" = 2
check_eq "d0's 2001:db8:99::/64 survives the tunnel's ADD then DEL" \
	"2001:db8:99::/64 dev d0 metric 1024 pref medium" \
	"$(in_ns $NS ip -6 route show 2001:db8:99::/64)"
check_eq "the native default route survives the tunnel's ADD then DEL" \
	"default via fe80::1 dev d0 metric 1024 pref medium" \
	"$(in_ns $NS ip -6 route show default)"
# Someone's own route on the tunnel interface, same prefix and metric the
# datapath would have used before: ours goes and theirs stays.
in_ns $NS ip -6 route add 2001:db8:96::/64 dev isatap0 metric 1024
dpc route 2001:db8:96::/64 $RTR4 1024 route-del 2001:db8:96::/64 $RTR4 >"$T_TMP/own.out" 2>&1
check "ROUTE_ADD then ROUTE_DEL next to an admin's route on isatap0" \
	test "$(grep -c ' ok$' "$T_TMP/own.out")" = 2
check_eq "the admin's route on isatap0 stays" \
	"2001:db8:96::/64 dev isatap0 metric 1024 pref medium" \
	"$(in_ns $NS ip -6 route show 2001:db8:96::/64)"
in_ns $NS ip -6 route del 2001:db8:96::/64 dev isatap0 metric 1024

# ---- stop: the host's routes exactly as they were ----------------------------------
dpc route ::/0 $RTR4 1024 route 2001:db8:99::/64 $RTR4 1024 >/dev/null 2>&1
kill -TERM "$DP_PID"
wait_for 10 bash -c "! kill -0 $DP_PID 2>/dev/null" || fail_now "datapath did not exit on SIGTERM"
host_routes >"$T_TMP/routes.after"
check "after the datapath stops, the host's routes are exactly as they were" \
	diff -u "$T_TMP/routes.before" "$T_TMP/routes.after"
t_done
