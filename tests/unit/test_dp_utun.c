/*
 * datapath/utun_io.c: the macOS utun framing (datapath/utun.h), over an
 * AF_UNIX SOCK_SEQPACKET pair that keeps datagram boundaries as a utun
 * control socket does. The test plays XNU on the other end and writes the
 * header bytes itself: 00 00 00 1e is AF_INET6 (30) in network order.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cmocka.h>

#include "datapath/utun.h"

struct pair {
	int fd[2]; /* [0] the datapath's utun fd, [1] the kernel */
};

static int
setup(void **state)
{
	struct pair *p = test_calloc(1, sizeof(*p));

	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, p->fd), 0);
	assert_int_equal(fcntl(p->fd[0], F_SETFL, O_NONBLOCK), 0);
	*state = p;
	return 0;
}

static int
teardown(void **state)
{
	struct pair *p = *state;

	close(p->fd[0]);
	close(p->fd[1]);
	test_free(p);
	return 0;
}

static void
test_hdr_for(void **state)
{
	uint8_t hdr[UTUN_HDR_LEN] = {9, 9, 9, 9};
	const uint8_t v6[] = {0x60, 0}, v4[] = {0x45, 0}, other[] = {0x20, 0};

	(void)state;
	assert_int_equal(utun_hdr_for(hdr, v6, sizeof(v6)), 0);
	assert_memory_equal(hdr, ((uint8_t[]){0, 0, 0, 30}), 4);
	assert_int_equal(utun_hdr_af(hdr), UTUN_AF_INET6);
	assert_int_equal(utun_hdr_for(hdr, v4, sizeof(v4)), 0);
	assert_memory_equal(hdr, ((uint8_t[]){0, 0, 0, 2}), 4);
	/* Neither IPv4 nor IPv6, or nothing at all: refused, hdr untouched. */
	memset(hdr, 7, sizeof(hdr));
	assert_int_equal(utun_hdr_for(hdr, other, sizeof(other)), -EAFNOSUPPORT);
	assert_int_equal(utun_hdr_for(hdr, v6, 0), -EAFNOSUPPORT);
	assert_memory_equal(hdr, ((uint8_t[]){7, 7, 7, 7}), 4);
}

static void
test_read_strips_header(void **state)
{
	struct pair *p = *state;
	uint8_t dgram[] = {0, 0, 0, 30, 0x60, 1, 2, 3, 4}, buf[64];

	assert_int_equal(utun_read(&p->fd[0], buf, sizeof(buf)), -EAGAIN);
	assert_int_equal(write(p->fd[1], dgram, sizeof(dgram)), sizeof(dgram));
	assert_int_equal(utun_read(&p->fd[0], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, dgram + 4, 5);
	/* Nothing queued again. */
	assert_int_equal(utun_read(&p->fd[0], buf, sizeof(buf)), -EAGAIN);
}

/* What the kernel should never send still reads as something the
 * forwarding code drops by its own checks. */
static void
test_read_odd_datagrams(void **state)
{
	struct pair *p = *state;
	uint8_t shorter[] = {0, 0}, v4[] = {0, 0, 0, 2, 0x45, 0, 0, 20}, buf[64];

	assert_int_equal(write(p->fd[1], shorter, sizeof(shorter)), sizeof(shorter));
	assert_int_equal(utun_read(&p->fd[0], buf, sizeof(buf)), 0);
	/* An IPv4 packet comes as it is: NH_DROP_VERSION in fwd.c. */
	assert_int_equal(write(p->fd[1], v4, sizeof(v4)), sizeof(v4));
	assert_int_equal(utun_read(&p->fd[0], buf, sizeof(buf)), 4);
	assert_int_equal(buf[0], 0x45);
	/* A closed descriptor is an error, not "nothing waiting". */
	int bad = -1;
	assert_int_equal(utun_read(&bad, buf, sizeof(buf)), -EBADF);
}

static void
test_write_adds_header(void **state)
{
	struct pair *p = *state;
	const uint8_t pkt[] = {0x60, 0, 0, 0, 0xaa};
	uint8_t got[64];

	assert_int_equal(utun_write(&p->fd[0], pkt, sizeof(pkt)), 0);
	assert_int_equal(read(p->fd[1], got, sizeof(got)), 4 + sizeof(pkt));
	assert_memory_equal(got, ((uint8_t[]){0, 0, 0, 30}), 4);
	assert_memory_equal(got + 4, pkt, sizeof(pkt));
	/* Not an IP packet: nothing is written. */
	assert_int_equal(utun_write(&p->fd[0], (const uint8_t *)"\x10", 1), -EAFNOSUPPORT);
	assert_int_equal(recv(p->fd[1], got, sizeof(got), MSG_DONTWAIT), -1);
}

static void
test_writev_gathers(void **state)
{
	struct pair *p = *state;
	uint8_t a[] = {0x60, 1}, b[] = {2, 3, 4}, got[64];
	struct iovec iov[3] = {{NULL, 0}, {a, sizeof(a)}, {b, sizeof(b)}};

	assert_int_equal(utun_writev(&p->fd[0], iov, 3), 0);
	assert_int_equal(read(p->fd[1], got, sizeof(got)), 4 + 5);
	assert_memory_equal(got, ((uint8_t[]){0, 0, 0, 30, 0x60, 1, 2, 3, 4}), 9);
	assert_int_equal(utun_writev(&p->fd[0], iov, UTUN_IOV_MAX + 1), -EINVAL);
	assert_int_equal(utun_writev(&p->fd[0], iov, 1), -EAFNOSUPPORT);
}

static void
test_unit_names(void **state)
{
	uint32_t u = 99;

	(void)state;
	assert_int_equal(utun_unit("utun", &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(utun_unit("utun0", &u), 0);
	assert_int_equal(u, 1);
	assert_int_equal(utun_unit("utun12", &u), 0);
	assert_int_equal(u, 13);
	assert_int_equal(utun_unit("utun65534", &u), 0);
	assert_int_equal(u, 65535);
	u = 99;
	assert_int_equal(utun_unit("utun65535", &u), -EINVAL);
	assert_int_equal(utun_unit("isatap0", &u), -EINVAL);
	assert_int_equal(utun_unit("utun01", &u), -EINVAL);
	assert_int_equal(utun_unit("utun1x", &u), -EINVAL);
	assert_int_equal(utun_unit("utun-1", &u), -EINVAL);
	assert_int_equal(utun_unit("utu", &u), -EINVAL);
	assert_int_equal(utun_unit("utun99999999999999999999", &u), -EINVAL);
	assert_int_equal(u, 99);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_hdr_for),
	        cmocka_unit_test(test_unit_names),
	        cmocka_unit_test_setup_teardown(test_read_strips_header, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_read_odd_datagrams, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_write_adds_header, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_writev_gathers, setup, teardown),
	};

	return cmocka_run_group_tests_name("dp_utun", tests, NULL, NULL);
}
