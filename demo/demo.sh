#!/bin/bash
# demo/demo.sh — a self-contained ISATAP site in network namespaces (root).
#
#   demo/demo.sh up      tear down leftovers, build the site, start everything,
#                        show the client working; the site then stays up
#   demo/demo.sh down    remove every namespace, process and file the demo made
#   demo/demo.sh status  say whether the demo site is up
#
# `make demo` and `make demo-down` call these. BUILD names the build directory
# (default build). DEMO_KEEP=1 keeps a site that failed, for inspection.
#
# The site (only documentation addresses; nothing touches the root namespace
# except /run/isatap-demo and /etc/netns/isdemo-client):
#
#   isdemo-lan     bridge lan0: the IPv4-only LAN 192.0.2.0/24 (IPv6 off on it)
#   isdemo-router  192.0.2.254 on the LAN; isatap-datapath --router with TUN
#                  isatap0 (fe80::5efe:c000:2fe, 2001:db8:1::5efe:c000:2fe/64)
#                  and radvd (UnicastOnly) advertising 2001:db8:1::/64 and a
#                  default route; 2001:db8:2::1/64 upstream; IPv6 forwarding on
#   isdemo-server  2001:db8:2::80 upstream, HTTP on [2001:db8:2::80]:80
#   isdemo-dns     192.0.2.53: dnsmasq, isatap.demo.example A 192.0.2.254
#   isdemo-client  192.0.2.10 on the LAN, resolv.conf "search demo.example";
#                  isatap-datapath (drops to _isatap-dp) and isatap-control
#                  (runs as _isatap), told nothing but to look for "isatap"
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
DATAPATH=$BUILD/isatap-datapath
CONTROL=$BUILD/isatap-control
CTL=$BUILD/isatapctl

# ISATAP_DEMO_TAG=x runs a separate copy (isdemox-*, /run/isatap-demo-x), so that
# tests/demo-check never touches a demo someone has up.
TAG=${ISATAP_DEMO_TAG:-}
case "$TAG" in *[!a-z0-9]*) echo "demo: ISATAP_DEMO_TAG must be [a-z0-9]*" >&2; exit 2 ;; esac
NS_LAN=isdemo$TAG-lan
NS_ROUTER=isdemo$TAG-router
NS_SERVER=isdemo$TAG-server
NS_DNS=isdemo$TAG-dns
NS_CLIENT=isdemo$TAG-client
NAMESPACES="$NS_CLIENT $NS_ROUTER $NS_SERVER $NS_DNS $NS_LAN"

DOMAIN=demo.example
ROUTER_V4=192.0.2.254
DNS_V4=192.0.2.53
CLIENT_V4=192.0.2.10
V4_PLEN=24
PREFIX=2001:db8:1::
ROUTER_LL=fe80::5efe:c000:2fe
ROUTER_ADDR6=2001:db8:1::5efe:c000:2fe
CLIENT_LL=fe80::5efe:c000:20a
CLIENT_ADDR6=2001:db8:1::5efe:c000:20a
UP_ROUTER6=2001:db8:2::1
SERVER6=2001:db8:2::80
MTU=1280

DP_USER=_isatap-dp
CTL_USER=_isatap

STATE=/run/isatap-demo${TAG:+-$TAG}
LOG=$STATE/log
CLIENT_RUN=$STATE/client
ROUTER_RUN=$STATE/router
CLIENT_DP_SOCK=$CLIENT_RUN/datapath.sock
CLIENT_API_SOCK=$CLIENT_RUN/control.sock
ROUTER_DP_SOCK=$ROUTER_RUN/datapath.sock
FAILLOG=/tmp/isatap-demo${TAG:+-$TAG}-failed

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
info() { printf '   %s\n' "$*"; }

# ---------------------------------------------------------------- teardown
# proc_state PID: the state letter of PID (R, S, D, Z...); nothing once it is gone.
proc_state() {
	local k v
	{ while read -r k v _; do
		[ "$k" = State: ] && { echo "$v"; return; }
	done <"/proc/$1/status"; } 2>/dev/null
}
# procs_running PID...: those still running. A zombie (Z) has exited and only
# waits for its parent to reap it: once `up` has returned that is PID 1.
procs_running() { local p s; for p; do s=$(proc_state "$p"); [ -n "$s" ] && [ "$s" != Z ] && echo "$p"; done; }
# procs_present PID...: those still in the process table, zombies included.
procs_present() { local p; for p; do [ -e "/proc/$p" ] && echo "$p"; done; }
# wait_procs SECONDS FILTER PID...: polls until FILTER lists none of PID...;
# LEFT holds what it listed last.
wait_procs() {
	local end=$((SECONDS + $1)) filter=$2
	shift 2
	while LEFT=$("$filter" "$@"); [ -n "$LEFT" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
	return 0
}
# describe PID...: "PID (name, state S)" for each
describe() { local p; for p; do printf ' %s (%s, state %s)' "$p" "$(cat "/proc/$p/comm" 2>/dev/null)" "$(proc_state "$p")"; done; }

# stop_procs PID...: SIGTERM, then SIGKILL to those still running after 3 s,
# then a wait until all have left the process table, so that nothing of the
# demo is listed once `down` returns; 1 when one still runs 5 s after SIGKILL.
stop_procs() {
	[ $# -gt 0 ] || return 0
	# Politely first: the datapaths remove what they configured on SIGTERM.
	kill "$@" 2>/dev/null
	if ! wait_procs 3 procs_running "$@"; then
		kill -9 $LEFT 2>/dev/null
		if ! wait_procs 5 procs_running $LEFT; then
			say "demo: still running 5 s after SIGKILL:$(describe $LEFT)" >&2
			return 1
		fi
	fi
	wait_procs 5 procs_present "$@" ||
		say "demo: exited but not yet reaped by their parent:$(describe $LEFT)" >&2
	return 0
}

# ns_pids: every process in the demo's namespaces
ns_pids() {
	local ns
	for ns in $NAMESPACES; do
		[ -e "/run/netns/$ns" ] && ip netns pids "$ns" 2>/dev/null
	done
}

# do_down: every process of the demo stopped and gone, then its namespaces and
# files; 1 when a process would not exit even after SIGKILL.
do_down() {
	local ns pids p rc=0
	# The demo's processes: everything in its namespaces, and our daemons left
	# from a run whose namespace is already gone (an earlier half-finished
	# run), found by program and by a command line naming $STATE.
	pids=$(ns_pids)
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		case "$(basename "$(readlink "/proc/$p/exe" 2>/dev/null)")" in
		isatap-datapath | isatap-control | radvd | dnsmasq | busybox) ;;
		*) continue ;;
		esac
		if tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -q -- "$STATE/"; then
			pids="$pids $p"
		fi
	done
	stop_procs $(printf '%s\n' $pids | sort -un) || rc=1
	# Anything started in the namespaces in the meantime (a shell's children).
	stop_procs $(ns_pids) || rc=1
	for ns in $NAMESPACES; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	rm -rf "$STATE"
	return $rc
}

# ---------------------------------------------------------------- helpers
need_root() {
	[ "$(id -u)" = 0 ] || { say "demo: run as root (it creates network namespaces and TUN devices)"; exit 1; }
	[ -c /dev/net/tun ] || { say "demo: /dev/net/tun is missing (modprobe tun)"; exit 1; }
}

# find_dpclient: the datapath test client (tests/tools/dpclient) in the build.
find_dpclient() {
	local c
	for c in "$BUILD/dpclient" "$BUILD/tests/dpclient" "$BUILD/tests/tools/dpclient" "$BUILD/tools/dpclient"; do
		[ -x "$c" ] && { DPCLIENT=$c; return 0; }
	done
	return 1
}

# nsx NS CMD...: run CMD in namespace NS
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# bg NAME NS CMD...: start CMD in NS in the background, in a session of its own
# (a later Ctrl-C or hang-up of the terminal does not reach it), logging to
# $LOG/NAME.log. ip, setsid (not a group leader here, so it does not fork) and
# setpriv all exec, so the recorded pid is the daemon's.
bg() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" setsid "$@" >"$LOG/$name.log" 2>&1 </dev/null 3>&- 4>&- &
	echo $! >"$STATE/$name.pid"
}

alive() { local p; p=$(cat "$STATE/$1.pid" 2>/dev/null) && kill -0 "$p" 2>/dev/null; }

# wait_until SECONDS CMD...: polls CMD every 0.1 s
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

ensure_user() { # NAME: a system user with its own group, no home, no shell
	local u=$1
	id "$u" >/dev/null 2>&1 && return 0
	if command -v systemd-sysusers >/dev/null 2>&1 && [ -f "$TOP/dist/sysusers.d/isatap.conf" ]; then
		systemd-sysusers - <"$TOP/dist/sysusers.d/isatap.conf" >/dev/null 2>&1
	fi
	id "$u" >/dev/null 2>&1 && { CREATED_USERS="$CREATED_USERS $u"; return 0; }
	useradd --system --user-group --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin --comment "isatap demo/service" "$u" ||
		fail "cannot create system user $u"
	CREATED_USERS="$CREATED_USERS $u"
}

fail() {
	local f ns
	say ""
	say "demo: FAILED: $*"
	if [ -d "$LOG" ]; then
		# The state of every namespace at the moment of failure.
		for ns in $NAMESPACES; do
			[ -e "/run/netns/$ns" ] || continue
			echo "### $ns"
			ip -n "$ns" addr
			ip -n "$ns" -6 route
			ip -n "$ns" -4 route
		done >"$LOG/ip-state.log" 2>&1
		rm -rf "$FAILLOG"
		cp -r "$LOG" "$FAILLOG" 2>/dev/null
		for f in "$LOG"/*.log; do
			[ -s "$f" ] && [ "$f" != "$LOG/ip-state.log" ] || continue
			say "--- last lines of $(basename "$f")"
			tail -n 12 "$f" | sed 's/^/    /'
		done
		say "demo: all logs copied to $FAILLOG/"
	fi
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		say "demo: DEMO_KEEP=1: the site is left up for inspection; 'make demo-down' removes it"
	else
		do_down
		say "demo: the site was removed (DEMO_KEEP=1 keeps it for inspection)"
	fi
	exit 1
}

on_signal() {
	# Ignore further signals while tearing down: a second Ctrl-C (or timeout(1)
	# signalling its whole group) must not cut the teardown short.
	trap '' INT TERM
	# The trap may run while a command's redirection (wait_until's >/dev/null)
	# is in force: speak on the script's own stdout and stderr, saved in do_up.
	exec 1>&3 2>&4
	say ""
	say "demo: interrupted; removing the site"
	do_down
	exit 130
}

# veth NS_A IF_A NS_B IF_B: a veth pair whose ends never touch the root namespace
veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		fail "ip link add $2 (in $1) <-> $4 (in $3)"
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

v6_off() { nsx "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"; }

client_has_global() {
	ip -n "$NS_CLIENT" -6 -o addr show dev isatap0 scope global 2>/dev/null | grep -q " $CLIENT_ADDR6/"
}

# ---------------------------------------------------------------- up
build_site() {
	local ns
	mkdir -p "$LOG" "$CLIENT_RUN" "$ROUTER_RUN" "$STATE/www" || fail "mkdir $STATE"
	# The daemons run from a copy in $STATE/sbin, which their users can read:
	# this checkout may not be (a clone under /root, mode 0700).
	install -d -m 0755 "$STATE/sbin" && install -m 0755 "$DATAPATH" "$CONTROL" "$STATE/sbin/" ||
		fail "cannot copy the daemons into $STATE/sbin"
	DATAPATH=$STATE/sbin/isatap-datapath
	CONTROL=$STATE/sbin/isatap-control
	# Like RuntimeDirectory=isatap: control (unprivileged) makes its socket here.
	chown "$CTL_USER:$CTL_USER" "$CLIENT_RUN" && chmod 0755 "$STATE" "$CLIENT_RUN" "$ROUTER_RUN"
	for ns in $NAMESPACES; do
		ip netns add "$ns" || fail "ip netns add $ns"
		ip -n "$ns" link set lo up
	done
	# The Ethernet side of the site needs no duplicate address detection, and
	# without it the router's upstream link-local is usable at once (with it,
	# the first forwarded packets wait about a second for neighbour discovery).
	for ns in "$NS_ROUTER" "$NS_SERVER"; do
		nsx "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
	done

	# The IPv4-only LAN: a bridge in its own namespace, IPv6 off on every port.
	nsx "$NS_LAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS_LAN" link add lan0 type bridge || fail "bridge lan0"
	ip -n "$NS_LAN" link set lan0 up
	veth "$NS_LAN" p-router "$NS_ROUTER" eth0
	veth "$NS_LAN" p-dns "$NS_DNS" eth0
	veth "$NS_LAN" p-client "$NS_CLIENT" eth0
	for ns in p-router p-dns p-client; do ip -n "$NS_LAN" link set "$ns" master lan0; done
	for ns in "$NS_ROUTER" "$NS_DNS" "$NS_CLIENT"; do v6_off "$ns" eth0; done
	ip -n "$NS_ROUTER" addr add "$ROUTER_V4/$V4_PLEN" dev eth0
	ip -n "$NS_DNS" addr add "$DNS_V4/$V4_PLEN" dev eth0
	ip -n "$NS_CLIENT" addr add "$CLIENT_V4/$V4_PLEN" dev eth0
	# The kernel fast path (isatap-datapath(8)) leaves the inner checksum
	# of what it encapsulates to the link's offload, as the kernel does; a
	# veth never computes it, and a peer whose user-space path takes the
	# packet cannot finish it. On the LAN's veths the kernel computes
	# checksums itself, as a NIC would on the wire.
	for ns in "$NS_ROUTER" "$NS_CLIENT"; do
		nsx "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || fail "ethtool -K eth0 tx off in $ns"
	done

	# The upstream IPv6 network between router and server.
	veth "$NS_ROUTER" up0 "$NS_SERVER" eth0
	ip -n "$NS_ROUTER" -6 addr add "$UP_ROUTER6/64" dev up0 nodad
	ip -n "$NS_SERVER" -6 addr add "$SERVER6/64" dev eth0 nodad
	ip -n "$NS_SERVER" -6 route add default via "$UP_ROUTER6" dev eth0
	nsx "$NS_ROUTER" sysctl -qw net.ipv6.conf.all.forwarding=1

	# The client resolves through the site's DNS, with the site's search domain.
	mkdir -p "/etc/netns/$NS_CLIENT"
	printf 'nameserver %s\nsearch %s\n' "$DNS_V4" "$DOMAIN" >"/etc/netns/$NS_CLIENT/resolv.conf"
}

start_dns() {
	bg dnsmasq "$NS_DNS" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--bind-interfaces --listen-address="$DNS_V4" --user=nobody --group=nogroup \
		--pid-file="$STATE/dnsmasq.daemon.pid" --local="/$DOMAIN/" \
		--host-record="isatap.$DOMAIN,$ROUTER_V4" --host-record="server.$DOMAIN,$SERVER6" \
		--log-queries --log-facility=-
	wait_until 5 nsx "$NS_CLIENT" getent ahostsv4 "isatap.$DOMAIN" || fail "dnsmasq does not answer isatap.$DOMAIN"
}

start_server() {
	cat >"$STATE/www/index.html" <<EOF
<!DOCTYPE html>
<title>isatap demo</title>
<p>Hello over IPv6. This page lives on $SERVER6, an IPv6-only host behind the ISATAP
router; you reached it from an IPv4-only LAN through isatap-datapath.</p>
EOF
	bg httpd "$NS_SERVER" busybox httpd -f -vv -p "[$SERVER6]:80" -h "$STATE/www"
	wait_until 5 nsx "$NS_SERVER" sh -c "ss -Hltn | grep -q '\\[$SERVER6\\]:80'" || fail "the HTTP server did not start"
}

start_router() {
	bg router-datapath "$NS_ROUTER" "$DATAPATH" --router -d -i isatap0 -s "$ROUTER_DP_SOCK" \
		-u "$DP_USER" -U root
	wait_until 5 test -S "$ROUTER_DP_SOCK" || fail "the router's isatap-datapath made no socket $ROUTER_DP_SOCK"
	# The router's own ISATAP interface: its locator, the on-link prefix and its
	# addresses, pushed over the datapath socket as control would.
	nsx "$NS_ROUTER" "$DPCLIENT" -s "$ROUTER_DP_SOCK" \
		locator "$ROUTER_V4" \
		onlink "${PREFIX}/64" \
		addr "$ROUTER_LL/64" \
		addr "$ROUTER_ADDR6/64" \
		mtu "$MTU" \
		link up >"$LOG/router-dpclient.log" 2>&1 ||
		fail "dpclient could not configure the router's datapath"
	wait_until 5 sh -c "ip -n $NS_ROUTER -6 -o addr show dev isatap0 | grep -q ' $ROUTER_LL/'" ||
		fail "the router's isatap0 has no $ROUTER_LL"

	# The radvd.conf shipped for router mode, as it is: it names isatap0 and
	# this demo's prefix.
	grep -q "^interface isatap0" "$TOP/dist/radvd.conf.example" &&
		grep -q "prefix ${PREFIX}/64" "$TOP/dist/radvd.conf.example" ||
		fail "dist/radvd.conf.example no longer names isatap0 and ${PREFIX}/64"
	cp "$TOP/dist/radvd.conf.example" "$STATE/radvd.conf"
	radvd -c -C "$STATE/radvd.conf" >"$LOG/radvd-check.log" 2>&1 || fail "radvd rejects $STATE/radvd.conf"
	bg radvd "$NS_ROUTER" radvd -n -m stderr -d 1 -C "$STATE/radvd.conf" -p "$STATE/radvd.daemon.pid"
	sleep 0.3
	alive radvd || fail "radvd exited"
}

start_client() {
	bg client-datapath "$NS_CLIENT" "$DATAPATH" -d -i isatap0 -s "$CLIENT_DP_SOCK" \
		-u "$DP_USER" -U "$CTL_USER"
	wait_until 5 test -S "$CLIENT_DP_SOCK" || fail "the client's isatap-datapath made no socket $CLIENT_DP_SOCK"
	# Control is told where the sockets are and nothing else: the router comes
	# from DNS ("isatap", tried through the search domain demo.example).
	printf '# isatap-control for the demo: nothing configured, so the router list is the\n# DNS name "isatap", tried through the search domains of resolv.conf.\n' >"$STATE/client.conf"
	bg client-control "$NS_CLIENT" setpriv --reuid="$CTL_USER" --regid="$CTL_USER" --init-groups \
		--inh-caps=-all --bounding-set=-all --no-new-privs -- \
		"$CONTROL" -d -v -f "$STATE/client.conf" -D "$CLIENT_DP_SOCK" -s "$CLIENT_API_SOCK"
	wait_until 5 test -S "$CLIENT_API_SOCK" || fail "isatap-control made no socket $CLIENT_API_SOCK"
}

# proc_user NAME: the user a started daemon runs as now (real uid)
proc_user() {
	local uid
	uid=$(awk '/^Uid:/ {print $2}' "/proc/$(cat "$STATE/$1.pid")/status" 2>/dev/null) || return
	getent passwd "$uid" | cut -d: -f1
}

# The pid of the daemon itself (bg records the pid of `ip netns exec`, which
# execs, so it is the same process; setpriv execs too).
proc_caps() { awk '/^CapEff/ {print $2}' "/proc/$(cat "$STATE/$1.pid")/status" 2>/dev/null; }

do_up() {
	local t0 secs out rtt dnsq dns_mark page code ctl_user dp_user b c rsra defroute rcount rin rout from
	need_root
	for b in "$DATAPATH" "$CONTROL" "$CTL"; do
		[ -x "$b" ] || { say "demo: $b is not built (make BUILD=${BUILD#"$TOP"/})"; exit 1; }
	done
	find_dpclient || { say "demo: the datapath test client (tests/tools/dpclient) is not built in $BUILD"; exit 1; }
	for c in radvd dnsmasq busybox curl jq setpriv ethtool; do
		command -v "$c" >/dev/null || { say "demo: $c is missing (run: dist/deps.sh demo)"; exit 1; }
	done

	do_down
	exec 3>&1 4>&2
	trap on_signal INT TERM
	CREATED_USERS=""
	ensure_user "$DP_USER"
	ensure_user "$CTL_USER"

	say "isatap demo: an IPv4-only site with an ISATAP router, in network namespaces"
	say "  LAN         192.0.2.0/24, IPv4 only (bridge lan0 in $NS_LAN)"
	say "  router      $ROUTER_V4: isatap-datapath --router + radvd, prefix ${PREFIX}/64 ($NS_ROUTER)"
	say "  DNS         $DNS_V4: dnsmasq, isatap.$DOMAIN -> $ROUTER_V4 ($NS_DNS)"
	say "  server      $SERVER6, IPv6 only, behind the router; HTTP on port 80 ($NS_SERVER)"
	say "  client      $CLIENT_V4: isatap-datapath + isatap-control, told only to look for \"isatap\" ($NS_CLIENT)"
	[ -n "$CREATED_USERS" ] && say "  (created system users:$CREATED_USERS; they are kept, like an installed service's)"

	step "building the site"
	build_site
	start_dns
	start_server
	info "LAN, upstream network, DNS and HTTP server are up"

	step "starting the ISATAP router ($NS_ROUTER)"
	start_router
	info "isatap-datapath --router owns isatap0 with $ROUTER_LL and $ROUTER_ADDR6"
	info "radvd (dist/radvd.conf.example) answers Router Solicitations on isatap0, unicast only"

	step "starting the client ($NS_CLIENT)"
	dns_mark=$(wc -l <"$LOG/dnsmasq.log")
	t0=$EPOCHREALTIME
	start_client
	dp_user=$(proc_user client-datapath)
	ctl_user=$(proc_user client-control)
	info "isatap-datapath runs as $dp_user (effective capabilities $(proc_caps client-datapath))"
	info "isatap-control runs as $ctl_user (effective capabilities $(proc_caps client-control))"
	[ "$dp_user" = "$DP_USER" ] || fail "the client's datapath runs as '$dp_user', not $DP_USER"
	[ "$ctl_user" = "$CTL_USER" ] || fail "isatap-control runs as '$ctl_user', not $CTL_USER"

	step "waiting for the client's global address $CLIENT_ADDR6"
	wait_until 30 client_has_global || fail "no global address on the client's isatap0 after 30 s"
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')
	info "there after ${secs} s"

	step "isatapctl status"
	nsx "$NS_CLIENT" "$CTL" -s "$CLIENT_API_SOCK" status || fail "isatapctl status failed"

	step "ping -6 $SERVER6 (the server behind the router)"
	out=$(nsx "$NS_CLIENT" ping -6 -n -c 3 -i 0.3 -W 2 "$SERVER6" 2>&1)
	printf '%s\n' "$out" | sed 's/^/   /'
	printf '%s\n' "$out" | grep -q ' 0% packet loss' || fail "ping -6 $SERVER6 lost packets"
	rtt=$(printf '%s\n' "$out" | sed -n 's|.* = [0-9.]*/\([0-9.]*\)/.*|\1|p')

	step "HTTP over IPv6: curl http://server.$DOMAIN/"
	page=$(nsx "$NS_CLIENT" curl -6 -sS --max-time 10 -o - -w '\n%{http_code} %{remote_ip}' "http://server.$DOMAIN/" 2>&1)
	code=$(printf '%s\n' "$page" | tail -n 1)
	printf '%s\n' "$page" | sed '$d' | sed 's/^/   | /'
	[ "${code%% *}" = 200 ] || fail "HTTP fetch failed: $code"

	dnsq=$(tail -n "+$((dns_mark + 1))" "$LOG/dnsmasq.log" | grep -c "query\[A\] isatap.$DOMAIN from $CLIENT_V4")
	out=$(nsx "$NS_CLIENT" "$CTL" -s "$CLIENT_API_SOCK" --json=short status 2>/dev/null)
	rsra=$(printf '%s\n' "$out" | jq -r --arg r "$ROUTER_V4" \
		'.prl[]? | select(.ipv4 == $r) | "\(.solicitations) RS sent, \(.advertisements) RA received"' 2>/dev/null)
	defroute=$(ip -n "$NS_CLIENT" -6 route show default 2>/dev/null | head -n 1)
	rcount=$(nsx "$NS_ROUTER" "$DPCLIENT" -s "$ROUTER_DP_SOCK" counters 2>/dev/null)
	rin=$(printf '%s\n' "$rcount" | sed -n 's/^in_packets=//p')
	rout=$(printf '%s\n' "$rcount" | sed -n 's/^out_packets=//p')
	from=$(grep -o "\[$CLIENT_ADDR6\]" "$LOG/httpd.log" | head -n 1)

	step "what happened"
	say "   1. isatap-control was given no router. It looked up \"isatap\" through the"
	say "      search domain $DOMAIN: dnsmasq logged $dnsq A query for isatap.$DOMAIN"
	say "      from $CLIENT_V4 and answered $ROUTER_V4."
	say "   2. It solicited that router: $CLIENT_LL -> $ROUTER_LL,"
	say "      inside IPv4 protocol 41 to $ROUTER_V4. The router's isatap-datapath"
	say "      passed the RS to radvd through its TUN; radvd's unicast RA came back the"
	say "      same way. isatap-control's router list: ${rsra:-(no count in status)}."
	say "   3. From the RA's prefix ${PREFIX}/64 it formed $CLIENT_ADDR6"
	say "      (prefix + 0:5efe + $CLIENT_V4) ${secs} s after its daemons started,"
	say "      and the default route through the tunnel:"
	say "        ${defroute:-(none!)}"
	say "   4. ping -6 $SERVER6 (IPv6 only, behind the router): 3 of 3 answered,"
	say "      average ${rtt:-?} ms: client isatap0 -> IPv4 -> router isatap0 -> forwarded"
	say "      upstream, and back. The router's datapath has decapsulated ${rin:-?} and"
	say "      encapsulated ${rout:-?} packets so far."
	say "   5. HTTP over IPv6: http://server.$DOMAIN/ (AAAA $SERVER6) answered"
	say "      ${code%% *}; the server logged the request as coming from ${from:-?}."
	say ""
	say "The site stays up. Try, for example:"
	say "   ip netns exec $NS_CLIENT ping $SERVER6"
	say "   ip netns exec $NS_CLIENT ${CTL#"$TOP"/} -s $CLIENT_API_SOCK monitor"
	say "   ip netns exec $NS_CLIENT curl http://server.$DOMAIN/"
	say "Logs are in $LOG/. Remove everything with: make demo-down"
	trap - INT TERM
}

do_status() {
	local ns up=0
	for ns in $NAMESPACES; do [ -e "/run/netns/$ns" ] && up=$((up + 1)); done
	if [ $up = 0 ]; then say "demo: down"; exit 3; fi
	say "demo: $up of 5 namespaces present"
	client_has_global && say "demo: the client has $CLIENT_ADDR6"
	[ -S "$CLIENT_API_SOCK" ] && nsx "$NS_CLIENT" "$CTL" -s "$CLIENT_API_SOCK" status
	exit 0
}

# Sourced (by a test that wants the helpers): define, do not run.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

case "${1:-}" in
up) do_up ;;
down)
	need_root
	do_down || { say "demo: down, but a process of the demo is still running (above)"; exit 1; }
	say "demo: down (namespaces, processes and $STATE removed)"
	;;
status) do_status ;;
*)
	say "usage: $0 up|down|status" >&2
	exit 2
	;;
esac
