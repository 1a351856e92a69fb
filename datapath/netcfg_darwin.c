/*
 * Interface configuration on macOS: ioctls for the addresses, the MTU and
 * the flags, a routing socket (PF_ROUTE) for the routes and a second one
 * that follows link and address changes. From XNU's source, Apple's tools
 * and the macOS 12.0 SDK (../shared/MACOS-FACTS.md §3-5; XNU
 * xnu-7195.50.7.100.1 = macOS 11 and xnu-11417.101.15):
 *
 * - Addresses: SIOCAIFADDR_IN6 / SIOCDIFADDR_IN6 with lifetimes (SDK
 *   netinet6/in6_var.h in6_aliasreq; XNU bsd/netinet6/in6.c in6_update_ifa
 *   rejects a valid lifetime of 0 and a preferred one above it).
 * - IPv6 attached first (SIOCPROTOATTACH_IN6, private: the number comes from
 *   XNU's bsd/netinet6/in6_var.h, as ZeroTier's MacEthernetTapAgent.c and
 *   Apple's IPConfiguration (bootp ifutil.c siocprotoattach_in6) do it):
 *   otherwise the first SIOCAIFADDR_IN6 attaches it and adds a second,
 *   kernel-made link-local whose identifier may be borrowed from en0's MAC
 *   (in6.c in6ctl_aifaddr -> in6_ifattach_aliasreq; in6_ifattach.c
 *   in6_select_iid_from_all_hw). A utun is created with IFEF_NOAUTOIPV6LL
 *   (if_utun.c utun_ctl_connect): nothing else makes one.
 * - The kernel's own autoconfiguration stays off: RAs are processed only
 *   with IFEF_ACCEPT_RTADV, which SIOCAUTOCONF_STOP clears (private, in6.c
 *   in6_autoconf; off on a new utun anyway), and none reaches the kernel:
 *   the datapath hands every ND message to control. XNU sends no Router
 *   Solicitation itself (IPConfiguration does, for the services it runs: a
 *   bare utun is none). DAD is skipped on utun interfaces (in6.c
 *   in6if_do_dad: IFNET_FAMILY_UTUN), and each address says IN6_IFF_NODAD
 *   besides: an ISATAP address embeds a unique IPv4 address (RFC 5214 §6.1).
 * - A global address goes in as a /128: XNU gives any other prefix length
 *   an on-link prefix route of its own (in6ctl_aifaddr: NDPRF_STATIC; only
 *   plen 128 skips it), which is what Linux avoids with
 *   IFA_F_NOPREFIXROUTE: on-link is what the RA's L flag says (ONLINK_ADD,
 *   RFC 4861 §6.3.4, RFC 5942). The link-local is a /64: fe80::/64 is
 *   always on-link.
 * - Routes: RTM_ADD / RTM_DELETE / RTM_GET messages (common/rtmsg.c), as an
 *   interface route to the utun's AF_LINK address (route(8) -interface;
 *   XNU bsd/net/if.c ifa_ifwithnet_common finds it by sdl_index). The
 *   socket is created as root: route_output() checks SS_PRIV, set at
 *   creation, for everything but RTM_GET (XNU bsd/net/rtsock.c). Which
 *   routes, and the IPv6 default as ::/1 + 8000::/1: kroutes.c. The host's
 *   IPv4 routes and default route are never touched: every request here is
 *   AF_INET6 through this utun.
 * - The MTU and the flags: SIOCSIFMTU, SIOCSIFFLAGS (XNU bsd/net/if.c,
 *   72..65535). XNU checks these ioctls, and the address ones, against the
 *   caller's euid when they are made (proc_suser): the datapath stays root.
 * - Router mode: net.inet6.ip6.forwarding (XNU has no per-interface
 *   switch), put back at exit.
 * - An RTM_GET waits for its answer (at most NC_GET_MS) in the event loop:
 *   only on control's route requests and changes of the IPv6 default, never
 *   per packet.
 *
 * Not tried on a real Mac: run-time behaviour as read in the sources above.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet6/in6_var.h>
#include <netinet6/nd6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/sysctl.h>
#include <unistd.h>

#include "kroutes.h"
#include "log.h"
#include "platform.h"
#include "rtmsg.h"

/* Private in XNU (bsd/netinet6/in6_var.h, #ifdef PRIVATE): not in the SDK.
 * The numbers encode the size of the userland structures, which on LP64
 * are the kernel's _64 variants that in6.c's switch accepts. */
#ifndef SIOCPROTOATTACH_IN6
#define SIOCPROTOATTACH_IN6 _IOWR('i', 110, struct in6_aliasreq)
#endif
#ifndef SIOCAUTOCONF_STOP
#define SIOCAUTOCONF_STOP _IOWR('i', 133, struct in6_ifreq)
#endif

/* Routing messages are small; a read returns one. */
#define NC_RTBUF 2048
/* How long an RTM_GET may take to be answered. */
#define NC_GET_MS 1000
#define NC_MONBUF (256 * 1024)

struct netcfg {
	unsigned ifindex;
	char ifname[IFNAMSIZ];
	int s6;  /* AF_INET6 datagram socket for the in6 ioctls */
	int s4;  /* AF_INET datagram socket for the interface ioctls */
	int rt;  /* routing socket for requests (made as root: SS_PRIV) */
	int mon; /* routing socket that follows changes */
	pid_t pid;
	int32_t seq;
	bool up;
	uint32_t mtu;
	struct kroutes kr;
	bool yielded; /* logged: a native IPv6 default keeps ours out */
	/* router mode: net.inet6.ip6.forwarding before us */
	bool fwd_set;
	int fwd_prev;
	uint8_t buf[NC_RTBUF];
};

static int
nc_socket(int domain, int type, int proto)
{
	return socket(domain, type | SOCK_CLOEXEC, proto);
}

int
netcfg_open(struct netcfg **out, unsigned ifindex)
{
	struct netcfg *nc;
	int e, size = NC_MONBUF;

	if ((nc = calloc(1, sizeof(*nc))) == NULL)
		return -ENOMEM;
	nc->s6 = nc->s4 = nc->rt = nc->mon = -1;
	nc->ifindex = ifindex;
	nc->pid = getpid();
	kr_init(&nc->kr);
	if (if_indextoname(ifindex, nc->ifname) == NULL)
		goto fail;
	if ((nc->s6 = nc_socket(AF_INET6, SOCK_DGRAM, 0)) < 0 ||
	    (nc->s4 = nc_socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    (nc->rt = nc_socket(PF_ROUTE, SOCK_RAW | SOCK_NONBLOCK, AF_UNSPEC)) < 0 ||
	    (nc->mon = nc_socket(PF_ROUTE, SOCK_RAW | SOCK_NONBLOCK, AF_UNSPEC)) < 0)
		goto fail;
	/* XNU drops what does not fit, silently (bsd/net/raw_usrreq.c
	 * raw_input): room for a burst, and the link state is asked for
	 * again after each one (netcfg_monitor_read()). */
	(void)setsockopt(nc->mon, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	*out = nc;
	return 0;
fail:
	e = errno;
	netcfg_close(nc);
	return -e;
}

/* ---- routes ------------------------------------------------------------------- */

/*
 * RTM_GET of exactly prefix/plen (rtmsg_transact()): 0 and the answer in
 * *m, -ESRCH when there is no such route, or -errno.
 */
static int
rt_get6(struct netcfg *nc, const struct in6_addr *prefix, uint8_t plen, struct rtmsg *m)
{
	size_t len = rtmsg_route6(nc->buf, sizeof(nc->buf), RTMSG_GET, ++nc->seq, nc->pid, prefix,
	                          plen, 0);

	return len == 0 ? -EINVAL : rtmsg_transact(nc->rt, nc->buf, len, m, NC_GET_MS);
}

/* Whether the route to exactly p is ours: through our interface. */
static int
rt_is_ours(struct netcfg *nc, const struct prefix6 *p)
{
	struct rtmsg m;
	int r = rt_get6(nc, &p->addr, p->plen, &m);

	if (r < 0)
		return r;
	return m.index == nc->ifindex || rtmsg_link_index(&m, RTMSG_AX_GATEWAY) == nc->ifindex ||
	       rtmsg_link_index(&m, RTMSG_AX_IFP) == nc->ifindex;
}

static int
rt_send(struct netcfg *nc, const struct kr_op *op)
{
	char buf[ADDR6_STRLEN];
	size_t len;
	int r;

	if (!op->add) {
		/* Never delete a route someone else put in its place. */
		if ((r = rt_is_ours(nc, &op->p)) <= 0)
			return r == 0 ? -ESRCH : r;
	}
	len = rtmsg_route6(nc->buf, sizeof(nc->buf), op->add ? RTMSG_ADD : RTMSG_DELETE, ++nc->seq,
	                   nc->pid, &op->p.addr, op->p.plen, nc->ifindex);
	if (len == 0)
		return -EINVAL;
	if (write(nc->rt, nc->buf, len) < 0) {
		r = -errno;
		if (r == -EEXIST)
			log_info("%s/%u is already in the routing table, not through %s: left as "
			         "it is",
			         addr_fmt6(&op->p.addr, buf), op->p.plen, nc->ifname);
		return r;
	}
	return 0;
}

/* Sends the plan; returns the first error for a route covering want (its
 * halves for ::/0), 0 when none (EEXIST and ESRCH are no errors here). */
static int
rt_apply(struct netcfg *nc, struct kr_op *ops, size_t n, const struct prefix6 *want)
{
	char buf[ADDR6_STRLEN];
	int first = 0;

	for (size_t i = 0; i < n; i++) {
		int r = rt_send(nc, &ops[i]);
		bool covers;

		kr_done(&nc->kr, &ops[i], r);
		if (r == 0 || r == -EEXIST || r == -ESRCH)
			continue;
		/* The caller reports the first failure for what it asked for;
		 * the others are logged here. */
		covers = want != NULL &&
		         (want->plen == 0 ? ops[i].p.plen == 1
		                          : want->plen == ops[i].p.plen &&
		                                    memcmp(&want->addr, &ops[i].p.addr,
		                                           sizeof(want->addr)) == 0);
		if (covers && first == 0) {
			first = r;
			continue;
		}
		errno = -r;
		log_warn("%s %s/%u", ops[i].add ? "RTM_ADD" : "RTM_DELETE",
		         addr_fmt6(&ops[i].p.addr, buf), ops[i].p.plen);
	}
	return first;
}

static int
rt_replan(struct netcfg *nc, const struct prefix6 *want)
{
	struct kr_op ops[KR_OPS_MAX];

	return rt_apply(nc, ops, kr_plan(&nc->kr, ops, KR_OPS_MAX), want);
}

/* Whether another interface holds the unscoped IPv6 default. */
static void
rt_check_default(struct netcfg *nc)
{
	struct rtmsg m;
	bool foreign = rt_get6(nc, &in6addr_any, 0, &m) == 0 && m.index != nc->ifindex &&
	               !(m.flags & RTMSG_F_IFSCOPE);
	char ifn[IFNAMSIZ];

	if (foreign && !nc->yielded)
		log_info("IPv6 default route through %s (native IPv6): the ISATAP default stays "
		         "out of its way until it goes",
		         if_indextoname(m.index, ifn) != NULL ? ifn : "another interface");
	else if (!foreign && nc->yielded)
		log_info(
		        "no other IPv6 default route: the ISATAP default goes in (::/1, 8000::/1)");
	nc->yielded = foreign;
	kr_foreign_default(&nc->kr, foreign);
}

static int
nc_route(void *h, bool add, const struct prefix6 *p, uint32_t metric)
{
	struct netcfg *nc = h;
	int r;

	if ((r = kr_set(&nc->kr, add, p, metric)) < 0)
		return r == -ENOENT ? -ESRCH : r;
	if (p->plen == 0)
		rt_check_default(nc);
	return rt_replan(nc, p);
}

/* The link went down: XNU keeps its routes, Linux (which state.c is
 * written for) flushes them; ours go. */
static void
rt_flush(struct netcfg *nc)
{
	struct kr_op ops[KR_OPS_MAX];

	(void)rt_apply(nc, ops, kr_flush(&nc->kr, ops, KR_OPS_MAX), NULL);
}

/* ---- link and addresses ----------------------------------------------------------- */

static void
ifr_init(struct netcfg *nc, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, nc->ifname, sizeof(ifr->ifr_name));
}

static int
nc_set_mtu(void *h, uint32_t mtu)
{
	struct netcfg *nc = h;
	struct ifreq ifr;

	ifr_init(nc, &ifr);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(nc->s4, SIOCSIFMTU, &ifr) < 0)
		return -errno;
	nc->mtu = mtu;
	return 0;
}

static int
link_flags(struct netcfg *nc, short *flags)
{
	struct ifreq ifr;

	ifr_init(nc, &ifr);
	if (ioctl(nc->s4, SIOCGIFFLAGS, &ifr) < 0)
		return errno == ENXIO ? -ENODEV : -errno;
	*flags = ifr.ifr_flags;
	return 0;
}

static int
nc_set_up(void *h, bool up)
{
	struct netcfg *nc = h;
	struct ifreq ifr;
	short flags;
	int r;

	if ((r = link_flags(nc, &flags)) < 0)
		return r;
	ifr_init(nc, &ifr);
	ifr.ifr_flags = (short)(up ? flags | IFF_UP : flags & ~IFF_UP);
	if (ioctl(nc->s4, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	if (!up && nc->up)
		rt_flush(nc);
	nc->up = up;
	return 0;
}

static void
sin6_init(struct sockaddr_in6 *s, const struct in6_addr *a)
{
	memset(s, 0, sizeof(*s));
	s->sin6_len = sizeof(*s);
	s->sin6_family = AF_INET6;
	if (a != NULL)
		s->sin6_addr = *a;
}

static void
mask6(struct in6_addr *m, unsigned plen)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < 16 && plen > 0; i++) {
		unsigned n = plen >= 8 ? 8 : plen;

		m->s6_addr[i] = (uint8_t)(0xff00u >> n);
		plen -= n;
	}
}

static int
nc_addr(void *h, bool add, const struct msg_addr *a)
{
	struct netcfg *nc = h;
	bool ll = addr_is_linklocal(&a->addr);

	if (!add) {
		struct in6_ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, nc->ifname, sizeof(ifr.ifr_name));
		sin6_init(&ifr.ifr_addr, &a->addr);
		if (ll)
			ifr.ifr_addr.sin6_scope_id = nc->ifindex;
		return ioctl(nc->s6, SIOCDIFADDR_IN6, &ifr) < 0 ? -errno : 0;
	}
	struct in6_aliasreq ifra;
	struct in6_addr m;

	memset(&ifra, 0, sizeof(ifra));
	memcpy(ifra.ifra_name, nc->ifname, sizeof(ifra.ifra_name));
	sin6_init(&ifra.ifra_addr, &a->addr);
	if (ll)
		ifra.ifra_addr.sin6_scope_id = nc->ifindex;
	/* Point-to-point: no destination (in6_update_ifa wants AF_UNSPEC). */
	mask6(&m, ll ? a->plen : 128);
	sin6_init(&ifra.ifra_prefixmask, &m);
	ifra.ifra_flags = IN6_IFF_NODAD;
	/* Both 0xffffffff for ever: ND6_INFINITE_LIFETIME, as in msg_addr. */
	_Static_assert(ND6_INFINITE_LIFETIME == 0xffffffffu, "infinite lifetimes agree");
	ifra.ifra_lifetime.ia6t_vltime = a->valid_lft;
	ifra.ifra_lifetime.ia6t_pltime = a->preferred_lft;
	/* An address there already gets the new lifetimes (in6_update_ifa). */
	return ioctl(nc->s6, SIOCAIFADDR_IN6, &ifra) < 0 ? -errno : 0;
}

/* ---- the host's IPv4 addresses ---------------------------------------------------- */

static void
add_bcast(struct in_addr *out, size_t *n, size_t max, struct in_addr a)
{
	for (size_t i = 0; i < *n; i++)
		if (out[i].s_addr == a.s_addr)
			return;
	if (*n < max)
		out[(*n)++] = a;
}

/* Walks getifaddrs(3)'s IPv4 entries (a sysctl NET_RT_IFLIST dump). */
static int
v4_scan(struct in_addr want, bool *found, struct in_addr *bcast, size_t *n, size_t max)
{
	struct ifaddrs *ifs, *i;

	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (i = ifs; i != NULL; i = i->ifa_next) {
		struct in_addr a, mask;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
			continue;
		a = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
		if (found != NULL && a.s_addr == want.s_addr)
			*found = true;
		if (bcast == NULL)
			continue;
		if ((i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr != NULL &&
		    i->ifa_broadaddr->sa_family == AF_INET)
			add_bcast(bcast, n, max,
			          ((const struct sockaddr_in *)(const void *)i->ifa_broadaddr)
			                  ->sin_addr);
		/* The subnet's all-ones address whether or not one was set
		 * (/31 and /32 have none, RFC 3021), as on Linux. */
		if (i->ifa_netmask != NULL && i->ifa_netmask->sa_family == AF_INET) {
			mask = ((const struct sockaddr_in *)(const void *)i->ifa_netmask)->sin_addr;
			if (ntohl(mask.s_addr) != 0 && ntohl(mask.s_addr) < 0xfffffffeu)
				add_bcast(
				        bcast, n, max,
				        (struct in_addr){(a.s_addr & mask.s_addr) | ~mask.s_addr});
		}
	}
	freeifaddrs(ifs);
	return 0;
}

static int
nc_v4_is_local(void *h, struct in_addr v4)
{
	bool found = false;
	int r = v4_scan(v4, &found, NULL, NULL, 0);

	(void)h;
	return r < 0 ? r : found;
}

int
netcfg_v4_broadcasts(struct netcfg *nc, struct in_addr *out, size_t max)
{
	size_t n = 0;
	int r = v4_scan((struct in_addr){0}, NULL, out, &n, max);

	(void)nc;
	return r < 0 ? r : (int)n;
}

const struct dp_netcfg_ops netcfg_ops = {
        .set_mtu = nc_set_mtu,
        .set_up = nc_set_up,
        .addr = nc_addr,
        .route = nc_route,
        .v4_is_local = nc_v4_is_local,
};

/* ---- set-up, state, monitor ------------------------------------------------------- */

int
netcfg_prepare(struct netcfg *nc, const char *ifname, bool router)
{
	struct in6_aliasreq ifra;
	struct in6_ifreq ifr;
	int on = 1, prev;
	size_t len = sizeof(prev);

	memset(&ifra, 0, sizeof(ifra));
	memcpy(ifra.ifra_name, nc->ifname, sizeof(ifra.ifra_name));
	/* EEXIST: attached already, by nobody but us on a new utun. */
	if (ioctl(nc->s6, SIOCPROTOATTACH_IN6, &ifra) < 0 && errno != EEXIST) {
		log_warn("%s: SIOCPROTOATTACH_IN6", ifname);
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, nc->ifname, sizeof(ifr.ifr_name));
	/* Off on a new utun already: said for clarity, as Linux's accept_ra=0
	 * is, and harmless where the ioctl is gone. */
	if (ioctl(nc->s6, SIOCAUTOCONF_STOP, &ifr) < 0)
		log_warn("%s: SIOCAUTOCONF_STOP (the kernel's RA processing is off by default)",
		         ifname);
	if (!router)
		return 0;
	if (sysctlbyname("net.inet6.ip6.forwarding", &prev, &len, NULL, 0) < 0) {
		log_warn("net.inet6.ip6.forwarding");
		return -errno;
	}
	if (prev == 1)
		return 0; /* not ours to undo */
	if (sysctlbyname("net.inet6.ip6.forwarding", NULL, NULL, &on, sizeof(on)) < 0) {
		log_warn("net.inet6.ip6.forwarding=1");
		return -errno;
	}
	nc->fwd_set = true;
	nc->fwd_prev = prev;
	log_info("router mode: IPv6 forwarding on (net.inet6.ip6.forwarding=1 until exit)");
	return 0;
}

void
netcfg_close(struct netcfg *nc)
{
	if (nc == NULL)
		return;
	if (nc->fwd_set &&
	    sysctlbyname("net.inet6.ip6.forwarding", NULL, NULL, &nc->fwd_prev, sizeof(int)) < 0)
		log_warn("restoring net.inet6.ip6.forwarding");
	if (nc->s6 >= 0)
		close(nc->s6);
	if (nc->s4 >= 0)
		close(nc->s4);
	if (nc->rt >= 0)
		close(nc->rt);
	if (nc->mon >= 0)
		close(nc->mon);
	free(nc);
}

int
netcfg_query_link(struct netcfg *nc, bool *up, uint32_t *mtu)
{
	struct ifreq ifr;
	short flags;
	int r;

	if ((r = link_flags(nc, &flags)) < 0)
		return r;
	ifr_init(nc, &ifr);
	if (ioctl(nc->s4, SIOCGIFMTU, &ifr) < 0)
		return -errno;
	nc->up = *up = (flags & IFF_UP) != 0;
	nc->mtu = *mtu = (uint32_t)ifr.ifr_mtu;
	return 0;
}

int
netcfg_monitor_fd(const struct netcfg *nc)
{
	return nc->mon;
}

int
netcfg_monitor_read(struct netcfg *nc, bool *up, uint32_t *mtu)
{
	uint8_t buf[NC_RTBUF];
	bool link = false, v4addr = false, routes = false, was_up = nc->up;
	uint32_t was_mtu = nc->mtu;
	bool now_up;
	uint32_t now_mtu;
	ssize_t n;
	int r;

	while ((n = recv(nc->mon, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		struct rtmsg m;
		size_t used;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		if (rtmsg_parse(buf, (size_t)n, &m, &used) != RTMSG_OK)
			continue;
		switch (m.type) {
		case RTMSG_IFINFO:
			link |= m.index == nc->ifindex;
			break;
		case RTMSG_NEWADDR:
		case RTMSG_DELADDR:
			v4addr |= rtmsg_family(&m, RTMSG_AX_IFA) == RTMSG_AF_INET;
			break;
		default:
			/* Someone else's IPv6 default came or went (native IPv6,
			 * configd): ours follows (kroutes.h). */
			routes |= rtmsg_other_default6(&m, nc->pid);
			break;
		}
	}
	if (routes) {
		kr_recheck(&nc->kr);
		rt_check_default(nc);
		(void)rt_replan(nc, NULL);
	}
	r = v4addr ? NETCFG_EV_V4ADDR : 0;
	if (!link)
		return r;
	/* The kernel's word, not the message's: one may have been lost. */
	if ((r = netcfg_query_link(nc, &now_up, &now_mtu)) < 0)
		return r;
	r = v4addr ? NETCFG_EV_V4ADDR : 0;
	if (now_up == was_up && now_mtu == was_mtu)
		return r;
	/* Taken down by someone else (ifconfig utunN down): the routes go,
	 * as Linux's would; dp_link_came_up() puts them back. */
	if (!now_up && was_up)
		rt_flush(nc);
	*up = now_up;
	*mtu = now_mtu;
	return r | NETCFG_EV_LINK;
}
