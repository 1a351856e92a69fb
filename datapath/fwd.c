/*
 * The forwarding loops. Outbound: TUN -> nh_lookup() -> outer IPv4 header ->
 * raw socket. Inbound: raw socket -> decap_check() (RFC 5214 §7.3) -> TUN,
 * or up to control for ND. Both work in batches of DP_BATCH over buffers
 * dp_init() allocated; nothing here allocates, and nothing logs: every
 * packet that is not forwarded is counted under its reason. With TUN
 * offloads (io.vnet) TCP super-packets from the TUN are segmented, and
 * inbound segments coalesced into super-packets for it; with USO as well
 * (io.uso), UDP super-packets and datagrams likewise (offload.h).
 * What cannot be sent for want of a route or a usable next hop is answered
 * with an ICMPv6 Destination Unreachable written into the TUN (unreach()),
 * what is too long for an outer datagram with a Packet Too Big.
 */
#include <errno.h>
#include <string.h>

#include "decap.h"
#include "dp.h"
#include "ecn.h"
#include "icmp6err.h"
#include "nd.h"
#include "pkt.h"

/*
 * RFC 4213 §3.5 leaves the outer TOS to the implementation: the inner DSCP
 * is copied (RFC 2983 uniform model), and so is the ECN field, RFC 6040
 * §4.1 normal mode (ecn.h says why normal mode).
 */
static uint8_t
outer_tos(const uint8_t *pkt)
{
	uint8_t tc = (uint8_t)(((pkt[0] & 0x0f) << 4) | (pkt[1] >> 4));

	return (uint8_t)((tc & ~ECN_MASK) | ecn_encap(tc & ECN_MASK));
}

/*
 * RFC 6040 §4.2 on an accepted packet (decap_check() dropped the one
 * combination that drops): CE on the outer header reaches an ECT inner
 * packet, in place, before the packet is coalesced or written.
 */
static void
in_ecn(struct dp *dp, const uint8_t *outer, uint8_t *ip6)
{
	uint8_t inner = (ip6[1] >> 4) & ECN_MASK, out;

	if (ecn_decap(outer[1], inner, &out) == ECN_UNUSED)
		dp->counters[DPC_IN_ECN_UNUSED]++;
	if (out == inner)
		return;
	ip6[1] = (uint8_t)((ip6[1] & ~(ECN_MASK << 4)) | out << 4);
	if (out == ECN_CE)
		dp->counters[DPC_IN_ECN_CE]++;
}

/*
 * A subnet's directed broadcast is unicast-looking to pure code (proto/
 * cannot know the host's subnets) but is never an ISATAP node: a datagram
 * "from" it is forged, and one "to" it would reach every host on the subnet.
 */
static bool
is_bcast(const struct dp *dp, struct in_addr a)
{
	for (size_t i = 0; i < dp->n_bcast; i++)
		if (dp->bcast[i].s_addr == a.s_addr)
			return true;
	return false;
}

/* nh_lookup(), and never to one of the host's IPv4 broadcast addresses. */
static enum nh_verdict
out_next_hop(const struct dp *dp, const struct nh_ctx *ctx, const uint8_t *pkt, size_t len,
             struct in_addr *next_hop)
{
	enum nh_verdict v = nh_lookup(ctx, pkt, len, next_hop);

	/* nh_lookup() refuses every locator of the set (ctx->retired). */
	if (v == NH_OK && is_bcast(dp, *next_hop))
		v = NH_DROP_BOGUS_NEXTHOP;
	return v;
}

/* The counters of one kind of ICMPv6 error: sent, over the rate limit,
 * not sent (no address to send from, or the TUN write failed). */
struct icmp6_kind {
	enum dp_counter sent, limited, unsent;
};
static const struct icmp6_kind unreach_kind = {DPC_OUT_ICMP6_UNREACH, DPC_OUT_ICMP6_UNREACH_LIMITED,
                                               DPC_OUT_ICMP6_UNREACH_UNSENT};
static const struct icmp6_kind too_big_kind = {DPC_OUT_ICMP6_TOO_BIG, DPC_OUT_ICMP6_TOO_BIG_LIMITED,
                                               DPC_OUT_ICMP6_TOO_BIG_UNSENT};

/*
 * RFC 4443 §3.1, as Linux's sit driver does it (dst_link_failure()): the
 * sender of a packet we cannot deliver hears so at once instead of timing
 * out. The error goes into the TUN, for the kernel to deliver to the local
 * sender or, in router mode, to forward. code < 0: this drop gets none.
 * A Packet Too Big (§3.2; code 0, mtu) goes the same way, on the same
 * budget: §2.4(f) limits the errors a node originates, of every type.
 * Only ever after a drop: the slow path may cost a clock read.
 */
static void
icmp6_error(struct dp *dp, const uint8_t *pkt, size_t len, const struct icmp6_kind *k, int code,
            uint32_t mtu)
{
	const size_t vlen = dp->io.vnet ? OFL_VNET_HDR_LEN : 0;
	uint8_t *ip6 = dp->icmp6_err + vlen;
	const size_t cap = sizeof(dp->icmp6_err) - vlen;
	struct in6_addr src, to;
	enum icmp6err_reason why;
	size_t n;
	int r;

	/* §2.4(e) first: what may never be answered spends no token. */
	if (code < 0 || icmp6err_check(pkt, len) != ICMP6ERR_OK)
		return;
	memcpy(&to, pkt + 8, sizeof(to));
	if (!icmp6err_pick_src(dp->addrs, dp->n_addrs, &to, &src)) {
		dp->counters[k->unsent]++;
		return;
	}
	if (!rate_take(&dp->icmp6_rate, dp->now_ms())) {
		dp->counters[k->limited]++;
		return;
	}
	if (k == &too_big_kind)
		why = icmp6err_build_ptb(ip6, cap, &src, mtu, pkt, len, &n);
	else
		why = icmp6err_build(ip6, cap, &src, ICMP6_DST_UNREACH, (uint8_t)code, pkt, len,
		                     &n);
	if (why != ICMP6ERR_OK) {
		dp->counters[k->unsent]++;
		return;
	}
	if (vlen) {
		/* No offload asked for: flags 0, GSO_NONE, checksum complete. */
		struct iovec iov = {dp->icmp6_err, vlen + n};

		memset(dp->icmp6_err, 0, vlen);
		r = dp->io.tun_writev(dp->io.tun, &iov, 1);
	} else {
		r = dp->io.tun_write(dp->io.tun, ip6, n);
	}
	dp->counters[r < 0 ? k->unsent : k->sent]++;
}

static void
unreach(struct dp *dp, const uint8_t *pkt, size_t len, int code)
{
	icmp6_error(dp, pkt, len, &unreach_kind, code, 0);
}

/*
 * The ICMPv6 error an outbound drop gets: Packet Too Big with the tunnel's
 * MTU for a packet no outer datagram can carry (RFC 4443 §3.2, RFC 4213
 * §3.2), else the Destination Unreachable of its verdict, if any.
 */
static void
out_error(struct dp *dp, const uint8_t *pkt, size_t len, enum nh_verdict v)
{
	if (v == NH_DROP_TOO_BIG)
		icmp6_error(dp, pkt, len, &too_big_kind, 0, dp->mtu);
	else
		unreach(dp, pkt, len, icmp6err_code_for_verdict(v));
}

/*
 * The outer source: the locator whose ISATAP interface identifier the inner
 * source carries, so that the peer's RFC 5214 §7.3 check (inner source
 * embeds outer source) passes for the addresses of a previous locator still
 * in the set; the current one otherwise. One compare when the set has only
 * the current locator.
 */
static struct in_addr
outer_src(const struct dp *dp, const uint8_t *inner, size_t len)
{
	struct in6_addr src;

	if (dp->n_retired == 0 || len < IPV6_HDR_LEN)
		return dp->locator;
	memcpy(&src, inner + 8, sizeof(src));
	return dp_locator_for(dp, &src);
}

static void
fill_tx(struct dp *dp, unsigned i, struct in_addr dst, const uint8_t *inner, size_t len)
{
	/* Callers bound len to DP_PKT_MAX - DP_OUTER_HDR. */
	pkt_build_ipv4(dp->hdrs[i], outer_src(dp, inner, len), dst, (uint16_t)len, dp->ip_id++,
	               dp->ttl, len >= 2 ? outer_tos(inner) : 0);
	dp->tx[i].dst = dst;
	dp->tx[i].hdr = dp->hdrs[i];
	dp->tx[i].inner = inner;
	dp->tx[i].inner_len = len;
	dp->tx[i].err = 0;
}

static void
flush_out(struct dp *dp, unsigned n)
{
	if (n == 0)
		return;
	dp->io.raw_send(dp->io.raw, dp->tx, n);
	for (unsigned i = 0; i < n; i++) {
		if (dp->tx[i].err == 0) {
			int k = dp->n_prl > 0 ? dp_prl_index(dp, dp->tx[i].dst) : -1;

			if (k >= 0)
				dp->prl_out[k]++;
			dp->counters[DPC_OUT_PACKETS]++;
			dp->counters[DPC_OUT_BYTES] += dp->tx[i].inner_len;
		} else {
			/* The inner packet is still in tunbuf or segbuf. */
			dp->counters[DPC_OUT_SEND_ERRORS]++;
			unreach(dp, dp->tx[i].inner, dp->tx[i].inner_len,
			        icmp6err_code_for_send(dp->tx[i].err));
		}
	}
}

/*
 * The segments of one TCP or UDP super-packet in dp->segbuf, DP_BATCH at a
 * time, to next_hop. They share every header field nh_lookup() reads, so
 * the first one's verdict is theirs (seg_verdict()); so is its ICMPv6
 * error, one for the super-packet.
 */
static void
out_segments(struct dp *dp, struct in_addr next_hop, unsigned nseg)
{
	unsigned i = 0, k;

	while (i < nseg) {
		for (k = 0; k < DP_BATCH && i < nseg; k++, i++)
			fill_tx(dp, k, next_hop, dp->segbuf + dp->segs[i].off, dp->segs[i].len);
		flush_out(dp, k);
	}
}

/* The next hop of the segments in dp->segbuf; on a drop, all `total`
 * segments of the super-packet are counted under its reason. */
static bool
seg_verdict(struct dp *dp, const struct nh_ctx *ctx, unsigned total, struct in_addr *next_hop)
{
	enum nh_verdict v =
	        out_next_hop(dp, ctx, dp->segbuf + dp->segs[0].off, dp->segs[0].len, next_hop);

	if (v == NH_OK)
		return true;
	if ((unsigned)v < NH_VERDICT_COUNT)
		dp->counters[DPC_NH_BASE + v] += total;
	out_error(dp, dp->segbuf + dp->segs[0].off, dp->segs[0].len, v);
	return false;
}

/*
 * A packet read behind a virtio-net header (io.vnet). A TCP super-packet,
 * or with io.uso a UDP one, is segmented and sent at once, after what the
 * batch holds so far (a flow's order is kept); returns false then, or when
 * the packet is dropped. A partial checksum is completed in place; returns
 * true: queue the packet.
 */
static bool
out_vnet(struct dp *dp, const struct nh_ctx *ctx, const uint8_t *vhb, uint8_t *pkt, size_t len,
         unsigned *ntx)
{
	struct ofl_vnet_hdr vh;
	struct in_addr next_hop;
	uint32_t mtu = dp->mtu;
	unsigned first = 0, total = 0;
	int nseg;

	ofl_vnet_decode(vhb, &vh);
	if (vh.gso_type == OFL_GSO_NONE) {
		if (ofl_csum_complete(pkt, len, &vh) == OFL_OK)
			return true;
		dp->counters[DPC_OUT_DROP_OFFLOAD]++;
		return false;
	}
	flush_out(dp, *ntx);
	*ntx = 0;
	/* Each segment must fit one outer datagram (fill_tx()), even with an
	 * MTU above what IPv4 can carry: TCP is cut smaller, UDP refused. */
	if (mtu > DP_PKT_MAX - DP_OUTER_HDR)
		mtu = DP_PKT_MAX - DP_OUTER_HDR;
	/* UDP GSO only when we asked for it: the kernel sending one anyway
	 * would be refused as any type we did not enable. */
	if (vh.gso_type == OFL_GSO_UDP_L4 && dp->io.uso) {
		nseg = ofl_uso_segment(pkt, len, &vh, mtu, dp->segbuf, DP_SEGBUF_LEN, dp->segs,
		                       OFL_SEG_MAX);
		if (nseg < 0) {
			dp->counters[DPC_OUT_DROP_OFFLOAD]++;
			return false;
		}
		dp->counters[DPC_OUT_TSO_PACKETS]++;
		if (seg_verdict(dp, ctx, (unsigned)nseg, &next_hop))
			out_segments(dp, next_hop, (unsigned)nseg);
		return false;
	}
	/*
	 * TCP in passes of what segbuf holds: the segment count follows the
	 * peer's MSS, and a small one (536: 123 segments of a 64 KiB
	 * super-packet) makes more than one pass, never a drop.
	 */
	do {
		nseg = ofl_tso_segment_from(pkt, len, &vh, mtu, first, dp->segbuf, DP_SEGBUF_LEN,
		                            dp->segs, OFL_SEG_MAX, &total);
		if (nseg < 0) {
			/* Only the first pass can fail: the rest is arithmetic. */
			dp->counters[DPC_OUT_DROP_OFFLOAD]++;
			return false;
		}
		if (first == 0) {
			dp->counters[DPC_OUT_TSO_PACKETS]++;
			if (!seg_verdict(dp, ctx, total, &next_hop))
				return false;
		}
		out_segments(dp, next_hop, (unsigned)nseg);
		first += (unsigned)nseg;
	} while (first < total);
	return false;
}

int
dp_fwd_out(struct dp *dp)
{
	const struct nh_ctx ctx = {
	        .locator = dp->locator,
	        .retired = dp->retired,
	        .n_retired = dp->n_retired,
	        .onlink = dp->onlink,
	        .n_onlink = dp->n_onlink,
	        .routes = dp->routes,
	        .n_routes = dp->n_routes,
	        .router_mode = dp->router_mode,
	};
	const size_t vlen = dp->io.vnet ? OFL_VNET_HDR_LEN : 0;
	unsigned ntx = 0;
	int nread = 0, err = 0;

	for (unsigned i = 0; i < DP_BATCH; i++) {
		/* Slot ntx: the packets queued so far stay where they are. */
		uint8_t *buf = dp->tunbuf + (size_t)ntx * DP_BUF_STRIDE, *pkt = buf + vlen;
		struct in_addr next_hop;
		enum nh_verdict v;
		ssize_t n;
		size_t len;

		/*
		 * A whole packet of the longest a TUN takes (MTU 65535), so
		 * that one longer than an outer datagram carries is seen
		 * whole and answered (nh_lookup(): NH_DROP_TOO_BIG). With
		 * vnet the read takes a whole 64 KiB super-packet, which is
		 * never sent as one datagram.
		 */
		n = dp->io.tun_read(dp->io.tun, buf, vlen ? DP_TUN_VNET_MAX : DP_PKT_MAX);
		if (n < 0) {
			if (n != -EAGAIN)
				err = (int)n;
			break;
		}
		nread++;
		if ((size_t)n < vlen) {
			dp->counters[DPC_OUT_DROP_OFFLOAD]++;
			continue;
		}
		len = (size_t)n - vlen;
		if (vlen && !out_vnet(dp, &ctx, buf, pkt, len, &ntx))
			continue;
		/* NH_OK bounds len to ISATAP_MAX_MTU, what fill_tx() needs. */
		v = out_next_hop(dp, &ctx, pkt, len, &next_hop);
		if (v != NH_OK) {
			if ((unsigned)v < NH_VERDICT_COUNT)
				dp->counters[DPC_NH_BASE + v]++;
			out_error(dp, pkt, len, v);
			continue;
		}
		fill_tx(dp, ntx++, next_hop, pkt, len);
	}
	flush_out(dp, ntx);
	return nread > 0 ? nread : err;
}

/* With io.vnet: writes the batch's coalesced packets (offload.h), one
 * writev() each. */
static void
gro_flush(struct dp *dp)
{
	struct iovec iov[OFL_GRO_MAX_SEGS + 1];

	for (unsigned i = 0; i < dp->gro.n; i++) {
		unsigned n = ofl_gro_iov(&dp->gro, i, iov), segs = dp->gro.pkt[i].nsegs;
		size_t hdr = iov[0].iov_len - OFL_VNET_HDR_LEN, bytes = hdr;

		for (unsigned k = 1; k < n; k++)
			bytes += iov[k].iov_len;
		if (dp->io.tun_writev(dp->io.tun, iov, n) < 0) {
			dp->counters[DPC_IN_TUN_ERRORS] += segs;
			continue;
		}
		/* Counted as received: each segment with its own headers. */
		dp->counters[DPC_IN_PACKETS] += segs;
		dp->counters[DPC_IN_BYTES] += bytes + (segs - 1) * hdr;
	}
	dp->counters[DPC_IN_GRO_MERGED] += dp->gro.coalesced;
	ofl_gro_init(&dp->gro);
}

static void
to_tun(struct dp *dp, const uint8_t *pkt, size_t len)
{
	if (dp->io.vnet) {
		/* Written at the end of the batch; the packet stays in rxbuf
		 * until then. A full batch is written out first. */
		if (ofl_gro_add(&dp->gro, pkt, len) == OFL_NO_ROOM) {
			gro_flush(dp);
			(void)ofl_gro_add(&dp->gro, pkt, len);
		}
		return;
	}
	if (dp->io.tun_write(dp->io.tun, pkt, len) < 0) {
		dp->counters[DPC_IN_TUN_ERRORS]++;
		return;
	}
	dp->counters[DPC_IN_PACKETS]++;
	dp->counters[DPC_IN_BYTES] += len;
}

void
dp_nd_to_tun(struct dp *dp, const uint8_t *pkt, size_t len)
{
	to_tun(dp, pkt, len);
}

void
dp_nd_to_control(struct dp *dp, struct in_addr src, const uint8_t *pkt, size_t len)
{
	if (len > MSG_ND_MAX || dp->nd_up == NULL || dp->nd_up(dp->nd_up_h, src, pkt, len) < 0) {
		dp->counters[DPC_ND_UP_DROPPED]++;
		return;
	}
	dp->counters[DPC_ND_UP]++;
}

int
dp_fwd_in(struct dp *dp)
{
	const struct decap_ctx ctx = {
	        .locator = dp->locator,
	        .retired = dp->retired,
	        .n_retired = dp->n_retired,
	        .prl = dp->prl,
	        .n_prl = dp->n_prl,
	        .onlink = dp->onlink,
	        .n_onlink = dp->n_onlink,
	        .local = dp->local,
	        .n_local = dp->n_addrs,
	        .router_mode = dp->router_mode,
	};
	int n;

	n = dp->io.raw_recv(dp->io.raw, dp->rx, DP_BATCH);
	if (n <= 0)
		return n;
	dp->gro.udp = dp->io.uso;
	for (int i = 0; i < n; i++) {
		uint8_t *p = dp->rx[i].buf;
		size_t off = 0, len = 0;
		struct in_addr src = {0};
		enum decap_verdict v;

		v = decap_check(&ctx, p, dp->rx[i].len, &off, &len, &src);
		if ((v == DECAP_ACCEPT || v == DECAP_ACCEPT_ND) && is_bcast(dp, src))
			v = DECAP_DROP_OUTER_SRC_BOGUS;
		if (v == DECAP_ACCEPT || v == DECAP_ACCEPT_ND) {
			/* Forward progress from a router (RFC 4861 §7.3.1),
			 * for control's router reachability. */
			int k = dp->n_prl > 0 ? dp_prl_index(dp, src) : -1;

			if (k >= 0)
				dp->prl_in[k]++;
		}
		switch (v) {
		case DECAP_ACCEPT:
			in_ecn(dp, p, p + off);
			to_tun(dp, p + off, len);
			break;
		case DECAP_ACCEPT_ND:
			/* Answered, passed up to control, into the TUN for a
			 * router's kernel and radvd, or dropped: nd_in.c. */
			dp_nd_input(dp, src, p + off, len);
			break;
		default:
			if ((unsigned)v < DECAP_VERDICT_COUNT)
				dp->counters[DPC_DECAP_BASE + v]++;
			break;
		}
	}
	if (dp->io.vnet)
		gro_flush(dp);
	return n;
}

/*
 * One packet of our own (an RS, an NA) to v4, at once. Called between
 * batches or from the inbound one, never inside an outbound batch: tx[0]
 * and hdrs[0] are free.
 */
int
dp_send_one(struct dp *dp, struct in_addr v4, const uint8_t *pkt, size_t len)
{
	struct dp_tx *tx = &dp->tx[0];

	fill_tx(dp, 0, v4, pkt, len);
	dp->io.raw_send(dp->io.raw, tx, 1);
	if (tx->err < 0) {
		dp->counters[DPC_OUT_SEND_ERRORS]++;
		return tx->err;
	}
	return 0;
}

int
dp_send_rs(struct dp *dp, struct in_addr router, bool u_bit)
{
	uint8_t rs[ND_RS_LEN];
	struct in6_addr src, dst;
	size_t len;
	int r;

	if (dp->locator.s_addr == INADDR_ANY)
		return -EADDRNOTAVAIL;
	/* RFC 5214 §8.3.4: solicitations go to PRL members only. Control
	 * cannot make us send anything to anyone else. */
	if (!dp_in_prl(dp, router))
		return -EPERM;
	if (is_bcast(dp, router))
		return -EINVAL;
	addr_isatap_linklocal(dp->locator, &src);
	addr_isatap_linklocal_u(router, u_bit, &dst);
	len = nd_build_rs(rs, sizeof(rs), &src, &dst);
	if (len == 0)
		return -EINVAL;
	if ((r = dp_send_one(dp, router, rs, len)) < 0)
		return r;
	dp->counters[DPC_RS_SENT]++;
	return 0;
}
