/*
 * isatap-datapath internals: the state control pushes, the forwarding loops,
 * the message server, and the small platform interfaces they run on.
 *
 * The forwarding and message code never calls the OS directly: it goes
 * through struct dp_io (TUN, raw socket) and struct dp_netcfg_ops (kernel
 * interface configuration), so that unit tests run it over socketpairs and
 * recording stubs, and macOS can supply its own utun/routing-socket backends.
 */
#ifndef ISATAP_DATAPATH_DP_H
#define ISATAP_DATAPATH_DP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"
#include "counters.h"
#include "isatap.h"
#include "msg.h"
#include "nexthop.h"
#include "offload.h"
#include "rate.h"

/* Packets moved per wake-up in each direction. */
#define DP_BATCH 32
/* Largest datagram either side can hand us: a 16-bit IPv4 total length. */
#define DP_PKT_MAX 65535
/* The longest read from a TUN with a virtio-net header: a UDP GSO packet
 * may be a whole 64 KiB IPv6 packet (payload length 65535), longer than
 * any one outer datagram, since it leaves cut into MTU-sized ones. */
#define DP_TUN_VNET_MAX (OFL_VNET_HDR_LEN + IPV6_HDR_LEN + 65535)
/* Batch buffers start a little over 64 KiB apart, room for the longest
 * read: each packet begins cache-line aligned. */
#define DP_BUF_STRIDE (65536 + 64)
_Static_assert(DP_BUF_STRIDE >= DP_TUN_VNET_MAX && DP_BUF_STRIDE % 64 == 0,
               "batch buffers hold the longest TUN read, aligned");
/* A super-packet's segments: its payload plus one header copy per segment
 * (at most 40 + 60 octets for TCP, 40 + 8 for UDP), rounded to the
 * allocation's alignment. A TCP one cut at an MSS too small for that
 * (fewer than about 656 octets) goes out in several passes of it. */
#define DP_SEGBUF_LEN (DP_BUF_STRIDE + OFL_TSO_MAX_SEGS * 128)
_Static_assert(DP_BUF_STRIDE + OFL_USO_MAX_SEGS * (40 + 8) <= DP_SEGBUF_LEN,
               "segbuf too small for the most UDP datagrams of one super-packet");
#define DP_OUTER_HDR 20 /* we never send IPv4 options (RFC 4213 §3.5) */

/* Previous locators kept in the locator set (RFC 5214 §6.2) while addresses
 * of theirs remain and their IPv4 address is still the host's. */
#define DP_RETIRED_MAX 3

/* Directed broadcast addresses of the host's IPv4 subnets we track. */
#define DP_BCAST_MAX 16

/*
 * ICMPv6 Destination Unreachable budget (RFC 4443 §2.4(f)): a burst of 10,
 * then 10 a second, as a token bucket. A flood of packets nobody can
 * deliver costs the host at most that many errors a second.
 */
#define DP_ICMP6_ERR_BURST 10
#define DP_ICMP6_ERR_PER_S 10

/*
 * Neighbor Discovery budgets (token buckets, nd_in.c). PRL routers: their
 * RAs and Redirects up to control and answers to their solicitations; a
 * router answers each RS (two per round, both link-local forms, for each of
 * up to 16 routers) once. Everyone else: answers to unicast NS, a few per
 * neighbour and ReachableTime in normal use.
 */
#define DP_ND_PRL_BURST 64
#define DP_ND_PRL_PER_S 32
#define DP_ND_BURST     64
#define DP_ND_PER_S     64

/* Kernel route metric of on-link prefixes the datapath installs. */
#define DP_ONLINK_METRIC 256

/* ---- the I/O edges the forwarding loops use ---------------------------------- */

/* One datagram received from the raw socket, outer IPv4 header included. */
struct dp_rx {
	uint8_t *buf;
	size_t cap;
	size_t len;
};

/* One datagram to send: the 20-octet outer header as we want it, then the
 * inner packet, never copied together. The platform's raw_send may send
 * the header as is, or (Linux, raw.c) ask the kernel for the same fields. */
struct dp_tx {
	struct in_addr dst;
	const uint8_t *hdr;
	const uint8_t *inner;
	size_t inner_len;
	int err; /* set by raw_send: 0 or a negative errno */
};

struct dp_io {
	/* One packet from the TUN into buf: its length, -EAGAIN when none is
	 * waiting, or another negative errno. */
	ssize_t (*tun_read)(void *h, uint8_t *buf, size_t cap);
	/* One IPv6 packet into the TUN: 0 or a negative errno. */
	int (*tun_write)(void *h, const uint8_t *pkt, size_t len);
	/* Up to n datagrams into rx[] (each rx[i].len set): how many,
	 * 0 when none is waiting, or a negative errno. */
	int (*raw_recv)(void *h, struct dp_rx *rx, unsigned n);
	/* Sends each of tx[0..n), setting tx[i].err; one failure does not
	 * stop the others. Returns how many were sent. */
	unsigned (*raw_send)(void *h, struct dp_tx *tx, unsigned n);
	/* With vnet: one packet into the TUN gathered from iov[0..n), the
	 * virtio-net header first. 0 or a negative errno. */
	int (*tun_writev)(void *h, const struct iovec *iov, unsigned n);
	void *tun;
	void *raw;
	/* The TUN has IFF_VNET_HDR and TSO/checksum offloads on (Linux):
	 * every read and write starts with a virtio-net header (offload.h). */
	bool vnet;
	/* With vnet, UDP segmentation offload too (TUN_F_USO4 | TUN_F_USO6,
	 * Linux >= 6.2): UDP super-packets both ways. */
	bool uso;
};

/* ---- the kernel interface configuration (netcfg_linux.c on Linux) ------------ */

struct dp_netcfg_ops {
	int (*set_mtu)(void *h, uint32_t mtu);
	int (*set_up)(void *h, bool up);
	/* Adds (or replaces the lifetimes of) or deletes an address. */
	int (*addr)(void *h, bool add, const struct msg_addr *a);
	/*
	 * Adds or deletes the kernel route prefix -> this interface, metric
	 * being control's (the system may map it into a band of its own).
	 * Never replaces a route: -EEXIST when one another interface or
	 * program owns would be replaced or hidden by this one (dp_kroute_judge);
	 * deletes only the route this op added.
	 */
	int (*route)(void *h, bool add, const struct prefix6 *p, uint32_t metric);
	/* 1 when v4 is assigned to one of this host's interfaces, 0 when not,
	 * or a negative errno. */
	int (*v4_is_local)(void *h, struct in_addr v4);
	/* RFC 4861 §6.3.4: the interface's hop limit, base reachable time and
	 * retransmission timer, each only when non-zero. May be NULL. */
	int (*set_nd_params)(void *h, uint32_t hop_limit, uint32_t reachable_ms,
	                     uint32_t retrans_ms);
};

/*
 * A route the kernel already has for the prefix the datapath is about to
 * add (same table): its interface (0 for a multipath route), protocol and
 * metric. kroute.c judges it against the route we would add.
 */
struct dp_kroute_seen {
	unsigned oif;
	uint8_t protocol;
	uint32_t metric;
};

enum dp_kroute_verdict {
	DP_KROUTE_FREE,  /* ours may be added next to it */
	DP_KROUTE_OURS,  /* it is the very route we would add */
	DP_KROUTE_CLASH, /* someone else's, and ours would replace or hide it */
};

/* kroute.c: r judged against our route (ifindex, protocol, metric). */
enum dp_kroute_verdict dp_kroute_judge(const struct dp_kroute_seen *r, unsigned ifindex,
                                       uint8_t protocol, uint32_t metric);

/* ---- everything the datapath holds ----------------------------------------------- */

struct dp {
	/* fixed at start */
	bool router_mode;
	uint8_t ttl;
	char ifname[MSG_IFNAMSIZ];
	uint32_t ifindex;

	/* pushed by control (or set at start: mtu) */
	bool link_up;
	uint32_t mtu;
	struct in_addr locator; /* INADDR_ANY: none */
	/*
	 * The rest of the locator set (RFC 5214 §6.2): previous locators
	 * whose IPv4 address the host still has and whose addresses control
	 * has not yet withdrawn (make-before-break). Inbound traffic to them
	 * is accepted, and what is sent from one of their addresses leaves
	 * from them, as a peer's RFC 5214 §7.3 check requires. state.c keeps
	 * it; dp_locator_is_ours() answers for the whole set.
	 */
	struct in_addr retired[DP_RETIRED_MAX];
	size_t n_retired;
	struct in_addr prl[MSG_PRL_MAX];
	size_t n_prl;
	/* Per PRL router: datagrams sent to it as next hop and accepted from
	 * it, for control's router reachability (MSG_PRL_STATS); kept across
	 * SET_PRL for the routers that stay. prl_hint: the last index hit. */
	uint64_t prl_out[MSG_PRL_MAX], prl_in[MSG_PRL_MAX];
	size_t prl_hint;
	struct msg_addr addrs[MSG_ADDR_MAX];
	struct in6_addr local[MSG_ADDR_MAX]; /* addrs[i].addr, for decap_check() */
	uint64_t addr_at[MSG_ADDR_MAX];      /* boot_ms() when addrs[i]'s lifetimes were given */
	size_t n_addrs;
	struct nh_route routes[MSG_ROUTE_MAX];
	size_t n_routes;
	struct prefix6 onlink[MSG_ONLINK_MAX];
	size_t n_onlink;

	/* The host's IPv4 subnet broadcast addresses (from the kernel, not
	 * control): never a peer, as outer source or as next hop. */
	struct in_addr bcast[DP_BCAST_MAX];
	size_t n_bcast;

	uint64_t counters[DPC_COUNT];
	uint16_t ip_id; /* outer IPv4 identification, RFC 6864 */

	/* Monotonic milliseconds, read only to rate-limit ICMPv6 errors;
	 * dp_init() sets dp_clock_ms, tests their own clock. */
	uint64_t (*now_ms)(void);
	struct rate_bucket icmp6_rate;
	/* Milliseconds that count suspend, for address lifetimes; dp_init()
	 * sets dp_boottime_ms. NULL: nothing ages (tests without a clock). */
	uint64_t (*boot_ms)(void);
	/* Neighbor Discovery passed up or answered (nd_in.c): from PRL
	 * routers, and from anyone else, so that a neighbour's flood never
	 * spends the routers' budget. */
	struct rate_bucket nd_prl_rate, nd_rate;

	struct dp_io io;
	const struct dp_netcfg_ops *nc;
	void *nc_h;

	/* Where DECAP_ACCEPT_ND packets go: the message server, when a
	 * control daemon is connected. Returns 0, or -errno if not passed. */
	int (*nd_up)(void *h, struct in_addr outer_src, const uint8_t *pkt, size_t len);
	void *nd_up_h;

	/*
	 * The kernel fast path (fastpath.h), when main.c has one: its share
	 * of the counters is added to ours (dp_get_counters()), and it
	 * answers GET_FASTPATH. NULL in the unit tests and the fuzz target,
	 * which then answer "no fast path". tables_changed: a request of
	 * control's may have changed the tables above; main.c brings the
	 * fast path's maps up to date once the requests of a wake-up are done.
	 */
	void (*fp_counters)(void *h, uint64_t *v, size_t n);
	void (*fp_prl_stats)(void *h, struct msg_prl_stats *st);
	void (*fp_status)(void *h, struct msg_fastpath *m);
	void *fp_h;
	bool tables_changed;

	/* Batch buffers, allocated once by dp_init(): never per packet. */
	uint8_t *rxbuf;  /* DP_BATCH * DP_BUF_STRIDE, raw socket side */
	uint8_t *tunbuf; /* DP_BATCH * DP_BUF_STRIDE, TUN side */
	uint8_t hdrs[DP_BATCH][DP_OUTER_HDR];
	struct dp_rx rx[DP_BATCH];
	struct dp_tx tx[DP_BATCH];
	/* With io.vnet: the segments of one TCP or UDP super-packet
	 * (DP_SEGBUF_LEN), and the receive coalescing state of one inbound
	 * batch. */
	uint8_t *segbuf;
	struct ofl_seg segs[OFL_SEG_MAX];
	struct ofl_gro gro;
	/* One ICMPv6 error on its way into the TUN, behind a virtio-net
	 * header of zeros with io.vnet. */
	uint8_t icmp6_err[OFL_VNET_HDR_LEN + ICMP6_ERR_MAX_LEN];
};

/* state.c */
int dp_init(struct dp *dp);
void dp_free(struct dp *dp);
int dp_set_locator(struct dp *dp, struct in_addr v4);
int dp_set_prl(struct dp *dp, const struct msg_prl *m);
int dp_addr_add(struct dp *dp, const struct msg_addr *m);
int dp_addr_del(struct dp *dp, const struct msg_addr *m);
int dp_route_add(struct dp *dp, const struct msg_route *m);
int dp_route_del(struct dp *dp, const struct msg_route *m);
int dp_onlink_add(struct dp *dp, const struct msg_onlink *m);
int dp_onlink_del(struct dp *dp, const struct msg_onlink *m);
int dp_set_mtu(struct dp *dp, uint32_t mtu);
int dp_set_nd_params(struct dp *dp, const struct msg_nd_params *m);
int dp_set_link(struct dp *dp, bool up);
/* The link went up (by us or by someone else): installs the kernel routes. */
void dp_link_came_up(struct dp *dp);
bool dp_in_prl(const struct dp *dp, struct in_addr v4);
/* v4 is one of our locators: the one place that answers it, for every
 * check that needs to (the set may hold more than the current one). */
bool dp_locator_is_ours(const struct dp *dp, struct in_addr v4);
/* The host's IPv4 addresses changed: previous locators it no longer has
 * leave the set (RFC 5214 §6.2). */
void dp_locators_recheck(struct dp *dp);
/* The outer source for a packet from inner source src: the previous
 * locator its ISATAP interface identifier embeds, else the current one. */
struct in_addr dp_locator_for(const struct dp *dp, const struct in6_addr *src);
void dp_get_state(const struct dp *dp, struct msg_state *s);
void dp_get_counters(const struct dp *dp, struct msg_counters *c);
void dp_get_prl_stats(const struct dp *dp, struct msg_prl_stats *st);
/* The PRL index of v4, or -1 (one compare when it is the last one asked). */
int dp_prl_index(struct dp *dp, struct in_addr v4);
/* Removes from the kernel every address and route the datapath added, and
 * takes the link down (SIGTERM). */
void dp_unconfigure(struct dp *dp);

/* clock.c: CLOCK_MONOTONIC in milliseconds; and a clock that counts
 * suspend (CLOCK_BOOTTIME where there is one). */
uint64_t dp_clock_ms(void);
uint64_t dp_boottime_ms(void);
/* state.c: addrs[i] with its lifetimes aged to now; false when its valid
 * lifetime has run out. */
bool dp_addr_aged(const struct dp *dp, size_t i, struct msg_addr *out);

/* fwd.c */
/* Moves up to DP_BATCH packets TUN -> network. Returns how many were read
 * from the TUN (0: it is drained), or a negative errno from the TUN. */
int dp_fwd_out(struct dp *dp);
/* Moves up to DP_BATCH datagrams network -> TUN (or up to control).
 * Returns how many were received, or a negative errno. */
int dp_fwd_in(struct dp *dp);
/* Builds and sends a Router Solicitation to a PRL member (RFC 5214 §8.3.4). */
int dp_send_rs(struct dp *dp, struct in_addr router, bool u_bit);
/* One packet of the datapath's own to v4 (counted as a send error if it
 * fails): 0 or a negative errno. */
int dp_send_one(struct dp *dp, struct in_addr v4, const uint8_t *pkt, size_t len);
/* An accepted ND packet into the TUN, or up to control (counted). */
void dp_nd_to_tun(struct dp *dp, const uint8_t *pkt, size_t len);
void dp_nd_to_control(struct dp *dp, struct in_addr src, const uint8_t *pkt, size_t len);

/* nd_in.c */
/* What an ND message decap_check() accepted becomes: answered (NS for our
 * addresses), up to control (RA, Redirect from the PRL), into the TUN
 * (router mode), or dropped and counted. */
void dp_nd_input(struct dp *dp, struct in_addr src, const uint8_t *pkt, size_t len);
/* An address we answer Neighbor Solicitations for. */
bool dp_nd_target_ours(const struct dp *dp, const struct in6_addr *t);

#endif
