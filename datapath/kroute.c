/*
 * Whether a kernel route the datapath is about to add would take anything
 * from the host: the host is not ours, so a route over the tunnel never
 * replaces, hides or ties with a route some other interface or program
 * owns (isatap-datapath(8), ROUTES). Pure: netcfg_linux.c feeds it each
 * route the kernel already has for the same prefix in the same table.
 */
#include "dp.h"

enum dp_kroute_verdict
dp_kroute_judge(const struct dp_kroute_seen *r, unsigned ifindex, uint8_t protocol, uint32_t metric)
{
	/* Ours: the very route (left by an earlier request), or the same
	 * prefix at another of our metrics (two routers' preferences). */
	if (r->oif == ifindex && r->protocol == protocol)
		return r->metric == metric ? DP_KROUTE_OURS : DP_KROUTE_FREE;
	/* A better route than ours keeps winning, and ours never serves
	 * while it exists: the two coexist (a native default route and the
	 * tunnel's, say). A route at our metric or above would be replaced
	 * in use by ours, whoever owns it, even one on our own interface. */
	if (r->metric < metric)
		return DP_KROUTE_FREE;
	return DP_KROUTE_CLASH;
}
