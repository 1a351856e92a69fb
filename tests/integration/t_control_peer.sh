#!/bin/bash
# isatap-control + isatap-datapath against the real Linux-kernel ISATAP router
# of ../shared/peers (sit + radvd in qemu, dnsmasq, a kernel ISATAP host, a
# host behind the router). The two daemons run as two different unprivileged
# users in the site namespace, exactly as installed:
#   1. discovery by the DNS name alone: the SLAAC address, pings to the
#      router, through it (forwarded) and to host2 (direct), `status`,
#      the API's permission check;
#   2. control SIGKILLed during a steady ping6: no reply lost;
#   3. the client's IPv4 address changes: new address and ping6 within 10 s,
#      the old address removed at once (its IPv4 address left the host),
#      nothing restarted, events on a subscriber;
#   4. RA options (MTU, RDNSS, DNSSL, Route Information, short prefix
#      lifetimes): applied, reported, deprecated and removed on time;
#   5. two routers from one name: when the default one stops, traffic moves
#      to the other within the router lifetime;
#   6. stale routers (review finding 2): with dnsmasq stopped (an outage) the
#      router is kept; when the name answers NXDOMAIN it leaves the PRL with
#      its default route, and status says why.
# Set T_CONTROL_PHASES="1 2 3" to run some phases only.
. "$(dirname "$0")/lib.sh"

require_root
require_bins "$DATAPATH" "$CONTROL"
for b in socat jq setpriv tcpdump; do
	command -v "$b" >/dev/null || fail_now "$b is not installed (dist/deps.sh)"
done
PHASES=${T_CONTROL_PHASES:-1 2 3 6 4 5}
phase() { [[ " $PHASES " == *" $1 "* ]]; }

# Our own router instance, so that parallel runs of this suite never share one.
export ISATAP_ROUTER_NS=${ISATAP_ROUTER_NS:-ist-ctlpeer-$$}
IFN=istctl0
CTL_USER=nobody
DP_USER=daemon
RUN=$T_TMP/run
mkdir -p "$RUN"
chown "$CTL_USER" "$RUN"
: >"$RUN/isatap.conf"
CTL_PID=
DP_PID=

start_dp() {
	bg_ns "$NS" "$T_TMP/dp.log" "$DATAPATH" -d -i "$IFN" -s "$RUN/dp.sock" -U "$CTL_USER" -u "$DP_USER"
	DP_PID=$BG_PID
	wait_for 10 test -S "$RUN/dp.sock" || fail_now "datapath did not start: $(tail -n 5 "$T_TMP/dp.log")"
}

start_ctl() {
	bg_ns "$NS" "$T_TMP/ctl.log" setpriv --reuid="$CTL_USER" --regid=nogroup --clear-groups \
		"$CONTROL" -d -v -v -f "$RUN/isatap.conf" -D "$RUN/dp.sock" -s "$RUN/ctl.sock" "$@"
	CTL_PID=$BG_PID
	wait_for 10 test -S "$RUN/ctl.sock" || fail_now "control did not start: $(tail -n 5 "$T_TMP/ctl.log")"
}

# stop_daemons: SIGTERM both; each must exit 0 on its own.
stop_daemons() {
	local rc
	if [ -n "$CTL_PID" ]; then
		kill "$CTL_PID"
		wait "$CTL_PID"
		rc=$?
		check_eq "control exits 0 on SIGTERM" 0 "$rc"
	fi
	if [ -n "$DP_PID" ]; then
		kill "$DP_PID"
		wait "$DP_PID"
	fi
	CTL_PID= DP_PID=
}

# rpc JSON [USER]: one request on the API socket, the reply on stdout.
rpc() {
	local pre=()
	[ -n "${2:-}" ] && pre=(setpriv --reuid="$2" --regid=nogroup --clear-groups)
	echo "$1" | ip netns exec "$NS" "${pre[@]}" socat -t 3 - "UNIX-CONNECT:$RUN/ctl.sock"
}
status() { rpc '{"jsonrpc":"2.0","method":"status","id":1}' | jq -c "${1:-.}"; }
st() { status ".result | $1" | tr -d '"'; }

kernel_globals() {
	ip -n "$NS" -6 -o addr show dev "$IFN" scope global | awk '{print $4}' | sort | tr '\n' ' '
}
has_addr() { ip -n "$NS" -6 addr show dev "$IFN" | grep -q "inet6 $1/"; }
ms() { date +%s%3N; }
ping6() { ip netns exec "$NS" ping -6 -n -c "${2:-3}" -i 0.2 -W 2 "$1"; }

# up PEER-SETTINGS...: (re)starts the router, then both daemons.
up() {
	peer_up "$@"
	NS=$ISATAP_ROUTER_NS
	start_dp
	start_ctl
}

# ---- 1. discovery by name ---------------------------------------------------------
up
if phase 1; then
	t0=$SECONDS
	wait_for 20 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	check "SLAAC address $ISATAP_ROUTER_CLIENT_ADDR6 up (in $((SECONDS - t0)) s)" has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	check_eq "exactly the address the router's prefix implies" "$ISATAP_ROUTER_CLIENT_ADDR6/64 " "$(kernel_globals)"
	check "link-local $ISATAP_ROUTER_CLIENT_LL" has_addr "$ISATAP_ROUTER_CLIENT_LL"
	check_eq "control runs unprivileged" "$CTL_USER" "$(ps -o user= -p "$CTL_PID" | tr -d ' ')"
	check "ping6 the router $ISATAP_ROUTER_ADDR6" ping6 "$ISATAP_ROUTER_ADDR6"
	check "ping6 through the router $ISATAP_ROUTER_FAR_ADDR6" ping6 "$ISATAP_ROUTER_FAR_ADDR6"
	# host2 is on-link: its packets go to its own IPv4, never the router's.
	ip netns exec "$NS" timeout 8 tcpdump -n -i "$ISATAP_ROUTER_CLIENT_IFACE" -c 1 \
		"ip proto 41 and src $ISATAP_ROUTER_CLIENT_V4 and dst $ISATAP_ROUTER_HOST2_V4" \
		>"$T_TMP/direct.pcap.txt" 2>&1 &
	tcpd=$!
	sleep 1
	check "ping6 host2 directly $ISATAP_ROUTER_HOST2_ADDR6" ping6 "$ISATAP_ROUTER_HOST2_ADDR6"
	wait $tcpd
	check "host2 reached at its own IPv4 $ISATAP_ROUTER_HOST2_V4" grep -q "> $ISATAP_ROUTER_HOST2_V4" "$T_TMP/direct.pcap.txt"

	status >"$T_TMP/status.json"
	check_eq "status: version" 1 "$(jq .result.version "$T_TMP/status.json")"
	check_eq "status: router found by name" "$ISATAP_ROUTER_V4 dns $ISATAP_ROUTER_DNS_NAME reachable true" \
		"$(jq -r '.result.prl[0] | "\(.ipv4) \(.origin) \(.name) \(.state) \(.is_default)"' "$T_TMP/status.json")"
	check_eq "status: default router" "$ISATAP_ROUTER_V4" "$(jq -r .result.default_router "$T_TMP/status.json")"
	check_eq "status: address" "$ISATAP_ROUTER_CLIENT_ADDR6 64 preferred $ISATAP_ROUTER_V4" \
		"$(jq -r '.result.addresses | map("\(.address) \(.prefix_len) \(.state) \(.router)") | join(",")' "$T_TMP/status.json")"
	check_eq "status: locator" "$ISATAP_ROUTER_CLIENT_V4 auto" \
		"$(jq -r '.result.locator | "\(.ipv4) \(.source)"' "$T_TMP/status.json")"
	check_eq "status: link-local" "$ISATAP_ROUTER_CLIENT_LL" "$(jq -r .result.link_local "$T_TMP/status.json")"
	check_eq "status: interface" "$IFN up" "$(jq -r '.result.interface | "\(.name) \(.state)"' "$T_TMP/status.json")"
	check_eq "status: datapath connected" true "$(jq .result.datapath.connected "$T_TMP/status.json")"
	check_fastpath "status: the path that carries it" "$(jq .result.fastpath.active "$T_TMP/status.json")"
	check_eq "status: default route" "::/0 $ISATAP_ROUTER_V4 default" \
		"$(jq -r '.result.routes | map("\(.prefix) \(.via) \(.origin)") | join(",")' "$T_TMP/status.json")"
	sleep 1.2 # counters are polled every second
	check "status: packets counted both ways" \
		test "$(st '.counters | [.in_packets, .out_packets] | min')" -ge 9

	# The API: reads for anyone, changes for root or the group only.
	check "routers.add refused to $CTL_USER" grep -q '"code":-32000' \
		<(rpc '{"jsonrpc":"2.0","method":"routers.add","params":{"router":"192.0.2.9"},"id":1}' "$CTL_USER")
	check "status open to $CTL_USER" grep -q '"result":{"version":1' \
		<(rpc '{"jsonrpc":"2.0","method":"status","id":1}' "$CTL_USER")
	check "routers.add for root" grep -q '"result":{"added":true}' \
		<(rpc '{"jsonrpc":"2.0","method":"routers.add","params":{"router":"192.0.2.9"},"id":1}')
	check_eq "routers.list shows it" "192.0.2.9 static" \
		"$(rpc '{"jsonrpc":"2.0","method":"routers.list","id":1}' | jq -r '.result.routers[] | select(.ipv4=="192.0.2.9") | "\(.ipv4) \(.origin)"')"
	check "routers.remove" grep -q '"result":{"removed":true}' \
		<(rpc '{"jsonrpc":"2.0","method":"routers.remove","params":{"router":"192.0.2.9"},"id":1}')
	check "unknown param refused" grep -q '"code":-32602' \
		<(rpc '{"jsonrpc":"2.0","method":"status","params":{"all":true},"id":1}')
	check "solicit" grep -q "\"solicited\":\[\"$ISATAP_ROUTER_V4\"\]" \
		<(rpc '{"jsonrpc":"2.0","method":"solicit","id":1}')
	check "stats" grep -q '"result":{"version":1,"counters":{"out_packets"' \
		<(rpc '{"jsonrpc":"2.0","method":"stats","id":1}')
fi

# ---- 2. control SIGKILLed during a steady ping6 --------------------------------------
if phase 2; then
	wait_for 20 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	ip netns exec "$NS" ping -6 -n -i 0.05 -c 200 -W 2 "$ISATAP_ROUTER_FAR_ADDR6" >"$T_TMP/ping-kill.txt" 2>&1 &
	pinger=$!
	sleep 2
	kill -9 "$CTL_PID"
	wait "$CTL_PID" 2>/dev/null
	t0=$(ms)
	start_ctl
	wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q '\"connected\":true'"
	t1=$(ms)
	wait $pinger
	echo "     control restarted and resynced with the datapath in $((t1 - t0)) ms"
	check "no ping6 reply lost while control restarts (of 200 at 50 ms)" grep -q " 200 received, 0% packet loss" "$T_TMP/ping-kill.txt"
	grep "packet loss" "$T_TMP/ping-kill.txt" | sed 's/^/     /'
	check_eq "datapath kept running" 0 "$(kill -0 "$DP_PID"; echo $?)"
	check_eq "after the restart: the same address, once" "$ISATAP_ROUTER_CLIENT_ADDR6/64 " "$(kernel_globals)"
	wait_for 10 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -r .result.prl[0].state)\" = reachable ]"
	check_eq "after the restart: router reachable, default" "reachable $ISATAP_ROUTER_V4" \
		"$(st '"\(.prl[0].state) \(.default_router)"')"
fi

# ---- 3. the client's IPv4 address changes ------------------------------------------------
if phase 3; then
	wait_for 20 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	NEW_V4=192.0.2.10
	NEW_ADDR6=${ISATAP_ROUTER_CLIENT_ADDR6%:*:*}:c000:20a
	# A subscriber, to see the events.
	(echo '{"jsonrpc":"2.0","method":"subscribe","id":1}'; sleep 30) |
		ip netns exec "$NS" socat -t 30 - "UNIX-CONNECT:$RUN/ctl.sock" >"$T_TMP/events.txt" 2>&1 &
	sub=$!
	sleep 0.5
	pids_before="$CTL_PID $DP_PID"
	t0=$(ms)
	# DHCP-style: the old address goes, the new one comes within the
	# debounce, so control sees one change (and dnsmasq, on the old address,
	# stops answering: the last good PRL must be kept).
	ip -n "$NS" addr del "$ISATAP_ROUTER_CLIENT_V4/$ISATAP_ROUTER_V4_PLEN" dev "$ISATAP_ROUTER_CLIENT_IFACE"
	ip -n "$NS" addr add "$NEW_V4/$ISATAP_ROUTER_V4_PLEN" dev "$ISATAP_ROUTER_CLIENT_IFACE"
	wait_for 10 has_addr "$NEW_ADDR6"
	wait_for 10 ping6 "$ISATAP_ROUTER_FAR_ADDR6" 1
	t1=$(ms)
	echo "     new address and a working ping6 $((t1 - t0)) ms after the IPv4 change"
	check "new address $NEW_ADDR6" has_addr "$NEW_ADDR6"
	check "ping6 through the router from the new address within 10 s" test $((t1 - t0)) -lt 10000
	check "ping6 the router from the new address" ping6 "$ISATAP_ROUTER_ADDR6"
	check_eq "no process restarted" "$pids_before" "$(kill -0 $CTL_PID $DP_PID && echo "$CTL_PID $DP_PID")"
	check_eq "status: new locator" "$NEW_V4 auto" "$(st '.locator | "\(.ipv4) \(.source)"')"
	# The old IPv4 address left the host, so its locator left the locator
	# set and its addresses go at once (RFC 5214 §6.2): nothing could be
	# sent from them or received on them any more.
	check_eq "status: the old address is gone with its IPv4 address" "" \
		"$(st ".addresses[] | select(.address==\"$ISATAP_ROUTER_CLIENT_ADDR6\") | .state")"
	check "the kernel no longer has the old address" bash -c "! ip -n $NS -6 addr show dev $IFN | grep -q 'inet6 $ISATAP_ROUTER_CLIENT_ADDR6/'"
	check_eq "status: the PRL survived the dead DNS server" "$ISATAP_ROUTER_V4" "$(st '.prl[0].ipv4')"
	kill $sub 2>/dev/null
	wait $sub 2>/dev/null
	check "event: locator_changed" grep -q "\"event\":\"locator_changed\".*\"ipv4\":\"$NEW_V4\",\"previous\":\"$ISATAP_ROUTER_CLIENT_V4\"" "$T_TMP/events.txt"
	check "event: address_added $NEW_ADDR6" grep -q "\"event\":\"address_added\".*\"address\":\"$NEW_ADDR6\"" "$T_TMP/events.txt"
	check "event: address_removed" grep -q "\"event\":\"address_removed\".*\"address\":\"$ISATAP_ROUTER_CLIENT_ADDR6\"" "$T_TMP/events.txt"
fi
stop_daemons
# Phase 3 leaves the site as it found it: the site's DNS server (the peer's
# dnsmasq) listens on the client's first address, and phase 6 asks it.
if phase 3; then
	ip -n "$NS" addr del "$NEW_V4/$ISATAP_ROUTER_V4_PLEN" dev "$ISATAP_ROUTER_CLIENT_IFACE"
	ip -n "$NS" addr add "$ISATAP_ROUTER_CLIENT_V4/$ISATAP_ROUTER_V4_PLEN" dev "$ISATAP_ROUTER_CLIENT_IFACE"
	wait_for 10 sh -c "ip netns exec $NS getent ahostsv4 $ISATAP_ROUTER_DNS_NAME >/dev/null" ||
		fail_now "the site's DNS does not answer again after phase 3"
fi

# ---- 6. stale routers: an outage is not NXDOMAIN ----------------------------------------
if phase 6; then
	# The router is what the DNS name gives. The site's dnsmasq (peers/)
	# answers NXDOMAIN for names of its domain it has no record of: a name
	# that /etc/hosts resolves at first and that then leaves it is one the
	# site deleted (RFC 6964: how ISATAP is turned off).
	GONE=isatap.gone.${ISATAP_ROUTER_DNS_NAME#*.}
	HOSTS=/etc/netns/$NS/hosts
	printf '127.0.0.1 localhost\n' >"$HOSTS"
	at_exit "rm -f '$HOSTS'"
	printf 'router %s\n' "$ISATAP_ROUTER_DNS_NAME" >"$RUN/isatap.conf"
	start_dp
	start_ctl
	names() { st ".names[0] | \"\(.name) \(.state) \(.routers)\""; }
	refresh() { rpc '{"jsonrpc":"2.0","method":"prl.refresh","id":1}' >/dev/null; }
	reachable() { [ "$(st '[.prl[] | select(.state=="reachable")] | length')" = 1 ]; }
	wait_for 30 reachable
	check_eq "the router from $ISATAP_ROUTER_DNS_NAME, reachable" \
		"$ISATAP_ROUTER_DNS_NAME resolved 1 $ISATAP_ROUTER_V4" "$(names) $(st .default_router)"
	# dnsmasq killed: lookups fail (an outage, not an answer).
	"$PEER" dns stop >/dev/null || fail_now "dns stop"
	refresh
	wait_for 20 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -r .result.names[0].state)\" = failing ]"
	check_eq "DNS down: status says failing, the router is kept" \
		"$ISATAP_ROUTER_DNS_NAME failing 1 $ISATAP_ROUTER_V4" "$(names) $(st '.prl[0].ipv4')"
	check_eq "DNS down: still the default router" "$ISATAP_ROUTER_V4" "$(st .default_router)"
	check "DNS down: the default route stays on $IFN" sh -c "ip -n $NS -6 route show default dev $IFN | grep -q ."
	check "DNS down: ping6 through the router still works" ping6 "$ISATAP_ROUTER_FAR_ADDR6"
	"$PEER" dns start >/dev/null || fail_now "dns start"
	# The same router under a name only /etc/hosts has (SIGHUP).
	printf '127.0.0.1 localhost\n%s %s\n' "$ISATAP_ROUTER_V4" "$GONE" >"$HOSTS"
	printf 'router %s\n' "$GONE" >"$RUN/isatap.conf"
	kill -HUP "$CTL_PID"
	wait_for 30 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -e '.result.names[0].name == \"$GONE\" and ([.result.prl[] | select(.state==\"reachable\")] | length) == 1'"
	check_eq "the router from $GONE (/etc/hosts), reachable" "$GONE resolved 1 $ISATAP_ROUTER_V4" \
		"$(names) $(st .default_router)"
	(echo '{"jsonrpc":"2.0","method":"subscribe","id":1}'; sleep 20) |
		ip netns exec "$NS" socat -t 20 - "UNIX-CONNECT:$RUN/ctl.sock" >"$T_TMP/events6.txt" 2>&1 &
	sub=$!
	sleep 0.5
	# The site deletes the name: the real dnsmasq now answers NXDOMAIN.
	printf '127.0.0.1 localhost\n' >"$HOSTS"
	refresh
	wait_for 20 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -r .result.names[0].state)\" = no_such_name ]"
	check_eq "NXDOMAIN: status says no_such_name, no router from it" "$GONE no_such_name 0" "$(names)"
	check_eq "NXDOMAIN: the router left the PRL" 0 "$(st '.prl | length')"
	check_eq "NXDOMAIN: no default router" null "$(st .default_router)"
	check "NXDOMAIN: no default route on $IFN" sh -c "! ip -n $NS -6 route show default dev $IFN | grep -q ."
	check "NXDOMAIN: nothing is solicited any more" grep -q '"solicited":\[\]' \
		<(rpc '{"jsonrpc":"2.0","method":"solicit","id":1}')
	check "NXDOMAIN: counted as dns_no_such_name, not as a failure" test \
		"$(rpc '{"jsonrpc":"2.0","method":"stats","id":1}' | jq .result.counters.control.dns_no_such_name)" -ge 1
	kill $sub 2>/dev/null
	wait $sub 2>/dev/null
	check "event: router_down $ISATAP_ROUTER_V4 no_such_name" \
		grep -q "\"event\":\"router_down\".*\"router\":\"$ISATAP_ROUTER_V4\",\"reason\":\"no_such_name\"" "$T_TMP/events6.txt"
	check "isatapctl status says why" sh -c "ip netns exec $NS '$CTL' -s '$RUN/ctl.sock' status | grep -q '$GONE.*no_such_name.*NXDOMAIN'"
	stop_daemons
	# The phases after this one start from the default configuration.
	: >"$RUN/isatap.conf"
	rm -f "$HOSTS"
fi

# ---- 4. RA options -------------------------------------------------------------------------
if phase 4; then
	up ISATAP_ROUTER_RADVD_IFACE_EXTRA='AdvLinkMTU 1400; RDNSS 2001:db8:2::53 { AdvRDNSSLifetime 600; }; DNSSL example.test { }; route 2001:db8:3::/48 { AdvRoutePreference high; AdvRouteLifetime 600; };' \
		ISATAP_ROUTER_RADVD_PREFIX_EXTRA='AdvValidLifetime 120; AdvPreferredLifetime 60;'
	wait_for 20 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	t_ra=$SECONDS
	check "SLAAC address with short lifetimes" has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	wait_for 5 sh -c "ip -n $NS link show $IFN | grep -q 'mtu 1400'"
	check "MTU option applied to $IFN" sh -c "ip -n $NS link show $IFN | grep -q 'mtu 1400'"
	check "Route Information installed: 2001:db8:3::/48" sh -c "ip -n $NS -6 route show 2001:db8:3::/48 | grep -q 'dev $IFN'"
	check "ping6 through the router with MTU 1400" ping6 "$ISATAP_ROUTER_FAR_ADDR6"
	status >"$T_TMP/status4.json"
	check_eq "status: MTU" 1400 "$(jq .result.interface.mtu "$T_TMP/status4.json")"
	check_eq "status: RDNSS" "2001:db8:2::53 $ISATAP_ROUTER_V4" \
		"$(jq -r '.result.dns.rdnss | map("\(.address) \(.router)") | join(",")' "$T_TMP/status4.json")"
	check_eq "status: DNSSL" "example.test" "$(jq -r '.result.dns.dnssl | map(.domain) | join(",")' "$T_TMP/status4.json")"
	check_eq "status: RIO route" "2001:db8:3::/48 $ISATAP_ROUTER_V4 high rio" \
		"$(jq -r '.result.routes[] | select(.origin=="rio") | "\(.prefix) \(.via) \(.preference) \(.origin)"' "$T_TMP/status4.json")"
	# From here no RA refreshes the prefix: the address must be deprecated at
	# 60 s and removed at 120 s after the RA (RFC 4862 §5.5.4).
	age=$(jq .result.prl[0].last_ra_age_s "$T_TMP/status4.json")
	t_ra=$((SECONDS - age))
	"$PEER" radvd stop 1 >/dev/null || fail_now "radvd stop 1"
	wait_for 75 sh -c "ip -n $NS -6 addr show dev $IFN | grep -A1 '$ISATAP_ROUTER_CLIENT_ADDR6/' | grep -q deprecated"
	dep=$((SECONDS - t_ra))
	echo "     deprecated $dep s after the RA (preferred lifetime 60 s)"
	check "deprecated on time (60 s, +-3)" test "$dep" -ge 57 -a "$dep" -le 63
	check_eq "status: deprecated" deprecated "$(st ".addresses[] | select(.address==\"$ISATAP_ROUTER_CLIENT_ADDR6\") | .state")"
	wait_for 75 sh -c "! ip -n $NS -6 addr show dev $IFN | grep -q '$ISATAP_ROUTER_CLIENT_ADDR6/'"
	gone=$((SECONDS - t_ra))
	echo "     removed $gone s after the RA (valid lifetime 120 s)"
	check "removed on time (120 s, +-3)" test "$gone" -ge 117 -a "$gone" -le 123
	check_eq "status: no global address left" 0 "$(st '.addresses | length')"
	stop_daemons
fi

# ---- 5. two routers, failover ------------------------------------------------------------
if phase 5; then
	# 150 s: the shortest router lifetime that RS timing can keep fresh
	# (re-solicit at 0.8 x lifetime, never sooner than 120 s).
	LIFE=150
	up ISATAP_ROUTER_ROUTER2_V4=192.0.2.252 ISATAP_ROUTER_DEFAULT_LIFETIME=$LIFE \
		ISATAP_ROUTER_RADVD_IFACE_EXTRA='MaxRtrAdvInterval 100;'
	wait_for 20 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	wait_for 20 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq '[.result.prl[] | select(.state==\"reachable\")] | length')\" = 2 ]"
	check_eq "both routers discovered from one name" "192.0.2.252 $ISATAP_ROUTER_V4 " \
		"$(st '.prl[] | "\(.ipv4) \(.origin) \(.state)"' | awk '$2=="dns" && $3=="reachable" {print $1}' | sort | tr '\n' ' ')"
	def=$(st .default_router)
	if [ "$def" = "$ISATAP_ROUTER_V4" ]; then n=1 other=192.0.2.252; else n=2 other=$ISATAP_ROUTER_V4; fi
	check "ping6 the far host through $def" ping6 "$ISATAP_ROUTER_FAR_ADDR6"
	"$PEER" router stop $n >/dev/null || fail_now "router stop $n"
	t0=$SECONDS
	wait_for $((LIFE + 20)) ping6 "$ISATAP_ROUTER_FAR_ADDR6" 1
	took=$((SECONDS - t0))
	echo "     traffic to the far host moved from $def to $other after $took s (router lifetime $LIFE s)"
	check "failover within the router lifetime" test "$took" -le $((LIFE + 2))
	check_eq "status: default router is now $other" "$other" "$(st .default_router)"
	check "ping6 the far host through $other" ping6 "$ISATAP_ROUTER_FAR_ADDR6" 5
	check_eq "nothing restarted" 0 "$(kill -0 "$CTL_PID" "$DP_PID"; echo $?)"
	stop_daemons
fi

t_done
