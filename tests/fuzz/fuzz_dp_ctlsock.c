/*
 * libFuzzer target: isatap-datapath's message server (datapath/ctlsock.c
 * and the tables of state.c) fed arbitrary bytes by a hostile control
 * daemon, after a correct HELLO. The bytes arrive over a real AF_UNIX
 * stream socketpair in pieces whose sizes the input also chooses. Whatever
 * comes, the server must not crash, must keep every table within its
 * MSG_*_MAX bound, must answer only with frames the control side's strict
 * decoder accepts, and must end either still connected or cleanly closed.
 * The kernel side is a stub that accepts everything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "datapath/ctlsock.h"
#include "datapath/dp.h"
#include "log.h"
#include "msg.h"
#include "fuzz.h"

static int
ok_mtu(void *h, uint32_t mtu)
{
	return 0;
}

static int
ok_up(void *h, bool up)
{
	return 0;
}

static int
ok_addr(void *h, bool add, const struct msg_addr *a)
{
	return 0;
}

static int
ok_route(void *h, bool add, const struct prefix6 *p, uint32_t metric)
{
	return 0;
}

/* Half the addresses are "local", by their last bit. */
static int
ok_v4_is_local(void *h, struct in_addr v4)
{
	return (ntohl(v4.s_addr) & 1) != 0;
}

static int
ok_nd_params(void *h, uint32_t hop, uint32_t reach, uint32_t retrans)
{
	return 0;
}

static const struct dp_netcfg_ops ok_ops = {ok_mtu,   ok_up,          ok_addr,
                                            ok_route, ok_v4_is_local, ok_nd_params};

static unsigned
ok_send(void *h, struct dp_tx *tx, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		tx[i].err = 0;
	return n;
}

static struct dp dp;
static struct ctl_srv srv;

static void
serve(void)
{
	for (int i = 0; i < 64 && srv.cfd >= 0; i++) {
		struct pollfd p = {.fd = srv.cfd, .events = ctl_events(&srv)};

		if (poll(&p, 1, 0) <= 0)
			return;
		ctl_handle(&srv, p.revents);
	}
}

/* Reads and checks everything the server said. */
static void
drain(int peer)
{
	static uint8_t buf[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD];
	static union msg_payload p;
	struct msg_hdr h;
	const char *field;

	for (;;) {
		ssize_t n = recv(peer, buf, sizeof(h), MSG_DONTWAIT | MSG_PEEK);

		if (n < (ssize_t)sizeof(h))
			return;
		memcpy(&h, buf, sizeof(h));
		CHECK(msg_check_hdr(MSG_TO_CONTROL, &h) == MSG_OK);
		n = recv(peer, buf, sizeof(h) + h.len, MSG_WAITALL);
		CHECK(n == (ssize_t)(sizeof(h) + h.len));
		CHECK(msg_decode(MSG_TO_CONTROL, buf, (size_t)n, &h, &p, &field) == MSG_OK);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg_hello hello = {MSG_MAGIC, MSG_PROTO_VERSION};
	struct msg_hdr hh = {.type = MSG_HELLO, .len = sizeof(hello), .seq = 1};
	int sv[2];

	/* syslog, not stderr: the server logs every hang-up it makes. */
	log_init("fuzz_dp_ctlsock", 0, 0);
	memset(&dp, 0, sizeof(dp));
	dp.mtu = 1280;
	dp.ifindex = 7;
	memcpy(dp.ifname, "isatap0", 8);
	dp.nc = &ok_ops;
	dp.io.raw_send = ok_send;
	ctl_init(&srv, &dp, getuid());
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
	ctl_attach(&srv, sv[0]);
	dp.nd_up = ctl_nd_up;
	dp.nd_up_h = &srv;

	CHECK(send(sv[1], &hh, sizeof(hh), 0) == sizeof(hh));
	CHECK(send(sv[1], &hello, sizeof(hello), 0) == sizeof(hello));
	serve();
	drain(sv[1]);

	/* The first byte of each piece says how long the piece is. */
	while (size > 0 && srv.cfd >= 0) {
		size_t n = 1 + data[0] % 64;

		data++, size--;
		if (n > size)
			n = size;
		if (n > 0 && send(sv[1], data, n, MSG_NOSIGNAL) < 0)
			break;
		data += n, size -= n;
		serve();
		drain(sv[1]);
		CHECK(dp.n_prl <= MSG_PRL_MAX);
		CHECK(dp.n_addrs <= MSG_ADDR_MAX);
		CHECK(dp.n_routes <= MSG_ROUTE_MAX);
		CHECK(dp.n_onlink <= MSG_ONLINK_MAX);
		CHECK(srv.out_len <= CTL_OUTQ);
		CHECK(srv.in_len <= CTL_FRAME_MAX);
	}
	/* An ND message may always be offered; it goes up or is refused. */
	{
		uint8_t pkt[48] = {0x60};
		struct in_addr src = {htonl(0xc00002fe)};
		int r = ctl_nd_up(&srv, src, pkt, sizeof(pkt));

		/* Connected (so after the HELLO, and drained): it must go up. */
		CHECK(srv.cfd >= 0 ? r == 0 : r == -ENOTCONN);
		drain(sv[1]);
	}
	ctl_drop(&srv, NULL);
	close(sv[1]);
	return 0;
}
