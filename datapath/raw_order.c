/*
 * raw_order.h: XNU's host-order ip_len and ip_off, both ways.
 */
#include <string.h>

#include "isatap.h"
#include "pkt.h"
#include "raw_order.h"

static uint16_t
host16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static void
put_host16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
put_net16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool
raw_order_rx(uint8_t *pkt, size_t len)
{
	size_t hlen, total;

	if (len < IPV4_HDR_MIN || pkt[0] >> 4 != 4)
		return false;
	hlen = (size_t)(pkt[0] & 0x0f) * 4;
	if (hlen < IPV4_HDR_MIN || hlen > len)
		return false;
	/* ip_len counts the payload only; what we were given is the whole
	 * datagram, so the two must agree (a truncated read does not). */
	total = (size_t)host16(pkt + 2) + hlen;
	if (total != len || total > UINT16_MAX)
		return false;
	put_net16(pkt + 2, (uint16_t)total);
	put_net16(pkt + 6, host16(pkt + 6));
	put_net16(pkt + 10, 0);
	put_net16(pkt + 10, pkt_ipv4_csum(pkt, hlen));
	return true;
}

void
raw_order_tx(uint8_t out[20], const uint8_t hdr[20])
{
	memcpy(out, hdr, 20);
	put_host16(out + 2, (uint16_t)(hdr[2] << 8 | hdr[3]));
	put_host16(out + 6, (uint16_t)(hdr[6] << 8 | hdr[7]));
	out[10] = out[11] = 0;
}
