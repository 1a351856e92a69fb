/*
 * The operating-system edges of the datapath, one file per concern and per
 * system: tun_*.c (the TUN device: /dev/net/tun on Linux, a utun on macOS),
 * raw_*.c (the protocol-41 socket), netcfg_*.c (netlink and sysctls on
 * Linux; ioctls and the routing socket on macOS), sandbox_*.c (privilege
 * drop and confinement). main.c is the same on both.
 */
#ifndef ISATAP_DATAPATH_PLATFORM_H
#define ISATAP_DATAPATH_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "dp.h"

/* What -i names when not given: "isatap0" on Linux; "utun" on macOS, where
 * the kernel numbers the interface (utunN) and cannot rename it. */
extern const char tun_default_name[];
/*
 * Opens the TUN device asked for as want, non-blocking: on Linux the device
 * of that name (IFF_TUN | IFF_NO_PI; "name%d" lets the kernel number it);
 * on macOS a utun, "utun" for the first free one or "utunN" for that one.
 * Writes the name the interface really has into name (NUL-terminated) and
 * returns the fd and its ifindex, or -errno (-EBUSY: that one is taken).
 */
int tun_open(const char *want, char name[MSG_IFNAMSIZ], unsigned *ifindex);
/* dp_io callbacks; h points to the fd. */
ssize_t tun_read(void *h, uint8_t *buf, size_t cap);
int tun_write(void *h, const uint8_t *pkt, size_t len);
/* The same device with IFF_VNET_HDR and TUNSETOFFLOAD(TUN_F_CSUM |
 * TUN_F_TSO4 | TUN_F_TSO6, and TUN_F_USO4 | TUN_F_USO6 where the kernel has
 * them: *uso says): reads and writes carry a virtio-net header, and TCP (and
 * UDP) may come as super-packets (offload.h). -errno when the kernel cannot
 * (always -EOPNOTSUPP on macOS: a utun has no offloads); the caller then
 * falls back to tun_open(). */
int tun_open_offload(const char *want, char name[MSG_IFNAMSIZ], unsigned *ifindex, bool *uso);
int tun_writev(void *h, const struct iovec *iov, unsigned n);

/* raw_*.c: the raw IPv4 protocol-41 socket, non-blocking. */
struct raw_sock;
int raw_open(struct raw_sock **out, uint8_t ttl);
int raw_fd(const struct raw_sock *rs);
void raw_close(struct raw_sock *rs);
int raw_recv(void *h, struct dp_rx *rx, unsigned n);
unsigned raw_send(void *h, struct dp_tx *tx, unsigned n);

/* netcfg_*.c */
struct netcfg;
int netcfg_open(struct netcfg **out, unsigned ifindex);
void netcfg_close(struct netcfg *nc);
extern const struct dp_netcfg_ops netcfg_ops;
/*
 * Before the link first goes up: the kernel does no IPv6 autoconfiguration
 * of its own on the tunnel (no link-local of its own, no RA processing, no
 * SLAAC, no DAD: control owns all of it), and, in router mode, forwards
 * IPv6 until netcfg_close(). Logs what it could not set; 0 or -errno.
 */
int netcfg_prepare(struct netcfg *nc, const char *ifname, bool router);
/* Linux: writes /proc/sys/net/ipv6/conf/IFNAME/KEY (netcfg_sysctl4: ipv4). */
int netcfg_sysctl6(const char *ifname, const char *key, const char *value);
int netcfg_sysctl4(const char *ifname, const char *key, const char *value);
/* The broadcast addresses of the host's IPv4 subnets, at most max: how
 * many, or -errno. */
int netcfg_v4_broadcasts(struct netcfg *nc, struct in_addr *out, size_t max);
/* Linux, for the kernel fast path: the ifindex of the interface that
 * carries the IPv4 address v4 (0: none has it; or -errno), and the name of
 * an interface by its index (netlink, no ioctl). */
int netcfg_v4_ifindex(struct netcfg *nc, struct in_addr v4);
int netcfg_ifname(struct netcfg *nc, unsigned ifindex, char name[MSG_IFNAMSIZ]);
/* The interfaces that have an IPv4 address, at most max: how many, or -errno. */
int netcfg_v4_ifindexes(struct netcfg *nc, unsigned *out, size_t max);
/* Linux, router mode: IPv6 forwarding on the interface and, since Linux
 * forwards only with it, conf/all/forwarding; netcfg_close() puts the
 * latter back. */
int netcfg_router_forwarding(struct netcfg *nc, const char *ifname);
/* The link's current state, asked of the kernel. */
int netcfg_query_link(struct netcfg *nc, bool *up, uint32_t *mtu);
/* A socket that follows link changes, for the event loop: netlink on
 * Linux, the routing socket on macOS. */
int netcfg_monitor_fd(const struct netcfg *nc);
/* Drains it. Returns a mask: NETCFG_EV_LINK when our link's up/mtu changed
 * (*up, *mtu set), NETCFG_EV_V4ADDR when the host's IPv4 addresses changed;
 * or -errno, -ENODEV when the interface went away. */
#define NETCFG_EV_LINK   0x1
#define NETCFG_EV_V4ADDR 0x2
int netcfg_monitor_read(struct netcfg *nc, bool *up, uint32_t *mtu);

/* sandbox_*.c: true when set-up can run: root, or (Linux) CAP_NET_ADMIN
 * and CAP_NET_RAW effective (e.g. systemd AmbientCapabilities=). */
bool sandbox_can_start(void);
/* Linux: become uid/gid (when change_id) keeping only CAP_NET_ADMIN, then
 * no-new-privileges. macOS: the process stays root (XNU checks the address,
 * MTU and flag ioctls against the caller's euid when they are made), so
 * change_id is refused; limits that hold for root are set instead. */
int sandbox_drop(bool change_id, uid_t uid, gid_t gid);
/* The confinement of the running datapath: Linux, the syscall allow-list
 * (HAVE_SECCOMP; 0 without it), with fastpath the few bpf() commands and
 * the netlink socket the kernel fast path still makes; macOS, a Seatbelt
 * profile of our own (fastpath is never true there). */
int sandbox_seccomp(bool fastpath);

#endif
