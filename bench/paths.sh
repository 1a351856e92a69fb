# shellcheck shell=bash
# The paths bench.sh compares. Each path NAME ("-" spelt "_" in the function
# names) provides:
#   path_NAME_up                 bring it up once (0 or failure)
#   path_NAME_ns                 its two namespaces, "A B": A runs the client
#                                tools, B the iperf3 server
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
path_veth_ns() { echo "$B_NS_A $B_NS_B"; }
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
path_openvpn_ns() { echo "$B_NS_A $B_NS_B"; }
path_openvpn_dst() { echo 2001:db8:c::2; }
path_openvpn_pids() { echo "${B_OVPN_PIDS[@]}"; }
path_openvpn_counters() { : >"$1"; }
path_openvpn_stats() { raw "$1" openvpn tunnel_rss_kb "$(max_rss "${B_OVPN_PIDS[@]}")"; }

# ---- isatap and isatap-user: two ISATAP hosts, host to host under an on-link prefix
# Each runs on a wire of its own: two namespaces and a veth pair like the
# reference's (wire_up), so that neither path's tc programs or raw sockets
# see the other's packets, and plain veth and OpenVPN pay no tc program.
#   isatap       the default: the tc-BPF fast path (bpf/isatap.bpf.c) carries
#                the traffic in the kernel, user space keeps ND and errors
#   isatap-user  every host and router datapath with --no-fastpath: the
#                user-space path alone (TUN and raw socket), as before
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
# Per variant V (fast, user): namespaces, the hosts' datapath and control
# pids, the peer's address.
declare -A B_ISATAP_DST=() B_DP_PIDS_OF=() B_CTL_PIDS_OF=()
isatap_path_name() { if [ "$1" = user ]; then echo isatap-user; else echo isatap; fi; }
isatap_ns_a() { echo "ist-bench-${1:0:1}a$$"; }
isatap_ns_b() { echo "ist-bench-${1:0:1}b$$"; }
isatap_ns_r() { echo "ist-bench-${1:0:1}r$$"; }
# The variant's own datapath argument: --no-fastpath for the user-space path.
isatap_variant_args() { [ "$1" = user ] && echo --no-fastpath; }
dp_sock() { echo "$B_TMP/dp.$1.sock"; }
api_sock() { echo "$B_TMP/api.$1.sock"; }
dpctl() { # NS ARGS...
	local ns=$1
	shift
	ip netns exec "$ns" "$BUILD/tests/tools/dpclient" -s "$(dp_sock "$ns")" "$@"
}
dp_start() { # V NS [--router]: a host's datapath, or the router's
	local v=$1 ns=$2 args
	shift 2
	# The hosts' datapaths get --datapath-arg; the router's keeps defaults.
	# shellcheck disable=SC2207
	args=($(isatap_variant_args "$v"))
	[ $# -eq 0 ] && args+=("${B_DP_ARGS[@]}")
	bg "$ns" "$B_TMP/datapath.$ns.log" "$BUILD/isatap-datapath" "$@" "${args[@]}" -d -i isatap0 \
		-m $B_ISATAP_MTU -s "$(dp_sock "$ns")"
	[ "${1:-}" != --router ] && B_DP_PIDS_OF[$v]+="$BG_PID "
	wait_for 5 test -S "$(dp_sock "$ns")"
}

# The variant's ISATAP router: 192.0.2.254 on its loopback, one veth to each host.
router_up() { # V
	local v=$1 nr na nb
	nr=$(isatap_ns_r "$v") na=$(isatap_ns_a "$v") nb=$(isatap_ns_b "$v")
	ip netns add "$nr" || return 1
	B_EXTRA_NS+=("$nr")
	ip -n "$nr" link set lo up
	ip -n "$nr" addr add $B_V4_R/32 dev lo
	ip link add rv0 netns "$nr" type veth peer name rv netns "$na" || return 1
	ip link add rv1 netns "$nr" type veth peer name rv netns "$nb" || return 1
	ip -n "$nr" link set rv0 up
	ip -n "$nr" link set rv1 up
	ip -n "$na" link set rv up
	ip -n "$nb" link set rv up
	ip -n "$nr" route add $B_V4_A/32 dev rv0 src $B_V4_R
	ip -n "$nr" route add $B_V4_B/32 dev rv1 src $B_V4_R
	ip -n "$na" route add $B_V4_R/32 dev rv src $B_V4_A
	ip -n "$nb" route add $B_V4_R/32 dev rv src $B_V4_B
	dp_start "$v" "$nr" --router || return 1
	dpctl "$nr" locator $B_V4_R prl none addr "fe80::$B_IID_R/64" \
		addr "2001:db8:1::$B_IID_R/64" onlink 2001:db8:1::/64 mtu $B_ISATAP_MTU \
		link up >/dev/null || return 1
	# dist/radvd.conf.example, with the bench's MTU.
	sed "s/AdvLinkMTU 1280;/AdvLinkMTU $B_ISATAP_MTU;/" "$B_TOP/dist/radvd.conf.example" \
		>"$B_TMP/radvd.conf"
	bg "$nr" "$B_TMP/radvd.$nr.log" radvd -n -m stderr -C "$B_TMP/radvd.conf" \
		-p "$B_TMP/radvd.$nr.pid"
}

# The global address control configured on NS's isatap0.
isatap_global() {
	ip -n "$1" -6 -o addr show dev isatap0 scope global 2>/dev/null |
		awk '$4 ~ /^2001:db8:1:/ { sub(/\/.*/, "", $4); print $4; exit }'
}

# fastpath_active NS: the host datapath's "fastpath.active" (true/false), from
# isatap-control's status, or "unknown" without control.
fastpath_active() {
	local a=''
	[ "$B_ISATAP_CONFIG" = control ] &&
		a=$(ip netns exec "$1" "$BUILD/isatapctl" -s "$(api_sock "$1")" --json status 2>/dev/null |
			jq -r '.fastpath.active | select(. != null)' 2>/dev/null)
	echo "${a:-unknown}"
}

isatap_up() { # V
	local v=$1 b ns na nb v4 iid
	na=$(isatap_ns_a "$v") nb=$(isatap_ns_b "$v")
	for b in "$BUILD/isatap-datapath" "$BUILD/tests/tools/dpclient" \
		"$([ "$B_ISATAP_CONFIG" = control ] && echo "$BUILD/isatap-control")"; do
		[ -x "$b" ] || { echo "bench: $b not built (make all tools)" >&2; return 1; }
	done
	wire_up "$na" "$nb" || return 1
	if [ "$B_ISATAP_CONFIG" = control ]; then
		command -v radvd >/dev/null 2>&1 || { echo "bench: radvd missing" >&2; return 1; }
		router_up "$v" || return 1
		: >"$B_TMP/control.conf"
	fi
	for ns in "$na" "$nb"; do
		dp_start "$v" "$ns" || return 1
		if [ "$ns" = "$na" ]; then v4=$B_V4_A iid=$B_IID_A; else v4=$B_V4_B iid=$B_IID_B; fi
		if [ "$B_ISATAP_CONFIG" = control ]; then
			bg "$ns" "$B_TMP/control.$ns.log" "$BUILD/isatap-control" -d \
				-f "$B_TMP/control.conf" -D "$(dp_sock "$ns")" \
				-s "$(api_sock "$ns")" -r $B_V4_R -l "$v4"
			B_CTL_PIDS_OF[$v]+="$BG_PID "
		else
			dpctl "$ns" locator "$v4" prl none addr "fe80::$iid/64" \
				onlink 2001:db8:1::/64 addr "2001:db8:1::$iid/64" \
				mtu $B_ISATAP_MTU link up >/dev/null || return 1
		fi
	done
	if [ "$B_ISATAP_CONFIG" = control ]; then
		# RS, RA, SLAAC: the peer's global address appears on its isatap0.
		for ns in "$na" "$nb"; do
			wait_for 20 sh -c "ip -n $ns -6 -o addr show dev isatap0 scope global | grep -q 2001:db8:1:" ||
				{ echo "bench: control in $ns configured no global address" >&2; return 1; }
		done
	fi
	B_ISATAP_DST[$v]=$(isatap_global "$nb")
	[ -n "${B_ISATAP_DST[$v]}" ] || return 1
	# Which path carries the traffic, as the datapaths say: the figures of
	# "isatap" are the fast path's only when both ends run it.
	echo "bench: $(isatap_path_name "$v"): fast path active: $(fastpath_active "$na") (A), $(fastpath_active "$nb") (B)"
}
isatap_dst() { echo "${B_ISATAP_DST[$1]}"; }
isatap_pids() { echo "${B_DP_PIDS_OF[$1]:-}"; }
# Both datapaths' counters, "NS name value" per line: through isatap-control's
# API when it runs (the datapath serves one controller at a time, so a second
# client would take its place), else over the datapath socket. With the fast
# path the datapath adds its kernel counters to the user-space ones under the
# same names, so one read covers both.
isatap_counters() { # V FILE
	local ns
	: >"$2"
	for ns in "$(isatap_ns_a "$1")" "$(isatap_ns_b "$1")"; do
		if [ "$B_ISATAP_CONFIG" = control ]; then
			ip netns exec "$ns" "$BUILD/isatapctl" -s "$(api_sock "$ns")" --json stats |
				jq -r --arg ns "$ns" '.counters | (to_entries[] | select(.value | type == "number")),
					(.drops // {} | to_entries[] | .key |= "drop_" + .) | "\($ns) \(.key) \(.value)"'
		else
			dpctl "$ns" counters | sed -n "s/^\([a-z0-9_]*\)=\([0-9]*\)$/$ns \1 \2/p"
		fi
	done >>"$2" 2>/dev/null
	[ -s "$2" ] || echo "bench: could not read the datapath counters" >&2
}
max_rss() { # PID...: the largest VmRSS among them, kB
	local p max=0 kb
	for p in "$@"; do
		kb=$(proc_status_kb "$p" VmRSS)
		[ -n "$kb" ] && [ "$kb" -gt "$max" ] && max=$kb
	done
	echo "$max"
}
isatap_stats() { # V PATH ROUND F0 F1
	local v=$1 p=$2 r=$3 total bad active=1 ns
	# shellcheck disable=SC2046
	raw "$r" "$p" tunnel_rss_kb "$(max_rss $(isatap_pids "$v"))"
	# shellcheck disable=SC2086
	[ -n "${B_CTL_PIDS_OF[$v]:-}" ] && raw "$r" "$p" control_rss_kb "$(max_rss ${B_CTL_PIDS_OF[$v]})"
	# 1 when both ends say the fast path is active, 0 when one says it is
	# not; nothing when a datapath does not say (no control, or a build
	# without the fast path's status).
	for ns in "$(isatap_ns_a "$v")" "$(isatap_ns_b "$v")"; do
		case $(fastpath_active "$ns") in
		true) ;;
		false) active=0 ;;
		*) active='' ;;
		esac
	done
	[ -n "$active" ] && raw "$r" "$p" fastpath_active "$active"
	[ -s "$4" ] && [ -s "$5" ] || return 0 # no counters: report.py fails the run
	# Drops over the round, by name. Outbound drops of what the kernel
	# itself sends to multicast (MLD, DAD, RS) are expected; any inbound
	# drop, a send or TUN error, or a super-packet that could not be
	# segmented means the peer's traffic was lost.
	awk -v r="$r" -v p="$p" '
		NR == FNR { before[$1 " " $2] = $3; next }
		{ d = $3 - before[$1 " " $2] }
		d > 0 && ($2 ~ /drop/ || $2 ~ /error/) {
			total += d
			printf "bench: round %s: %s: %s %s +%d\n", r, p, $1, $2, d > "/dev/stderr"
			if ($2 ~ /^(in_drop|drop_in_)/ || $2 ~ /error|offload/) bad += d
		}
		END { printf "%d %d\n", total, bad }' "$4" "$5" >"$B_TMP/drops"
	read -r total bad <"$B_TMP/drops"
	raw "$r" "$p" drops_total "$total"
	raw "$r" "$p" drops_unexpected "$bad"
	# What the fast path carried and what it left to user space over the
	# round (both ends summed): fp_* are its own counters, out_packets and
	# in_packets the sum of both paths'. report.py prints them.
	awk -v r="$r" -v p="$p" '
		NR == FNR { before[$1 " " $2] = $3; next }
		$2 ~ /^(fp_|out_packets$|in_packets$)/ { d[$2] += $3 - before[$1 " " $2] }
		END { for (k in d) printf "%s\t%s\tctr_%s\t%d\n", r, p, k, d[k] }' "$4" "$5" >>"$B_RAW"
}

path_isatap_up() { isatap_up fast; }
path_isatap_ns() { echo "$(isatap_ns_a fast) $(isatap_ns_b fast)"; }
path_isatap_dst() { isatap_dst fast; }
path_isatap_pids() { isatap_pids fast; }
path_isatap_counters() { isatap_counters fast "$1"; }
path_isatap_stats() { isatap_stats fast isatap "$@"; }

path_isatap_user_up() { isatap_up user; }
path_isatap_user_ns() { echo "$(isatap_ns_a user) $(isatap_ns_b user)"; }
path_isatap_user_dst() { isatap_dst user; }
path_isatap_user_pids() { isatap_pids user; }
path_isatap_user_counters() { isatap_counters user "$1"; }
path_isatap_user_stats() { isatap_stats user isatap-user "$@"; }
