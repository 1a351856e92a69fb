/* RA and Redirect builders: see tu_ra.h. */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_ra.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 4191 §2.1: 01 high, 00 medium, 11 low, 10 reserved. */
static uint8_t
prf_bits(int pref)
{
	switch (pref) {
	case 1:
		return 0x08;
	case -1:
		return 0x18;
	case 2:
		return 0x10;
	default:
		return 0x00;
	}
}

static uint8_t *
opt(struct tu_ra *b, uint8_t type, size_t units)
{
	uint8_t *o = b->icmp + b->len;

	assert_true(b->len + units * 8 <= TU_RA_MAX);
	memset(o, 0, units * 8);
	o[0] = type;
	o[1] = (uint8_t)units;
	b->len += units * 8;
	return o;
}

void
tu_ra_init(struct tu_ra *b, uint16_t router_lifetime, int pref)
{
	memset(b, 0, sizeof(*b));
	b->icmp[0] = ICMP6_ROUTER_ADVERT;
	b->icmp[4] = 0; /* cur hop limit: unspecified (tu_ra_params() sets it) */
	b->icmp[5] = prf_bits(pref);
	b->icmp[6] = (uint8_t)(router_lifetime >> 8);
	b->icmp[7] = (uint8_t)router_lifetime;
	b->len = 16;
}

void
tu_ra_params(struct tu_ra *b, uint8_t cur_hop_limit, uint32_t reachable_ms, uint32_t retrans_ms)
{
	b->icmp[4] = cur_hop_limit;
	put32(b->icmp + 8, reachable_ms);
	put32(b->icmp + 12, retrans_ms);
}

void
tu_ra_pio(struct tu_ra *b, const char *prefix, uint8_t plen, bool onlink, bool autonomous,
          uint32_t valid, uint32_t preferred)
{
	uint8_t *o = opt(b, ND_OPT_PREFIX_INFO, 4);
	struct in6_addr p = tu_a6(prefix);

	o[2] = plen;
	o[3] = (uint8_t)((onlink ? 0x80 : 0) | (autonomous ? 0x40 : 0));
	put32(o + 4, valid);
	put32(o + 8, preferred);
	memcpy(o + 16, &p, 16);
}

void
tu_ra_mtu(struct tu_ra *b, uint32_t mtu)
{
	put32(opt(b, ND_OPT_MTU, 1) + 4, mtu);
}

void
tu_ra_rio(struct tu_ra *b, const char *prefix, uint8_t plen, int pref, uint32_t lifetime)
{
	size_t units = plen == 0 ? 1 : plen <= 64 ? 2 : 3;
	uint8_t *o = opt(b, ND_OPT_ROUTE_INFO, units);
	struct in6_addr p = tu_a6(prefix);

	o[2] = plen;
	o[3] = prf_bits(pref);
	put32(o + 4, lifetime);
	memcpy(o + 8, &p, (units - 1) * 8);
}

void
tu_ra_rdnss(struct tu_ra *b, const char *addr, uint32_t lifetime)
{
	uint8_t *o = opt(b, ND_OPT_RDNSS, 3);
	struct in6_addr a = tu_a6(addr);

	put32(o + 4, lifetime);
	memcpy(o + 8, &a, 16);
}

void
tu_ra_dnssl(struct tu_ra *b, const char *domain, uint32_t lifetime)
{
	uint8_t wire[256];
	size_t n = 0, units;
	const char *s = domain;
	uint8_t *o;

	/* RFC 1035 §3.1 labels, then the root. */
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		assert_true(l > 0 && l < 64 && n + l + 2 < sizeof(wire));
		wire[n++] = (uint8_t)l;
		memcpy(wire + n, s, l);
		n += l;
		s += l + (dot != NULL);
	}
	wire[n++] = 0;
	units = (8 + n + 7) / 8;
	o = opt(b, ND_OPT_DNSSL, units);
	put32(o + 4, lifetime);
	memcpy(o + 8, wire, n);
}

size_t
tu_ra_packet(const struct tu_ra *b, const char *src, const char *dst, uint8_t *out)
{
	return tu_ipv6(out, src, dst, IPPROTO_ICMPV6_NUM, 255, b->icmp, b->len);
}

size_t
tu_redirect(uint8_t *out, const char *src, const char *to, const char *target, const char *dst)
{
	uint8_t icmp[40] = {ICMP6_REDIRECT};
	struct in6_addr t = tu_a6(target), d = tu_a6(dst);

	memcpy(icmp + 8, &t, 16);
	memcpy(icmp + 24, &d, 16);
	return tu_ipv6(out, src, to, IPPROTO_ICMPV6_NUM, 255, icmp, sizeof(icmp));
}
