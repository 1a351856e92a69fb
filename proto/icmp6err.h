/*
 * ICMPv6 Destination Unreachable (RFC 4443 §3.1) and Packet Too Big (§3.2)
 * for a packet the datapath cannot deliver, as Linux's own sit driver sends
 * them: whether one may be
 * sent at all (§2.4(e)), which of our addresses it comes from, and the
 * message itself, built into the caller's buffer. Pure functions: the
 * datapath supplies the addresses, the rate limit and the TUN write.
 */
#ifndef ISATAP_PROTO_ICMP6ERR_H
#define ISATAP_PROTO_ICMP6ERR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "nexthop.h"

/* Why no error may answer a packet. Names in icmp6err_reason_name(). */
enum icmp6err_reason {
	ICMP6ERR_OK = 0,
	ICMP6ERR_MALFORMED, /* not a whole IPv6 packet, or an extension header chain
	                     * that runs past its end */
	ICMP6ERR_SRC,       /* source unspecified, multicast, loopback or v4-mapped */
	ICMP6ERR_DST_MCAST, /* sent to a multicast group */
	ICMP6ERR_ERROR,     /* an ICMPv6 error message, or a Redirect */
	ICMP6ERR_FRAGMENT,  /* a fragment other than the first */
	ICMP6ERR_NO_ROOM,   /* the output buffer cannot hold even the headers */
	ICMP6ERR_REASON_COUNT
};
const char *icmp6err_reason_name(enum icmp6err_reason r);

/*
 * RFC 4443 §2.4(e): ICMP6ERR_OK when the packet p[0..len) may be answered
 * with an error. The extension header chain is walked, bounds-checked, to
 * the upper layer: a non-first fragment, an ICMPv6 error or Redirect, or a
 * chain that does not fit gets none.
 */
enum icmp6err_reason icmp6err_check(const uint8_t *p, size_t len);

/*
 * The Destination Unreachable code for an outbound drop (RFC 4443 §3.1):
 * no route -> 0, a next hop or locator that cannot be used -> 3 (address
 * unreachable); -1 for drops that get no error.
 */
int icmp6err_code_for_verdict(enum nh_verdict v);
/* The same for a send that failed with -err: -EHOSTUNREACH, -ENETUNREACH
 * (no IPv4 route to the next hop; also what Linux returns when the locator
 * is no longer one of the host's addresses) and -EADDRNOTAVAIL -> 3. */
int icmp6err_code_for_send(int err);

/*
 * The source of an error to `to` (the invoking packet's source): an
 * address of the interface of the same scope, a link-local one for a
 * link-local `to`, else the first global one; preferred addresses before
 * deprecated ones (RFC 6724 rule 3). false when there is none.
 */
bool icmp6err_pick_src(const struct msg_addr *addrs, size_t n, const struct in6_addr *to,
                       struct in6_addr *src);

/*
 * Writes into out[0..cap) an IPv6 packet from src to the invoking packet's
 * source: hop limit ICMP6_ERR_HOP_LIMIT, traffic class and flow label 0,
 * ICMPv6 type/code, 4 unused octets, then as much of p[0..len) as fits in
 * ICMP6_ERR_MAX_LEN (and cap), with its checksum. Refuses what
 * icmp6err_check() refuses. *out_len is set on ICMP6ERR_OK.
 */
enum icmp6err_reason icmp6err_build(uint8_t *out, size_t cap, const struct in6_addr *src,
                                    uint8_t type, uint8_t code, const uint8_t *p, size_t len,
                                    size_t *out_len);

/*
 * The same for a Packet Too Big (RFC 4443 §3.2: type 2, code 0, the MTU of
 * the link the packet could not take in place of the unused octets).
 */
enum icmp6err_reason icmp6err_build_ptb(uint8_t *out, size_t cap, const struct in6_addr *src,
                                        uint32_t mtu, const uint8_t *p, size_t len,
                                        size_t *out_len);

#endif
