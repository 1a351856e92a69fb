/*
 * datapath/fwd.c: ICMPv6 Destination Unreachable for what cannot be sent
 * (RFC 4443 §3.1), written into the TUN. Which drops get one and with which
 * code, what is written (with and without a virtio-net header), the rate
 * limit on a test clock, the source address, and the send-failure path.
 * The TUN is the real tun_read()/tun_write()/tun_writev() on an AF_UNIX
 * SOCK_SEQPACKET pair, the raw socket the recording fake.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "datapath/dp.h"
#include "datapath/platform.h"
#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_raw.h"
#include "tests/unit/lib/tu_tcp6.h"

#define PKT_MAX 2048
#define BIG     70000

#define ME_LL "fe80::5efe:c000:201"
#define ME    "2001:db8:1::5efe:c000:201"
#define PEER  "2001:db8:1::5efe:c000:202"
#define FAR   "2001:db8:99::1" /* no route */

struct fx {
	struct dp dp;
	int tun[2]; /* [0] the datapath's TUN fd, [1] the "kernel" */
	struct tu_raw raw;
	uint8_t big[BIG];
};

/* The test's clock: dp->now_ms has no argument, so one per process. */
static uint64_t clock_ms;

static uint64_t
test_clock(void)
{
	return clock_ms;
}

static void
set_addrs(struct dp *dp)
{
	static const char *const a[] = {ME_LL, ME};

	for (size_t i = 0; i < 2; i++) {
		dp->addrs[i] = (struct msg_addr){.addr = tu_a6(a[i]),
		                                 .plen = 64,
		                                 .valid_lft = 0xffffffffu,
		                                 .preferred_lft = 0xffffffffu};
		dp->local[i] = dp->addrs[i].addr;
	}
	dp->n_addrs = 2;
}

static int
setup_vnet(void **state, bool vnet)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	int sz = 4 * BIG;

	assert_non_null(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, f->tun), 0);
	assert_int_equal(fcntl(f->tun[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(setsockopt(f->tun[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)), 0);
	assert_int_equal(setsockopt(f->tun[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)), 0);
	assert_int_equal(dp_init(&f->dp), 0);
	tu_raw_init(&f->raw);
	f->dp.ttl = 64;
	f->dp.mtu = 1280;
	f->dp.link_up = true;
	f->dp.locator = tu_a4("192.0.2.1");
	set_addrs(&f->dp);
	f->dp.onlink[0].addr = tu_a6("2001:db8:1::");
	f->dp.onlink[0].plen = 64;
	f->dp.n_onlink = 1;
	f->dp.io = (struct dp_io){
	        .tun_read = tun_read,
	        .tun_write = tun_write,
	        .tun_writev = tun_writev,
	        .raw_recv = tu_raw_recv,
	        .raw_send = tu_raw_send,
	        .tun = &f->tun[0],
	        .raw = &f->raw,
	        .vnet = vnet,
	};
	clock_ms = 1000000;
	f->dp.now_ms = test_clock;
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	return setup_vnet(state, false);
}

static int
setup_offload(void **state)
{
	return setup_vnet(state, true);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	close(f->tun[0]);
	close(f->tun[1]);
	dp_free(&f->dp);
	test_free(f);
	return 0;
}

static uint64_t
ctr(struct fx *f, unsigned i)
{
	return f->dp.counters[i];
}

/* An ICMPv6 message of type with plen octets after its header. */
static size_t
icmp(uint8_t *buf, const char *src, const char *dst, uint8_t type, size_t plen)
{
	uint8_t m[PKT_MAX] = {type, 0, 0, 0, 0x12, 0x34, 0, 1};

	assert_true(plen + 8 <= sizeof(m));
	for (size_t i = 0; i < plen; i++)
		m[8 + i] = (uint8_t)(i + 3);
	return tu_ipv6(buf, src, dst, IPPROTO_ICMPV6_NUM, 64, m, 8 + plen);
}

static size_t
echo(uint8_t *buf, const char *src, const char *dst, size_t plen)
{
	return icmp(buf, src, dst, ICMP6_ECHO_REQUEST, plen);
}

/* The kernel writes a packet into the TUN (behind a header with vnet). */
static void
kernel_sends(struct fx *f, const uint8_t *pkt, size_t len)
{
	uint8_t hdr[OFL_VNET_HDR_LEN] = {0};
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)(uintptr_t)pkt, len}};
	struct msghdr m = {.msg_iov = f->dp.io.vnet ? iov : iov + 1,
	                   .msg_iovlen = f->dp.io.vnet ? 2 : 1};
	size_t want = len + (f->dp.io.vnet ? sizeof(hdr) : 0);

	assert_int_equal(sendmsg(f->tun[1], &m, 0), (ssize_t)want);
}

static void
kernel_sends_gso(struct fx *f, const struct ofl_vnet_hdr *vh, const uint8_t *pkt, size_t len)
{
	uint8_t hdr[OFL_VNET_HDR_LEN];
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)(uintptr_t)pkt, len}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};

	ofl_vnet_encode(hdr, vh);
	assert_int_equal(sendmsg(f->tun[1], &m, 0), (ssize_t)(sizeof(hdr) + len));
}

/* One packet the datapath wrote into the TUN, into buf (its virtio-net
 * header, with vnet, checked to be all zeros and stripped): its length,
 * 0 when nothing was written. */
static size_t
kernel_gets(struct fx *f, uint8_t *buf, size_t cap)
{
	static uint8_t raw[BIG];
	const size_t vlen = f->dp.io.vnet ? OFL_VNET_HDR_LEN : 0;
	static const uint8_t zeros[OFL_VNET_HDR_LEN];
	ssize_t n = recv(f->tun[1], raw, sizeof(raw), MSG_DONTWAIT);

	if (n <= 0)
		return 0;
	assert_true((size_t)n >= vlen && (size_t)n - vlen <= cap);
	assert_memory_equal(raw, zeros, vlen);
	memcpy(buf, raw + vlen, (size_t)n - vlen);
	return (size_t)n - vlen;
}

/*
 * The one packet written into the TUN is a Destination Unreachable with
 * this code from src to the invoking packet's source, quoting it whole
 * (it is short), with a correct checksum.
 */
static void
assert_unreach(struct fx *f, uint8_t code, const char *src, const uint8_t *inv, size_t ilen)
{
	uint8_t got[PKT_MAX];
	size_t n = kernel_gets(f, got, sizeof(got));
	struct in6_addr s = tu_a6(src), d;
	struct pkt_ipv6 ip;

	assert_int_equal(n, 48 + ilen);
	assert_int_equal(pkt_parse_ipv6(got, n, &ip), PKT_OK);
	assert_int_equal(ip.next_header, IPPROTO_ICMPV6_NUM);
	assert_int_equal(ip.hop_limit, 64);
	assert_int_equal(ip.traffic_class, 0);
	assert_int_equal(ip.flow_label, 0);
	memcpy(&d, inv + 8, 16);
	assert_memory_equal(&ip.src, &s, 16);
	assert_memory_equal(&ip.dst, &d, 16);
	assert_int_equal(got[40], ICMP6_DST_UNREACH);
	assert_int_equal(got[41], code);
	assert_int_equal(got[44] | got[45] | got[46] | got[47], 0);
	assert_int_equal(pkt_icmp6_csum(&ip.src, &ip.dst, got + 40, n - 40), 0);
	assert_memory_equal(got + 48, inv, ilen);
	/* Exactly one. */
	assert_int_equal(kernel_gets(f, got, sizeof(got)), 0);
}

static void
assert_nothing_written(struct fx *f)
{
	uint8_t got[PKT_MAX];

	assert_int_equal(kernel_gets(f, got, sizeof(got)), 0);
}

/* ---- which drops ---------------------------------------------------------------- */

/* No route: type 1 code 0, from our global address, and nothing leaves. */
static void
test_no_route_code0(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = echo(pkt, ME, FAR, 56);

	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_NO_ROUTE), 1);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 1);
	assert_unreach(f, ICMP6_UNREACH_NO_ROUTE, ME, pkt, len);

	/* Under the on-link prefix but not an ISATAP interface identifier:
	 * no route either (RFC 5214 §8.1 needs the embedded IPv4). */
	len = echo(pkt, ME, "2001:db8:1::1", 8);
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_NO_ROUTE, ME, pkt, len);

	/* A link-local one: never routed; answered from our link-local. */
	len = echo(pkt, ME_LL, "fe80::1", 8);
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_NO_ROUTE, ME_LL, pkt, len);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 3);
	assert_int_equal(ctr(f, DPC_OUT_PACKETS), 0);
}

/* A next hop that cannot be used, or no locator: code 3. */
static void
test_bogus_nexthop_and_no_locator_code3(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len;

	/* fe80::5efe:127.0.0.1 */
	len = echo(pkt, ME_LL, "fe80::5efe:7f00:1", 16);
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_BOGUS_NEXTHOP), 1);
	assert_unreach(f, ICMP6_UNREACH_ADDR, ME_LL, pkt, len);

	/* The subnet broadcast, embedded under the on-link prefix. */
	f->dp.bcast[0] = tu_a4("192.0.2.255");
	f->dp.n_bcast = 1;
	len = echo(pkt, ME, "2001:db8:1::5efe:c000:2ff", 16);
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_BOGUS_NEXTHOP), 2);
	assert_unreach(f, ICMP6_UNREACH_ADDR, ME, pkt, len);

	f->dp.locator.s_addr = INADDR_ANY;
	len = echo(pkt, ME, PEER, 16);
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_NO_LOCATOR), 1);
	assert_unreach(f, ICMP6_UNREACH_ADDR, ME, pkt, len);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 3);
}

/* Every other drop is only counted. */
static void
test_other_drops_get_none(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[PKT_MAX], mld[24] = {ICMP6_MLD_REPORT};
	size_t len;

	len = echo(pkt, ME, PEER, 8);
	kernel_sends(f, pkt, 39); /* short */
	pkt[0] = 0x45;
	kernel_sends(f, pkt, len); /* not IPv6 */
	pkt[0] = 0x60;
	kernel_sends(f, pkt, len - 1); /* payload length disagrees */
	len = echo(pkt, ME_LL, "ff02::2", 8);
	kernel_sends(f, pkt, len); /* multicast */
	len = icmp(pkt, ME_LL, "ff02::2", ICMP6_ROUTER_SOLICIT, 0);
	kernel_sends(f, pkt, len); /* the kernel's RS */
	len = tu_ipv6(pkt, ME_LL, "ff02::16", IPPROTO_ICMPV6_NUM, 1, mld, sizeof(mld));
	kernel_sends(f, pkt, len); /* MLD */
	len = icmp(pkt, "::", "ff02::1:ff00:201", ICMP6_NEIGHBOR_SOLICIT, 16);
	kernel_sends(f, pkt, len); /* DAD */
	len = echo(pkt, "ff02::1", FAR, 8);
	kernel_sends(f, pkt, len); /* multicast source */
	assert_int_equal(dp_fwd_out(&f->dp), 8);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_SHORT), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_VERSION), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_LEN), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_MULTICAST), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_OS_RS), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_MLD), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_DAD), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_SRC_BAD), 1);
	assert_nothing_written(f);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH) + ctr(f, DPC_OUT_ICMP6_UNREACH_LIMITED) +
	                         ctr(f, DPC_OUT_ICMP6_UNREACH_UNSENT),
	                 0);
}

/* RFC 4443 §2.4(e): no error about an error, a Redirect, or a fragment
 * other than the first, even when the drop would earn one. */
static void
test_never_in_reply_to(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[PKT_MAX], payload[64] = {0};
	size_t len;

	len = icmp(pkt, ME, FAR, ICMP6_DST_UNREACH, 48);
	kernel_sends(f, pkt, len);
	len = icmp(pkt, ME, FAR, 3 /* time exceeded */, 48);
	kernel_sends(f, pkt, len);
	len = icmp(pkt, ME_LL, "fe80::1", ICMP6_REDIRECT, 32);
	kernel_sends(f, pkt, len);
	/* A second fragment of a UDP datagram (offset 1232 octets). */
	payload[0] = 17;
	payload[2] = (uint8_t)((1232 >> 8) & 0xff);
	payload[3] = (uint8_t)(1232 & 0xf8);
	len = tu_ipv6(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, 64, payload, sizeof(payload));
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 4);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_NO_ROUTE), 4);
	assert_nothing_written(f);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH) + ctr(f, DPC_OUT_ICMP6_UNREACH_LIMITED) +
	                         ctr(f, DPC_OUT_ICMP6_UNREACH_UNSENT),
	                 0);

	/* The first fragment of the same datagram is answered. */
	payload[2] = payload[3] = 0;
	payload[3] = 1; /* M */
	len = tu_ipv6(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, 64, payload, sizeof(payload));
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_NO_ROUTE, ME, pkt, len);
}

/* ---- rate limit and source ------------------------------------------------------ */

static void
send_far(struct fx *f, unsigned n)
{
	uint8_t pkt[PKT_MAX];
	size_t len = echo(pkt, ME, FAR, 8);

	for (unsigned i = 0; i < n; i++)
		kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), (int)n);
}

static unsigned
drain(struct fx *f)
{
	uint8_t got[PKT_MAX];
	unsigned n = 0;

	while (kernel_gets(f, got, sizeof(got)) > 0)
		n++;
	return n;
}

/* A burst of DP_ICMP6_ERR_BURST, then DP_ICMP6_ERR_PER_S a second. */
static void
test_rate_limited(void **state)
{
	struct fx *f = *state;

	send_far(f, 25);
	assert_int_equal(drain(f), DP_ICMP6_ERR_BURST);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 10);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH_LIMITED), 15);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_NO_ROUTE), 25);

	clock_ms += 99;
	send_far(f, 3);
	assert_int_equal(drain(f), 0);
	clock_ms += 1; /* 100 ms: one token */
	send_far(f, 3);
	assert_int_equal(drain(f), 1);
	clock_ms += 500; /* five more */
	send_far(f, 8);
	assert_int_equal(drain(f), 5);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 16);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH_LIMITED), 15 + 3 + 2 + 3);
	/* A quiet spell refills the burst, no more. */
	clock_ms += 60000;
	send_far(f, 12);
	assert_int_equal(drain(f), 10);
}

/* No address to send from: nothing written, counted, and no token spent. */
static void
test_no_source_address(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len;

	f->dp.n_addrs = 0;
	send_far(f, 12);
	assert_nothing_written(f);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH_UNSENT), 12);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH_LIMITED), 0);

	/* Only a link-local address, and a global sender: none either. */
	f->dp.n_addrs = 1;
	send_far(f, 1);
	assert_nothing_written(f);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH_UNSENT), 13);

	/* Only a global address, and a link-local sender: from the global. */
	f->dp.addrs[0] = f->dp.addrs[1];
	len = echo(pkt, ME_LL, "fe80::1", 8);
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_NO_ROUTE, ME, pkt, len);

	/* The burst is whole. */
	set_addrs(&f->dp);
	send_far(f, 12);
	assert_int_equal(drain(f), 9);
}

static int
failing_tun_write(void *h, const uint8_t *pkt, size_t len)
{
	(void)h;
	(void)pkt;
	(void)len;
	return -ENOBUFS;
}

static void
test_tun_write_failure_counted(void **state)
{
	struct fx *f = *state;

	f->dp.io.tun_write = failing_tun_write;
	send_far(f, 2);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH_UNSENT), 2);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 0);
}

/* Router mode: the error goes to a sender elsewhere, for the kernel to
 * forward; from our global address. */
static void
test_router_mode_remote_sender(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = echo(pkt, "2001:db8:5::9", FAR, 20);

	f->dp.router_mode = true;
	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_NO_ROUTE, ME, pkt, len);
}

/* ---- send failures ------------------------------------------------------------------ */

/* No IPv4 route to the next hop: the packet, still in the batch buffer
 * after raw_send(), is quoted in a code 3; the rest of the batch goes. */
static void
test_send_failure_code3(void **state)
{
	struct fx *f = *state;
	uint8_t a[PKT_MAX], b[PKT_MAX];
	size_t la = echo(a, ME, PEER, 8), lb = echo(b, ME, PEER, 100);

	f->raw.fail_index = 1;
	kernel_sends(f, a, la);
	kernel_sends(f, b, lb);
	kernel_sends(f, a, la);
	assert_int_equal(dp_fwd_out(&f->dp), 3);
	assert_int_equal(f->raw.n_out, 2);
	assert_int_equal(ctr(f, DPC_OUT_SEND_ERRORS), 1);
	assert_int_equal(ctr(f, DPC_OUT_PACKETS), 2);
	assert_unreach(f, ICMP6_UNREACH_ADDR, ME, b, lb);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 1);

	f->raw.fail_index = 2;
	f->raw.fail_err = -ENETUNREACH;
	kernel_sends(f, a, la);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_ADDR, ME, a, la);
	f->raw.fail_index = 2;
	f->raw.fail_err = -EADDRNOTAVAIL;
	kernel_sends(f, b, lb);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_ADDR, ME, b, lb);
}

/* A full socket buffer or a refused send is no news for the sender. */
static void
test_other_send_failures_get_none(void **state)
{
	struct fx *f = *state;
	uint8_t a[PKT_MAX];
	size_t la = echo(a, ME, PEER, 8);
	static const int errs[] = {-ENOBUFS, -EAGAIN, -EPERM, -EMSGSIZE};

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		f->raw.fail_index = 0;
		f->raw.fail_err = errs[i];
		kernel_sends(f, a, la);
		assert_int_equal(dp_fwd_out(&f->dp), 1);
	}
	assert_int_equal(ctr(f, DPC_OUT_SEND_ERRORS), 4);
	assert_nothing_written(f);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 0);
	/* Nor does our own Router Solicitation failing. */
	f->dp.prl[0] = tu_a4("192.0.2.254");
	f->dp.n_prl = 1;
	f->raw.fail_index = 0;
	f->raw.fail_err = -EHOSTUNREACH;
	assert_int_equal(dp_send_rs(&f->dp, tu_a4("192.0.2.254"), false), -EHOSTUNREACH);
	assert_nothing_written(f);
}

/* ---- with TUN offloads (io.vnet) --------------------------------------------------- */

/* The error goes in behind a virtio-net header of zeros. */
static void
test_vnet_header(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = echo(pkt, ME, FAR, 56);

	kernel_sends(f, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_unreach(f, ICMP6_UNREACH_NO_ROUTE, ME, pkt, len);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 1);
}

/* A TCP super-packet with no route: one error, quoting its first segment
 * cut to fit 1280 octets; an offload refusal: none. */
static void
test_vnet_super_packet(void **state)
{
	struct fx *f = *state;
	struct tu_tcp6 t = {.src = ME, .dst = FAR, .seq = 7, .plen = 5000, .pattern = 7};
	struct ofl_vnet_hdr vh = {.flags = OFL_VNET_F_NEEDS_CSUM,
	                          .gso_type = OFL_GSO_TCPV6,
	                          .gso_size = 1220,
	                          .csum_start = 40,
	                          .csum_offset = 16};
	size_t len = tu_tcp6(f->big, &t), n;
	uint8_t got[PKT_MAX];

	kernel_sends_gso(f, &vh, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(ctr(f, DPC_NH_BASE + NH_DROP_NO_ROUTE), 5);
	n = kernel_gets(f, got, sizeof(got));
	assert_int_equal(n, 1280);
	assert_int_equal(got[40], ICMP6_DST_UNREACH);
	assert_int_equal(got[41], ICMP6_UNREACH_NO_ROUTE);
	/* The first segment: its headers as the super-packet's, 40 + 20. */
	assert_memory_equal(got + 48 + 8, f->big + 8, 32);
	assert_int_equal(got[48 + 40 + 4] << 24 | got[48 + 40 + 5] << 16 | got[48 + 40 + 6] << 8 |
	                         got[48 + 40 + 7],
	                 7); /* its sequence number */
	struct in6_addr s = tu_a6(ME);
	assert_int_equal(pkt_icmp6_csum(&s, &s, got + 40, n - 40), 0);
	assert_nothing_written(f);
	assert_int_equal(ctr(f, DPC_OUT_ICMP6_UNREACH), 1);

	/* A GSO type nobody asked for: an offload drop, no error. */
	vh.gso_type = 0x42;
	kernel_sends_gso(f, &vh, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(ctr(f, DPC_OUT_DROP_OFFLOAD), 1);
	assert_nothing_written(f);
}

/* A segment that fails to send is quoted from segbuf. */
static void
test_vnet_segment_send_failure(void **state)
{
	struct fx *f = *state;
	struct tu_tcp6 t = {.src = ME, .dst = PEER, .seq = 1000, .plen = 3000, .pattern = 3};
	struct ofl_vnet_hdr vh = {.flags = OFL_VNET_F_NEEDS_CSUM,
	                          .gso_type = OFL_GSO_TCPV6,
	                          .gso_size = 1220,
	                          .csum_start = 40,
	                          .csum_offset = 16};
	size_t len = tu_tcp6(f->big, &t), n;
	uint8_t got[PKT_MAX];

	f->raw.fail_index = 1;
	kernel_sends_gso(f, &vh, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 2);
	assert_int_equal(ctr(f, DPC_OUT_SEND_ERRORS), 1);
	n = kernel_gets(f, got, sizeof(got));
	assert_int_equal(n, 1280);
	assert_int_equal(got[41], ICMP6_UNREACH_ADDR);
	/* The second segment: sequence 1000 + 1220. */
	assert_int_equal(got[48 + 40 + 4] << 24 | got[48 + 40 + 5] << 16 | got[48 + 40 + 6] << 8 |
	                         got[48 + 40 + 7],
	                 2220);
}

#define T(t)  cmocka_unit_test_setup_teardown(t, setup, teardown)
#define TO(t) cmocka_unit_test_setup_teardown(t, setup_offload, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_no_route_code0),
	        T(test_bogus_nexthop_and_no_locator_code3),
	        T(test_other_drops_get_none),
	        T(test_never_in_reply_to),
	        T(test_rate_limited),
	        T(test_no_source_address),
	        T(test_tun_write_failure_counted),
	        T(test_router_mode_remote_sender),
	        T(test_send_failure_code3),
	        T(test_other_send_failures_get_none),
	        TO(test_vnet_header),
	        TO(test_vnet_super_packet),
	        TO(test_vnet_segment_send_failure),
	        TO(test_no_route_code0),
	        TO(test_send_failure_code3),
	};

	return cmocka_run_group_tests_name("dp_fwd_unreach", tests, NULL, NULL);
}
