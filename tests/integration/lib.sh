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
SUITE=$(basename "$0" .sh)
T_TMP=$(mktemp -d "/tmp/isatap-$SUITE.XXXXXX")
chmod 0755 "$T_TMP"
# The programs, the datapath test client and tests/integration/tools, run
# from a copy that the suites' other users can read (tests/readable-copy.sh);
# t_share copies more (t_memcheck's sanitized and valgrind builds). The tools
# keep their place in the tree, next to a copy of proto/, whose headers
# isatap-dpmsg.py reads (../../../proto from where it is).
. "$ISATAP_TOP/tests/readable-copy.sh"
T_SHARE=$T_TMP/share
# t_share SRC [SUBDIR]: SRC copied into $T_SHARE[/SUBDIR]; prints the copy's path.
t_share() { readable_copy "$T_SHARE${2:+/$2}" "$1"; }
DATAPATH=$(t_share "$BUILD/isatap-datapath")
CONTROL=$(t_share "$BUILD/isatap-control")
CTL=$(t_share "$BUILD/isatapctl")
DPCLIENT=$(t_share "$BUILD/tests/tools/dpclient")
TOOLS=$(t_share "$ISATAP_TOP/tests/integration/tools" tests/integration)
t_share "$ISATAP_TOP/proto" >/dev/null

# ISATAP_FASTPATH=off: every isatap-datapath a suite starts runs with
# --no-fastpath (the user-space path alone); unset or "on": the default, the
# tc-BPF fast path wherever it loads. tests/integration/run sets it for the
# second pass over the suites that must pass both ways. The suites start
# "$DATAPATH" directly (through ip netns exec, setpriv, timeout, a
# supervisor), so the switch is a wrapper of that name: it execs the real
# binary with argv[0] kept, so that `pgrep -f "^$DATAPATH -d ..."` still
# finds it, and --no-fastpath last (getopt_long permutes; no suite passes
# "--" or operands to the datapath).
ISATAP_FASTPATH=${ISATAP_FASTPATH:-on}
case "$ISATAP_FASTPATH" in
on) ;;
off)
	mkdir -p "$T_TMP/bin"
	printf '#!/bin/bash\nexec -a "$0" %q "$@" --no-fastpath\n' "$DATAPATH" >"$T_TMP/bin/isatap-datapath"
	chmod 0755 "$T_TMP/bin" "$T_TMP/bin/isatap-datapath"
	DATAPATH=$T_TMP/bin/isatap-datapath
	;;
*) echo "FATAL: $SUITE: ISATAP_FASTPATH=$ISATAP_FASTPATH (on or off)"; exit 1 ;;
esac
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
fail_now() { echo "FATAL: $SUITE: $*"; T_FAILED=$((T_FAILED + 1)); t_done; }

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

# peer_up [ISATAP_ROUTER_X=value ...]: starts the real ISATAP router of
# ../shared/peers for this suite in its own namespace (ISATAP_ROUTER_NS,
# default ist-<suite>-<pid>), with the given settings (see peers/README.md, e.g.
# ISATAP_ROUTER_ROUTER2_V4=192.0.2.252), exports every ISATAP_ROUTER_* fact it
# prints, and registers peer_down for exit. Skips without the peer, except under
# CI; a peer that fails to come up fails the suite (never a skip).
# `isatap-router build` runs first (under 1 s when cached) so that a cold cache
# (apt, kernel download, initramfs) is paid before `up` starts its boot clock.
PEER_FACTS=()
peer_up() {
	local a out line key uflags
	require_peer
	for a in "$@"; do
		case "$a" in
		ISATAP_ROUTER_[A-Z0-9_]*=*) ;;
		*) fail_now "peer_up: '$a' is not an ISATAP_ROUTER_*=value assignment" ;;
		esac
	done
	# The shell's pid keeps two runs of the same suite (two people, one
	# machine) from sharing, and stopping, one router.
	PEER_NS=${ISATAP_ROUTER_NS:-ist-${SUITE//[^A-Za-z0-9-]/-}}
	[ -n "${ISATAP_ROUTER_NS:-}" ] || PEER_NS="${PEER_NS:0:32}-$$"
	"$PEER" build >"$T_TMP/peer-build.log" 2>&1 ||
		fail_now "isatap-router build failed: $(tail -n 5 "$T_TMP/peer-build.log")"
	at_exit peer_down
	# Facts of an earlier peer_up share names with settings (ISATAP_ROUTER_V4,
	# _PREFIX as 2001:db8:1::/64, ...): keep them out of this `up`.
	uflags=()
	for key in "${PEER_FACTS[@]}"; do uflags+=(-u "$key"); done
	out=$(env "${uflags[@]}" "$@" ISATAP_ROUTER_NS="$PEER_NS" "$PEER" up 2>"$T_TMP/peer-up.log") ||
		fail_now "isatap-router up ($PEER_NS) failed: $(tail -n 5 "$T_TMP/peer-up.log")"
	for key in "${PEER_FACTS[@]}"; do unset "$key"; done
	PEER_FACTS=()
	while IFS= read -r line; do
		key=${line%%=*}
		case "$key" in
		ISATAP_ROUTER_*)
			[[ "$key" =~ ^[A-Z0-9_]+$ ]] || continue
			eval "export $line"
			PEER_FACTS+=("$key")
			;;
		esac
	done <<<"$out"
	[ "${ISATAP_ROUTER_NS:-}" = "$PEER_NS" ] || fail_now "isatap-router up printed no facts for $PEER_NS"
	echo "peer: $PEER_NS up (router $ISATAP_ROUTER_V4, ${ISATAP_ROUTER_ACCEL:-?}, ready in ${ISATAP_ROUTER_READY_SECONDS:-?} s)"
}

# peer_down: stops this suite's router instance (only its own qemu/dnsmasq) and
# deletes its namespace. Idempotent; peer_up registers it for exit.
peer_down() {
	[ -n "${PEER_NS:-}" ] && [ -n "${PEER:-}" ] || return 0
	ISATAP_ROUTER_NS=$PEER_NS "$PEER" down >/dev/null 2>&1
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

# check_fastpath "what" ACTUAL: ACTUAL (a status JSON's fastpath.active) is
# what ISATAP_FASTPATH asks of a datapath started as root on a kernel that
# allows tc-BPF: true by default, false with --no-fastpath. This is what
# proves that a suite ran both ways rather than the same way twice.
check_fastpath() {
	local want=true
	[ "$ISATAP_FASTPATH" = off ] && want=false
	check_eq "$1 (fastpath.active, ISATAP_FASTPATH=$ISATAP_FASTPATH)" "$want" "$2"
}

# tc_fastpath NS DEV: "true" when a tc-BPF program sits on DEV's egress in
# NS (the fast path's egress half, as the kernel reports it), else "false".
# For the suites that drive the datapath without isatap-control's status.
tc_fastpath() {
	if ip netns exec "$1" tc filter show dev "$2" egress 2>/dev/null | grep -q ' bpf '; then
		echo true
	else
		echo false
	fi
}
