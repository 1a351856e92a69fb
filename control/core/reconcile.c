/*
 * A datapath keeps forwarding with its last configuration when control
 * dies (DESIGN.md, "Processes"). When control (re)connects, the state
 * the datapath reports is adopted where the core does not know better, so
 * that sync.c finds nothing to change and no packet is lost:
 *
 *   - the locator, until core_set_locator() says otherwise;
 *   - the link MTU, until an RA gives one;
 *   - PRL members, until every router name has been resolved;
 *   - addresses under the locator, with the lifetimes the datapath reports;
 *   - the default route, RIO-like routes and on-link prefixes, for
 *     CORE_ADOPT_GRACE_MS or until their router answers or is found
 *     unreachable (its solicitation starts at once).
 *
 * What cannot be ours (a route through a router outside the PRL, a
 * non-ISATAP address) is not adopted, and the diff removes it.
 */
#include <string.h>

#include "core_int.h"

static void
reconcile_prl(struct core *c, const struct msg_state *st)
{
	struct core_event *ev;
	bool added = false;

	if (prl_settled(c))
		return;
	for (uint32_t i = 0; i < st->n_prl && i < MSG_PRL_MAX; i++) {
		struct core_router *r;

		if (prl_find(c, st->prl[i]) != NULL || addr_v4_is_bogus(st->prl[i]))
			continue;
		if (c->n_routers == CORE_ROUTERS_MAX) {
			core_count(c, CORE_C_TABLE_FULL);
			break;
		}
		r = &c->routers[c->n_routers++];
		memset(r, 0, sizeof(*r));
		r->v4 = st->prl[i];
		r->origin = CORE_ORIGIN_DATAPATH;
		r->adopted_prl = true;
		r->state = CORE_RTR_PROBING;
		r->u_form = -1;
		r->rs_at = r->dead_at = r->expires_ms = r->adopt_until = CORE_NO_DEADLINE;
		added = true;
	}
	if (!added)
		return;
	ev = core_push_event(c, CORE_EV_PRL_CHANGED);
	ev->n_routers = (uint32_t)c->n_routers;
	for (size_t i = 0; i < c->n_routers; i++)
		ev->routers[i] = c->routers[i].v4;
}

static void
reconcile_route(struct core *c, uint64_t now, const struct msg_route *rt)
{
	struct core_router *r = prl_find(c, rt->via);
	uint64_t until = now + CORE_ADOPT_GRACE_MS;
	struct prefix6 p;

	addr_prefix_make(&p, &rt->prefix, rt->plen);
	if (r == NULL) {
		/* Only a Redirect sends a host route outside the PRL. */
		if (rt->plen == 128 && !addr_v4_is_bogus(rt->via))
			rtable_set(c, CORE_ROUTE_REDIRECT, &p, rt->via, 0, until);
		return;
	}
	if (r->has_ra)
		return; /* the core knows this router first-hand */
	r->adopt_until = until;
	if (rt->plen == 0) {
		r->adopted_default = true;
		r->adopted_pref = metric_pref(rt->metric);
		return;
	}
	for (size_t i = 0; i < CORE_RTABLE_MAX; i++) {
		const struct core_rentry *e = &c->rtable[i];

		if (e->used && e->origin == CORE_ROUTE_RIO && e->prefix.plen == p.plen &&
		    memcmp(&e->prefix.addr, &p.addr, sizeof(p.addr)) == 0 &&
		    core_v4_eq(e->via, rt->via))
			return;
	}
	if (rtable_set(c, CORE_ROUTE_RIO, &p, rt->via, metric_pref(rt->metric), until) == NULL)
		core_count(c, CORE_C_TABLE_FULL);
}

static void
reconcile_onlink(struct core *c, uint64_t now, const struct msg_onlink *o)
{
	struct core_onlink *slot = NULL;

	for (size_t i = 0; i < CORE_ONLINK_MAX; i++) {
		struct core_onlink *e = &c->onlink[i];

		if (e->used && e->prefix.plen == o->plen &&
		    memcmp(&e->prefix.addr, &o->prefix, sizeof(o->prefix)) == 0)
			return;
		if (!e->used && slot == NULL)
			slot = e;
	}
	if (slot == NULL)
		return;
	slot->used = true;
	addr_prefix_make(&slot->prefix, &o->prefix, o->plen);
	slot->router.s_addr = INADDR_ANY;
	slot->valid_until = now + CORE_ADOPT_GRACE_MS;
}

void
reconcile_adopt(struct core *c, uint64_t now, const struct msg_state *st)
{
	/* Only before the glue has said anything: "no locator" is news too. */
	if (!c->locator_set && st->locator.s_addr != INADDR_ANY && !addr_v4_is_bogus(st->locator))
		c->adopted_locator = st->locator;
	if (!c->mtu_from_ra && st->mtu >= IPV6_MIN_MTU && st->mtu <= c->cfg.max_mtu)
		c->mtu = st->mtu;
	reconcile_prl(c, st);
	for (uint32_t i = 0; i < st->n_addrs && i < MSG_ADDR_MAX; i++)
		slaac_adopt(c, now, &st->addrs[i]);
	for (uint32_t i = 0; i < st->n_routes && i < MSG_ROUTE_MAX; i++)
		reconcile_route(c, now, &st->routes[i]);
	for (uint32_t i = 0; i < st->n_onlink && i < MSG_ONLINK_MAX; i++)
		reconcile_onlink(c, now, &st->onlink[i]);
}
