/*
 * The one place datapath requests are made: what the core wants is compared
 * with what the datapath holds (c->shadow, taken from its STATE on connect
 * and kept up to date with every request), and only the difference is sent.
 * The same diff serves every change and a reconnect, so a control restart
 * sends nothing for state that is already right.
 *
 * Order, for make-before-break: MTU, link, locator, PRL; new addresses, then
 * address updates (deprecation); on-link prefixes added; routes replaced or
 * added, then withdrawn; on-link prefixes and addresses removed last.
 */
#include <string.h>

#include "core_int.h"

static bool
in6_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void
sync_link(struct core *c, struct in_addr loc)
{
	struct msg_state *sh = &c->shadow;
	uint32_t mtu = c->mtu > c->cfg.max_mtu ? c->cfg.max_mtu : c->mtu;

	if (sh->mtu != mtu) {
		struct msg_mtu m = {.mtu = mtu};

		core_push_dp(c, MSG_SET_MTU, &m, sizeof(m));
		sh->mtu = mtu;
	}
	/* Up as soon as there is a locator; never taken down by the core:
	 * the datapath keeps forwarding what it has. */
	if (loc.s_addr != INADDR_ANY && !sh->link_up) {
		struct msg_link m = {.up = 1};

		core_push_dp(c, MSG_SET_LINK, &m, sizeof(m));
		sh->link_up = 1;
	}
	if (!core_v4_eq(sh->locator, loc)) {
		struct msg_locator m = {.v4 = loc};

		core_push_dp(c, MSG_SET_LOCATOR, &m, sizeof(m));
		sh->locator = loc;
	}
	/* RFC 4861 §6.3.4 parameters, once an RA gave any (STATE does not
	 * report them: sent again on every connect). */
	if ((c->nd_want.hop_limit | c->nd_want.reachable_ms | c->nd_want.retrans_ms) != 0 &&
	    memcmp(&c->nd_want, &c->nd_sent, sizeof(c->nd_want)) != 0) {
		core_push_dp(c, MSG_SET_ND_PARAMS, &c->nd_want, sizeof(c->nd_want));
		c->nd_sent = c->nd_want;
	}
}

static void
sync_prl(struct core *c)
{
	struct msg_state *sh = &c->shadow;
	struct msg_prl m;
	bool same = sh->n_prl == c->n_routers;

	for (size_t i = 0; i < c->n_routers && same; i++) {
		bool found = false;

		for (size_t j = 0; j < sh->n_prl; j++)
			found |= core_v4_eq(sh->prl[j], c->routers[i].v4);
		same = found;
	}
	if (same)
		return;
	memset(&m, 0, sizeof(m));
	m.count = (uint32_t)c->n_routers;
	for (size_t i = 0; i < c->n_routers; i++)
		m.v4[i] = c->routers[i].v4;
	core_push_dp(c, MSG_SET_PRL, &m, sizeof(m));
	sh->n_prl = m.count;
	memcpy(sh->prl, m.v4, sizeof(sh->prl));
}

static int
shadow_addr(const struct msg_state *sh, const struct in6_addr *a)
{
	for (uint32_t i = 0; i < sh->n_addrs; i++)
		if (in6_eq(&sh->addrs[i].addr, a))
			return (int)i;
	return -1;
}

static void
addr_dels(struct core *c, const struct msg_addr *want, size_t n)
{
	struct msg_state *sh = &c->shadow;

	for (uint32_t i = 0; i < sh->n_addrs;) {
		bool wanted = false;

		for (size_t j = 0; j < n; j++)
			wanted |= in6_eq(&want[j].addr, &sh->addrs[i].addr) &&
			          want[j].plen == sh->addrs[i].plen;
		if (wanted) {
			i++;
			continue;
		}
		core_push_dp(c, MSG_ADDR_DEL, &sh->addrs[i], sizeof(sh->addrs[i]));
		sh->addrs[i] = sh->addrs[--sh->n_addrs];
	}
}

static void
sync_addr_adds(struct core *c, const struct msg_addr *want, const bool *dirty, size_t n)
{
	struct msg_state *sh = &c->shadow;
	bool added[CORE_ADDRS_MAX] = {false};
	size_t missing = 0;

	for (size_t i = 0; i < n; i++)
		missing += shadow_addr(sh, &want[i].addr) < 0;
	if (sh->n_addrs + missing > MSG_ADDR_MAX)
		addr_dels(c, want, n); /* make room first: the table is bounded */

	for (size_t i = 0; i < n; i++) {
		if (shadow_addr(sh, &want[i].addr) >= 0 || sh->n_addrs == MSG_ADDR_MAX)
			continue;
		core_push_dp(c, MSG_ADDR_ADD, &want[i], sizeof(want[i]));
		sh->addrs[sh->n_addrs++] = want[i];
		added[i] = true;
	}
	for (size_t i = 0; i < n; i++) {
		int k = shadow_addr(sh, &want[i].addr);

		if (k < 0 || added[i])
			continue;
		if (!dirty[i] &&
		    (want[i].preferred_lft == 0) == (sh->addrs[k].preferred_lft == 0) &&
		    want[i].plen == sh->addrs[k].plen)
			continue;
		/* A refreshed lifetime or a deprecation: ADD replaces. */
		core_push_dp(c, MSG_ADDR_ADD, &want[i], sizeof(want[i]));
		sh->addrs[k] = want[i];
	}
}

static bool
onlink_eq(const struct msg_onlink *a, const struct msg_onlink *b)
{
	return a->plen == b->plen && in6_eq(&a->prefix, &b->prefix);
}

static void
onlink_dels(struct core *c, const struct msg_onlink *want, size_t n)
{
	struct msg_state *sh = &c->shadow;

	for (uint32_t i = 0; i < sh->n_onlink;) {
		bool wanted = false;

		for (size_t j = 0; j < n; j++)
			wanted |= onlink_eq(&want[j], &sh->onlink[i]);
		if (wanted) {
			i++;
			continue;
		}
		core_push_dp(c, MSG_ONLINK_DEL, &sh->onlink[i], sizeof(sh->onlink[i]));
		sh->onlink[i] = sh->onlink[--sh->n_onlink];
	}
}

static void
sync_onlink_adds(struct core *c, const struct msg_onlink *want, size_t n)
{
	struct msg_state *sh = &c->shadow;

	for (size_t i = 0; i < n; i++) {
		bool have = false;

		for (uint32_t j = 0; j < sh->n_onlink; j++)
			have |= onlink_eq(&want[i], &sh->onlink[j]);
		if (have)
			continue;
		if (sh->n_onlink == MSG_ONLINK_MAX)
			onlink_dels(c, want, n);
		if (sh->n_onlink == MSG_ONLINK_MAX)
			continue;
		core_push_dp(c, MSG_ONLINK_ADD, &want[i], sizeof(want[i]));
		sh->onlink[sh->n_onlink++] = want[i];
	}
}

static bool
route_same_prefix(const struct msg_route *a, const struct msg_route *b)
{
	return a->plen == b->plen && in6_eq(&a->prefix, &b->prefix);
}

static bool
route_eq(const struct msg_route *a, const struct msg_route *b)
{
	return route_same_prefix(a, b) && core_v4_eq(a->via, b->via) && a->metric == b->metric;
}

/* Withdraws every route the datapath holds that is not exactly wanted. */
static void
route_dels(struct core *c, const struct msg_route *want, size_t n)
{
	struct msg_state *sh = &c->shadow;

	for (uint32_t i = 0; i < sh->n_routes;) {
		bool wanted = false;

		for (size_t j = 0; j < n; j++)
			wanted |= route_eq(&want[j], &sh->routes[i]);
		if (wanted) {
			i++;
			continue;
		}
		core_push_dp(c, MSG_ROUTE_DEL, &sh->routes[i], sizeof(sh->routes[i]));
		sh->routes[i] = sh->routes[--sh->n_routes];
	}
}

/* One route per prefix. A changed next hop or metric is a DEL of the old
 * route(s) then an ADD of the new, back to back: right whether the datapath
 * keys its routes by prefix or by prefix and next hop. */
static void
sync_routes(struct core *c, const struct msg_route *want, size_t n)
{
	struct msg_state *sh = &c->shadow;

	for (size_t i = 0; i < n; i++) {
		bool exact = false;

		for (uint32_t j = 0; j < sh->n_routes;) {
			if (route_eq(&want[i], &sh->routes[j])) {
				exact = true;
				j++;
			} else if (route_same_prefix(&want[i], &sh->routes[j])) {
				core_push_dp(c, MSG_ROUTE_DEL, &sh->routes[j],
				             sizeof(sh->routes[j]));
				sh->routes[j] = sh->routes[--sh->n_routes];
			} else {
				j++;
			}
		}
		if (exact)
			continue;
		if (sh->n_routes == MSG_ROUTE_MAX)
			route_dels(c, want, n); /* make room: the table is bounded */
		if (sh->n_routes == MSG_ROUTE_MAX)
			continue;
		core_push_dp(c, MSG_ROUTE_ADD, &want[i], sizeof(want[i]));
		sh->routes[sh->n_routes++] = want[i];
	}
	route_dels(c, want, n);
}

/*
 * Refusals (review finding 5). The shadow is updated when a request is
 * queued, so a refused one leaves it saying what the datapath does not
 * hold, and the diff would never send it again. Instead the datapath's own
 * state is read back (GET_STATE, in order after everything sent before it)
 * and replaces the shadow; the next diff sends what is still missing.
 * Meanwhile no state request goes out, so that none can be lost between
 * the GET_STATE and its reply. Retries back off while refusals recur;
 * core_dp_retry() (an IPv4 change: a static locator may have appeared)
 * retries at once.
 */
void
sync_refused(struct core *c, uint64_t now, uint16_t type, int error)
{
	bool quiet = c->refused == 0 || now - c->last_refused_ms > CORE_RESYNC_MAX_MS;

	core_count(c, CORE_C_DP_REFUSED);
	c->refused++;
	/* Not in STATE: known only as not applied. */
	if (type == MSG_SET_ND_PARAMS)
		memset(&c->nd_sent, 0, sizeof(c->nd_sent));
	/* One outstanding: its STATE reply (or the one already due) covers
	 * every request sent before it. The refusals that follow in the same
	 * round are mostly consequences of the first (the link-local of a
	 * refused locator is refused too, the locator not being ours): status
	 * names the first, the one to act on, and counts the rest. */
	if (c->resync_wanted || c->resync_pending)
		return;
	c->last_refused_ms = now;
	c->last_refused_type = type;
	c->last_refused_error = error;
	if (!c->dp_connected)
		return;
	if (quiet || c->resync_backoff_ms == 0)
		c->resync_backoff_ms = CORE_RESYNC_MIN_MS;
	c->resync_wanted = true;
	c->resync_at = now + c->resync_backoff_ms;
	c->resync_backoff_ms *= 2;
	if (c->resync_backoff_ms > CORE_RESYNC_MAX_MS)
		c->resync_backoff_ms = CORE_RESYNC_MAX_MS;
}

void
sync_retry(struct core *c, uint64_t now)
{
	if (!c->resync_wanted)
		return;
	c->resync_at = now;
	c->resync_backoff_ms = CORE_RESYNC_MIN_MS;
}

uint64_t
sync_deadline(const struct core *c)
{
	return c->resync_wanted && !c->resync_pending && c->dp_connected ? c->resync_at
	                                                                 : CORE_NO_DEADLINE;
}

void
sync_reset(struct core *c)
{
	c->resync_wanted = c->resync_pending = false;
	c->resync_at = CORE_NO_DEADLINE;
}

void
sync_dp(struct core *c, uint64_t now)
{
	struct msg_addr addrs[CORE_ADDRS_MAX];
	bool dirty[CORE_ADDRS_MAX];
	struct msg_onlink onlink[CORE_ONLINK_MAX];
	struct msg_route routes[MSG_ROUTE_MAX];
	size_t n_addrs, n_onlink, n_routes;

	if (!c->dp_connected)
		return;
	if (c->resync_wanted && !c->resync_pending && c->resync_at <= now) {
		core_push_dp(c, MSG_GET_STATE, NULL, 0);
		core_count(c, CORE_C_DP_RESYNCS);
		c->resync_pending = true;
	}
	if (c->resync_pending)
		return;
	n_addrs = slaac_desired(c, now, addrs, dirty, CORE_ADDRS_MAX);
	n_onlink = onlink_desired(c, now, onlink, CORE_ONLINK_MAX);
	n_routes = routes_desired(c, now, routes, MSG_ROUTE_MAX);

	sync_link(c, core_locator_eff(c));
	sync_prl(c);
	sync_addr_adds(c, addrs, dirty, n_addrs);
	sync_onlink_adds(c, onlink, n_onlink);
	sync_routes(c, routes, n_routes);
	onlink_dels(c, onlink, n_onlink);
	addr_dels(c, addrs, n_addrs);
	slaac_clean(c);
}
