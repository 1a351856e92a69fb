/*
 * isatap_ingress: clsact ingress on an IPv4 interface carrying a locator.
 * A protocol-41 datagram to one of our locators is judged here exactly as
 * proto/decap.c decap_check() judges it on the raw socket, check for
 * check and in the same order, so that the first failing check names the
 * same verdict. Then, per verdict:
 *  - DECAP_ACCEPT: the outer header is stripped and the IPv6 packet goes
 *    into the TUN's ingress, as if the datapath had written it there;
 *  - a drop the kernel's IP layer would let through to the raw socket:
 *    dropped here (TC_ACT_SHOT) and counted in its slot,
 *    DPC_DECAP_BASE + verdict, which user space then never sees;
 *  - what user space must see, or sees differently (Neighbor Discovery,
 *    DECAP_ACCEPT_ND; fragments, which IPv4 reassembles first; trailing
 *    octets, which ip_rcv() trims; IPv4 options; ND behind more than
 *    four extension headers; no locator; a destination that is no
 *    locator of ours, which may well be someone else's tunnel; a source
 *    that is, which ip_rcv() drops as martian; the TUN down; a GRO
 *    super-packet on a kernel before 6.3, in_strip_outer()): left to
 *    the kernel's own path (TC_ACT_OK, counted fp_in_punt), where the raw
 *    socket and decap_check() count it once.
 * ip_rcv()'s other source checks (rp_filter, a host address that is not
 * a locator) are not repeated: such a sender could as well use any other
 * address on the link, which RFC 5214 §7.3 accepts just the same.
 * Whatever else is not IPv4 protocol 41 is none of ours: TC_ACT_OK,
 * uncounted.
 */
#ifndef ISATAP_BPF_FP_INGRESS_H
#define ISATAP_BPF_FP_INGRESS_H

/* At most this many extension headers are walked to find ND behind them;
 * a longer chain is the raw socket's (pkt_ipv6_upper() has no bound).
 * Eight were more than 6.1's verifier takes without CAP_PERFMON ("the
 * sequence of 8193 jumps is too complex"); ND has none in practice. */
#define IN_EXT_MAX 4

static __always_inline int
in_drop(__u32 verdict)
{
	fp_count(DPC_DECAP_BASE + verdict, 1);
	return TC_ACT_SHOT;
}

static __always_inline int
in_punt(void)
{
	fp_count(DPC_FP_IN_PUNT, 1);
	return TC_ACT_OK;
}

/*
 * Set by the datapath before the load (fastpath_linux.c,
 * fastpath_kernel_decap_flags()): whether the kernel's
 * bpf_skb_adjust_room() takes BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (Linux 6.3 and
 * later; 6.1's refuses it with EINVAL). The verifier drops the branch not
 * taken.
 */
const volatile __u32 fp_decap_flags = 1;

/*
 * Off with the outer header, the skb turned IPv6. TC_ACT_REDIRECT when it
 * is off; otherwise what the program returns, the datagram unchanged on
 * TC_ACT_OK (the raw socket takes it) and dropped on TC_ACT_SHOT.
 */
static __always_inline int
in_strip_outer(struct __sk_buff *skb, __u32 gso_size)
{
	if (fp_decap_flags) {
		/* A GRO super-packet of protocol 41 stays one (FIXED_GSO).
		 * NO_CSUM_RESET: what the NIC proved of the inner checksum
		 * still holds. */
		if (bpf_skb_adjust_room(skb, -IPV4_HLEN, BPF_ADJ_ROOM_MAC,
		                        BPF_F_ADJ_ROOM_DECAP_L3_IPV6 | BPF_F_ADJ_ROOM_FIXED_GSO |
		                                BPF_F_ADJ_ROOM_NO_CSUM_RESET) != 0) {
			fp_count(DPC_FP_HELPER_ERROR, 1);
			return TC_ACT_OK;
		}
		return TC_ACT_REDIRECT;
	}
	/*
	 * Without the flag only bpf_skb_change_proto() turns an skb IPv6: it
	 * puts 20 zero octets before the outer header (an IPv6 header is 20
	 * longer than an IPv4 one), and then those and the outer header go
	 * together. On a GSO skb it would also take 20 off gso_size, which
	 * nothing here can give back: a GRO super-packet is the raw socket's
	 * (the user-space path takes it whole, offload_gro.c).
	 */
	if (gso_size != 0)
		return in_punt();
	if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) != 0) {
		/* Refused before it touched the skb. */
		fp_count(DPC_FP_HELPER_ERROR, 1);
		return TC_ACT_OK;
	}
	if (bpf_skb_adjust_room(skb, -IPV6_HLEN, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_NO_CSUM_RESET) !=
	    0) {
		/* Half done: no longer the datagram that came. */
		fp_count(DPC_FP_HELPER_ERROR, 1);
		return TC_ACT_SHOT;
	}
	return TC_ACT_REDIRECT;
}

/* ff02::1, RFC 4291 §2.7.1. */
static __always_inline bool
in_is_all_nodes(const __u8 *a)
{
	__u32 w1, w2;

	__builtin_memcpy(&w1, a + 4, 4);
	__builtin_memcpy(&w2, a + 8, 4);
	return a[0] == 0xff && a[1] == 0x02 && a[2] == 0 && a[3] == 0 && (w1 | w2) == 0 &&
	       fp_low32(a) == bpf_htonl(1);
}

/* decap.c destination_ours(). */
static __always_inline bool
in_destination_ours(const struct fp_cfg *cfg, struct fp_scratch *sc, const __u8 *dst)
{
	if (in_is_all_nodes(dst))
		return true;
	__builtin_memcpy(sc->in6.a, dst, 16);
	if (bpf_map_lookup_elem(&fp_local, &sc->in6) != NULL)
		return true;
	/* RFC 5214 §8.3.1: our ISATAP link-local, either u bit, is ours
	 * from the moment the locator is. */
	return fp_is_ll64(dst) && fp_is_isatap(dst) && fp_isatap_v4(dst) == cfg->locator;
}

/* decap.c dst_own_locator_foreign(), RFC 6324 §3.2.3. */
static __always_inline bool
in_dst_own_locator_foreign(const struct fp_cfg *cfg, struct fp_scratch *sc, const __u8 *dst)
{
	if (!fp_is_isatap(dst) || !fp_locator_is_ours(cfg, fp_isatap_v4(dst)) || fp_is_ll64(dst) ||
	    fp_lpm_lookup(&fp_onlink, sc, dst) != NULL)
		return false;
	__builtin_memcpy(sc->in6.a, dst, 16);
	return bpf_map_lookup_elem(&fp_local, &sc->in6) == NULL;
}

/*
 * decap.c nd_kind(), over the skb: the ICMPv6 type when the packet is ND
 * (133..137) behind at most IN_EXT_MAX extension headers, 0 when it is
 * not, -1 when the chain is longer than that (the raw socket's then).
 * off and ilen count from the inner IPv6 header at net offset 20.
 */
static __always_inline int
in_nd_kind(struct __sk_buff *skb, struct fp_scratch *sc, __u32 ilen, __u8 first_nh)
{
	__u8 *eh = sc->bytes, nh = first_nh;
	__u32 o = IPV6_HLEN;

	for (int i = 0; i < IN_EXT_MAX; i++) {
		if (nh != IPPROTO_HOPOPTS_NUM && nh != IPPROTO_ROUTING_NUM &&
		    nh != IPPROTO_DSTOPTS_NUM)
			goto upper;
		/* RFC 8200 §4.3: hop-by-hop only first; else malformed. */
		if (nh == IPPROTO_HOPOPTS_NUM && o != IPV6_HLEN)
			return 0;
		if (ilen - o < 2)
			return 0;
		if (bpf_skb_load_bytes_relative(skb, IPV4_HLEN + o, eh, 2, BPF_HDR_START_NET) != 0)
			return 0;
		__u32 hl = ((__u32)eh[1] + 1) * 8;
		if (hl > ilen - o)
			return 0;
		nh = eh[0];
		o += hl;
	}
	if (nh == IPPROTO_HOPOPTS_NUM || nh == IPPROTO_ROUTING_NUM || nh == IPPROTO_DSTOPTS_NUM)
		return -1;
upper:
	if (nh != IPPROTO_ICMPV6_NUM || o >= ilen)
		return 0;
	if (bpf_skb_load_bytes_relative(skb, IPV4_HLEN + o, eh, 1, BPF_HDR_START_NET) != 0)
		return 0;
	if (eh[0] < ICMP6_ROUTER_SOLICIT || eh[0] > ICMP6_REDIRECT)
		return 0;
	return eh[0];
}

/* proto/ecn.c ecn_decap(), RFC 6040 §4.2 Figure 4: the inner ECN field
 * after decapsulation; -1 for the drop (outer CE, inner Not-ECT); *unused
 * for the "(!!!)" combinations. */
static __always_inline int
in_ecn_decap(__u8 outer, __u8 inner, bool *unused)
{
	outer &= ECN_MASK;
	inner &= ECN_MASK;
	*unused = false;
	if (inner == ECN_NOT_ECT) {
		if (outer == ECN_CE)
			return -1;
		*unused = outer != ECN_NOT_ECT;
		return ECN_NOT_ECT;
	}
	if (inner == ECN_CE) {
		*unused = outer == ECN_ECT1;
		return ECN_CE;
	}
	if (outer == ECN_CE)
		return ECN_CE;
	if (inner == ECN_ECT0 && outer == ECN_ECT1)
		return ECN_ECT1;
	return inner;
}

SEC("tc")
int
isatap_ingress(struct __sk_buff *skb)
{
	struct fp_scratch *sc = fp_get_scratch(FP_SCRATCH_INGRESS);
	__u32 len, hlen, total, ilen, src, dst, frag, plen, segs, gso_size;
	const __u8 *isrc, *idst;
	const struct fp_cfg *cfg;
	struct fp_prl_count *pc;
	bool router, unused;
	__u8 *o, *in, b;
	int l2, nd, ecn, r;
	__u64 src_key;

	/* Not IPv4, or a frame for another host's MAC (promiscuous mode),
	 * which ip_rcv() drops: none of ours. */
	if (skb->protocol != bpf_htons(ETH_P_IP) || skb->pkt_type == PACKET_OTHERHOST)
		return TC_ACT_OK;
	if (sc == NULL)
		return TC_ACT_OK;
	o = sc->ip4;
	in = sc->ip6;
	isrc = in + 8;
	idst = in + 24;
	if (bpf_skb_load_bytes_relative(skb, 0, o, IPV4_HLEN, BPF_HDR_START_NET) != 0)
		return TC_ACT_OK;
	if (o[0] >> 4 != 4 || o[9] != IPPROTO_IPV6_IN_IPV4)
		return TC_ACT_OK;

	/* From here on, protocol 41: carried, dropped or punted, each once. */
	cfg = fp_get_cfg();
	if (cfg == NULL || !(cfg->flags & FP_F_ENABLED))
		return in_punt();
	/* A TUN that is down (or none) takes nothing: the datapath's write
	 * would fail and count in_tun_errors, a redirect vanish uncounted. */
	if (!(cfg->flags & FP_F_LINK_UP) || cfg->tun_ifindex == 0)
		return in_punt();
	if (!fp_in_u32_set(&fp_ifaces, skb->ifindex))
		return in_punt();
	/* DECAP_DROP_NO_LOCATOR is the raw socket's to count. */
	if (cfg->locator == 0)
		return in_punt();
	/* RFC 5214 §6.2, §7.3: only what is sent to a locator of the set;
	 * decap_check() asks this after the header checks, but what is not
	 * ours is not ours to drop (DECAP_DROP_NOT_OUR_LOCATOR, if the raw
	 * socket gets it at all). */
	__builtin_memcpy(&src, o + 12, 4);
	__builtin_memcpy(&dst, o + 16, 4);
	if (!fp_locator_is_ours(cfg, dst))
		return in_punt();
	if ((l2 = fp_l2_len(skb, sc, o)) < 0)
		return in_punt();
	len = skb->len - (__u32)l2;

	/* pkt_parse_ipv4(), RFC 4213 §3.5 / §3.6 with RFC 791, in its order. */
	hlen = (__u32)(o[0] & 0x0f) * 4;
	if (hlen < IPV4_HLEN || hlen > len)
		return in_drop(DECAP_DROP_OUTER_BAD);
	total = (__u32)o[2] << 8 | o[3];
	if (total < hlen)
		return in_drop(DECAP_DROP_OUTER_BAD);
	if (total > len)
		return in_drop(DECAP_DROP_OUTER_LEN);
	if (total < len)
		return in_punt(); /* ip_rcv() trims; the raw socket judges the rest */
	/* Options (pkt.c refuses them: they buy a tunnel packet nothing)
	 * come to user space, which checks the header checksum over them
	 * and counts outer_bad or outer_options: a loop over them is more
	 * than 6.1's verifier takes without CAP_PERFMON. */
	if (hlen != IPV4_HLEN)
		return in_punt();
	if (fp_csum_fold(fp_csum_add(0, o, IPV4_HLEN)) != 0)
		return in_drop(DECAP_DROP_OUTER_BAD);
	frag = (__u32)o[6] << 8 | o[7];
	if ((frag & IPV4_MF) || (frag & IPV4_OFFMASK))
		return in_punt(); /* reassembled first; the raw socket judges the whole */
	/* From one of our own locators: ip_rcv() calls that a martian
	 * source (fib_validate_source(), no accept_local) and drops it before
	 * the raw socket; so does this path, by leaving it there. */
	if (fp_locator_is_ours(cfg, src))
		return in_punt();
	/* RFC 4213 §3.6 leaves source filtering to the node: never a peer. */
	if (fp_v4_is_bogus(src))
		return in_drop(DECAP_DROP_OUTER_SRC_BOGUS);

	/* pkt_parse_ipv6() over the rest of the datagram. */
	ilen = total - IPV4_HLEN;
	if (ilen < IPV6_HLEN)
		return in_drop(DECAP_DROP_INNER_SHORT);
	if (bpf_skb_load_bytes_relative(skb, IPV4_HLEN, in, IPV6_HLEN, BPF_HDR_START_NET) != 0)
		return in_drop(DECAP_DROP_INNER_SHORT);
	if (in[0] >> 4 != 6)
		return in_drop(DECAP_DROP_INNER_VERSION);
	plen = (__u32)in[4] << 8 | in[5];
	if (plen == 0 || IPV6_HLEN + plen != ilen)
		return in_drop(DECAP_DROP_INNER_LEN);

	if (fp_is_multicast(isrc) || fp_is_unspecified(isrc) || fp_is_loopback(isrc) ||
	    fp_is_v4compat(isrc) || fp_is_v4mapped(isrc))
		return in_drop(DECAP_DROP_INNER_SRC_BAD);
	/* RFC 5214 §7.3 (decap.c source_check()): from a PRL router, or an
	 * on-link ISATAP source that embeds the outer source. */
	if (!fp_in_u32_set(&fp_prl, src)) {
		if (!fp_is_isatap(isrc) ||
		    !(fp_is_ll64(isrc) || fp_lpm_lookup(&fp_onlink, sc, isrc) != NULL))
			return in_drop(DECAP_DROP_SRC_NOT_ONLINK);
		if (fp_isatap_v4(isrc) != src)
			return in_drop(DECAP_DROP_SPOOFED_SRC);
	}
	/* RFC 6324 §3.2: a host forwards nothing; a router nothing that
	 * names itself on another router's link (§3.2.3). */
	router = cfg->flags & FP_F_ROUTER;
	if (!router && !in_destination_ours(cfg, sc, idst))
		return in_drop(DECAP_DROP_NOT_OURS);
	if (router && in_dst_own_locator_foreign(cfg, sc, idst))
		return in_drop(DECAP_DROP_DST_OWN_LOCATOR);
	/* RFC 6040 §4.2: CE over Not-ECT is a loss the transport must see. */
	ecn = in_ecn_decap(o[1], (__u8)(in[1] >> 4), &unused);
	if (ecn < 0)
		return in_drop(DECAP_DROP_ECN_CE_NOT_ECT);

	nd = in_nd_kind(skb, sc, ilen, in[6]);
	if (nd < 0)
		return in_punt();
	if (nd != 0) {
		/* RFC 4861 §6.1, §7.1, §8.1: hop limit 255 proves on-link. */
		if (in[7] != ND_HOP_LIMIT)
			return in_drop(DECAP_DROP_ND_HOPLIMIT);
		/* Control (or a router's radvd through the datapath) takes
		 * every ND message: the raw socket's. */
		return in_punt();
	}
	/* fwd.c is_bcast(): a subnet's broadcast address is no sender. */
	if (fp_in_u32_set(&fp_bcast, src))
		return in_drop(DECAP_DROP_OUTER_SRC_BOGUS);

	gso_size = skb->gso_size;
	asm volatile("" : "+r"(gso_size));
	segs = skb->gso_segs;
	asm volatile("" : "+r"(segs));
	if (segs == 0)
		segs = 1;
	if ((r = in_strip_outer(skb, gso_size)) != TC_ACT_REDIRECT)
		return r;
	/* RFC 6040 §4.2 (fwd.c in_ecn()) on the inner header, now at l2; the
	 * checksum of a CHECKSUM_COMPLETE skb follows (RECOMPUTE_CSUM). */
	if (unused)
		fp_count(DPC_IN_ECN_UNUSED, 1);
	if ((__u8)ecn != ((in[1] >> 4) & ECN_MASK)) {
		b = (__u8)((in[1] & ~(ECN_MASK << 4)) | ecn << 4);
		sc->bytes[0] = b;
		if (bpf_skb_store_bytes(skb, (__u32)l2 + 1, sc->bytes, 1, BPF_F_RECOMPUTE_CSUM) !=
		    0) {
			fp_count(DPC_FP_HELPER_ERROR, 1);
			return TC_ACT_SHOT;
		}
		if (ecn == ECN_CE)
			fp_count(DPC_IN_ECN_CE, 1);
	}
	if (l2 == ETH_HLEN) {
		/* Cosmetic: the MAC header is pulled on the way into the TUN. */
		sc->bytes[0] = ETH_P_IPV6 >> 8;
		sc->bytes[1] = ETH_P_IPV6 & 0xff;
		bpf_skb_store_bytes(skb, 12, sc->bytes, 2, 0);
	}
	fp_count(DPC_IN_PACKETS, segs);
	fp_count(DPC_IN_BYTES, ilen);
	if (gso_size != 0)
		fp_count(DPC_FP_IN_GSO, 1);
	src_key = src;
	pc = bpf_map_lookup_elem(&fp_prl_stats, &src_key);
	if (pc != NULL)
		pc->in_packets += segs;
	return (int)bpf_redirect(cfg->tun_ifindex, BPF_F_INGRESS);
}

#endif
