/* proto/msg.c: the datapath <-> control catalogue and its strict decoder. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "msg.h"
#include "tests/unit/lib/tu.h"

static const uint16_t to_datapath[] = {
        MSG_HELLO,     MSG_SET_LOCATOR, MSG_SET_PRL,    MSG_ADDR_ADD,     MSG_ADDR_DEL,
        MSG_ROUTE_ADD, MSG_ROUTE_DEL,   MSG_ONLINK_ADD, MSG_ONLINK_DEL,   MSG_SET_MTU,
        MSG_SET_LINK,  MSG_SEND_RS,     MSG_GET_STATE,  MSG_GET_COUNTERS,
};
static const uint16_t to_control[] = {
        MSG_HELLO_REPLY, MSG_RESULT, MSG_STATE, MSG_COUNTERS, MSG_ND_RECV, MSG_LINK_EVENT,
};

static enum msg_dir
dir_of(uint16_t type)
{
	return type >= MSG_HELLO_REPLY ? MSG_TO_CONTROL : MSG_TO_DATAPATH;
}

static void
valid_addr(struct msg_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->addr = tu_a6("2001:db8:1::5efe:c000:201");
	a->plen = 64;
	a->valid_lft = 86400;
	a->preferred_lft = 14400;
}

static void
valid_route(struct msg_route *r)
{
	memset(r, 0, sizeof(*r));
	r->prefix = tu_a6("2001:db8:3::");
	r->plen = 48;
	r->via = tu_a4("192.0.2.254");
	r->metric = 1024;
}

static void
valid_onlink(struct msg_onlink *o)
{
	memset(o, 0, sizeof(*o));
	o->prefix = tu_a6("2001:db8:1::");
	o->plen = 64;
}

/* A payload of each type that the decoder accepts. */
static void
valid(uint16_t type, union msg_payload *p)
{
	memset(p, 0, sizeof(*p));
	switch (type) {
	case MSG_HELLO:
		p->hello.magic = MSG_MAGIC;
		p->hello.version = MSG_PROTO_VERSION;
		break;
	case MSG_HELLO_REPLY:
		p->hello_reply.magic = MSG_MAGIC;
		p->hello_reply.version = MSG_PROTO_VERSION;
		p->hello_reply.flags = MSG_DP_ROUTER_MODE;
		p->hello_reply.ifindex = 7;
		strcpy(p->hello_reply.ifname, "isatap0");
		break;
	case MSG_SET_LOCATOR:
		p->locator.v4 = tu_a4("192.0.2.1");
		break;
	case MSG_SET_PRL:
		p->prl.count = 2;
		p->prl.v4[0] = tu_a4("192.0.2.254");
		p->prl.v4[1] = tu_a4("198.51.100.1");
		break;
	case MSG_ADDR_ADD:
	case MSG_ADDR_DEL:
		valid_addr(&p->addr);
		break;
	case MSG_ROUTE_ADD:
	case MSG_ROUTE_DEL:
		valid_route(&p->route);
		break;
	case MSG_ONLINK_ADD:
	case MSG_ONLINK_DEL:
		valid_onlink(&p->onlink);
		break;
	case MSG_SET_MTU:
		p->mtu.mtu = 1280;
		break;
	case MSG_SET_LINK:
		p->link.up = 1;
		break;
	case MSG_SEND_RS:
		p->send_rs.router = tu_a4("192.0.2.254");
		p->send_rs.u_bit = 1;
		break;
	case MSG_RESULT:
		p->result.error = -22;
		p->result.req_type = MSG_ADDR_ADD;
		break;
	case MSG_STATE:
		p->state.flags = 0;
		p->state.ifindex = 7;
		strcpy(p->state.ifname, "isatap0");
		p->state.link_up = 1;
		p->state.mtu = 1280;
		p->state.locator = tu_a4("192.0.2.1");
		p->state.n_prl = 1;
		p->state.prl[0] = tu_a4("192.0.2.254");
		p->state.n_addrs = 1;
		valid_addr(&p->state.addrs[0]);
		p->state.n_routes = 1;
		valid_route(&p->state.routes[0]);
		p->state.n_onlink = 1;
		valid_onlink(&p->state.onlink[0]);
		break;
	case MSG_COUNTERS:
		p->counters.n = 10;
		p->counters.v[0] = 12345;
		break;
	case MSG_ND_RECV:
		p->nd_recv.outer_src = tu_a4("192.0.2.254");
		p->nd_recv.len = 4;
		memcpy(p->nd_recv.pkt, "\x60\0\0\0", 4);
		break;
	case MSG_LINK_EVENT:
		p->link_event.ifindex = 7;
		p->link_event.up = 1;
		p->link_event.mtu = 1480;
		break;
	case MSG_FASTPATH:
		p->fastpath.active = 1;
		p->fastpath.generation = 3;
		strcpy(p->fastpath.reason, "attached");
		strcpy(p->fastpath.egress, "isatap0");
		p->fastpath.n_ingress = 2;
		strcpy(p->fastpath.ingress[0], "veth0");
		strcpy(p->fastpath.ingress[1], "eth1");
		p->fastpath.n = 30;
		p->fastpath.v[0] = 100;
		p->fastpath.v[29] = 7;
		break;
	}
}

static uint8_t frame[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD + 8];

/* Frames the payload as the sender would and decodes it. */
static enum msg_reason
roundtrip(uint16_t type, const union msg_payload *in, const char **field)
{
	struct msg_hdr h = {.type = type, .len = (uint16_t)msg_payload_size(type), .seq = 42};
	struct msg_hdr got;
	union msg_payload out;
	enum msg_reason r;

	memcpy(frame, &h, sizeof(h));
	memcpy(frame + sizeof(h), in, h.len);
	r = msg_decode(dir_of(type), frame, sizeof(h) + h.len, &got, &out, field);
	if (r == MSG_OK) {
		assert_int_equal(got.type, type);
		assert_int_equal(got.seq, 42);
		assert_memory_equal(&out, in, h.len);
	}
	return r;
}

static void
expect_bad(uint16_t type, const union msg_payload *p, const char *want)
{
	const char *field = NULL;
	enum msg_reason r = roundtrip(type, p, &field);

	if (r != MSG_BAD_FIELD)
		fail_msg("%s: %s is %s, not bad_field", msg_type_name(type), want,
		         msg_reason_name(r));
	assert_non_null(field);
	assert_string_equal(field, want);
	/* msg_check_payload says the same on its own, and copes with a NULL field. */
	assert_int_equal(msg_check_payload(type, p, NULL), MSG_BAD_FIELD);
}

static void
test_all_valid(void **state)
{
	union msg_payload p;
	const char *field = "x";

	(void)state;
	for (size_t i = 0; i < sizeof(to_datapath) / sizeof(to_datapath[0]); i++) {
		valid(to_datapath[i], &p);
		assert_int_equal(roundtrip(to_datapath[i], &p, &field), MSG_OK);
		assert_null(field);
	}
	for (size_t i = 0; i < sizeof(to_control) / sizeof(to_control[0]); i++) {
		valid(to_control[i], &p);
		assert_int_equal(roundtrip(to_control[i], &p, &field), MSG_OK);
		assert_null(field);
	}
}

static void
test_header(void **state)
{
	struct msg_hdr h;
	union msg_payload p;
	static const uint16_t unknown[] = {0, 15, 16, 63, 70, 128, 0xffff};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		h = (struct msg_hdr){.type = unknown[i], .len = 0};
		assert_int_equal(msg_check_hdr(MSG_TO_DATAPATH, &h), MSG_UNKNOWN_TYPE);
		assert_int_equal(msg_check_hdr(MSG_TO_CONTROL, &h), MSG_UNKNOWN_TYPE);
		assert_null(msg_type_name(unknown[i]));
		assert_int_equal(msg_payload_size(unknown[i]), -1);
	}
	/* Each type only in its own direction, only at its exact length. */
	for (size_t i = 0; i < sizeof(to_datapath) / sizeof(to_datapath[0]); i++) {
		uint16_t t = to_datapath[i];
		int size = msg_payload_size(t);
		assert_true(size >= 0);
		h = (struct msg_hdr){.type = t, .len = (uint16_t)size};
		assert_int_equal(msg_check_hdr(MSG_TO_DATAPATH, &h), MSG_OK);
		assert_int_equal(msg_check_hdr(MSG_TO_CONTROL, &h), MSG_WRONG_DIRECTION);
		h.len = (uint16_t)(size + 1);
		assert_int_equal(msg_check_hdr(MSG_TO_DATAPATH, &h), MSG_BAD_LENGTH);
		if (size > 0) {
			h.len = (uint16_t)(size - 1);
			assert_int_equal(msg_check_hdr(MSG_TO_DATAPATH, &h), MSG_BAD_LENGTH);
		}
	}
	for (size_t i = 0; i < sizeof(to_control) / sizeof(to_control[0]); i++) {
		uint16_t t = to_control[i];
		int size = msg_payload_size(t);
		h = (struct msg_hdr){.type = t, .len = (uint16_t)size};
		assert_int_equal(msg_check_hdr(MSG_TO_CONTROL, &h), MSG_OK);
		assert_int_equal(msg_check_hdr(MSG_TO_DATAPATH, &h), MSG_WRONG_DIRECTION);
		h.len = (uint16_t)(size - 1);
		assert_int_equal(msg_check_hdr(MSG_TO_CONTROL, &h), MSG_BAD_LENGTH);
		h.len = 0xffff;
		assert_int_equal(msg_check_hdr(MSG_TO_CONTROL, &h), MSG_BAD_LENGTH);
	}

	/* msg_decode: fewer bytes than a header, and a frame whose byte count
	 * disagrees with its header. */
	valid(MSG_SET_MTU, &p);
	h = (struct msg_hdr){.type = MSG_SET_MTU, .len = 4, .seq = 1};
	memcpy(frame, &h, sizeof(h));
	memcpy(frame + sizeof(h), &p, 4);
	struct msg_hdr got;
	union msg_payload out;
	assert_int_equal(msg_decode(MSG_TO_DATAPATH, frame, 7, &got, &out, NULL), MSG_BAD_LENGTH);
	assert_int_equal(msg_decode(MSG_TO_DATAPATH, frame, 11, &got, &out, NULL), MSG_BAD_LENGTH);
	assert_int_equal(msg_decode(MSG_TO_DATAPATH, frame, 13, &got, &out, NULL), MSG_BAD_LENGTH);
	assert_int_equal(msg_decode(MSG_TO_DATAPATH, frame, 12, &got, &out, NULL), MSG_OK);
	assert_int_equal(out.mtu.mtu, 1280);
	assert_int_equal(msg_decode(MSG_TO_CONTROL, frame, 12, &got, &out, NULL),
	                 MSG_WRONG_DIRECTION);
	/* Unaligned input is fine: the payload is copied out first. */
	memmove(frame + 1, frame, 12);
	assert_int_equal(msg_decode(MSG_TO_DATAPATH, frame + 1, 12, &got, &out, NULL), MSG_OK);
	/* A payload-less request. */
	h = (struct msg_hdr){.type = MSG_GET_STATE, .len = 0, .seq = 9};
	memcpy(frame, &h, sizeof(h));
	assert_int_equal(msg_decode(MSG_TO_DATAPATH, frame, 8, &got, &out, NULL), MSG_OK);
	assert_int_equal(got.seq, 9);
	/* An unknown type in msg_check_payload. */
	assert_int_equal(msg_check_payload(99, &out, NULL), MSG_UNKNOWN_TYPE);
}

static void
test_hello(void **state)
{
	union msg_payload p;

	(void)state;
	valid(MSG_HELLO, &p);
	p.hello.magic = 0x54415349; /* byte-swapped */
	expect_bad(MSG_HELLO, &p, "hello.magic");
	valid(MSG_HELLO, &p);
	p.hello.version = MSG_PROTO_VERSION + 1;
	expect_bad(MSG_HELLO, &p, "hello.version");

	valid(MSG_HELLO_REPLY, &p);
	p.hello_reply.magic = 0;
	expect_bad(MSG_HELLO_REPLY, &p, "hello_reply.magic");
	valid(MSG_HELLO_REPLY, &p);
	p.hello_reply.version = 0;
	expect_bad(MSG_HELLO_REPLY, &p, "hello_reply.version");
	valid(MSG_HELLO_REPLY, &p);
	p.hello_reply.flags = MSG_DP_ROUTER_MODE | MSG_DP_FASTPATH;
	assert_int_equal(roundtrip(MSG_HELLO_REPLY, &p, NULL), MSG_OK);
	p.hello_reply.flags = 0x4;
	expect_bad(MSG_HELLO_REPLY, &p, "hello_reply.flags");
	valid(MSG_HELLO_REPLY, &p);
	memset(p.hello_reply.ifname, 'a', MSG_IFNAMSIZ);
	expect_bad(MSG_HELLO_REPLY, &p, "hello_reply.ifname");
}

static void
test_locator_prl(void **state)
{
	static const char *const bogus[] = {"127.0.0.1", "224.0.0.1", "255.255.255.255", "0.1.2.3",
	                                    "240.1.1.1"};
	union msg_payload p;
	const char *field;

	(void)state;
	valid(MSG_SET_LOCATOR, &p);
	p.locator.v4.s_addr = 0; /* withdraws the locator */
	assert_int_equal(roundtrip(MSG_SET_LOCATOR, &p, &field), MSG_OK);
	for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		p.locator.v4 = tu_a4(bogus[i]);
		expect_bad(MSG_SET_LOCATOR, &p, "locator.v4");
	}

	valid(MSG_SET_PRL, &p);
	p.prl.count = MSG_PRL_MAX + 1;
	expect_bad(MSG_SET_PRL, &p, "prl.count");
	valid(MSG_SET_PRL, &p);
	p.prl.v4[1] = tu_a4("224.0.0.1");
	expect_bad(MSG_SET_PRL, &p, "prl.v4");
	valid(MSG_SET_PRL, &p);
	p.prl.v4[1].s_addr = 0; /* inside count: 0.0.0.0 is no router */
	expect_bad(MSG_SET_PRL, &p, "prl.v4");
	valid(MSG_SET_PRL, &p);
	p.prl.v4[MSG_PRL_MAX - 1] = tu_a4("192.0.2.9"); /* past count: must be zero */
	expect_bad(MSG_SET_PRL, &p, "prl.v4");
	valid(MSG_SET_PRL, &p);
	p.prl.count = 0;
	memset(p.prl.v4, 0, sizeof(p.prl.v4));
	assert_int_equal(roundtrip(MSG_SET_PRL, &p, &field), MSG_OK);
	for (uint32_t i = 0; i < MSG_PRL_MAX; i++)
		p.prl.v4[i].s_addr = htonl(0xc0000201 + i);
	p.prl.count = MSG_PRL_MAX;
	assert_int_equal(roundtrip(MSG_SET_PRL, &p, &field), MSG_OK);
}

static void
test_addr(void **state)
{
	static const uint16_t types[] = {MSG_ADDR_ADD, MSG_ADDR_DEL};
	static const char *const bad[] = {"::",          "::1",
	                                  "ff02::1",     "::ffff:192.0.2.1",
	                                  "::192.0.2.1", "fe80:0:0:1::5efe:c000:201",
	                                  "febf::1"};
	union msg_payload p;
	const char *field;

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		uint16_t type = types[t];

		valid(type, &p);
		p.addr.plen = 129;
		expect_bad(type, &p, "addr.plen");
		valid(type, &p);
		p.addr.pad[2] = 1;
		expect_bad(type, &p, "addr.pad");
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			valid(type, &p);
			p.addr.addr = tu_a6(bad[i]);
			expect_bad(type, &p, "addr.addr");
		}
		/* A link-local address is fe80::/64, with prefix length 64 only. */
		valid(type, &p);
		p.addr.addr = tu_a6("fe80::5efe:c000:201");
		assert_int_equal(roundtrip(type, &p, &field), MSG_OK);
		p.addr.plen = 10;
		expect_bad(type, &p, "addr.addr");
		valid(type, &p);
		p.addr.preferred_lft = p.addr.valid_lft + 1;
		expect_bad(type, &p, "addr.preferred_lft");
		p.addr.valid_lft = p.addr.preferred_lft = ND_INFINITE_LIFETIME;
		assert_int_equal(roundtrip(type, &p, &field), MSG_OK);
	}
}

static void
test_route(void **state)
{
	static const uint16_t types[] = {MSG_ROUTE_ADD, MSG_ROUTE_DEL};
	union msg_payload p;
	const char *field;

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		uint16_t type = types[t];

		valid(type, &p);
		p.route.plen = 129;
		expect_bad(type, &p, "route.plen");
		valid(type, &p);
		p.route.pad[0] = 1;
		expect_bad(type, &p, "route.pad");
		valid(type, &p);
		p.route.prefix = tu_a6("2001:db8:3::1"); /* host bits */
		expect_bad(type, &p, "route.prefix");
		valid(type, &p);
		p.route.prefix = tu_a6("ff00::");
		p.route.plen = 8;
		expect_bad(type, &p, "route.prefix");
		valid(type, &p);
		p.route.prefix = tu_a6("fe80::");
		p.route.plen = 64;
		expect_bad(type, &p, "route.prefix");
		valid(type, &p);
		p.route.via = tu_a4("127.0.0.1");
		expect_bad(type, &p, "route.via");
		valid(type, &p);
		p.route.via.s_addr = 0;
		expect_bad(type, &p, "route.via");
		/* Metrics are preferences among the tunnel's routes, in a
		 * kernel band of the datapath's own: bounded. */
		valid(type, &p);
		p.route.metric = MSG_ROUTE_METRIC_MAX + 1;
		expect_bad(type, &p, "route.metric");
		p.route.metric = UINT32_MAX;
		expect_bad(type, &p, "route.metric");
		p.route.metric = MSG_ROUTE_METRIC_MAX;
		assert_int_equal(roundtrip(type, &p, &field), MSG_OK);
		/* The default route. */
		valid(type, &p);
		memset(&p.route.prefix, 0, 16);
		p.route.plen = 0;
		assert_int_equal(roundtrip(type, &p, &field), MSG_OK);
	}
}

static void
test_onlink(void **state)
{
	static const uint16_t types[] = {MSG_ONLINK_ADD, MSG_ONLINK_DEL};
	union msg_payload p;

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		uint16_t type = types[t];

		valid(type, &p);
		p.onlink.plen = 0;
		expect_bad(type, &p, "onlink.plen");
		p.onlink.plen = 129;
		expect_bad(type, &p, "onlink.plen");
		valid(type, &p);
		p.onlink.pad[1] = 0xff;
		expect_bad(type, &p, "onlink.pad");
		valid(type, &p);
		p.onlink.prefix = tu_a6("2001:db8:1:0:8000::");
		expect_bad(type, &p, "onlink.prefix");
		valid(type, &p);
		p.onlink.prefix = tu_a6("fe80::");
		expect_bad(type, &p, "onlink.prefix");
		valid(type, &p);
		p.onlink.prefix = tu_a6("ff02::");
		expect_bad(type, &p, "onlink.prefix");
	}
}

static void
test_small_requests(void **state)
{
	union msg_payload p;
	const char *field;

	(void)state;
	valid(MSG_SET_MTU, &p);
	p.mtu.mtu = IPV6_MIN_MTU - 1;
	expect_bad(MSG_SET_MTU, &p, "mtu.mtu");
	/* Review finding 13: 65516..65535 fit no outer IPv4 datagram. */
	for (uint32_t mtu = 65516; mtu <= 65536; mtu++) {
		p.mtu.mtu = mtu;
		expect_bad(MSG_SET_MTU, &p, "mtu.mtu");
	}
	p.mtu.mtu = 65515;
	assert_int_equal(roundtrip(MSG_SET_MTU, &p, &field), MSG_OK);
	assert_int_equal(ISATAP_MAX_MTU, 65515);

	valid(MSG_SET_LINK, &p);
	p.link.up = 2;
	expect_bad(MSG_SET_LINK, &p, "link.up");
	p.link.up = 0;
	assert_int_equal(roundtrip(MSG_SET_LINK, &p, &field), MSG_OK);

	valid(MSG_SEND_RS, &p);
	p.send_rs.router = tu_a4("255.255.255.255");
	expect_bad(MSG_SEND_RS, &p, "send_rs.router");
	valid(MSG_SEND_RS, &p);
	p.send_rs.u_bit = 2;
	expect_bad(MSG_SEND_RS, &p, "send_rs.u_bit");
}

/* MSG_FASTPATH: strings terminated and zero after, counts within their
 * arrays, nothing past them. */
static void
test_fastpath(void **state)
{
	union msg_payload p;

	(void)state;
	valid(MSG_FASTPATH, &p);
	assert_int_equal(roundtrip(MSG_FASTPATH, &p, NULL), MSG_OK);
	assert_int_equal(msg_payload_size(MSG_GET_FASTPATH), 0);
	assert_string_equal(msg_type_name(MSG_GET_FASTPATH), "GET_FASTPATH");
	assert_string_equal(msg_type_name(MSG_FASTPATH), "FASTPATH");

	p.fastpath.active = 2;
	expect_bad(MSG_FASTPATH, &p, "fastpath.active");
	valid(MSG_FASTPATH, &p);
	memset(p.fastpath.reason, 'x', sizeof(p.fastpath.reason));
	expect_bad(MSG_FASTPATH, &p, "fastpath.reason");
	valid(MSG_FASTPATH, &p);
	p.fastpath.reason[sizeof(p.fastpath.reason) - 1] = 'x'; /* junk after the NUL */
	expect_bad(MSG_FASTPATH, &p, "fastpath.reason");
	valid(MSG_FASTPATH, &p);
	p.fastpath.egress[MSG_IFNAMSIZ - 1] = 'x';
	expect_bad(MSG_FASTPATH, &p, "fastpath.egress");
	valid(MSG_FASTPATH, &p);
	p.fastpath.n_ingress = MSG_FP_IFACE_MAX + 1;
	expect_bad(MSG_FASTPATH, &p, "fastpath.n_ingress");
	valid(MSG_FASTPATH, &p);
	p.fastpath.n_ingress = 3; /* an empty name counted */
	expect_bad(MSG_FASTPATH, &p, "fastpath.ingress");
	valid(MSG_FASTPATH, &p);
	p.fastpath.n_ingress = 1; /* a name past the count */
	expect_bad(MSG_FASTPATH, &p, "fastpath.ingress");
	valid(MSG_FASTPATH, &p);
	p.fastpath.n = MSG_COUNTERS_MAX + 1;
	expect_bad(MSG_FASTPATH, &p, "fastpath.n");
	valid(MSG_FASTPATH, &p);
	p.fastpath.n = 29; /* v[29] is set */
	expect_bad(MSG_FASTPATH, &p, "fastpath.v");
	valid(MSG_FASTPATH, &p);
	p.fastpath.n = MSG_COUNTERS_MAX;
	p.fastpath.v[MSG_COUNTERS_MAX - 1] = 1;
	assert_int_equal(roundtrip(MSG_FASTPATH, &p, NULL), MSG_OK);
}

static void
test_result_counters_link_event(void **state)
{
	union msg_payload p;
	const char *field;

	(void)state;
	valid(MSG_RESULT, &p);
	p.result.error = 1;
	expect_bad(MSG_RESULT, &p, "result.error");
	p.result.error = -4096;
	expect_bad(MSG_RESULT, &p, "result.error");
	p.result.error = 0;
	assert_int_equal(roundtrip(MSG_RESULT, &p, &field), MSG_OK);
	p.result.req_type = 99;
	expect_bad(MSG_RESULT, &p, "result.req_type");
	valid(MSG_RESULT, &p);
	p.result.pad = 1;
	expect_bad(MSG_RESULT, &p, "result.req_type");

	valid(MSG_COUNTERS, &p);
	p.counters.n = MSG_COUNTERS_MAX + 1;
	expect_bad(MSG_COUNTERS, &p, "counters.n");
	p.counters.n = MSG_COUNTERS_MAX;
	assert_int_equal(roundtrip(MSG_COUNTERS, &p, &field), MSG_OK);

	valid(MSG_LINK_EVENT, &p);
	p.link_event.up = 3;
	expect_bad(MSG_LINK_EVENT, &p, "link_event.up");
	valid(MSG_LINK_EVENT, &p);
	p.link_event.mtu = 1279;
	expect_bad(MSG_LINK_EVENT, &p, "link_event.mtu");
	p.link_event.mtu = 65536;
	expect_bad(MSG_LINK_EVENT, &p, "link_event.mtu");
	p.link_event.mtu = 0; /* unknown */
	assert_int_equal(roundtrip(MSG_LINK_EVENT, &p, &field), MSG_OK);
}

static void
test_nd_recv(void **state)
{
	union msg_payload p;
	const char *field;

	(void)state;
	valid(MSG_ND_RECV, &p);
	p.nd_recv.len = MSG_ND_MAX + 1;
	expect_bad(MSG_ND_RECV, &p, "nd_recv.len");
	p.nd_recv.len = 0xffffffffu;
	expect_bad(MSG_ND_RECV, &p, "nd_recv.len");
	valid(MSG_ND_RECV, &p);
	p.nd_recv.outer_src = tu_a4("224.0.0.1");
	expect_bad(MSG_ND_RECV, &p, "nd_recv.outer_src");
	valid(MSG_ND_RECV, &p);
	p.nd_recv.pkt[MSG_ND_MAX - 1] = 1; /* bytes past len must be zero */
	expect_bad(MSG_ND_RECV, &p, "nd_recv.pkt");
	p.nd_recv.len = MSG_ND_MAX;
	assert_int_equal(roundtrip(MSG_ND_RECV, &p, &field), MSG_OK);
}

static void
test_state(void **state)
{
	union msg_payload p;
	const char *field;

	(void)state;
	valid(MSG_STATE, &p);
	memset(p.state.ifname, 'x', MSG_IFNAMSIZ);
	expect_bad(MSG_STATE, &p, "state.ifname");
	valid(MSG_STATE, &p);
	p.state.link_up = 2;
	expect_bad(MSG_STATE, &p, "state.link_up");
	valid(MSG_STATE, &p);
	p.state.mtu = 0;
	expect_bad(MSG_STATE, &p, "state.mtu");
	valid(MSG_STATE, &p);
	p.state.locator = tu_a4("127.0.0.1");
	expect_bad(MSG_STATE, &p, "state.locator");
	valid(MSG_STATE, &p);
	p.state.locator.s_addr = 0;
	assert_int_equal(roundtrip(MSG_STATE, &p, &field), MSG_OK);
	valid(MSG_STATE, &p);
	p.state.n_addrs = MSG_ADDR_MAX + 1;
	expect_bad(MSG_STATE, &p, "state.n_addrs");
	valid(MSG_STATE, &p);
	p.state.n_routes = MSG_ROUTE_MAX + 1;
	expect_bad(MSG_STATE, &p, "state.n_routes");
	valid(MSG_STATE, &p);
	p.state.n_onlink = MSG_ONLINK_MAX + 1;
	expect_bad(MSG_STATE, &p, "state.n_onlink");
	valid(MSG_STATE, &p);
	p.state.n_prl = MSG_PRL_MAX + 1;
	expect_bad(MSG_STATE, &p, "prl.count");
	/* Each table entry is checked like its own message. */
	valid(MSG_STATE, &p);
	p.state.addrs[0].plen = 200;
	expect_bad(MSG_STATE, &p, "addr.plen");
	valid(MSG_STATE, &p);
	p.state.routes[0].via.s_addr = 0;
	expect_bad(MSG_STATE, &p, "route.via");
	valid(MSG_STATE, &p);
	p.state.onlink[0].plen = 0;
	expect_bad(MSG_STATE, &p, "onlink.plen");
	/* Entries past the counts are not looked at. */
	valid(MSG_STATE, &p);
	p.state.n_addrs = 0;
	assert_int_equal(roundtrip(MSG_STATE, &p, &field), MSG_OK);
}

static void
test_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(to_datapath) / sizeof(to_datapath[0]); i++)
		assert_non_null(msg_type_name(to_datapath[i]));
	for (size_t i = 0; i < sizeof(to_control) / sizeof(to_control[0]); i++)
		assert_non_null(msg_type_name(to_control[i]));
	assert_string_equal(msg_type_name(MSG_SET_PRL), "SET_PRL");
	assert_string_equal(msg_type_name(MSG_ND_RECV), "ND_RECV");
	for (int r = 0; r < MSG_REASON_COUNT; r++)
		assert_string_not_equal(msg_reason_name((enum msg_reason)r), "invalid");
	assert_string_equal(msg_reason_name(MSG_BAD_FIELD), "bad_field");
	assert_string_equal(msg_reason_name(MSG_REASON_COUNT), "invalid");
	assert_int_equal(msg_payload_size(MSG_GET_STATE), 0);
	assert_int_equal(msg_payload_size(MSG_STATE), sizeof(struct msg_state));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_all_valid),
	        cmocka_unit_test(test_header),
	        cmocka_unit_test(test_hello),
	        cmocka_unit_test(test_locator_prl),
	        cmocka_unit_test(test_addr),
	        cmocka_unit_test(test_route),
	        cmocka_unit_test(test_onlink),
	        cmocka_unit_test(test_small_requests),
	        cmocka_unit_test(test_result_counters_link_event),
	        cmocka_unit_test(test_fastpath),
	        cmocka_unit_test(test_nd_recv),
	        cmocka_unit_test(test_state),
	        cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("proto_msg", tests, NULL, NULL);
}
