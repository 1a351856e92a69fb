/*
 * The outbound decision: which IPv4 address does an IPv6 packet read from the
 * TUN go to (../DESIGN.md "Data path"), or why it must not be encapsulated.
 */
#ifndef ISATAP_PROTO_NEXTHOP_H
#define ISATAP_PROTO_NEXTHOP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum nh_verdict {
	NH_OK = 0,
	NH_DROP_SHORT,         /* fewer than 40 bytes */
	NH_DROP_VERSION,       /* not IPv6 */
	NH_DROP_LEN,           /* payload length disagrees with the read */
	NH_DROP_NO_LOCATOR,    /* nothing to put in the outer source */
	NH_DROP_OS_RS,         /* the kernel's own RS to a multicast group: control solicits */
	NH_DROP_MLD,           /* MLD report/done: ISATAP is NBMA, nobody listens */
	NH_DROP_DAD,           /* DAD probe (unspecified source) */
	NH_DROP_MULTICAST,     /* any other multicast destination */
	NH_DROP_SRC_BAD,       /* multicast / v4-mapped source: never ours to send */
	NH_DROP_NO_ROUTE,      /* no on-link ISATAP match and no route */
	NH_DROP_BOGUS_NEXTHOP, /* the embedded or routed IPv4 is not a unicast address */
	NH_DROP_TOO_BIG,       /* longer than one outer datagram carries (ISATAP_MAX_MTU) */
	/* RFC 6324 loop checks: the next hop is a 6to4 relay (192.88.99.0/24) */
	NH_DROP_6TO4_RELAY,
	/* router mode: the destination embeds our locator under a prefix that is
	 * not ours (another router would send it straight back) */
	NH_DROP_DST_OWN_LOCATOR,
	/* router mode: the source is our own 6to4 address (2002:<locator>::/48)
	 * or embeds our locator under a prefix that is not ours: a packet that
	 * went round a loop */
	NH_DROP_SRC_OWN_6TO4,
	NH_DROP_SRC_OWN_LOCATOR,
	NH_VERDICT_COUNT
};
const char *nh_verdict_name(enum nh_verdict v);

/* A route in the datapath's own table (pushed by control). */
struct nh_route {
	struct prefix6 prefix;
	struct in_addr via; /* router's IPv4 */
	uint32_t metric;    /* lower wins between equal prefix lengths */
};

struct nh_ctx {
	struct in_addr locator;
	/* The rest of the locator set (RFC 5214 §6.2): previous locators
	 * still in use, ours as much as the current one. */
	const struct in_addr *retired;
	size_t n_retired;
	const struct prefix6 *onlink;
	size_t n_onlink;
	const struct nh_route *routes;
	size_t n_routes;
	bool router_mode; /* --router: the RFC 6324 source and destination checks */
};

/*
 * Chooses the IPv4 next hop of the IPv6 packet p[0..len):
 * 1. destination is an ISATAP address under fe80::/64 or an on-link prefix
 *    -> its embedded IPv4;
 * 2. the longest matching route (lowest metric on a tie) -> its router;
 * 3. otherwise NH_DROP_NO_ROUTE.
 * Never to a 6to4 relay; in router mode, never a packet whose source or
 * destination shows that it is going round a loop (RFC 6324 §3.2.3).
 */
enum nh_verdict nh_lookup(const struct nh_ctx *ctx, const uint8_t *p, size_t len,
                          struct in_addr *next_hop);

#endif
