/*
 * isatap_egress: clsact egress on the TUN. The kernel's IPv6 packet for
 * the ISATAP interface gets its outer IPv4 header here and goes straight
 * to the IPv4 egress, instead of up to the datapath's TUN reader and down
 * its raw socket. Only what proto/nexthop.c nh_lookup() answers NH_OK for
 * goes this way, to the same next hop, and of that not Neighbor Discovery;
 * every other packet is left to the
 * reader (TC_ACT_OK, counted fp_out_punt), which runs nh_lookup() itself,
 * counts its verdict and answers with ICMPv6 as it always has. So the
 * program never drops and never counts a drop reason: one count each.
 */
#ifndef ISATAP_BPF_FP_EGRESS_H
#define ISATAP_BPF_FP_EGRESS_H

/* RFC 6324 §3.2.3 (nexthop.c own_locator_foreign()): an ISATAP address
 * embedding one of our locators under a prefix that is not ours. */
static __always_inline bool
eg_own_locator_foreign(const struct fp_cfg *cfg, struct fp_scratch *sc, const __u8 *a)
{
	return fp_is_isatap(a) && fp_locator_is_ours(cfg, fp_isatap_v4(a)) && !fp_is_ll64(a) &&
	       fp_lpm_lookup(&fp_onlink, sc, a) == NULL;
}

/* RFC 3056 §2 (nexthop.c own_6to4()): 2002:V4::/48 with V4 ours. */
static __always_inline bool
eg_own_6to4(const struct fp_cfg *cfg, const __u8 *a)
{
	__u32 v4;

	if (a[0] != 0x20 || a[1] != 0x02)
		return false;
	__builtin_memcpy(&v4, a + 2, 4);
	return fp_locator_is_ours(cfg, v4);
}

/* nexthop.c nexthop_ok() and is_6to4_relay(), and fwd.c is_bcast(). */
static __always_inline bool
eg_nexthop_ok(const struct fp_cfg *cfg, __u32 v4)
{
	return !fp_v4_is_6to4_relay(v4) && !fp_v4_is_bogus(v4) && !fp_locator_is_ours(cfg, v4) &&
	       !fp_in_u32_set(&fp_bcast, v4);
}

/*
 * nh_lookup() for a packet whose IPv6 header parsed and whose length
 * matched (the caller checked): true with *nh when it answers NH_OK. The
 * drop reasons are not told apart; the reader does that.
 */
static __always_inline bool
eg_next_hop(const struct fp_cfg *cfg, struct fp_scratch *sc, const __u8 *ip6, __u32 *nh)
{
	const __u8 *src = ip6 + 8, *dst = ip6 + 24;
	const struct fp_route *r;
	bool router = cfg->flags & FP_F_ROUTER;

	/* ISATAP is NBMA (RFC 5214 §8.1): multicast is the reader's to drop
	 * by name (RS, MLD, DAD, the rest). */
	if (fp_is_multicast(dst))
		return false;
	if (fp_is_multicast(src) || fp_is_unspecified(src) || fp_is_loopback(src) ||
	    fp_is_v4mapped(src))
		return false;
	if (cfg->locator == 0)
		return false;
	/* RFC 6324 §3.2.3: a router's packet from its own 6to4 address or
	 * from itself under another router's prefix has been round a loop. */
	if (router && (eg_own_6to4(cfg, src) || eg_own_locator_foreign(cfg, sc, src)))
		return false;
	/* RFC 5214 §8.4: on-link ISATAP destinations go to the IPv4 address
	 * they embed. */
	if (fp_is_isatap(dst) && (fp_is_ll64(dst) || fp_lpm_lookup(&fp_onlink, sc, dst) != NULL)) {
		*nh = fp_isatap_v4(dst);
		return eg_nexthop_ok(cfg, *nh);
	}
	/* RFC 4291 §2.5.6: link-local is never routed. */
	if (fp_is_ll(dst))
		return false;
	if (router && eg_own_locator_foreign(cfg, sc, dst))
		return false;
	/* RFC 5214 §8.5: the longest matching route, its router. */
	r = fp_lpm_lookup(&fp_routes, sc, dst);
	if (r == NULL)
		return false;
	*nh = r->via;
	return eg_nexthop_ok(cfg, *nh);
}

/* fwd.c outer_src() / dp_locator_for(): a previous locator when the inner
 * source is its ISATAP address (the peer's RFC 5214 §7.3 check), else the
 * current one. */
static __always_inline __u32
eg_outer_src(const struct fp_cfg *cfg, const __u8 *src)
{
	__u32 v4;

	if (!fp_is_isatap(src))
		return cfg->locator;
	v4 = fp_isatap_v4(src);
#pragma unroll
	for (int i = 0; i < FP_RETIRED_MAX; i++)
		if (cfg->retired[i] != 0 && cfg->retired[i] == v4)
			return v4;
	return cfg->locator;
}

/*
 * The outer header of RFC 4213 §3.5, as datapath/fwd.c fill_tx() and
 * raw_linux.c describe it: version 4, IHL 5, the inner traffic class as
 * TOS (DSCP copied, RFC 2983 uniform model; ECN copied, RFC 6040 §4.1
 * normal mode: proto/ecn.c ecn_encap()), DF clear (RFC 4213 §3.2.1, the
 * raw socket's IP_PMTUDISC_DONT), an identification (RFC 6864: a datagram
 * that may be fragmented needs one; GSO numbers the segments on from it),
 * the configured TTL (RFC 4213 §3.3), protocol 41.
 */
static __always_inline void
eg_outer(__u8 *h, __u32 src, __u32 dst, __u32 inner_len, __u8 tos, __u8 ttl)
{
	__u16 tot = (__u16)(inner_len + IPV4_HLEN), id = (__u16)bpf_get_prandom_u32(), csum;

	h[0] = 0x45;
	h[1] = tos;
	h[2] = tot >> 8;
	h[3] = tot & 0xff;
	h[4] = id >> 8;
	h[5] = id & 0xff;
	h[6] = 0;
	h[7] = 0;
	h[8] = ttl;
	h[9] = IPPROTO_IPV6_IN_IPV4;
	h[10] = 0;
	h[11] = 0;
	__builtin_memcpy(h + 12, &src, 4);
	__builtin_memcpy(h + 16, &dst, 4);
	csum = fp_csum_fold(fp_csum_add(0, h, IPV4_HLEN));
	h[10] = csum >> 8;
	h[11] = csum & 0xff;
}

/* bpf_fib_lookup() flags: see the lookup below. */
#define FP_FIB_FLAGS 0

static __always_inline int
eg_punt(__u32 slot)
{
	fp_count(slot, 1);
	return TC_ACT_OK;
}

SEC("tc")
int
isatap_egress(struct __sk_buff *skb)
{
	const struct fp_cfg *cfg = fp_get_cfg();
	struct fp_scratch *sc = fp_get_scratch(FP_SCRATCH_EGRESS);
	struct fp_prl_count *pc;
	__u32 len, plen, nh = 0, src, gso_size, segs;
	__u64 nh_key;
	__u8 *ip6, tc;
	int l2, rc;

	if (cfg == NULL || sc == NULL || !(cfg->flags & FP_F_ENABLED) || cfg->ttl == 0)
		return eg_punt(DPC_FP_OUT_PUNT);
	ip6 = sc->ip6;
	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return eg_punt(DPC_FP_OUT_PUNT);
	if (bpf_skb_load_bytes_relative(skb, 0, ip6, IPV6_HLEN, BPF_HDR_START_NET) != 0)
		return eg_punt(DPC_FP_OUT_PUNT);
	if ((l2 = fp_l2_len(skb, sc, ip6)) < 0)
		return eg_punt(DPC_FP_OUT_PUNT);
	/* pkt_parse_ipv6(): version 6, payload length exact and not 0. */
	len = skb->len - (__u32)l2;
	plen = (__u32)ip6[4] << 8 | ip6[5];
	if (ip6[0] >> 4 != 6 || plen == 0 || IPV6_HLEN + plen != len)
		return eg_punt(DPC_FP_OUT_PUNT);
	/* RFC 4213 §3.2: what no outer datagram carries is the reader's to
	 * answer with a Packet Too Big (NH_DROP_TOO_BIG). */
	if (len > ISATAP_MAX_MTU)
		return eg_punt(DPC_FP_OUT_PUNT);
	/* Read once (BPF-FASTPATH.md pitfall 2: clang 14 may otherwise
	 * reuse a moved context pointer, which the verifier refuses). */
	gso_size = skb->gso_size;
	asm volatile("" : "+r"(gso_size));
	/* One packet longer than the TUN's MTU: only the reader knows what
	 * to say. A GSO super-packet is cut to the MTU on the way out. */
	if (gso_size == 0 && cfg->mtu != 0 && len > cfg->mtu)
		return eg_punt(DPC_FP_OUT_PUNT);
	if (!eg_next_hop(cfg, sc, ip6, &nh))
		return eg_punt(DPC_FP_OUT_PUNT);
	/* Neighbor Discovery (RFC 4861) stays the datapath's, as does what
	 * extension headers might hide it behind: nh_lookup() sends both the
	 * same way, but only the reader sees them whole. */
	if (ip6[6] == IPPROTO_HOPOPTS_NUM || ip6[6] == IPPROTO_ROUTING_NUM ||
	    ip6[6] == IPPROTO_DSTOPTS_NUM)
		return eg_punt(DPC_FP_OUT_PUNT);
	if (ip6[6] == IPPROTO_ICMPV6_NUM) {
		if (bpf_skb_load_bytes_relative(skb, IPV6_HLEN, sc->bytes, 1, BPF_HDR_START_NET) !=
		            0 ||
		    (sc->bytes[0] >= ICMP6_ROUTER_SOLICIT && sc->bytes[0] <= ICMP6_REDIRECT))
			return eg_punt(DPC_FP_OUT_PUNT);
	}

	src = eg_outer_src(cfg, ip6 + 8);
	tc = (__u8)((ip6[0] & 0x0f) << 4 | ip6[1] >> 4);
	eg_outer(sc->outer, src, nh, len, tc, cfg->ttl);

	/*
	 * The IPv4 route to the next hop, before the packet is touched: no
	 * route, a next hop that is not unicast (a subnet broadcast, one of
	 * our own addresses), or one datagram too long for the route's MTU
	 * (the raw socket would fragment it, DF being clear) go the reader's
	 * way, which sends or answers exactly as without the fast path. A
	 * missing neighbour is no reason: bpf_redirect_neigh() resolves it.
	 *
	 * The lookup is the forwarding one, as if the datagram came in on the
	 * TUN (fib.ifindex), so that its route is the one the raw socket's
	 * datagram gets (policy rules aside). bpf_fib_lookup() answers
	 * BPF_FIB_LKUP_RET_FWD_DISABLED, whatever the flags, unless IPv4
	 * forwarding is on for that device (measured on 6.18): the datapath
	 * turns it on for its TUN alone, which never carries IPv4, so no
	 * packet is forwarded that was not before; without it everything is
	 * punted, counted fp_out_fib_punt.
	 */
	__builtin_memset(&sc->fib, 0, sizeof(sc->fib));
	sc->fib.family = FP_AF_INET;
	sc->fib.tos = tc;
	sc->fib.l4_protocol = IPPROTO_IPV6_IN_IPV4;
	/* One datagram is checked against the route's MTU; a super-packet
	 * is not (0: the helper only asks that a GSO skb be forwardable),
	 * its segments being cut to the TUN's MTU, which left room for the
	 * outer header. */
	sc->fib.tot_len = gso_size != 0 ? 0 : (__u16)(len + IPV4_HLEN);
	sc->fib.ifindex = skb->ifindex;
	sc->fib.ipv4_src = src;
	sc->fib.ipv4_dst = nh;
	rc = bpf_fib_lookup(skb, &sc->fib, sizeof(sc->fib), FP_FIB_FLAGS);
	if (rc < 0)
		return eg_punt(DPC_FP_HELPER_ERROR);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return eg_punt(DPC_FP_OUT_FIB_PUNT);

	segs = skb->gso_segs;
	asm volatile("" : "+r"(segs));
	/* A super-packet that does not say: about what it will be cut into. */
	if (segs == 0)
		segs = gso_size != 0 ? (len - IPV6_HLEN + gso_size - 1) / gso_size : 1;
	/*
	 * 20 octets in front of the IPv6 header, marked as an IPv4-in-IPv4
	 * encapsulation so that a GSO super-packet stays one until the NIC or
	 * the software segmentation of the IPv4 egress (SKB_GSO_IPXIP4), and
	 * its gso_size stays: the TUN's MTU already left room for the header.
	 * A failure leaves the packet as it was: the reader takes it.
	 */
	if (bpf_skb_adjust_room(skb, IPV4_HLEN, BPF_ADJ_ROOM_MAC,
	                        BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_FIXED_GSO) != 0)
		return eg_punt(DPC_FP_HELPER_ERROR);
	if (bpf_skb_store_bytes(skb, (__u32)l2, sc->outer, IPV4_HLEN, 0) != 0) {
		fp_count(DPC_FP_HELPER_ERROR, 1);
		return TC_ACT_SHOT;
	}
	/*
	 * bpf_redirect_neigh() drops, silently, a packet without a MAC
	 * header (BPF-FASTPATH.md pitfall 1), as one from the TUN is: 14
	 * zeroed octets stand in for it, and the helper writes the real one
	 * from the neighbour entry.
	 */
	if (l2 == 0 && bpf_skb_change_head(skb, ETH_HLEN, 0) != 0) {
		fp_count(DPC_FP_HELPER_ERROR, 1);
		return TC_ACT_SHOT;
	}

	fp_count(DPC_OUT_PACKETS, segs);
	fp_count(DPC_OUT_BYTES, len);
	if (gso_size != 0)
		fp_count(DPC_FP_OUT_GSO, 1);
	nh_key = nh;
	pc = bpf_map_lookup_elem(&fp_prl_stats, &nh_key);
	if (pc != NULL)
		pc->out_packets += segs;

	/* The verifier reads the whole struct (BPF-FASTPATH.md pitfall 3). */
	__builtin_memset(&sc->nh, 0, sizeof(sc->nh));
	sc->nh.nh_family = FP_AF_INET;
	sc->nh.ipv4_nh = sc->fib.ipv4_dst; /* the gateway when the route has one */
	return (int)bpf_redirect_neigh(sc->fib.ifindex, &sc->nh, sizeof(sc->nh), 0);
}

#endif
