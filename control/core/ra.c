/*
 * Router Advertisement and Redirect input. The caller (core_nd_input) has
 * already checked that the outer IPv4 source is in the PRL (RFC 5214
 * §8.3.3); the proto parser checks the message itself (RFC 4861 §6.1.2,
 * §8.1). What is left is what needs state.
 */
#include <string.h>

#include "core_int.h"

/* Learns which link-local form the router answers from (RFC 5214 §8.3.4). */
static void
ra_learn_form(struct core_router *r, const struct in6_addr *src)
{
	struct in6_addr f;

	for (int u = 0; u <= 1; u++) {
		addr_isatap_linklocal_u(r->v4, u, &f);
		if (memcmp(&f, src, sizeof(f)) == 0)
			r->u_form = u;
	}
}

/* A finite, non-zero lifetime (seconds) lowers *shortest. Zero lifetimes
 * withdraw something and infinite ones need no refresh. */
static void
ra_shortest(uint64_t *shortest, uint32_t lifetime_s)
{
	if (lifetime_s != 0 && lifetime_s != ND_INFINITE_LIFETIME && lifetime_s < *shortest)
		*shortest = lifetime_s;
}

/*
 * RFC 5214 §8.3.4: re-solicit before the information runs out, at 0.8 x
 * the shortest lifetime that matters (router lifetime, prefixes used,
 * routes, and the DNS data of RFC 8106 §5.1, which an ISATAP host, with no
 * periodic RAs, keeps only by asking again), but never sooner than
 * MinRouterSolicitInterval.
 */
static uint64_t
ra_resolicit_ms(uint64_t shortest_s)
{
	uint64_t ms;

	if (shortest_s == UINT64_MAX)
		return CORE_IDLE_RESOLICIT_MS;
	ms = shortest_s * 800;
	if (ms < (uint64_t)MIN_ROUTER_SOLICIT_INTERVAL_S * 1000)
		ms = (uint64_t)MIN_ROUTER_SOLICIT_INTERVAL_S * 1000;
	return ms;
}

/*
 * RFC 4861 §6.3.4: a non-zero Cur Hop Limit, Reachable Time and Retrans
 * Timer SHOULD become the interface's (the datapath sets them, so that the
 * kernel's own traffic on the tunnel uses them); the last RA to give one
 * wins. Times over the hour of §6.2.1 are a router's error or an attack.
 */
static void
ra_params(struct core *c, const struct nd_ra *ra)
{
	if (ra->cur_hop_limit != 0)
		c->nd_want.hop_limit = ra->cur_hop_limit;
	if (ra->reachable_time > MSG_ND_TIME_MAX_MS || ra->retrans_timer > MSG_ND_TIME_MAX_MS)
		core_count(c, CORE_C_RA_PARAM_BAD);
	if (ra->reachable_time != 0 && ra->reachable_time <= MSG_ND_TIME_MAX_MS)
		c->nd_want.reachable_ms = ra->reachable_time;
	if (ra->retrans_timer != 0 && ra->retrans_timer <= MSG_ND_TIME_MAX_MS)
		c->nd_want.retrans_ms = ra->retrans_timer;
}

/*
 * The router's default-router lifetime and preference: the RA header's,
 * unless a Route Information option for ::/0 (with a valid preference)
 * gives them, which overrides the header for a host that implements RFC
 * 4191 (§3.1; §4 has routers use it to be a default router for such hosts
 * only, with router lifetime 0 in the header).
 */
static void
ra_default(const struct nd_ra *ra, uint32_t *lifetime, int8_t *pref)
{
	*lifetime = ra->router_lifetime;
	*pref = ra->preference;
	for (size_t i = 0; i < ra->n_routes; i++) {
		const struct nd_route *rt = &ra->routes[i];

		if (rt->prefix.plen == 0 && rt->preference != ND_PREF_INVALID) {
			*lifetime = rt->lifetime;
			*pref = rt->preference;
		}
	}
}

static void
ra_mtu(struct core *c, uint32_t mtu)
{
	if (mtu == 0)
		return;
	/* RFC 4861 §6.3.4: take it only within the link's bounds. */
	if (mtu < IPV6_MIN_MTU || mtu > c->cfg.max_mtu) {
		core_count(c, CORE_C_MTU_OUT_OF_RANGE);
		return;
	}
	c->mtu = mtu;
	c->mtu_from_ra = true;
}

enum core_nd_verdict
ra_input(struct core *c, uint64_t now, struct core_router *r, const uint8_t *pkt, size_t len,
         enum nd_reason *why)
{
	struct nd_ra *ra = &c->scratch_ra;
	uint64_t shortest = UINT64_MAX;
	struct core_event *ev;
	uint32_t lifetime;
	int8_t pref;

	if ((*why = nd_parse_ra(pkt, len, ra)) != ND_OK)
		return CORE_ND_PARSE_ERROR;

	r->advertisements++;
	r->has_ra = true;
	r->last_ra_ms = now;
	nud_confirmed(r, now); /* RFC 4861 §7.3.1: an answer to our RS */
	r->ll = ra->src;
	ra_learn_form(r, &ra->src);
	if (r->seq == 0)
		r->seq = ++c->router_seq;
	r->adopted_default = false;
	r->adopt_until = CORE_NO_DEADLINE;

	/* RFC 4861 §6.3.4 router lifetime; RFC 4191 §2.2: the reserved
	 * preference is medium, and a router lifetime 0 makes it moot. */
	ra_default(ra, &lifetime, &pref);
	r->lifetime_s = lifetime;
	r->expires_ms = lifetime ? core_expiry(now, lifetime) : CORE_NO_DEADLINE;
	r->pref = (lifetime == 0 || pref == ND_PREF_INVALID) ? 0 : pref;
	r->state = r->lifetime_s ? CORE_RTR_REACHABLE : CORE_RTR_NOT_DEFAULT;
	ra_shortest(&shortest, r->lifetime_s);
	if (!r->up) {
		r->up = true;
		ev = core_push_event(c, CORE_EV_ROUTER_UP);
		ev->router = r->v4;
		ev->lifetime_s = r->lifetime_s;
	}

	ra_mtu(c, ra->mtu);
	ra_params(c, ra);
	for (size_t i = 0; i < ra->n_prefixes; i++) {
		const struct nd_prefix *p = &ra->prefixes[i];

		if (p->onlink)
			onlink_update(c, now, r->v4, p);
		if (p->autonomous)
			slaac_pio(c, now, r->v4, p);
		if ((p->onlink || p->autonomous) && !addr_is_linklocal(&p->prefix.addr)) {
			ra_shortest(&shortest, p->valid_lifetime);
			ra_shortest(&shortest, p->preferred_lifetime);
		}
	}
	for (size_t i = 0; i < ra->n_routes; i++) {
		rio_update(c, now, r->v4, &ra->routes[i]);
		ra_shortest(&shortest, ra->routes[i].lifetime);
	}
	dns_update(c, now, r->v4, ra);
	for (size_t i = 0; i < ra->n_rdnss && i < ND_MAX_RDNSS; i++)
		ra_shortest(&shortest, ra->rdnss_lifetime[i]);
	for (size_t i = 0; i < ra->n_dnssl && i < ND_MAX_DNSSL; i++)
		ra_shortest(&shortest, ra->dnssl_lifetime[i]);

	rs_answered(c, r, now, ra_resolicit_ms(shortest));
	return CORE_ND_RA_ACCEPTED;
}

/*
 * RFC 4861 §8.1: a Redirect is valid only from the current first hop for
 * its destination; §8.3: it makes the target the first hop for that
 * destination. On ISATAP the target must embed the IPv4 address to send to.
 */
enum core_nd_verdict
redirect_input(struct core *c, uint64_t now, struct core_router *r, const uint8_t *pkt, size_t len,
               enum nd_reason *why)
{
	struct nd_redirect rd;
	struct prefix6 p;
	struct in_addr first_hop, target;

	if ((*why = nd_parse_redirect(pkt, len, &rd)) != ND_OK)
		return CORE_ND_PARSE_ERROR;
	if (!routes_first_hop(c, now, &rd.dst, &first_hop) || !core_v4_eq(first_hop, r->v4))
		return CORE_ND_REDIRECT_NOT_FIRST_HOP;
	if (!addr_isatap_v4(&rd.target, &target) || addr_v4_is_bogus(target) ||
	    core_v4_eq(target, core_locator_eff(c)))
		return CORE_ND_REDIRECT_TARGET_UNUSABLE;
	addr_prefix_make(&p, &rd.dst, 128);
	if (rtable_set(c, CORE_ROUTE_REDIRECT, &p, target, 0,
	               now + (uint64_t)CORE_REDIRECT_LIFETIME_S * 1000) == NULL)
		core_count(c, CORE_C_TABLE_FULL);
	return CORE_ND_REDIRECT_ACCEPTED;
}

void
ra_expire(struct core *c, uint64_t now)
{
	for (size_t i = 0; i < c->n_routers; i++) {
		struct core_router *r = &c->routers[i];

		if (r->expires_ms <= now) {
			/* RFC 4861 §6.3.5: out of the Default Router List. */
			r->expires_ms = CORE_NO_DEADLINE;
			r->lifetime_s = 0;
			if (r->state == CORE_RTR_REACHABLE)
				r->state = CORE_RTR_PROBING;
			router_set_down(c, r, CORE_DOWN_LIFETIME_EXPIRED);
		}
		if (r->adopt_until <= now) {
			r->adopt_until = CORE_NO_DEADLINE;
			r->adopted_default = false;
		}
	}
}

uint64_t
ra_deadline(const struct core *c)
{
	uint64_t d = CORE_NO_DEADLINE;

	for (size_t i = 0; i < c->n_routers; i++) {
		if (c->routers[i].expires_ms < d)
			d = c->routers[i].expires_ms;
		if (c->routers[i].adopt_until < d)
			d = c->routers[i].adopt_until;
	}
	return d;
}
