/*
 * The outbound decision: which IPv4 address does an IPv6 packet read from the
 * TUN go to (../DESIGN.md "Data path"), or why it must not be encapsulated.
 */
#ifndef ISATAP_PROTO_NEXTHOP_H
#define ISATAP_PROTO_NEXTHOP_H

#include <netinet/in.h>
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
	const struct prefix6 *onlink;
	size_t n_onlink;
	const struct nh_route *routes;
	size_t n_routes;
};

/*
 * Chooses the IPv4 next hop of the IPv6 packet p[0..len):
 * 1. destination is an ISATAP address under fe80::/64 or an on-link prefix
 *    -> its embedded IPv4;
 * 2. the longest matching route (lowest metric on a tie) -> its router;
 * 3. otherwise NH_DROP_NO_ROUTE.
 */
enum nh_verdict nh_lookup(const struct nh_ctx *ctx, const uint8_t *p, size_t len,
                          struct in_addr *next_hop);

#endif
