/*
 * The datapath's part of Neighbor Discovery: what becomes of an ND message
 * that decap_check() accepted (DECAP_ACCEPT_ND).
 *
 * Neighbor Solicitations for our own addresses are answered here (RFC 4861
 * §7.2.3, §7.2.4), from dp->local, the table control fills only through
 * checked ADDR_ADD requests. That is a DESIGN.md choice, not a shortcut:
 * control's power over the datapath stays the narrow set of requests it
 * has (it never composes a packet we send; an "answer this NS" request
 * would have been one more thing to check), and NS leaves the up-call
 * path, so that a flood of them costs control nothing.
 *
 * What goes up to control is only what it acts on (RFC 5214 §8.3.3,
 * RFC 4861 §8.1): Router Advertisements and Redirects, and only from PRL
 * routers. The rest a host ignores anyway (RFC 4861 §6.2.6 RS; §7.2.5 an
 * NA for a neighbour we keep no cache entry for: on ISATAP the link-layer
 * address is in the interface identifier, RFC 5214 §6.1). Up-calls and
 * answers are budgeted (token buckets), and PRL routers have a budget of
 * their own that a neighbour's flood cannot spend.
 *
 * Router mode: the kernel and radvd behind the TUN are the ND engine, as
 * before; only NSs for the datapath's own addresses are answered here
 * (with the Router flag).
 */
#include <string.h>

#include "dp.h"
#include "isatap.h"
#include "nd.h"
#include "pkt.h"

/* A target we answer for: an address of the interface, or the ISATAP
 * link-local of our locator (ours before control lists it, as in
 * decap_check()). */
bool
dp_nd_target_ours(const struct dp *dp, const struct in6_addr *t)
{
	struct in_addr v4;

	for (size_t i = 0; i < dp->n_addrs; i++)
		if (memcmp(&dp->local[i], t, sizeof(*t)) == 0)
			return true;
	return addr_is_linklocal64(t) && addr_isatap_v4(t, &v4) && dp_locator_is_ours(dp, v4);
}

/*
 * RFC 4861 §7.2.4: a solicited advertisement, unicast to the solicitation's
 * source (never ::, decap_check() refused that), from the target, with the
 * Solicited and Override flags (our addresses are never anycast) and the
 * Router flag in router mode; sent to the IPv4 address the solicitation
 * came from, its sender's link-layer address.
 */
static void
nd_answer(struct dp *dp, struct in_addr to, const struct nd_ns *ns)
{
	uint8_t na[ND_NA_LEN];
	uint8_t flags = ND_NA_SOLICITED | ND_NA_OVERRIDE | (dp->router_mode ? ND_NA_ROUTER : 0);
	size_t len = nd_build_na(na, sizeof(na), &ns->target, &ns->src, &ns->target, flags);

	if (len == 0 || dp_send_one(dp, to, na, len) < 0)
		return;
	dp->counters[DPC_ND_NA_SENT]++;
}

static void
nd_ns_input(struct dp *dp, struct in_addr src, const uint8_t *pkt, size_t len, bool from_prl)
{
	struct nd_ns ns;

	/* RFC 4861 §7.1.1. Only unicast solicitations are answered: the
	 * multicast one's answer must carry a Target Link-Layer Address
	 * option (§7.2.4), which ISATAP does not define, and an ISATAP link
	 * has no multicast (RFC 5214 §8.1). */
	if (nd_parse_ns(pkt, len, &ns) != ND_OK || addr_is_multicast(&ns.dst)) {
		dp->counters[DPC_ND_DROP_INVALID]++;
		return;
	}
	if (!dp_nd_target_ours(dp, &ns.target)) {
		/* A router's own kernel may own more addresses than ours. */
		if (dp->router_mode)
			dp_nd_to_tun(dp, pkt, len);
		else
			dp->counters[DPC_ND_DROP_NS_NOT_OURS]++;
		return;
	}
	if (!rate_take(from_prl ? &dp->nd_prl_rate : &dp->nd_rate, dp->now_ms())) {
		dp->counters[DPC_ND_RATE_LIMITED]++;
		return;
	}
	nd_answer(dp, src, &ns);
}

void
dp_nd_input(struct dp *dp, struct in_addr src, const uint8_t *pkt, size_t len)
{
	bool from_prl = dp_in_prl(dp, src);
	int type = nd_type(pkt, len);

	if (type == ICMP6_NEIGHBOR_SOLICIT) {
		nd_ns_input(dp, src, pkt, len, from_prl);
		return;
	}
	if (dp->router_mode) {
		dp_nd_to_tun(dp, pkt, len);
		return;
	}
	switch (type) {
	case ICMP6_ROUTER_ADVERT:
	case ICMP6_REDIRECT:
		/* RFC 5214 §8.3.3: RAs only from PRL members; RFC 4861 §8.1:
		 * Redirects only from the first-hop router, a PRL member here. */
		if (!from_prl) {
			dp->counters[DPC_ND_DROP_NOT_FROM_PRL]++;
			return;
		}
		if (!rate_take(&dp->nd_prl_rate, dp->now_ms())) {
			dp->counters[DPC_ND_RATE_LIMITED]++;
			return;
		}
		dp_nd_to_control(dp, src, pkt, len);
		return;
	case ICMP6_ROUTER_SOLICIT: /* RFC 4861 §6.2.6: hosts discard them */
	case ICMP6_NEIGHBOR_ADVERT:
		dp->counters[DPC_ND_DROP_IGNORED]++;
		return;
	default:
		/* ND behind extension headers, which ND never carries. */
		dp->counters[DPC_ND_DROP_INVALID]++;
		return;
	}
}
