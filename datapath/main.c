/*
 * isatap-datapath: the privileged half of the ISATAP client. Opens the TUN
 * device and the raw protocol-41 socket, sets the interface's IPv6 knobs,
 * drops to -u USER with only CAP_NET_ADMIN, then forwards and serves the
 * control daemon's requests from one event loop until SIGTERM/SIGINT.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "ctlsock.h"
#include "dp.h"
#include "evloop.h"
#include "fastpath.h"
#include "isatap.h"
#include "log.h"
#include "platform.h"

#define DP_DEFAULT_SOCKET RUNSTATEDIR "/isatap/datapath.sock"

/* The runtime is small and single-threaded: these live for the process. */
static struct dp dp;
static struct ctl_srv ctl;
static int tun_fd = -1;
static struct raw_sock *raw;
static struct netcfg *nc;
static struct fastpath *fp;

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
	        "usage: isatap-datapath [-dv] [--no-fastpath] [--no-offload] [--router] [-i "
	        "ifname]\n"
	        "                       [-m mtu] [-s socket] [-t ttl] [-U control-user] [-u user]\n"
	        "       isatap-datapath -h | --version\n");
	exit(status);
}

static long
num_arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "isatap-datapath: %s must be %ld..%ld: %s\n", what, lo, hi, s);
		exit(EX_USAGE);
	}
	return v;
}

static void
lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL)
		fatalx(EX_CONFIG, "unknown user %s", name);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
load_broadcasts(void)
{
	int n = netcfg_v4_broadcasts(nc, dp.bcast, DP_BCAST_MAX);

	if (n < 0) {
		errno = -n;
		log_warn("IPv4 broadcast addresses");
		return;
	}
	dp.n_bcast = (size_t)n;
}

static void
on_netlink(void)
{
	bool up;
	uint32_t mtu;
	int r;

	if ((r = netcfg_monitor_read(nc, &up, &mtu)) < 0) {
		if (r == -ENODEV)
			fatalx(EX_OSERR, "%s was deleted", dp.ifname);
		errno = -r;
		log_warn("link monitor");
		return;
	}
	if (r & NETCFG_EV_V4ADDR) {
		load_broadcasts();
		dp_locators_recheck(&dp);
		/* The locators may be on other interfaces now. */
		fastpath_sync(fp, &dp, true);
	}
	if (!(r & NETCFG_EV_LINK))
		return;
	/* Someone else (ip link) may have changed it: report the truth. */
	if (up && !dp.link_up)
		dp_link_came_up(&dp);
	dp.link_up = up;
	dp.tables_changed = true;
	log_info("%s is %s, mtu %u", dp.ifname, up ? "up" : "down", mtu);
	/* An MTU set behind our back that no outer datagram carries is not
	 * the tunnel's: what is longer gets a Packet Too Big with ours, and
	 * control hears "unknown" (0) rather than a value it must refuse. */
	if (mtu >= IPV6_MIN_MTU && mtu <= ISATAP_MAX_MTU)
		dp.mtu = mtu;
	else
		mtu = 0;
	ctl_link_event(&ctl, up, mtu);
}

/*
 * One loop (evloop.h) over the signals, the TUN, the raw socket, the link
 * monitor, the control listener and the control connection. Only the
 * control connection comes and goes.
 */
enum ev_tag { EV_TUN, EV_RAW, EV_NL, EV_LISTEN, EV_CTL };

static struct evloop *ev;
static int ev_ctl_fd = -1;  /* the control connection as registered */
static unsigned ev_ctl_gen; /* ... and its generation (ctl.gen) */
static short ev_ctl_events; /* ... and the events asked for */

static void
ev_add(int fd, enum ev_tag tag)
{
	int r;

	if ((r = evl_add(ev, fd, tag, POLLIN)) < 0) {
		errno = -r;
		fatal(EX_OSERR, "event loop");
	}
}

/* Called before the sandbox: creating the loop is not allowed after. */
static void
ev_open(void)
{
	static const int sigs[] = {SIGTERM, SIGINT};
	int r;

	if ((r = evl_open(&ev, sigs, sizeof(sigs) / sizeof(sigs[0]))) < 0) {
		errno = -r;
		fatal(EX_OSERR, "event loop");
	}
	ev_add(tun_fd, EV_TUN);
	ev_add(raw_fd(raw), EV_RAW);
	ev_add(netcfg_monitor_fd(nc), EV_NL);
	ev_add(ctl.lfd, EV_LISTEN);
}

/*
 * Brings the control connection's registration up to date. A closed
 * descriptor has already left the loop, and its number may come back with
 * the next connection: the generation tells them apart.
 */
static void
ev_sync_ctl(void)
{
	short want = ctl.cfd >= 0 ? ctl_events(&ctl) : 0;
	int r = 0;

	if (ctl.cfd == ev_ctl_fd && ctl.gen == ev_ctl_gen) {
		if (ctl.cfd < 0 || want == ev_ctl_events)
			return;
		r = evl_mod(ev, ctl.cfd, EV_CTL, want);
	} else {
		if (ev_ctl_fd >= 0)
			evl_del(ev, ev_ctl_fd);
		if (ctl.cfd >= 0)
			r = evl_add(ev, ctl.cfd, EV_CTL, want);
		ev_ctl_fd = ctl.cfd;
		ev_ctl_gen = ctl.gen;
	}
	if (r < 0) {
		errno = -r;
		fatal(EX_OSERR, "event loop");
	}
	ev_ctl_events = want;
}

static int
loop(void)
{
	struct log_rate rl = LOG_RATE_INIT(5, 1);
	struct evl_event evs[EV_CTL + 2];
	int n, r;

	for (;;) {
		ev_sync_ctl();
		if ((n = evl_wait(ev, evs, (int)(sizeof(evs) / sizeof(evs[0])), -1)) < 0) {
			errno = -n;
			fatal(EX_OSERR, "event loop");
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].tag == EVL_TAG_SIGNAL) {
				log_info("signal %d: unconfiguring %s and exiting", evs[i].signo,
				         dp.ifname);
				return 0;
			}
			switch ((enum ev_tag)evs[i].tag) {
			case EV_TUN:
				if ((r = dp_fwd_out(&dp)) < 0) {
					if (r == -EBADFD || r == -ENODEV)
						fatalx(EX_OSERR, "%s: %s", dp.ifname, strerror(-r));
					if (log_ratelimit(&rl, now_ms(), NULL))
						log_warnx("TUN read: %s", strerror(-r));
				}
				break;
			case EV_RAW:
				if ((r = dp_fwd_in(&dp)) < 0 && log_ratelimit(&rl, now_ms(), NULL))
					log_warnx("raw socket: %s", strerror(-r));
				break;
			case EV_NL:
				on_netlink();
				break;
			case EV_LISTEN:
				ctl_accept(&ctl);
				break;
			case EV_CTL:
				if (ctl.cfd >= 0 && ctl.cfd == ev_ctl_fd && ctl.gen == ev_ctl_gen)
					ctl_handle(&ctl, evs[i].revents);
				break;
			}
		}
		/* Once for all the requests of this wake-up: a rebuild stops the
		 * programs for an RCU grace period (fastpath_linux.c). */
		if (dp.tables_changed) {
			dp.tables_changed = false;
			fastpath_sync(fp, &dp, false);
		}
	}
}

/* struct dp's view of the fast path (dp.h): ctlsock.c and state.c know no
 * more of it than these. */
static void
fp_counters(void *h, uint64_t *v, size_t n)
{
	fastpath_add_counters(h, v, n);
}

static void
fp_prl_stats(void *h, struct msg_prl_stats *st)
{
	fastpath_add_prl_stats(h, st);
}

static void
fp_status(void *h, struct msg_fastpath *m)
{
	fastpath_get_status(h, m);
}

static bool
sanitized_build(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return true;
#endif
#endif
	return false;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
	        {"router", no_argument, NULL, 'R'},      {"no-offload", no_argument, NULL, 'O'},
	        {"no-fastpath", no_argument, NULL, 'F'}, {"version", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	const char *ifname = tun_default_name, *sock = DP_DEFAULT_SOCKET;
	const char *user = NULL, *ctl_user = NULL;
	uid_t uid = 0, ctl_uid = 0;
	gid_t gid = 0, ctl_gid = 0;
	bool foreground = false, verbose = false, router = false, offload = true, uso = false;
	bool fastpath = true;
	long mtu = ISATAP_DEFAULT_MTU, ttl = ISATAP_DEFAULT_TTL;
	unsigned ifindex;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "dhi:m:s:t:U:u:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			foreground = true;
			break;
		case 'h':
			usage(0);
		case 'i':
			if (strlen(optarg) == 0 || strlen(optarg) >= MSG_IFNAMSIZ ||
			    strchr(optarg, '/') != NULL) {
				fprintf(stderr, "isatap-datapath: bad interface name %s\n", optarg);
				exit(EX_USAGE);
			}
			ifname = optarg;
			break;
		case 'm':
			mtu = num_arg(optarg, IPV6_MIN_MTU, ISATAP_MAX_MTU, "MTU");
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			ttl = num_arg(optarg, 1, 255, "TTL");
			break;
		case 'U':
			ctl_user = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'R':
			router = true;
			break;
		case 'O':
			offload = false;
			break;
		case 'F':
			fastpath = false;
			break;
		case 'V':
			printf("isatap-datapath %s (message protocol %u; kernel fast path %s)\n",
			       ISATAP_VERSION_STRING, MSG_PROTO_VERSION, fastpath_built());
			exit(0);
		default:
			usage(EX_USAGE);
		}
	}
	if (optind != argc)
		usage(EX_USAGE);

	/* Set-up errors go to the terminal; syslog once we are a daemon. */
	log_init("isatap-datapath", 1, foreground || verbose);
	if (!sandbox_can_start())
		fatalx(EX_NOPERM, "needs root, or CAP_NET_ADMIN and CAP_NET_RAW (e.g. ambient "
		                  "capabilities from the service manager)");
	if (user != NULL) {
		lookup_user(user, &uid, &gid);
		/* Already that user (systemd User=): nothing to switch. */
		if (uid == getuid() && gid == getgid())
			user = NULL;
		else if (geteuid() != 0)
			fatalx(EX_NOPERM, "-u %s: only root can switch users", user);
	}
	if (ctl_user != NULL)
		lookup_user(ctl_user, &ctl_uid, &ctl_gid);

	/* SIGTERM and SIGINT arrive through the event loop (ev_open()). */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	memset(&dp, 0, sizeof(dp));
	dp.router_mode = router;
	dp.ttl = (uint8_t)ttl;
	if (dp_init(&dp) < 0)
		fatalx(EX_OSERR, "out of memory");

	/* TUN offloads when the kernel has them (offload.h); the plain TUN
	 * otherwise, or when asked to. */
	if (offload && (tun_fd = tun_open_offload(ifname, dp.ifname, &ifindex, &uso)) < 0) {
		errno = -tun_fd;
		if (tun_fd == -EBUSY)
			fatal(EX_CONFIG, "TUN %s", ifname);
		if (tun_fd != -EOPNOTSUPP)
			log_warn("TUN %s: no offloads, going on without", ifname);
		offload = false;
	}
	if (!offload && (tun_fd = tun_open(ifname, dp.ifname, &ifindex)) < 0) {
		errno = -tun_fd;
		fatal(tun_fd == -EBUSY ? EX_CONFIG : EX_OSERR, "TUN %s", ifname);
	}
	/* From here on the interface's own name (utunN on macOS). */
	ifname = dp.ifname;
	log_info("TUN %s: offloads %s", ifname,
	         !offload ? "off"
	         : uso    ? "checksum, TSO, USO"
	                  : "checksum, TSO (no USO before Linux 6.2)");
	dp.ifindex = ifindex;
	/* CAP_NET_RAW is not kept: the raw socket is opened now or never. */
	if ((r = raw_open(&raw, dp.ttl)) < 0) {
		errno = -r;
		fatal(EX_OSERR, "raw IPv4 protocol-41 socket");
	}
	if ((r = netcfg_open(&nc, ifindex)) < 0) {
		errno = -r;
		fatal(EX_OSERR, "interface configuration");
	}
	if ((r = netcfg_prepare(nc, ifname, router)) < 0) {
		errno = -r;
		fatal(EX_OSERR, "IPv6 settings of %s", ifname);
	}
	dp.io = (struct dp_io){
	        .tun_read = tun_read,
	        .tun_write = tun_write,
	        .tun_writev = tun_writev,
	        .vnet = offload,
	        .uso = uso,
	        .raw_recv = raw_recv,
	        .raw_send = raw_send,
	        .tun = &tun_fd,
	        .raw = raw,
	};
	dp.nc = &netcfg_ops;
	dp.nc_h = nc;
	if ((r = dp_set_mtu(&dp, (uint32_t)mtu)) < 0) {
		errno = -r;
		fatal(EX_OSERR, "MTU %ld on %s", mtu, ifname);
	}
	{
		bool up;
		uint32_t m;

		if ((r = netcfg_query_link(nc, &up, &m)) < 0) {
			errno = -r;
			fatal(EX_OSERR, "%s", ifname);
		}
	}

	load_broadcasts();
	/*
	 * The kernel fast path: loaded and attached now, while we have
	 * CAP_BPF (fastpath_linux.c says what each step needs); off, with one
	 * log line saying why, where the kernel, the build or our privileges
	 * do not allow it. The user-space path runs in every case.
	 */
	{
		struct fastpath_opts fo = {.enabled = fastpath, .verbose = verbose, .nc = nc};

		if (fastpath_open(&fp, &dp, &fo) < 0)
			fatalx(EX_OSERR, "out of memory");
		dp.fp_counters = fp_counters;
		dp.fp_prl_stats = fp_prl_stats;
		dp.fp_status = fp_status;
		dp.fp_h = fp;
	}
	ctl_init(&ctl, &dp, ctl_uid);
	dp.nd_up = ctl_nd_up;
	dp.nd_up_h = &ctl;
	if ((r = ctl_listen(&ctl, sock, ctl_uid)) < 0) {
		errno = -r;
		fatal(r == -EADDRINUSE || r == -EEXIST ? EX_CONFIG : EX_OSERR, "socket %s", sock);
	}

	if (!foreground) {
		if (daemon(0, 0) < 0)
			fatal(EX_OSERR, "daemon");
		log_init("isatap-datapath", 0, verbose);
	}
	ev_open();
	if ((r = sandbox_drop(user != NULL, uid, gid)) < 0) {
		errno = -r;
		fatal(EX_NOPERM, "dropping privileges");
	}
	log_info("%s (ifindex %u) ready%s; control socket %s for uid %u; running as uid %u", ifname,
	         ifindex, router ? " in router mode" : "", sock, (unsigned)ctl_uid,
	         (unsigned)getuid());

	if (sanitized_build()) {
		log_info("sanitizer build: no seccomp filter");
	} else if ((r = sandbox_seccomp(fastpath_active(fp))) < 0) {
		errno = -r;
		fatal(EX_OSERR, "seccomp");
	}
	r = loop();
	evl_close(ev);

	/* SIGTERM: our programs off the interfaces first (from then on the
	 * user-space path carries everything), then remove what we
	 * configured; the device goes with our fd. */
	dp.fp_counters = NULL;
	dp.fp_prl_stats = NULL;
	dp.fp_status = NULL;
	fastpath_close(fp);
	dp_unconfigure(&dp);
	ctl_close(&ctl);
	netcfg_close(nc);
	raw_close(raw);
	close(tun_fd);
	dp_free(&dp);
	return r;
}
