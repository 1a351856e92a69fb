/*
 * The datapath's tables: what control pushed, bounded by MSG_*_MAX, and
 * mirrored into the kernel through the netcfg ops. Every request has been
 * checked field by field by msg_check_payload() before it reaches here; this
 * file enforces what needs state (table full, duplicates, unknown entries).
 *
 * Kernel routes: the datapath's own table (struct nh_route) chooses the IPv4
 * next hop; the kernel only needs "prefix -> this interface". Two routers
 * announcing the same prefix at the same metric share one kernel route, so a
 * kernel route is added with its first user and removed with its last. The
 * host's own routes are never touched: one of ours that would replace or
 * hide one of theirs is refused (-EEXIST, counted as route_clash).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "log.h"

int
dp_init(struct dp *dp)
{
	dp->rxbuf = aligned_alloc(64, (size_t)DP_BATCH * DP_BUF_STRIDE);
	dp->tunbuf = aligned_alloc(64, (size_t)DP_BATCH * DP_BUF_STRIDE);
	dp->segbuf = aligned_alloc(64, DP_SEGBUF_LEN);
	ofl_gro_init(&dp->gro);
	dp->now_ms = dp_clock_ms;
	dp->boot_ms = dp_boottime_ms;
	dp->icmp6_rate =
	        (struct rate_bucket)RATE_BUCKET_INIT(DP_ICMP6_ERR_BURST, DP_ICMP6_ERR_PER_S);
	dp->nd_prl_rate = (struct rate_bucket)RATE_BUCKET_INIT(DP_ND_PRL_BURST, DP_ND_PRL_PER_S);
	dp->nd_rate = (struct rate_bucket)RATE_BUCKET_INIT(DP_ND_BURST, DP_ND_PER_S);
	if (dp->rxbuf == NULL || dp->tunbuf == NULL || dp->segbuf == NULL) {
		dp_free(dp);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < DP_BATCH; i++) {
		dp->rx[i].buf = dp->rxbuf + (size_t)i * DP_BUF_STRIDE;
		dp->rx[i].cap = DP_PKT_MAX;
		dp->rx[i].len = 0;
	}
	return 0;
}

void
dp_free(struct dp *dp)
{
	free(dp->rxbuf);
	free(dp->tunbuf);
	free(dp->segbuf);
	dp->rxbuf = dp->tunbuf = dp->segbuf = NULL;
}

static bool
prefix_eq(const struct prefix6 *a, const struct in6_addr *addr, uint8_t plen)
{
	return a->plen == plen && memcmp(&a->addr, addr, sizeof(*addr)) == 0;
}

/* How many table entries need the kernel route (p, metric). */
static unsigned
kroute_users(const struct dp *dp, const struct prefix6 *p, uint32_t metric)
{
	unsigned n = 0;

	for (size_t i = 0; i < dp->n_routes; i++)
		if (dp->routes[i].metric == metric &&
		    prefix_eq(&dp->routes[i].prefix, &p->addr, p->plen))
			n++;
	for (size_t i = 0; i < dp->n_onlink; i++)
		if (metric == DP_ONLINK_METRIC && prefix_eq(&dp->onlink[i], &p->addr, p->plen))
			n++;
	return n;
}

static int
kroute(struct dp *dp, bool add, const struct prefix6 *p, uint32_t metric)
{
	char buf[ADDR6_STRLEN];
	int r;

	/* Linux flushes a link's routes when it goes down and refuses new
	 * ones while it is down: dp_set_link() installs them on the way up. */
	if (dp->nc == NULL || !dp->link_up)
		return 0;
	r = dp->nc->route(dp->nc_h, add, p, metric);
	if (add && r == -EEXIST) {
		/* Someone else's route for the prefix: theirs stays. */
		dp->counters[DPC_ROUTE_CLASH]++;
		log_warnx("route %s/%u refused: another route for it would be replaced or hidden",
		          addr_fmt6(&p->addr, buf), p->plen);
		return r;
	}
	if (r < 0 && !(!add && r == -ESRCH)) {
		errno = -r;
		log_warn("%s route %s/%u metric %u", add ? "add" : "delete",
		         addr_fmt6(&p->addr, buf), p->plen, metric);
		return r;
	}
	return 0;
}

/* ---- the locator set (RFC 5214 §6.2) ---------------------------------------- */

/* Some address of ours is derived from v4 (its ISATAP interface identifier). */
static bool
locator_has_addrs(const struct dp *dp, struct in_addr v4)
{
	struct in_addr e;

	for (size_t i = 0; i < dp->n_addrs; i++)
		if (addr_isatap_v4(&dp->addrs[i].addr, &e) && e.s_addr == v4.s_addr)
			return true;
	return false;
}

static bool
v4_still_local(const struct dp *dp, struct in_addr v4)
{
	return dp->nc == NULL || dp->nc->v4_is_local(dp->nc_h, v4) > 0;
}

static void
retired_remove(struct dp *dp, size_t i)
{
	char buf[ADDR4_STRLEN];

	log_info("locator %s leaves the locator set", addr_fmt4(dp->retired[i], buf));
	dp->retired[i] = dp->retired[--dp->n_retired];
}

static ssize_t
retired_find(const struct dp *dp, struct in_addr v4)
{
	for (size_t i = 0; i < dp->n_retired; i++)
		if (dp->retired[i].s_addr == v4.s_addr)
			return (ssize_t)i;
	return -1;
}

/*
 * The locator moves from old to nu. RFC 5214 §6.2: the locator set holds
 * the IPv4 addresses the interface uses, and one leaves it when its address
 * leaves the host. So the old one stays a member, for the addresses still
 * derived from it (make-before-break), only if the host still has it; if
 * not, nothing could be sent from it or received on it anyway, and control
 * withdraws its addresses at once (control/core/slaac.c).
 */
static void
locator_move(struct dp *dp, struct in_addr old, struct in_addr nu)
{
	char buf[ADDR4_STRLEN];
	ssize_t i;

	if ((i = retired_find(dp, nu)) >= 0)
		dp->retired[i] = dp->retired[--dp->n_retired]; /* current again */
	if (old.s_addr == INADDR_ANY || old.s_addr == nu.s_addr || !locator_has_addrs(dp, old) ||
	    !v4_still_local(dp, old) || retired_find(dp, old) >= 0)
		return;
	if (dp->n_retired == DP_RETIRED_MAX)
		retired_remove(dp, 0); /* the oldest makes room */
	memmove(dp->retired + 1, dp->retired, dp->n_retired * sizeof(dp->retired[0]));
	dp->retired[0] = old;
	dp->n_retired++;
	log_info("locator %s stays in the locator set while its addresses remain",
	         addr_fmt4(old, buf));
}

/* Members whose last address is gone, or whose IPv4 address the host no
 * longer has, leave. */
static void
retired_prune(struct dp *dp, bool check_local)
{
	for (size_t i = 0; i < dp->n_retired;) {
		if (!locator_has_addrs(dp, dp->retired[i]) ||
		    (check_local && !v4_still_local(dp, dp->retired[i])))
			retired_remove(dp, i);
		else
			i++;
	}
}

void
dp_locators_recheck(struct dp *dp)
{
	retired_prune(dp, true);
}

struct in_addr
dp_locator_for(const struct dp *dp, const struct in6_addr *src)
{
	struct in_addr v4;

	if (dp->n_retired > 0 && addr_isatap_v4(src, &v4) && retired_find(dp, v4) >= 0)
		return v4;
	return dp->locator;
}

int
dp_set_locator(struct dp *dp, struct in_addr v4)
{
	char buf[ADDR4_STRLEN];
	int r;

	/*
	 * The outer source of everything we send (IP_PKTINFO): never an
	 * address this host does not have, or a compromised control daemon
	 * could make us emit IPv4 with a forged source.
	 */
	if (v4.s_addr != INADDR_ANY && dp->nc != NULL &&
	    (r = dp->nc->v4_is_local(dp->nc_h, v4)) <= 0)
		return r < 0 ? r : -EADDRNOTAVAIL;
	if (dp->locator.s_addr != v4.s_addr)
		log_info("locator %s", v4.s_addr ? addr_fmt4(v4, buf) : "none");
	locator_move(dp, dp->locator, v4);
	dp->locator = v4;
	return 0;
}

int
dp_set_prl(struct dp *dp, const struct msg_prl *m)
{
	uint64_t out[MSG_PRL_MAX] = {0}, in[MSG_PRL_MAX] = {0};

	/* msg_check_payload() bounded count and checked every entry. A
	 * router that stays keeps its traffic counts (control compares them
	 * from one poll to the next). */
	for (uint32_t i = 0; i < m->count; i++)
		for (size_t j = 0; j < dp->n_prl; j++)
			if (dp->prl[j].s_addr == m->v4[i].s_addr) {
				out[i] = dp->prl_out[j];
				in[i] = dp->prl_in[j];
			}
	memcpy(dp->prl, m->v4, m->count * sizeof(m->v4[0]));
	memcpy(dp->prl_out, out, sizeof(out));
	memcpy(dp->prl_in, in, sizeof(in));
	dp->n_prl = m->count;
	dp->prl_hint = 0;
	return 0;
}

int
dp_prl_index(struct dp *dp, struct in_addr v4)
{
	if (dp->prl_hint < dp->n_prl && dp->prl[dp->prl_hint].s_addr == v4.s_addr)
		return (int)dp->prl_hint;
	for (size_t i = 0; i < dp->n_prl; i++)
		if (dp->prl[i].s_addr == v4.s_addr) {
			dp->prl_hint = i;
			return (int)i;
		}
	return -1;
}

void
dp_get_prl_stats(const struct dp *dp, struct msg_prl_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->n = (uint32_t)dp->n_prl;
	for (size_t i = 0; i < dp->n_prl; i++) {
		st->e[i].v4 = dp->prl[i];
		st->e[i].out_packets = dp->prl_out[i];
		st->e[i].in_packets = dp->prl_in[i];
	}
	if (dp->fp_prl_stats != NULL)
		dp->fp_prl_stats(dp->fp_h, st);
}

bool
dp_locator_is_ours(const struct dp *dp, struct in_addr v4)
{
	if (v4.s_addr == INADDR_ANY)
		return false;
	return v4.s_addr == dp->locator.s_addr || retired_find(dp, v4) >= 0;
}

bool
dp_in_prl(const struct dp *dp, struct in_addr v4)
{
	for (size_t i = 0; i < dp->n_prl; i++)
		if (dp->prl[i].s_addr == v4.s_addr)
			return true;
	return false;
}

static ssize_t
addr_find(const struct dp *dp, const struct in6_addr *a)
{
	for (size_t i = 0; i < dp->n_addrs; i++)
		if (memcmp(&dp->addrs[i].addr, a, sizeof(*a)) == 0)
			return (ssize_t)i;
	return -1;
}

/* RFC 4291 §2.4: global unicast 2000::/3; RFC 4193 §3.1: unique local fc00::/7. */
static bool
addr_global_or_ula(const struct in6_addr *a)
{
	return (a->s6_addr[0] & 0xe0) == 0x20 || (a->s6_addr[0] & 0xfe) == 0xfc;
}

/*
 * What an ISATAP interface can own, whatever control asks (review finding
 * 4): fe80::/64, or a global or unique-local prefix, with the interface
 * identifier {0|200}:5efe:V4 of one of our locators (RFC 5214 §6.1, either
 * u form) and the /64 of SLAAC (RFC 4862 §5.5.3, RFC 4291 §2.5.1). Anything
 * else would let control give the host another node's address, whose
 * traffic the kernel would then deliver here. An address already held may
 * still be deprecated (preferred 0, valid no longer than it had): that
 * takes nothing, and a locator that just left the set needs it.
 */
static int
addr_check(struct dp *dp, const struct msg_addr *m, ssize_t held)
{
	struct msg_addr now;
	struct in_addr v4;

	if (held >= 0 && m->preferred_lft == 0 && m->plen == dp->addrs[held].plen &&
	    dp_addr_aged(dp, (size_t)held, &now) && m->valid_lft <= now.valid_lft)
		return 0;
	if (m->plen != 64) {
		dp->counters[DPC_ADDR_REFUSED_PLEN]++;
		return -EINVAL;
	}
	if (!addr_is_linklocal64(&m->addr) && !addr_global_or_ula(&m->addr)) {
		dp->counters[DPC_ADDR_REFUSED_SCOPE]++;
		return -EINVAL;
	}
	if (!addr_isatap_v4(&m->addr, &v4) || !dp_locator_is_ours(dp, v4)) {
		dp->counters[DPC_ADDR_REFUSED_NOT_OURS]++;
		return -EADDRNOTAVAIL;
	}
	return 0;
}

int
dp_addr_add(struct dp *dp, const struct msg_addr *m)
{
	ssize_t i = addr_find(dp, &m->addr);
	int r;

	if ((r = addr_check(dp, m, i)) < 0)
		return r;
	/* An existing address: new lifetimes (control refreshes them on every RA). */
	if (i < 0 && dp->n_addrs == MSG_ADDR_MAX)
		return -ENOSPC;
	if (dp->nc != NULL && (r = dp->nc->addr(dp->nc_h, true, m)) < 0)
		return r;
	if (i < 0) {
		i = (ssize_t)dp->n_addrs++;
		dp->local[i] = m->addr;
	}
	dp->addrs[i] = *m;
	dp->addr_at[i] = dp->boot_ms != NULL ? dp->boot_ms() : 0;
	return 0;
}

/* Seconds since addrs[i]'s lifetimes were given, taken off them
 * (ND_INFINITE_LIFETIME stays). */
bool
dp_addr_aged(const struct dp *dp, size_t i, struct msg_addr *out)
{
	uint64_t now = dp->boot_ms != NULL ? dp->boot_ms() : 0;
	uint64_t el = now > dp->addr_at[i] ? (now - dp->addr_at[i]) / 1000 : 0;

	*out = dp->addrs[i];
	if (out->valid_lft != ND_INFINITE_LIFETIME) {
		if (el >= out->valid_lft)
			return false;
		out->valid_lft -= (uint32_t)el;
	}
	if (out->preferred_lft != ND_INFINITE_LIFETIME)
		out->preferred_lft =
		        el >= out->preferred_lft ? 0 : out->preferred_lft - (uint32_t)el;
	if (out->preferred_lft > out->valid_lft)
		out->preferred_lft = out->valid_lft;
	return true;
}

int
dp_addr_del(struct dp *dp, const struct msg_addr *m)
{
	ssize_t i = addr_find(dp, &m->addr);
	struct msg_addr old;
	int r;

	if (i < 0)
		return -ENOENT;
	old = dp->addrs[i];
	/* The kernel may have expired it already (valid lifetime over). */
	if (dp->nc != NULL && (r = dp->nc->addr(dp->nc_h, false, &old)) < 0 &&
	    r != -EADDRNOTAVAIL && r != -ENOENT)
		return r;
	dp->n_addrs--;
	dp->addrs[i] = dp->addrs[dp->n_addrs];
	dp->local[i] = dp->local[dp->n_addrs];
	dp->addr_at[i] = dp->addr_at[dp->n_addrs];
	/* A previous locator's last address withdrawn: it leaves the set. */
	if (dp->n_retired > 0)
		retired_prune(dp, false);
	return 0;
}

static ssize_t
route_find(const struct dp *dp, const struct msg_route *m)
{
	for (size_t i = 0; i < dp->n_routes; i++)
		if (prefix_eq(&dp->routes[i].prefix, &m->prefix, m->plen) &&
		    dp->routes[i].via.s_addr == m->via.s_addr)
			return (ssize_t)i;
	return -1;
}

int
dp_route_add(struct dp *dp, const struct msg_route *m)
{
	ssize_t i = route_find(dp, m);
	struct nh_route nr;
	int r;

	nr.prefix.addr = m->prefix;
	nr.prefix.plen = m->plen;
	nr.via = m->via;
	nr.metric = m->metric;
	if (i >= 0 && dp->routes[i].metric == m->metric)
		return 0;
	if (i < 0 && dp->n_routes == MSG_ROUTE_MAX)
		return -ENOSPC;
	if (kroute_users(dp, &nr.prefix, nr.metric) == 0 &&
	    (r = kroute(dp, true, &nr.prefix, nr.metric)) < 0)
		return r;
	if (i < 0) {
		dp->routes[dp->n_routes++] = nr;
		return 0;
	}
	/* Same route, new metric: move it, then drop the old kernel route if
	 * nothing else needs it. */
	struct nh_route old = dp->routes[i];
	dp->routes[i] = nr;
	if (kroute_users(dp, &old.prefix, old.metric) == 0)
		kroute(dp, false, &old.prefix, old.metric);
	return 0;
}

int
dp_route_del(struct dp *dp, const struct msg_route *m)
{
	ssize_t i = route_find(dp, m);
	struct nh_route old;

	if (i < 0)
		return -ENOENT;
	old = dp->routes[i];
	dp->routes[i] = dp->routes[--dp->n_routes];
	if (kroute_users(dp, &old.prefix, old.metric) == 0)
		kroute(dp, false, &old.prefix, old.metric);
	return 0;
}

static ssize_t
onlink_find(const struct dp *dp, const struct msg_onlink *m)
{
	for (size_t i = 0; i < dp->n_onlink; i++)
		if (prefix_eq(&dp->onlink[i], &m->prefix, m->plen))
			return (ssize_t)i;
	return -1;
}

int
dp_onlink_add(struct dp *dp, const struct msg_onlink *m)
{
	struct prefix6 p;
	int r;

	if (onlink_find(dp, m) >= 0)
		return 0;
	if (dp->n_onlink == MSG_ONLINK_MAX)
		return -ENOSPC;
	p.addr = m->prefix;
	p.plen = m->plen;
	if (kroute_users(dp, &p, DP_ONLINK_METRIC) == 0 &&
	    (r = kroute(dp, true, &p, DP_ONLINK_METRIC)) < 0)
		return r;
	dp->onlink[dp->n_onlink++] = p;
	return 0;
}

int
dp_onlink_del(struct dp *dp, const struct msg_onlink *m)
{
	ssize_t i = onlink_find(dp, m);
	struct prefix6 old;

	if (i < 0)
		return -ENOENT;
	old = dp->onlink[i];
	dp->onlink[i] = dp->onlink[--dp->n_onlink];
	if (kroute_users(dp, &old, DP_ONLINK_METRIC) == 0)
		kroute(dp, false, &old, DP_ONLINK_METRIC);
	return 0;
}

int
dp_set_mtu(struct dp *dp, uint32_t mtu)
{
	int r;

	if (dp->nc != NULL && (r = dp->nc->set_mtu(dp->nc_h, mtu)) < 0)
		return r;
	dp->mtu = mtu;
	return 0;
}

/* msg_check_payload() bounded every value (RFC 4861 §6.2.1). */
int
dp_set_nd_params(struct dp *dp, const struct msg_nd_params *m)
{
	if (dp->nc == NULL)
		return 0;
	if (dp->nc->set_nd_params == NULL)
		return -EOPNOTSUPP;
	return dp->nc->set_nd_params(dp->nc_h, m->hop_limit, m->reachable_ms, m->retrans_ms);
}

int
dp_set_link(struct dp *dp, bool up)
{
	int r;

	if (dp->nc != NULL && (r = dp->nc->set_up(dp->nc_h, up)) < 0)
		return r;
	if (up && !dp->link_up)
		dp_link_came_up(dp);
	dp->link_up = up;
	return 0;
}

void
dp_link_came_up(struct dp *dp)
{
	dp->link_up = true;
	/*
	 * Linux keeps (keep_addr_on_down) only addresses without lifetimes
	 * across a down/up. The others are put back with what is left of the
	 * lifetimes control last gave (review §19: as first given, a link
	 * flap while control is gone would extend them for ever); one whose
	 * valid lifetime ran out is not put back. Control owns their expiry
	 * and withdraws them itself.
	 */
	for (size_t i = 0; i < dp->n_addrs; i++) {
		struct msg_addr a;

		if (dp->nc == NULL || !dp_addr_aged(dp, i, &a))
			continue;
		if (dp->nc->addr(dp->nc_h, true, &a) < 0)
			log_warnx("cannot restore an address on %s", dp->ifname);
	}
	/* Each kernel route once, however many entries share it. */
	for (size_t i = 0; i < dp->n_routes; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (dp->routes[j].metric == dp->routes[i].metric &&
			    prefix_eq(&dp->routes[j].prefix, &dp->routes[i].prefix.addr,
			              dp->routes[i].prefix.plen))
				break;
		if (j == i)
			kroute(dp, true, &dp->routes[i].prefix, dp->routes[i].metric);
	}
	for (size_t i = 0; i < dp->n_onlink; i++) {
		struct prefix6 *p = &dp->onlink[i];
		bool shared = false;

		for (size_t j = 0; j < dp->n_routes; j++)
			if (dp->routes[j].metric == DP_ONLINK_METRIC &&
			    prefix_eq(&dp->routes[j].prefix, &p->addr, p->plen))
				shared = true;
		if (!shared)
			kroute(dp, true, p, DP_ONLINK_METRIC);
	}
}

void
dp_get_state(const struct dp *dp, struct msg_state *s)
{
	memset(s, 0, sizeof(*s));
	s->flags = dp->router_mode ? MSG_DP_ROUTER_MODE : 0;
	s->ifindex = dp->ifindex;
	memcpy(s->ifname, dp->ifname, sizeof(s->ifname));
	s->ifname[MSG_IFNAMSIZ - 1] = '\0';
	s->link_up = dp->link_up;
	s->mtu = dp->mtu;
	s->locator = dp->locator;
	s->n_prl = (uint32_t)dp->n_prl;
	memcpy(s->prl, dp->prl, dp->n_prl * sizeof(dp->prl[0]));
	/* What is left of each lifetime: a control that starts now adopts
	 * them as they are (an expired one shows valid 0). */
	s->n_addrs = (uint32_t)dp->n_addrs;
	for (size_t i = 0; i < dp->n_addrs; i++)
		if (!dp_addr_aged(dp, i, &s->addrs[i]))
			s->addrs[i].valid_lft = s->addrs[i].preferred_lft = 0;
	s->n_routes = (uint32_t)dp->n_routes;
	for (size_t i = 0; i < dp->n_routes; i++) {
		s->routes[i].prefix = dp->routes[i].prefix.addr;
		s->routes[i].plen = dp->routes[i].prefix.plen;
		s->routes[i].via = dp->routes[i].via;
		s->routes[i].metric = dp->routes[i].metric;
	}
	s->n_onlink = (uint32_t)dp->n_onlink;
	for (size_t i = 0; i < dp->n_onlink; i++) {
		s->onlink[i].prefix = dp->onlink[i].addr;
		s->onlink[i].plen = dp->onlink[i].plen;
	}
}

void
dp_get_counters(const struct dp *dp, struct msg_counters *c)
{
	_Static_assert(DPC_COUNT <= MSG_COUNTERS_MAX, "counters fit the message");
	memset(c, 0, sizeof(*c));
	c->n = DPC_COUNT;
	memcpy(c->v, dp->counters, sizeof(dp->counters));
	/* One set of counters: what the kernel programs carried and dropped
	 * is counted in the very slots the user-space path uses. */
	if (dp->fp_counters != NULL)
		dp->fp_counters(dp->fp_h, c->v, c->n);
}

void
dp_unconfigure(struct dp *dp)
{
	while (dp->n_routes > 0) {
		struct msg_route m = {.prefix = dp->routes[0].prefix.addr,
		                      .plen = dp->routes[0].prefix.plen,
		                      .via = dp->routes[0].via,
		                      .metric = dp->routes[0].metric};
		dp_route_del(dp, &m);
	}
	while (dp->n_onlink > 0) {
		struct msg_onlink m = {.prefix = dp->onlink[0].addr, .plen = dp->onlink[0].plen};
		dp_onlink_del(dp, &m);
	}
	while (dp->n_addrs > 0) {
		struct msg_addr m = dp->addrs[0];
		if (dp_addr_del(dp, &m) < 0) {
			/* Forget it anyway: the device goes away with us. */
			dp->addrs[0] = dp->addrs[--dp->n_addrs];
			dp->local[0] = dp->local[dp->n_addrs];
			dp->addr_at[0] = dp->addr_at[dp->n_addrs];
		}
	}
	if (dp->link_up)
		dp_set_link(dp, false);
}
