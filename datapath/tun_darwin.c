/*
 * The macOS TUN: a utun interface, through the com.apple.net.utun_control
 * kernel control (../shared/MACOS-FACTS.md §1; checked against XNU
 * xnu-7195.50.7.100.1 = macOS 11 and xnu-11417.101.15, and the macOS 12.0
 * SDK):
 *
 * - socket(PF_SYSTEM, SOCK_DGRAM, SYSPROTO_CONTROL), CTLIOCGINFO for the
 *   control's id, connect() with a sockaddr_ctl (SDK sys/kern_control.h,
 *   sys/sys_domain.h, net/if_utun.h). The control is CTL_FLAG_PRIVILEGED:
 *   connect needs euid 0, the descriptor works afterwards without (XNU
 *   bsd/net/if_utun.c utun_register_control, bsd/kern/kern_control.c
 *   ctl_connect).
 * - The interface is utun<sc_unit - 1>; sc_unit 0 takes the first free one
 *   (kern_control.c ctl_connect -> if_utun.c utun_ctl_setup), a unit in use
 *   gives EBUSY. Its name is read back with UTUN_OPT_IFNAME, only possible
 *   after connect (if_utun.c utun_ctl_getopt). XNU cannot rename an
 *   interface (no SIOCSIFNAME), so macOS users see utunN, never isatap0;
 *   wireguard-go (tun/tun_darwin.go CreateTUN) and OpenVPN
 *   (src/openvpn/tun.c open_darwin_utun) do the same.
 * - Every packet carries a 4-octet family header: utun_io.c (utun.h).
 * - The interface dies with the descriptor, its addresses and routes with
 *   it (if_utun.c utun_ctl_disconnect).
 * - Output is lock-step with our reads unless UTUN_OPT_MAX_PENDING_PACKETS
 *   (public, default 1) lets the kernel queue more between two wake-ups
 *   (if_utun.c utun_start; Firezone raises it, firezone/firezone PR 13667);
 *   the socket buffers are 512 KiB (ctl_sendsize/ctl_recvsize).
 * - No offloads: macOS has no IFF_VNET_HDR; the private channel/netif paths
 *   need an Apple entitlement (if_utun.c utun_enable_channel).
 *
 * Not tried on a real Mac: run-time behaviour as read in the sources above.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_utun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/kern_control.h>
#include <sys/socket.h>
#include <sys/sys_domain.h>
#include <unistd.h>

#include "dp.h"
#include "log.h"
#include "platform.h"
#include "utun.h"

/* Packets the kernel may queue for us between two reads: a batch and as
 * much again, so that a wake-up finds a full batch waiting. */
#define TUN_PENDING (2 * DP_BATCH)
#define TUN_SOCKBUF (4 * 1024 * 1024)

const char tun_default_name[] = "utun";

_Static_assert(UTUN_AF_INET6 == AF_INET6 && UTUN_AF_INET == AF_INET, "utun.h families are XNU's");

int
tun_open(const char *want, char name[MSG_IFNAMSIZ], unsigned *ifindex)
{
	struct ctl_info info;
	struct sockaddr_ctl sc;
	socklen_t len = MSG_IFNAMSIZ;
	uint32_t unit, pending = TUN_PENDING;
	int fd, e, size = TUN_SOCKBUF, fl;

	if (utun_unit(want, &unit) < 0) {
		log_warnx("%s: on macOS the tunnel is a utun: -i utun (the first free one) or "
		          "-i utunN",
		          want);
		return -EINVAL;
	}
	if ((fd = socket(PF_SYSTEM, SOCK_DGRAM | SOCK_CLOEXEC, SYSPROTO_CONTROL)) < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	snprintf(info.ctl_name, sizeof(info.ctl_name), "%s", UTUN_CONTROL_NAME);
	if (ioctl(fd, CTLIOCGINFO, &info) < 0)
		goto fail;
	memset(&sc, 0, sizeof(sc));
	sc.sc_len = sizeof(sc);
	sc.sc_family = AF_SYSTEM;
	sc.ss_sysaddr = AF_SYS_CONTROL;
	sc.sc_id = info.ctl_id;
	sc.sc_unit = unit;
	if (connect(fd, (struct sockaddr *)&sc, sizeof(sc)) < 0)
		goto fail;
	memset(name, 0, MSG_IFNAMSIZ);
	if (getsockopt(fd, SYSPROTO_CONTROL, UTUN_OPT_IFNAME, name, &len) < 0)
		goto fail;
	name[MSG_IFNAMSIZ - 1] = '\0';
	if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	/* Best effort: the defaults work, only slower under load. */
	if (setsockopt(fd, SYSPROTO_CONTROL, UTUN_OPT_MAX_PENDING_PACKETS, &pending,
	               sizeof(pending)) < 0)
		log_warn("%s: UTUN_OPT_MAX_PENDING_PACKETS", name);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if ((*ifindex = if_nametoindex(name)) == 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	return -e;
}

int
tun_open_offload(const char *want, char name[MSG_IFNAMSIZ], unsigned *ifindex, bool *uso)
{
	(void)want;
	(void)name;
	(void)ifindex;
	*uso = false;
	return -EOPNOTSUPP;
}

ssize_t
tun_read(void *h, uint8_t *buf, size_t cap)
{
	return utun_read(h, buf, cap);
}

int
tun_write(void *h, const uint8_t *pkt, size_t len)
{
	return utun_write(h, pkt, len);
}

int
tun_writev(void *h, const struct iovec *iov, unsigned n)
{
	return utun_writev(h, iov, n);
}
