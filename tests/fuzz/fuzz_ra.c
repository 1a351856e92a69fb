/*
 * libFuzzer target: the ND parsers on a complete IPv6 packet, as control
 * receives it in MSG_ND_RECV (RA, Redirect) or the datapath in nd_in.c (NS). The ICMPv6 checksum is
 * fixed up first (unless the first input byte is odd), or the fuzzer would spend its time on
 * checksum failures; the rest of the input is the packet.
 */
#include <stdlib.h>
#include <string.h>

#include "isatap.h"
#include "nd.h"
#include "pkt.h"
#include "fuzz.h"

static void
fix_checksum(uint8_t *p, size_t len)
{
	struct in6_addr src, dst;
	uint16_t c;

	if (len < IPV6_HDR_LEN + 4 || p[6] != IPPROTO_ICMPV6_NUM)
		return;
	memcpy(&src, p + 8, 16);
	memcpy(&dst, p + 24, 16);
	p[42] = p[43] = 0;
	c = pkt_icmp6_csum(&src, &dst, p + IPV6_HDR_LEN, len - IPV6_HDR_LEN);
	p[42] = (uint8_t)(c >> 8);
	p[43] = (uint8_t)c;
}

static void
check_ra(const struct nd_ra *ra)
{
	CHECK(addr_is_linklocal(&ra->src));
	CHECK(ra->n_prefixes <= ND_MAX_PREFIXES && ra->n_routes <= ND_MAX_ROUTES);
	CHECK(ra->n_rdnss <= ND_MAX_RDNSS && ra->n_dnssl <= ND_MAX_DNSSL);
	CHECK(ra->preference >= -1 && ra->preference <= ND_PREF_INVALID);
	for (size_t i = 0; i < ra->n_prefixes; i++)
		CHECK(ra->prefixes[i].prefix.plen <= 128);
	for (size_t i = 0; i < ra->n_routes; i++)
		CHECK(ra->routes[i].prefix.plen <= 128);
	for (size_t i = 0; i < ra->n_dnssl; i++) {
		size_t n = strnlen(ra->dnssl[i], sizeof(ra->dnssl[i]));
		CHECK(n > 0 && n <= 253);
		for (size_t k = 0; k < n; k++) {
			char c = ra->dnssl[i][k];
			CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
			      c == '_' || c == '.');
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nd_ra ra;
	struct nd_redirect rd;
	struct nd_ns ns;
	uint8_t *p;
	int t;

	if (size < 1)
		return 0;
	size--;
	p = malloc(size ? size : 1);
	CHECK(p != NULL);
	memcpy(p, data + 1, size);
	if (!(data[0] & 1))
		fix_checksum(p, size);

	t = nd_type(p, size);
	CHECK(t == 0 || (t >= ICMP6_ROUTER_SOLICIT && t <= ICMP6_REDIRECT));
	if (nd_parse_ra(p, size, &ra) == ND_OK) {
		CHECK(t == ICMP6_ROUTER_ADVERT);
		check_ra(&ra);
	}
	if (nd_parse_redirect(p, size, &rd) == ND_OK) {
		CHECK(t == ICMP6_REDIRECT);
		CHECK(!addr_is_multicast(&rd.dst) && addr_is_linklocal(&rd.src));
	}
	if (nd_parse_ns(p, size, &ns) == ND_OK) {
		uint8_t na[ND_NA_LEN];

		CHECK(t == ICMP6_NEIGHBOR_SOLICIT);
		CHECK(!addr_is_multicast(&ns.target));
		/* The answer the datapath would build verifies. */
		CHECK(nd_build_na(na, sizeof(na), &ns.target, &ns.src, &ns.target, 0x60) ==
		      ND_NA_LEN);
		CHECK(pkt_icmp6_csum(&ns.target, &ns.src, na + IPV6_HDR_LEN,
		                     ND_NA_LEN - IPV6_HDR_LEN) == 0);
	}
	CHECK(nd_reason_name(nd_parse_ra(p, size, &ra)) != NULL);
	free(p);
	return 0;
}
