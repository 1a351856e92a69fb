/* The fast path under BPF_PROG_TEST_RUN: see tu_fastpath.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/lib/tu_fastpath.h"

#ifdef HAVE_FASTPATH
#include <arpa/inet.h>
#include <errno.h>
#include <linux/types.h>
#include <net/if.h>
#include <net/route.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "bpf/fastpath_abi.h"
#include "datapath/fastpath_linux.h"
#include "ecn.h"
#include "isatap.h"
#include "isatap.skel.h"
#include "pkt.h"
#include "tests/unit/lib/tu_fastpath.h"

_Static_assert(TU_FP_SLOTS == FP_STATS_SLOTS, "one delta per slot");

#define ETH_LEN 14

struct tu_fp {
	struct isatap_bpf *skel;
	int ncpu;
	uint64_t *pcpu; /* ncpu values of one slot */
};

/* The routes of the namespace (tu_fastpath.h), network order. */
static const struct {
	uint32_t net, mask;
} routes[] = {
        {0xc0000200, 0xffffff00}, /* 192.0.2.0/24 */
        {0xc6336400, 0xffffff00}, /* 198.51.100.0/24 */
        {0xcb007100, 0xffffff00}, /* 203.0.113.0/24 */
};

static bool
has_route(struct in_addr a)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if ((ntohl(a.s_addr) & routes[i].mask) == routes[i].net)
			return true;
	return false;
}

static int
netns_setup(char *why, size_t n)
{
	struct ifreq ifr = {0};
	int s, e;

	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(why, n, "unshare(CLONE_NEWNET): %s (needs root)", strerror(errno));
		return -1;
	}
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(why, n, "socket: %s", strerror(errno));
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_mtu = TU_FP_LO_MTU;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		goto fail;
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct rtentry rt = {0};
		struct sockaddr_in *dst = (struct sockaddr_in *)&rt.rt_dst;
		struct sockaddr_in *mask = (struct sockaddr_in *)&rt.rt_genmask;
		char dev[] = "lo";

		dst->sin_family = AF_INET;
		dst->sin_addr.s_addr = htonl(routes[i].net);
		mask->sin_family = AF_INET;
		mask->sin_addr.s_addr = htonl(routes[i].mask);
		rt.rt_flags = RTF_UP;
		rt.rt_dev = dev;
		if (ioctl(s, SIOCADDRT, &rt) < 0)
			goto fail;
	}
	close(s);
	/* lo is the test run's TUN: IPv4 forwarding on, as the datapath
	 * sets it on its TUN (fp_egress.h: bpf_fib_lookup() needs it). */
	FILE *f = fopen("/proc/sys/net/ipv4/conf/lo/forwarding", "w");
	if (f == NULL || fputs("1", f) < 0 || fclose(f) != 0) {
		snprintf(why, n, "IPv4 forwarding on lo in the test's namespace: %s",
		         strerror(errno));
		return -1;
	}
	return 0;
fail:
	e = errno;
	snprintf(why, n, "setting up lo in the test's namespace: %s", strerror(e));
	close(s);
	return -1;
}

__attribute__((format(printf, 2, 0))) static int
quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* The verifier's log when a load fails: that is the news. */
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

struct tu_fp *
tu_fp_open(char *why, size_t n)
{
	return tu_fp_open_decap(fastpath_kernel_decap_flags() > 0, why, n);
}

struct tu_fp *
tu_fp_open_decap(bool flags, char *why, size_t n)
{
	struct tu_fp *fp;
	int e;

	if (geteuid() != 0) {
		snprintf(why, n, "needs root (a network namespace, CAP_BPF, CAP_NET_ADMIN)");
		return NULL;
	}
	if (netns_setup(why, n) < 0)
		return NULL;
	libbpf_set_print(quiet);
	fp = calloc(1, sizeof(*fp));
	assert_non_null(fp);
	fp->ncpu = libbpf_num_possible_cpus();
	assert_true(fp->ncpu > 0);
	fp->pcpu = calloc((size_t)fp->ncpu, sizeof(uint64_t));
	assert_non_null(fp->pcpu);
	fp->skel = isatap_bpf__open();
	if (fp->skel != NULL) {
		/* As fastpath_linux.c fp_load() sets it. */
		fp->skel->rodata->fp_decap_flags = flags;
		if ((e = isatap_bpf__load(fp->skel)) < 0) {
			isatap_bpf__destroy(fp->skel);
			fp->skel = NULL;
			errno = -e;
		}
	}
	if (fp->skel == NULL) {
		e = errno;
		snprintf(why, n, "loading bpf/isatap.bpf.o: %s", strerror(e));
		free(fp->pcpu);
		free(fp);
		return NULL;
	}
	return fp;
}

/* In a child: uid and gid 65534 with CAP_BPF and CAP_NET_ADMIN alone,
 * then the skeleton's load; its exit status says how it went. */
static int
load_unprivileged(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	struct isatap_bpf *skel;

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = 1u << CAP_NET_ADMIN;
	d[1].effective = d[1].permitted = 1u << (CAP_BPF - 32);
	if (prctl(PR_SET_KEEPCAPS, 1) != 0 || setgroups(0, NULL) != 0 ||
	    setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0 ||
	    syscall(SYS_capset, &h, d) != 0) {
		fprintf(stderr, "dropping to CAP_BPF+CAP_NET_ADMIN: %s\n", strerror(errno));
		return 2;
	}
	if ((skel = isatap_bpf__open_and_load()) == NULL)
		return 1;
	isatap_bpf__destroy(skel);
	return 0;
}

int
tu_fp_load_as_unprivileged(void)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(load_unprivileged());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

void
tu_fp_close(struct tu_fp *fp)
{
	if (fp == NULL)
		return;
	isatap_bpf__destroy(fp->skel);
	free(fp->pcpu);
	free(fp);
}

/* ---- maps ---------------------------------------------------------------------- */

static void
map_clear(int fd, size_t key_size)
{
	uint8_t key[64];

	assert_true(key_size <= sizeof(key));
	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		assert_int_equal(bpf_map_delete_elem(fd, key), 0);
}

static void
put(struct bpf_map *m, const void *key, const void *val)
{
	if (bpf_map_update_elem(bpf_map__fd(m), key, val, BPF_ANY) != 0)
		fail_msg("map %s: update: %s", bpf_map__name(m), strerror(errno));
}

static void
clear_all(struct tu_fp *fp)
{
	struct isatap_bpf *s = fp->skel;

	map_clear(bpf_map__fd(s->maps.fp_prl), sizeof(__u32));
	map_clear(bpf_map__fd(s->maps.fp_prl_stats), sizeof(__u32));
	map_clear(bpf_map__fd(s->maps.fp_local), sizeof(struct fp_in6));
	map_clear(bpf_map__fd(s->maps.fp_onlink), sizeof(struct fp_lpm6));
	map_clear(bpf_map__fd(s->maps.fp_routes), sizeof(struct fp_lpm6));
	map_clear(bpf_map__fd(s->maps.fp_ifaces), sizeof(__u32));
	map_clear(bpf_map__fd(s->maps.fp_bcast), sizeof(__u32));
}

/* A zeroed fp_prl_stats entry, as the datapath inserts one per router. */
static void
prl_stats_entry(struct tu_fp *fp, struct in_addr router)
{
	struct fp_prl_count *z = calloc((size_t)fp->ncpu, sizeof(*z));

	assert_non_null(z);
	put(fp->skel->maps.fp_prl_stats, &router.s_addr, z);
	free(z);
}

bool
tu_fp_prl_count(struct tu_fp *fp, struct in_addr router, uint64_t *in, uint64_t *out)
{
	struct fp_prl_count *v = calloc((size_t)fp->ncpu, sizeof(*v));
	bool found;

	assert_non_null(v);
	found = bpf_map_lookup_elem(bpf_map__fd(fp->skel->maps.fp_prl_stats), &router.s_addr, v) ==
	        0;
	*in = *out = 0;
	for (int c = 0; found && c < fp->ncpu; c++) {
		*in += v[c].in_packets;
		*out += v[c].out_packets;
	}
	free(v);
	return found;
}

static void
load_common(struct tu_fp *fp, struct in_addr locator, const struct in_addr *retired,
            size_t n_retired, const struct prefix6 *onlink, size_t n_onlink, bool router,
            const struct tu_fp_extra *x)
{
	struct isatap_bpf *s = fp->skel;
	struct fp_cfg cfg;
	__u32 zero = 0, ifx = TU_FP_IFINDEX;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = (x->disabled ? 0 : FP_F_ENABLED) | (router ? FP_F_ROUTER : 0) |
	            (x->link_down ? 0 : FP_F_LINK_UP);
	cfg.tun_ifindex = TU_FP_IFINDEX;
	cfg.locator = locator.s_addr;
	assert_true(n_retired <= FP_RETIRED_MAX);
	for (size_t i = 0; i < n_retired; i++)
		cfg.retired[i] = retired[i].s_addr;
	cfg.mtu = x->mtu;
	cfg.ttl = TU_FP_TTL;
	cfg.generation = 1;
	put(s->maps.fp_cfg, &zero, &cfg);
	put(s->maps.fp_ifaces, &ifx, &zero);
	for (size_t i = 0; i < n_onlink; i++) {
		struct fp_lpm6 k = {.prefixlen = onlink[i].plen};

		memcpy(k.addr, &onlink[i].addr, 16);
		put(s->maps.fp_onlink, &k, &zero);
	}
	for (size_t i = 0; i < x->n_bcast; i++)
		put(s->maps.fp_bcast, &x->bcast[i].s_addr, &zero);
	for (size_t i = 0; i < x->n_prl; i++)
		prl_stats_entry(fp, x->prl[i]);
}

void
tu_fp_load_decap(struct tu_fp *fp, const struct decap_ctx *ctx, const struct tu_fp_extra *x)
{
	struct isatap_bpf *s = fp->skel;
	__u32 zero = 0;

	clear_all(fp);
	load_common(fp, ctx->locator, ctx->retired, ctx->n_retired, ctx->onlink, ctx->n_onlink,
	            ctx->router_mode, x);
	for (size_t i = 0; i < ctx->n_prl; i++) {
		put(s->maps.fp_prl, &ctx->prl[i].s_addr, &zero);
		prl_stats_entry(fp, ctx->prl[i]);
	}
	for (size_t i = 0; i < ctx->n_local; i++)
		put(s->maps.fp_local, &ctx->local[i], &zero);
}

/* One route per prefix, the lowest metric, the first listed on a tie:
 * what nh_lookup()'s route_lookup() picks among routes of one prefix. */
void
tu_fp_load_nh(struct tu_fp *fp, const struct nh_ctx *ctx, const struct tu_fp_extra *x)
{
	struct isatap_bpf *s = fp->skel;

	clear_all(fp);
	load_common(fp, ctx->locator, ctx->retired, ctx->n_retired, ctx->onlink, ctx->n_onlink,
	            ctx->router_mode, x);
	for (size_t i = 0; i < ctx->n_routes; i++) {
		const struct nh_route *r = &ctx->routes[i];
		struct fp_lpm6 k = {.prefixlen = r->prefix.plen};
		struct fp_route v = {.via = r->via.s_addr, .metric = r->metric};

		bool keep_old = false;

		memcpy(k.addr, &r->prefix.addr, 16);
		for (size_t j = 0; j < i; j++)
			if (ctx->routes[j].prefix.plen == r->prefix.plen &&
			    memcmp(&ctx->routes[j].prefix.addr, &r->prefix.addr, 16) == 0 &&
			    ctx->routes[j].metric <= r->metric)
				keep_old = true;
		if (!keep_old)
			put(s->maps.fp_routes, &k, &v);
	}
}

/* ---- runs ---------------------------------------------------------------------- */

/* To lo's address (all zero), so that eth_type_trans() makes it
 * PACKET_HOST; from another. */
static const uint8_t eth_macs[12] = {0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 2};

static void
stats_zero(struct tu_fp *fp)
{
	int fd = bpf_map__fd(fp->skel->maps.fp_stats);

	memset(fp->pcpu, 0, (size_t)fp->ncpu * sizeof(uint64_t));
	for (__u32 i = 0; i < TU_FP_SLOTS; i++)
		assert_int_equal(bpf_map_update_elem(fd, &i, fp->pcpu, BPF_ANY), 0);
}

static void
stats_read(struct tu_fp *fp, uint64_t *delta)
{
	int fd = bpf_map__fd(fp->skel->maps.fp_stats);

	for (__u32 i = 0; i < TU_FP_SLOTS; i++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &i, fp->pcpu), 0);
		delta[i] = 0;
		for (int c = 0; c < fp->ncpu; c++)
			delta[i] += fp->pcpu[c];
	}
}

static void
run_frame(struct tu_fp *fp, struct bpf_program *prog, const uint8_t *frame, size_t flen,
          const struct __sk_buff *ctx, struct tu_fp_result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	struct __sk_buff c;

	memset(r, 0, sizeof(*r));
	o.data_in = frame;
	o.data_size_in = (__u32)flen;
	o.data_out = r->out;
	o.data_size_out = sizeof(r->out);
	o.repeat = 1;
	if (ctx != NULL) {
		c = *ctx;
		o.ctx_in = &c;
		o.ctx_size_in = sizeof(c);
	}
	stats_zero(fp);
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o) != 0)
		fail_msg("BPF_PROG_TEST_RUN %s: %s", bpf_program__name(prog), strerror(errno));
	r->action = (int)o.retval;
	r->out_len = o.data_size_out;
	stats_read(fp, r->delta);
}

static void
run(struct tu_fp *fp, struct bpf_program *prog, uint16_t ethertype, const uint8_t *p, size_t len,
    const struct __sk_buff *ctx, struct tu_fp_result *r)
{
	uint8_t frame[ETH_LEN + TU_FP_PKT_MAX];

	assert_true(len <= TU_FP_PKT_MAX);
	memcpy(frame, eth_macs, sizeof(eth_macs));
	frame[12] = (uint8_t)(ethertype >> 8);
	frame[13] = (uint8_t)ethertype;
	memcpy(frame + ETH_LEN, p, len);
	run_frame(fp, prog, frame, ETH_LEN + len, ctx, r);
}

void
tu_fp_run_frame(struct tu_fp *fp, bool egress, const uint8_t *frame, size_t len,
                struct tu_fp_result *r)
{
	run_frame(fp, egress ? fp->skel->progs.isatap_egress : fp->skel->progs.isatap_ingress,
	          frame, len, NULL, r);
}

void
tu_fp_run_ingress(struct tu_fp *fp, const uint8_t *dgram, size_t len, struct tu_fp_result *r)
{
	run(fp, fp->skel->progs.isatap_ingress, 0x0800, dgram, len, NULL, r);
}

void
tu_fp_run_egress(struct tu_fp *fp, const uint8_t *pkt, size_t len, struct tu_fp_result *r)
{
	run(fp, fp->skel->progs.isatap_egress, 0x86dd, pkt, len, NULL, r);
}

void
tu_fp_run_gso(struct tu_fp *fp, bool egress, const uint8_t *p, size_t len, uint32_t gso_size,
              uint32_t gso_segs, struct tu_fp_result *r)
{
	struct __sk_buff ctx = {.gso_size = gso_size, .gso_segs = gso_segs};

	run(fp, egress ? fp->skel->progs.isatap_egress : fp->skel->progs.isatap_ingress,
	    egress ? 0x86dd : 0x0800, p, len, &ctx, r);
}

/* ---- expectations -------------------------------------------------------------- */

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool
v4_in(struct in_addr a, const struct in_addr *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].s_addr == a.s_addr)
			return true;
	return false;
}

static bool
locator_is_ours(const struct decap_ctx *ctx, struct in_addr a)
{
	return a.s_addr == ctx->locator.s_addr || v4_in(a, ctx->retired, ctx->n_retired);
}

static void
punt(struct tu_fp_expect *e, unsigned slot)
{
	e->action = TU_TC_ACT_OK;
	e->delta[slot] = 1;
}

/* More extension headers before the upper layer than fp_ingress.h's
 * IN_EXT_MAX walks; the walk as pkt_ipv6_upper() makes it. */
static bool
ext_chain_long(const uint8_t *p, size_t len)
{
	size_t o = IPV6_HDR_LEN;
	int nh = p[6];

	for (int i = 0; i < TU_FP_EXT_MAX; i++) {
		if (nh != IPPROTO_HOPOPTS_NUM && nh != IPPROTO_ROUTING_NUM &&
		    nh != IPPROTO_DSTOPTS_NUM)
			return false;
		if ((nh == IPPROTO_HOPOPTS_NUM && o != IPV6_HDR_LEN) || len - o < 2)
			return false;
		size_t hl = ((size_t)p[o + 1] + 1) * 8;
		if (hl > len - o)
			return false;
		nh = p[o];
		o += hl;
	}
	return nh == IPPROTO_HOPOPTS_NUM || nh == IPPROTO_ROUTING_NUM || nh == IPPROTO_DSTOPTS_NUM;
}

/* decap.c nd_kind() != 0. */
static bool
is_nd(const uint8_t *ip6, size_t len)
{
	size_t o;

	return pkt_ipv6_upper(ip6, len, &o) == IPPROTO_ICMPV6_NUM && o < len &&
	       ip6[o] >= ICMP6_ROUTER_SOLICIT && ip6[o] <= ICMP6_REDIRECT;
}

void
tu_fp_expect_ingress(const struct decap_ctx *ctx, const struct tu_fp_extra *x, const uint8_t *d,
                     size_t len, struct tu_fp_expect *e)
{
	struct in_addr dst, src = {0};
	size_t off = 0, ilen = 0;
	enum decap_verdict v;
	uint8_t in_ecn, out_ecn;

	memset(e, 0, sizeof(*e));
	e->verdict = -1;
	/* Not IPv4 protocol 41: none of the program's business, uncounted. */
	if (len < IPV4_HDR_MIN || d[0] >> 4 != 4 || d[9] != IPPROTO_IPV6_IN_IPV4) {
		e->action = TU_TC_ACT_OK;
		return;
	}
	memcpy(&dst, d + 16, 4);
	e->verdict = v = decap_check(ctx, d, len, &off, &ilen, &src);
	/* Disabled, no locator, not to one of ours: the raw socket's. */
	if (x->disabled || x->link_down || ctx->locator.s_addr == INADDR_ANY ||
	    !locator_is_ours(ctx, dst)) {
		punt(e, DPC_FP_IN_PUNT);
		return;
	}
	/* From one of our locators, with a header that passed: ip_rcv()
	 * drops it as a martian source; the program leaves it to it. */
	memcpy(&src, d + 12, 4);
	if (locator_is_ours(ctx, src) && v != DECAP_DROP_OUTER_BAD && v != DECAP_DROP_OUTER_LEN &&
	    v != DECAP_DROP_OUTER_OPTIONS && (d[0] & 0x0f) == 5) {
		punt(e, DPC_FP_IN_PUNT);
		return;
	}
	/* IPv4 options: user space checks the checksum over them and counts
	 * outer_bad or outer_options. */
	if ((v == DECAP_DROP_OUTER_OPTIONS || v == DECAP_DROP_OUTER_BAD) && (d[0] & 0x0f) > 5 &&
	    (size_t)(d[0] & 0x0f) * 4 <= len && get16(d + 2) == len) {
		punt(e, DPC_FP_IN_PUNT);
		return;
	}
	switch (v) {
	case DECAP_ACCEPT:
	case DECAP_ACCEPT_ND:
	case DECAP_DROP_ND_HOPLIMIT:
		/* Only the accepts set off and ilen; IHL is 5 by now. */
		if (ext_chain_long(d + IPV4_HDR_MIN, get16(d + 2) - IPV4_HDR_MIN)) {
			punt(e, DPC_FP_IN_PUNT);
			return;
		}
		break;
	case DECAP_DROP_OUTER_LEN:
		/* Trailing octets: ip_rcv() trims them before the raw socket. */
		if (get16(d + 2) < len)
			punt(e, DPC_FP_IN_PUNT);
		else
			e->delta[DPC_DECAP_BASE + v] = 1, e->action = TU_TC_ACT_SHOT;
		return;
	case DECAP_DROP_OUTER_FRAGMENT:
		punt(e, DPC_FP_IN_PUNT); /* reassembled first */
		return;
	default:
		e->action = TU_TC_ACT_SHOT;
		e->delta[DPC_DECAP_BASE + v] = 1;
		return;
	}
	if (v == DECAP_DROP_ND_HOPLIMIT) {
		e->action = TU_TC_ACT_SHOT;
		e->delta[DPC_DECAP_BASE + v] = 1;
		return;
	}
	/* All ND, the router's RS (DECAP_ACCEPT) included, is the raw
	 * socket's. */
	if (v == DECAP_ACCEPT_ND || is_nd(d + off, ilen)) {
		punt(e, DPC_FP_IN_PUNT);
		return;
	}
	/* fwd.c: an accepted datagram from a broadcast address is bogus. */
	if (v4_in(src, x->bcast, x->n_bcast)) {
		e->action = TU_TC_ACT_SHOT;
		e->delta[DPC_DECAP_BASE + DECAP_DROP_OUTER_SRC_BOGUS] = 1;
		return;
	}
	e->action = TU_TC_ACT_REDIRECT;
	e->delta[DPC_IN_PACKETS] = 1;
	e->delta[DPC_IN_BYTES] = ilen;
	/* fwd.c in_ecn(): RFC 6040 §4.2 on the inner header. */
	memcpy(e->out, eth_macs, sizeof(eth_macs));
	e->out[12] = 0x86;
	e->out[13] = 0xdd;
	memcpy(e->out + ETH_LEN, d + off, ilen);
	in_ecn = (d[off + 1] >> 4) & ECN_MASK;
	if (ecn_decap(d[1], in_ecn, &out_ecn) == ECN_UNUSED)
		e->delta[DPC_IN_ECN_UNUSED] = 1;
	if (out_ecn != in_ecn) {
		e->out[ETH_LEN + 1] =
		        (uint8_t)((e->out[ETH_LEN + 1] & ~(ECN_MASK << 4)) | out_ecn << 4);
		if (out_ecn == ECN_CE)
			e->delta[DPC_IN_ECN_CE] = 1;
	}
	e->out_len = ETH_LEN + ilen;
}

/* fp_egress.h: ND right after the IPv6 header, or any extension header,
 * is the reader's. */
static bool
nd_or_ext(const uint8_t *p, size_t len)
{
	uint8_t nh = p[6];

	if (nh == IPPROTO_HOPOPTS_NUM || nh == IPPROTO_ROUTING_NUM || nh == IPPROTO_DSTOPTS_NUM)
		return true;
	return nh == IPPROTO_ICMPV6_NUM &&
	       (len <= IPV6_HDR_LEN ||
	        (p[IPV6_HDR_LEN] >= ICMP6_ROUTER_SOLICIT && p[IPV6_HDR_LEN] <= ICMP6_REDIRECT));
}

void
tu_fp_expect_egress(const struct nh_ctx *ctx, const struct tu_fp_extra *x, const uint8_t *p,
                    size_t len, struct tu_fp_expect *e)
{
	struct in_addr nh = {0}, src = ctx->locator, emb;
	enum nh_verdict v;
	uint8_t tos;

	memset(e, 0, sizeof(*e));
	e->verdict = v = nh_lookup(ctx, p, len, &nh);
	if (v == NH_OK && v4_in(nh, x->bcast, x->n_bcast))
		e->verdict = v = NH_DROP_BOGUS_NEXTHOP; /* fwd.c out_next_hop() */
	if (x->disabled || v != NH_OK || (x->mtu != 0 && len > x->mtu) || nd_or_ext(p, len)) {
		punt(e, DPC_FP_OUT_PUNT);
		return;
	}
	e->next_hop = nh;
	/* No route, or one datagram over the route's MTU (the raw socket
	 * would fragment it, DF clear). */
	if (!has_route(nh) || len + IPV4_HDR_MIN > TU_FP_LO_MTU) {
		punt(e, DPC_FP_OUT_FIB_PUNT);
		return;
	}
	e->action = TU_TC_ACT_REDIRECT;
	e->delta[DPC_OUT_PACKETS] = 1;
	e->delta[DPC_OUT_BYTES] = len;
	/* fwd.c outer_src(): a previous locator for its own addresses. */
	if (addr_isatap_v4((const struct in6_addr *)(const void *)(p + 8), &emb) &&
	    v4_in(emb, ctx->retired, ctx->n_retired))
		src = emb;
	tos = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
	memcpy(e->out, eth_macs, sizeof(eth_macs));
	e->out[12] = 0x86; /* the test frame's; adjust_room leaves it */
	e->out[13] = 0xdd;
	/* The identification is the program's pick: tu_fp_same() takes it
	 * from the result and checks the header checksum over it. */
	pkt_build_ipv4(e->out + ETH_LEN, src, nh, (uint16_t)len, 0, TU_FP_TTL, tos);
	memcpy(e->out + ETH_LEN + IPV4_HDR_MIN, p, len);
	e->out_len = ETH_LEN + IPV4_HDR_MIN + len;
}

bool
tu_fp_same(const struct tu_fp_expect *e, const struct tu_fp_result *r, char *msg, size_t n)
{
	uint8_t want[sizeof(e->out)];
	int at;

	if (r->action != e->action) {
		int k = snprintf(msg, n, "action %d, expected %d (user-space verdict %d); counted",
		                 r->action, e->action, e->verdict);

		for (unsigned i = 0; i < TU_FP_SLOTS && k > 0 && (size_t)k < n; i++)
			if (r->delta[i] != 0)
				k += snprintf(msg + k, n - (size_t)k, " %s",
				              dp_counter_name(i) ? dp_counter_name(i) : "?");
		return false;
	}
	for (unsigned i = 0; i < TU_FP_SLOTS; i++)
		if (r->delta[i] != e->delta[i]) {
			const char *name = dp_counter_name(i);
			snprintf(msg, n,
			         "counter %u (%s) +%llu, expected +%llu (user-space verdict %d)", i,
			         name ? name : "?", (unsigned long long)r->delta[i],
			         (unsigned long long)e->delta[i], e->verdict);
			return false;
		}
	if (e->out_len == 0)
		return true;
	if (r->out_len != e->out_len) {
		snprintf(msg, n, "packet out %zu octets, expected %zu", r->out_len, e->out_len);
		return false;
	}
	memcpy(want, e->out, e->out_len);
	if (e->action == TU_TC_ACT_REDIRECT && want[ETH_LEN] == 0x45) {
		/* The outer header's identification, then its checksum. */
		want[ETH_LEN + 4] = r->out[ETH_LEN + 4];
		want[ETH_LEN + 5] = r->out[ETH_LEN + 5];
		want[ETH_LEN + 10] = want[ETH_LEN + 11] = 0;
		uint16_t c = pkt_ipv4_csum(want + ETH_LEN, IPV4_HDR_MIN);
		want[ETH_LEN + 10] = (uint8_t)(c >> 8);
		want[ETH_LEN + 11] = (uint8_t)c;
	}
	/* The MAC header is the test frame's and cosmetic either way. */
	for (at = ETH_LEN; at < (int)e->out_len; at++)
		if (r->out[at] != want[at])
			break;
	if (at < (int)e->out_len) {
		snprintf(msg, n, "packet out differs at octet %d: %02x, expected %02x",
		         at - ETH_LEN, r->out[at], want[at]);
		return false;
	}
	return true;
}

int
tu_fp_check_ingress(struct tu_fp *fp, const struct decap_ctx *ctx, const struct tu_fp_extra *x,
                    const uint8_t *dgram, size_t len, const char *what)
{
	static struct tu_fp_expect e;
	static struct tu_fp_result r;
	char msg[200];

	if (len < IPV4_HDR_MIN)
		return TU_FP_NOT_RUN;
	tu_fp_expect_ingress(ctx, x, dgram, len, &e);
	tu_fp_run_ingress(fp, dgram, len, &r);
	if (!tu_fp_same(&e, &r, msg, sizeof(msg)))
		fail_msg("ingress, %s: decap_check() says %s: %s", what,
		         e.verdict < 0 ? "(not protocol 41)" : decap_verdict_name(e.verdict), msg);
	return r.action;
}

int
tu_fp_check_egress(struct tu_fp *fp, const struct nh_ctx *ctx, const struct tu_fp_extra *x,
                   const uint8_t *pkt, size_t len, const char *what)
{
	static struct tu_fp_expect e;
	static struct tu_fp_result r;
	char msg[200];

	if (len < IPV6_HDR_LEN)
		return TU_FP_NOT_RUN;
	tu_fp_expect_egress(ctx, x, pkt, len, &e);
	tu_fp_run_egress(fp, pkt, len, &r);
	if (!tu_fp_same(&e, &r, msg, sizeof(msg)))
		fail_msg("egress, %s: nh_lookup() says %s: %s", what, nh_verdict_name(e.verdict),
		         msg);
	return r.action;
}

#endif /* HAVE_FASTPATH */

int
tu_fp_skip(const char *name, const char *why)
{
	const char *ci = getenv("CI");
	bool in_ci = ci != NULL && strcmp(ci, "true") == 0;

	printf("SKIPPED: %s: %s%s\n", name, why, in_ci ? " (CI=true: failing instead)" : "");
	return in_ci ? 1 : 0;
}
