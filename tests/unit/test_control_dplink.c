/*
 * control/dplink.c against a scripted datapath on a temporary UNIX socket:
 * the handshake, requests matched to their replies by seq, unsolicited ND
 * messages, and every way a datapath can misbehave (unknown type, wrong
 * length, bad field, wrong seq, wrong version), each of which must close the
 * link and reconnect.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/dplink.h"

struct fx {
	uv_loop_t loop;
	char dir[64];
	char path[108];
	int lfd; /* the fake datapath's listening socket */
	int cfd; /* its connection */
	struct dplink *dl;
	int connected, disconnected, nd, link, refused, states;
	uint16_t refused_type;
	int refused_error;
	struct msg_state last_state;
	struct msg_nd_recv last_nd;
};

static void
on_connected(void *ctx, const struct msg_hello_reply *h, const struct msg_state *st)
{
	struct fx *fx = ctx;

	fx->connected++;
	fx->last_state = *st;
}

static void
on_disconnected(void *ctx)
{
	((struct fx *)ctx)->disconnected++;
}

static void
on_nd(void *ctx, const struct msg_nd_recv *m)
{
	struct fx *fx = ctx;

	fx->nd++;
	fx->last_nd = *m;
}

static void
on_link(void *ctx, const struct msg_link_event *ev)
{
	((struct fx *)ctx)->link++;
}

static void
on_refused(void *ctx, uint16_t type, int error)
{
	struct fx *fx = ctx;

	fx->refused++;
	fx->refused_type = type;
	fx->refused_error = error;
}

static void
on_state(void *ctx, const struct msg_state *st)
{
	struct fx *fx = ctx;

	fx->states++;
	fx->last_state = *st;
}

static const struct dplink_ops ops = {on_connected, on_disconnected, on_nd, on_link,
                                      on_refused,   on_state,        NULL};

static void
pump(struct fx *fx)
{
	uv_run(&fx->loop, UV_RUN_NOWAIT);
	usleep(1000);
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The fake datapath accepts the next connection (control reconnects). */
static void
srv_accept(struct fx *fx)
{
	double t0 = now_s();

	if (fx->cfd >= 0)
		close(fx->cfd);
	while ((fx->cfd = accept4(fx->lfd, NULL, NULL, SOCK_NONBLOCK)) < 0) {
		assert_int_equal(errno, EAGAIN);
		if (now_s() - t0 > 10)
			fail_msg("control did not connect");
		pump(fx);
	}
}

static void
srv_read(struct fx *fx, void *buf, size_t len)
{
	size_t done = 0;
	double t0 = now_s();

	while (done < len) {
		ssize_t n = read(fx->cfd, (uint8_t *)buf + done, len - done);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0)
			fail_msg("control closed the link");
		assert_int_equal(errno, EAGAIN);
		if (now_s() - t0 > 5)
			fail_msg("nothing from control");
		pump(fx);
	}
}

static void
srv_send(struct fx *fx, uint16_t type, uint16_t len, uint32_t seq, const void *payload)
{
	struct msg_hdr h = {.type = type, .len = len, .seq = seq};
	uint8_t buf[sizeof(h) + sizeof(union msg_payload)];

	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), payload, len);
	assert_int_equal(write(fx->cfd, buf, sizeof(h) + len), (ssize_t)(sizeof(h) + len));
}

/* Reads requests until one of type `want` arrives, answering the periodic
 * GET_COUNTERS on the way. Returns its seq; its payload goes to p. */
static uint32_t
srv_expect(struct fx *fx, uint16_t want, union msg_payload *p)
{
	for (;;) {
		struct msg_hdr h;

		srv_read(fx, &h, sizeof(h));
		assert_int_equal(msg_check_hdr(MSG_TO_DATAPATH, &h), MSG_OK);
		srv_read(fx, p, h.len);
		if (h.type == want)
			return h.seq;
		if (h.type == MSG_GET_COUNTERS) {
			struct msg_counters c = {.n = 1, .v = {42}};

			srv_send(fx, MSG_COUNTERS, sizeof(c), h.seq, &c);
			continue;
		}
		fail_msg("unexpected request %s", msg_type_name(h.type));
	}
}

static void
srv_handshake(struct fx *fx)
{
	union msg_payload p;
	struct msg_hello_reply hr = {.magic = MSG_MAGIC,
	                             .version = MSG_PROTO_VERSION,
	                             .ifindex = 7,
	                             .ifname = "isatap0"};
	struct msg_state st = {.ifindex = 7, .ifname = "isatap0", .link_up = 1, .mtu = 1280};
	uint32_t seq;
	int before = fx->connected;

	srv_accept(fx);
	seq = srv_expect(fx, MSG_HELLO, &p);
	assert_int_equal(p.hello.magic, MSG_MAGIC);
	assert_int_equal(p.hello.version, MSG_PROTO_VERSION);
	srv_send(fx, MSG_HELLO_REPLY, sizeof(hr), seq, &hr);
	seq = srv_expect(fx, MSG_GET_STATE, &p);
	srv_send(fx, MSG_STATE, sizeof(st), seq, &st);
	while (fx->connected == before)
		pump(fx);
	assert_int_equal(dplink_get_state(fx->dl), DPLINK_READY);
}

/* Waits until control has dropped the link and reconnected. */
static void
expect_reconnect(struct fx *fx, int disconnects)
{
	char c;
	double t0 = now_s();

	/* The link is closed from control's side: EOF. */
	while (read(fx->cfd, &c, 1) != 0) {
		if (now_s() - t0 > 5)
			fail_msg("link not closed");
		pump(fx);
	}
	assert_int_equal(fx->disconnected, disconnects);
	srv_handshake(fx);
}

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_control_dplink.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/dp.sock", fx->dir);
	memcpy(sun.sun_path, fx->path, strlen(fx->path) + 1);
	fx->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	fx->cfd = -1;
	if (bind(fx->lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fx->lfd, 4) < 0)
		return -1;
	uv_loop_init(&fx->loop);
	if (dplink_new(&fx->loop, fx->path, &ops, fx, &fx->dl) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	int r;

	dplink_close(fx->dl);
	uv_run(&fx->loop, UV_RUN_DEFAULT);
	r = uv_loop_close(&fx->loop);
	if (fx->cfd >= 0)
		close(fx->cfd);
	close(fx->lfd);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return r == 0 ? 0 : -1;
}

static void
test_handshake_and_requests(void **state)
{
	struct fx *fx = *state;
	struct msg_mtu mtu = {1400};
	struct msg_link up = {1};
	struct msg_result res = {.error = 0, .req_type = MSG_SET_MTU};
	union msg_payload p;
	uint32_t s1, s2;

	assert_int_equal(dplink_send(fx->dl, MSG_SET_MTU, &mtu, sizeof(mtu)), -ENOTCONN);
	srv_handshake(fx);
	assert_string_equal(fx->last_state.ifname, "isatap0");
	assert_string_equal(dplink_hello(fx->dl)->ifname, "isatap0");
	/* Two requests in flight, answered in order. */
	assert_int_equal(dplink_send(fx->dl, MSG_SET_MTU, &mtu, sizeof(mtu)), 0);
	assert_int_equal(dplink_send(fx->dl, MSG_SET_LINK, &up, sizeof(up)), 0);
	/* A payload of the wrong size is never framed. */
	assert_int_equal(dplink_send(fx->dl, MSG_SET_LINK, &up, 2), -EINVAL);
	s1 = srv_expect(fx, MSG_SET_MTU, &p);
	assert_int_equal(p.mtu.mtu, 1400);
	s2 = srv_expect(fx, MSG_SET_LINK, &p);
	assert_int_equal(s2, s1 + 1);
	srv_send(fx, MSG_RESULT, sizeof(res), s1, &res);
	res.req_type = MSG_SET_LINK;
	res.error = -EINVAL; /* refused: logged and counted, the link stays */
	srv_send(fx, MSG_RESULT, sizeof(res), s2, &res);
	while (dplink_get_counters(fx->dl)->results_failed == 0)
		pump(fx);
	assert_int_equal(dplink_get_state(fx->dl), DPLINK_READY);
	/* The counters poll: answered, and kept for `status`. */
	if (dplink_dp_counters(fx->dl) == NULL) {
		struct msg_counters c = {.n = 1, .v = {42}};

		s1 = srv_expect(fx, MSG_GET_COUNTERS, &p);
		srv_send(fx, MSG_COUNTERS, sizeof(c), s1, &c);
		while (dplink_dp_counters(fx->dl) == NULL)
			pump(fx);
	}
	assert_int_equal(dplink_dp_counters(fx->dl)->v[0], 42);
}

/*
 * Review finding 5: an error RESULT reaches the glue (and from there the
 * core, which re-reads the state) instead of being only logged; the STATE
 * answering a GET_STATE sent once ready is handed over, not a protocol
 * error.
 */
static void
test_refusal_and_resync(void **state)
{
	struct fx *fx = *state;
	struct msg_locator loc = {.v4 = {htonl(0xc0000263)}};
	struct msg_result res = {.error = -EADDRNOTAVAIL, .req_type = MSG_SET_LOCATOR};
	struct msg_state st = {.ifindex = 7, .ifname = "isatap0", .link_up = 1, .mtu = 1400};
	union msg_payload p;
	uint32_t seq;

	srv_handshake(fx);
	assert_int_equal(dplink_send(fx->dl, MSG_SET_LOCATOR, &loc, sizeof(loc)), 0);
	seq = srv_expect(fx, MSG_SET_LOCATOR, &p);
	srv_send(fx, MSG_RESULT, sizeof(res), seq, &res);
	while (fx->refused == 0)
		pump(fx);
	assert_int_equal(fx->refused_type, MSG_SET_LOCATOR);
	assert_int_equal(fx->refused_error, -EADDRNOTAVAIL);
	assert_int_equal(dplink_send(fx->dl, MSG_GET_STATE, NULL, 0), 0);
	seq = srv_expect(fx, MSG_GET_STATE, &p);
	srv_send(fx, MSG_STATE, sizeof(st), seq, &st);
	while (fx->states == 0)
		pump(fx);
	assert_int_equal(fx->last_state.mtu, 1400);
	assert_int_equal(dplink_get_state(fx->dl), DPLINK_READY);
	assert_int_equal(dplink_get_counters(fx->dl)->protocol_errors, 0);
	assert_int_equal(fx->connected, 1);
}

static void
test_nd_and_link_event(void **state)
{
	struct fx *fx = *state;
	static struct msg_nd_recv nd;
	struct msg_link_event ev = {.ifindex = 7, .up = 1, .mtu = 1400};

	srv_handshake(fx);
	nd.outer_src.s_addr = htonl(0xc00002fe);
	nd.len = 48;
	memset(nd.pkt, 0x60, 48);
	srv_send(fx, MSG_ND_RECV, sizeof(nd), 0, &nd);
	srv_send(fx, MSG_LINK_EVENT, sizeof(ev), 0, &ev);
	while (fx->nd == 0 || fx->link == 0)
		pump(fx);
	assert_int_equal(fx->last_nd.len, 48);
	assert_int_equal(fx->last_nd.outer_src.s_addr, nd.outer_src.s_addr);
	assert_int_equal(dplink_get_counters(fx->dl)->protocol_errors, 0);
}

/* Each misbehaviour closes the link, counts a protocol error, reconnects. */
static void
test_malformed(void **state)
{
	struct fx *fx = *state;
	static struct msg_nd_recv nd;
	struct msg_result res = {.error = 0, .req_type = MSG_SET_MTU};
	struct msg_link_event ev = {.ifindex = 7, .up = 1, .mtu = 1400};
	struct msg_mtu mtu = {1400};
	union msg_payload p;
	uint8_t junk[8] = {0};
	uint32_t seq;
	int n = 0;

	srv_handshake(fx);

	srv_send(fx, 200, 0, 0, NULL); /* unknown type */
	expect_reconnect(fx, ++n);

	srv_send(fx, MSG_LINK_EVENT, 8, 0, junk); /* wrong length */
	expect_reconnect(fx, ++n);

	srv_send(fx, MSG_SET_MTU, sizeof(mtu), 0, &mtu); /* a request, the wrong way */
	expect_reconnect(fx, ++n);

	nd.len = MSG_ND_MAX + 1; /* a field out of range */
	srv_send(fx, MSG_ND_RECV, sizeof(nd), 0, &nd);
	expect_reconnect(fx, ++n);

	srv_send(fx, MSG_LINK_EVENT, sizeof(ev), 5, &ev); /* unsolicited with a seq */
	expect_reconnect(fx, ++n);

	srv_send(fx, MSG_RESULT, sizeof(res), 99, &res); /* a reply nobody asked for */
	expect_reconnect(fx, ++n);

	assert_int_equal(dplink_send(fx->dl, MSG_SET_MTU, &mtu, sizeof(mtu)), 0);
	seq = srv_expect(fx, MSG_SET_MTU, &p);
	srv_send(fx, MSG_RESULT, sizeof(res), seq + 1, &res); /* wrong seq */
	expect_reconnect(fx, ++n);

	assert_int_equal(dplink_send(fx->dl, MSG_SET_MTU, &mtu, sizeof(mtu)), 0);
	seq = srv_expect(fx, MSG_SET_MTU, &p);
	res.req_type = MSG_SET_LINK; /* answers another request type */
	srv_send(fx, MSG_RESULT, sizeof(res), seq, &res);
	expect_reconnect(fx, ++n);

	assert_int_equal(dplink_get_counters(fx->dl)->protocol_errors, (uint64_t)n);
	assert_int_equal(fx->connected, n + 1);
}

/* The datapath passes ND up as soon as HELLO is done: an RA may come before
 * the STATE reply, and is taken. Before HELLO_REPLY it is a protocol error. */
static void
test_nd_before_state(void **state)
{
	struct fx *fx = *state;
	static struct msg_nd_recv nd;
	struct msg_hello_reply hr = {.magic = MSG_MAGIC, .version = MSG_PROTO_VERSION};
	struct msg_state st = {.mtu = 1280};
	union msg_payload p;
	uint32_t seq;

	nd.outer_src.s_addr = htonl(0xc00002fe);
	nd.len = 48;
	srv_accept(fx);
	seq = srv_expect(fx, MSG_HELLO, &p);
	srv_send(fx, MSG_HELLO_REPLY, sizeof(hr), seq, &hr);
	seq = srv_expect(fx, MSG_GET_STATE, &p);
	srv_send(fx, MSG_ND_RECV, sizeof(nd), 0, &nd);
	srv_send(fx, MSG_STATE, sizeof(st), seq, &st);
	while (fx->connected == 0)
		pump(fx);
	assert_int_equal(fx->nd, 1);
	assert_int_equal(dplink_get_counters(fx->dl)->protocol_errors, 0);

	/* Before HELLO_REPLY: dropped. */
	close(fx->cfd);
	fx->cfd = -1;
	srv_accept(fx);
	srv_expect(fx, MSG_HELLO, &p);
	srv_send(fx, MSG_ND_RECV, sizeof(nd), 0, &nd);
	while (dplink_get_counters(fx->dl)->protocol_errors == 0)
		pump(fx);
	assert_int_equal(fx->nd, 1);
}

static void
test_bad_hello(void **state)
{
	struct fx *fx = *state;
	struct msg_hello_reply hr = {.magic = MSG_MAGIC, .version = MSG_PROTO_VERSION + 1};
	union msg_payload p;
	uint32_t seq;
	char c;

	srv_accept(fx);
	seq = srv_expect(fx, MSG_HELLO, &p);
	srv_send(fx, MSG_HELLO_REPLY, sizeof(hr), seq, &hr);
	while (read(fx->cfd, &c, 1) != 0)
		pump(fx);
	assert_int_equal(fx->connected, 0);
	/* Not connected yet, so not "disconnected" either. */
	assert_int_equal(fx->disconnected, 0);
	srv_handshake(fx);
}

/* The datapath going away and coming back: reconnect with backoff. */
static void
test_reconnect_backoff(void **state)
{
	struct fx *fx = *state;
	double t0;

	srv_handshake(fx);
	close(fx->cfd);
	fx->cfd = -1;
	while (fx->disconnected == 0)
		pump(fx);
	t0 = now_s();
	srv_handshake(fx);
	/* The first retry comes after DPLINK_BACKOFF_MIN_MS. */
	assert_true(now_s() - t0 >= DPLINK_BACKOFF_MIN_MS / 1000.0 * 0.9);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(dplink_get_counters(fx->dl)->connects, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_handshake_and_requests, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_refusal_and_resync, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_nd_and_link_event, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_nd_before_state, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_bad_hello, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reconnect_backoff, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
