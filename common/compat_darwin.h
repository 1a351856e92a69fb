/*
 * What the shared code calls that macOS lacks, force-included (-include) in
 * the Darwin build only (Makefile OS_CFLAGS), as OpenSSH-portable's
 * openbsd-compat does: socket(2) on XNU takes no SOCK_CLOEXEC/SOCK_NONBLOCK
 * type flags (it refuses an unknown type), and there is no accept4(2) and no
 * getrandom(2) (getentropy(2) since 10.12). Each stand-in does what the Linux
 * call does, with fcntl(2) after the fact: the descriptors of this project
 * are never created while another thread might fork and exec.
 *
 * MSG_NOSIGNAL needs nothing: XNU honours it in send(2) (SDK sys/socket.h;
 * XNU bsd/kern/uipc_syscalls.c sendit(), xnu-7195.50.7.100.1).
 */
#ifndef ISATAP_COMMON_COMPAT_DARWIN_H
#define ISATAP_COMMON_COMPAT_DARWIN_H

#include <sys/types.h>
#include <sys/socket.h>

/* Bits no XNU socket type uses (SOCK_STREAM..SOCK_SEQPACKET are 1..5). */
#define SOCK_NONBLOCK 0x10000000
#define SOCK_CLOEXEC  0x20000000

int compat_socket(int domain, int type, int protocol);
#define socket(d, t, p) compat_socket(d, t, p)

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

#define GRND_NONBLOCK 0x1
/* Fills buf from the kernel's generator (getentropy(2), 256 octets a call). */
ssize_t getrandom(void *buf, size_t len, unsigned flags);

#endif
