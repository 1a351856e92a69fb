/*
 * isatapctl: talk to isatap-control. See isatapctl(8).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "isatap.h"
#include "log.h"

int
main(int argc, char *argv[])
{
	const struct ctl_cmd *cmd;
	struct ctl_opts o;
	char err[256];
	int rc;

	log_init("isatapctl", 1, 0);
	/* A closed pipe (isatapctl monitor | head) is a write error to report,
	 * not a signal that kills us halfway through a line. */
	signal(SIGPIPE, SIG_IGN);

	rc = ctl_parse_args(argc, argv, getenv(CTL_SOCKET_ENV), &o, err, sizeof(err));
	if (rc != CTL_EXIT_OK) {
		fprintf(stderr, "isatapctl: %s\n", err);
		ctl_usage(stderr);
		return rc;
	}
	if (o.help) {
		ctl_usage(stdout);
		return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
	}
	if (o.version) {
		printf("isatapctl %s\n", ISATAP_VERSION_STRING);
		return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
	}
	cmd = ctl_cmd_find(o.argc > 0 ? o.argv[0] : "status");
	if (cmd == NULL) {
		fprintf(stderr, "isatapctl: unknown command '%.32s'\n", o.argv[0]);
		ctl_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (o.argc == 0) {
		/* No command is `status`: run it with the command word in place. */
		o.argv[0] = "status";
		o.argc = 1;
	}
	return ctl_cmd_run(cmd, &o);
}
