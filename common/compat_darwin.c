/*
 * common/compat_darwin.h: the Linux calls the shared code makes, on macOS.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "compat_darwin.h"

/* The real calls, not the macros around them. */
#undef socket
#undef daemon
#undef getgrouplist

static int
compat_flags(int fd, int flags)
{
	int fl;

	if ((flags & SOCK_CLOEXEC) && fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	if ((flags & SOCK_NONBLOCK) &&
	    ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
		return -1;
	return 0;
}

int
compat_socket(int domain, int type, int protocol)
{
	int fd = socket(domain, type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK), protocol);
	int e;

	if (fd < 0 || compat_flags(fd, type) == 0)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
accept4(int lfd, struct sockaddr *addr, socklen_t *len, int flags)
{
	int fd, e;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	/* A BSD accepted socket inherits O_NONBLOCK from the listener; the
	 * flags say what Linux would have set, so set exactly that. */
	if ((fd = accept(lfd, addr, len)) < 0)
		return -1;
	if (!(flags & SOCK_NONBLOCK)) {
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			goto fail;
	}
	if (compat_flags(fd, flags) == 0)
		return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

ssize_t
getrandom(void *buf, size_t len, unsigned flags)
{
	size_t done = 0;

	(void)flags; /* getentropy(2) never blocks once the system is up */
	while (done < len) {
		size_t n = len - done > 256 ? 256 : len - done;

		if (getentropy((char *)buf + done, n) < 0)
			return done > 0 ? (ssize_t)done : -1;
		done += n;
	}
	return (ssize_t)done;
}

int
compat_daemon(int nochdir, int noclose)
{
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
	return daemon(nochdir, noclose);
#pragma clang diagnostic pop
}

int
compat_getgrouplist(const char *name, gid_t basegid, gid_t *groups, int *ngroups)
{
	_Static_assert(sizeof(gid_t) == sizeof(int), "gid_t is an int's size");
	return getgrouplist(name, (int)basegid, (int *)groups, ngroups);
}
