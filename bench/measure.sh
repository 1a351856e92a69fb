# shellcheck shell=bash
# Measurement helpers for bench.sh: each one runs a tool, reads the kernel's own
# accounting and appends "round<TAB>path<TAB>key<TAB>value" lines to $B_RAW.
# Sourced by bench.sh; uses $B_RAW, $B_TMP and $B_CA, the client namespace of
# the path being measured.

# raw ROUND PATH KEY VALUE
raw() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$B_RAW"; }

B_HZ=$(getconf CLK_TCK)

# sys_busy_ticks: CPU time of the whole machine, all cores, every non-idle
# mode (user nice system irq softirq steal), in clock ticks. /proc/stat is
# not namespaced, so this is the cost of both ends, the kernel and the tunnel.
sys_busy_ticks() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# CPU time of everything the bench starts, apart from the rest of the machine:
# cg_setup puts this shell into a cgroup of its own (v2, or v1's cpuacct),
# which every process it starts inherits; cg_usec reads its usage. Kernel
# work done in their context (most of the network stack here) is included,
# work deferred to ksoftirqd is not. Without cgroups the figure is left out.
B_CG='' B_CG_KIND='' B_CG_HOME=''
cg_setup() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		B_CG_KIND=2
		B_CG_HOME=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
		B_CG=/sys/fs/cgroup/ist-bench-$$
	elif [ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then
		B_CG_KIND=1
		B_CG_HOME=/sys/fs/cgroup/cpuacct$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}cpuacct\(,[^:]*\)\{0,1\}://p' /proc/self/cgroup)
		B_CG=/sys/fs/cgroup/cpuacct/ist-bench-$$
	else
		return 0
	fi
	if ! mkdir "$B_CG" 2>/dev/null || ! echo $$ >"$B_CG/cgroup.procs" 2>/dev/null; then
		rmdir "$B_CG" 2>/dev/null
		B_CG=
	fi
}
cg_usec() {
	case $B_CG_KIND in
	2) awk '$1 == "usage_usec" { print $2 }' "$B_CG/cpu.stat" ;;
	1) echo $(($(cat "$B_CG/cpuacct.usage") / 1000)) ;;
	esac
}
# cg_teardown: back home, once every process the bench started is gone.
cg_teardown() {
	[ -n "$B_CG" ] || return 0
	echo $$ >"$B_CG_HOME/cgroup.procs" 2>/dev/null
	rmdir "$B_CG" 2>/dev/null
}

# proc_ticks PID...: utime + stime of the processes (fields 14 and 15 of
# /proc/PID/stat, counted after the ")" that closes comm).
proc_ticks() {
	local total=0 p rest
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		rest=$(sed 's/^.*) //' "/proc/$p/stat")
		# shellcheck disable=SC2086
		set -- $rest
		total=$((total + ${12} + ${13}))
	done
	echo "$total"
}

# proc_status_kb PID FIELD: VmRSS / VmHWM in kB.
proc_status_kb() {
	awk -v f="$2:" '$1 == f { print $2; exit }' "/proc/$1/status" 2>/dev/null
}

# nstat_sum NS COUNTER...: the sum of absolute SNMP counters in NS. -s keeps
# nstat's history file (shared by every namespace) out of it.
nstat_sum() {
	local ns=$1
	shift
	ip netns exec "$ns" nstat -asz "$@" 2>/dev/null | awk '$1 !~ /^#/ { s += $2 } END { print s + 0 }'
}

# Inbound checksum errors the stack counted (TCP counts both families).
csum_errors() { nstat_sum "$1" TcpInCsumErrors Udp6InCsumErrors Icmp6InCsumErrors; }
# Segments the receiver queued out of order (reordering, or loss before them).
tcp_ofo() { nstat_sum "$1" TcpExtTCPOFOQueue; }
# IPv4 fragments a sender made: a tunnel whose outer packets do not fit the wire.
frags_made() { nstat_sum "$1" IpFragCreates; }

# json_get FILE EXPR: one number out of an iperf3 JSON report.
json_get() {
	jq -r "$2 // empty" "$1" 2>/dev/null
}

# m_ping ROUND PATH DST COUNT: idle RTT, average, median and p99 (nearest rank), in µs.
m_ping() {
	local out=$B_TMP/ping.$2.txt
	# Warm-up, not counted: the first packets of a path pay for route and
	# neighbour entries and first-touch page faults, once.
	ip netns exec "$B_CA" ping -6 -n -q -c 5 -i 0.01 -W 1 "$3" >/dev/null 2>&1
	if ! ip netns exec "$B_CA" ping -6 -n -c "$4" -i 0.01 -W 1 "$3" >"$out" 2>&1; then
		echo "bench: $2: ping $3 failed" >&2
		return 1
	fi
	awk -F'time=' '/time=/ { split($2, a, " "); print a[1] * 1000 }' "$out" | sort -n >"$out.us"
	local n
	n=$(wc -l <"$out.us")
	[ "$n" -gt 0 ] || return 1
	raw "$1" "$2" rtt_avg_us "$(awk '{ s += $1 } END { printf "%.1f", s / NR }' "$out.us")"
	raw "$1" "$2" rtt_p50_us "$(awk -v n="$n" 'BEGIN { k = int(n * 0.5 + 0.999) }
		NR == k { print; exit }' "$out.us")"
	raw "$1" "$2" rtt_p99_us "$(awk -v n="$n" 'BEGIN { k = int(n * 0.99 + 0.999) }
		NR == k { print; exit }' "$out.us")"
}

# m_iperf ROUND PATH DST KIND SECONDS PIDS...: one iperf3 run from A to B.
# KIND is tcp1, tcp4 or udp64. Records the receiver-side rate, the bytes, the
# machine's and the tunnel processes' CPU ticks over the run.
m_iperf() {
	local round=$1 path=$2 dst=$3 kind=$4 secs=$5
	shift 5
	local args=() json=$B_TMP/iperf.$path.$kind.json
	case $kind in
	tcp1) args=(-P 1) ;;
	tcp4) args=(-P 4) ;;
	udp64) args=(-u -b 0 -l 64) ;;
	esac
	local s0 p0 s1 p1 c0='' c1=''
	s0=$(sys_busy_ticks)
	p0=$(proc_ticks "$@")
	[ -n "$B_CG" ] && c0=$(cg_usec)
	timeout $((secs + 20)) ip netns exec "$B_CA" \
		iperf3 -c "$dst" -p "$B_IPERF_PORT" --connect-timeout 3000 -t "$secs" "${args[@]}" -J \
		>"$json" 2>"$json.err"
	local rc=$?
	s1=$(sys_busy_ticks)
	p1=$(proc_ticks "$@")
	[ -n "$B_CG" ] && c1=$(cg_usec)
	if [ $rc -ne 0 ] || [ -n "$(json_get "$json" .error)" ]; then
		echo "bench: $path: iperf3 $kind to $dst failed (rc $rc): $(json_get "$json" .error)" >&2
		return 1
	fi
	local bytes secs_rx
	bytes=$(json_get "$json" .end.sum_received.bytes)
	secs_rx=$(json_get "$json" .end.sum_received.seconds)
	case $kind in
	udp64)
		raw "$round" "$path" udp64_pps "$(awk -v b="$bytes" -v s="$secs_rx" \
			'BEGIN { printf "%.0f", b / 64 / s }')"
		raw "$round" "$path" udp64_out_of_order \
			"$(jq '[.end.streams[].udp.out_of_order // 0] | add' "$json")"
		raw "$round" "$path" udp64_lost "$(json_get "$json" .end.sum_received.lost_packets)"
		;;
	*)
		raw "$round" "$path" "${kind}_gbps" "$(awk -v b="$bytes" -v s="$secs_rx" \
			'BEGIN { printf "%.4f", b * 8 / s / 1e9 }')"
		raw "$round" "$path" "${kind}_retransmits" "$(json_get "$json" .end.sum_sent.retransmits)"
		;;
	esac
	raw "$round" "$path" "${kind}_bytes" "$bytes"
	raw "$round" "$path" "${kind}_sys_cpu_s" "$(awk -v t=$((s1 - s0)) -v hz="$B_HZ" \
		'BEGIN { printf "%.3f", t / hz }')"
	if [ -n "$c0" ] && [ -n "$c1" ]; then
		raw "$round" "$path" "${kind}_bench_cpu_s" "$(awk -v u=$((c1 - c0)) \
			'BEGIN { printf "%.3f", u / 1e6 }')"
	fi
	if [ $# -gt 0 ]; then
		raw "$round" "$path" "${kind}_tunnel_cpu_s" "$(awk -v t=$((p1 - p0)) -v hz="$B_HZ" \
			'BEGIN { printf "%.3f", t / hz }')"
	fi
}
