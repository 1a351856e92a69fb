/*
 * Interface configuration on Linux through rtnetlink (libmnl): MTU, up/down,
 * IPv6 addresses with lifetimes, routes to the interface; the per-interface
 * IPv6 sysctls; and a second socket that follows link changes.
 *
 * All of it needs only CAP_NET_ADMIN, which the datapath keeps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "platform.h"

/* MNL_SOCKET_BUFFER_SIZE is a sysconf() call; this is its ceiling. */
#define NC_BUF 8192

/*
 * The datapath's own kernel routes (isatap-datapath(8), ROUTES) are told
 * apart from every other by their protocol and their metric: NC_RTPROT
 * (41, after the IP protocol ISATAP rides on; free in iproute2's
 * rt_protos), and NC_METRIC_BASE plus control's metric (at most
 * MSG_ROUTE_METRIC_MAX). The band lies above the metrics other sources
 * use (the kernel's 256 and 1024, NetworkManager, systemd-networkd,
 * dhcpcd), so that for the same prefix a route of the host's own always
 * wins over the tunnel's, and a default route over the tunnel is the way
 * out of last resort next to a native one.
 */
#define NC_RTPROT      41
#define NC_METRIC_BASE 1000000000u
_Static_assert(NC_METRIC_BASE + MSG_ROUTE_METRIC_MAX > NC_METRIC_BASE, "metric band fits");

struct netcfg {
	struct mnl_socket *nl;  /* requests, answered synchronously */
	struct mnl_socket *mon; /* RTMGRP_LINK and RTMGRP_IPV4_IFADDR notifications */
	unsigned portid;
	uint32_t seq;
	unsigned ifindex;
	bool up;
	uint32_t mtu;
	/* Router mode: conf/all/forwarding, kept open to put back on exit
	 * (a write needs only CAP_NET_ADMIN; an open would need a syscall
	 * the sandbox no longer allows). */
	int fwd_fd;
	char fwd_prev;
	/* RFC 4861 §6.3.4 parameters (SET_ND_PARAMS), opened at start for the
	 * same reason: conf/IF/hop_limit, neigh/IF/base_reachable_time_ms,
	 * neigh/IF/retrans_time_ms. -1: not opened. */
	int nd_fd[3];
};

int
netcfg_open(struct netcfg **out, unsigned ifindex)
{
	struct netcfg *nc;
	int e;

	if ((nc = calloc(1, sizeof(*nc))) == NULL)
		return -ENOMEM;
	nc->ifindex = ifindex;
	nc->fwd_fd = -1;
	nc->nd_fd[0] = nc->nd_fd[1] = nc->nd_fd[2] = -1;
	nc->seq = (uint32_t)time(NULL);
	if ((nc->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nc->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nc->portid = mnl_socket_get_portid(nc->nl);
	if ((nc->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK)) == NULL ||
	    mnl_socket_bind(nc->mon, RTMGRP_LINK | RTMGRP_IPV4_IFADDR, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	*out = nc;
	return 0;
fail:
	e = errno;
	netcfg_close(nc);
	return -e;
}

void
netcfg_close(struct netcfg *nc)
{
	if (nc == NULL)
		return;
	if (nc->fwd_fd >= 0) {
		if (pwrite(nc->fwd_fd, &nc->fwd_prev, 1, 0) != 1)
			log_warn("restoring net.ipv6.conf.all.forwarding");
		close(nc->fwd_fd);
	}
	for (int i = 0; i < 3; i++)
		if (nc->nd_fd[i] >= 0)
			close(nc->nd_fd[i]);
	if (nc->nl != NULL)
		mnl_socket_close(nc->nl);
	if (nc->mon != NULL)
		mnl_socket_close(nc->mon);
	free(nc);
}

/* Sends one request and waits for its ack: 0 or the kernel's -errno. */
static int
nl_talk(struct netcfg *nc, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	uint8_t buf[NC_BUF];
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nc->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nc->nl, buf, sizeof(buf));
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, nc->portid, cb, data);
		if (r < 0)
			return -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *
nl_start(struct netcfg *nc, uint8_t *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nc->seq;
	return nlh;
}

static int
link_change(struct netcfg *nc, unsigned flags, unsigned change, uint32_t mtu)
{
	uint8_t buf[NC_BUF];
	struct nlmsghdr *nlh = nl_start(nc, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)nc->ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (mtu != 0)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nc, nlh, NULL, NULL);
}

static int
nc_set_mtu(void *h, uint32_t mtu)
{
	return link_change(h, 0, 0, mtu);
}

static int
nc_set_up(void *h, bool up)
{
	return link_change(h, up ? IFF_UP : 0, IFF_UP, 0);
}

static int
nc_addr(void *h, bool add, const struct msg_addr *a)
{
	struct netcfg *nc = h;
	uint8_t buf[NC_BUF];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	bool ll = addr_is_linklocal(&a->addr);
	/*
	 * No DAD: an ISATAP address embeds the node's unique IPv4 address
	 * (RFC 5214 §6.1), and a TUN has no multicast to probe with. A global
	 * address makes no prefix route:
	 * on-link is what the RA's L flag says (ONLINK_ADD), not what the A
	 * flag implies (RFC 4861 §6.3.4, RFC 5942). fe80::/64 is always on-link.
	 */
	uint32_t flags = IFA_F_NODAD | (ll ? 0 : IFA_F_NOPREFIXROUTE);

	nlh = nl_start(nc, buf, add ? RTM_NEWADDR : RTM_DELADDR,
	               add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = a->plen;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_scope = ll ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = nc->ifindex;
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a->addr), &a->addr);
	if (add) {
		struct ifa_cacheinfo ci = {
		        .ifa_prefered = a->preferred_lft,
		        .ifa_valid = a->valid_lft,
		};
		mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	}
	return nl_talk(nc, nlh, NULL, NULL);
}

/* The main table's IPv6 routes for one prefix, each judged (kroute.c)
 * against the route we would add; the worst verdict wins. */
struct route_scan {
	const struct prefix6 *p;
	unsigned ifindex;
	uint32_t metric;
	enum dp_kroute_verdict v;
};

struct route_attrs {
	struct in6_addr dst;
	bool has_dst, multipath;
	uint32_t table, oif, metric;
};

static int
route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_attrs *ra = data;

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
		if (mnl_attr_get_payload_len(attr) == sizeof(ra->dst)) {
			memcpy(&ra->dst, mnl_attr_get_payload(attr), sizeof(ra->dst));
			ra->has_dst = true;
		}
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			ra->table = mnl_attr_get_u32(attr);
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			ra->oif = mnl_attr_get_u32(attr);
		break;
	case RTA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			ra->metric = mnl_attr_get_u32(attr);
		break;
	case RTA_MULTIPATH:
		ra->multipath = true;
		break;
	}
	return MNL_CB_OK;
}

static int
route_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_scan *sc = data;
	const struct rtmsg *rtm;
	struct route_attrs ra = {0};
	struct dp_kroute_seen seen;
	enum dp_kroute_verdict v;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)))
		return MNL_CB_OK;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET6 || rtm->rtm_dst_len != sc->p->plen ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	ra.table = rtm->rtm_table;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &ra);
	if (ra.table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (sc->p->plen > 0 && (!ra.has_dst || memcmp(&ra.dst, &sc->p->addr, sizeof(ra.dst)) != 0))
		return MNL_CB_OK;
	seen.oif = ra.multipath ? 0 : ra.oif;
	seen.protocol = rtm->rtm_protocol;
	seen.metric = ra.metric;
	v = dp_kroute_judge(&seen, sc->ifindex, NC_RTPROT, sc->metric);
	if (v > sc->v)
		sc->v = v;
	return MNL_CB_OK;
}

/*
 * One RTM_GETROUTE dump per route we add: routes change at RA pace, and
 * the kernel filters a dump by prefix for no one.
 */
static int
route_scan(struct netcfg *nc, const struct prefix6 *p, uint32_t metric)
{
	uint8_t buf[NC_BUF];
	struct nlmsghdr *nlh = nl_start(nc, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_scan sc = {.p = p, .ifindex = nc->ifindex, .metric = metric};
	int r;

	rtm->rtm_family = AF_INET6;
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	if ((r = nl_talk(nc, nlh, route_msg_cb, &sc)) < 0)
		return r;
	return (int)sc.v;
}

static int
nc_route(void *h, bool add, const struct prefix6 *p, uint32_t ctl_metric)
{
	struct netcfg *nc = h;
	uint8_t buf[NC_BUF];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	uint32_t metric = NC_METRIC_BASE + ctl_metric;
	int r;

	if (add) {
		if ((r = route_scan(nc, p, metric)) < 0)
			return r;
		if (r == DP_KROUTE_CLASH)
			return -EEXIST;
		if (r == DP_KROUTE_OURS)
			return 0;
	}
	/*
	 * Never NLM_F_REPLACE: IPv6 replaces a same-metric route of any
	 * interface. NLM_F_EXCL refuses one that appeared since the scan.
	 * The delete names our interface, protocol and metric, all of which
	 * the kernel matches (ip6_route_del), so it removes only what we added.
	 */
	nlh = nl_start(nc, buf, add ? RTM_NEWROUTE : RTM_DELROUTE,
	               add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = p->plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = NC_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (p->plen > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof(p->addr), &p->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, nc->ifindex);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return nl_talk(nc, nlh, NULL, NULL);
}

/* One pass over the host's IPv4 addresses (RTM_GETADDR dump). */
struct v4_scan {
	struct in_addr v4; /* looked for */
	bool found;
	unsigned ifindex; /* ... and the interface it is on, when found */
	unsigned *ifs;    /* the interfaces with an IPv4 address, when non-NULL */
	size_t n_ifs, max_ifs;
	struct in_addr *bcast; /* broadcast addresses collected, when non-NULL */
	size_t n_bcast, max_bcast;
};

struct v4_attrs {
	struct in_addr local, brd;
	bool has_local, has_brd;
};

static int
v4_attr_cb(const struct nlattr *attr, void *data)
{
	struct v4_attrs *va = data;

	if (mnl_attr_get_payload_len(attr) != sizeof(struct in_addr))
		return MNL_CB_OK;
	/* For IPv4, IFA_LOCAL is the address itself (IFA_ADDRESS is the
	 * peer on point-to-point links). */
	if (mnl_attr_get_type(attr) == IFA_LOCAL) {
		memcpy(&va->local, mnl_attr_get_payload(attr), sizeof(va->local));
		va->has_local = true;
	} else if (mnl_attr_get_type(attr) == IFA_BROADCAST) {
		memcpy(&va->brd, mnl_attr_get_payload(attr), sizeof(va->brd));
		va->has_brd = true;
	}
	return MNL_CB_OK;
}

static void
v4_add_bcast(struct v4_scan *sc, struct in_addr a)
{
	for (size_t i = 0; i < sc->n_bcast; i++)
		if (sc->bcast[i].s_addr == a.s_addr)
			return;
	if (sc->n_bcast < sc->max_bcast)
		sc->bcast[sc->n_bcast++] = a;
}

static int
v4_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct v4_scan *sc = data;
	const struct ifaddrmsg *ifa;
	struct v4_attrs va = {0};

	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET || ifa->ifa_prefixlen > 32)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), v4_attr_cb, &va);
	if (va.has_local && va.local.s_addr == sc->v4.s_addr && !sc->found) {
		sc->found = true;
		sc->ifindex = ifa->ifa_index;
	}
	if (sc->ifs != NULL && va.has_local) {
		size_t i;

		for (i = 0; i < sc->n_ifs; i++)
			if (sc->ifs[i] == ifa->ifa_index)
				break;
		if (i == sc->n_ifs && sc->n_ifs < sc->max_ifs)
			sc->ifs[sc->n_ifs++] = ifa->ifa_index;
	}
	if (sc->bcast == NULL)
		return MNL_CB_OK;
	if (va.has_brd)
		v4_add_bcast(sc, va.brd);
	/* Linux routes the subnet's all-ones address as broadcast whether or
	 * not "brd" was given (/31 and /32 have none, RFC 3021). */
	if (va.has_local && ifa->ifa_prefixlen > 0 && ifa->ifa_prefixlen < 31) {
		uint32_t mask = htonl(~0u << (32 - ifa->ifa_prefixlen));
		struct in_addr b = {.s_addr = (va.local.s_addr & mask) | ~mask};

		v4_add_bcast(sc, b);
	}
	return MNL_CB_OK;
}

static int
v4_scan(struct netcfg *nc, struct v4_scan *sc)
{
	uint8_t buf[NC_BUF];
	struct nlmsghdr *nlh = nl_start(nc, buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	/* A dump ends with NLMSG_DONE; an ack on top would be left unread. */
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	return nl_talk(nc, nlh, v4_msg_cb, sc);
}

static int
nc_v4_is_local(void *h, struct in_addr v4)
{
	struct v4_scan sc = {.v4 = v4};
	int r;

	if ((r = v4_scan(h, &sc)) < 0)
		return r;
	return sc.found;
}

int
netcfg_v4_broadcasts(struct netcfg *nc, struct in_addr *out, size_t max)
{
	struct v4_scan sc = {.bcast = out, .max_bcast = max};
	int r;

	if ((r = v4_scan(nc, &sc)) < 0)
		return r;
	return (int)sc.n_bcast;
}

int
netcfg_v4_ifindex(struct netcfg *nc, struct in_addr v4)
{
	struct v4_scan sc = {.v4 = v4};
	int r;

	if ((r = v4_scan(nc, &sc)) < 0)
		return r;
	return sc.found ? (int)sc.ifindex : 0;
}

int
netcfg_v4_ifindexes(struct netcfg *nc, unsigned *out, size_t max)
{
	struct v4_scan sc = {.ifs = out, .max_ifs = max};
	int r;

	if ((r = v4_scan(nc, &sc)) < 0)
		return r;
	return (int)sc.n_ifs;
}

static int
nc_write_u32(int fd, uint32_t v)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u\n", v);

	if (fd < 0)
		return -EOPNOTSUPP;
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

/* RFC 4861 §6.3.4, each value only when given (non-zero). */
static int
nc_set_nd_params(void *h, uint32_t hop_limit, uint32_t reachable_ms, uint32_t retrans_ms)
{
	struct netcfg *nc = h;
	const uint32_t v[3] = {hop_limit, reachable_ms, retrans_ms};
	int r;

	for (int i = 0; i < 3; i++)
		if (v[i] != 0 && (r = nc_write_u32(nc->nd_fd[i], v[i])) < 0)
			return r;
	return 0;
}

const struct dp_netcfg_ops netcfg_ops = {
        .set_mtu = nc_set_mtu,
        .set_up = nc_set_up,
        .addr = nc_addr,
        .route = nc_route,
        .v4_is_local = nc_v4_is_local,
        .set_nd_params = nc_set_nd_params,
};

/* The interface's hop limit, base reachable time and retransmission timer
 * sysctls, opened now for nc_set_nd_params() once sandboxed. */
static int
netcfg_open_nd(struct netcfg *nc, const char *ifname)
{
	static const char *const where[3][2] = {
	        {"conf", "hop_limit"},
	        {"neigh", "base_reachable_time_ms"},
	        {"neigh", "retrans_time_ms"},
	};
	char path[128];

	if (strchr(ifname, '/') != NULL)
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/%s/%s/%s", where[i][0], ifname,
		         where[i][1]);
		if ((nc->nd_fd[i] = open(path, O_RDWR | O_CLOEXEC)) < 0)
			return -errno;
	}
	return 0;
}

static int
sysctl_write(const char *family, const char *ifname, const char *key, const char *value)
{
	char path[128];
	size_t len = strlen(value);
	ssize_t n;
	int fd, e;

	if (strchr(ifname, '/') != NULL || strchr(key, '/') != NULL)
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = write(fd, value, len);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	return (size_t)n == len ? 0 : -EIO;
}

int
netcfg_sysctl6(const char *ifname, const char *key, const char *value)
{
	return sysctl_write("ipv6", ifname, key, value);
}

int
netcfg_sysctl4(const char *ifname, const char *key, const char *value)
{
	return sysctl_write("ipv4", ifname, key, value);
}

int
netcfg_router_forwarding(struct netcfg *nc, const char *ifname)
{
	char prev;
	int fd, r, e;

	if ((r = netcfg_sysctl6(ifname, "forwarding", "1")) < 0)
		return r;
	if ((fd = open("/proc/sys/net/ipv6/conf/all/forwarding", O_RDWR | O_CLOEXEC)) < 0)
		return -errno;
	if (pread(fd, &prev, 1, 0) != 1) {
		e = errno;
		close(fd);
		return e ? -e : -EIO;
	}
	if (prev == '1') {
		close(fd); /* not ours to undo */
		return 0;
	}
	if (pwrite(fd, "1", 1, 0) != 1) {
		e = errno;
		close(fd);
		return -e;
	}
	nc->fwd_fd = fd;
	nc->fwd_prev = prev;
	return 0;
}

/*
 * The kernel must do no IPv6 autoconfiguration of its own on the tunnel:
 * control owns addresses and router discovery. Set before the link first
 * goes up, or the kernel would already have made a link-local address.
 */
int
netcfg_prepare(struct netcfg *nc, const char *ifname, bool router)
{
	static const struct {
		const char *key, *value;
	} knobs[] = {
	        /* A host default of 1 would leave the tunnel IPv4-only. */
	        {"disable_ipv6", "0"},
	        /* IN6_ADDR_GEN_MODE_NONE: no kernel link-local; control adds fe80::5efe:V4. */
	        {"addr_gen_mode", "1"},
	        /* Control processes RAs and does SLAAC (RFC 4862) itself. */
	        {"accept_ra", "0"},
	        {"autoconf", "0"},
	        /* No DAD: an ISATAP address embeds a unique IPv4 address (RFC 5214 §6.1). */
	        {"dad_transmits", "0"},
	        /* Control judges Redirects (RFC 4861 §8.1). */
	        {"accept_redirects", "0"},
	        /* Control's addresses outlive a link flap (those without lifetimes;
	         * dp_link_came_up() restores the others). */
	        {"keep_addr_on_down", "1"},
	};
	int r;

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if ((r = netcfg_sysctl6(ifname, knobs[i].key, knobs[i].value)) < 0) {
			errno = -r;
			log_warn("net.ipv6.conf.%s.%s", ifname, knobs[i].key);
			return r;
		}
	}
	/* Not fatal: RA parameters are a SHOULD (RFC 4861 §6.3.4). */
	if ((r = netcfg_open_nd(nc, ifname)) < 0) {
		errno = -r;
		log_warn("RA parameters will not be applied to %s", ifname);
	}
	if (!router)
		return 0;
	/* Linux forwards IPv6 only with conf/all/forwarding (which also sets
	 * every interface's); a router is what --router asks for. */
	if ((r = netcfg_router_forwarding(nc, ifname)) < 0) {
		errno = -r;
		log_warn("IPv6 forwarding");
		return r;
	}
	log_info("router mode: IPv6 forwarding on (net.ipv6.conf.all.forwarding=1 until exit)");
	return 0;
}

struct link_info {
	unsigned ifindex;
	char name[MSG_IFNAMSIZ]; /* IFLA_IFNAME, for netcfg_ifname() */
	bool seen, gone, up;
	bool v4addr; /* an IPv4 address came or went somewhere on the host */
	uint32_t mtu;
};

static int
link_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_info *li = data;

	if (mnl_attr_get_type(attr) == IFLA_MTU && mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
		li->mtu = mnl_attr_get_u32(attr);
	if (mnl_attr_get_type(attr) == IFLA_IFNAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0 &&
	    mnl_attr_get_payload_len(attr) <= sizeof(li->name))
		memcpy(li->name, mnl_attr_get_str(attr), mnl_attr_get_payload_len(attr));
	return MNL_CB_OK;
}

static int
link_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
		li->v4addr = true; /* the group carries IPv4 only */
		return MNL_CB_OK;
	}
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	if ((unsigned)ifi->ifi_index != li->ifindex)
		return MNL_CB_OK;
	li->seen = true;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		li->gone = true;
		return MNL_CB_OK;
	}
	li->up = (ifi->ifi_flags & IFF_UP) != 0;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, li);
	return MNL_CB_OK;
}

int
netcfg_query_link(struct netcfg *nc, bool *up, uint32_t *mtu)
{
	uint8_t buf[NC_BUF];
	struct nlmsghdr *nlh = nl_start(nc, buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct link_info li = {.ifindex = nc->ifindex};
	int r;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)nc->ifindex;
	/* The answer is the link, then the ack NLM_F_ACK asked for. */
	if ((r = nl_talk(nc, nlh, link_msg_cb, &li)) < 0)
		return r;
	if (!li.seen)
		return -ENODEV;
	nc->up = *up = li.up;
	nc->mtu = *mtu = li.mtu;
	return 0;
}

/* Another interface's name, by netlink: no ioctl, which the sandbox
 * forbids (if_indextoname() would need one). */
int
netcfg_ifname(struct netcfg *nc, unsigned ifindex, char name[MSG_IFNAMSIZ])
{
	uint8_t buf[NC_BUF];
	struct nlmsghdr *nlh = nl_start(nc, buf, RTM_GETLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct link_info li = {.ifindex = ifindex};
	int r;

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	if ((r = nl_talk(nc, nlh, link_msg_cb, &li)) < 0)
		return r;
	if (!li.seen || li.name[0] == '\0')
		return -ENODEV;
	li.name[MSG_IFNAMSIZ - 1] = '\0';
	memcpy(name, li.name, MSG_IFNAMSIZ);
	return 0;
}

int
netcfg_monitor_fd(const struct netcfg *nc)
{
	return mnl_socket_get_fd(nc->mon);
}

int
netcfg_monitor_read(struct netcfg *nc, bool *up, uint32_t *mtu)
{
	uint8_t buf[NC_BUF];
	struct link_info li = {.ifindex = nc->ifindex, .up = nc->up, .mtu = nc->mtu};
	ssize_t n;
	int r;

	for (;;) {
		n = mnl_socket_recvfrom(nc->mon, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Notifications were lost: ask for the truth. */
				if ((r = netcfg_query_link(nc, &li.up, &li.mtu)) < 0)
					return r;
				li.seen = true;
				li.v4addr = true;
				continue;
			}
			return -errno;
		}
		/* Notifications carry seq 0 and the kernel's portid 0. */
		mnl_cb_run(buf, (size_t)n, 0, 0, link_msg_cb, &li);
	}
	if (li.gone)
		return -ENODEV;
	r = li.v4addr ? NETCFG_EV_V4ADDR : 0;
	if (!li.seen || (li.up == nc->up && li.mtu == nc->mtu))
		return r;
	nc->up = *up = li.up;
	nc->mtu = *mtu = li.mtu;
	return r | NETCFG_EV_LINK;
}
