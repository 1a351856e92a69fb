/*
 * rtmsg.h rtmsg_transact(): a request and its answer on a routing socket,
 * with nothing of XNU but the socket's behaviour, so that it is tested here
 * over a socketpair (test_common_rtmsg_io.c): route(8) does the same
 * (network_cmds route.tproj/route.c rtmsg: write, then read until pid and
 * seq match).
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rtmsg.h"

#define RTMSG_IO_BUF 4096

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
rtmsg_transact(int fd, const uint8_t *req, size_t len, struct rtmsg *m, int wait_ms)
{
	uint8_t buf[RTMSG_IO_BUF];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint64_t until;
	int32_t pid, seq;
	uint8_t type;
	size_t used;

	if (rtmsg_parse(req, len, m, &used) != RTMSG_OK || used != len)
		return -EINVAL;
	type = m->type;
	pid = m->pid;
	seq = m->seq;
	/* An answer must not be lost behind what came before it. */
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	if (write(fd, req, len) < 0)
		return -errno;
	until = mono_ms() + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
	for (;;) {
		uint64_t now = mono_ms();
		ssize_t n;

		if (now >= until || poll(&pfd, 1, (int)(until - now)) <= 0)
			return -ETIMEDOUT;
		if ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			return -errno;
		}
		if (rtmsg_parse(buf, (size_t)n, m, &used) != RTMSG_OK)
			continue;
		if (m->type == type && m->pid == pid && m->seq == seq)
			return m->err != 0 ? -m->err : 0;
	}
}
