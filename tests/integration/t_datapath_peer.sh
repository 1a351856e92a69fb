#!/bin/bash
# isatap-datapath against an independently written ISATAP implementation: the
# Linux kernel's sit driver in ISATAP mode with radvd, booted in qemu by
# ../shared/peers/isatap-router. No isatap-control: dpclient does by hand
# what control would, so that only the datapath is under test.
. "$(dirname "$0")/lib.sh"

require_root
require_bins "$DATAPATH" "$DPCLIENT"
# Its own router instance, apart from any overlapping run of this suite.
ISATAP_ROUTER_NS=ist-dp-peer$$ peer_up

NS=$ISATAP_ROUTER_NS
SOCK=$T_TMP/dp.sock
dp() { in_ns "$NS" "$DPCLIENT" -s "$SOCK" "$@"; }
counter() { dp counters | sed -n "s/^$1=//p"; }

bg_ns "$NS" "$T_TMP/dp.log" "$DATAPATH" -d -i isatap0 -s "$SOCK"
PID=$BG_PID
check "the datapath listens" wait_for 5 test -S "$SOCK"
check "configured: locator, PRL = the kernel router, link-local, link up" \
	dp locator "$ISATAP_ROUTER_CLIENT_V4" prl "$ISATAP_ROUTER_V4" \
	addr "$ISATAP_ROUTER_CLIENT_LL/64" link up

# RFC 5214 §8.3.4: a unicast RS to the router's ISATAP link-local address,
# built by the datapath itself; the kernel router's radvd answers.
dp --hold -n 1 -w 15 send-rs "$ISATAP_ROUTER_V4" 0 >"$T_TMP/rs.out" 2>&1
ev=$(grep '^event=nd_recv' "$T_TMP/rs.out")
check "the kernel router's RA came up as ND_RECV (got: ${ev:-nothing})" test -n "$ev"
check "... from $ISATAP_ROUTER_V4 / $ISATAP_ROUTER_LL, ICMPv6 134, hop limit 255" \
	grep -q "outer_src=$ISATAP_ROUTER_V4 .* src=$ISATAP_ROUTER_LL dst=$ISATAP_ROUTER_CLIENT_LL hlim=255 icmp6_type=134" <<<"$ev"

# What control makes of the RA (RFC 4862 address, L flag, router lifetime).
check "configured: SLAAC address, on-link prefix, default route via the router" \
	dp addr "$ISATAP_ROUTER_CLIENT_ADDR6/64" onlink "$ISATAP_ROUTER_PREFIX" \
	route ::/0 "$ISATAP_ROUTER_V4"
check "ping6 the router's link-local address" \
	in_ns "$NS" ping -6 -c 2 -i 0.3 -W 3 "$ISATAP_ROUTER_LL%isatap0"
check "ping6 the router's global ISATAP address" \
	in_ns "$NS" ping -6 -c 2 -i 0.3 -W 3 "$ISATAP_ROUTER_ADDR6"
if [ -n "${ISATAP_ROUTER_HOST2_ADDR6:-}" ]; then
	check "ping6 the kernel ISATAP host directly (on-link, $ISATAP_ROUTER_HOST2_V4)" \
		in_ns "$NS" ping -6 -c 2 -i 0.3 -W 3 "$ISATAP_ROUTER_HOST2_ADDR6"
fi
check "ping6 the IPv6 host behind the router (default route)" \
	in_ns "$NS" ping -6 -c 3 -i 0.3 -W 3 "$ISATAP_ROUTER_FAR_ADDR6"
check_eq "nothing the kernel peers sent was refused (no drop counted inbound)" "" \
	"$(dp counters | grep '^in_drop_' | grep -v '=0$')"
check "what the kernel sent was counted in" test "$(counter in_packets)" -ge 7

kill -TERM $PID
wait $PID
check_eq "SIGTERM: exit 0" 0 $?

t_done
