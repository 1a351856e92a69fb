#!/bin/bash
# isatapctl against a running isatap-control (with its isatap-datapath) in
# the namespace of the real Linux-kernel ISATAP router (../shared/peers):
#   - every exit status: 0, 1 (daemon error, unhealthy doctor), 2 (usage),
#     69 (no daemon at the socket, named in the message);
#   - readable and --json output of status, routers, stats, solicit,
#     refresh, router add/del and doctor, the JSON parsed with jq and its
#     documented keys checked (docs/API.md, isatapctl(8));
#   - monitor --json and monitor print a router_up event when the real
#     router is added and answers, and end when the daemon goes away.
# The daemons run unprivileged as installed: control as nobody, the
# datapath as daemon. isatap-control starts with only a router that does
# not exist (192.0.2.77), so that the real one appears while we watch.
. "$(dirname "$0")/lib.sh"

require_root
require_bins "$DATAPATH" "$CONTROL" "$CTL"
for b in jq socat setpriv; do
	command -v "$b" >/dev/null || fail_now "$b is not installed (dist/deps.sh)"
done

IFN=isctl0
CTL_USER=nobody
DP_USER=daemon
DEAD=192.0.2.77
RUN=$T_TMP/run
mkdir -p "$RUN"
chown "$CTL_USER" "$RUN"
: >"$RUN/isatap.conf"
SOCK=$RUN/ctl.sock

# rc_of CMD...: the exit status of CMD (its output in $T_TMP/rc.out/.err).
rc_of() {
	"$@" >"$T_TMP/rc.out" 2>"$T_TMP/rc.err"
	echo $?
}
# ctl ARGS...: isatapctl in the site namespace on our socket, as root.
# shellcheck disable=SC2120 # called through rc_of with arguments
ctl() { ip netns exec "$NS" "$CTL" -s "$SOCK" "$@"; }
# ctl_as USER ARGS...
ctl_as() {
	local u=$1
	shift
	ip netns exec "$NS" setpriv --reuid="$u" --regid=nogroup --clear-groups "$CTL" -s "$SOCK" "$@"
}
# raw METHOD: the daemon's own result for METHOD, through socat.
raw() {
	echo "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\"}" |
		ip netns exec "$NS" socat -t 3 - "UNIX-CONNECT:$SOCK" | jq -c .result
}
# jqf FILE FILTER: jq -e on a file, for check.
jqf() { jq -e "$2" "$1"; }
contains() { grep -q -- "$2" "$1"; }
# event FILE [jq args] FILTER: some line of a `monitor --json` file matches.
# (jq -e alone judges only the last line: jq 1.6 bug #1139.)
event() {
	local f=$1
	shift
	local filter=${*: -1}
	jq -s -e "${@:1:$#-1}" "any(.[]; $filter)" "$f"
}

# ---- without a daemon: 69, 2 and 0 -----------------------------------------------
check_eq "no daemon: exit 69" 69 "$(rc_of "$CTL" -s "$RUN/none.sock" status)"
check "no daemon: the message names the socket" contains "$T_TMP/rc.err" "$RUN/none.sock"
check_eq "no daemon: stdout empty" "" "$(cat "$T_TMP/rc.out")"
check_eq "\$ISATAP_CONTROL_SOCKET: exit 69" 69 \
	"$(ISATAP_CONTROL_SOCKET="$RUN/env.sock" rc_of "$CTL" routers)"
check "\$ISATAP_CONTROL_SOCKET: used and named" contains "$T_TMP/rc.err" "$RUN/env.sock"
check_eq "-s wins over \$ISATAP_CONTROL_SOCKET" 69 \
	"$(ISATAP_CONTROL_SOCKET="$RUN/env.sock" rc_of "$CTL" -s "$RUN/opt.sock" status)"
check "-s path named" contains "$T_TMP/rc.err" "$RUN/opt.sock"
check_eq "doctor without a daemon: 69" 69 "$(rc_of "$CTL" -s "$RUN/none.sock" doctor)"
check "doctor: says to start isatap-control" contains "$T_TMP/rc.err" "is isatap-control running"
check_eq "monitor without a daemon: 69" 69 "$(rc_of "$CTL" -s "$RUN/none.sock" monitor)"
for bad in "frobnicate" "--bogus" "status extra" "router" "router add" "router move 192.0.2.1" \
	"router add bad_name!" "solicit not-an-ip" "solicit 192.0.2.1 192.0.2.2" "--json=ugly" "-s"; do
	# shellcheck disable=SC2086
	check_eq "usage: isatapctl $bad: exit 2" 2 "$(rc_of "$CTL" -s "$RUN/none.sock" $bad)"
	check "usage: isatapctl $bad: says why on stderr" test -s "$T_TMP/rc.err"
done
check_eq "-h: exit 0" 0 "$(rc_of "$CTL" -h)"
check "-h: lists every command" contains "$T_TMP/rc.out" "doctor"
check_eq "--version: exit 0" 0 "$(rc_of "$CTL" --version)"
check "--version prints the version" contains "$T_TMP/rc.out" "^isatapctl [0-9]"

# ---- the site, the daemons ------------------------------------------------------------
ISATAP_ROUTER_NS=${ISATAP_ROUTER_NS:-ist-ctl-site}
export ISATAP_ROUTER_NS
peer_up
NS=$ISATAP_ROUTER_NS
RTR=$ISATAP_ROUTER_V4

bg_ns "$NS" "$T_TMP/dp.log" "$DATAPATH" -d -i "$IFN" -s "$RUN/dp.sock" -U "$CTL_USER" -u "$DP_USER"
DP_PID=$BG_PID
wait_for 10 test -S "$RUN/dp.sock" || fail_now "datapath did not start: $(tail -n 5 "$T_TMP/dp.log")"
bg_ns "$NS" "$T_TMP/ctl.log" setpriv --reuid="$CTL_USER" --regid=nogroup --clear-groups \
	"$CONTROL" -d -v -f "$RUN/isatap.conf" -D "$RUN/dp.sock" -s "$SOCK" -r "$DEAD"
CTL_PID=$BG_PID
wait_for 10 test -S "$SOCK" || fail_now "control did not start: $(tail -n 5 "$T_TMP/ctl.log")"
wait_for 10 sh -c "ip netns exec '$NS' '$CTL' -s '$SOCK' --json status | jq -e '.datapath.connected'" ||
	fail_now "control never connected to the datapath: $(tail -n 5 "$T_TMP/ctl.log")"

# A router that never answers: the doctor says so and exits 1.
wait_for 15 sh -c "ip netns exec '$NS' '$CTL' -s '$SOCK' --json routers | jq -e '.routers[0].solicitations > 0'"
check_eq "doctor, only a silent router: exit 1" 1 "$(rc_of ctl doctor)"
check "doctor names the silent router" contains "$T_TMP/rc.out" "^fail  router    router $DEAD has not answered"
check "doctor mentions protocol 41" contains "$T_TMP/rc.out" "protocol 41"
check "doctor: datapath ok" contains "$T_TMP/rc.out" "^ok    datapath  connected to isatap-datapath on $RUN/dp.sock; $IFN is up"
check "doctor: the kernel knobs as the datapath set them" contains "$T_TMP/rc.out" \
	"^ok    kernel    $IFN: disable_ipv6 0, accept_ra 0, autoconf 0, addr_gen_mode 1, dad_transmits 0"
check "doctor: the verdict line" contains "$T_TMP/rc.out" "^[0-9]* problems\?"
check_eq "doctor --json, unhealthy: exit 1" 1 "$(rc_of ctl --json doctor)"
check "doctor --json: healthy false, checks with level and text" jqf "$T_TMP/rc.out" \
	'.version == 1 and .healthy == false and (.checks | length > 3) and
	 all(.checks[]; (.check | type) == "string" and (.level | IN("ok","info","warn","fail")) and (.text | length > 0))'

# monitor, readable and JSON, before the real router appears.
ip netns exec "$NS" "$CTL" -s "$SOCK" --json monitor >"$T_TMP/mon.json" 2>"$T_TMP/mon.json.err" &
MON_JSON=$!
T_PIDS+=("$MON_JSON")
ip netns exec "$NS" "$CTL" -s "$SOCK" monitor >"$T_TMP/mon.txt" 2>"$T_TMP/mon.txt.err" &
MON_TXT=$!
T_PIDS+=("$MON_TXT")
sleep 0.5

# Changes need root (or -G): nobody gets the daemon's refusal, exit 1.
check_eq "router add as nobody: exit 1" 1 "$(rc_of ctl_as nobody router add "$RTR")"
check "router add as nobody: not permitted, and what would be" contains "$T_TMP/rc.err" "^isatapctl: routers.add: not permitted (error -32000): changes need root or the API group"

check_eq "router add $RTR: exit 0" 0 "$(rc_of ctl router add "$RTR")"
check_eq "router add: says so" "added $RTR" "$(cat "$T_TMP/rc.out")"
t0=$SECONDS
wait_for 20 event "$T_TMP/mon.json" --arg r "$RTR" '.event == "router_up" and .router == $r'
check "monitor --json: router_up for $RTR (after $((SECONDS - t0)) s)" \
	event "$T_TMP/mon.json" --arg r "$RTR" '.event == "router_up" and .router == $r and (.time | type) == "number"'
check "monitor --json: one compact object per line" \
	sh -c "test \$(wc -l <'$T_TMP/mon.json') -ge 1 && jq -c . '$T_TMP/mon.json' | cmp -s - '$T_TMP/mon.json'"
wait_for 5 grep -q "router_up router $RTR up, lifetime" "$T_TMP/mon.txt"
check "monitor: router_up line" grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} router_up router $RTR up, lifetime [0-9dhms]+$" "$T_TMP/mon.txt"
wait_for 20 sh -c "ip -n '$NS' -6 addr show dev '$IFN' | grep -q 'inet6 $ISATAP_ROUTER_CLIENT_ADDR6/'"
wait_for 10 sh -c "ip netns exec '$NS' '$CTL' -s '$SOCK' --json status | jq -e '.addresses | length > 0'"
check "monitor --json: address_added" event "$T_TMP/mon.json" --arg a "$ISATAP_ROUTER_CLIENT_ADDR6" \
	'.event == "address_added" and .address == $a and .prefix_len == 64'

# ---- status ------------------------------------------------------------------------------
check_eq "status: exit 0" 0 "$(rc_of ctl status)"
cp "$T_TMP/rc.out" "$T_TMP/status.txt"
check "status: interface line" contains "$T_TMP/status.txt" "^interface: *$IFN (index [0-9]*), up, mtu 1280$"
check "status: locator" contains "$T_TMP/status.txt" "^locator: *$ISATAP_ROUTER_CLIENT_V4 (auto, not global)$"
check "status: link-local" contains "$T_TMP/status.txt" "^link-local: *$ISATAP_ROUTER_CLIENT_LL$"
check "status: SLAAC address with lifetimes" contains "$T_TMP/status.txt" \
	"^address: *$ISATAP_ROUTER_CLIENT_ADDR6/64 preferred, valid [0-9dhms]*, preferred [0-9dhms]*, from $RTR$"
check "status: default router" contains "$T_TMP/status.txt" "^default router: *$RTR$"
check "status: datapath" contains "$T_TMP/status.txt" "^datapath: *connected ($RUN/dp.sock)$"
check "status: router table header" contains "$T_TMP/status.txt" "^ROUTER *STATE *DEFAULT *PREF *LIFETIME *LAST RA *NEXT RS *RS/RA *SOURCE$"
check "status: the router's row" contains "$T_TMP/status.txt" "^$RTR *reachable *yes *medium *[0-9dhms]* *[0-9dhms]* ago *[^ ]* *[0-9]*/[1-9][0-9]* *static$"
check "status: the silent router's row" contains "$T_TMP/status.txt" "^$DEAD *\(probing\|unreachable\) *no .* never "
check "status: counters" contains "$T_TMP/status.txt" "^  sent: *[0-9]* packets, "
check "status: columns aligned" sh -c "grep -E '^(ROUTER|$RTR|$DEAD) ' '$T_TMP/status.txt' | awk '{print index(\$0, \$2)}' | sort -u | wc -l | grep -qx 1"
check_eq "no command is status" "$(head -n 1 "$T_TMP/status.txt")" "$(ctl | head -n 1)"

check_eq "status --json: exit 0" 0 "$(rc_of ctl --json status)"
cp "$T_TMP/rc.out" "$T_TMP/status.json"
check "status --json: compact on a pipe (one line)" test "$(wc -l <"$T_TMP/status.json")" -eq 1
check "status --json: the documented keys" jqf "$T_TMP/status.json" \
	'.version == 1 and (.daemon.pid | type) == "number" and .interface.name == "'"$IFN"'"
	 and .interface.state == "up" and .interface.mtu == 1280
	 and .locator.ipv4 == "'"$ISATAP_ROUTER_CLIENT_V4"'" and .locator.source == "auto"
	 and .link_local == "'"$ISATAP_ROUTER_CLIENT_LL"'" and .default_router == "'"$RTR"'"
	 and (.addresses[0] | .address == "'"$ISATAP_ROUTER_CLIENT_ADDR6"'" and .prefix_len == 64
	      and (.valid_lifetime_s | type) == "number" and .state == "preferred")
	 and (.prl | map(.ipv4) | index("'"$RTR"'") != null)
	 and (.prl[] | select(.ipv4 == "'"$RTR"'") | .state == "reachable" and .is_default == true
	      and .origin == "static" and .advertisements >= 1 and (.last_ra_age_s | type) == "number")
	 and (.routes | type) == "array" and (.dns.rdnss | type) == "array"
	 and .datapath.connected == true and .datapath.socket == "'"$RUN/dp.sock"'"
	 and (.counters.out_packets | type) == "number" and (.counters.drops | type) == "object"'
check_eq "status --json: the daemon's own object, keys in its order" \
	"$(raw status | jq -c '[paths | map(tostring) | join(".")] | map(select(test("\\.[0-9]+") | not))')" \
	"$(jq -c '[paths | map(tostring) | join(".")] | map(select(test("\\.[0-9]+") | not))' "$T_TMP/status.json")"
check "status --json=pretty: indented" sh -c "ip netns exec '$NS' '$CTL' -s '$SOCK' --json=pretty status | sed -n 2p | grep -q '^  \"version\": 1,'"
check "status --json=short: one line" sh -c "test \$(ip netns exec '$NS' '$CTL' -s '$SOCK' --json=short status | wc -l) -eq 1"
check "status --json after the command" sh -c "ip netns exec '$NS' '$CTL' -s '$SOCK' status --json | jq -e .version"
check_eq "status as nobody (read-only): exit 0" 0 "$(rc_of ctl_as nobody status)"

# ---- routers, stats, solicit, refresh --------------------------------------------------
check_eq "routers: exit 0" 0 "$(rc_of ctl routers)"
check "routers: block for $RTR" contains "$T_TMP/rc.out" "^router: *$RTR$"
check "routers: state" contains "$T_TMP/rc.out" "^state: *reachable, default router$"
check "routers: link-local" contains "$T_TMP/rc.out" "^link-local: *$ISATAP_ROUTER_LL$"
check "routers: the silent router too" contains "$T_TMP/rc.out" "^router: *$DEAD$"
check_eq "routers --json: exit 0" 0 "$(rc_of ctl --json routers)"
check "routers --json: keys" jqf "$T_TMP/rc.out" \
	'(.routers | length) == 2 and all(.routers[]; has("ipv4") and has("origin") and has("state")
	 and has("preference") and has("last_ra_age_s") and has("next_solicit_s") and has("is_default"))'

check_eq "stats: exit 0" 0 "$(rc_of ctl stats)"
check "stats: counters" contains "$T_TMP/rc.out" "^  out_packets  *[0-9][0-9]*$"
check "stats: drops section" contains "$T_TMP/rc.out" "^drops:$"
check_eq "stats --json: exit 0" 0 "$(rc_of ctl --json stats)"
check "stats --json: version, counters, drops" jqf "$T_TMP/rc.out" \
	'.version == 1 and (.counters.out_packets | type) == "number" and (.counters.rs_sent >= 1)
	 and (.counters.drops | type) == "object"'

check_eq "solicit: exit 0" 0 "$(rc_of ctl solicit)"
check "solicit: names the routers" contains "$T_TMP/rc.out" "^solicited *$RTR$\|^ *$RTR$"
check_eq "solicit $RTR --json: exit 0" 0 "$(rc_of ctl --json solicit "$RTR")"
check "solicit --json: the router" jqf "$T_TMP/rc.out" '.solicited == ["'"$RTR"'"]'
check_eq "solicit a router not in the list: daemon error, exit 1" 1 "$(rc_of ctl solicit 192.0.2.99)"
check "solicit: the daemon's reason on stderr" contains "$T_TMP/rc.err" "^isatapctl: solicit: .*(error -32"
check_eq "solicit as nobody: exit 1" 1 "$(rc_of ctl_as nobody solicit)"

check_eq "refresh: exit 0" 0 "$(rc_of ctl refresh)"
check "refresh: says so" contains "$T_TMP/rc.out" "refreshing"
check_eq "refresh --json: exit 0" 0 "$(rc_of ctl --json refresh)"
check "refresh --json" jqf "$T_TMP/rc.out" '.refreshing == true'

# ---- router del, doctor healthy ----------------------------------------------------------
check_eq "router del $DEAD --json: exit 0" 0 "$(rc_of ctl --json router del "$DEAD")"
check "router del --json: the daemon's result" jqf "$T_TMP/rc.out" '.removed == true'
check_eq "router del again: daemon error, exit 1" 1 "$(rc_of ctl router del "$DEAD")"
wait_for 5 event "$T_TMP/mon.json" '.event == "prl_changed"'
check "monitor --json: prl_changed" event "$T_TMP/mon.json" --arg r "$RTR" '.event == "prl_changed" and .routers == [$r]'
check "monitor: prl_changed line" grep -q "prl_changed potential router list: $RTR$" "$T_TMP/mon.txt"

check_eq "doctor, router answering: exit 0" 0 "$(rc_of ctl doctor)"
check "doctor: the router answers" contains "$T_TMP/rc.out" "^ok    router    router $RTR answers: last advertisement"
check "doctor: MTU" contains "$T_TMP/rc.out" "^ok    mtu       $IFN MTU 1280 fits in $ISATAP_ROUTER_CLIENT_IFACE"
check "doctor: healthy" contains "$T_TMP/rc.out" "^healthy"
check_eq "doctor --json, healthy: exit 0" 0 "$(rc_of ctl --json doctor)"
check "doctor --json: healthy true" jqf "$T_TMP/rc.out" '.healthy == true'

# ---- the datapath goes away: status, doctor and an event say so ---------------------------
kill "$DP_PID"
wait "$DP_PID"
wait_for 10 sh -c "ip netns exec '$NS' '$CTL' -s '$SOCK' --json status | jq -e '.datapath.connected == false'"
check_eq "status, no datapath: exit 0" 0 "$(rc_of ctl status)"
check "status: datapath not connected" contains "$T_TMP/rc.out" "^datapath: *not connected ($RUN/dp.sock)$"
check "status: interface state unknown" contains "$T_TMP/rc.out" "^interface: .*, unknown"
check_eq "doctor, no datapath: exit 1" 1 "$(rc_of ctl doctor)"
check "doctor: says the datapath is missing" contains "$T_TMP/rc.out" \
	"^fail  datapath  isatap-control is not connected to isatap-datapath on $RUN/dp.sock"
check_eq "solicit, no datapath: daemon error, exit 1" 1 "$(rc_of ctl solicit)"
wait_for 5 event "$T_TMP/mon.json" '.event == "datapath_disconnected"'
check "monitor --json: datapath_disconnected" event "$T_TMP/mon.json" '.event == "datapath_disconnected"'
check "monitor: datapath_disconnected line" grep -q " datapath_disconnected datapath disconnected$" "$T_TMP/mon.txt"

# ---- the daemon goes away -----------------------------------------------------------------
kill "$CTL_PID"
wait "$CTL_PID"
wait "$MON_JSON"
check_eq "monitor --json ends with the daemon: exit 1" 1 "$?"
wait "$MON_TXT"
check_eq "monitor ends with the daemon: exit 1" 1 "$?"
check "monitor: says the daemon closed" contains "$T_TMP/mon.txt.err" "closed the connection"
check_eq "status with the daemon gone: exit 69" 69 "$(rc_of ctl status)"
check "status: the message names the socket" contains "$T_TMP/rc.err" "$SOCK"

t_done
