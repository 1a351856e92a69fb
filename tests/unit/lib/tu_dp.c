#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "datapath/platform.h"
#include "datapath/utun.h"
#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_dp.h"

struct tu_dp *
tu_dp_new(unsigned flags)
{
	struct tu_dp *f = test_calloc(1, sizeof(*f));
	/* Room for a few super-packets queued either way. */
	int sz = 4 * TU_DP_BIG;

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
	f->dp.local[0] = tu_a6("fe80::5efe:c000:201");
	f->dp.local[1] = tu_a6("2001:db8:1::5efe:c000:201");
	f->dp.n_addrs = 2;
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
	        .vnet = (flags & TU_DP_VNET) != 0,
	        .uso = (flags & TU_DP_USO) != 0,
	};
	if (flags & TU_DP_UTUN) {
		assert_false(flags & TU_DP_VNET);
		f->utun = true;
		f->dp.io.tun_read = utun_read;
		f->dp.io.tun_write = utun_write;
		f->dp.io.tun_writev = utun_writev;
	}
	return f;
}

void
tu_dp_free(struct tu_dp *f)
{
	close(f->tun[0]);
	close(f->tun[1]);
	dp_free(&f->dp);
	test_free(f);
}

int
tu_dp_setup_vnet(void **state)
{
	*state = tu_dp_new(TU_DP_VNET);
	return 0;
}

int
tu_dp_setup_uso(void **state)
{
	*state = tu_dp_new(TU_DP_VNET | TU_DP_USO);
	return 0;
}

int
tu_dp_teardown(void **state)
{
	tu_dp_free(*state);
	return 0;
}

void
tu_dp_kernel_sends(struct tu_dp *f, const struct ofl_vnet_hdr *vh, const uint8_t *pkt, size_t len)
{
	const bool vnet = f->dp.io.vnet;
	uint8_t hdr[OFL_VNET_HDR_LEN] = {0};
	/* XNU's AF_INET6, network byte order, before an IPv6 packet. */
	uint8_t af[4] = {0, 0, 0, 30};
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)(uintptr_t)pkt, len}};
	struct msghdr m = {.msg_iov = vnet ? iov : iov + 1, .msg_iovlen = vnet ? 2 : 1};
	size_t pre = vnet ? sizeof(hdr) : 0;

	assert_true(vnet || vh == NULL);
	if (vh != NULL)
		ofl_vnet_encode(hdr, vh);
	if (f->utun) {
		iov[0] = (struct iovec){af, sizeof(af)};
		m.msg_iov = iov;
		m.msg_iovlen = 2;
		pre = sizeof(af);
	}
	assert_int_equal(sendmsg(f->tun[1], &m, 0), (ssize_t)(len + pre));
}

size_t
tu_dp_kernel_gets(struct tu_dp *f, struct ofl_vnet_hdr *vh, uint8_t *buf, size_t cap)
{
	const size_t vlen = f->dp.io.vnet ? OFL_VNET_HDR_LEN : f->utun ? 4 : 0;
	uint8_t hdr[OFL_VNET_HDR_LEN] = {0};
	struct iovec iov[2] = {{hdr, vlen}, {buf, cap}};
	struct msghdr m = {.msg_iov = vlen ? iov : iov + 1, .msg_iovlen = vlen ? 2 : 1};
	ssize_t n = recvmsg(f->tun[1], &m, MSG_DONTWAIT);

	if (n <= 0) {
		/* Nothing queued is the only failure expected. */
		assert_true(n == 0 || errno == EAGAIN || errno == EWOULDBLOCK);
		return 0;
	}
	/* A packet longer than the buffers comes truncated: fail instead. */
	assert_false(m.msg_flags & MSG_TRUNC);
	assert_true((size_t)n >= vlen);
	if (f->utun) {
		/* Every packet into a utun is IPv6 here: AF_INET6 (30). */
		assert_memory_equal(hdr, ((uint8_t[]){0, 0, 0, 30}), 4);
		if (vh != NULL)
			memset(vh, 0, sizeof(*vh));
	} else if (vh != NULL) {
		ofl_vnet_decode(hdr, vh);
	}
	return (size_t)n - vlen;
}

void
tu_dp_network_sends(struct tu_dp *f, const char *src, const char *dst, const uint8_t *inner,
                    size_t ilen)
{
	struct tu_raw *r = &f->raw;

	assert_true(r->n_in < TU_RAW_MAX);
	r->in_len[r->n_in] = tu_ipv4(r->in[r->n_in], src, dst, inner, ilen);
	r->n_in++;
}

uint64_t
tu_dp_ctr(const struct tu_dp *f, unsigned i)
{
	assert_true(i < DPC_COUNT);
	return f->dp.counters[i];
}

size_t
tu_dp_icmp6(uint8_t *buf, const char *src, const char *dst, uint8_t type, uint8_t hop_limit,
            size_t plen)
{
	uint8_t m[2048] = {type, 0, 0, 0, 0x12, 0x34, 0, 1};

	assert_true(plen + 8 <= sizeof(m));
	for (size_t i = 0; i < plen; i++)
		m[8 + i] = (uint8_t)i;
	return tu_ipv6(buf, src, dst, IPPROTO_ICMPV6_NUM, hop_limit, m, 8 + plen);
}

size_t
tu_dp_echo(uint8_t *buf, const char *src, const char *dst, size_t plen)
{
	return tu_dp_icmp6(buf, src, dst, ICMP6_ECHO_REQUEST, 64, plen);
}

struct ofl_vnet_hdr
tu_dp_vnet_tcp6(uint16_t gso_size)
{
	return (struct ofl_vnet_hdr){.flags = OFL_VNET_F_NEEDS_CSUM,
	                             .gso_type = OFL_GSO_TCPV6,
	                             .gso_size = gso_size,
	                             .csum_start = 40,
	                             .csum_offset = 16};
}
