/*
 * isatapctl's command line, parsed by hand rather than with getopt_long so
 * that it is pure (no optind/optreset state) and behaves the same on glibc
 * and on the BSD libc of macOS.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "ctl.h"

#define USAGE_ERR(...)                              \
	do {                                        \
		snprintf(err, errlen, __VA_ARGS__); \
		return CTL_EXIT_USAGE;              \
	} while (0)

static int
args_json_mode(const char *v, enum ctl_json *out)
{
	if (v == NULL)
		*out = CTL_JSON_AUTO;
	else if (strcmp(v, "pretty") == 0)
		*out = CTL_JSON_PRETTY;
	else if (strcmp(v, "short") == 0)
		*out = CTL_JSON_SHORT;
	else
		return -1;
	return 0;
}

int
ctl_parse_args(int argc, char *const argv[], const char *env_socket, struct ctl_opts *o, char *err,
               size_t errlen)
{
	struct sockaddr_un sun;
	bool opts_done = false;
	int i;

	memset(o, 0, sizeof(*o));
	o->socket = env_socket != NULL && env_socket[0] != '\0' ? env_socket : CTL_DEFAULT_SOCKET;
	err[0] = '\0';

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opts_done || a[0] != '-' || a[1] == '\0') {
			if (o->argc == CTL_ARGS_MAX)
				USAGE_ERR("too many arguments");
			o->argv[o->argc++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			opts_done = true;
		} else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
			if (i + 1 >= argc)
				USAGE_ERR("option %s needs a socket path", a);
			o->socket = argv[++i];
		} else if (strncmp(a, "--socket=", 9) == 0) {
			o->socket = a + 9;
		} else if (strncmp(a, "-s", 2) == 0) {
			o->socket = a + 2;
		} else if (strcmp(a, "-j") == 0 || strcmp(a, "--json") == 0) {
			o->json = CTL_JSON_AUTO;
		} else if (strncmp(a, "--json=", 7) == 0) {
			if (args_json_mode(a + 7, &o->json) != 0)
				USAGE_ERR("--json takes pretty or short, not '%.32s'", a + 7);
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			o->help = true;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			o->version = true;
		} else {
			USAGE_ERR("unknown option '%.32s'", a);
		}
	}

	if (o->socket[0] == '\0')
		USAGE_ERR("the socket path is empty");
	if (strlen(o->socket) >= sizeof(sun.sun_path))
		USAGE_ERR("the socket path%s is longer than %zu bytes",
		          o->socket == env_socket ? " in $" CTL_SOCKET_ENV : "",
		          sizeof(sun.sun_path) - 1);
	return CTL_EXIT_OK;
}
