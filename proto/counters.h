/*
 * The datapath's counters, shared so that control and isatapctl can name
 * them. Indices are positions in struct msg_counters.v[] and are append-only.
 */
#ifndef ISATAP_PROTO_COUNTERS_H
#define ISATAP_PROTO_COUNTERS_H

#include "decap.h"
#include "nexthop.h"

enum dp_counter {
	/* outbound: TUN -> network */
	DPC_OUT_PACKETS = 0, /* encapsulated and sent */
	DPC_OUT_BYTES,       /* inner IPv6 bytes of those */
	DPC_OUT_SEND_ERRORS, /* sendmmsg/sendto failures */
	/* inbound: network -> TUN */
	DPC_IN_PACKETS,    /* decapsulated and written to the TUN */
	DPC_IN_BYTES,      /* inner IPv6 bytes of those */
	DPC_IN_TUN_ERRORS, /* TUN write failures */
	DPC_ND_UP,         /* ND messages passed to control (RA, Redirect from the PRL) */
	DPC_ND_UP_DROPPED, /* ND messages with no control connected, or too large */
	DPC_RS_SENT,       /* Router Solicitations sent on control's request */
	/* one per drop reason of decap_check(): DPC_DECAP_BASE + verdict */
	DPC_DECAP_BASE,
	/* one per drop reason of nh_lookup(): DPC_NH_BASE + verdict */
	DPC_NH_BASE = DPC_DECAP_BASE + DECAP_VERDICT_COUNT,
	/* TUN offloads (Linux IFF_VNET_HDR), appended after the verdicts */
	/* TCP and UDP super-packets segmented (the name predates UDP) */
	DPC_OUT_TSO_PACKETS = DPC_NH_BASE + NH_VERDICT_COUNT,
	DPC_OUT_DROP_OFFLOAD, /* super-packets or partial checksums we could not handle */
	/* inbound TCP segments and UDP datagrams coalesced into the one before */
	DPC_IN_GRO_MERGED,
	/* ICMPv6 Destination Unreachable written into the TUN for packets
	 * that could not be sent (RFC 4443 §3.1), and those not sent: over
	 * the rate limit (§2.4(f)), or no address to send from / TUN write
	 * failed */
	DPC_OUT_ICMP6_UNREACH,
	DPC_OUT_ICMP6_UNREACH_LIMITED,
	DPC_OUT_ICMP6_UNREACH_UNSENT,
	/* RFC 6040 §4.2: inner packets given CE from the outer header, and
	 * those that arrived in a combination marked "currently unused" */
	DPC_IN_ECN_CE,
	DPC_IN_ECN_UNUSED,
	/* Neighbor Discovery in the datapath (datapath/nd_in.c): Neighbor
	 * Advertisements sent in answer to solicitations (RFC 4861 §7.2.4);
	 * RAs and Redirects not from a PRL router (RFC 5214 §8.3.3); RS and NA,
	 * which a host ignores; solicitations that fail RFC 4861 §7.1.1 or are
	 * not unicast, and ND behind extension headers; solicitations for a
	 * target that is not ours; ND over its budget */
	DPC_ND_NA_SENT,
	DPC_ND_DROP_NOT_FROM_PRL,
	DPC_ND_DROP_IGNORED,
	DPC_ND_DROP_INVALID,
	DPC_ND_DROP_NS_NOT_OURS,
	DPC_ND_RATE_LIMITED,
	/* kernel routes refused: another interface's or program's route for
	 * the prefix would have been replaced or hidden by ours */
	DPC_ROUTE_CLASH,
	/* ADDR_ADD refused (datapath/state.c addr_check()): not a /64; not
	 * link-local, global or unique-local; not the ISATAP interface
	 * identifier of one of our locators */
	DPC_ADDR_REFUSED_PLEN,
	DPC_ADDR_REFUSED_SCOPE,
	DPC_ADDR_REFUSED_NOT_OURS,
	/* ICMPv6 Packet Too Big written into the TUN for packets longer than
	 * an outer datagram carries (RFC 4443 §3.2), over the rate limit the
	 * Destination Unreachable errors share (§2.4(f)), and not sent */
	DPC_OUT_ICMP6_TOO_BIG,
	DPC_OUT_ICMP6_TOO_BIG_LIMITED,
	DPC_OUT_ICMP6_TOO_BIG_UNSENT,
	/* The kernel fast path's own events (bpf/isatap.bpf.c); what it
	 * carries and drops it counts in the slots above. IPv6 packets the
	 * egress program left to the TUN reader (user space then decides and
	 * counts: nh_lookup()'s drops, ND, too big, fast path disabled), and
	 * of those the ones the IPv4 route lookup refused (no route, not
	 * unicast); protocol-41 datagrams the ingress program left to the
	 * raw socket (ND, fragments, trailing bytes, no locator, not to one
	 * of ours); helper failures (punted while the packet was unchanged,
	 * dropped after); GSO super-packets encapsulated or decapsulated
	 * whole (each counted in out_packets / in_packets by segments) */
	DPC_FP_OUT_PUNT,
	DPC_FP_OUT_FIB_PUNT,
	DPC_FP_IN_PUNT,
	DPC_FP_HELPER_ERROR,
	DPC_FP_OUT_GSO,
	DPC_FP_IN_GSO,
	DPC_COUNT,
};

/*
 * snake_case names for the JSON API: "out_packets", ... and for drops the
 * verdict name ("in_drop_spoofed_src", "out_drop_no_route"). Entries that are
 * not drops (DECAP_ACCEPT*, NH_OK) are named but never counted there.
 */
const char *dp_counter_name(unsigned idx); /* NULL for idx >= DPC_COUNT */

#endif
