/*
 * Who is at the other end of a connected AF_UNIX stream socket, from the
 * kernel, never from a name-service look-up: one interface, one file per
 * system (peercred_linux.c: SO_PEERCRED and SO_PEERGROUPS; peercred_darwin.c:
 * LOCAL_PEERCRED and LOCAL_PEERPID).
 *
 * The credentials are those the peer process had when it connected, on
 * both systems (XNU records them in unp_connect()): the process's own,
 * supplementary groups included, so that a process that dropped a group
 * (setpriv --clear-groups, a service with SupplementaryGroups= cleared)
 * does not keep it here.
 */
#ifndef ISATAP_COMMON_PEERCRED_H
#define ISATAP_COMMON_PEERCRED_H

#include <stdbool.h>
#include <sys/types.h>

/* Supplementary groups kept. Linux gives all or none: a peer in more is
 * judged on its primary group alone (groups_truncated says so). macOS
 * reports at most 16 (XU_NGROUPS), the effective group among them. */
#define PEERCRED_GROUPS_MAX 64

struct peercred {
	uid_t uid;
	gid_t gid;   /* the effective (primary) group */
	pid_t pid;   /* 0 when the system does not say */
	int ngroups; /* supplementary groups known; -1 when the system cannot tell */
	bool groups_truncated;
	gid_t groups[PEERCRED_GROUPS_MAX];
};

/* Fills *c for the peer of the connected socket fd: 0 or -errno. */
int peercred_get(int fd, struct peercred *c);
/* True when the peer's primary or one of its supplementary groups is g. */
bool peercred_in_group(const struct peercred *c, gid_t g);

#endif
