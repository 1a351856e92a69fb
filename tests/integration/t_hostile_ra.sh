#!/bin/bash
# Hostile Router Advertisements and Redirects against isatap-control +
# isatap-datapath (issue 8, "Hostile network input", the part control
# decides). RAs are forged with scapy from an attacker namespace that holds
# the PRL router's IPv4 (192.0.2.254) and a non-PRL IPv4 (192.0.2.66). Each
# hostile message must move exactly the named counter of `stats`
# (counters.control) by one and change nothing else it should not.
#
#   ist-h-ra-cl   192.0.2.1: isatap-datapath + isatap-control (-r .254 -r .253)
#   ist-h-ra-atk  192.0.2.254, 192.0.2.253 (both in the PRL), 192.0.2.66 (not)
#   ist-h-ra-lan  the bridge
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/hostile-lib.sh"
require_root
require_bins "$DATAPATH" "$CONTROL"
[ -x "$PY" ] && $PY -c 'import scapy' 2>/dev/null || fail_now "python3-scapy missing (make deps)"

NS_CL=ist-h-ra-cl
NS_ATK=ist-h-ra-atk
NS_LAN=ist-h-ra-lan
CL4=192.0.2.1
RTR4=192.0.2.254
RTR2_4=192.0.2.253
NB4=192.0.2.66
CL_LL=fe80::5efe:c000:201
RTR_LL=fe80::5efe:c000:2fe
RTR2_LL=fe80::5efe:c000:2fd
NB_LL=fe80::5efe:c000:242
PFX=2001:db8:1::
CL_G=${PFX}5efe:c000:201
RUN=$T_TMP/run
mkdir -p "$RUN"
chown nobody "$RUN"

ns_add $NS_LAN
ns_add $NS_CL
ns_add $NS_ATK
in_ns $NS_LAN ip link add br0 type bridge
in_ns $NS_LAN ip link set br0 up
in_ns $NS_LAN sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null
for n in cl atk; do
	ip link add "ra-$n" netns $NS_LAN type veth peer name site0 netns "ist-h-ra-$n"
	in_ns $NS_LAN ip link set "ra-$n" master br0 up
	in_ns "ist-h-ra-$n" ip link set site0 up
done
in_ns $NS_CL ip addr add $CL4/24 dev site0
for a in $RTR4 $RTR2_4 $NB4; do in_ns $NS_ATK ip addr add $a/24 dev site0; done
CL_MAC=$(mac_of $NS_CL site0)
forge() { in_ns $NS_ATK $FORGE -i site0 -m "$CL_MAC" --dst $CL4 --idst $CL_LL --hlim 255 "$@"; }

# A hostile name server on the client's loopback (tools/isatap-dnsd.py): the
# resolver of control's namespace asks it (ip netns exec bind-mounts
# /etc/netns/NS/resolv.conf). 300 A records for one name: an answer longer
# than control's 4096-octet buffer, which only TCP carries.
mkdir -p "/etc/netns/$NS_CL"
at_exit "rm -rf /etc/netns/$NS_CL"
printf '127.0.0.1 localhost\n' >"/etc/netns/$NS_CL/hosts"
printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:2\n' >"/etc/netns/$NS_CL/resolv.conf"
bg_ns $NS_CL "$T_TMP/dnsd.log" $PY "$TOOLS/isatap-dnsd.py" isatap.huge.test=300 isatap.two.test=2
wait_for 5 grep -q ready "$T_TMP/dnsd.log" || fail_now "isatap-dnsd did not start: $(tail -n 3 "$T_TMP/dnsd.log")"

bg_ns $NS_CL "$T_TMP/dp.log" "$DATAPATH" -d -i isatap0 -s "$RUN/dp.sock" -U nobody -u daemon
wait_for 10 test -S "$RUN/dp.sock" || fail_now "datapath did not start: $(tail -n 5 "$T_TMP/dp.log")"
bg_ns $NS_CL "$T_TMP/ctl.log" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$CONTROL" -d -v -r $RTR4 -r $RTR2_4 -l auto -D "$RUN/dp.sock" -s "$RUN/ctl.sock"
CTL_PID=$BG_PID
wait_for 10 test -S "$RUN/ctl.sock" || fail_now "control did not start: $(tail -n 5 "$T_TMP/ctl.log")"

rpc() { echo "{\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"id\":1}" | in_ns $NS_CL socat -t 3 - "UNIX-CONNECT:$RUN/ctl.sock"; }
st() { rpc status | jq -r ".result | $1"; }
# Flattened control counters: "path value"; the datapath's drops as "dp.name"
# (Neighbor Discovery it keeps from control, e.g. dp.nd_not_from_prl).
snap() {
	rpc stats | jq -r '.result.counters | (.control | paths(scalars) as $p | "\($p | join(".")) \(getpath($p))"), (.drops | to_entries[] | "dp.\(.key) \(.value)")' >"$1"
}
ND_KEYS='^(ra_accepted|redirect_accepted|nd_|redirect_|pio_|two_hour_rule|mtu_out_of_range|rio_bad|table_full|dp\.nd_)'
N=0
# rcase "what" "EXPECTED DELTAS" forge-options...: one forged message.
rcase() {
	local what=$1 want=$2 got i
	shift 2
	N=$((N + 1))
	snap "$T_TMP/b.$N"
	forge "$@" >"$T_TMP/forge.$N" 2>&1
	for i in $(seq 20); do
		sleep 0.1
		snap "$T_TMP/a.$N"
		got=$(counters_diff "$T_TMP/b.$N" "$T_TMP/a.$N" | grep -E "$ND_KEYS" | sort | tr '\n' ' ')
		[ -n "$got" ] && break
	done
	sleep 0.3
	snap "$T_TMP/a.$N"
	got=$(counters_diff "$T_TMP/b.$N" "$T_TMP/a.$N" | grep -E "$ND_KEYS" | sort | tr '\n' ' ')
	check_eq "$what -> $want" "$want" "${got% }"
}

wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS_CL socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -e '.result.datapath.connected'"
check_eq "control connected to the datapath, locator $CL4" "true $CL4" "$(st '"\(.datapath.connected) \(.locator.ipv4)"')"

# ---- the baseline: a valid RA from the PRL router ------------------------------------
rcase "valid RA from the PRL router $RTR4" "ra_accepted +1" --src $RTR4 --isrc $RTR_LL \
	--kind ra --rtr-lifetime 1800 --pio ${PFX}/64,LA,86400,14400
wait_for 5 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS_CL socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | jq -e '.result.addresses | map(.address) | index(\"$CL_G\")'"
check_eq "SLAAC address from it, default router $RTR4" "$CL_G $RTR4" \
	"$(st '"\(.addresses | map(select(.address | startswith("2001:"))) | map(.address) | join(",")) \(.default_router)"')"
valid0=$(st ".addresses[] | select(.address == \"$CL_G\") | .valid_lifetime_s")

# ---- RAs control must refuse -------------------------------------------------------------
# (Dropped by the datapath, which passes up RAs from PRL routers only.)
rcase "RA from $NB4 (not in the PRL, ISATAP source matches)" "dp.nd_not_from_prl +1" \
	--src $NB4 --isrc $NB_LL --kind ra --pio 2001:db8:66::/64,LA,86400,14400
check_eq "no router, prefix or address from it" "$RTR4,$RTR2_4 none" \
	"$(st '"\(.prl | map(.ipv4) | join(",")) \(if (.addresses | map(.address) | map(select(startswith("2001:db8:66:"))) | length) == 0 then "none" else "some" end)"')"
rcase "RA with a bad ICMPv6 checksum" "nd_parse_error +1 nd_parse_errors.bad_checksum +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --pio ${PFX}/64,LA,86400,14400 --icmp-bad-csum
rcase "RA with a zero-length option" "nd_parse_error +1 nd_parse_errors.opt_zero_len +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --opt-zero-len
rcase "RA with an option running past the end" "nd_parse_error +1 nd_parse_errors.opt_overrun +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --opt-overrun
rcase "RA from a global (not link-local) source" "nd_parse_error +1 nd_parse_errors.src_not_linklocal +1" \
	--src $RTR4 --isrc ${PFX}5efe:c000:2fe --kind ra
rcase "PIO with A set and prefix length 48" "pio_bad_plen +1 ra_accepted +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --pio 2001:db8:2::/48,LA,86400,14400
check_eq "no address under 2001:db8:2::/48" 0 \
	"$(st '.addresses | map(select(.address | startswith("2001:db8:2:"))) | length')"
rcase "PIO with A set and prefix length 96" "pio_bad_plen +1 ra_accepted +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --pio 2001:db8:3::/96,LA,86400,14400
rcase "PIO for fe80::/64 (link-local prefix)" "pio_linklocal +1 ra_accepted +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --pio fe80::/64,LA,86400,14400
rcase "PIO with preferred lifetime above valid" "pio_bad_lifetimes +1 ra_accepted +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --pio 2001:db8:4::/64,LA,600,900
check_eq "no address under 2001:db8:4::/64" 0 \
	"$(st '.addresses | map(select(.address | startswith("2001:db8:4:"))) | length')"
rcase "Route Information for fe80::/10" "ra_accepted +1 rio_bad +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --rio fe80::/10,600
rcase "Route Information for ff00::/8" "ra_accepted +1 rio_bad +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --rio ff00::/8,600
check_eq "no route for fe80::/10 or ff00::/8" 0 \
	"$(st '[.routes[] | select(.prefix | startswith("fe80") or startswith("ff"))] | length')"
mtu0=$(in_ns $NS_CL cat /sys/class/net/isatap0/mtu)
rcase "MTU option 1200 (< 1280)" "mtu_out_of_range +1 ra_accepted +1" \
	--src $RTR4 --isrc $RTR_LL --kind ra --mtu 1200
check_eq "link MTU unchanged" "$mtu0" "$(in_ns $NS_CL cat /sys/class/net/isatap0/mtu)"
rcase "PIO lifetimes 60/30 s against an address with ${valid0} s left (two-hour rule)" \
	"ra_accepted +1 two_hour_rule +1" --src $RTR4 --isrc $RTR_LL --kind ra --pio ${PFX}/64,LA,60,30
v=$(st ".addresses[] | select(.address == \"$CL_G\") | .valid_lifetime_s")
check "valid lifetime cut to two hours, not 60 s (now $v s)" test "$v" -ge 7190 -a "$v" -le 7200
in_valid=$(in_ns $NS_CL ip -6 addr show dev isatap0 to $CL_G/128 | awk '/valid_lft/ { print $2 }' | tr -d sec)
check "the kernel's valid_lft agrees (${in_valid} s)" test "${in_valid:-0}" -ge 7180 -a "${in_valid:-0}" -le 7200

# ---- Redirects ---------------------------------------------------------------------------------
rcase "Redirect from $NB4 (not in the PRL)" "dp.nd_not_from_prl +1" --src $NB4 --isrc $NB_LL \
	--kind redirect --target $NB_LL --rdst 2001:db8:5::1
rcase "Redirect from $RTR2_4 (in the PRL, not the current router)" "redirect_not_first_hop +1" \
	--src $RTR2_4 --isrc $RTR2_LL --kind redirect --target $RTR2_LL --rdst 2001:db8:5::1
check_eq "no route toward 2001:db8:5::1 via $RTR2_4" 0 \
	"$(st "[.routes[] | select(.via == \"$RTR2_4\")] | length")"
check_eq "default router still $RTR4" "$RTR4" "$(st .default_router)"
# The positive control: the same Redirect from the current router is taken.
rcase "Redirect from $RTR4 (the current router) to on-link $NB4" "redirect_accepted +1" \
	--src $RTR4 --isrc $RTR_LL --kind redirect --target $NB_LL --rdst 2001:db8:5::1
check_eq "route to 2001:db8:5::1 now via $NB4" "$NB4" \
	"$(st '[.routes[] | select(.prefix | startswith("2001:db8:5::1")) | .via] | join(",")')"

# ---- a flood of hostile RAs: each counted once, somewhere; not logged -------------
# The datapath passes ND up within a budget (nd_rate_limited beyond it) and
# queues ND_RECV for control in a bounded buffer, dropping (and counting,
# nd_up_dropped) what does not fit: so every one of the 1000 is either
# parsed and refused by control or counted by the datapath.
ndc() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
dsnap() { rpc stats | jq -r '.result.counters | "nd_up \(.nd_up)\nnd_up_dropped \(.nd_up_dropped)\nnd_rate_limited \(.nd_rate_limited)"' >"$1"; }
sleep 1.2
snap "$T_TMP/fb"
dsnap "$T_TMP/db"
log0=$(wc -l <"$T_TMP/ctl.log")
forge --src $RTR4 --isrc $RTR_LL --kind ra --icmp-bad-csum --count 1000
sleep 2.5 # two GET_COUNTERS periods
snap "$T_TMP/fa"
dsnap "$T_TMP/da"
parsed=$(($(ndc "$T_TMP/fa" nd_parse_errors.bad_checksum) - $(ndc "$T_TMP/fb" nd_parse_errors.bad_checksum)))
up=$(($(ndc "$T_TMP/da" nd_up) - $(ndc "$T_TMP/db" nd_up)))
dropped=$(($(ndc "$T_TMP/da" nd_up_dropped) - $(ndc "$T_TMP/db" nd_up_dropped)))
limited=$(($(ndc "$T_TMP/da" nd_rate_limited) - $(ndc "$T_TMP/db" nd_rate_limited)))
echo "     1000 bad RAs: datapath passed up $up, dropped $dropped (queue full), $limited over budget; control refused $parsed"
check_eq "every one accounted for: passed up + dropped + over budget = 1000, control refused all passed up" \
	"1000 $up" "$((up + dropped + limited)) $parsed"
log1=$(wc -l <"$T_TMP/ctl.log")
check "control log grew by at most 10 lines (grew $((log1 - log0)), -v)" test $((log1 - log0)) -le 10
check_eq "isatap-control still running (pid $CTL_PID)" isatap-control "$(cat /proc/$CTL_PID/comm 2>/dev/null)"
check_eq "still the same address and router" "$CL_G $RTR4" \
	"$(st '"\(.addresses | map(select(.address | startswith("2001:"))) | map(.address) | join(",")) \(.default_router)"')"

# ---- hostile DNS: an answer longer than the buffer -----------------------------------
# Review finding 10: glibc's res_nquery() returns the whole length of a TCP
# answer that did not fit (here 4834 octets for a 4096-octet buffer); control
# must refuse it ("too large"), never parse past its buffer, and keep running.
arpc() { echo "$1" | in_ns $NS_CL socat -t 3 - "UNIX-CONNECT:$RUN/ctl.sock"; }
dnserr() { rpc stats | jq .result.counters.control.dns_errors; }
e0=$(dnserr)
arpc '{"jsonrpc":"2.0","method":"routers.add","params":{"router":"isatap.huge.test"},"id":1}' >/dev/null
wait_for 10 grep -q "isatap.huge.test: answer too large" "$T_TMP/ctl.log"
check "an answer of 300 A records over TCP: refused as too large (logged)" \
	grep -q "dns: isatap.huge.test: answer too large" "$T_TMP/ctl.log"
tcp_len=$(sed -n 's/^tcp query [0-9]* octets -> \([0-9]*\)$/\1/p' "$T_TMP/dnsd.log" | sort -n | tail -n 1)
check "the name server was asked over TCP and answered ${tcp_len:-nothing} octets (> 4096)" \
	test "${tcp_len:-0}" -gt 4096
check "... and counted as a DNS error" test "$(dnserr)" -gt "$e0"
check_eq "no PRL entry from it" 0 "$(st '[.prl[] | select(.name == "isatap.huge.test" and .ipv4 != null)] | length')"
check_eq "isatap-control still running after it" isatap-control "$(cat /proc/$CTL_PID/comm 2>/dev/null)"
# The positive control: a small answer from the same server is taken.
arpc '{"jsonrpc":"2.0","method":"routers.add","params":{"router":"isatap.two.test"},"id":1}' >/dev/null
wait_for 10 sh -c "echo '{\"jsonrpc\":\"2.0\",\"method\":\"status\",\"id\":1}' | ip netns exec $NS_CL socat -t 2 - UNIX-CONNECT:$RUN/ctl.sock | grep -q 198.51.100.2"
check_eq "a 2-record answer from the same server: both routers in the PRL" "198.51.100.1,198.51.100.2" \
	"$(st '[.prl[] | select(.name == "isatap.two.test") | .ipv4] | sort | join(",")')"
for n in isatap.huge.test isatap.two.test; do
	arpc "{\"jsonrpc\":\"2.0\",\"method\":\"routers.remove\",\"params\":{\"router\":\"$n\"},\"id\":1}" >/dev/null
done
t_done
