#!/bin/bash
# Memory safety of both daemons through one full cycle against the real
# ISATAP router of ../shared/peers: discovery by DNS name, SLAAC, traffic
# through the router and to the on-link kernel ISATAP host, API use
# (including an unknown method and a subscriber), then SIGTERM (issue 8, "Memory safety"):
#   A. both daemons built with ASan + UBSan (SANITIZE=1; built into
#      $SAN_BUILD when missing): exit 0, no sanitizer report, no leak;
#   B. both daemons built plain into $VG_BUILD (the datapath without its
#      seccomp filter, which valgrind cannot emulate) under valgrind --leak-check=full
#      --error-exitcode=1: exit 0, no error, no leak.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/hostile-lib.sh"
require_root
require_bins "$DATAPATH" "$CONTROL"
for b in socat jq setpriv valgrind; do command -v "$b" >/dev/null || fail_now "$b missing (make deps)"; done

export ISATAP_ROUTER_NS=ist-h-mem # our own router instance
SAN_BUILD=${SAN_BUILD:-${BUILD%-san}-san}
case "$BUILD" in *-san) SAN_BUILD=$BUILD ;; esac
# make is incremental: a no-op when these builds are current. SANITIZE and
# HAVE_SECCOMP are given explicitly (a `make check SANITIZE=1` passes its
# own down through the environment).
make -C "$ISATAP_TOP" --no-print-directory -s BUILD="$SAN_BUILD" SANITIZE=1 \
	"$SAN_BUILD/isatap-datapath" "$SAN_BUILD/isatap-control" >"$T_TMP/sanbuild.log" 2>&1 ||
	fail_now "SANITIZE=1 build failed: $(tail -n 5 "$T_TMP/sanbuild.log")"
# Valgrind cannot run a seccomp filter (it does not emulate seccomp(2), and
# the filter would forbid valgrind's own syscalls), nor a sanitized binary:
# the daemons it runs are the same code built plain and without libseccomp.
VG_BUILD=${VG_BUILD:-${BUILD%-san}-noseccomp}
make -C "$ISATAP_TOP" --no-print-directory -s BUILD="$VG_BUILD" SANITIZE= HAVE_SECCOMP= \
	"$VG_BUILD/isatap-datapath" "$VG_BUILD/isatap-control" >"$T_TMP/vgbuild.log" 2>&1 ||
	fail_now "build without seccomp failed: $(tail -n 5 "$T_TMP/vgbuild.log")"
IFN=istm0
CTL_USER=nobody
DP_USER=daemon
RUN=$T_TMP/run
mkdir -p "$RUN"
chown "$CTL_USER" "$RUN"
: >"$RUN/isatap.conf"
peer_up
NS=$ISATAP_ROUTER_NS
rpc() { echo "$1" | ip netns exec "$NS" socat -t 5 - "UNIX-CONNECT:$RUN/ctl.sock"; }
has_addr() { ip -n "$NS" -6 addr show dev "$IFN" 2>/dev/null | grep -q "inet6 $1/"; }

# cycle TAG DP_WRAPPER... -- CTL_WRAPPER...: one discovery-traffic-shutdown
# cycle with the daemons started through the given wrappers; sets DP_RC, CTL_RC.
cycle() {
	local tag=$1 dpw=() ctw=() dp ctl t0
	shift
	while [ "$1" != -- ]; do dpw+=("$1"); shift; done
	shift
	ctw=("$@")
	rm -f "$RUN/dp.sock" "$RUN/ctl.sock"
	check "$tag: clean start (no $IFN left by a previous cycle)" bash -c "! ip -n $NS link show $IFN 2>/dev/null | grep -q ."
	bg_ns "$NS" "$T_TMP/$tag-dp.log" "${dpw[@]}" -d -i $IFN -s "$RUN/dp.sock" -U $CTL_USER -u $DP_USER
	dp=$BG_PID
	wait_for 60 test -S "$RUN/dp.sock" || { echo "datapath did not start"; tail -n 20 "$T_TMP/$tag-dp.log"; }
	bg_ns "$NS" "$T_TMP/$tag-ctl.log" setpriv --reuid=$CTL_USER --regid=nogroup --clear-groups \
		"${ctw[@]}" -d -v -f "$RUN/isatap.conf" -D "$RUN/dp.sock" -s "$RUN/ctl.sock"
	ctl=$BG_PID
	wait_for 60 test -S "$RUN/ctl.sock" || { echo "control did not start"; tail -n 20 "$T_TMP/$tag-ctl.log"; }
	t0=$SECONDS
	wait_for 90 has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	check "$tag: discovery by name, SLAAC address (in $((SECONDS - t0)) s)" has_addr "$ISATAP_ROUTER_CLIENT_ADDR6"
	check "$tag: 20 pings through the router" ip netns exec "$NS" ping -6 -n -q -c 20 -i 0.1 -W 3 "$ISATAP_ROUTER_FAR_ADDR6"
	check "$tag: 5 pings to the on-link kernel ISATAP host" \
		ip netns exec "$NS" ping -6 -n -q -c 5 -i 0.2 -W 3 "$ISATAP_ROUTER_HOST2_ADDR6"
	for m in status stats routers.list solicit prl.refresh 'nosuch'; do
		rpc "{\"jsonrpc\":\"2.0\",\"method\":\"$m\",\"id\":1}" >/dev/null
	done
	(echo '{"jsonrpc":"2.0","method":"subscribe","id":1}'; sleep 3) |
		ip netns exec "$NS" socat -t 5 - "UNIX-CONNECT:$RUN/ctl.sock" >/dev/null 2>&1 &
	sleep 1
	kill "$ctl"
	wait "$ctl"
	CTL_RC=$?
	kill "$dp"
	wait "$dp"
	DP_RC=$?
}

# ---- A. ASan + UBSan ------------------------------------------------------------------
export ASAN_OPTIONS=detect_leaks=1:exitcode=66:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=67
cycle asan "$SAN_BUILD/isatap-datapath" -- "$SAN_BUILD/isatap-control"
check_eq "asan: datapath exits 0 on SIGTERM" 0 "$DP_RC"
check_eq "asan: control exits 0 on SIGTERM" 0 "$CTL_RC"
for d in dp ctl; do
	check "asan: no sanitizer report from $d" \
		bash -c "! grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)' '$T_TMP/asan-$d.log'"
done
grep -hE 'ERROR: |runtime error:' "$T_TMP"/asan-*.log | head -n 5 | sed 's/^/       | /'
unset ASAN_OPTIONS UBSAN_OPTIONS

# ---- B. valgrind ----------------------------------------------------------------------------
# libbpf's deliberate short bpf(2) attributes (valgrind-libbpf.supp says which).
VG=(valgrind -q --vgdb=no --leak-check=full --error-exitcode=1
	--suppressions="$ISATAP_TOP/tests/integration/valgrind-libbpf.supp")
cycle valgrind "${VG[@]}" "$VG_BUILD/isatap-datapath" -- "${VG[@]}" "$VG_BUILD/isatap-control"
check_eq "valgrind: datapath exits 0 (no error, no leak)" 0 "$DP_RC"
check_eq "valgrind: control exits 0 (no error, no leak)" 0 "$CTL_RC"
for d in dp ctl; do
	check "valgrind: no report from $d" \
		bash -c "! grep -E '^==[0-9]+== (Invalid|Conditional|Syscall param|Mismatched|.*definitely lost|.*indirectly lost|.*possibly lost)' '$T_TMP/valgrind-$d.log'"
done
grep -hE '^==[0-9]+==' "$T_TMP"/valgrind-*.log | head -n 8 | sed 's/^/       | /'
t_done
