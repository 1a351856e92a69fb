/*
 * The forwarding loops. Outbound: TUN -> nh_lookup() -> outer IPv4 header ->
 * raw socket. Inbound: raw socket -> decap_check() (RFC 5214 §7.3) -> TUN,
 * or up to control for ND. Both work in batches of DP_BATCH over buffers
 * dp_init() allocated; nothing here allocates, and nothing logs: every
 * packet that is not forwarded is counted under its reason.
 */
#include <errno.h>
#include <string.h>

#include "decap.h"
#include "dp.h"
#include "nd.h"
#include "pkt.h"

/*
 * RFC 4213 §3.5 leaves the outer TOS to the implementation; we copy the
 * inner DSCP (RFC 2983 uniform model) and never the ECN bits, which need
 * the RFC 6040 treatment this encapsulator does not do.
 */
static uint8_t
inner_dscp(const uint8_t *pkt)
{
	uint8_t tc = (uint8_t)(((pkt[0] & 0x0f) << 4) | (pkt[1] >> 4));

	return tc & 0xfc;
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

static void
fill_tx(struct dp *dp, unsigned i, struct in_addr dst, const uint8_t *inner, size_t len)
{
	/* Callers bound len to DP_PKT_MAX - DP_OUTER_HDR. */
	pkt_build_ipv4(dp->hdrs[i], dp->locator, dst, (uint16_t)len, dp->ip_id++, dp->ttl,
	               len >= 2 ? inner_dscp(inner) : 0);
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
			dp->counters[DPC_OUT_PACKETS]++;
			dp->counters[DPC_OUT_BYTES] += dp->tx[i].inner_len;
		} else {
			dp->counters[DPC_OUT_SEND_ERRORS]++;
		}
	}
}

int
dp_fwd_out(struct dp *dp)
{
	const struct nh_ctx ctx = {
	        .locator = dp->locator,
	        .onlink = dp->onlink,
	        .n_onlink = dp->n_onlink,
	        .routes = dp->routes,
	        .n_routes = dp->n_routes,
	};
	unsigned ntx = 0;
	int nread = 0, err = 0;

	for (unsigned i = 0; i < DP_BATCH; i++) {
		uint8_t *buf = dp->tunbuf + (size_t)i * DP_BUF_STRIDE;
		struct in_addr next_hop;
		enum nh_verdict v;
		ssize_t n;

		/*
		 * A packet longer than an outer IPv4 datagram can carry is cut
		 * short by the read and then fails nh_lookup()'s length check.
		 */
		n = dp->io.tun_read(dp->io.tun, buf, DP_PKT_MAX - DP_OUTER_HDR);
		if (n < 0) {
			if (n != -EAGAIN)
				err = (int)n;
			break;
		}
		nread++;
		v = nh_lookup(&ctx, buf, (size_t)n, &next_hop);
		if (v == NH_OK && is_bcast(dp, next_hop))
			v = NH_DROP_BOGUS_NEXTHOP;
		if (v != NH_OK) {
			if ((unsigned)v < NH_VERDICT_COUNT)
				dp->counters[DPC_NH_BASE + v]++;
			continue;
		}
		fill_tx(dp, ntx++, next_hop, buf, (size_t)n);
	}
	flush_out(dp, ntx);
	return nread > 0 ? nread : err;
}

static void
to_tun(struct dp *dp, const uint8_t *pkt, size_t len)
{
	if (dp->io.tun_write(dp->io.tun, pkt, len) < 0) {
		dp->counters[DPC_IN_TUN_ERRORS]++;
		return;
	}
	dp->counters[DPC_IN_PACKETS]++;
	dp->counters[DPC_IN_BYTES] += len;
}

static void
to_control(struct dp *dp, struct in_addr src, const uint8_t *pkt, size_t len)
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
	for (int i = 0; i < n; i++) {
		const uint8_t *p = dp->rx[i].buf;
		size_t off = 0, len = 0;
		struct in_addr src = {0};
		enum decap_verdict v;

		v = decap_check(&ctx, p, dp->rx[i].len, &off, &len, &src);
		if ((v == DECAP_ACCEPT || v == DECAP_ACCEPT_ND) && is_bcast(dp, src))
			v = DECAP_DROP_OUTER_SRC_BOGUS;
		switch (v) {
		case DECAP_ACCEPT:
			to_tun(dp, p + off, len);
			break;
		case DECAP_ACCEPT_ND:
			/*
			 * A router's ND engine is the kernel and radvd behind
			 * the TUN (RS -> radvd with UnicastOnly); a host's is
			 * the control daemon.
			 */
			if (dp->router_mode)
				to_tun(dp, p + off, len);
			else
				to_control(dp, src, p + off, len);
			break;
		default:
			if ((unsigned)v < DECAP_VERDICT_COUNT)
				dp->counters[DPC_DECAP_BASE + v]++;
			break;
		}
	}
	return n;
}

int
dp_send_rs(struct dp *dp, struct in_addr router, bool u_bit)
{
	/* Called between batches, never inside one: tx[0] and hdrs[0] are free. */
	uint8_t rs[ND_RS_LEN];
	struct in6_addr src, dst;
	struct dp_tx *tx = &dp->tx[0];
	size_t len;

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
	fill_tx(dp, 0, router, rs, len);
	dp->io.raw_send(dp->io.raw, tx, 1);
	if (tx->err < 0) {
		dp->counters[DPC_OUT_SEND_ERRORS]++;
		return tx->err;
	}
	dp->counters[DPC_RS_SENT]++;
	return 0;
}
