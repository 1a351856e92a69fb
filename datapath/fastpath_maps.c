/*
 * struct dp turned into what the fast path's maps hold (bpf/fastpath_abi.h):
 * one source of truth, the very tables the user-space path decides by. Pure:
 * no kernel, no libbpf, so that it is unit-tested everywhere
 * (tests/unit/test_dp_fastpath_maps.c) and fastpath_linux.c only writes.
 */
#include <string.h>

#include "fastpath.h"

_Static_assert(FP_PRL_MAX == MSG_PRL_MAX, "fp_prl holds the whole PRL");
_Static_assert(FP_LOCAL_MAX == MSG_ADDR_MAX, "fp_local holds every address");
_Static_assert(FP_ROUTE_MAX == MSG_ROUTE_MAX, "fp_routes holds every prefix");
_Static_assert(FP_ONLINK_MAX == MSG_ONLINK_MAX, "fp_onlink holds every prefix");
_Static_assert(FP_BCAST_MAX == DP_BCAST_MAX, "fp_bcast holds every broadcast address");
_Static_assert(FP_RETIRED_MAX == DP_RETIRED_MAX, "fp_cfg holds the locator set");
_Static_assert(FP_STATS_SLOTS == MSG_COUNTERS_MAX, "fp_stats slots are counter indices");
_Static_assert(sizeof(struct fp_in6) == sizeof(struct in6_addr), "fp_in6 is an address");

static void
lpm_key(struct fp_lpm6 *k, const struct prefix6 *p)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = p->plen;
	memcpy(k->addr, &p->addr, sizeof(k->addr));
}

/*
 * One entry per prefix, the lowest metric's (nh_lookup(): longest prefix,
 * then lowest metric, then the first listed). An LPM trie holds one value a
 * key, and the longest-prefix half of the rule is the trie's own.
 */
static void
build_routes(struct fp_image *im, const struct dp *dp)
{
	for (size_t i = 0; i < dp->n_routes; i++) {
		const struct nh_route *r = &dp->routes[i];
		struct fp_lpm6 k;
		size_t j;

		lpm_key(&k, &r->prefix);
		for (j = 0; j < im->n_routes; j++)
			if (memcmp(&im->route_key[j], &k, sizeof(k)) == 0)
				break;
		if (j < im->n_routes) {
			if (r->metric <
			    im->route[j].metric) /* strictly: the first of equals stays */
				im->route[j] = (struct fp_route){.via = r->via.s_addr,
				                                 .metric = r->metric};
			continue;
		}
		if (im->n_routes == FP_ROUTE_MAX)
			break; /* cannot happen: dp holds at most MSG_ROUTE_MAX */
		im->route_key[im->n_routes] = k;
		im->route[im->n_routes] =
		        (struct fp_route){.via = r->via.s_addr, .metric = r->metric};
		im->n_routes++;
	}
}

void
fp_image_build(struct fp_image *im, const struct dp *dp, const uint32_t *ifaces, size_t n_ifaces)
{
	memset(im, 0, sizeof(*im));
	im->cfg.flags = (dp->router_mode ? FP_F_ROUTER : 0) | (dp->link_up ? FP_F_LINK_UP : 0);
	im->cfg.tun_ifindex = dp->ifindex;
	im->cfg.locator = dp->locator.s_addr;
	for (size_t i = 0; i < dp->n_retired && i < FP_RETIRED_MAX; i++)
		im->cfg.retired[i] = dp->retired[i].s_addr;
	im->cfg.mtu = dp->mtu;
	im->cfg.ttl = dp->ttl;

	for (size_t i = 0; i < dp->n_prl && i < FP_PRL_MAX; i++)
		im->prl[im->n_prl++] = dp->prl[i].s_addr;
	for (size_t i = 0; i < dp->n_addrs && i < FP_LOCAL_MAX; i++)
		memcpy(im->local[im->n_local++].a, &dp->local[i], sizeof(struct fp_in6));
	for (size_t i = 0; i < dp->n_bcast && i < FP_BCAST_MAX; i++)
		im->bcast[im->n_bcast++] = dp->bcast[i].s_addr;
	for (size_t i = 0; i < dp->n_onlink && i < FP_ONLINK_MAX; i++)
		lpm_key(&im->onlink[im->n_onlink++], &dp->onlink[i]);
	build_routes(im, dp);
	for (size_t i = 0; i < n_ifaces && im->n_ifaces < FP_IFACE_MAX; i++) {
		size_t j;

		for (j = 0; j < im->n_ifaces; j++)
			if (im->ifaces[j] == ifaces[i])
				break;
		if (j == im->n_ifaces && ifaces[i] != 0)
			im->ifaces[im->n_ifaces++] = ifaces[i];
	}
}

/* Entries of old[0..n_old) that nu[0..n_nu) lacks, compared whole. */
static size_t
gone(const void *old, size_t n_old, const void *nu, size_t n_nu, size_t size, void *out)
{
	const unsigned char *o = old, *n = nu;
	unsigned char *w = out;
	size_t k = 0;

	for (size_t i = 0; i < n_old; i++) {
		size_t j;

		for (j = 0; j < n_nu; j++)
			if (memcmp(o + i * size, n + j * size, size) == 0)
				break;
		if (j == n_nu)
			memcpy(w + k++ * size, o + i * size, size);
	}
	return k;
}

size_t
fp_image_gone_prl(const struct fp_image *old, const struct fp_image *nu, __u32 *out)
{
	return gone(old->prl, old->n_prl, nu->prl, nu->n_prl, sizeof(old->prl[0]), out);
}

size_t
fp_image_gone_local(const struct fp_image *old, const struct fp_image *nu, struct fp_in6 *out)
{
	return gone(old->local, old->n_local, nu->local, nu->n_local, sizeof(old->local[0]), out);
}

size_t
fp_image_gone_onlink(const struct fp_image *old, const struct fp_image *nu, struct fp_lpm6 *out)
{
	return gone(old->onlink, old->n_onlink, nu->onlink, nu->n_onlink, sizeof(old->onlink[0]),
	            out);
}

size_t
fp_image_gone_routes(const struct fp_image *old, const struct fp_image *nu, struct fp_lpm6 *out)
{
	return gone(old->route_key, old->n_routes, nu->route_key, nu->n_routes,
	            sizeof(old->route_key[0]), out);
}

size_t
fp_image_gone_ifaces(const struct fp_image *old, const struct fp_image *nu, __u32 *out)
{
	return gone(old->ifaces, old->n_ifaces, nu->ifaces, nu->n_ifaces, sizeof(old->ifaces[0]),
	            out);
}

size_t
fp_image_gone_bcast(const struct fp_image *old, const struct fp_image *nu, __u32 *out)
{
	return gone(old->bcast, old->n_bcast, nu->bcast, nu->n_bcast, sizeof(old->bcast[0]), out);
}

bool
fp_image_same(const struct fp_image *a, const struct fp_image *b)
{
	struct fp_cfg ca = a->cfg, cb = b->cfg;

	ca.generation = cb.generation = 0;
	ca.flags &= ~FP_F_ENABLED;
	cb.flags &= ~FP_F_ENABLED;
	return memcmp(&ca, &cb, sizeof(ca)) == 0 &&
	       memcmp((const char *)a + sizeof(a->cfg), (const char *)b + sizeof(b->cfg),
	              sizeof(*a) - sizeof(a->cfg)) == 0;
}
