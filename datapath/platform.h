/*
 * The operating-system edges of the datapath, one file per concern:
 * tun_linux.c (the TUN device), raw.c (the protocol-41 socket),
 * netcfg_linux.c (netlink and sysctls), sandbox.c (privilege drop).
 * A macOS port supplies tun_darwin.c / netcfg_darwin.c behind the same names.
 */
#ifndef ISATAP_DATAPATH_PLATFORM_H
#define ISATAP_DATAPATH_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "dp.h"

/* tun_linux.c: opens the TUN device named name (IFF_TUN | IFF_NO_PI,
 * non-blocking). Returns the fd and the kernel's ifindex, or -errno. */
int tun_open(const char *name, unsigned *ifindex);
/* dp_io callbacks; h points to the fd. */
ssize_t tun_read(void *h, uint8_t *buf, size_t cap);
int tun_write(void *h, const uint8_t *pkt, size_t len);
/* The same device with IFF_VNET_HDR and TUNSETOFFLOAD(TUN_F_CSUM |
 * TUN_F_TSO4 | TUN_F_TSO6, and TUN_F_USO4 | TUN_F_USO6 where the kernel has
 * them: *uso says): reads and writes carry a virtio-net header, and TCP (and
 * UDP) may come as super-packets (offload.h). -errno when the kernel cannot;
 * the caller then falls back to tun_open(). */
int tun_open_offload(const char *name, unsigned *ifindex, bool *uso);
int tun_writev(void *h, const struct iovec *iov, unsigned n);

/* raw.c: the raw IPv4 protocol-41 socket, non-blocking. */
struct raw_sock;
int raw_open(struct raw_sock **out, uint8_t ttl);
int raw_fd(const struct raw_sock *rs);
void raw_close(struct raw_sock *rs);
int raw_recv(void *h, struct dp_rx *rx, unsigned n);
unsigned raw_send(void *h, struct dp_tx *tx, unsigned n);

/* netcfg_linux.c */
struct netcfg;
int netcfg_open(struct netcfg **out, unsigned ifindex);
void netcfg_close(struct netcfg *nc);
extern const struct dp_netcfg_ops netcfg_ops;
/* Writes /proc/sys/net/ipv6/conf/IFNAME/KEY. */
int netcfg_sysctl6(const char *ifname, const char *key, const char *value);
/* Opens the interface's hop limit, base reachable time and retransmission
 * timer sysctls, for netcfg_ops.set_nd_params once sandboxed. */
int netcfg_open_nd(struct netcfg *nc, const char *ifname);
/* The broadcast addresses of the host's IPv4 subnets, at most max: how
 * many, or -errno. */
int netcfg_v4_broadcasts(struct netcfg *nc, struct in_addr *out, size_t max);
/* Router mode: IPv6 forwarding on the interface and, since Linux forwards
 * only with it, conf/all/forwarding; netcfg_close() puts the latter back. */
int netcfg_router_forwarding(struct netcfg *nc, const char *ifname);
/* The link's current state, asked of the kernel. */
int netcfg_query_link(struct netcfg *nc, bool *up, uint32_t *mtu);
/* A netlink socket subscribed to link changes, for poll(). */
int netcfg_monitor_fd(const struct netcfg *nc);
/* Drains it. Returns a mask: NETCFG_EV_LINK when our link's up/mtu changed
 * (*up, *mtu set), NETCFG_EV_V4ADDR when the host's IPv4 addresses changed;
 * or -errno, -ENODEV when the interface went away. */
#define NETCFG_EV_LINK   0x1
#define NETCFG_EV_V4ADDR 0x2
int netcfg_monitor_read(struct netcfg *nc, bool *up, uint32_t *mtu);

/* sandbox.c: true when set-up can run: root, or CAP_NET_ADMIN and
 * CAP_NET_RAW effective (e.g. systemd AmbientCapabilities=). */
bool sandbox_can_start(void);
/* Become uid/gid (when change_id) keeping only CAP_NET_ADMIN,
 * then no-new-privileges. */
int sandbox_drop(bool change_id, uid_t uid, gid_t gid);
/* The syscall allow-list (HAVE_SECCOMP); 0 without it. */
int sandbox_seccomp(void);

#endif
