/*
 * What the shared code calls that macOS lacks, force-included (-include) in
 * the Darwin build only (Makefile OS_CFLAGS), as OpenSSH-portable's
 * openbsd-compat does: socket(2) on XNU takes no SOCK_CLOEXEC/SOCK_NONBLOCK
 * type flags (it refuses an unknown type), there is no accept4(2) and no
 * getrandom(2) (getentropy(2) since 10.12), and getgrouplist(3)'s group list is
 * an int array. Each stand-in does what the Linux call does; the flags are
 * set with fcntl(2) after the fact, which is safe here: no descriptor of
 * this project is created while another thread might fork and exec.
 *
 * MSG_NOSIGNAL needs nothing: XNU honours it in send(2) (SDK sys/socket.h;
 * XNU bsd/kern/uipc_syscalls.c sendit(), xnu-7195.50.7.100.1).
 */
#ifndef ISATAP_COMMON_COMPAT_DARWIN_H
#define ISATAP_COMMON_COMPAT_DARWIN_H

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <unistd.h>

/* Bits no XNU socket type uses (SOCK_STREAM..SOCK_SEQPACKET are 1..5). */
#define SOCK_NONBLOCK 0x10000000
#define SOCK_CLOEXEC  0x20000000

int compat_socket(int domain, int type, int protocol);
#define socket(d, t, p) compat_socket(d, t, p)

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/* Linux's "file descriptor in bad state" (a TUN whose device was deleted):
 * XNU has none, and a utun that went away reads as EBADF or ENXIO. */
#ifndef EBADFD
#define EBADFD EBADF
#endif

/* daemon(3) is deprecated on macOS (launchd wants jobs in the foreground,
 * which -d gives); it still works for a start by hand. */
int compat_daemon(int nochdir, int noclose);
#define daemon(a, b) compat_daemon(a, b)

/* getgrouplist(3) takes int * groups on macOS, gid_t * on Linux. */
int compat_getgrouplist(const char *name, gid_t basegid, gid_t *groups, int *ngroups);
#define getgrouplist(n, b, g, c) compat_getgrouplist(n, b, g, c)

#define GRND_NONBLOCK 0x1
/* Fills buf from the kernel's generator (getentropy(2), 256 octets a call). */
ssize_t getrandom(void *buf, size_t len, unsigned flags);

#endif
