/* Test helpers: see tu.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"

struct in6_addr
tu_a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

struct in_addr
tu_a4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

void
tu_icmp6_fix(uint8_t *pkt, size_t len, size_t icmp_off)
{
	struct in6_addr src, dst;
	uint16_t c;

	memcpy(&src, pkt + 8, 16);
	memcpy(&dst, pkt + 24, 16);
	pkt[icmp_off + 2] = 0;
	pkt[icmp_off + 3] = 0;
	c = pkt_icmp6_csum(&src, &dst, pkt + icmp_off, len - icmp_off);
	pkt[icmp_off + 2] = (uint8_t)(c >> 8);
	pkt[icmp_off + 3] = (uint8_t)c;
}

size_t
tu_ipv6(uint8_t *buf, const char *src, const char *dst, uint8_t next_header, uint8_t hop_limit,
        const uint8_t *payload, size_t plen)
{
	struct in6_addr s = tu_a6(src), d = tu_a6(dst);

	assert_true(plen <= UINT16_MAX);
	memset(buf, 0, IPV6_HDR_LEN);
	buf[0] = 0x60;
	buf[4] = (uint8_t)(plen >> 8);
	buf[5] = (uint8_t)plen;
	buf[6] = next_header;
	buf[7] = hop_limit;
	memcpy(buf + 8, &s, 16);
	memcpy(buf + 24, &d, 16);
	if (plen > 0)
		memcpy(buf + IPV6_HDR_LEN, payload, plen);
	if (next_header == IPPROTO_ICMPV6_NUM && plen >= 4)
		tu_icmp6_fix(buf, IPV6_HDR_LEN + plen, IPV6_HDR_LEN);
	return IPV6_HDR_LEN + plen;
}

size_t
tu_ipv4(uint8_t *buf, const char *src, const char *dst, const uint8_t *inner, size_t ilen)
{
	assert_true(ilen <= UINT16_MAX - IPV4_HDR_MIN);
	pkt_build_ipv4(buf, tu_a4(src), tu_a4(dst), (uint16_t)ilen, 0x1234, 64, 0);
	memmove(buf + IPV4_HDR_MIN, inner, ilen);
	return IPV4_HDR_MIN + ilen;
}

void
tu_ipv4_fix(uint8_t *hdr)
{
	size_t hl = (size_t)(hdr[0] & 0x0f) * 4;
	uint16_t c;

	hdr[10] = 0;
	hdr[11] = 0;
	c = pkt_ipv4_csum(hdr, hl);
	hdr[10] = (uint8_t)(c >> 8);
	hdr[11] = (uint8_t)c;
}
