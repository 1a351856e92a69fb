/* IPv6/TCP packets for the offload tests: see tu_tcp6.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_tcp6.h"

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

uint8_t
tu_tcp6_byte(uint32_t pattern, size_t off)
{
	return (uint8_t)(((pattern + (uint32_t)off) * 2654435761u) >> 24);
}

/* RFC 9293 §3.1 over RFC 8200 §8.1, with proto/pkt.c's sum: complemented. */
static uint16_t
tcp6_csum(const uint8_t *pkt, size_t len)
{
	struct in6_addr s, d;

	memcpy(&s, pkt + 8, 16);
	memcpy(&d, pkt + 24, 16);
	return pkt_upper6_csum(&s, &d, 6, pkt + 40, len - 40);
}

size_t
tu_tcp6(uint8_t *buf, const struct tu_tcp6 *t)
{
	struct in6_addr src = tu_a6(t->src ? t->src : "2001:db8:1::1");
	struct in6_addr dst = tu_a6(t->dst ? t->dst : "2001:db8:1::2");
	size_t thl = 20 + t->optlen, len = 40 + thl + t->plen;
	uint8_t *th = buf + 40;
	uint16_t c;

	assert_true(t->optlen % 4 == 0 && thl <= 60 && len <= 65535 + 40);
	memset(buf, 0, 40 + thl);
	put32(buf, 6u << 28 | (uint32_t)t->tclass << 20 | (t->flow_label & 0xfffff));
	put16(buf + 4, (uint16_t)(thl + t->plen));
	buf[6] = 6;
	buf[7] = t->hop_limit ? t->hop_limit : 64;
	memcpy(buf + 8, &src, 16);
	memcpy(buf + 24, &dst, 16);
	put16(th, t->sport ? t->sport : 40000);
	put16(th + 2, t->dport ? t->dport : 5201);
	put32(th + 4, t->seq);
	put32(th + 8, t->ack);
	th[12] = (uint8_t)(thl / 4) << 4;
	th[13] = t->flags ? t->flags : TU_TCP_ACK;
	put16(th + 14, t->window ? t->window : 512);
	if (t->optlen)
		memcpy(th + 20, t->opts, t->optlen);
	for (size_t i = 0; i < t->plen; i++)
		th[thl + i] = tu_tcp6_byte(t->pattern, i);
	c = htons(tcp6_csum(buf, len));
	memcpy(th + 16, &c, 2);
	return len;
}

bool
tu_tcp6_csum_ok(const uint8_t *pkt, size_t len)
{
	return len >= 60 && tcp6_csum(pkt, len) == 0;
}

void
tu_tcp_ts_opts(uint8_t opts[12], uint32_t tsval, uint32_t tsecr)
{
	opts[0] = 1;
	opts[1] = 1;
	opts[2] = 8;
	opts[3] = 10;
	put32(opts + 4, tsval);
	put32(opts + 8, tsecr);
}
