/*
 * common/rtmsg_io.c: a request and its answer on a routing socket. A
 * socketpair of datagrams stands for the socket; a thread plays XNU: it
 * reads the request and answers it behind other messages, as every routing
 * message of the host arrives on every routing socket.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rtmsg.h"
#include "tests/unit/lib/tu.h"

struct kernel {
	int fd;
	unsigned noise; /* other messages before the answer */
	int answer_err; /* rtm_errno of the answer */
	bool wrong_seq; /* first an answer to another request */
	bool silent;    /* no answer at all */
	uint8_t req[512];
	ssize_t req_len;
};

/* An RTM_IFINFO, what a busy host sends all the time. */
static size_t
noise(uint8_t *b)
{
	uint16_t len = RTMSG_IFM_LEN;

	memset(b, 0, RTMSG_IFM_LEN);
	memcpy(b, &len, 2);
	b[2] = RTMSG_VERSION;
	b[3] = RTMSG_IFINFO;
	return RTMSG_IFM_LEN;
}

/* The fake kernel's reply: a short write would be a broken socketpair, not
 * something the code under test did; stop the test there. */
static void
kernel_write(int fd, const void *b, size_t len)
{
	if (write(fd, b, len) != (ssize_t)len)
		abort();
}

static void *
kernel_run(void *arg)
{
	struct kernel *k = arg;
	uint8_t b[512];
	int32_t seq;

	k->req_len = read(k->fd, k->req, sizeof(k->req));
	if (k->req_len < RTMSG_RTM_LEN || k->silent)
		return NULL;
	for (unsigned i = 0; i < k->noise; i++)
		kernel_write(k->fd, b, noise(b));
	memcpy(b, k->req, (size_t)k->req_len);
	if (k->wrong_seq) {
		memcpy(&seq, b + 20, 4);
		seq++;
		memcpy(b + 20, &seq, 4);
		kernel_write(k->fd, b, (size_t)k->req_len);
		memcpy(b, k->req, (size_t)k->req_len);
	}
	memcpy(b + 24, &k->answer_err, 4); /* rtm_errno */
	b[4] = 17;                         /* rtm_index: the interface */
	kernel_write(k->fd, b, (size_t)k->req_len);
	return NULL;
}

/* Runs one transaction against k; returns its result. */
static int
transact(struct kernel *k, struct rtmsg *m, bool stale, int wait_ms)
{
	uint8_t req[RTMSG_REQ_MAX], b[512];
	struct in6_addr p = tu_a6("::");
	size_t len = rtmsg_route6(req, sizeof(req), RTMSG_GET, 42, 4242, &p, 1, 0);
	int sv[2], r;
	pthread_t t;

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	k->fd = sv[1];
	/* Messages queued before the request: not the answer. */
	if (stale) {
		uint8_t old[RTMSG_REQ_MAX];
		size_t n = rtmsg_route6(old, sizeof(old), RTMSG_GET, 42, 4242, &p, 1, 0);

		assert_int_equal(write(sv[1], b, noise(b)), RTMSG_IFM_LEN);
		assert_int_equal(write(sv[1], old, n), (ssize_t)n); /* an old answer */
	}
	assert_int_equal(pthread_create(&t, NULL, kernel_run, k), 0);
	r = rtmsg_transact(sv[0], req, len, m, wait_ms);
	if (k->silent)
		shutdown(sv[0], SHUT_RDWR);
	pthread_join(t, NULL);
	/* The kernel got the request as it was built. */
	assert_int_equal(k->req_len, (ssize_t)len);
	assert_memory_equal(k->req, req, len);
	close(sv[0]);
	close(sv[1]);
	return r;
}

static void
test_answer_behind_noise(void **state)
{
	struct kernel k = {.noise = 20};
	struct rtmsg m;

	(void)state;
	assert_int_equal(transact(&k, &m, true, 2000), 0);
	assert_int_equal(m.type, RTMSG_GET);
	assert_int_equal(m.seq, 42);
	assert_int_equal(m.pid, 4242);
	assert_int_equal(m.index, 17);
}

static void
test_wrong_seq_skipped(void **state)
{
	struct kernel k = {.wrong_seq = true};
	struct rtmsg m;

	(void)state;
	assert_int_equal(transact(&k, &m, false, 2000), 0);
	assert_int_equal(m.seq, 42);
}

static void
test_no_such_route(void **state)
{
	struct kernel k = {.answer_err = ESRCH};
	struct rtmsg m;

	(void)state;
	assert_int_equal(transact(&k, &m, false, 2000), -ESRCH);
}

static void
test_timeout(void **state)
{
	struct kernel k = {.silent = true};
	struct rtmsg m;
	struct timespec a, b;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(transact(&k, &m, false, 200), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* About the wait asked for, not more. */
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_true(ms >= 150 && ms < 2000);
}

static void
test_bad_request(void **state)
{
	uint8_t junk[8] = {8, 0, 4, 4};
	struct rtmsg m;

	(void)state;
	assert_int_equal(rtmsg_transact(-1, junk, sizeof(junk), &m, 10), -EINVAL);
	/* A write that fails: its errno. */
	uint8_t req[RTMSG_REQ_MAX];
	struct in6_addr p = tu_a6("::");
	size_t len = rtmsg_route6(req, sizeof(req), RTMSG_GET, 1, 1, &p, 0, 0);
	assert_int_equal(rtmsg_transact(-1, req, len, &m, 10), -EBADF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_answer_behind_noise),
	        cmocka_unit_test(test_wrong_seq_skipped),
	        cmocka_unit_test(test_no_such_route),
	        cmocka_unit_test(test_timeout),
	        cmocka_unit_test(test_bad_request),
	};

	return cmocka_run_group_tests_name("common_rtmsg_io", tests, NULL, NULL);
}
