/*
 * The IPv6 routes the datapath keeps in XNU's table, and the requests that
 * get it there: platform-neutral, so that it is tested here (netcfg_darwin.c
 * sends the requests). Linux's netlink takes dp_netcfg_ops.route() as it
 * comes; XNU needs four things more:
 *
 * - No metrics: routes to one prefix at two metrics are one kernel route,
 *   added with the first and deleted with the last (XNU's radix table keeps
 *   one unscoped route per destination and mask: bsd/net/route.c).
 * - The IPv6 default goes in as ::/1 + 8000::/1, as wg-quick
 *   (wireguard-tools src/wg-quick/darwin.bash add_route) and tailscale
 *   (wgengine/router/osrouter/router_userspace_bsd.go splitDefaultRoutes)
 *   do: configd's IPMonitor deletes and re-adds an unscoped ::/0 it finds in
 *   the way of its own (configd Plugins/IPMonitor/ip_plugin.c RouteProcess).
 *   And not at all while another interface holds the unscoped ::/0 (native
 *   IPv6): the two halves would shadow it, and the host is not ours. The
 *   halves come back when it goes.
 * - A route that is already there (EEXIST: another VPN's ::/1, the prefix
 *   route the kernel made for an address) belongs to someone else: it is
 *   never deleted later.
 * - XNU keeps a link's routes when it goes down; Linux flushes them, and
 *   datapath/state.c (dp_link_came_up()) is written for that: kr_flush()
 *   withdraws ours as the Linux kernel would.
 */
#ifndef ISATAP_DATAPATH_KROUTES_H
#define ISATAP_DATAPATH_KROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "nexthop.h"

#define KR_WANT_MAX   (MSG_ROUTE_MAX + MSG_ONLINK_MAX)
#define KR_KERNEL_MAX (KR_WANT_MAX + 1) /* ::/0 is two kernel routes */
#define KR_OPS_MAX    (2 * KR_KERNEL_MAX)

struct kr_op {
	bool add; /* RTM_ADD, else RTM_DELETE */
	struct prefix6 p;
};

struct kroutes {
	/* what dp_netcfg_ops.route() asked for */
	struct {
		struct prefix6 p;
		uint32_t metric;
	} want[KR_WANT_MAX];
	size_t n_want;
	/* kernel routes: ours (installed by us), or found there already */
	struct {
		struct prefix6 p;
		bool ours;
	} kern[KR_KERNEL_MAX];
	size_t n_kern;
	bool foreign_default; /* another interface holds the unscoped ::/0 */
};

void kr_init(struct kroutes *kr);
/* Records that route() asked for p at metric (add) or no longer (del):
 * 0, -ENOSPC when the table is full, -ENOENT for a del of nothing. */
int kr_set(struct kroutes *kr, bool add, const struct prefix6 *p, uint32_t metric);
/*
 * What to send, in order, to make the kernel hold what is wanted: the
 * additions first (make before break), then the deletions. Routes found to
 * be someone else's are not asked for again until kr_recheck(). Returns
 * the number of ops written (at most max).
 */
size_t kr_plan(const struct kroutes *kr, struct kr_op *ops, size_t max);
/* The kernel's answer to op: 0, or -errno (-EEXIST for an add of a route
 * that is there already; -ESRCH for a delete of one that is not). */
void kr_done(struct kroutes *kr, const struct kr_op *op, int err);
/* The unscoped ::/0 of another interface appeared or went. */
void kr_foreign_default(struct kroutes *kr, bool present);
/* Someone changed the table: the routes found to be another's are worth
 * asking for again. */
void kr_recheck(struct kroutes *kr);
/* The link went down: forget every wish; returns (in ops) the deletions
 * of our routes, to be sent and reported with kr_done(). */
size_t kr_flush(struct kroutes *kr, struct kr_op *ops, size_t max);
/* Whether the route asked for as p is in the kernel, ours or another's
 * (for ::/0: both halves). */
bool kr_installed(const struct kroutes *kr, const struct prefix6 *p);

#endif
