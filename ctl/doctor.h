/*
 * `isatapctl doctor`: looks at the daemon's status and at the host, and says
 * in plain words what stands between this host and working ISATAP. The
 * judgement is pure (a status object plus what the ops report); the host is
 * reached only through struct doctor_ops, so tests feed it fakes.
 */
#ifndef ISATAP_CTL_DOCTOR_H
#define ISATAP_CTL_DOCTOR_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define DOCTOR_RESOLVE_MAX 16
#define DOCTOR_TEXT_MAX    512
#define DOCTOR_IFNAMSIZ    16

enum doctor_level {
	DOCTOR_OK,
	DOCTOR_INFO, /* worth knowing, not a fault */
	DOCTOR_WARN, /* degraded, still working */
	DOCTOR_FAIL, /* ISATAP does not work, or will not for long */
};
const char *doctor_level_name(enum doctor_level l); /* "ok", "info", "warn", "fail" */

/*
 * macOS (doctor_os_darwin.c): what stands for Linux's /proc knobs there, the
 * utun and the routing socket's view. NULL on Linux.
 */
struct doctor_utun_ops {
	/* Interface ifname: 0, whether it is up and its MTU; -ENXIO when there
	 * is no such interface. */
	int (*link)(void *ctx, const char *ifname, bool *up, unsigned *mtu);
	/* The IPv6 route to exactly prefix/plen (RTM_GET with a netmask): 0
	 * and the name of its interface, -ESRCH when there is none. */
	int (*route6)(void *ctx, const struct in6_addr *prefix, unsigned plen,
	              char ifname[DOCTOR_IFNAMSIZ]);
	/* Whether macOS's resolver asks for AAAA records (configd's flag):
	 * 0, or -ENOENT when there is no DNS configuration. */
	int (*dns_aaaa)(void *ctx, bool *aaaa);
};

struct doctor_ops {
	/*
	 * The IPv4 addresses of name, as the daemon's resolver would find them
	 * (search domains applied). Returns how many were stored (>= 0), or a
	 * negative value with *why set to the resolver's reason.
	 */
	int (*resolve4)(void *ctx, const char *name, struct in_addr *out, size_t max,
	                const char **why);
	/* /proc/sys/net/ipv6/conf/IFNAME/KNOB as an integer: 0, or -errno. */
	int (*read_knob)(void *ctx, const char *ifname, const char *knob, long *val);
	/* Whether the routing table has a route to v4: 0, or -errno
	 * (-ENETUNREACH). Nothing is sent. */
	int (*v4_route)(void *ctx, struct in_addr v4);
	/* The interface holding v4 and its MTU: 0, or -errno. */
	int (*v4_mtu)(void *ctx, struct in_addr v4, char ifname[DOCTOR_IFNAMSIZ], unsigned *mtu);
	void *ctx;
	/* macOS: its checks replace the Linux knobs' ("kernel"). */
	const struct doctor_utun_ops *utun;
};

/* The real ones: getaddrinfo(3), /proc (Linux) or the routing socket and
 * configd's DNS configuration (macOS), getifaddrs(3) + SIOCGIFMTU. */
extern const struct doctor_ops doctor_os_ops;

struct doctor_item {
	enum doctor_level level;
	char check[16]; /* "datapath", "locator", "router", "dns", "mtu", "kernel" */
	char text[DOCTOR_TEXT_MAX];
};

struct doctor_report {
	struct doctor_item *items;
	size_t n, cap;
};

/* Adds one item (for the checks in doctor*.c). */
void doctor_add(struct doctor_report *rep, enum doctor_level level, const char *check,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The macOS checks of the utun, its routes and the AAAA question
 * (doctor_utun.c), which run instead of the Linux knobs' when ops->utun. */
void doctor_utun(const json_t *status, const struct doctor_ops *ops, struct doctor_report *rep);

/* Runs every check on a `status` result. The report must be freed. */
void doctor_run(const json_t *status, const struct doctor_ops *ops, struct doctor_report *rep);
void doctor_free(struct doctor_report *rep);

/* True when no check failed (warnings allowed): the exit status 0. */
bool doctor_healthy(const struct doctor_report *rep);

/* "  ok    datapath  connected ..." lines and a closing verdict. */
void doctor_print(FILE *f, const struct doctor_report *rep);

/* {"version": 1, "healthy": bool, "checks": [{"check", "level", "text"}...]} */
json_t *doctor_json(const struct doctor_report *rep);

#endif
