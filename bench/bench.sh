#!/bin/bash
# make bench / make bench-smoke (root): what the ISATAP datapath costs, measured
# against the plain path and a real user-space tunnel, in one invocation.
#
# Two namespaces joined by one veth pair carry the reference and OpenVPN;
# each ISATAP path has a pair of its own, made the same way (wire_up):
#   veth         plain IPv6 on the veth (the reference)
#   isatap       an isatap-datapath in each namespace, host to host under an
#                on-link prefix (RFC 5214 §8.1 next hop from the embedded
#                IPv4), with its default: the tc-BPF fast path
#   isatap-user  the same with --no-fastpath: the user-space path alone
#   openvpn      OpenVPN p2p over UDP with no cipher and no auth
# Rounds interleave the paths, so drift on a shared machine hits all of them;
# bench/report.py takes medians and per-round ratios to veth, prints the table
# and writes bench/results.json.
#
# Exit status: 0 when every path came up and every correctness gate held
# (missed speed targets are WARN lines only), 1 on a correctness failure,
# 2 on a broken setup.
#
# Only 192.0.2.0/24 and 2001:db8::/32 are used; everything is removed on exit.
set -u

usage() {
	cat <<EOF
usage: bench.sh [--smoke] [--rounds N] [--time SECONDS] [--paths veth,isatap,isatap-user,openvpn]
       [--config control|dpclient] [--datapath-arg ARG]... [--pings N] [--out FILE]
       [--keep-tmp]
  --smoke   one round, 2-second runs: checks the harness and the gates (< 2 min)
  --config  who configures the isatap hosts: isatap-control after an RA from
            an ISATAP router namespace (default), or dpclient directly
  --datapath-arg  an extra argument for the hosts' isatap-datapath, both
            ISATAP paths (to compare variants, e.g. --no-offload)
EOF
	exit 64
}

B_TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$B_TOP/$BUILD" ;; esac

ROUNDS=3
SECS=10
PINGS=200
PATHS=veth,isatap,isatap-user,openvpn
SMOKE=0
OUT=$B_TOP/bench/results.json
KEEP_TMP=0
B_ISATAP_CONFIG=control
B_DP_ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) SMOKE=1 ROUNDS=1 SECS=2 PINGS=50 ;;
	--rounds) ROUNDS=${2:?}; shift ;;
	--time) SECS=${2:?}; shift ;;
	--pings) PINGS=${2:?}; shift ;;
	--paths) PATHS=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--config) B_ISATAP_CONFIG=${2:?}; shift ;;
	--datapath-arg) B_DP_ARGS+=("${2:?}"); shift ;;
	--keep-tmp) KEEP_TMP=1 ;;
	*) usage ;;
	esac
	shift
done

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (network namespaces, TUN)" >&2
	exit 2
fi
for t in ip iperf3 ping nstat jq python3 timeout; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench: $t missing (make deps)" >&2; exit 2; }
done

B_TMP=$(mktemp -d /tmp/isatap-bench.XXXXXX)
B_RAW=$B_TMP/raw.tsv
: >"$B_RAW"
B_NS_A=ist-bench-a$$
B_NS_B=ist-bench-b$$
B_IPERF_PORT=5201
B_PIDS=()
B_EXTRA_NS=()

# shellcheck source=bench/measure.sh
. "$B_TOP/bench/measure.sh"
# shellcheck source=bench/paths.sh
. "$B_TOP/bench/paths.sh"

cleanup() {
	local p ns
	for p in "${B_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${B_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for ns in "$B_NS_A" "$B_NS_B" "${B_EXTRA_NS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	wait 2>/dev/null
	cg_teardown
	if [ "$KEEP_TMP" = 1 ]; then echo "bench: kept $B_TMP"; else rm -rf "$B_TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bg NS LOG CMD...: a background process in NS, killed at exit; sets BG_PID.
bg() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	BG_PID=$!
	B_PIDS+=("$BG_PID")
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

broken() {
	echo "bench: setup failed: $*" >&2
	exit 2
}

cg_setup

# wire_up NS_A NS_B: two namespaces joined by a veth pair (bv0 in A, bv1 in
# B), IPv4 for the tunnels, and an iperf3 server in B. The reference's and
# each ISATAP path's wires are made by this one function, so that they are
# the same but for what runs on them.
wire_up() {
	local a=$1 b=$2 ns
	for ns in "$a" "$b"; do
		ip netns add "$ns" || return 1
		[ "$ns" = "$B_NS_A" ] || [ "$ns" = "$B_NS_B" ] || B_EXTRA_NS+=("$ns")
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	ip link add bv0 netns "$a" type veth peer name bv1 netns "$b" || return 1
	ip -n "$a" addr add "$B_V4_A/24" dev bv0
	ip -n "$b" addr add "$B_V4_B/24" dev bv1
	ip -n "$a" link set bv0 up
	ip -n "$b" link set bv1 up
	bg "$b" "$B_TMP/iperf3-server.$b.log" iperf3 -s -p "$B_IPERF_PORT"
	wait_for 5 sh -c "ip netns exec $b ss -Hltn 'sport = :$B_IPERF_PORT' | grep -q ." ||
		{ echo "bench: iperf3 server in $b did not listen" >&2; return 1; }
}

# ---- the shared wire: the reference and OpenVPN ------------------------------------
wire_up "$B_NS_A" "$B_NS_B" || broken "the reference wire"

IFS=, read -r -a path_list <<<"$PATHS"
for p in "${path_list[@]}"; do
	case $p in veth | isatap | isatap-user | openvpn) ;; *) usage ;; esac
	fn=${p//-/_}
	echo "bench: bringing up $p"
	"path_${fn}_up" || broken "$p path did not come up"
	read -r B_CA B_CB <<<"$("path_${fn}_ns")"
	wait_for 10 ip netns exec "$B_CA" ping -6 -n -c 1 -W 1 "$("path_${fn}_dst")" ||
		broken "$p: $("path_${fn}_dst") unreachable"
done

B_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $ROUNDS round(s) of ${SECS}s runs, paths ${PATHS}; load average $B_LOAD_START"
failed=0
for ((r = 1; r <= ROUNDS; r++)); do
	for p in "${path_list[@]}"; do
		fn=${p//-/_}
		# B_CA, B_CB: the path's client and server namespaces (measure.sh).
		read -r B_CA B_CB <<<"$("path_${fn}_ns")"
		dst=$("path_${fn}_dst")
		read -r -a pids <<<"$("path_${fn}_pids")"
		echo "bench: round $r/$ROUNDS: $p"
		c0a=$(csum_errors "$B_CA") c0b=$(csum_errors "$B_CB") o0=$(tcp_ofo "$B_CB")
		f0=$(($(frags_made "$B_CA") + $(frags_made "$B_CB")))
		"path_${fn}_counters" "$B_TMP/ctr0.$p"
		m_ping "$r" "$p" "$dst" "$PINGS" || failed=1
		m_iperf "$r" "$p" "$dst" tcp1 "$SECS" "${pids[@]}" || failed=1
		m_iperf "$r" "$p" "$dst" tcp4 "$SECS" "${pids[@]}" || failed=1
		m_iperf "$r" "$p" "$dst" udp64 "$SECS" "${pids[@]}" || failed=1
		"path_${fn}_counters" "$B_TMP/ctr1.$p"
		raw "$r" "$p" csum_errors $(($(csum_errors "$B_CA") - c0a + $(csum_errors "$B_CB") - c0b))
		raw "$r" "$p" tcp_ofo_queued $(($(tcp_ofo "$B_CB") - o0))
		raw "$r" "$p" outer_fragments $(($(frags_made "$B_CA") + $(frags_made "$B_CB") - f0))
		"path_${fn}_stats" "$r" "$B_TMP/ctr0.$p" "$B_TMP/ctr1.$p"
	done
done

smoke_arg=()
[ "$SMOKE" = 1 ] && smoke_arg=(--smoke)
python3 "$B_TOP/bench/report.py" --raw "$B_RAW" --out "$OUT" --rounds "$ROUNDS" \
	--secs "$SECS" --paths "$PATHS" "${smoke_arg[@]}" \
	--note "load average at start $B_LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg); datapath args: ${B_DP_ARGS[*]:-none}"
rc=$?
[ $failed -ne 0 ] && [ $rc -eq 0 ] && rc=2
exit $rc
