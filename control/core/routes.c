/*
 * Where packets go: the default router (RFC 4861 §6.3.6 with the RFC 4191
 * §3.2 preference), Route Information (RFC 4191 §3.1), Redirects (RFC 4861
 * §8.3), on-link prefixes (RFC 4861 §6.3.4), and the RFC 8106 DNS data
 * that rides along in RAs (kept and reported, never applied).
 *
 * The datapath gets one route per prefix, the best one; when that router
 * goes, the next best replaces it.
 */
#include <string.h>
#include <strings.h>

#include "core_int.h"

uint32_t
pref_metric(int8_t pref)
{
	if (pref == ND_PREF_INVALID)
		pref = 0;
	return (uint32_t)((int32_t)CORE_METRIC_MEDIUM - (int32_t)pref * CORE_METRIC_STEP);
}

int8_t
metric_pref(uint32_t metric)
{
	if (metric < CORE_METRIC_MEDIUM)
		return 1;
	return metric > CORE_METRIC_MEDIUM ? -1 : 0;
}

static bool
prefix_eq(const struct prefix6 *a, const struct prefix6 *b)
{
	return a->plen == b->plen && memcmp(&a->addr, &b->addr, sizeof(a->addr)) == 0;
}

/* ---- on-link prefixes ---- */

void
onlink_update(struct core *c, uint64_t now, struct in_addr router, const struct nd_prefix *p)
{
	struct core_onlink *slot = NULL;

	/* RFC 4861 §6.3.4: the link-local prefix is always on-link and an
	 * option for it is ignored (slaac.c counts it when A is set). */
	if (addr_is_linklocal(&p->prefix.addr) || addr_is_multicast(&p->prefix.addr) ||
	    p->prefix.plen == 0) {
		if (!p->autonomous)
			core_count(c, CORE_C_PIO_LINKLOCAL);
		return;
	}
	for (size_t i = 0; i < CORE_ONLINK_MAX && slot == NULL; i++)
		if (c->onlink[i].used && prefix_eq(&c->onlink[i].prefix, &p->prefix))
			slot = &c->onlink[i];
	if (slot != NULL && p->valid_lifetime == 0) {
		/* "time-out the prefix immediately" */
		memset(slot, 0, sizeof(*slot));
		return;
	}
	if (slot == NULL) {
		if (p->valid_lifetime == 0)
			return;
		for (size_t i = 0; i < CORE_ONLINK_MAX && slot == NULL; i++)
			if (!c->onlink[i].used)
				slot = &c->onlink[i];
		if (slot == NULL) {
			core_count(c, CORE_C_TABLE_FULL);
			return;
		}
		slot->used = true;
		slot->prefix = p->prefix;
	}
	slot->router = router;
	slot->valid_until = core_expiry(now, p->valid_lifetime);
}

size_t
onlink_desired(const struct core *c, uint64_t now, struct msg_onlink *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CORE_ONLINK_MAX && n < max; i++) {
		if (!c->onlink[i].used || c->onlink[i].valid_until <= now)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].prefix = c->onlink[i].prefix.addr;
		out[n].plen = c->onlink[i].prefix.plen;
		n++;
	}
	return n;
}

/* ---- Route Information and Redirect routes ---- */

struct core_rentry *
rtable_set(struct core *c, enum core_route_origin origin, const struct prefix6 *p,
           struct in_addr via, int8_t pref, uint64_t expires_ms)
{
	struct core_rentry *slot = NULL;

	/* A Redirect replaces the previous one for its destination; RIO
	 * entries are per router. */
	for (size_t i = 0; i < CORE_RTABLE_MAX && slot == NULL; i++) {
		struct core_rentry *e = &c->rtable[i];

		if (e->used && e->origin == origin && prefix_eq(&e->prefix, p) &&
		    (origin == CORE_ROUTE_REDIRECT || core_v4_eq(e->via, via)))
			slot = e;
	}
	for (size_t i = 0; i < CORE_RTABLE_MAX && slot == NULL; i++)
		if (!c->rtable[i].used)
			slot = &c->rtable[i];
	if (slot == NULL)
		return NULL;
	slot->used = true;
	slot->origin = origin;
	slot->prefix = *p;
	slot->via = via;
	slot->pref = pref;
	slot->expires_ms = expires_ms;
	return slot;
}

void
rio_update(struct core *c, uint64_t now, struct in_addr router, const struct nd_route *rt)
{
	/* ::/0 sets the router's default lifetime and preference (ra.c,
	 * RFC 4191 §3.1): one default route per router. */
	if (rt->prefix.plen == 0 && rt->preference != ND_PREF_INVALID)
		return;
	/* RFC 4191 §2.3: the reserved preference means ignore the option;
	 * link-local or multicast prefixes are never routed. */
	if (rt->preference == ND_PREF_INVALID || rt->prefix.plen == 0 ||
	    addr_is_linklocal(&rt->prefix.addr) || addr_is_multicast(&rt->prefix.addr)) {
		core_count(c, CORE_C_RIO_BAD);
		return;
	}
	if (rt->lifetime == 0) {
		for (size_t i = 0; i < CORE_RTABLE_MAX; i++) {
			struct core_rentry *e = &c->rtable[i];

			if (e->used && e->origin == CORE_ROUTE_RIO &&
			    prefix_eq(&e->prefix, &rt->prefix) && core_v4_eq(e->via, router))
				memset(e, 0, sizeof(*e));
		}
		return;
	}
	if (rtable_set(c, CORE_ROUTE_RIO, &rt->prefix, router, rt->preference,
	               core_expiry(now, rt->lifetime)) == NULL)
		core_count(c, CORE_C_TABLE_FULL);
}

/* ---- RFC 8106 DNS data ---- */

static void
rdnss_update(struct core *c, uint64_t now, struct in_addr router, const struct in6_addr *a,
             uint32_t lifetime)
{
	struct core_rdnss *slot = NULL;

	for (size_t i = 0; i < CORE_RDNSS_MAX && slot == NULL; i++)
		if (c->rdnss[i].used && core_v4_eq(c->rdnss[i].router, router) &&
		    memcmp(&c->rdnss[i].addr, a, sizeof(*a)) == 0)
			slot = &c->rdnss[i];
	if (lifetime == 0) { /* RFC 8106 §5.1: lifetime 0 withdraws */
		if (slot != NULL)
			memset(slot, 0, sizeof(*slot));
		return;
	}
	for (size_t i = 0; i < CORE_RDNSS_MAX && slot == NULL; i++)
		if (!c->rdnss[i].used)
			slot = &c->rdnss[i];
	if (slot == NULL) {
		core_count(c, CORE_C_TABLE_FULL);
		return;
	}
	slot->used = true;
	slot->addr = *a;
	slot->router = router;
	slot->expires_ms = core_expiry(now, lifetime);
}

static void
dnssl_update(struct core *c, uint64_t now, struct in_addr router, const char *domain,
             uint32_t lifetime)
{
	struct core_dnssl *slot = NULL;

	for (size_t i = 0; i < CORE_DNSSL_MAX && slot == NULL; i++)
		if (c->dnssl[i].used && core_v4_eq(c->dnssl[i].router, router) &&
		    strcasecmp(c->dnssl[i].domain, domain) == 0)
			slot = &c->dnssl[i];
	if (lifetime == 0) { /* RFC 8106 §5.2 */
		if (slot != NULL)
			memset(slot, 0, sizeof(*slot));
		return;
	}
	for (size_t i = 0; i < CORE_DNSSL_MAX && slot == NULL; i++)
		if (!c->dnssl[i].used)
			slot = &c->dnssl[i];
	if (slot == NULL) {
		core_count(c, CORE_C_TABLE_FULL);
		return;
	}
	slot->used = true;
	/* The parser NUL-terminates within ND_DNSSL_NAMELEN. */
	strncpy(slot->domain, domain, ND_DNSSL_NAMELEN);
	slot->domain[ND_DNSSL_NAMELEN] = '\0';
	slot->router = router;
	slot->expires_ms = core_expiry(now, lifetime);
}

void
dns_update(struct core *c, uint64_t now, struct in_addr router, const struct nd_ra *ra)
{
	for (size_t i = 0; i < ra->n_rdnss && i < ND_MAX_RDNSS; i++)
		rdnss_update(c, now, router, &ra->rdnss[i], ra->rdnss_lifetime[i]);
	for (size_t i = 0; i < ra->n_dnssl && i < ND_MAX_DNSSL; i++)
		dnssl_update(c, now, router, ra->dnssl[i], ra->dnssl_lifetime[i]);
}

/* A router left the PRL: what it alone vouched for goes with it. */
void
routes_router_gone(struct core *c, struct in_addr router)
{
	for (size_t i = 0; i < CORE_RTABLE_MAX; i++)
		if (c->rtable[i].used && c->rtable[i].origin == CORE_ROUTE_RIO &&
		    core_v4_eq(c->rtable[i].via, router))
			memset(&c->rtable[i], 0, sizeof(c->rtable[i]));
	for (size_t i = 0; i < CORE_RDNSS_MAX; i++)
		if (c->rdnss[i].used && core_v4_eq(c->rdnss[i].router, router))
			memset(&c->rdnss[i], 0, sizeof(c->rdnss[i]));
	for (size_t i = 0; i < CORE_DNSSL_MAX; i++)
		if (c->dnssl[i].used && core_v4_eq(c->dnssl[i].router, router))
			memset(&c->dnssl[i], 0, sizeof(c->dnssl[i]));
}

void
routes_expire(struct core *c, uint64_t now)
{
	for (size_t i = 0; i < CORE_RTABLE_MAX; i++)
		if (c->rtable[i].used && c->rtable[i].expires_ms <= now)
			memset(&c->rtable[i], 0, sizeof(c->rtable[i]));
	for (size_t i = 0; i < CORE_ONLINK_MAX; i++)
		if (c->onlink[i].used && c->onlink[i].valid_until <= now)
			memset(&c->onlink[i], 0, sizeof(c->onlink[i]));
	for (size_t i = 0; i < CORE_RDNSS_MAX; i++)
		if (c->rdnss[i].used && c->rdnss[i].expires_ms <= now)
			memset(&c->rdnss[i], 0, sizeof(c->rdnss[i]));
	for (size_t i = 0; i < CORE_DNSSL_MAX; i++)
		if (c->dnssl[i].used && c->dnssl[i].expires_ms <= now)
			memset(&c->dnssl[i], 0, sizeof(c->dnssl[i]));
}

uint64_t
routes_deadline(const struct core *c)
{
	uint64_t d = CORE_NO_DEADLINE;

	for (size_t i = 0; i < CORE_RTABLE_MAX; i++)
		if (c->rtable[i].used && c->rtable[i].expires_ms < d)
			d = c->rtable[i].expires_ms;
	for (size_t i = 0; i < CORE_ONLINK_MAX; i++)
		if (c->onlink[i].used && c->onlink[i].valid_until < d)
			d = c->onlink[i].valid_until;
	for (size_t i = 0; i < CORE_RDNSS_MAX; i++)
		if (c->rdnss[i].used && c->rdnss[i].expires_ms < d)
			d = c->rdnss[i].expires_ms;
	for (size_t i = 0; i < CORE_DNSSL_MAX; i++)
		if (c->dnssl[i].used && c->dnssl[i].expires_ms < d)
			d = c->dnssl[i].expires_ms;
	return d;
}

/* ---- router choice ---- */

/* May carry traffic: not known to be unreachable, and heard from (or
 * vouched for by the datapath we adopted, for a grace period). */
bool
router_is_live(const struct core_router *r, uint64_t now)
{
	if (r->state == CORE_RTR_UNREACHABLE)
		return false;
	return r->has_ra || r->adopt_until > now;
}

/* In the Default Router List (RFC 4861 §6.3.4: lifetime running). */
bool
router_is_candidate(const struct core_router *r, uint64_t now)
{
	if (r->state == CORE_RTR_UNREACHABLE)
		return false;
	if (r->has_ra)
		return r->lifetime_s > 0 && r->expires_ms > now;
	return r->adopted_default && r->adopt_until > now;
}

static int8_t
router_pref(const struct core_router *r)
{
	return r->has_ra ? r->pref : r->adopted_pref;
}

/* RFC 4191 §3.2: preference first; then a router heard from over one
 * only adopted; then the one seen first, so that the choice is stable. */
static bool
router_better(const struct core_router *a, const struct core_router *b)
{
	uint64_t sa = a->seq ? a->seq : UINT64_MAX, sb = b->seq ? b->seq : UINT64_MAX;

	if (router_pref(a) != router_pref(b))
		return router_pref(a) > router_pref(b);
	if (a->has_ra != b->has_ra)
		return a->has_ra;
	return sa < sb;
}

void
routes_choose(struct core *c, uint64_t now)
{
	const struct core_router *best = NULL;
	struct core_event *ev;
	struct in_addr prev = c->default_router;

	for (size_t i = 0; i < c->n_routers; i++) {
		const struct core_router *r = &c->routers[i];

		if (router_is_candidate(r, now) && (best == NULL || router_better(r, best)))
			best = r;
	}
	if (best == NULL && !c->has_default)
		return;
	if (best != NULL && c->has_default && core_v4_eq(best->v4, prev))
		return;
	c->has_default = best != NULL;
	c->default_router.s_addr = best != NULL ? best->v4.s_addr : INADDR_ANY;
	ev = core_push_event(c, CORE_EV_DEFAULT_ROUTER_CHANGED);
	ev->router = c->default_router;
	ev->previous = prev;
}

static const struct core_router *
router_get(const struct core *c, struct in_addr v4)
{
	for (size_t i = 0; i < c->n_routers; i++)
		if (core_v4_eq(c->routers[i].v4, v4))
			return &c->routers[i];
	return NULL;
}

/* Is a better than b for the same prefix? */
static bool
rentry_better(const struct core *c, const struct core_rentry *a, const struct core_rentry *b)
{
	const struct core_router *ra, *rb;

	if (a->origin != b->origin) /* a Redirect is the more specific news */
		return a->origin == CORE_ROUTE_REDIRECT;
	if (a->pref != b->pref)
		return a->pref > b->pref;
	ra = router_get(c, a->via);
	rb = router_get(c, b->via);
	if (ra == NULL || rb == NULL)
		return ra != NULL;
	return router_better(ra, rb);
}

static bool
rentry_usable(const struct core *c, const struct core_rentry *e, uint64_t now)
{
	const struct core_router *r;

	if (!e->used || e->expires_ms <= now)
		return false;
	if (e->origin != CORE_ROUTE_RIO)
		return true;
	return (r = router_get(c, e->via)) != NULL && router_is_live(r, now);
}

/* Is rtable[i] the route the datapath should have for its prefix? */
static bool
rentry_installed(const struct core *c, size_t i, uint64_t now)
{
	const struct core_rentry *e = &c->rtable[i];

	if (!rentry_usable(c, e, now))
		return false;
	for (size_t j = 0; j < CORE_RTABLE_MAX; j++) {
		const struct core_rentry *f = &c->rtable[j];

		if (j == i || !rentry_usable(c, f, now) || !prefix_eq(&e->prefix, &f->prefix))
			continue;
		if (rentry_better(c, f, e) || (j < i && !rentry_better(c, e, f)))
			return false;
	}
	return true;
}

bool
routes_rentry_installed(const struct core *c, size_t i, uint64_t now)
{
	return rentry_installed(c, i, now);
}

size_t
routes_desired(const struct core *c, uint64_t now, struct msg_route *out, size_t max)
{
	const struct core_router *def;
	size_t n = 0;

	if (c->has_default && max > 0 && (def = router_get(c, c->default_router)) != NULL) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].via = def->v4;
		out[n].metric = pref_metric(router_pref(def));
		n++;
	}
	for (size_t i = 0; i < CORE_RTABLE_MAX && n < max; i++) {
		const struct core_rentry *e = &c->rtable[i];

		if (!rentry_installed(c, i, now))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].prefix = e->prefix.addr;
		out[n].plen = e->prefix.plen;
		out[n].via = e->via;
		out[n].metric = pref_metric(e->pref);
		n++;
	}
	return n;
}

/* The IPv4 first hop the datapath would use for dst (DESIGN.md "Data
 * path"), or false when dst is reached directly or not at all. */
bool
routes_first_hop(const struct core *c, uint64_t now, const struct in6_addr *dst,
                 struct in_addr *via)
{
	struct msg_route rt[MSG_ROUTE_MAX];
	size_t n = routes_desired(c, now, rt, MSG_ROUTE_MAX);
	int best = -1;

	if (addr_is_linklocal(dst))
		return false;
	if (addr_is_isatap(dst))
		for (size_t i = 0; i < CORE_ONLINK_MAX; i++)
			if (c->onlink[i].used && addr_prefix_match(&c->onlink[i].prefix, dst))
				return false;
	for (size_t i = 0; i < n; i++) {
		struct prefix6 p = {.addr = rt[i].prefix, .plen = rt[i].plen};

		if (!addr_prefix_match(&p, dst))
			continue;
		if (best < 0 || rt[i].plen > rt[best].plen ||
		    (rt[i].plen == rt[best].plen && rt[i].metric < rt[best].metric))
			best = (int)i;
	}
	if (best < 0)
		return false;
	*via = rt[best].via;
	return true;
}
