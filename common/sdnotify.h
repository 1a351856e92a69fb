/*
 * Readiness for a service manager: systemd's Type=notify protocol
 * (sd_notify(3)), without libsystemd. The manager names an AF_UNIX datagram
 * socket in $NOTIFY_SOCKET (a path, or an abstract name written "@name");
 * "READY=1" on it says that start-up is over. isatap-datapath sends it once
 * its control socket listens, so that isatap-control.service (After= it)
 * starts only then. Without $NOTIFY_SOCKET (another manager, a shell,
 * launchd) it does nothing.
 */
#ifndef ISATAP_COMMON_SDNOTIFY_H
#define ISATAP_COMMON_SDNOTIFY_H

/* Sends "READY=1" to $NOTIFY_SOCKET, and unsets it so that nothing the
 * process runs later can speak for it. 0 when sent or when there is no
 * manager to tell; a negative errno when the manager could not be told. */
int sdnotify_ready(void);

#endif
