/* Random worlds and packets: see tu_pktgen.h. */
#include <arpa/inet.h>
#include <string.h>

#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu_pktgen.h"

void
tu_rng_seed(struct tu_rng *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint32_t
tu_rng_u32(struct tu_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545f4914f6cdd1dull) >> 32);
}

uint32_t
tu_rng_below(struct tu_rng *r, uint32_t n)
{
	return n == 0 ? 0 : tu_rng_u32(r) % n;
}

bool
tu_rng_chance(struct tu_rng *r, unsigned percent)
{
	return tu_rng_below(r, 100) < percent;
}

#define PICK(r, a) ((a)[tu_rng_below((r), sizeof(a) / sizeof((a)[0]))])

static struct in_addr
v4(const char *s)
{
	struct in_addr a;

	(void)inet_pton(AF_INET, s, &a);
	return a;
}

static struct in6_addr
v6(const char *s)
{
	struct in6_addr a;

	(void)inet_pton(AF_INET6, s, &a);
	return a;
}

/*
 * IPv4 addresses: ours, routers and hosts on routed test nets (the unit
 * tests' namespace routes them), one it cannot reach, a 6to4 relay, the
 * bogus ones, a broadcast.
 */
static const char *const v4_pool[] = {
        "192.0.2.1", "192.0.2.254",     "192.0.2.253", "198.51.100.7", "203.0.113.9",
        "192.0.2.7", "10.0.0.1",        "192.88.99.1", "127.0.0.1",    "224.0.0.1",
        "0.0.0.0",   "255.255.255.255", "192.0.2.255", "240.0.0.1",
};

static const char *const onlink_pool[] = {
        "2001:db8:1::", "2001:db8:2::", "2001:db8:1:8000::", "2001:db8::"};
static const uint8_t onlink_plen[] = {64, 64, 49, 32};

static const char *const route_pool[] = {"::",     "2001:db8:3::", "2001:db8:3:4::", "2001:db8:1::",
                                         "2002::", "2001:db8::",   "2001:db8:77::"};
static const uint8_t route_plen[] = {0, 48, 64, 64, 16, 33, 48};

static const char *const retired_pool[] = {"192.0.2.7", "192.0.2.250", "198.51.100.1"};
static const uint8_t hop_limits[] = {255, 255, 255, 64, 1, 254, 0};
static const uint8_t ext_types[] = {IPPROTO_DSTOPTS_NUM, IPPROTO_ROUTING_NUM, IPPROTO_HOPOPTS_NUM};
static const uint8_t uppers[] = {58, 58, 58, 58, 17, 6, 44, 59};
static const uint8_t frag_hi[] = {0x20, 0x00, 0x21, 0x40, 0x60}; /* MF, DF, offset bits */
static const uint8_t protos[] = {4, 17, 6, 1, 47};
static const size_t plens[] = {0, 1, 7, 9, 65535};

static struct in_addr
pool_v4(struct tu_rng *r, const struct tu_world *w)
{
	return w->v4[tu_rng_below(r, TU_GEN_V4)];
}

void
tu_gen_world(struct tu_rng *r, struct tu_world *w)
{
	size_t n;

	memset(w, 0, sizeof(*w));
	/* Slot 0 is our locator, slot 1 a router; the rest at random. */
	w->v4[0] = v4(v4_pool[0]);
	w->v4[1] = v4(v4_pool[1]);
	for (size_t i = 2; i < TU_GEN_V4; i++)
		w->v4[i] = v4(PICK(r, v4_pool));

	w->decap.locator = tu_rng_chance(r, 4) ? (struct in_addr){0} : w->v4[0];
	n = tu_rng_below(r, 3);
	for (size_t i = 0; i < n; i++)
		w->retired[i] = v4(PICK(r, retired_pool));
	/* The datapath's set has no duplicates and never the current one. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool dup = w->retired[i].s_addr == w->decap.locator.s_addr;
		for (size_t j = 0; j < k; j++)
			dup |= w->retired[j].s_addr == w->retired[i].s_addr;
		if (!dup)
			w->retired[k++] = w->retired[i];
	}
	w->decap.retired = w->retired;
	w->decap.n_retired = k;

	n = tu_rng_below(r, 4);
	for (size_t i = 0; i < n; i++)
		w->prl[i] = i == 0 ? w->v4[1] : pool_v4(r, w);
	w->decap.prl = w->prl;
	w->decap.n_prl = n;

	n = tu_rng_below(r, 4);
	for (size_t i = 0; i < n; i++) {
		size_t p = tu_rng_below(r, sizeof(onlink_plen));
		struct in6_addr a = v6(onlink_pool[p]);

		addr_prefix_make(&w->onlink[i], &a, onlink_plen[p]);
	}
	w->decap.onlink = w->onlink;
	w->decap.n_onlink = n;

	/* Our own addresses: ISATAP ones on the on-link prefixes, another. */
	n = 0;
	for (size_t i = 0; i < w->decap.n_onlink && n < TU_GEN_MAX; i++)
		if (tu_rng_chance(r, 70))
			addr_isatap_compose(&w->onlink[i].addr, w->v4[0], &w->local[n++]);
	if (tu_rng_chance(r, 30))
		w->local[n++] = v6("2001:db8:77::5efe:c000:201");
	if (tu_rng_chance(r, 30))
		w->local[n++] = v6("2001:db8:5::1");
	w->decap.local = w->local;
	w->decap.n_local = n;
	w->decap.router_mode = tu_rng_chance(r, 25);

	n = tu_rng_below(r, 5);
	for (size_t i = 0; i < n; i++) {
		size_t p = tu_rng_below(r, sizeof(route_plen));
		struct in6_addr a = v6(route_pool[p]);

		addr_prefix_make(&w->routes[i].prefix, &a, route_plen[p]);
		w->routes[i].via = tu_rng_chance(r, 70) ? w->v4[1] : pool_v4(r, w);
		w->routes[i].metric = tu_rng_below(r, 3);
	}
	w->nh.locator = w->decap.locator;
	w->nh.retired = w->decap.retired;
	w->nh.n_retired = w->decap.n_retired;
	w->nh.onlink = w->onlink;
	w->nh.n_onlink = w->decap.n_onlink;
	w->nh.routes = w->routes;
	w->nh.n_routes = n;
	w->nh.router_mode = w->decap.router_mode;

	w->n_bcast = tu_rng_below(r, TU_GEN_BCAST + 1);
	for (size_t i = 0; i < w->n_bcast; i++)
		w->bcast[i] = i == 0 ? v4("192.0.2.255") : pool_v4(r, w);
}

/* An ISATAP address: the upper 64 bits of p, the identifier of a. */
static void
isatap(struct tu_rng *r, const struct in6_addr *p, struct in_addr a, struct in6_addr *out)
{
	memcpy(out->s6_addr, p->s6_addr, 8);
	out->s6_addr[8] = tu_rng_chance(r, 50) ? ISATAP_IFID_U_BIT : 0;
	out->s6_addr[9] = 0;
	out->s6_addr[10] = ISATAP_IFID_OUI2;
	out->s6_addr[11] = ISATAP_IFID_OUI3;
	memcpy(out->s6_addr + 12, &a.s_addr, 4);
}

static const char *const special6[] = {
        "ff02::1",
        "ff02::2",
        "ff02::16",
        "ff02::1:ff00:201",
        "ff0e::101",
        "::",
        "::1",
        "::192.0.2.254",
        "::ffff:192.0.2.1",
        "fe80::1",
        "fe80:0:0:1::5efe:c000:2fe",
        "2001:db8:5::1",
        "2001:db8:3:4::9",
        "2001:db8:3:5::1",
        "2001:db8:4::1",
};

/* An IPv6 address likely to matter to w; `embed` the IPv4 an ISATAP one
 * should carry, when the caller wants one. */
static void
addr6(struct tu_rng *r, const struct tu_world *w, struct in_addr embed, struct in6_addr *out)
{
	struct in6_addr p;

	switch (tu_rng_below(r, 10)) {
	case 0:
	case 1:
		p = v6("fe80::");
		isatap(r, &p, embed, out);
		break;
	case 2:
	case 3:
		if (w->decap.n_onlink > 0) {
			p = w->onlink[tu_rng_below(r, (uint32_t)w->decap.n_onlink)].addr;
			p.s6_addr[7] ^= (uint8_t)(tu_rng_chance(r, 20) ? tu_rng_u32(r) : 0);
		} else {
			p = v6("2001:db8:1::");
		}
		isatap(r, &p, embed, out);
		break;
	case 4:
		p = v6(tu_rng_chance(r, 50) ? "2001:db8:77::" : "2001:db8:9::");
		isatap(r, &p, embed, out);
		break;
	case 5:
		if (w->decap.n_local > 0) {
			*out = w->local[tu_rng_below(r, (uint32_t)w->decap.n_local)];
			break;
		}
		/* fall through */
	case 6:
		*out = v6(PICK(r, special6));
		break;
	case 7:
		*out = v6("2002::1");
		memcpy(out->s6_addr + 2, &embed.s_addr, 4);
		break;
	case 8:
		*out = v6("2001:db8:3::");
		for (int i = 6; i < 16; i++)
			out->s6_addr[i] = (uint8_t)tu_rng_u32(r);
		break;
	default:
		for (int i = 0; i < 16; i++)
			out->s6_addr[i] = (uint8_t)tu_rng_u32(r);
		break;
	}
}

static size_t
get16c(const uint8_t *p)
{
	return (size_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * An IPv6 packet at buf: ICMPv6 (echo, ND, MLD), UDP, TCP, or a chain of
 * extension headers (hop-by-hop first or not, up to ten) before one of
 * them, or a fragment header. Returns its length.
 */
static size_t
ipv6(struct tu_rng *r, const struct in6_addr *src, const struct in6_addr *dst, uint8_t *buf,
     size_t cap)
{
	static const uint8_t icmp_types[] = {128, 129, 133, 134, 135, 136, 137,
	                                     130, 131, 132, 143, 1,   2,   4};
	size_t plen = 0, o = IPV6_HDR_LEN, body;
	uint8_t *nhp = &buf[6], upper;
	unsigned tc = tu_rng_u32(r) & 0xff;

	memset(buf, 0, IPV6_HDR_LEN);
	buf[0] = (uint8_t)(0x60 | tc >> 4);
	buf[1] = (uint8_t)(tc << 4);
	buf[7] = PICK(r, hop_limits);
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);

	if (tu_rng_chance(r, 20)) {
		unsigned n = 1 + tu_rng_below(r, 10);

		for (unsigned i = 0; i < n && o + 16 < cap; i++) {
			uint8_t t = i == 0 && tu_rng_chance(r, 50) ? IPPROTO_HOPOPTS_NUM
			                                           : PICK(r, ext_types);
			unsigned units = tu_rng_below(r, 2);

			*nhp = t;
			memset(buf + o, 0, (units + 1) * 8);
			buf[o + 1] = (uint8_t)units;
			nhp = &buf[o];
			o += (units + 1) * 8;
		}
	}
	upper = PICK(r, uppers);
	*nhp = upper;
	body = upper == 58 ? 8 + tu_rng_below(r, 40) : tu_rng_below(r, 60);
	if (o + body > cap)
		body = cap - o;
	for (size_t i = 0; i < body; i++)
		buf[o + i] = (uint8_t)tu_rng_u32(r);
	if (upper == 58 && body > 0)
		buf[o] = PICK(r, icmp_types);
	plen = o + body - IPV6_HDR_LEN;
	put16(buf + 4, plen);
	if (upper == 58 && body >= 4) {
		uint16_t c;

		buf[o + 2] = buf[o + 3] = 0;
		c = pkt_icmp6_csum(src, dst, buf + o, body);
		buf[o + 2] = (uint8_t)(c >> 8);
		buf[o + 3] = (uint8_t)c;
	}
	return o + body;
}

static void
ipv4_csum(uint8_t *h)
{
	size_t hl = (size_t)(h[0] & 0x0f) * 4;
	uint16_t c;

	if (hl < IPV4_HDR_MIN)
		hl = IPV4_HDR_MIN;
	h[10] = h[11] = 0;
	c = pkt_ipv4_csum(h, hl);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}

/* The field-by-field mutations of an outer datagram; *len may change. */
static void
mutate_ingress(struct tu_rng *r, uint8_t *b, size_t *len, size_t cap)
{
	bool fix = tu_rng_chance(r, 85);

	if (*len <= IPV4_HDR_MIN)
		return;
	switch (tu_rng_below(r, 14)) {
	case 0: /* truncated */
		*len -= tu_rng_below(r, (uint32_t)(*len - IPV4_HDR_MIN)) + 1;
		break;
	case 1: /* trailing octets */
		if (*len + 8 <= cap) {
			memset(b + *len, 0, 8);
			*len += 1 + tu_rng_below(r, 8);
		}
		break;
	case 2: /* a total length that lies */
		put16(b + 2, (size_t)(get16c(b + 2) + (int)tu_rng_below(r, 9) - 4));
		break;
	case 3: /* options: the header grows by 4..40 octets */
		if (*len + 40 <= cap) {
			size_t add = 4 * (1 + tu_rng_below(r, 10));

			memmove(b + IPV4_HDR_MIN + add, b + IPV4_HDR_MIN, *len - IPV4_HDR_MIN);
			memset(b + IPV4_HDR_MIN, 1, add);
			*len += add;
			b[0] = (uint8_t)(0x40 | (5 + add / 4));
			put16(b + 2, *len);
		}
		break;
	case 4: /* IHL that is not the header's */
		b[0] = (uint8_t)(0x40 | tu_rng_below(r, 16));
		break;
	case 5: /* a fragment */
		b[6] = PICK(r, frag_hi);
		b[7] = (uint8_t)tu_rng_below(r, 3);
		break;
	case 6:
		b[9] = PICK(r, protos);
		break;
	case 7:
		b[0] = (uint8_t)(tu_rng_below(r, 16) << 4 | 5);
		break;
	case 8: /* inner version */
		b[IPV4_HDR_MIN] = (uint8_t)(tu_rng_below(r, 16) << 4 | (b[IPV4_HDR_MIN] & 0x0f));
		break;
	case 9: /* inner payload length */
		put16(b + IPV4_HDR_MIN + 4,
		      PICK(r, plens) + (tu_rng_chance(r, 50) ? *len - 60 : 0));
		break;
	case 10: /* inner hop limit */
		b[IPV4_HDR_MIN + 7] = PICK(r, hop_limits);
		break;
	case 11: /* a random octet anywhere */
		b[tu_rng_below(r, (uint32_t)*len)] = (uint8_t)tu_rng_u32(r);
		break;
	case 12: /* an inner header cut short */
		*len = IPV4_HDR_MIN + tu_rng_below(r, IPV6_HDR_LEN);
		put16(b + 2, *len);
		break;
	default: /* the checksum */
		fix = false;
		b[10] ^= (uint8_t)(1 + tu_rng_below(r, 255));
		break;
	}
	if (fix)
		ipv4_csum(b);
}

size_t
tu_gen_ingress(struct tu_rng *r, const struct tu_world *w, uint8_t *buf, size_t cap)
{
	struct in_addr osrc, odst, emb = pool_v4(r, w);
	struct in6_addr src, dst;
	size_t n;

	addr6(r, w, emb, &src);
	/* The sender: mostly the one the inner source names (valid), else
	 * a PRL router, any address of the pool, a broadcast. */
	switch (tu_rng_below(r, 6)) {
	case 0:
	case 1:
	case 2:
		osrc = emb;
		break;
	case 3:
		osrc = w->decap.n_prl ? w->prl[tu_rng_below(r, (uint32_t)w->decap.n_prl)] : emb;
		break;
	case 4:
		osrc = w->n_bcast ? w->bcast[0] : pool_v4(r, w);
		break;
	default:
		osrc = pool_v4(r, w);
		break;
	}
	if (tu_rng_chance(r, 75))
		odst = w->v4[0];
	else if (tu_rng_chance(r, 50) && w->decap.n_retired)
		odst = w->retired[tu_rng_below(r, (uint32_t)w->decap.n_retired)];
	else
		odst = pool_v4(r, w);
	addr6(r, w, tu_rng_chance(r, 60) ? w->v4[0] : pool_v4(r, w), &dst);

	n = ipv6(r, &src, &dst, buf + IPV4_HDR_MIN, cap - IPV4_HDR_MIN - 48);
	pkt_build_ipv4(buf, osrc, odst, (uint16_t)n, (uint16_t)tu_rng_u32(r),
	               (uint8_t)(1 + tu_rng_below(r, 255)), (uint8_t)tu_rng_u32(r));
	if (tu_rng_chance(r, 30))
		buf[6] |= 0x40; /* DF, which is fine */
	ipv4_csum(buf);
	n += IPV4_HDR_MIN;
	while (tu_rng_chance(r, 30))
		mutate_ingress(r, buf, &n, cap);
	return n;
}

size_t
tu_gen_egress(struct tu_rng *r, const struct tu_world *w, uint8_t *buf, size_t cap)
{
	struct in6_addr src, dst;
	struct in_addr emb = tu_rng_chance(r, 60) ? w->v4[0] : pool_v4(r, w);
	size_t n;

	if (tu_rng_chance(r, 40) && w->decap.n_local > 0)
		src = w->local[tu_rng_below(r, (uint32_t)w->decap.n_local)];
	else
		addr6(r, w, emb, &src);
	addr6(r, w, pool_v4(r, w), &dst);
	n = ipv6(r, &src, &dst, buf, cap - 64);
	/* The kernel's own: DAD probes (RFC 4862 §5.4.2), RS to all-routers. */
	if (tu_rng_chance(r, 4)) {
		static const uint8_t ns[24] = {ICMP6_NEIGHBOR_SOLICIT};
		static const uint8_t rs[8] = {ICMP6_ROUTER_SOLICIT};
		bool dad = tu_rng_chance(r, 50);

		src = dad ? v6("::") : w->local[0];
		dst = v6(dad ? "ff02::1:ff00:201" : "ff02::2");
		memset(buf, 0, IPV6_HDR_LEN);
		buf[0] = 0x60;
		put16(buf + 4, dad ? sizeof(ns) : sizeof(rs));
		buf[6] = IPPROTO_ICMPV6_NUM;
		buf[7] = 255;
		memcpy(buf + 8, &src, 16);
		memcpy(buf + 24, &dst, 16);
		memcpy(buf + IPV6_HDR_LEN, dad ? ns : rs, dad ? sizeof(ns) : sizeof(rs));
		n = IPV6_HDR_LEN + (dad ? sizeof(ns) : sizeof(rs));
	}
	switch (tu_rng_chance(r, 20) ? tu_rng_below(r, 5) : 99) {
	case 0:
		n -= tu_rng_below(r, (uint32_t)(n - IPV6_HDR_LEN)) + 1;
		break;
	case 1:
		memset(buf + n, 0, 8);
		n += 1 + tu_rng_below(r, 8);
		break;
	case 2:
		buf[0] = (uint8_t)(tu_rng_below(r, 16) << 4 | (buf[0] & 0x0f));
		break;
	case 3:
		put16(buf + 4, PICK(r, plens));
		break;
	case 4:
		buf[tu_rng_below(r, (uint32_t)n)] = (uint8_t)tu_rng_u32(r);
		break;
	default:
		break;
	}
	return n;
}
