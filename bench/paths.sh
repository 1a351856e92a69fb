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
B_IID_A=::5efe:c000:201
B_IID_B=::5efe:c000:202

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
path_openvpn_stats() {
	local r=$1 p max=0 kb
	for p in "${B_OVPN_PIDS[@]}"; do
		kb=$(proc_status_kb "$p" VmRSS)
		[ -n "$kb" ] && [ "$kb" -gt "$max" ] && max=$kb
	done
	raw "$r" openvpn tunnel_rss_kb "$max"
}
