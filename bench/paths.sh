# shellcheck shell=bash
# The three paths bench.sh compares. Each path NAME provides:
#   path_NAME_up                 bring it up once (0 or failure)
#   path_NAME_dst                the IPv6 address in namespace B that A talks to
#   path_NAME_pids               the tunnel processes whose CPU time is counted
#   path_NAME_counters FILE      snapshot the tunnel's own counters into FILE
#   path_NAME_stats ROUND F0 F1  record RSS and counter deltas for the round
# Sourced by bench.sh.

B_V4_A=192.0.2.1
B_V4_B=192.0.2.2
# RFC 5214 §6.1: interface identifier 0:5efe:V4 (u bit 0: 192.0.2.0/24 is not
# a globally unique IPv4 address in the RFC 5214 §6.1 sense).
B_IID_A=5efe:c000:201
B_IID_B=5efe:c000:202

# ---- veth: the reference ------------------------------------------------------
path_veth_up() {
	ip -n "$B_NS_A" addr add 2001:db8:b::1/64 dev bv0 nodad &&
		ip -n "$B_NS_B" addr add 2001:db8:b::2/64 dev bv1 nodad
}
path_veth_dst() { echo 2001:db8:b::2; }
path_veth_pids() { :; }
path_veth_counters() { : >"$1"; }
path_veth_stats() { :; }

# ---- OpenVPN: an external user-space tunnel -------------------------------------
# p2p over UDP, no TLS, --cipher none --auth none: the cheapest data channel
# OpenVPN has. --disable-dco keeps it in user space (the comparison is between
# user-space tunnels). With no cipher and no auth a data packet carries no
# OpenVPN header at all, so a 1472-octet tunnel MTU fills the 1500-octet veth
# exactly (20 IPv4 + 8 UDP) and nothing is fragmented.
B_OVPN_PIDS=()
ovpn_start() { # NS LOCAL REMOTE ADDR PEER
	bg "$1" "$B_TMP/openvpn.$1.log" openvpn --dev ovpn0 --dev-type tun --proto udp \
		--local "$2" --remote "$3" --lport 1194 --rport 1194 \
		--ifconfig-ipv6 "$4/64" "$5" --tun-mtu 1472 \
		--cipher none --data-ciphers none --auth none --disable-dco --verb 1
	B_OVPN_PIDS+=("$BG_PID")
}
path_openvpn_up() {
	command -v openvpn >/dev/null 2>&1 || {
		echo "bench: openvpn is not installed (make deps)" >&2
		return 1
	}
	ovpn_start "$B_NS_A" $B_V4_A $B_V4_B 2001:db8:c::1 2001:db8:c::2
	ovpn_start "$B_NS_B" $B_V4_B $B_V4_A 2001:db8:c::2 2001:db8:c::1
	# "Initialization Sequence Completed" on both ends: the data channel is up.
	wait_for 15 grep -q 'Initialization Sequence Completed' "$B_TMP/openvpn.$B_NS_A.log" &&
		wait_for 15 grep -q 'Initialization Sequence Completed' "$B_TMP/openvpn.$B_NS_B.log"
}
path_openvpn_dst() { echo 2001:db8:c::2; }
path_openvpn_pids() { echo "${B_OVPN_PIDS[@]}"; }
path_openvpn_counters() { : >"$1"; }
path_openvpn_stats() { raw "$1" openvpn tunnel_rss_kb "$(max_rss "${B_OVPN_PIDS[@]}")"; }

# ---- isatap: two ISATAP hosts, host to host under an on-link prefix --------------
# Each namespace runs its own isatap-datapath. With --config control (the
# default) each also runs isatap-control, which finds the on-link prefix the
# real way: it solicits an ISATAP router (namespace R: isatap-datapath
# --router with radvd, reached over its own veths so that the A-B wire carries
# only the measured traffic), processes the RA and configures its datapath
# (SLAAC address, on-link prefix, MTU). With --config dpclient the same state
# is pushed over the datapath socket by tests/tools/dpclient instead.
# Either way, packets to the peer's 2001:db8:1::5efe:V4 then go straight to
# the embedded IPv4 (RFC 5214 §8.1) and pass the peer's §7.3 check.
B_ISATAP_MTU=1480 # the 1500-octet veth less the 20-octet outer header (RFC 4213 §3.2)
B_V4_R=192.0.2.254
B_IID_R=5efe:c000:2fe
B_DP_PIDS=()
B_CTL_PIDS=()
B_ISATAP_DST=
dp_sock() { echo "$B_TMP/dp.$1.sock"; }
dpctl() { # NS ARGS...
	local ns=$1
	shift
	ip netns exec "$ns" "$BUILD/tests/tools/dpclient" -s "$(dp_sock "$ns")" "$@"
}
dp_start() { # NS [--router]: a host's datapath, or the router's
	local ns=$1
	shift
	# The hosts' datapaths get --datapath-arg; the router's keeps defaults.
	[ $# -eq 0 ] && set -- "${B_DP_ARGS[@]}"
	bg "$ns" "$B_TMP/datapath.$ns.log" "$BUILD/isatap-datapath" "$@" -d -i isatap0 \
		-m $B_ISATAP_MTU -s "$(dp_sock "$ns")"
	[ "${1:-}" != --router ] && B_DP_PIDS+=("$BG_PID")
	wait_for 5 test -S "$(dp_sock "$ns")"
}

# The ISATAP router: 192.0.2.254 on its loopback, one veth to each host.
router_up() {
	B_NS_R=ist-bench-r$$
	ip netns add "$B_NS_R" || return 1
	B_EXTRA_NS+=("$B_NS_R")
	ip -n "$B_NS_R" link set lo up
	ip -n "$B_NS_R" addr add $B_V4_R/32 dev lo
	ip link add rv0 netns "$B_NS_R" type veth peer name rv netns "$B_NS_A" || return 1
	ip link add rv1 netns "$B_NS_R" type veth peer name rv netns "$B_NS_B" || return 1
	ip -n "$B_NS_R" link set rv0 up
	ip -n "$B_NS_R" link set rv1 up
	ip -n "$B_NS_A" link set rv up
	ip -n "$B_NS_B" link set rv up
	ip -n "$B_NS_R" route add $B_V4_A/32 dev rv0 src $B_V4_R
	ip -n "$B_NS_R" route add $B_V4_B/32 dev rv1 src $B_V4_R
	ip -n "$B_NS_A" route add $B_V4_R/32 dev rv src $B_V4_A
	ip -n "$B_NS_B" route add $B_V4_R/32 dev rv src $B_V4_B
	dp_start "$B_NS_R" --router || return 1
	dpctl "$B_NS_R" locator $B_V4_R prl none addr "fe80::$B_IID_R/64" \
		addr "2001:db8:1::$B_IID_R/64" onlink 2001:db8:1::/64 mtu $B_ISATAP_MTU \
		link up >/dev/null || return 1
	# dist/radvd.conf.example, with the bench's MTU.
	sed "s/AdvLinkMTU 1280;/AdvLinkMTU $B_ISATAP_MTU;/" "$B_TOP/dist/radvd.conf.example" \
		>"$B_TMP/radvd.conf"
	bg "$B_NS_R" "$B_TMP/radvd.log" radvd -n -m stderr -C "$B_TMP/radvd.conf" \
		-p "$B_TMP/radvd.pid"
}

# The global address control configured on NS's isatap0.
isatap_global() {
	ip -n "$1" -6 -o addr show dev isatap0 scope global 2>/dev/null |
		awk '$4 ~ /^2001:db8:1:/ { sub(/\/.*/, "", $4); print $4; exit }'
}

path_isatap_up() {
	local b ns v4 iid
	for b in "$BUILD/isatap-datapath" "$BUILD/tests/tools/dpclient" \
		"$([ "$B_ISATAP_CONFIG" = control ] && echo "$BUILD/isatap-control")"; do
		[ -x "$b" ] || { echo "bench: $b not built (make all tools)" >&2; return 1; }
	done
	if [ "$B_ISATAP_CONFIG" = control ]; then
		command -v radvd >/dev/null 2>&1 || { echo "bench: radvd missing" >&2; return 1; }
		router_up || return 1
		: >"$B_TMP/control.conf"
	fi
	for ns in "$B_NS_A" "$B_NS_B"; do
		dp_start "$ns" || return 1
		if [ "$ns" = "$B_NS_A" ]; then v4=$B_V4_A iid=$B_IID_A; else v4=$B_V4_B iid=$B_IID_B; fi
		if [ "$B_ISATAP_CONFIG" = control ]; then
			bg "$ns" "$B_TMP/control.$ns.log" "$BUILD/isatap-control" -d \
				-f "$B_TMP/control.conf" -D "$(dp_sock "$ns")" \
				-s "$B_TMP/api.$ns.sock" -r $B_V4_R -l "$v4"
			B_CTL_PIDS+=("$BG_PID")
		else
			dpctl "$ns" locator "$v4" prl none addr "fe80::$iid/64" \
				onlink 2001:db8:1::/64 addr "2001:db8:1::$iid/64" \
				mtu $B_ISATAP_MTU link up >/dev/null || return 1
		fi
	done
	if [ "$B_ISATAP_CONFIG" = control ]; then
		# RS, RA, SLAAC: the peer's global address appears on its isatap0.
		wait_for 20 sh -c "ip -n $B_NS_A -6 -o addr show dev isatap0 scope global | grep -q 2001:db8:1:" ||
			{ echo "bench: control in A configured no global address" >&2; return 1; }
		wait_for 20 sh -c "ip -n $B_NS_B -6 -o addr show dev isatap0 scope global | grep -q 2001:db8:1:" ||
			{ echo "bench: control in B configured no global address" >&2; return 1; }
	fi
	B_ISATAP_DST=$(isatap_global "$B_NS_B")
	[ -n "$B_ISATAP_DST" ]
}
path_isatap_dst() { echo "$B_ISATAP_DST"; }
path_isatap_pids() { echo "${B_DP_PIDS[@]}"; }
# Both datapaths' counters, "NS name value" per line: through isatap-control's
# API when it runs (the datapath serves one controller at a time, so a second
# client would take its place), else over the datapath socket.
path_isatap_counters() {
	local ns
	: >"$1"
	for ns in "$B_NS_A" "$B_NS_B"; do
		if [ "$B_ISATAP_CONFIG" = control ]; then
			ip netns exec "$ns" "$BUILD/isatapctl" -s "$B_TMP/api.$ns.sock" --json stats |
				jq -r --arg ns "$ns" '.counters | (to_entries[] | select(.value | type == "number")),
					(.drops // {} | to_entries[] | .key |= "drop_" + .) | "\($ns) \(.key) \(.value)"'
		else
			dpctl "$ns" counters | sed -n "s/^\([a-z0-9_]*\)=\([0-9]*\)$/$ns \1 \2/p"
		fi
	done >>"$1" 2>/dev/null
	[ -s "$1" ] || echo "bench: could not read the datapath counters" >&2
}
max_rss() { # PID...: the largest VmRSS among them, kB
	local p max=0 kb
	for p in "$@"; do
		kb=$(proc_status_kb "$p" VmRSS)
		[ -n "$kb" ] && [ "$kb" -gt "$max" ] && max=$kb
	done
	echo "$max"
}
path_isatap_stats() {
	local r=$1 total bad
	raw "$r" isatap tunnel_rss_kb "$(max_rss "${B_DP_PIDS[@]}")"
	[ ${#B_CTL_PIDS[@]} -gt 0 ] && raw "$r" isatap control_rss_kb "$(max_rss "${B_CTL_PIDS[@]}")"
	[ -s "$2" ] && [ -s "$3" ] || return 0 # no counters: report.py fails the run
	# Drops over the round, by name. Outbound drops of what the kernel
	# itself sends to multicast (MLD, DAD, RS) are expected; any inbound
	# drop, a send or TUN error, or a super-packet that could not be
	# segmented means the peer's traffic was lost.
	awk -v r="$r" '
		NR == FNR { before[$1 " " $2] = $3; next }
		{ d = $3 - before[$1 " " $2] }
		d > 0 && ($2 ~ /drop/ || $2 ~ /error/) {
			total += d
			printf "bench: round %s: %s %s +%d\n", r, $1, $2, d > "/dev/stderr"
			if ($2 ~ /^(in_drop|drop_in_)/ || $2 ~ /error|offload/) bad += d
		}
		END { printf "%d %d\n", total, bad }' "$2" "$3" >"$B_TMP/drops"
	read -r total bad <"$B_TMP/drops"
	raw "$r" isatap drops_total "$total"
	raw "$r" isatap drops_unexpected "$bad"
}
