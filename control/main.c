/*
 * isatap-control: the unprivileged half of the ISATAP client (RFC 5214).
 * Options, configuration, daemon start and the event loop; the work is in
 * control.c and the pure core in control/core/.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "control.h"
#include "isatap.h"
#include "log.h"
#include "sdnotify.h"

static void __attribute__((noreturn)) usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f,
	        "usage: isatap-control [-dnv] [-f file] [-D datapath_socket] [-s api_socket]\n"
	        "                      [-r name|IPv4]... [-l auto|interface|IPv4] [-G group]\n"
	        "       isatap-control -h | --version\n"
	        "  option    config key       meaning\n"
	        "  -f FILE                    configuration file (default %s)\n"
	        "  -n                         check the configuration: exit 0, or %d naming the "
	        "line\n"
	        "  -D PATH   datapath_socket  datapath socket (default %s)\n"
	        "  -s PATH   api_socket       API socket (default %s)\n"
	        "  -r ROUTER router           router name or IPv4, repeatable (default %s)\n"
	        "  -l SOURCE locator          IPv4 locator: auto, an interface or an address\n"
	        "  -G GROUP  api_group        group allowed to change state through the API\n"
	        "  -d        foreground       stay in the foreground, log to stderr\n"
	        "  -v        verbose          more verbose (twice for debug)\n",
	        CONF_DEFAULT_FILE, EX_CONFIG, CONF_DEFAULT_DP_SOCK, CONF_DEFAULT_API_SOCK,
	        CONF_DEFAULT_ROUTER);
	exit(status);
}

static void
cmdline_set(struct conf *cl, const char *key, const char *value)
{
	char err[256];

	if (conf_set(cl, key, value, err, sizeof(err)) < 0) {
		fprintf(stderr, "isatap-control: %s\n", err);
		exit(EX_USAGE);
	}
}

/* What the parser cannot know: that the group exists. */
static int
check_group(const struct conf *c, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (c->api_group[0] == '\0')
		return 0;
	if (getgrnam_r(c->api_group, &gr, buf, sizeof(buf), &res) != 0 || res == NULL) {
		snprintf(err, errlen, "api_group %s: no such group", c->api_group);
		return -ENOENT;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"version", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	static struct ctl ctl;
	const char *path = CONF_DEFAULT_FILE;
	char *abspath = NULL;
	bool path_given = false, check_only = false;
	char err[512], num[16];
	uv_loop_t loop;
	int ch, verbose = 0, r;

	conf_defaults(&ctl.cmdline);
	while ((ch = getopt_long(argc, argv, "dD:f:G:hl:nr:s:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			cmdline_set(&ctl.cmdline, "foreground", "yes");
			break;
		case 'D':
			cmdline_set(&ctl.cmdline, "datapath_socket", optarg);
			break;
		case 'f':
			path = optarg;
			path_given = true;
			break;
		case 'G':
			cmdline_set(&ctl.cmdline, "api_group", optarg);
			break;
		case 'h':
			usage(0);
		case 'l':
			cmdline_set(&ctl.cmdline, "locator", optarg);
			break;
		case 'n':
			check_only = true;
			break;
		case 'r':
			cmdline_set(&ctl.cmdline, "router", optarg);
			break;
		case 's':
			cmdline_set(&ctl.cmdline, "api_socket", optarg);
			break;
		case 'v':
			snprintf(num, sizeof(num), "%d", ++verbose > 3 ? 3 : verbose);
			cmdline_set(&ctl.cmdline, "verbose", num);
			break;
		case 'V':
			printf("isatap-control %s\n", ISATAP_VERSION_STRING);
			return 0;
		default:
			usage(EX_USAGE);
		}
	}
	if (optind != argc)
		usage(EX_USAGE);

	/* SIGHUP re-reads the file after daemon() has changed to "/". */
	if (path[0] != '/' && (abspath = realpath(path, NULL)) != NULL)
		path = abspath;
	/* Only the default file may be missing: all keys have defaults. */
	ctl.conf_path = path;
	ctl.conf_missing_ok = !path_given;
	r = conf_load(&ctl.conf, path, ctl.conf_missing_ok, &ctl.cmdline, err, sizeof(err));
	if (r == 0)
		r = check_group(&ctl.conf, err, sizeof(err));
	if (r < 0 || check_only) {
		if (r < 0)
			fprintf(stderr, "isatap-control: %s\n", err);
		else
			printf("configuration OK\n");
		free(abspath);
		return r < 0 ? EX_CONFIG : 0;
	}

	log_init("isatap-control", ctl.conf.foreground, ctl.conf.verbose);
	if (geteuid() == 0)
		log_warnx("running as root: isatap-control needs no privilege");
	if (!ctl.conf.foreground) {
		/* The usual reason not to start, found while the caller still
		 * waits for our exit status. */
		if ((r = api_clear_stale(ctl.conf.api_socket)) < 0) {
			fprintf(stderr, "isatap-control: api socket %s: %s\n", ctl.conf.api_socket,
			        strerror(-r));
			free(abspath);
			return EX_UNAVAILABLE;
		}
		if (daemon(0, 0) < 0)
			fatal(EX_OSERR, "daemon");
	}
	/* A client that goes away mid-reply must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);

	if ((r = uv_loop_init(&loop)) < 0)
		fatalx(EX_OSERR, "uv_loop_init: %s", uv_strerror(r));
	r = ctl_start(&ctl, &loop);
	if (r < 0) {
		ctl.exit_status = EX_UNAVAILABLE;
		ctl_stop(&ctl);
	} else {
		log_info("started: version %s, api %s, datapath %s", ISATAP_VERSION_STRING,
		         ctl.conf.api_socket, ctl.conf.datapath_socket);
		/* Type=notify: `systemctl start` returns once the API socket
		 * listens, and fails on what kept us from getting here. */
		if ((r = sdnotify_ready()) < 0) {
			errno = -r;
			log_warn("telling the service manager that we are ready");
		}
	}
	/* After ctl_stop() the loop runs until the last handle is closed. */
	uv_run(&loop, UV_RUN_DEFAULT);
	core_free(ctl.core);
	if (uv_loop_close(&loop) != 0)
		log_warnx("event loop closed with handles open");
	free(abspath);
	return ctl.exit_status;
}
