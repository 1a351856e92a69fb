/*
 * datapath/ctlsock.c and state.c: the message server driven over a real
 * AF_UNIX stream socketpair, the test playing the control daemon. The kernel
 * side is a recording netcfg (what would be configured, with an injectable
 * error), so the tables and their mirroring into the kernel are checked
 * without root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "datapath/ctlsock.h"
#include "datapath/dp.h"
#include "isatap.h"
#include "tests/unit/lib/tu.h"

#define LOG_MAX 64

/* ---- a recording netcfg ----------------------------------------------------------- */

struct rec {
	char line[LOG_MAX][96];
	unsigned n;
	int fail;            /* returned by the next call, then reset */
	struct in_addr gone; /* an IPv4 address the host has lost (renumbered) */
};

static int
rec_push(struct rec *r, const char *s)
{
	int ret = r->fail;

	assert_true(r->n < LOG_MAX);
	snprintf(r->line[r->n++], sizeof(r->line[0]), "%s", s);
	r->fail = 0;
	return ret;
}

static int
rec_mtu(void *h, uint32_t mtu)
{
	char s[96];

	snprintf(s, sizeof(s), "mtu %u", mtu);
	return rec_push(h, s);
}

static int
rec_up(void *h, bool up)
{
	return rec_push(h, up ? "link up" : "link down");
}

static int
rec_addr(void *h, bool add, const struct msg_addr *a)
{
	char s[96], b[ADDR6_STRLEN];

	snprintf(s, sizeof(s), "addr %s %s/%u %u %u", add ? "add" : "del", addr_fmt6(&a->addr, b),
	         a->plen, a->valid_lft, a->preferred_lft);
	return rec_push(h, s);
}

static int
rec_route(void *h, bool add, const struct prefix6 *p, uint32_t metric)
{
	char s[96], b[ADDR6_STRLEN];

	snprintf(s, sizeof(s), "route %s %s/%u %u", add ? "add" : "del", addr_fmt6(&p->addr, b),
	         p->plen, metric);
	return rec_push(h, s);
}

/* This "host" has 192.0.2.1 and 192.0.2.20, less rec.gone. */
static int
rec_v4_is_local(void *h, struct in_addr v4)
{
	const struct rec *r = h;

	if (v4.s_addr == r->gone.s_addr)
		return 0;
	return v4.s_addr == htonl(0xc0000201) || v4.s_addr == htonl(0xc0000214);
}

static int
rec_nd_params(void *h, uint32_t hop, uint32_t reach, uint32_t retrans)
{
	char s[96];

	snprintf(s, sizeof(s), "nd hop %u reach %u retrans %u", hop, reach, retrans);
	return rec_push(h, s);
}

static const struct dp_netcfg_ops rec_ops = {rec_mtu,   rec_up,          rec_addr,
                                             rec_route, rec_v4_is_local, rec_nd_params};

/* ---- fixture --------------------------------------------------------------------- */

struct fx {
	struct dp dp;
	struct ctl_srv srv;
	struct rec rec;
	int peer; /* the test's end: "control" */
	uint32_t seq;
	struct fake_io {
		unsigned rs_sent;
	} io;
};

static unsigned
count_send(void *h, struct dp_tx *tx, unsigned n)
{
	struct fx *f = h;

	for (unsigned i = 0; i < n; i++)
		tx[i].err = 0;
	f->io.rs_sent += n;
	return n;
}

static int
setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof(*f));
	int sv[2];

	assert_non_null(f);
	f->dp.mtu = 1280;
	f->dp.ifindex = 7;
	memcpy(f->dp.ifname, "isatap0", 8);
	f->dp.nc = &rec_ops;
	f->dp.nc_h = &f->rec;
	f->dp.io.raw_send = count_send;
	f->dp.io.raw = f;
	ctl_init(&f->srv, &f->dp, getuid());
	f->dp.nd_up = ctl_nd_up;
	f->dp.nd_up_h = &f->srv;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ctl_attach(&f->srv, sv[0]);
	f->peer = sv[1];
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ctl_close(&f->srv);
	close(f->peer);
	test_free(f);
	return 0;
}

/* Lets the server run as poll() would wake it. */
static void
serve(struct fx *f)
{
	for (int i = 0; i < 8; i++) {
		struct pollfd p = {.fd = f->srv.cfd, .events = ctl_events(&f->srv)};

		if (f->srv.cfd < 0 || poll(&p, 1, 0) <= 0)
			return;
		ctl_handle(&f->srv, p.revents);
	}
}

static void
put_bytes(struct fx *f, const void *b, size_t len)
{
	assert_int_equal(send(f->peer, b, len, 0), (ssize_t)len);
}

static uint32_t
put(struct fx *f, uint16_t type, const void *payload, size_t len)
{
	uint8_t buf[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD];
	struct msg_hdr h = {.type = type, .len = (uint16_t)len, .seq = ++f->seq};

	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy(buf + sizeof(h), payload, len);
	put_bytes(f, buf, sizeof(h) + len);
	return h.seq;
}

/* Reads one frame from the server; false when none is there (or EOF). */
static bool
get(struct fx *f, struct msg_hdr *h, union msg_payload *p)
{
	uint8_t buf[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD];
	const char *field = NULL;
	ssize_t n = recv(f->peer, buf, sizeof(*h), MSG_DONTWAIT | MSG_PEEK);

	if (n < (ssize_t)sizeof(*h))
		return false;
	memcpy(h, buf, sizeof(*h));
	n = recv(f->peer, buf, sizeof(*h) + h->len, MSG_WAITALL);
	assert_int_equal(n, (ssize_t)(sizeof(*h) + h->len));
	/* Everything the datapath says passes the control side's strict check. */
	assert_int_equal(msg_decode(MSG_TO_CONTROL, buf, (size_t)n, h, p, &field), MSG_OK);
	return true;
}

static bool
peer_closed(struct fx *f)
{
	uint8_t b;
	ssize_t n = recv(f->peer, &b, 1, MSG_DONTWAIT);

	/* Closed with our bytes unread: the peer sees a reset, not an EOF. */
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* One request, its RESULT's error. */
static int
req(struct fx *f, uint16_t type, const void *payload, size_t len)
{
	struct msg_hdr h;
	union msg_payload p;
	uint32_t seq = put(f, type, payload, len);

	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_RESULT);
	assert_int_equal(h.seq, seq);
	assert_int_equal(p.result.req_type, type);
	return p.result.error;
}

static void
hello(struct fx *f)
{
	struct msg_hello m = {MSG_MAGIC, MSG_PROTO_VERSION};
	struct msg_hdr h;
	union msg_payload p;

	put(f, MSG_HELLO, &m, sizeof(m));
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_HELLO_REPLY);
	assert_int_equal(p.hello_reply.version, MSG_PROTO_VERSION);
	assert_int_equal(p.hello_reply.ifindex, 7);
	assert_string_equal(p.hello_reply.ifname, "isatap0");
}

static struct msg_addr
maddr(const char *a, uint8_t plen, uint32_t valid, uint32_t pref)
{
	struct msg_addr m = {
	        .addr = tu_a6(a), .plen = plen, .valid_lft = valid, .preferred_lft = pref};
	return m;
}

static struct msg_route
mroute(const char *prefix, uint8_t plen, const char *via, uint32_t metric)
{
	struct msg_route m = {
	        .prefix = tu_a6(prefix), .plen = plen, .via = tu_a4(via), .metric = metric};
	return m;
}

static void
assert_rec(struct fx *f, unsigned i, const char *line)
{
	assert_true(i < f->rec.n);
	assert_string_equal(f->rec.line[i], line);
}

/* ---- tests ------------------------------------------------------------------------- */

static void
test_hello_then_config_then_state(void **state)
{
	struct fx *f = *state;
	struct msg_locator loc = {tu_a4("192.0.2.1")};
	struct msg_prl prl = {.count = 1, .v4 = {tu_a4("192.0.2.254")}};
	struct msg_addr ll =
	        maddr("fe80::5efe:c000:201", 64, ND_INFINITE_LIFETIME, ND_INFINITE_LIFETIME);
	struct msg_addr ga = maddr("2001:db8:1::5efe:c000:201", 64, 86400, 14400);
	struct msg_onlink ol = {.prefix = tu_a6("2001:db8:1::"), .plen = 64};
	struct msg_route def = mroute("::", 0, "192.0.2.254", 1024);
	struct msg_mtu mtu = {1400};
	struct msg_link up = {1};
	struct msg_hdr h;
	union msg_payload p;
	uint32_t seq;

	hello(f);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	assert_int_equal(req(f, MSG_SET_PRL, &prl, sizeof(prl)), 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &ll, sizeof(ll)), 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &ga, sizeof(ga)), 0);
	/* Routes wait for the link: Linux refuses them on a down link. */
	assert_int_equal(req(f, MSG_ONLINK_ADD, &ol, sizeof(ol)), 0);
	assert_int_equal(req(f, MSG_ROUTE_ADD, &def, sizeof(def)), 0);
	assert_int_equal(req(f, MSG_SET_MTU, &mtu, sizeof(mtu)), 0);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);

	assert_int_equal(f->rec.n, 8);
	assert_rec(f, 0, "addr add fe80::5efe:c000:201/64 4294967295 4294967295");
	assert_rec(f, 1, "addr add 2001:db8:1::5efe:c000:201/64 86400 14400");
	assert_rec(f, 2, "mtu 1400");
	assert_rec(f, 3, "link up");
	/* On the way up: addresses put back, then each kernel route once. */
	assert_rec(f, 4, "addr add fe80::5efe:c000:201/64 4294967295 4294967295");
	assert_rec(f, 5, "addr add 2001:db8:1::5efe:c000:201/64 86400 14400");
	assert_rec(f, 6, "route add ::/0 1024");
	assert_rec(f, 7, "route add 2001:db8:1::/64 256");

	seq = put(f, MSG_GET_STATE, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_STATE);
	assert_int_equal(h.seq, seq);
	assert_int_equal(p.state.link_up, 1);
	assert_int_equal(p.state.mtu, 1400);
	assert_int_equal(p.state.locator.s_addr, loc.v4.s_addr);
	assert_int_equal(p.state.n_prl, 1);
	assert_int_equal(p.state.prl[0].s_addr, prl.v4[0].s_addr);
	assert_int_equal(p.state.n_addrs, 2);
	assert_memory_equal(&p.state.addrs[1], &ga, sizeof(ga));
	assert_int_equal(p.state.n_routes, 1);
	assert_memory_equal(&p.state.routes[0], &def, sizeof(def));
	assert_int_equal(p.state.n_onlink, 1);
	assert_memory_equal(&p.state.onlink[0], &ol, sizeof(ol));
	assert_string_equal(p.state.ifname, "isatap0");
}

static void
test_link_up_installs_onlink_route(void **state)
{
	struct fx *f = *state;
	struct msg_onlink ol = {.prefix = tu_a6("2001:db8:1::"), .plen = 64};
	struct msg_link up = {1}, down = {0};

	hello(f);
	assert_int_equal(req(f, MSG_ONLINK_ADD, &ol, sizeof(ol)), 0);
	assert_int_equal(f->rec.n, 0);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	assert_rec(f, 0, "link up");
	assert_rec(f, 1, "route add 2001:db8:1::/64 256");
	/* Up again changes nothing; down and up puts it back. */
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	assert_int_equal(f->rec.n, 3);
	assert_int_equal(req(f, MSG_SET_LINK, &down, sizeof(down)), 0);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	assert_rec(f, 5, "route add 2001:db8:1::/64 256");
}

static void
test_shared_kernel_route(void **state)
{
	struct fx *f = *state;
	struct msg_link up = {1};
	struct msg_route a = mroute("::", 0, "192.0.2.254", 1024);
	struct msg_route b = mroute("::", 0, "192.0.2.253", 1024);
	struct msg_route c = mroute("::", 0, "192.0.2.253", 100);

	hello(f);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	f->rec.n = 0;
	/* Two routers, one default route in the kernel. */
	assert_int_equal(req(f, MSG_ROUTE_ADD, &a, sizeof(a)), 0);
	assert_int_equal(req(f, MSG_ROUTE_ADD, &b, sizeof(b)), 0);
	assert_int_equal(f->rec.n, 1);
	assert_rec(f, 0, "route add ::/0 1024");
	/* The same route again: nothing to do. */
	assert_int_equal(req(f, MSG_ROUTE_ADD, &b, sizeof(b)), 0);
	assert_int_equal(f->rec.n, 1);
	/* b gets a new metric: a kernel route for it; 1024 still has a. */
	assert_int_equal(req(f, MSG_ROUTE_ADD, &c, sizeof(c)), 0);
	assert_int_equal(f->rec.n, 2);
	assert_rec(f, 1, "route add ::/0 100");
	assert_int_equal(f->dp.n_routes, 2);
	/* Removing a takes its kernel route with it; b (metric 100) stays. */
	assert_int_equal(req(f, MSG_ROUTE_DEL, &a, sizeof(a)), 0);
	assert_rec(f, 2, "route del ::/0 1024");
	assert_int_equal(req(f, MSG_ROUTE_DEL, &a, sizeof(a)), -ENOENT);
	assert_int_equal(req(f, MSG_ROUTE_DEL, &c, sizeof(c)), 0);
	assert_rec(f, 3, "route del ::/0 100");
	assert_int_equal(f->dp.n_routes, 0);
}

/* Another interface's route the kernel route would replace or hide: the
 * request is refused, counted, and nothing of ours is kept for it. */
static void
test_route_clash_refused(void **state)
{
	struct fx *f = *state;
	struct msg_link up = {1};
	struct msg_route def = mroute("::", 0, "192.0.2.254", 1024);
	struct msg_onlink ol = {.prefix = tu_a6("2001:db8:1::"), .plen = 64};

	hello(f);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	f->rec.n = 0;
	f->rec.fail = -EEXIST;
	assert_int_equal(req(f, MSG_ROUTE_ADD, &def, sizeof(def)), -EEXIST);
	assert_int_equal(f->dp.n_routes, 0);
	assert_int_equal(f->dp.counters[DPC_ROUTE_CLASH], 1);
	f->rec.fail = -EEXIST;
	assert_int_equal(req(f, MSG_ONLINK_ADD, &ol, sizeof(ol)), -EEXIST);
	assert_int_equal(f->dp.n_onlink, 0);
	assert_int_equal(f->dp.counters[DPC_ROUTE_CLASH], 2);
	/* Nothing was ours to delete. */
	assert_int_equal(req(f, MSG_ROUTE_DEL, &def, sizeof(def)), -ENOENT);
	assert_int_equal(f->rec.n, 2);
	/* Once the other route is gone, the same request goes through. */
	assert_int_equal(req(f, MSG_ROUTE_ADD, &def, sizeof(def)), 0);
	assert_rec(f, 2, "route add ::/0 1024");
	assert_int_equal(f->dp.counters[DPC_ROUTE_CLASH], 2);
}

static uint64_t boot_clock_ms;

static uint64_t
boot_clock(void)
{
	return boot_clock_ms;
}

/*
 * Review §19: an address the kernel dropped on a link down is put back on
 * the way up with what is left of its lifetimes, on a clock that counts
 * suspend, not as control first gave them; one that ran out is not put
 * back; GET_STATE reports what is left.
 */
static void
test_link_up_ages_lifetimes(void **state)
{
	struct fx *f = *state;
	struct msg_locator loc = {tu_a4("192.0.2.1")};
	struct msg_addr ga = maddr("2001:db8:1::5efe:c000:201", 64, 600, 300);
	struct msg_addr ll =
	        maddr("fe80::5efe:c000:201", 64, ND_INFINITE_LIFETIME, ND_INFINITE_LIFETIME);
	struct msg_link up = {1}, down = {0};
	struct msg_hdr h;
	union msg_payload p;

	f->dp.boot_ms = boot_clock;
	boot_clock_ms = 5000000;
	hello(f);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &ll, sizeof(ll)), 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &ga, sizeof(ga)), 0);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	f->rec.n = 0;
	/* 200.5 s later (a suspend among them): 399 and 99 s left. */
	boot_clock_ms += 200500;
	assert_int_equal(req(f, MSG_SET_LINK, &down, sizeof(down)), 0);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	assert_rec(f, 2, "addr add fe80::5efe:c000:201/64 4294967295 4294967295");
	assert_rec(f, 3, "addr add 2001:db8:1::5efe:c000:201/64 400 100");
	put(f, MSG_GET_STATE, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(p.state.addrs[1].valid_lft, 400);
	assert_int_equal(p.state.addrs[1].preferred_lft, 100);
	assert_int_equal(p.state.addrs[0].valid_lft, ND_INFINITE_LIFETIME);
	/* Renumbered (192.0.2.1 left the host, so it leaves the locator
	 * set): deprecating its address may not outlast what is left. */
	struct msg_addr dep = maddr("2001:db8:1::5efe:c000:201", 64, 401, 0);
	struct msg_locator other = {tu_a4("192.0.2.20")};
	f->rec.gone = loc.v4;
	assert_int_equal(req(f, MSG_SET_LOCATOR, &other, sizeof(other)), 0);
	assert_int_equal(f->dp.n_retired, 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &dep, sizeof(dep)), -EADDRNOTAVAIL);
	dep.valid_lft = 400;
	assert_int_equal(req(f, MSG_ADDR_ADD, &dep, sizeof(dep)), 0);
	/* 400 s more: run out; not put back, reported as valid 0. */
	boot_clock_ms += 400000;
	f->rec.n = 0;
	assert_int_equal(req(f, MSG_SET_LINK, &down, sizeof(down)), 0);
	assert_int_equal(req(f, MSG_SET_LINK, &up, sizeof(up)), 0);
	assert_int_equal(f->rec.n, 3);
	assert_rec(f, 2, "addr add fe80::5efe:c000:201/64 4294967295 4294967295");
	put(f, MSG_GET_STATE, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(p.state.n_addrs, 2);
	assert_int_equal(p.state.addrs[1].valid_lft, 0);
	assert_int_equal(p.state.addrs[1].preferred_lft, 0);
}

static void
test_bounds(void **state)
{
	struct fx *f = *state;
	char a[64];

	struct msg_locator loc = {tu_a4("192.0.2.1")};

	hello(f);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	for (unsigned i = 0; i < MSG_ADDR_MAX; i++) {
		struct msg_addr m;

		snprintf(a, sizeof(a), "2001:db8:%x::5efe:c000:201", i + 1);
		m = maddr(a, 64, 600, 300);
		assert_int_equal(req(f, MSG_ADDR_ADD, &m, sizeof(m)), 0);
	}
	struct msg_addr more = maddr("2001:db8:ff::5efe:c000:201", 64, 600, 300);
	assert_int_equal(req(f, MSG_ADDR_ADD, &more, sizeof(more)), -ENOSPC);
	/* An existing one may still be refreshed. */
	struct msg_addr again = maddr("2001:db8:1::5efe:c000:201", 64, 900, 600);
	assert_int_equal(req(f, MSG_ADDR_ADD, &again, sizeof(again)), 0);
	assert_int_equal(f->dp.n_addrs, MSG_ADDR_MAX);

	for (unsigned i = 0; i < MSG_ONLINK_MAX; i++) {
		struct msg_onlink o = {.plen = 64};

		snprintf(a, sizeof(a), "2001:db8:%x::", i + 16);
		o.prefix = tu_a6(a);
		assert_int_equal(req(f, MSG_ONLINK_ADD, &o, sizeof(o)), 0);
	}
	struct msg_onlink o = {.prefix = tu_a6("2001:db8:ff::"), .plen = 64};
	assert_int_equal(req(f, MSG_ONLINK_ADD, &o, sizeof(o)), -ENOSPC);
	assert_int_equal(req(f, MSG_ONLINK_DEL, &o, sizeof(o)), -ENOENT);
}

static void
test_kernel_error_leaves_tables_alone(void **state)
{
	struct fx *f = *state;
	struct msg_addr m = maddr("2001:db8:1::5efe:c000:201", 64, 600, 300);
	struct msg_locator loc = {tu_a4("192.0.2.1")};
	struct msg_mtu mtu = {9000};

	hello(f);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	f->rec.fail = -EINVAL;
	assert_int_equal(req(f, MSG_ADDR_ADD, &m, sizeof(m)), -EINVAL);
	assert_int_equal(f->dp.n_addrs, 0);
	f->rec.fail = -EPERM;
	assert_int_equal(req(f, MSG_SET_MTU, &mtu, sizeof(mtu)), -EPERM);
	assert_int_equal(f->dp.mtu, 1280);
	assert_int_equal(req(f, MSG_ADDR_DEL, &m, sizeof(m)), -ENOENT);
}

/* Review finding 4: only what an ISATAP interface can own, whatever
 * control asks; each refusal counted under its reason, nothing configured. */
static void
test_addr_add_only_isatap_addresses(void **state)
{
	struct fx *f = *state;
	struct msg_locator loc = {tu_a4("192.0.2.1")}, other = {tu_a4("192.0.2.20")};
	static const struct {
		const char *addr;
		uint8_t plen;
		int error;
		enum dp_counter reason;
	} refused[] = {
	        /* The review's demonstration: a public resolver's address. */
	        {"2606:4700:4700::1111", 128, -EINVAL, DPC_ADDR_REFUSED_PLEN},
	        {"2606:4700:4700::1111", 64, -EADDRNOTAVAIL, DPC_ADDR_REFUSED_NOT_OURS},
	        /* Our ISATAP address, but not SLAAC's /64. */
	        {"2001:db8:1::5efe:c000:201", 128, -EINVAL, DPC_ADDR_REFUSED_PLEN},
	        {"2001:db8:1::5efe:c000:201", 48, -EINVAL, DPC_ADDR_REFUSED_PLEN},
	        /* Another node's ISATAP address, either u form. */
	        {"2001:db8:1::5efe:c000:202", 64, -EADDRNOTAVAIL, DPC_ADDR_REFUSED_NOT_OURS},
	        {"2001:db8:1::200:5efe:c000:202", 64, -EADDRNOTAVAIL, DPC_ADDR_REFUSED_NOT_OURS},
	        {"fe80::5efe:c000:202", 64, -EADDRNOTAVAIL, DPC_ADDR_REFUSED_NOT_OURS},
	        {"fe80::1", 64, -EADDRNOTAVAIL, DPC_ADDR_REFUSED_NOT_OURS},
	        /* Not ISATAP: the locator sits elsewhere in the identifier. */
	        {"2001:db8:1::c000:201", 64, -EADDRNOTAVAIL, DPC_ADDR_REFUSED_NOT_OURS},
	        {"2001:db8:1::300:5efe:c000:201", 64, -EADDRNOTAVAIL, DPC_ADDR_REFUSED_NOT_OURS},
	        /* Our identifier outside link-local, global and unique-local. */
	        {"fec0::5efe:c000:201", 64, -EINVAL, DPC_ADDR_REFUSED_SCOPE},
	        {"100::5efe:c000:201", 64, -EINVAL, DPC_ADDR_REFUSED_SCOPE},
	        {"4000::5efe:c000:201", 64, -EINVAL, DPC_ADDR_REFUSED_SCOPE},
	};
	static const char *const accepted[] = {
	        "fe80::5efe:c000:201",       "fe80::200:5efe:c000:201",
	        "2001:db8:1::5efe:c000:201", "2001:db8:1::200:5efe:c000:201",
	        "fd00:1:2:3::5efe:c000:201", "3fff:1::200:5efe:c000:201",
	};
	uint64_t counts[DPC_COUNT] = {0};

	hello(f);
	/* No locator yet: nothing is ours. */
	struct msg_addr ll = maddr("fe80::5efe:c000:201", 64, 600, 300);
	assert_int_equal(req(f, MSG_ADDR_ADD, &ll, sizeof(ll)), -EADDRNOTAVAIL);
	counts[DPC_ADDR_REFUSED_NOT_OURS]++;
	assert_int_equal(req(f, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct msg_addr m = maddr(refused[i].addr, refused[i].plen, 600, 300);

		assert_int_equal(req(f, MSG_ADDR_ADD, &m, sizeof(m)), refused[i].error);
		counts[refused[i].reason]++;
		assert_int_equal(f->dp.counters[refused[i].reason], counts[refused[i].reason]);
	}
	assert_int_equal(f->dp.n_addrs, 0);
	assert_int_equal(f->rec.n, 0); /* the kernel was never asked */
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		struct msg_addr m = maddr(accepted[i], 64, 600, 300);

		assert_int_equal(req(f, MSG_ADDR_ADD, &m, sizeof(m)), 0);
	}
	assert_int_equal(f->dp.n_addrs, sizeof(accepted) / sizeof(accepted[0]));

	/* Another locator while the host keeps 192.0.2.1: it stays in the
	 * locator set (make-before-break), so its addresses are still ours
	 * and may be refreshed or deprecated. */
	assert_int_equal(req(f, MSG_SET_LOCATOR, &other, sizeof(other)), 0);
	assert_int_equal(f->dp.n_retired, 1);
	struct msg_addr old = maddr("2001:db8:1::5efe:c000:201", 64, 600, 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &old, sizeof(old)), 0);
	old = maddr("2001:db8:1::5efe:c000:201", 64, 600, 300);
	assert_int_equal(req(f, MSG_ADDR_ADD, &old, sizeof(old)), 0);

	/* A locator the host lost leaves the set: its addresses may be
	 * deprecated, never refreshed or extended; the new one's are ours. */
	f->rec.gone = loc.v4;
	dp_locators_recheck(&f->dp); /* main.c: on the host's IPv4 change */
	assert_int_equal(f->dp.n_retired, 0);
	old = maddr("2001:db8:1::5efe:c000:201", 64, 600, 300);
	assert_int_equal(req(f, MSG_ADDR_ADD, &old, sizeof(old)), -EADDRNOTAVAIL);
	old = maddr("2001:db8:1::5efe:c000:201", 64, 900, 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &old, sizeof(old)), -EADDRNOTAVAIL);
	old = maddr("2001:db8:1::5efe:c000:201", 128, 60, 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &old, sizeof(old)), -EINVAL);
	old = maddr("2001:db8:1::5efe:c000:201", 64, 60, 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &old, sizeof(old)), 0);
	struct msg_addr gone = maddr("2001:db8:2::5efe:c000:201", 64, 60, 0);
	assert_int_equal(req(f, MSG_ADDR_ADD, &gone, sizeof(gone)), -EADDRNOTAVAIL);
	struct msg_addr mine = maddr("2001:db8:1::5efe:c000:214", 64, 600, 300);
	assert_int_equal(req(f, MSG_ADDR_ADD, &mine, sizeof(mine)), 0);
}

static void
test_send_rs_only_to_prl(void **state)
{
	struct fx *f = *state;
	struct msg_locator loc = {tu_a4("192.0.2.1")};
	struct msg_prl prl = {.count = 1, .v4 = {tu_a4("192.0.2.254")}};
	struct msg_send_rs rs = {.router = tu_a4("192.0.2.254"), .u_bit = 0};
	struct msg_send_rs other = {.router = tu_a4("192.0.2.9"), .u_bit = 0};

	hello(f);
	assert_int_equal(req(f, MSG_SEND_RS, &rs, sizeof(rs)), -EADDRNOTAVAIL);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	assert_int_equal(req(f, MSG_SEND_RS, &rs, sizeof(rs)), -EPERM);
	assert_int_equal(req(f, MSG_SET_PRL, &prl, sizeof(prl)), 0);
	assert_int_equal(req(f, MSG_SEND_RS, &other, sizeof(other)), -EPERM);
	assert_int_equal(f->io.rs_sent, 0);
	assert_int_equal(req(f, MSG_SEND_RS, &rs, sizeof(rs)), 0);
	assert_int_equal(f->io.rs_sent, 1);
}

static void
test_locator_must_be_local(void **state)
{
	struct fx *f = *state;
	struct msg_locator mine = {tu_a4("192.0.2.1")}, other = {tu_a4("192.0.2.99")};
	struct msg_locator none = {{INADDR_ANY}};

	hello(f);
	/* Another host's address would make every outer header a forgery. */
	assert_int_equal(req(f, MSG_SET_LOCATOR, &other, sizeof(other)), -EADDRNOTAVAIL);
	assert_int_equal(f->dp.locator.s_addr, INADDR_ANY);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &mine, sizeof(mine)), 0);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &other, sizeof(other)), -EADDRNOTAVAIL);
	assert_int_equal(f->dp.locator.s_addr, mine.v4.s_addr);
	/* Withdrawing it is always allowed. */
	assert_int_equal(req(f, MSG_SET_LOCATOR, &none, sizeof(none)), 0);
	assert_int_equal(f->dp.locator.s_addr, INADDR_ANY);
}

/* RFC 4861 §6.3.4 parameters reach the kernel through the narrow request,
 * within RFC 4861 §6.2.1's bounds (anything else closes the link). */
static void
test_nd_params(void **state)
{
	struct fx *f = *state;
	struct msg_nd_params m = {.hop_limit = 32, .reachable_ms = 20000, .retrans_ms = 1500};
	struct {
		struct msg_hdr h;
		struct msg_nd_params m;
	} bad = {{MSG_SET_ND_PARAMS, sizeof(struct msg_nd_params), 9}, {256, 0, 0}};

	hello(f);
	assert_int_equal(req(f, MSG_SET_ND_PARAMS, &m, sizeof(m)), 0);
	assert_rec(f, f->rec.n - 1, "nd hop 32 reach 20000 retrans 1500");
	bad.m.hop_limit = 64;
	bad.m.reachable_ms = 3600001;
	put_bytes(f, &bad, sizeof(bad));
	serve(f);
	assert_true(peer_closed(f));
}

/* Traffic per PRL router, and kept across SET_PRL for those that stay. */
static void
test_prl_stats(void **state)
{
	struct fx *f = *state;
	struct msg_prl prl = {.count = 2, .v4 = {tu_a4("192.0.2.254"), tu_a4("192.0.2.252")}};
	struct msg_prl prl2 = {.count = 2, .v4 = {tu_a4("192.0.2.252"), tu_a4("192.0.2.250")}};
	struct msg_hdr h;
	union msg_payload p;

	hello(f);
	assert_int_equal(req(f, MSG_SET_PRL, &prl, sizeof(prl)), 0);
	f->dp.prl_out[1] = 7;
	f->dp.prl_in[1] = 5;
	assert_int_equal(req(f, MSG_SET_PRL, &prl2, sizeof(prl2)), 0);
	put(f, MSG_GET_PRL_STATS, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_PRL_STATS);
	assert_int_equal(p.prl_stats.n, 2);
	assert_int_equal(p.prl_stats.e[0].v4.s_addr, tu_a4("192.0.2.252").s_addr);
	assert_int_equal(p.prl_stats.e[0].out_packets, 7);
	assert_int_equal(p.prl_stats.e[0].in_packets, 5);
	assert_int_equal(p.prl_stats.e[1].out_packets, 0);
}

static void
test_counters(void **state)
{
	struct fx *f = *state;
	struct msg_hdr h;
	union msg_payload p;

	hello(f);
	f->dp.counters[DPC_DECAP_BASE + DECAP_DROP_SPOOFED_SRC] = 3;
	put(f, MSG_GET_COUNTERS, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_COUNTERS);
	assert_int_equal(p.counters.n, DPC_COUNT);
	assert_int_equal(p.counters.v[DPC_DECAP_BASE + DECAP_DROP_SPOOFED_SRC], 3);
}

/* The fast path's share, as main.c hands it over (dp.h fp_*): what a
 * kernel program counted in a slot, and for a router. */
static void
fake_fp_counters(void *h, uint64_t *v, size_t n)
{
	assert_true(n > DPC_OUT_PACKETS);
	v[DPC_OUT_PACKETS] += *(uint64_t *)h;
}

static void
fake_fp_prl_stats(void *h, struct msg_prl_stats *st)
{
	st->e[0].in_packets += *(uint64_t *)h;
}

static void
fake_fp_status(void *h, struct msg_fastpath *m)
{
	m->active = 1;
	strcpy(m->reason, "attached");
	strcpy(m->egress, "isatap0");
	m->n_ingress = 1;
	strcpy(m->ingress[0], "eth0");
	m->n = 1;
	m->v[0] = *(uint64_t *)h;
}

/* One set of counters (user space + fast path), GET_FASTPATH answered from
 * the fast path or, without one, with why not; and every request that may
 * change the tables marks them for the fast path, the queries do not. */
static void
test_fastpath(void **state)
{
	struct fx *f = *state;
	struct msg_prl prl = {.count = 1, .v4 = {tu_a4("192.0.2.254")}};
	uint64_t share = 1000;
	struct msg_hdr h;
	union msg_payload p;

	hello(f);
	put(f, MSG_GET_FASTPATH, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_FASTPATH);
	assert_int_equal(p.fastpath.active, 0);
	assert_string_equal(p.fastpath.reason, "no fast path in this program");
	assert_int_equal(msg_check_payload(MSG_FASTPATH, &p, NULL), MSG_OK);
	assert_false(f->dp.tables_changed);

	f->dp.fp_counters = fake_fp_counters;
	f->dp.fp_prl_stats = fake_fp_prl_stats;
	f->dp.fp_status = fake_fp_status;
	f->dp.fp_h = &share;
	f->dp.counters[DPC_OUT_PACKETS] = 5;
	put(f, MSG_GET_COUNTERS, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(p.counters.v[DPC_OUT_PACKETS], 1005);
	put(f, MSG_GET_FASTPATH, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_FASTPATH);
	assert_int_equal(p.fastpath.active, 1);
	assert_string_equal(p.fastpath.ingress[0], "eth0");
	assert_int_equal(p.fastpath.v[0], 1000);
	assert_false(f->dp.tables_changed);

	assert_int_equal(req(f, MSG_SET_PRL, &prl, sizeof(prl)), 0);
	assert_true(f->dp.tables_changed);
	put(f, MSG_GET_PRL_STATS, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(p.prl_stats.e[0].in_packets, 1000);
	f->dp.fp_counters = NULL;
	f->dp.fp_prl_stats = NULL;
	f->dp.fp_status = NULL;
}

static void
test_nd_recv_event(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[64];
	struct msg_hdr h;
	union msg_payload p;

	for (size_t i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i + 1);
	/* Before HELLO nothing goes up. */
	assert_int_equal(ctl_nd_up(&f->srv, tu_a4("192.0.2.254"), pkt, sizeof(pkt)), -ENOTCONN);
	hello(f);
	assert_int_equal(ctl_nd_up(&f->srv, tu_a4("192.0.2.254"), pkt, sizeof(pkt)), 0);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_ND_RECV);
	assert_int_equal(h.seq, 0);
	assert_int_equal(p.nd_recv.len, sizeof(pkt));
	assert_memory_equal(p.nd_recv.pkt, pkt, sizeof(pkt));
	assert_int_equal(ctl_nd_up(&f->srv, tu_a4("192.0.2.254"), pkt, MSG_ND_MAX + 1), -EMSGSIZE);

	ctl_link_event(&f->srv, true, 1400);
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_LINK_EVENT);
	assert_int_equal(p.link_event.ifindex, 7);
	assert_int_equal(p.link_event.mtu, 1400);
}

static void
test_frames_split_and_batched(void **state)
{
	struct fx *f = *state;
	struct msg_hello m = {MSG_MAGIC, MSG_PROTO_VERSION};
	struct msg_hdr h = {.type = MSG_HELLO, .len = sizeof(m), .seq = 1};
	uint8_t buf[64];
	union msg_payload p;

	/* One byte at a time. */
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &m, sizeof(m));
	for (size_t i = 0; i < sizeof(h) + sizeof(m); i++) {
		put_bytes(f, buf + i, 1);
		serve(f);
	}
	assert_true(get(f, &h, &p));
	assert_int_equal(h.type, MSG_HELLO_REPLY);
	/* Three requests in one write: three replies, in order. */
	struct msg_hdr g = {.type = MSG_GET_COUNTERS, .len = 0};
	for (uint32_t i = 0; i < 3; i++) {
		g.seq = 10 + i;
		memcpy(buf + i * sizeof(g), &g, sizeof(g));
	}
	put_bytes(f, buf, 3 * sizeof(g));
	serve(f);
	for (uint32_t i = 0; i < 3; i++) {
		assert_true(get(f, &h, &p));
		assert_int_equal(h.type, MSG_COUNTERS);
		assert_int_equal(h.seq, 10 + i);
	}
	assert_false(get(f, &h, &p));
}

/* Every malformed or out-of-order frame closes the connection; the tables
 * stay as they were. */
static void
closes(struct fx *f, bool after_hello, const void *frame, size_t len)
{
	if (after_hello)
		hello(f);
	put_bytes(f, frame, len);
	serve(f);
	assert_int_equal(f->srv.cfd, -1);
	assert_true(peer_closed(f));
	assert_int_equal(f->dp.n_addrs, 0);
	assert_int_equal(f->dp.locator.s_addr, 0);
}

static void
test_request_before_hello(void **state)
{
	struct msg_hdr h = {.type = MSG_GET_STATE, .len = 0, .seq = 1};

	closes(*state, false, &h, sizeof(h));
}

static void
test_bad_hello(void **state)
{
	struct {
		struct msg_hdr h;
		struct msg_hello m;
	} f = {{MSG_HELLO, sizeof(struct msg_hello), 1}, {MSG_MAGIC, MSG_PROTO_VERSION + 1}};

	closes(*state, false, &f, sizeof(f));
}

static void
test_second_hello(void **state)
{
	struct {
		struct msg_hdr h;
		struct msg_hello m;
	} f = {{MSG_HELLO, sizeof(struct msg_hello), 2}, {MSG_MAGIC, MSG_PROTO_VERSION}};

	closes(*state, true, &f, sizeof(f));
}

static void
test_unknown_type(void **state)
{
	struct msg_hdr h = {.type = 99, .len = 0, .seq = 2};

	closes(*state, true, &h, sizeof(h));
}

static void
test_wrong_direction(void **state)
{
	struct {
		struct msg_hdr h;
		struct msg_result r;
	} f = {{MSG_RESULT, sizeof(struct msg_result), 2}, {0, MSG_HELLO, 0}};

	closes(*state, true, &f, sizeof(f));
}

static void
test_length_checked_before_payload(void **state)
{
	struct fx *f = *state;
	/* SET_LOCATOR claiming 60000 bytes: refused on the header alone,
	 * without waiting for (or buffering) a byte of it. */
	struct msg_hdr h = {.type = MSG_SET_LOCATOR, .len = 60000, .seq = 2};

	closes(f, true, &h, sizeof(h));
}

static void
test_bad_fields(void **state)
{
	struct fx *f = *state;
	struct {
		struct msg_hdr h;
		struct msg_addr a;
	} fr = {{MSG_ADDR_ADD, sizeof(struct msg_addr), 2},
	        maddr("2001:db8:1::1", 64, 300, 600)}; /* preferred > valid */

	closes(f, true, &fr, sizeof(fr));
}

static void
test_multicast_locator(void **state)
{
	struct {
		struct msg_hdr h;
		struct msg_locator l;
	} f = {{MSG_SET_LOCATOR, sizeof(struct msg_locator), 2}, {{htonl(0xe0000001)}}};

	closes(*state, true, &f, sizeof(f));
}

static void
test_eof_mid_frame(void **state)
{
	struct fx *f = *state;
	struct msg_hdr h = {.type = MSG_SET_MTU, .len = sizeof(struct msg_mtu), .seq = 2};

	hello(f);
	put_bytes(f, &h, sizeof(h));
	shutdown(f->peer, SHUT_WR);
	serve(f);
	assert_int_equal(f->srv.cfd, -1);
}

static void
test_state_survives_reconnect(void **state)
{
	struct fx *f = *state;
	struct msg_locator loc = {tu_a4("192.0.2.1")};
	struct msg_hdr h;
	union msg_payload p;
	int sv[2];

	hello(f);
	assert_int_equal(req(f, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	/* Control dies. */
	close(f->peer);
	serve(f);
	assert_int_equal(f->srv.cfd, -1);
	assert_int_equal(f->dp.locator.s_addr, loc.v4.s_addr);
	/* A new one connects and gets the state back. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	ctl_attach(&f->srv, sv[0]);
	f->peer = sv[1];
	hello(f);
	put(f, MSG_GET_STATE, NULL, 0);
	serve(f);
	assert_true(get(f, &h, &p));
	assert_int_equal(p.state.locator.s_addr, loc.v4.s_addr);
}

/* The listening socket: the peer's uid decides, and one connection at a time. */
static void
test_listen_and_peer_uid(void **state)
{
	struct fx *f = *state;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/test_dp_ctlsock.XXXXXX", path[64];
	int c1, c2;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dp.sock", dir);
	memcpy(sun.sun_path, path, strlen(path));
	ctl_close(&f->srv);
	assert_int_equal(ctl_listen(&f->srv, path, getuid()), 0);
	/* A second datapath on the same path is refused, not hijacked. */
	{
		struct ctl_srv other;

		ctl_init(&other, &f->dp, getuid());
		assert_int_equal(ctl_listen(&other, path, getuid()), -EADDRINUSE);
	}
	/* That probe was a connection: accept it and see it gone. */
	ctl_accept(&f->srv);
	serve(f);
	assert_int_equal(f->srv.cfd, -1);

	/* Our uid: accepted. */
	c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c1, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ctl_accept(&f->srv);
	assert_true(f->srv.cfd >= 0);
	/* A second one while the first is open: refused. */
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c2, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ctl_accept(&f->srv);
	{
		uint8_t b;
		assert_int_equal(recv(c2, &b, 1, MSG_DONTWAIT), 0);
	}
	close(c2);
	close(c1);
	serve(f);
	assert_int_equal(f->srv.cfd, -1);

	/* Another uid (we pretend ours is not allowed): refused. */
	f->srv.allowed_uid = getuid() + 1;
	c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c1, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ctl_accept(&f->srv);
	assert_int_equal(f->srv.cfd, -1);
	close(c1);

	ctl_close(&f->srv);
	assert_int_equal(access(path, F_OK), -1);
	rmdir(dir);
}

/* A listener at path with a full backlog: connect() to it would block.
 * Returns the listener; the filled connections are left open. */
static int
full_listener(const char *path, int *clients, int max, int *n)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int l = socket(AF_UNIX, SOCK_STREAM, 0);

	memcpy(sun.sun_path, path, strlen(path));
	assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(l, 0), 0);
	for (*n = 0; *n < max; (*n)++) {
		clients[*n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(clients[*n], (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			assert_int_equal(errno, EAGAIN);
			close(clients[*n]);
			break;
		}
	}
	assert_true(*n < max);
	return l;
}

static void
on_alarm(int sig)
{
	(void)sig;
	fail_msg("ctl_listen() blocked on a listener with a full backlog");
}

/*
 * Review §19: the probe of a socket in the way never blocks, and who
 * listens there decides. A datapath of ours with a full backlog: in use,
 * at once. A socket another uid listens on (a compromised control that
 * occupied the path while the datapath was down): taken back.
 */
static void
test_listen_takes_back_an_impostor(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/test_dp_ctlsock.XXXXXX", path[64], ready[80];
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int clients[16], n, l, c, status;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(path, sizeof(path), "%s/dp.sock", dir);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	memcpy(sun.sun_path, path, strlen(path));
	ctl_close(&f->srv);

	l = full_listener(path, clients, 16, &n);
	signal(SIGALRM, on_alarm);
	alarm(5);
	assert_int_equal(ctl_listen(&f->srv, path, getuid()), -EADDRINUSE);
	alarm(0);
	for (int i = 0; i < n; i++)
		close(clients[i]);
	close(l);
	unlink(path);

	if (geteuid() != 0) {
		rmdir(dir);
		skip(); /* another uid takes root */
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0 ||
		    bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s, 4) < 0)
			_exit(2);
		close(open(ready, O_CREAT | O_WRONLY, 0644));
		pause();
		_exit(0);
	}
	while (access(ready, F_OK) != 0) {
		assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
		usleep(1000);
	}
	assert_int_equal(ctl_listen(&f->srv, path, getuid()), 0);
	/* The path is ours again: a control connecting reaches us. */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ctl_accept(&f->srv);
	assert_true(f->srv.cfd >= 0);
	close(c);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ctl_close(&f->srv);
	unlink(ready);
	rmdir(dir);
}

/* Connects to path without blocking until its backlog is full; the
 * connections are left open. */
static int
fill_backlog(const char *path, int *clients, int max)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int n;

	memcpy(sun.sun_path, path, strlen(path));
	for (n = 0; n < max; n++) {
		clients[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(clients[n], (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			assert_int_equal(errno, EAGAIN);
			close(clients[n]);
			break;
		}
	}
	assert_true(n < max);
	return n;
}

/*
 * Review §19, with a full backlog: no connection, so no SO_PEERCRED, and
 * the file decides. A datapath started as root gives its socket to the
 * control user, the very uid an impostor's file has: it must still be
 * told apart (the group is root's, which the control user cannot give a
 * file), and never be taken from a running datapath. The impostor's own
 * full backlog does not save it.
 */
static void
test_listen_full_backlog_judged_by_file(void **state)
{
	struct fx *f = *state;
	char dir[] = "/tmp/test_dp_ctlsock.XXXXXX", path[64], ready[80];
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int clients[16], n, c, status;
	struct ctl_srv other;
	struct stat st;
	pid_t pid;

	if (geteuid() != 0)
		skip(); /* giving a file away takes root */
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(path, sizeof(path), "%s/dp.sock", dir);
	snprintf(ready, sizeof(ready), "%s/ready", dir);
	memcpy(sun.sun_path, path, strlen(path));
	ctl_close(&f->srv);

	/* A running datapath (root, control user 65534), its backlog full. */
	assert_int_equal(ctl_listen(&f->srv, path, 65534), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	n = fill_backlog(path, clients, 16);
	ctl_init(&other, &f->dp, 65534);
	assert_int_equal(ctl_listen(&other, path, 65534), -EADDRINUSE);
	/* Still its path: once the backlog drains, a connection reaches it. */
	for (int i = 0; i < n; i++)
		close(clients[i]);
	for (int i = 0; i < n; i++) {
		ctl_accept(&f->srv);
		serve(f);
	}
	f->srv.allowed_uid = getuid();
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ctl_accept(&f->srv);
	assert_true(f->srv.cfd >= 0);
	close(c);
	serve(f);
	ctl_close(&f->srv);

	/* An impostor (uid 65534) that keeps its own backlog full. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0), held[16];

		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0 ||
		    bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s, 0) < 0)
			_exit(2);
		(void)fill_backlog(path, held, 16);
		close(open(ready, O_CREAT | O_WRONLY, 0644));
		pause();
		_exit(0);
	}
	while (access(ready, F_OK) != 0) {
		assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
		usleep(1000);
	}
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), -1);
	assert_int_equal(errno, EAGAIN);
	close(c);
	assert_int_equal(ctl_listen(&f->srv, path, 65534), 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ctl_accept(&f->srv);
	assert_true(f->srv.cfd >= 0);
	close(c);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ctl_close(&f->srv);
	unlink(ready);
	rmdir(dir);
}

/* Random frames, biased toward known types and exact lengths so that many
 * reach msg_check_payload() and the handlers: the server must never crash,
 * never exceed a bound, and either answer or hang up. (Run under
 * SANITIZE=1 for memory errors.) */
static void
test_random_frames(void **state)
{
	struct fx *f = *state;
	static const uint16_t types[] = {
	        MSG_SET_LOCATOR, MSG_SET_PRL,    MSG_ADDR_ADD,     MSG_ADDR_DEL, MSG_ROUTE_ADD,
	        MSG_ROUTE_DEL,   MSG_ONLINK_ADD, MSG_ONLINK_DEL,   MSG_SET_MTU,  MSG_SET_LINK,
	        MSG_SEND_RS,     MSG_GET_STATE,  MSG_GET_COUNTERS, MSG_HELLO,    MSG_RESULT};
	uint32_t x = 0x12345678;
	unsigned closed = 0, answered = 0;

	for (int iter = 0; iter < 3000; iter++) {
		uint8_t buf[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD];
		struct msg_hdr h;
		union msg_payload p;
		size_t len;
		int sv[2];

		if (f->srv.cfd < 0) {
			close(f->peer);
			assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
			                 0);
			ctl_attach(&f->srv, sv[0]);
			f->peer = sv[1];
			hello(f);
		}
#define RND() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
		h.type = RND() % 4 ? types[RND() % (sizeof(types) / sizeof(types[0]))]
		                   : (uint16_t)RND();
		h.len = RND() % 4 ? (uint16_t)(msg_payload_size(h.type) < 0
		                                       ? 0
		                                       : msg_payload_size(h.type))
		                  : (uint16_t)(RND() % 200);
		h.seq = RND();
		len = h.len < MSG_MAX_PAYLOAD ? h.len : 0;
		memcpy(buf, &h, sizeof(h));
		for (size_t i = 0; i < len; i++)
			buf[sizeof(h) + i] = (uint8_t)RND();
		/* Mostly-valid payloads: zero most bytes so fields pass checks. */
		if (RND() % 2)
			for (size_t i = 0; i < len; i++)
				if (RND() % 4)
					buf[sizeof(h) + i] = 0;
#undef RND
		send(f->peer, buf, sizeof(h) + len, MSG_NOSIGNAL);
		serve(f);
		while (get(f, &h, &p))
			answered++;
		if (f->srv.cfd < 0)
			closed++;
		assert_true(f->dp.n_addrs <= MSG_ADDR_MAX);
		assert_true(f->dp.n_routes <= MSG_ROUTE_MAX);
		assert_true(f->dp.n_onlink <= MSG_ONLINK_MAX);
		assert_true(f->dp.n_prl <= MSG_PRL_MAX);
		f->rec.n = 0;
	}
	/* Both outcomes happened many times. */
	assert_true(closed > 100);
	assert_true(answered > 100);
}

/*
 * The event loop is level-triggered and always reports a hang-up. A peer
 * that stops reading lets our output queue fill until we stop reading its
 * requests (back-pressure: only POLLOUT asked for); if it then shuts the
 * socket down both ways without closing it, POLLHUP is all we get, every
 * time. It must end the connection, not leave the loop spinning on it.
 */
static void
test_hangup_under_backpressure(void **state)
{
	struct fx *f = *state;
	uint8_t pkt[MSG_ND_MAX] = {0x60};
	struct pollfd p;
	int i;

	hello(f);
	/* ND packets the peer never reads, until the queue refuses one. */
	for (i = 0; i < 1000 && ctl_nd_up(&f->srv, tu_a4("192.0.2.254"), pkt, sizeof(pkt)) == 0;
	     i++)
		;
	assert_true(i < 1000);
	assert_int_equal(ctl_events(&f->srv), POLLOUT);
	assert_int_equal(shutdown(f->peer, SHUT_RDWR), 0);

	/* As the loop would: at most a few wake-ups, then the connection
	 * is gone (and with it the registration). */
	for (i = 0; i < 8 && f->srv.cfd >= 0; i++) {
		p = (struct pollfd){.fd = f->srv.cfd, .events = ctl_events(&f->srv)};
		assert_int_equal(poll(&p, 1, 0), 1);
		assert_true(p.revents & POLLHUP);
		ctl_handle(&f->srv, p.revents);
	}
	assert_int_equal(f->srv.cfd, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	        T(test_hello_then_config_then_state),
	        T(test_link_up_installs_onlink_route),
	        T(test_link_up_ages_lifetimes),
	        T(test_shared_kernel_route),
	        T(test_route_clash_refused),
	        T(test_bounds),
	        T(test_kernel_error_leaves_tables_alone),
	        T(test_addr_add_only_isatap_addresses),
	        T(test_send_rs_only_to_prl),
	        T(test_locator_must_be_local),
	        T(test_counters),
	        T(test_nd_params),
	        T(test_prl_stats),
	        T(test_fastpath),
	        T(test_nd_recv_event),
	        T(test_frames_split_and_batched),
	        T(test_request_before_hello),
	        T(test_bad_hello),
	        T(test_second_hello),
	        T(test_unknown_type),
	        T(test_wrong_direction),
	        T(test_length_checked_before_payload),
	        T(test_bad_fields),
	        T(test_multicast_locator),
	        T(test_eof_mid_frame),
	        T(test_state_survives_reconnect),
	        T(test_listen_and_peer_uid),
	        T(test_listen_takes_back_an_impostor),
	        T(test_listen_full_backlog_judged_by_file),
	        T(test_random_frames),
	        T(test_hangup_under_backpressure),
#undef T
	};

	return cmocka_run_group_tests_name("dp_ctlsock", tests, NULL, NULL);
}
