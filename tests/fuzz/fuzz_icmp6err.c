/*
 * libFuzzer target: proto/icmp6err.c, the ICMPv6 Destination Unreachable
 * (and Packet Too Big) the datapath writes into the TUN for a packet the
 * kernel handed it and it could not send. Input: one octet of code, one that sizes the output
 * buffer (0: 1500 octets, else 6 octets a step, so below 48 too), then the
 * invoking packet. The message is checked, not just built: its size bound
 * (RFC 4443 §2.4(c)), addresses, quote and checksum; and that it would
 * itself never be answered with an error (§2.4(e.1)).
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "icmp6err.h"
#include "isatap.h"
#include "pkt.h"
#include "fuzz.h"

/* 2001:db8:1::5efe:192.0.2.1, fe80::5efe:192.0.2.1 */
static const struct in6_addr g = {
        {{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0x5e, 0xfe, 0xc0, 0, 2, 1}}};
static const struct in6_addr ll = {
        {{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x5e, 0xfe, 0xc0, 0, 2, 1}}};

static void
source_checks(const uint8_t *p, size_t len)
{
	struct msg_addr addrs[3] = {{.addr = g, .preferred_lft = 0},
	                            {.addr = ll, .preferred_lft = 1},
	                            {.addr = g, .preferred_lft = 1}};
	struct in6_addr to, src;

	if (len < IPV6_HDR_LEN)
		return;
	memcpy(&to, p + 8, sizeof(to));
	for (size_t n = 0; n <= 3; n++) {
		bool ok = icmp6err_pick_src(addrs, n, &to, &src);

		/* A global (deprecated or not) is there from n = 1; the
		 * link-local one from n = 2, for link-local senders only. */
		CHECK(ok == (n >= 1));
		if (!ok)
			continue;
		if (addr_is_linklocal(&to) && n >= 2)
			CHECK(memcmp(&src, &ll, 16) == 0);
		else
			CHECK(memcmp(&src, &g, 16) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum icmp6err_reason want, r;
	size_t cap, len, n = 0, quote;
	uint8_t code, *p, *out;
	struct pkt_ipv6 ip;

	if (size < 2)
		return 0;
	code = data[0];
	cap = data[1] == 0 ? 1500 : (size_t)data[1] * 6;
	len = size - 2;
	/* Exact-size heap copies, so that AddressSanitizer sees any overrun. */
	p = malloc(len ? len : 1);
	out = malloc(cap ? cap : 1);
	CHECK(p != NULL && out != NULL);
	memcpy(p, data + 2, len);

	want = icmp6err_check(p, len);
	CHECK((unsigned)want < ICMP6ERR_REASON_COUNT && want != ICMP6ERR_NO_ROOM);
	CHECK(icmp6err_reason_name(want) != NULL);
	r = icmp6err_build(out, cap, &g, ICMP6_DST_UNREACH, code, p, len, &n);
	if (want != ICMP6ERR_OK) {
		CHECK(r == want);
	} else if (cap < IPV6_HDR_LEN + ICMP6_ERR_HDR_LEN) {
		CHECK(r == ICMP6ERR_NO_ROOM);
	} else {
		CHECK(r == ICMP6ERR_OK);
		quote = (cap < ICMP6_ERR_MAX_LEN ? cap : ICMP6_ERR_MAX_LEN) - 48;
		if (len < quote)
			quote = len;
		CHECK(n == 48 + quote && n <= ICMP6_ERR_MAX_LEN && n <= cap);
		CHECK(pkt_parse_ipv6(out, n, &ip) == PKT_OK);
		CHECK(ip.next_header == IPPROTO_ICMPV6_NUM && ip.hop_limit == ICMP6_ERR_HOP_LIMIT);
		CHECK(ip.traffic_class == 0 && ip.flow_label == 0);
		CHECK(memcmp(&ip.src, &g, 16) == 0 && memcmp(&ip.dst, p + 8, 16) == 0);
		CHECK(out[40] == ICMP6_DST_UNREACH && out[41] == code);
		CHECK((out[44] | out[45] | out[46] | out[47]) == 0);
		CHECK(pkt_icmp6_csum(&ip.src, &ip.dst, out + 40, n - 40) == 0);
		CHECK(memcmp(out + 48, p, quote) == 0);
		/* Never an error about our error. */
		CHECK(icmp6err_check(out, n) == ICMP6ERR_ERROR);
		/* What may be answered has a unicast source and destination. */
		CHECK(!addr_is_multicast(&ip.dst) && !addr_is_unspecified(&ip.dst));
		source_checks(p, len);
		/* A Packet Too Big of the same packet: the same message but
		 * for type 2, code 0 and the MTU where Unreachable has zeros. */
		{
			uint32_t mtu = (uint32_t)code << 8 | (uint32_t)len;
			size_t m = 0;

			CHECK(icmp6err_build_ptb(out, cap, &g, mtu, p, len, &m) == ICMP6ERR_OK);
			CHECK(m == n && out[40] == ICMP6_PACKET_TOO_BIG && out[41] == 0);
			CHECK(((uint32_t)out[44] << 24 | (uint32_t)out[45] << 16 |
			       (uint32_t)out[46] << 8 | out[47]) == mtu);
			CHECK(pkt_icmp6_csum(&ip.src, &ip.dst, out + 40, m - 40) == 0);
			CHECK(memcmp(out + 48, p, quote) == 0);
			CHECK(icmp6err_check(out, m) == ICMP6ERR_ERROR);
		}
	}
	free(out);
	free(p);
	return 0;
}
