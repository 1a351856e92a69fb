# shellcheck shell=bash
# Shared helpers for the integration suites. Source it first:
#   . "$(dirname "$0")/lib.sh"
# Every namespace, process and temporary file a suite makes through these
# helpers is removed on exit, whatever the exit path.
# Only 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 are used.

set -u
ISATAP_TOP=${ISATAP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$ISATAP_TOP/build}
case "$BUILD" in /*) ;; *) BUILD="$ISATAP_TOP/$BUILD" ;; esac
DATAPATH=$BUILD/isatap-datapath
CONTROL=$BUILD/isatap-control
CTL=$BUILD/isatapctl
SUITE=$(basename "$0" .sh)
T_TMP=$(mktemp -d "/tmp/isatap-$SUITE.XXXXXX")
chmod 0755 "$T_TMP"
T_PASSED=0
T_FAILED=0
T_NAMESPACES=()
T_PIDS=()
T_CLEANUPS=()

t_cleanup() {
	local i
	for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1; done
	for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${T_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for ns in "${T_NAMESPACES[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${T_KEEP_TMP:-0}" = 1 ]; then echo "kept $T_TMP"; else rm -rf "$T_TMP"; fi
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# at_exit 'shell words': run at cleanup, last registered first.
at_exit() { T_CLEANUPS+=("$1"); }

skip() { echo "SKIPPED: $SUITE: $*"; exit 77; }
fail_now() { echo "FATAL: $SUITE: $*"; t_done; }

require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, TUN)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
}

require_bins() {
	local b
	for b in "$@"; do [ -x "$b" ] || fail_now "$b not built (run make)"; done
}

# Finds the real ISATAP router of ../shared/peers (ISATAP_PEER_DIR). Skips when
# it is absent, except under CI, which must never skip.
require_peer() {
	ISATAP_PEER_DIR=${ISATAP_PEER_DIR:-$ISATAP_TOP/../shared/peers}
	PEER=$ISATAP_PEER_DIR/isatap-router
	if [ ! -x "$PEER" ]; then
		[ "${CI:-}" = true ] && fail_now "peer $PEER missing under CI"
		skip "no ISATAP peer at $ISATAP_PEER_DIR (set ISATAP_PEER_DIR)"
	fi
}

# ns_add NAME: a fresh namespace with loopback up, removed at exit.
ns_add() {
	ip netns del "$1" 2>/dev/null
	ip netns add "$1" || fail_now "ip netns add $1"
	T_NAMESPACES+=("$1")
	ip -n "$1" link set lo up
}

# in_ns NS CMD...: shorthand
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# bg_ns NS LOG CMD...: start CMD in NS in the background; sets BG_PID.
bg_ns() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	BG_PID=$!
	T_PIDS+=("$BG_PID")
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
	return 0
}

# check "what" CMD...: one test case.
check() {
	local what=$1
	shift
	if "$@" >"$T_TMP/last.out" 2>&1; then
		T_PASSED=$((T_PASSED + 1))
		echo "ok   - $what"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "FAIL - $what"
		sed 's/^/       | /' "$T_TMP/last.out" | tail -n 20
	fi
}

# check_eq "what" EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		T_PASSED=$((T_PASSED + 1))
		echo "ok   - $1"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "FAIL - $1: expected '$2', got '$3'"
	fi
}

# t_done: the suite's closing line and exit status.
t_done() {
	echo "$SUITE: $T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ] && [ "$T_PASSED" -gt 0 ] && exit 0
	exit 1
}
