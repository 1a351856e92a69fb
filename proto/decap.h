/*
 * The inbound decision (RFC 5214 §7.3, RFC 4213 §3.6): may this protocol-41
 * datagram be decapsulated, and where does its IPv6 packet go? Pure: the
 * datapath passes in the state control pushed to it.
 */
#ifndef ISATAP_PROTO_DECAP_H
#define ISATAP_PROTO_DECAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

enum decap_verdict {
	DECAP_ACCEPT = 0, /* into the TUN */
	DECAP_ACCEPT_ND,  /* ND message (ICMPv6 133..137, hop limit 255): up to control */
	/* drops, each with a counter */
	DECAP_DROP_NO_LOCATOR,  /* no local IPv4 locator configured yet */
	DECAP_DROP_OUTER_SHORT, /* truncated outer IPv4 header */
	DECAP_DROP_OUTER_BAD,   /* outer version, IHL, checksum, protocol */
	DECAP_DROP_OUTER_LEN,   /* outer total length != datagram length */
	DECAP_DROP_OUTER_FRAGMENT,
	DECAP_DROP_OUTER_OPTIONS,   /* IPv4 options present */
	DECAP_DROP_OUTER_SRC_BOGUS, /* outer source broadcast, multicast, 0/8, 127/8, 240/4 */
	DECAP_DROP_NOT_OUR_LOCATOR, /* outer destination is in no locator set of ours */
	DECAP_DROP_INNER_SHORT,     /* fewer than 40 bytes of IPv6 */
	DECAP_DROP_INNER_VERSION,
	DECAP_DROP_INNER_LEN,      /* payload length larger or smaller than the datagram, or 0 */
	DECAP_DROP_INNER_SRC_BAD,  /* inner source multicast, ::, ::1, v4-compat or v4-mapped */
	DECAP_DROP_SPOOFED_SRC,    /* inner ISATAP source embeds another IPv4; sender not in PRL */
	DECAP_DROP_SRC_NOT_ONLINK, /* no on-link ISATAP source of this sender, not from the PRL */
	DECAP_DROP_NOT_OURS,       /* inner destination not ours: hosts never forward (RFC 6324) */
	DECAP_DROP_ND_HOPLIMIT,    /* ND message with hop limit != 255 (RFC 4861) */
	DECAP_DROP_ECN_CE_NOT_ECT, /* outer CE over a Not-ECT inner packet (RFC 6040 §4.2) */
	/* router mode: the inner destination embeds our locator under a prefix
	 * that is not ours; forwarded, it would come straight back (RFC 6324) */
	DECAP_DROP_DST_OWN_LOCATOR,
	DECAP_VERDICT_COUNT
};
const char *decap_verdict_name(enum decap_verdict v);

/* State the check needs: pointers into the datapath's own tables. */
struct decap_ctx {
	struct in_addr locator; /* INADDR_ANY: none */
	/* The rest of the locator set (RFC 5214 §6.2): previous locators
	 * still in use, also accepted as outer destination. */
	const struct in_addr *retired;
	size_t n_retired;
	const struct in_addr *prl; /* Potential Router List */
	size_t n_prl;
	const struct prefix6 *onlink; /* on-link prefixes learned from RAs */
	size_t n_onlink;
	const struct in6_addr *local; /* addresses assigned to the interface */
	size_t n_local;
	bool router_mode; /* --router: forward, RS goes into the TUN */
};

/*
 * Checks the datagram p[0..len) as received on a raw protocol-41 socket (outer
 * IPv4 header included). On DECAP_ACCEPT / DECAP_ACCEPT_ND, *inner_off and
 * *inner_len locate the IPv6 packet and *outer_src holds the sender.
 *
 * Accepted (RFC 5214 §7.3) when the inner source is an ISATAP address under
 * fe80::/64 or an on-link prefix that embeds the outer source, or the outer
 * source is in the PRL. The inner destination must be one of ours (or
 * ff02::1), except in router mode, where it must not be an ISATAP address
 * of ours under a prefix that is not ours (RFC 6324 §3.2.3). An accepted
 * packet's inner ECN field is then the caller's to update from the outer
 * one (ecn_decap(), RFC 6040 §4.2); the combination that drops is decided
 * here.
 */
enum decap_verdict decap_check(const struct decap_ctx *ctx, const uint8_t *p, size_t len,
                               size_t *inner_off, size_t *inner_len, struct in_addr *outer_src);

#endif
