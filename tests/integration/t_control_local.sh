#!/bin/bash
# isatap-control's own behaviour, no router needed: the config check (-n),
# SIGHUP reloads (routers, locator source, a bad file keeps the running
# configuration), the locator following the interface's IPv4 address, a
# datapath restart (reconnect and re-push), a refused static locator that
# takes effect once the address appears (review finding 5), and a clean exit under valgrind
# (every handle closed, no leak) while a datapath and API clients are
# connected. Runs in its own namespace on a veth pair (this kernel may
# have no dummy driver).
. "$(dirname "$0")/lib.sh"

require_root
require_bins "$DATAPATH" "$CONTROL"
for b in socat jq setpriv valgrind tcpdump; do
	command -v "$b" >/dev/null || fail_now "$b is not installed (dist/deps.sh)"
done

NS=t-control-local-$$
IFN=istloc0
CTL_USER=nobody
RUN=$T_TMP/run
CONF=$RUN/isatap.conf
mkdir -p "$RUN"
chown "$CTL_USER" "$RUN"
ns_add "$NS"
ip -n "$NS" link add dummy0 type veth peer name dummy1
ip -n "$NS" link set dummy1 up
ip -n "$NS" addr add 192.0.2.1/24 dev dummy0
ip -n "$NS" link set dummy0 up

rpc() { echo "$1" | ip netns exec "$NS" socat -t 3 - "UNIX-CONNECT:$RUN/ctl.sock"; }
st() { rpc '{"jsonrpc":"2.0","method":"status","id":1}' | jq -r ".result | $1"; }
has_addr() { ip -n "$NS" -6 addr show dev "$IFN" 2>/dev/null | grep -q "inet6 $1/"; }
start_dp() {
	bg_ns "$NS" "$T_TMP/dp.log" "$DATAPATH" -d -i "$IFN" -s "$RUN/dp.sock" -U "$CTL_USER" -u daemon
	DP_PID=$BG_PID
	wait_for 10 test -S "$RUN/dp.sock" || fail_now "datapath did not start: $(tail -n 5 "$T_TMP/dp.log")"
}

# ---- -n ---------------------------------------------------------------------------
printf 'router 192.0.2.254\nlocator auto\n' >"$CONF"
check "-n accepts a good file" "$CONTROL" -n -f "$CONF"
printf 'router 192.0.2.254\nmax_mtu 99999\n' >"$T_TMP/bad.conf"
"$CONTROL" -n -f "$T_TMP/bad.conf" >"$T_TMP/n.out" 2>&1
check_eq "-n on a bad file exits 78" 78 $?
check "-n names the file and line" grep -q "bad.conf:2: max_mtu must be 1280..65515" "$T_TMP/n.out"

# The namespace's own /etc/hosts and resolv.conf (ip netns exec bind-mounts
# them): the default name "isatap" is found through the search domain in
# /etc/hosts; the name server does not exist, so DNS itself always fails.
mkdir -p "/etc/netns/$NS"
at_exit "rm -rf /etc/netns/$NS"
printf '127.0.0.1 localhost\n192.0.2.250 isatap.local.test\n' >"/etc/netns/$NS/hosts"
printf 'nameserver 127.0.0.1\nsearch local.test\noptions attempts:1 timeout:1\n' >"/etc/netns/$NS/resolv.conf"

# ---- start under valgrind ---------------------------------------------------------
start_dp
# Under `make check SANITIZE=1` the binary carries AddressSanitizer, whose
# leak check replaces valgrind's (the two cannot run together).
VG=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99)
grep -q __asan_init "$CONTROL" && VG=()
bg_ns "$NS" "$T_TMP/ctl.log" setpriv --reuid="$CTL_USER" --regid=nogroup --clear-groups \
	"${VG[@]}" "$CONTROL" -d -v -v -f "$CONF" -D "$RUN/dp.sock" -s "$RUN/ctl.sock"
CTL_PID=$BG_PID
wait_for 30 test -S "$RUN/ctl.sock" || fail_now "control did not start: $(tail -n 5 "$T_TMP/ctl.log")"
wait_for 30 has_addr fe80::5efe:c000:201
check "link-local from the locator" has_addr fe80::5efe:c000:201
check_eq "locator auto toward the router" "192.0.2.1 auto" "$(st '.locator | "\(.ipv4) \(.source)"')"
check_eq "static router, probing" "192.0.2.254 static probing" \
	"$(st '.prl | map("\(.ipv4) \(.origin) \(.state)") | join(",")')"
wait_for 10 sh -c "[ \"\$(echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq .result.counters.rs_sent)\" -ge 1 ]"
check "an RS went out through the datapath" test "$(st .counters.rs_sent)" -ge 1


# ---- SIGHUP ------------------------------------------------------------------------
printf 'router 192.0.2.253\nlocator dummy0\n' >"$CONF"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q '\"ipv4\":\"192.0.2.253\"'"
check_eq "SIGHUP: the new router list" "192.0.2.253" "$(st '.prl | map(.ipv4) | join(",")')"
check_eq "SIGHUP: locator from the interface" "192.0.2.1 interface" "$(st '.locator | "\(.ipv4) \(.source)"')"

echo "router 127.0.0.1" >"$CONF"
kill -HUP "$CTL_PID"
wait_for 10 grep -q "keeping the running configuration" "$T_TMP/ctl.log"
check "SIGHUP with a bad file: logged" grep -q "isatap.conf:1: router 127.0.0.1 is not a unicast" "$T_TMP/ctl.log"
check_eq "SIGHUP with a bad file: running configuration kept" "192.0.2.253" "$(st '.prl | map(.ipv4) | join(",")')"

# ---- the interface's address changes --------------------------------------------------
ip -n "$NS" addr del 192.0.2.1/24 dev dummy0
ip -n "$NS" addr add 192.0.2.7/24 dev dummy0
wait_for 10 has_addr fe80::5efe:c000:207
check "the locator follows the interface: fe80::5efe:c000:207" has_addr fe80::5efe:c000:207
check_eq "status: new locator" "192.0.2.7 interface" "$(st '.locator | "\(.ipv4) \(.source)"')"
check_eq "one change seen for the delete + add (debounced)" 1 \
	"$(grep -c 'locator 192.0.2.7 (interface)' "$T_TMP/ctl.log")"

# ---- the default name through the search domain, /etc/hosts first --------------------
printf 'locator dummy0\n' >"$CONF"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q '\"ipv4\":\"192.0.2.250\"'"
check_eq "default name isatap found as isatap.local.test in /etc/hosts" "192.0.2.250 dns isatap.local.test" \
	"$(st '.prl | map("\(.ipv4) \(.origin) \(.name)") | join(",")')"
: >"/etc/netns/$NS/hosts" # same file, now empty: the name is gone
check "prl.refresh" grep -q '"refreshing":true' <(rpc '{"jsonrpc":"2.0","method":"prl.refresh","id":1}')
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"stats\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -e '.result.counters.control.dns_errors >= 1'"
check "the failed lookup is counted" test "$(rpc '{"jsonrpc":"2.0","method":"stats","id":1}' | jq .result.counters.control.dns_errors)" -ge 1
check_eq "a failed lookup keeps the last good PRL" "192.0.2.250 dns" \
	"$(st '.prl | map("\(.ipv4) \(.origin)") | join(",")')"

# ---- locator auto with a router the host cannot reach ------------------------------
# The first router in the PRL has no route (no default route here): it must not
# take the locator away from the router behind it that the host can reach.
printf 'router 203.0.113.9\nrouter 192.0.2.253\nlocator auto\n' >"$CONF"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q '\"source\":\"auto\"'"
check_eq "an unroutable router first in the PRL" "203.0.113.9,192.0.2.253" "$(st '.prl | map(.ipv4) | join(",")')"
check_eq "locator auto toward the reachable router" "192.0.2.7 auto" "$(st '.locator | "\(.ipv4) \(.source)"')"
check "an unroutable router first: link-local kept" has_addr fe80::5efe:c000:207
printf 'locator dummy0\n' >"$CONF"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q '\"source\":\"interface\"'"

# ---- a static locator assigned only after it is configured (review finding 5) ---------
# The datapath refuses a locator the host does not have; control must not
# take that as applied: status says so, and once the address appears the
# locator takes effect without a restart (RSs leave from it).
# Nothing answers ARP for the router here: a static entry lets the RSs
# onto the wire, where tcpdump sees them.
ip -n "$NS" neigh replace 192.0.2.253 lladdr 02:00:00:00:02:53 dev dummy0 nud permanent
ip netns exec "$NS" tcpdump -i dummy0 -nn -U -w "$T_TMP/rs99.pcap" "ip proto 41 and src host 192.0.2.99" \
	>"$T_TMP/tcpdump99.log" 2>&1 &
TD99=$!
T_PIDS+=("$TD99")
wait_for 5 grep -q listening "$T_TMP/tcpdump99.log"
printf 'router 192.0.2.253\nlocator 192.0.2.99\n' >"$CONF"
kill -HUP "$CTL_PID"
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -e '.result.datapath.in_sync == false'"
check_eq "a static locator the host does not have: refused, and status says so" \
	"false SET_LOCATOR 99" "$(st '.datapath | "\(.in_sync) \(.last_refused.request) \(.last_refused.errno)"')"
sleep 3
ip -n "$NS" addr add 192.0.2.99/24 dev dummy0
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -e '.result.datapath.in_sync'"
check_eq "once 192.0.2.99 is assigned: in sync, without a restart" true "$(st .datapath.in_sync)"
wait_for 10 sh -c "[ \$(tcpdump -nn -r '$T_TMP/rs99.pcap' 2>/dev/null | wc -l) -ge 1 ]"
check "Router Solicitations leave from 192.0.2.99" \
	test "$(tcpdump -nn -r "$T_TMP/rs99.pcap" 2>/dev/null | wc -l)" -ge 1
kill "$TD99" 2>/dev/null
printf 'router 192.0.2.253\nlocator dummy0\n' >"$CONF"
kill -HUP "$CTL_PID"
ip -n "$NS" addr del 192.0.2.99/24 dev dummy0
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q '\"source\":\"interface\"'"

# ---- the datapath restarts: control reconnects and pushes everything again -------------
kill "$DP_PID"
wait "$DP_PID"
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q '\"connected\":false'"
check_eq "status: datapath disconnected" false "$(st .datapath.connected)"
start_dp
wait_for 10 has_addr fe80::5efe:c000:207
check "after a datapath restart: link-local pushed again" has_addr fe80::5efe:c000:207
check_eq "status: datapath connected again" true "$(st .datapath.connected)"

# ---- exit: every handle closed, nothing leaked --------------------------------------------
(echo '{"jsonrpc":"2.0","method":"subscribe","id":1}'; sleep 20) |
	ip netns exec "$NS" socat -t 20 - "UNIX-CONNECT:$RUN/ctl.sock" >/dev/null 2>&1 &
sleep 0.5
kill "$CTL_PID"
wait "$CTL_PID"
rc=$?
check_eq "SIGTERM with clients and a datapath connected: exit 0, ${VG[0]:-ASan} clean" 0 "$rc"
if [ "$rc" != 0 ]; then tail -n 30 "$T_TMP/ctl.log"; fi
check "the API socket is removed" test ! -e "$RUN/ctl.sock"
check "the datapath keeps its state when control goes" has_addr fe80::5efe:c000:207
kill "$DP_PID"
wait "$DP_PID"

t_done
