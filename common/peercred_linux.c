/*
 * peercred.h on Linux: SO_PEERCRED for uid, gid and pid, SO_PEERGROUPS
 * (Linux 4.13) for the supplementary groups, both as the peer had them at
 * connect() time, read from the socket without any NSS look-up.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "peercred.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

int
peercred_get(int fd, struct peercred *c)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	gid_t groups[PEERCRED_GROUPS_MAX];
	socklen_t glen = sizeof(groups);

	memset(c, 0, sizeof(*c));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return -errno;
	if (len != sizeof(uc))
		return -EINVAL;
	c->uid = uc.uid;
	c->gid = uc.gid;
	c->pid = uc.pid;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0) {
		c->ngroups = (int)(glen / sizeof(gid_t));
	} else if (errno == ERANGE) {
		/* More than PEERCRED_GROUPS_MAX: the kernel copies none of
		 * them, and the peer is judged on its primary group alone. */
		c->groups_truncated = true;
		c->ngroups = 0;
		return 0;
	} else {
		c->ngroups = -1; /* kernel before 4.13 */
		return 0;
	}
	memcpy(c->groups, groups, (size_t)c->ngroups * sizeof(gid_t));
	return 0;
}

bool
peercred_in_group(const struct peercred *c, gid_t g)
{
	if (c->gid == g)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == g)
			return true;
	return false;
}
