/*
 * Privilege on macOS. XNU has no capabilities: every check is "effective
 * uid 0", and the ones the running datapath needs are made when the call
 * is (../shared/MACOS-FACTS.md §4): SIOCAIFADDR_IN6 / SIOCDIFADDR_IN6
 * (XNU bsd/netinet6/in6.c in6_control: proc_suser), SIOCSIFMTU and
 * SIOCSIFFLAGS (bsd/net/if.c ifioctl), SIOCPROTOATTACH_IN6 and
 * SIOCAUTOCONF_STOP (in6.c), net.inet6.ip6.forwarding. Only the utun
 * descriptor (bsd/kern/kern_control.c: checked at connect), the raw socket
 * and the routing socket (SS_PRIV, set when they are created:
 * bsd/kern/uipc_socket.c socreate, bsd/netinet/raw_ip.c rip_attach,
 * bsd/net/rtsock.c route_output) would survive a setuid(). Addresses change
 * whenever SLAAC or the IPv4 address does, so the datapath keeps euid 0 on
 * macOS: -u is refused rather than leaving a datapath that cannot apply
 * what control sends. (seteuid() toggling would be no boundary: the saved
 * uid 0 comes back with one call.)
 *
 * What confines it instead is a Seatbelt profile of our own, applied with
 * sandbox_init_with_parameters(): exported by libSystem
 * (libsystem_sandbox.dylib in the SDK's libSystem.B.tbd) but in no header,
 * "undocumented but depended upon by all major browsers" (lix
 * src/libstore/build/local-derivation-goal.cc), and declared by daemons
 * themselves (etwoo/youtube-unthrottle src/sandbox/darwin/
 * seatbelt_os_api.h). OpenSSH-portable's privsep child uses the older
 * sandbox_init() with a built-in profile (sandbox-darwin.c); Seatbelt
 * applies to root too. The profile allows what the datapath does and
 * nothing of what an attacker inside it would want: no fork, no exec, no
 * file created, renamed, deleted (but the control socket at exit) or
 * changed (but the log it writes on stderr and /dev/null), no change of a
 * file's mode, owner or flags. Sockets, ioctls and sysctls stay allowed:
 * which Seatbelt operations gate SIOCAIFADDR_IN6 and RTM_ADD is not
 * documented, and a denial there would stop the tunnel.
 *
 * Not tried on a real Mac: the profile's operation names are those of
 * Apple's own profiles (/System/Library/Sandbox/Profiles) and of the
 * projects above; if macOS ever refuses the profile, the datapath says so
 * and stops (as a seccomp failure does on Linux), rather than run
 * unconfined without saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/param.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "platform.h"

/* libsystem_sandbox.dylib (SDK usr/lib/libSystem.B.tbd); not in sandbox.h,
 * where sandbox_free_error() is marked deprecated along with sandbox_init(). */
int sandbox_init_with_parameters(const char *profile, uint64_t flags, const char *const params[],
                                 char **errorbuf);
void sandbox_free_error(char *errorbuf);

/* The last rule that matches decides (SBPL). RUNDIR is where the control
 * socket lives by default; one elsewhere (-s) stays behind at exit and is
 * replaced at the next start (ctlsock.c ctl_stale()). */
static const char sandbox_profile[] = "(version 1)\n"
                                      "(allow default)\n"
                                      "(deny process-fork)\n"
                                      "(deny process-exec*)\n"
                                      "(deny file-write*)\n"
                                      "(allow file-write-data\n"
                                      "       (literal \"/dev/null\")\n"
                                      "       (literal (param \"STDOUT\"))\n"
                                      "       (literal (param \"STDERR\")))\n"
                                      "(allow file-write-unlink (subpath (param \"RUNDIR\")))\n";

bool
sandbox_can_start(void)
{
	return geteuid() == 0;
}

int
sandbox_drop(bool change_id, uid_t uid, gid_t gid)
{
	const struct rlimit no_core = {0, 0};

	(void)uid;
	(void)gid;
	if (change_id) {
		log_warnx("-u: on macOS the datapath stays root: XNU checks the address, MTU and "
		          "interface-flag ioctls against the caller's effective uid each time "
		          "(see isatap-datapath(8)); it is confined by a sandbox profile instead");
		return -ENOTSUP;
	}
	/* A root process's memory (the control socket's traffic) in a core
	 * file would outlive it. */
	if (setrlimit(RLIMIT_CORE, &no_core) < 0)
		return -errno;
	return 0;
}

/* The path of fd when it is a regular file (the log launchd opened for
 * StandardErrorPath), else /dev/null: the profile needs some path. */
static const char *
fd_path(int fd, char buf[MAXPATHLEN])
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fcntl(fd, F_GETPATH, buf) == 0)
		return buf;
	return "/dev/null";
}

int
sandbox_seccomp(bool fastpath)
{
	char out[MAXPATHLEN], err[MAXPATHLEN], run[MAXPATHLEN], *errbuf = NULL;
	/* Seatbelt matches resolved paths: /var is /private/var on macOS. */
	const char *rundir = realpath(RUNSTATEDIR "/isatap", run);
	const char *const params[] = {
	        "STDOUT", fd_path(STDOUT_FILENO, out),
	        "STDERR", fd_path(STDERR_FILENO, err),
	        "RUNDIR", rundir != NULL ? rundir : "/private" RUNSTATEDIR "/isatap",
	        NULL,
	};

	if (sandbox_init_with_parameters(sandbox_profile, 0, params, &errbuf) != 0) {
		log_warnx("sandbox profile refused: %s",
		          errbuf != NULL ? errbuf : "no reason given");
		if (errbuf != NULL)
			sandbox_free_error(errbuf);
		return -EPERM;
	}
	return 0;
}
