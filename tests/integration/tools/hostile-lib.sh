# shellcheck shell=bash
# Helpers shared by the hostile, privilege, API-abuse, fault and memcheck
# suites (tests/integration/t_{hostile,privilege,api_abuse,faults,memcheck}*.sh).
# Source after lib.sh.

# $TOOLS: lib.sh's readable copy of tests/integration/tools.
# Debian's python3 (scapy lives there), whatever a pyenv shim says.
PY=/usr/bin/python3
FORGE="$PY $TOOLS/isatap-forge.py"
DPMSG="$PY $TOOLS/isatap-dpmsg.py"

# dp_msg NS SOCK OP...: one connection to a datapath, as control would make it.
dp_msg() { local ns=$1 sock=$2; shift 2; in_ns "$ns" $DPMSG -s "$sock" "$@"; }

# dp_counters NS SOCK FILE: "name value" lines of every datapath counter.
dp_counters() { dp_msg "$1" "$2" counters | grep -v '^hello' >"$3"; }

# counter FILE NAME: one value (empty when absent).
counter() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

# counters_diff BEFORE AFTER: "name +delta" for every counter that moved.
counters_diff() {
	awk 'NR == FNR { b[$1] = $2; next } $2 != b[$1] { printf "%s +%d\n", $1, $2 - b[$1] }' "$1" "$2"
}

# mac_of NS IFACE
mac_of() { in_ns "$1" cat "/sys/class/net/$2/address"; }

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat")
	[ "$st" != Z ] && [ "$st" != X ]
}

# snmp NS TABLE FIELD: a kernel IPv4 counter in a namespace (Ip InHdrErrors,
# IpExt InTruncatedPkts, ...), from /proc/net/snmp or /proc/net/netstat.
snmp() {
	in_ns "$1" cat /proc/net/snmp /proc/net/netstat |
		awk -v t="$2:" -v f="$3" '$1 == t && !h[t]++ { for (i = 2; i <= NF; i++) k[i] = $i; next }
			$1 == t { for (i = 2; i <= NF; i++) if (k[i] == f) print $i }'
}
