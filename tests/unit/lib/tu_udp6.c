/* IPv6/UDP datagrams for the offload tests: see tu_udp6.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_tcp6.h"
#include "tests/unit/lib/tu_udp6.h"

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* RFC 768 over RFC 8200 §8.1, with proto/pkt.c's sum: complemented. */
static uint16_t
udp6_csum(const uint8_t *pkt, size_t len)
{
	struct in6_addr s, d;

	memcpy(&s, pkt + 8, 16);
	memcpy(&d, pkt + 24, 16);
	return pkt_upper6_csum(&s, &d, 17, pkt + 40, len - 40);
}

size_t
tu_udp6(uint8_t *buf, const struct tu_udp6 *u)
{
	struct in6_addr src = tu_a6(u->src ? u->src : "2001:db8:1::1");
	struct in6_addr dst = tu_a6(u->dst ? u->dst : "2001:db8:1::2");
	size_t len = 48 + u->plen;
	uint8_t *uh = buf + 40;
	uint16_t c;

	assert_true(len <= 65535 + 40);
	memset(buf, 0, 48);
	put16(buf, (uint16_t)(0x6000 | u->tclass << 4 | (u->flow_label >> 16 & 0xf)));
	put16(buf + 2, (uint16_t)u->flow_label);
	put16(buf + 4, (uint16_t)(8 + u->plen));
	buf[6] = 17;
	buf[7] = u->hop_limit ? u->hop_limit : 64;
	memcpy(buf + 8, &src, 16);
	memcpy(buf + 24, &dst, 16);
	put16(uh, u->sport ? u->sport : 40000);
	put16(uh + 2, u->dport ? u->dport : 5201);
	put16(uh + 4, (uint16_t)(8 + u->plen));
	for (size_t i = 0; i < u->plen; i++)
		uh[8 + i] = tu_tcp6_byte(u->pattern, i);
	if (!u->no_csum) {
		c = udp6_csum(buf, len);
		put16(uh + 6, c ? c : 0xffff);
	}
	return len;
}

bool
tu_udp6_csum_ok(const uint8_t *pkt, size_t len)
{
	return len >= 48 && (size_t)(pkt[44] << 8 | pkt[45]) + 40 == len &&
	       (pkt[46] | pkt[47]) != 0 && udp6_csum(pkt, len) == 0;
}
