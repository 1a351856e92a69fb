/*
 * The doctor's macOS checks, in place of Linux's /proc knobs: pure
 * judgement over the status and struct doctor_utun_ops, so that it is
 * tested on Linux with fakes (doctor_os_darwin.c has the real ones).
 *
 * - kernel: the utun the status names exists and is up (the datapath owns
 *   it: it goes with the datapath's descriptor, XNU if_utun.c
 *   utun_ctl_disconnect).
 * - routes: what the routing table says of the ISATAP routes. The default
 *   goes in as ::/1 + 8000::/1, and stays out while another interface holds
 *   the unscoped ::/0 (native IPv6: datapath/kroutes.h); a ::/1 through
 *   another interface is another tunnel's (a VPN) and takes IPv6 from us.
 * - dns: whether macOS asks for AAAA records at all. configd asks only when
 *   some network service has routable IPv6 (configd
 *   Plugins/IPMonitor/dns-configuration.c), and a bare utun is no service:
 *   curl, browsers and ssh then get no IPv6 address for a name while
 *   `dig AAAA` and `ping6` work (README, macOS).
 */
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "doctor.h"
#include "fmt.h"

static void
doctor_utun_link(const json_t *st, const struct doctor_utun_ops *u, void *ctx,
                 struct doctor_report *rep)
{
	const char *ifname = j_str(j_obj(st, "interface"), "name");
	bool up = false;
	unsigned mtu = 0;
	int r;

	if (ifname == NULL || ifname[0] == '\0' || strlen(ifname) >= DOCTOR_IFNAMSIZ) {
		doctor_add(rep, DOCTOR_INFO, "kernel", "no interface name to check");
		return;
	}
	if ((r = u->link(ctx, ifname, &up, &mtu)) < 0) {
		doctor_add(rep, DOCTOR_FAIL, "kernel",
		           r == -ENXIO ? "%s does not exist: isatap-datapath's utun went away; "
		                         "restart isatap-datapath"
		                       : "cannot look at %s (%s)",
		           ifname, strerror(-r));
		return;
	}
	if (!up) {
		doctor_add(rep, DOCTOR_FAIL, "kernel",
		           "%s is down: isatap-control brings it up once it has a locator; "
		           "ifconfig %s shows its state",
		           ifname, ifname);
		return;
	}
	doctor_add(rep, DOCTOR_OK, "kernel", "%s is up, MTU %u", ifname, mtu);
}

/* The route to exactly p: 1 through ifname, 0 through another (named in
 * other), -ESRCH when none, -errno. */
static int
route_via(const struct doctor_utun_ops *u, void *ctx, const char *ifname, const char *prefix,
          char other[DOCTOR_IFNAMSIZ])
{
	struct prefix6 p;
	int r;

	if (!addr_parse_prefix6(prefix, &p))
		return -EINVAL;
	other[0] = '\0';
	if ((r = u->route6(ctx, &p.addr, p.plen, other)) < 0)
		return r;
	other[DOCTOR_IFNAMSIZ - 1] = '\0';
	return strcmp(other, ifname) == 0;
}

static bool
has_default(const json_t *st)
{
	const json_t *r;
	size_t i;

	json_array_foreach(j_arr(st, "routes"), i, r)
	{
		const char *p = j_str(r, "prefix");

		if (p != NULL && strcmp(p, "::/0") == 0 && j_true(r, "installed"))
			return true;
	}
	return false;
}

static void
doctor_utun_default(const json_t *st, const struct doctor_utun_ops *u, void *ctx,
                    const char *ifname, struct doctor_report *rep)
{
	static const char *const halves[] = {"::/1", "8000::/1"};
	char via[DOCTOR_IFNAMSIZ];
	int r;

	if (!has_default(st)) {
		doctor_add(rep, DOCTOR_INFO, "routes",
		           "no default router yet: only ISATAP on-link destinations go through %s",
		           ifname);
		return;
	}
	/* Native IPv6 first: the ISATAP default yields to it. */
	if (route_via(u, ctx, ifname, "::/0", via) == 0) {
		doctor_add(rep, DOCTOR_INFO, "routes",
		           "native IPv6 has the default route (through %s): the ISATAP default "
		           "stays out of its way, and %s carries the ISATAP prefixes only",
		           via, ifname);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		r = route_via(u, ctx, ifname, halves[i], via);
		if (r == 1)
			continue;
		if (r == 0)
			doctor_add(rep, DOCTOR_WARN, "routes",
			           "%s goes through %s, not %s: another tunnel (a VPN?) takes IPv6 "
			           "traffic from ISATAP",
			           halves[i], via, ifname);
		else
			doctor_add(
			        rep, DOCTOR_WARN, "routes",
			        "the routing table has no %s: the ISATAP default route is missing "
			        "(isatap-datapath's log says why); netstat -rn -f inet6",
			        halves[i]);
		return;
	}
	doctor_add(rep, DOCTOR_OK, "routes", "the IPv6 default goes through %s (::/1 + 8000::/1)",
	           ifname);
}

static void
doctor_utun_onlink(const json_t *st, const struct doctor_utun_ops *u, void *ctx, const char *ifname,
                   struct doctor_report *rep)
{
	char via[DOCTOR_IFNAMSIZ];
	const json_t *o;
	size_t i;

	json_array_foreach(j_arr(st, "onlink_prefixes"), i, o)
	{
		const char *p = j_str(o, "prefix");
		int r;

		if (p == NULL || (r = route_via(u, ctx, ifname, p, via)) == 1 || r == -EINVAL)
			continue;
		if (r == 0)
			doctor_add(rep, DOCTOR_WARN, "routes",
			           "the on-link prefix %s goes through %s, not %s: that interface "
			           "has the same prefix",
			           p, via, ifname);
		else
			doctor_add(rep, DOCTOR_WARN, "routes",
			           "the routing table has no route for the on-link prefix %s", p);
	}
}

static void
doctor_utun_aaaa(const json_t *st, const struct doctor_utun_ops *u, void *ctx,
                 struct doctor_report *rep)
{
	bool aaaa = false;

	if (json_array_size(j_arr(st, "addresses")) == 0)
		return; /* nothing to reach by name over IPv6 yet */
	if (u->dns_aaaa(ctx, &aaaa) < 0) {
		doctor_add(rep, DOCTOR_INFO, "dns",
		           "macOS has no DNS configuration (scutil --dns)");
		return;
	}
	if (!aaaa) {
		doctor_add(rep, DOCTOR_WARN, "dns",
		           "macOS asks for no AAAA records (no network service it knows has "
		           "routable IPv6): programs that look names up (curl, browsers, ssh) will "
		           "not use the ISATAP address; addresses typed in, dig and ping6 do. "
		           "See README, macOS");
		return;
	}
	doctor_add(rep, DOCTOR_OK, "dns", "macOS asks for AAAA records: names resolve to IPv6 too");
}

void
doctor_utun(const json_t *st, const struct doctor_ops *ops, struct doctor_report *rep)
{
	const struct doctor_utun_ops *u = ops->utun;
	const char *ifname = j_str(j_obj(st, "interface"), "name");

	doctor_utun_link(st, u, ops->ctx, rep);
	if (ifname != NULL && ifname[0] != '\0' && strlen(ifname) < DOCTOR_IFNAMSIZ) {
		doctor_utun_default(st, u, ops->ctx, ifname, rep);
		doctor_utun_onlink(st, u, ops->ctx, ifname, rep);
	}
	doctor_utun_aaaa(st, u, ops->ctx, rep);
}
