/*
 * Privilege drop. After set-up the datapath needs CAP_NET_ADMIN for netlink
 * and the per-interface sysctls, and nothing else: the TUN fd and the raw
 * socket are already open (CAP_NET_RAW goes), and no file is opened again.
 * The kernel fast path's programs and maps were loaded with CAP_BPF, which
 * goes too: the maps are updated through the fds we hold (no capability),
 * and attaching ingress to another interface is tc, CAP_NET_ADMIN.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/prctl.h>

#include <linux/bpf.h>
#include <linux/netlink.h>

#include <cap-ng.h>
#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "log.h"
#include "platform.h"

bool
sandbox_can_start(void)
{
	/* Root, or a service manager gave us exactly what set-up needs. */
	if (capng_get_caps_process() < 0)
		return false;
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) &&
	       capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW);
}

int
sandbox_drop(bool change_id, uid_t uid, gid_t gid)
{
	bool setpcap;
	int r;

	if (capng_get_caps_process() < 0)
		return -EPERM;
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN) < 0)
		return -EPERM;
	if (change_id) {
		/* Sets groups, gid, uid, keeping the capabilities above across
		 * the uid change; clears the bounding set on the way. */
		r = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (r < 0) {
			log_warnx("capng_change_id: error %d", r);
			return -EPERM;
		}
	} else {
		/*
		 * Permitted and inheritable lose everything but CAP_NET_ADMIN,
		 * which empties the ambient set too (it never exceeds their
		 * intersection). The bounding set can only shrink with
		 * CAP_SETPCAP (root); under a service manager it is already
		 * CAP_NET_ADMIN + CAP_NET_RAW, and no-new-privileges below keeps
		 * CAP_NET_RAW from coming back through an exec.
		 */
		if ((r = capng_apply(CAPNG_SELECT_BOTH)) < 0) {
			log_warnx("capng_apply: error %d", r);
			return -EPERM;
		}
		if (setpcap) {
			capng_clear(CAPNG_SELECT_BOUNDS);
			capng_update(CAPNG_ADD, CAPNG_BOUNDING_SET, CAP_NET_ADMIN);
			if ((r = capng_apply(CAPNG_SELECT_BOUNDS)) < 0) {
				log_warnx("capng_apply (bounding set): error %d", r);
				return -EPERM;
			}
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW) ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_BPF) ||
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

#ifdef HAVE_SECCOMP
/*
 * What the running datapath calls: poll, I/O on fds it holds, accepting the
 * control connection, netlink, memory, signals, time, syslog's socket, and
 * exit. Anything else kills the process: it would mean a bug or an exploit.
 */
/* One line per purpose: clearer than the packed table clang-format makes. */
/* clang-format off */
static const int sandbox_allowed[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), /* the loop */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), /* TUN, signalfd */
	SCMP_SYS(recvmmsg), SCMP_SYS(sendmmsg),                    /* the raw socket */
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),                      /* netlink, control */
	SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(getsockopt), /* SO_PEERCRED */
	SCMP_SYS(connect),                                         /* syslog(3) */
	SCMP_SYS(close), SCMP_SYS(fcntl), SCMP_SYS(lseek),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat),                     /* stdio */
	SCMP_SYS(pwrite64), /* RA parameters; router mode: conf/all/forwarding back */
	SCMP_SYS(unlink),                                          /* the socket, at exit */
	SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(futex), SCMP_SYS(getrandom),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
};
/* clang-format on */

/*
 * The kernel fast path after set-up (fastpath_linux.c): bpf() only on the
 * map and program fds it holds, never to create or load anything (that
 * would need the CAP_BPF it no longer has anyway); and libbpf's tc calls,
 * which open a netlink socket of their own for each request.
 */
/* clang-format off */
static const unsigned sandbox_bpf_cmds[] = {
	BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY,
	BPF_OBJ_GET_INFO_BY_FD, /* bpf_tc_attach() names the program by its info */
};
/* clang-format on */

static int
sandbox_fastpath(scmp_filter_ctx ctx)
{
	struct scmp_arg_cmp nl = {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_NETLINK};
	struct scmp_arg_cmp route = {.arg = 2, .op = SCMP_CMP_EQ, .datum_a = NETLINK_ROUTE};
	struct scmp_arg_cmp sol = {.arg = 1, .op = SCMP_CMP_EQ, .datum_a = SOL_NETLINK};
	int r;

	for (size_t i = 0; i < sizeof(sandbox_bpf_cmds) / sizeof(sandbox_bpf_cmds[0]); i++) {
		struct scmp_arg_cmp cmd = {
		        .arg = 0, .op = SCMP_CMP_EQ, .datum_a = sandbox_bpf_cmds[i]};

		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1, cmd)) < 0)
			return r;
	}
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2, nl, route)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 1, sol)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bind), 0)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockname), 0)) < 0)
		return r;
	return 0;
}

int
sandbox_seccomp(bool fastpath)
{
	scmp_filter_ctx ctx;
	int r = -EINVAL;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(sandbox_allowed) / sizeof(sandbox_allowed[0]); i++) {
		/* A syscall this architecture lacks resolves negative: skip. */
		if (sandbox_allowed[i] < 0)
			continue;
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sandbox_allowed[i], 0)) < 0)
			goto out;
	}
	/* syslog(3) reopens /dev/log after a syslogd restart: AF_UNIX only. */
	struct scmp_arg_cmp unix_only = {.arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_UNIX};
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, unix_only)) < 0)
		goto out;
	if (fastpath && (r = sandbox_fastpath(ctx)) < 0)
		goto out;
	r = seccomp_load(ctx);
out:
	seccomp_release(ctx);
	return r;
}
#else
int
sandbox_seccomp(bool fastpath)
{
	return 0;
}
#endif
