/*
 * peercred.h on macOS: LOCAL_PEERCRED (struct xucred: the effective uid,
 * the effective gid as cr_groups[0], then the supplementary groups) and
 * LOCAL_PEERPID, both at level SOL_LOCAL (SDK sys/un.h, sys/ucred.h). The
 * kernel records the credentials when the peer connects, as Linux does
 * (XNU bsd/kern/uipc_usrreq.c unp_connect: cru2x() into unp_peercred;
 * uipc_ctloutput LOCAL_PEERCRED, xnu-7195.50.7.100.1 and
 * xnu-11417.101.15); LOCAL_PEERCRED works on a connected SOCK_STREAM
 * socket, which both of ours are.
 *
 * An xucred holds at most NGROUPS (16) groups: a peer with more may be
 * missing some here (groups_truncated says so), and is then judged on
 * what fitted; macOS resolves further memberships through opendirectoryd,
 * which this code never asks (no name-service look-up).
 *
 * Not tried on a real Mac: run-time behaviour as read in the sources above.
 */
#include <errno.h>
#include <string.h>
#include <sys/param.h>
#include <sys/socket.h>
#include <sys/ucred.h>
#include <sys/un.h>

#include "peercred.h"

_Static_assert(NGROUPS - 1 <= PEERCRED_GROUPS_MAX, "an xucred's groups fit");

int
peercred_get(int fd, struct peercred *c)
{
	struct xucred xc;
	socklen_t len = sizeof(xc);
	pid_t pid;
	socklen_t plen = sizeof(pid);

	memset(c, 0, sizeof(*c));
	memset(&xc, 0, sizeof(xc));
	if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERCRED, &xc, &len) < 0)
		return -errno;
	if (len != sizeof(xc) || xc.cr_version != XUCRED_VERSION || xc.cr_ngroups < 1 ||
	    xc.cr_ngroups > NGROUPS)
		return -EINVAL;
	c->uid = xc.cr_uid;
	c->gid = xc.cr_groups[0];
	c->ngroups = xc.cr_ngroups - 1;
	memcpy(c->groups, xc.cr_groups + 1, (size_t)c->ngroups * sizeof(gid_t));
	c->groups_truncated = xc.cr_ngroups == NGROUPS;
	if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &plen) == 0 && plen == sizeof(pid))
		c->pid = pid;
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
